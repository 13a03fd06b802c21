"""Frozen model objects, built only from records that passed every check.

Totals are computed here, once, and tested here; templates never add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from builder.format.accounts import CATEGORIES
from builder.format.parameters import Parameters
from builder.format.problems import Location

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class Term:
    """Roles a person held from one day to another (to None: still in office)."""

    roles: tuple[str, ...]
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class Person:
    name: str
    roles: tuple[str, ...]
    terms: tuple[Term, ...] = ()  # empty: roles hold on every day

    def roles_on(self, day: dt.date) -> tuple[str, ...]:
        """The roles held on a day: by the terms where there are any, else roles."""
        if not self.terms:
            return self.roles
        held: list[str] = []
        for term in self.terms:
            if term.start <= day and (term.end is None or day <= term.end):
                held += [role for role in term.roles if role not in held]
        return tuple(held)


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
    conditions: tuple[str, ...] = ()  # 办理条件
    accountability: str = ""  # 责任追究
    department: str = ""  # the owning department above the village


@dataclass(frozen=True)
class Duty:
    """One item of the 责任清单: who answers for what, and how a failure is pursued."""

    id: str
    who: str
    duties: tuple[str, ...]
    accountability: str = ""
    department: str = ""
    level: str = "县"


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
    duties: tuple[Duty, ...] = ()  # 责任清单


@dataclass(frozen=True)
class PowerVersionChange:
    """One item a yearly version of a county's or town's lists adds, removes or changes."""

    id: str
    change: str  # 新增 / 删除 / 修改
    field: str = ""
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class PowerVersion:
    """A yearly version of a county's or town's lists (powers.yml `versions`)."""

    year: str
    date: dt.date
    reason: str
    basis: str = ""
    changes: tuple[PowerVersionChange, ...] = ()


@dataclass(frozen=True)
class Affair:
    title: str
    date: dt.date
    body: str = ""


@dataclass(frozen=True)
class CorrectionChange:
    """One value a correction says it changes: part, line, field, old and new (as shown)."""

    section: str
    line: int | None
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RegisterCorrection:
    """A correction of one register entry (or a power list's yearly adjustment)."""

    register: str  # contracts / decisions / topics / powers / meetings
    id: str
    date: dt.date
    reason: str
    approved_by: str
    changes: tuple[CorrectionChange, ...] = ()


@dataclass(frozen=True)
class Correction:
    date: dt.date
    reason: str
    approved_by: str
    changes: tuple[CorrectionChange, ...] = ()


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
    bank_account: str = ""
    category: str = "其他"  # plain spending category (format/accounts.py), for the charts

    @property
    def amount(self) -> Decimal:
        """Return the row's amount, income or expense."""
        return self.income if self.income is not None else (self.expense or ZERO)

    @property
    def is_expense(self) -> bool:
        """Tell whether the row pays money out."""
        return self.expense is not None


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
    cause: str = ""
    salt: str = ""  # per-row random letters binding the full name into fingerprint v2


@dataclass(frozen=True)
class Balance:
    cash: Decimal
    bank: Decimal

    @property
    def total(self) -> Decimal:
        """Return cash plus bank."""
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
    published_line: int | None = None  # line of published_at in disclosure.yml
    deposits: tuple[Deposit, ...] | None = None  # None: the period does not record deposits
    draft: bool = False  # only in a clerk's preview: not yet in the publication log (草稿)

    @cached_property
    def income(self) -> Decimal:
        """Sum the period's income."""
        return sum((r.income for r in self.ledger if r.income is not None), ZERO)

    @cached_property
    def expense(self) -> Decimal:
        """Sum the period's expense."""
        return sum((r.expense for r in self.ledger if r.expense is not None), ZERO)

    @cached_property
    def by_account(self) -> tuple[AccountTotal, ...]:
        """Income and expense per first-level account, in code order."""
        sums: dict[str, list[Decimal]] = {}
        names: dict[str, str] = {}
        for row in self.ledger:
            code = row.account_code[:3]
            names.setdefault(code, row.account_name)
            pair = sums.setdefault(code, [ZERO, ZERO])
            pair[0] += row.income or ZERO
            pair[1] += row.expense or ZERO
        return tuple(AccountTotal(c, names[c], sums[c][0], sums[c][1]) for c in sorted(sums))

    @cached_property
    def by_category(self) -> tuple[tuple[str, Decimal], ...]:
        """Spending per plain category, in the categories' order, only those spent on."""
        sums: dict[str, Decimal] = {}
        for row in self.ledger:
            if row.expense is not None:
                sums[row.category] = sums.get(row.category, ZERO) + row.expense
        return tuple((c, sums[c]) for c in CATEGORIES if c in sums)

    @property
    def year(self) -> int:
        """Return the period's year."""
        return int(self.period[:4])

    @property
    def month(self) -> int:
        """Return the period's month (1-12)."""
        return int(self.period[5:7])

    @property
    def is_corrected(self) -> bool:
        """Tell whether the period carries corrections."""
        return bool(self.corrections)


# --- registers: contracts, decisions, topics ------------------------------------------------------
INCOME_TYPES = frozenset({"发包", "租赁", "出让", "投资入股"})  # the village receives money
LEASE_TYPES = frozenset({"发包", "租赁"})


@dataclass(frozen=True, order=True)
class ScheduleItem:
    due: dt.date
    amount: Decimal


@dataclass(frozen=True)
class ChangeOrder:
    """A change to a contract's amount (negative: a reduction), and the decision behind it."""

    date: dt.date
    amount: Decimal
    decision_id: str = ""


@dataclass(frozen=True)
class Deposit:
    """Cash taken to the bank (现金送存), from a period's disclosure.yml."""

    date: dt.date
    amount: Decimal
    line: int = 0
    note: str = ""


@dataclass(frozen=True)
class CadrePay:
    """A cadre's approved yearly pay (village.yml cadre_pay)."""

    line: int
    name: str
    annual: Decimal
    year: int | None = None
    decision_id: str = ""


@dataclass(frozen=True)
class BankAccount:
    """One of the village's bank accounts (village.yml bank_accounts); never a full number."""

    line: int
    id: str
    bank: str
    kind: str
    designated: bool
    tail: str = ""
    opened: dt.date | None = None
    closed: dt.date | None = None

    def open_on(self, day: dt.date) -> bool:
        """Tell whether the account was open on a day."""
        return (self.opened is None or self.opened <= day) and (
            self.closed is None or day < self.closed
        )


@dataclass(frozen=True)
class Debt:
    """A loan the village took or a guarantee it gave (debts.csv)."""

    line: int
    id: str
    kind: str  # 借款 / 担保
    party: str
    amount: Decimal
    date: dt.date
    end: dt.date | None = None
    decision_id: str = ""
    filed_at: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class Contract:
    """One row of contracts.csv: a 三资 or works contract."""

    line: int
    id: str
    type: str
    object: str
    counterparty: str
    method: str
    platform: str
    amount: Decimal
    start: dt.date
    end: dt.date
    schedule: tuple[ScheduleItem, ...] = ()
    decision_id: str = ""
    changes: tuple[ChangeOrder, ...] = ()
    accepted_at: dt.date | None = None

    @property
    def is_income(self) -> bool:
        """Leases, disposals and investments bring money in; works and purchases pay out."""
        return self.type in INCOME_TYPES


@dataclass(frozen=True)
class Step:
    """One step of 四议两公开: which (1-6), when, and the meeting's numbers where it is one."""

    index: int
    name: str
    date: dt.date
    line: int
    due: int | None = None
    attended: int | None = None
    agreed: int | None = None
    result: str = ""
    note: str = ""


@dataclass(frozen=True)
class Decision:
    """One 四议两公开 record from decisions.yml."""

    line: int
    id: str
    matter: str
    steps: tuple[Step, ...]  # in step order
    amount: Decimal | None = None
    category: str = ""
    merged: bool = False  # 一肩挑: steps 1 and 2 held together

    def step(self, index: int) -> Step | None:
        """Find the step with this number (1-6)."""
        return next((s for s in self.steps if s.index == index), None)

    @property
    def passed(self) -> bool:
        """Tell whether no step failed."""
        return all(s.result != "未通过" for s in self.steps)


@dataclass(frozen=True)
class Topic:
    """One 点题公开 request from topics.yml and, once given, its answer."""

    line: int
    id: str
    asked_at: dt.date
    question: str
    asker: str = ""
    answered_at: dt.date | None = None
    answer: str = ""
    period: str = ""  # the period whose disclosure published the answer
    ref: str = ""  # a contract or decision the answer points to


@dataclass(frozen=True)
class Meeting:
    """One meeting from meetings.yml: 村情发布会, 村务联席会议, 群众说事日, 党员大会, 村民代表会议."""

    line: int
    id: str
    kind: str
    date: dt.date
    chaired_by: str = ""
    due: int | None = None
    attended: int | None = None
    agenda: tuple[str, ...] = ()
    questions: tuple[tuple[str, str], ...] = ()  # (question, answer)
    note: str = ""


@dataclass(frozen=True)
class Flag:
    """A supervision flag: which rule, where, what was seen; a reason to look, not a verdict."""

    rule: str  # e.g. R11
    severity: str  # error / warning / info
    where: Location
    town: str  # town slug
    village: str  # village slug
    zh: str  # what was seen
    en: str
    period: str = ""  # the period it belongs to, if any
    ref: str = ""  # the contract, decision or topic id, if any
    # NOTE: for supervisors only (`sunlight flags`), never on a page: R24's place in the
    # assistance list. Left out of repr, so it is in no signature or cache key either.
    detail: str = field(default="", repr=False, compare=False)
    detail_en: str = field(default="", repr=False, compare=False)

    def sort_key(self) -> tuple[str, int, str, str]:
        """Order flags by file, line, rule and text."""
        return (self.where.path, self.where.line or 0, self.rule, self.zh)


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
    signature: str = ""  # what the build cache knows this village's records by (cache.py)
    contracts: tuple[Contract, ...] = ()
    decisions: tuple[Decision, ...] = ()
    topics: tuple[Topic, ...] = ()
    cadre_pay: tuple[CadrePay, ...] = ()
    bank_accounts: tuple[BankAccount, ...] = ()
    debts: tuple[Debt, ...] = ()
    keeps_acceptance: bool = False  # some contract has an accepted_at written (v1.2)
    register_corrections: tuple[RegisterCorrection, ...] = ()  # corrections.yml
    meetings: tuple[Meeting, ...] = ()  # by date, then id

    @property
    def url(self) -> str:
        """Path of the village page relative to the site root."""
        return f"{self.town_slug}/{self.slug}/"

    @property
    def latest(self) -> Period | None:
        """Return the newest period, if any."""
        return self.periods[-1] if self.periods else None

    def newest_first(self) -> Iterator[Period]:
        """Iterate over the periods, newest first."""
        return reversed(self.periods)

    def person(self, name: str) -> Person | None:
        """Find a person by name."""
        return next((p for p in self.people if p.name == name), None)

    def contract(self, cid: str) -> Contract | None:
        """Find a contract by id."""
        return next((c for c in self.contracts if c.id == cid), None)

    def decision(self, did: str) -> Decision | None:
        """Find a decision by id."""
        return next((d for d in self.decisions if d.id == did), None)

    def period(self, name: str) -> Period | None:
        """Find a period by its YYYY-MM name."""
        return next((p for p in self.periods if p.period == name), None)

    @cached_property
    def contract_rows(self) -> dict[str, tuple[tuple[str, LedgerRow], ...]]:
        """Ledger rows linked to each contract id, as (period, row), oldest first."""
        out: dict[str, list[tuple[str, LedgerRow]]] = {}
        for period in self.periods:
            for row in period.ledger:
                if row.contract_id:
                    out.setdefault(row.contract_id, []).append((period.period, row))
        return {k: tuple(v) for k, v in out.items()}

    def contracts_of(self, decision_id: str) -> tuple[Contract, ...]:
        """Return the contracts that name this decision."""
        return tuple(c for c in self.contracts if c.decision_id == decision_id)

    @cached_property
    def contract_totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """(received, paid) so far under each contract, from the linked ledger rows."""
        return {
            cid: (
                sum((r.income for _, r in rows if r.income is not None), ZERO),
                sum((r.expense for _, r in rows if r.expense is not None), ZERO),
            )
            for cid, rows in self.contract_rows.items()
        }


@dataclass(frozen=True)
class Town:
    slug: str
    name: str
    code: str
    contacts: tuple[Contact, ...]
    villages: tuple[Village, ...]
    parameters: Parameters = field(default_factory=Parameters)
    power_versions: tuple[PowerVersion, ...] = ()  # the town's powers.yml `versions`


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
    power_versions: tuple[PowerVersion, ...] = ()  # the county's powers.yml `versions`
    flags: tuple[Flag, ...] = ()  # supervision flags, sorted (builder/rules/)
    as_of: dt.date | None = None  # the date the flags were computed for

    def villages(self) -> Iterator[Village]:
        """Iterate over every village of every town."""
        for town in self.towns:
            yield from town.villages


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
