"""Frozen model objects, built only from records that passed every check.

Totals are computed here, once, and tested here; templates never add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from .accounts import account_name

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Parameters:
    """Rule thresholds; a town may override the county's."""

    finance_cadence: str = "monthly"
    grace_days: int = 15
    tender_bands: tuple[tuple[Decimal, Decimal | None, str], ...] = (
        (Decimal(0), Decimal(20000), "村级简易招标"),
        (Decimal(20000), Decimal(200000), "镇农村产权交易中心"),
        (Decimal(200000), None, "县农村产权交易中心"),
    )
    major_matter_threshold: Decimal = Decimal(50000)
    cash_payment_limit: Decimal = Decimal(1000)
    notice_days: int = 7
    reply_days: int = 10


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class Person:
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Power:
    id: str
    category: str
    name: str
    basis: str = ""
    responsible: str = ""
    steps: tuple[str, ...] = ()
    time_limit: str = ""
    risks: tuple[str, ...] = ()
    supervision: str = ""
    level: str = "县"  # where the item was last defined: 县 / 镇 / 村


@dataclass(frozen=True)
class Negative:
    id: str
    text: str
    level: str = "县"


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    where: str = ""
    materials: tuple[str, ...] = ()
    time_limit: str = ""
    contact: str = ""
    level: str = "县"


@dataclass(frozen=True)
class PowerList:
    """The resolved 一村一单: the county list, adjusted by the town, then by the village."""

    powers: tuple[Power, ...] = ()
    negative: tuple[Negative, ...] = ()
    services: tuple[Service, ...] = ()


@dataclass(frozen=True)
class Affair:
    title: str
    date: dt.date
    body: str = ""


@dataclass(frozen=True)
class Correction:
    date: dt.date
    reason: str
    approved_by: str


@dataclass(frozen=True)
class LedgerRow:
    line: int
    date: dt.date
    voucher_no: str
    summary: str
    account_code: str
    account_name: str
    income: Decimal | None
    expense: Decimal | None
    counterparty: str = ""
    method: str = ""
    receipt: str = ""
    approver: str = ""
    contract_id: str = ""

    @property
    def amount(self) -> Decimal:
        return self.income if self.income is not None else (self.expense or ZERO)


@dataclass(frozen=True)
class AssistanceRow:
    line: int
    category: str
    name: str
    group: str
    amount: Decimal
    notice_start: dt.date
    notice_end: dt.date
    household_size: int | None = None
    status: str = ""


@dataclass(frozen=True)
class Balance:
    cash: Decimal
    bank: Decimal

    @property
    def total(self) -> Decimal:
        return self.cash + self.bank


@dataclass(frozen=True)
class AccountTotal:
    code: str
    name: str
    income: Decimal
    expense: Decimal


@dataclass(frozen=True)
class Period:
    """One disclosure period of one village."""

    period: str
    opening: Balance
    closing: Balance
    drafted_by: str
    reviewed_by: str
    reviewed_at: dt.date
    published_at: dt.date
    village_affairs: tuple[Affair, ...] = ()
    party_affairs: tuple[Affair, ...] = ()
    corrections: tuple[Correction, ...] = ()
    ledger: tuple[LedgerRow, ...] = ()
    assistance: tuple[AssistanceRow, ...] = ()

    @cached_property
    def income(self) -> Decimal:
        return sum((r.income for r in self.ledger if r.income is not None), ZERO)

    @cached_property
    def expense(self) -> Decimal:
        return sum((r.expense for r in self.ledger if r.expense is not None), ZERO)

    @cached_property
    def by_account(self) -> tuple[AccountTotal, ...]:
        """Income and expense per first-level account, in code order."""
        sums: dict[str, list[Decimal]] = {}
        names: dict[str, str] = {}
        for r in self.ledger:
            code = r.account_code[:3]
            names.setdefault(code, r.account_name)
            pair = sums.setdefault(code, [ZERO, ZERO])
            pair[0] += r.income or ZERO
            pair[1] += r.expense or ZERO
        return tuple(AccountTotal(c, names[c], sums[c][0], sums[c][1]) for c in sorted(sums))

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def month(self) -> int:
        return int(self.period[5:7])

    @property
    def is_corrected(self) -> bool:
        return bool(self.corrections)


@dataclass(frozen=True)
class Channels:
    office_phone: str = ""
    hotlines: tuple[Contact, ...] = ()
    box: str = ""
    supervisor: str = ""
    talk_day: str = ""


@dataclass(frozen=True)
class Village:
    slug: str
    town_slug: str
    name: str
    code: str
    kind: str
    households: int | None
    population: int | None
    people: tuple[Person, ...]
    channels: Channels
    power_list: PowerList
    periods: tuple[Period, ...]  # oldest first
    parameters: Parameters = field(default_factory=Parameters)
    names_online: str = "masked"
    src_dir: str = ""

    @property
    def url(self) -> str:
        """Path of the village page relative to the site root."""
        return f"{self.town_slug}/{self.slug}/"

    @property
    def latest(self) -> Period | None:
        return self.periods[-1] if self.periods else None

    def newest_first(self) -> Iterator[Period]:
        return reversed(self.periods)

    def person(self, name: str) -> Person | None:
        return next((p for p in self.people if p.name == name), None)


@dataclass(frozen=True)
class Town:
    slug: str
    name: str
    code: str
    contacts: tuple[Contact, ...]
    villages: tuple[Village, ...]
    parameters: Parameters = field(default_factory=Parameters)


@dataclass(frozen=True)
class County:
    name: str
    code: str
    site_title: str
    site_url: str
    chart: str
    names_online: str
    contacts: tuple[Contact, ...]
    towns: tuple[Town, ...]
    parameters: Parameters = field(default_factory=Parameters)
    power_list: PowerList = field(default_factory=PowerList)

    def villages(self) -> Iterator[Village]:
        for town in self.towns:
            yield from town.villages


def resolve_account(chart: str, code: str) -> str:
    """Name of an account code in a chart ('' when unknown, which validation prevents)."""
    return account_name(chart, code) or ""


def mask_name(name: str) -> str:
    """Mask a person's name for the web: 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明."""
    chars = list(name)
    if "·" in name:  # minority names: keep the first character of each part
        return "·".join(part[:1] + "*" * max(len(part) - 1, 0) for part in name.split("·"))
    if len(chars) <= 1:
        return name
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]
