"""Contracts: income on time (R10), tender bands (R11), splits (R12, R13), expiry (R26)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from builder import model
from builder.format.parameters import Parameters
from builder.format.problems import Location
from builder.format.values import month_bounds, yuan
from builder.rules.base import Scope, add_years, rule, same_party, short


# --- contracts ----------------------------------------------------------------------------------
@rule(
    "R11",
    "error",
    ("tender_bands", "open_methods"),
    "交易方式与金额分档不符",
    "Method or platform does not fit the amount",
    "按金额分档，较大的合同必须进镇、县农村产权交易中心公开交易；在村里简易办理，竞争和监督都不够。",
    "Above a band limit a contract must go through the town or county exchange openly; "
    "handled in the village, it escapes competition and oversight.",
    "郯城“小微权力”清单；莼湖",
)
def check_tender_band(scope: Scope) -> Iterator[model.Flag]:
    """Flag contracts whose exchange or method does not fit their amount's band (R11)."""
    bands = scope.params.tender_bands
    names = [name for _, _, name in bands]
    for contract in scope.village.contracts if bands else ():
        band = scope.params.band_of(contract.amount)
        low, _, want = bands[band]
        rank = max((i for i, n in enumerate(names) if n == contract.platform), default=band)
        parts, parts_en = [], []
        if rank < band:
            parts.append(f"{yuan(low)} 元以上应进入“{want}”")
            parts_en.append(f"from {yuan(low)} it belongs to {want}")
        if band > 0 and contract.method not in scope.params.open_methods:
            *most, final = scope.params.open_methods or ("公开方式",)
            parts.append(f"应采用{'、'.join(most)}{'或' if most else ''}{final}")
            parts_en.append(
                "it needs an open method (" + ", ".join(scope.params.open_methods) + ")"
            )
        if parts:
            yield scope.flag(
                scope.contract_at(contract),
                f"合同 {contract.id}（{short(contract.object)}，{yuan(contract.amount)} 元）"
                f"经“{contract.platform}”以“{contract.method}”成交；"
                f"按本县金额分档，{'，'.join(parts)}。",
                f"Contract {contract.id} ({yuan(contract.amount)}) went through "
                f"{contract.platform} by {contract.method}; "
                f"by the county's bands {' and '.join(parts_en)}.",
                ref=contract.id,
            )


@dataclass(frozen=True)
class Item:
    """A contract, or a purchase paid without one: what splitting and near-limit rules watch."""

    date: dt.date
    amount: Decimal
    party: str
    contract: model.Contract | None = None
    period: model.Period | None = None
    row: model.LedgerRow | None = None

    # NOTE: labels and places are made only for the few items that are flagged
    @property
    def label(self) -> str:
        """Describe the item in Chinese: contract or voucher, date and amount."""
        if self.contract is not None:
            return f"合同 {self.contract.id}（{self.date}，{yuan(self.amount)} 元）"
        assert self.period is not None and self.row is not None
        return f"{self.period.period} {self.row.voucher_no}（{self.date}，{yuan(self.amount)} 元）"

    @property
    def label_en(self) -> str:
        """Describe the item in English: contract or voucher, date and amount."""
        if self.contract is not None:
            return f"contract {self.contract.id} ({self.date}, {yuan(self.amount)})"
        assert self.period is not None and self.row is not None
        return f"{self.period.period} {self.row.voucher_no} ({self.date}, {yuan(self.amount)})"

    @property
    def key(self) -> tuple[dt.date, str, int]:
        """Order items by date, period and line."""
        line = self.contract.line if self.contract else self.row.line if self.row else 0
        return (self.date, self.period.period if self.period else "", line)

    def where(self, scope: Scope) -> Location:
        """Locate the item: its contract row or its ledger row."""
        if self.contract is not None:
            return scope.contract_at(self.contract)
        assert self.period is not None and self.row is not None
        return scope.row_at(self.period, self.row)

    @property
    def period_name(self) -> str:
        """Return the period of a ledger item ("" for a contract)."""
        return self.period.period if self.period else ""

    @property
    def ref(self) -> str:
        """Return the contract id of a contract item ("" for a purchase)."""
        return self.contract.id if self.contract else ""


# NOTE: a purchase is a ledger expense paid against an invoice or an IOU and not under a
# contract; wages, stipends and labour (收据) and fiscal transfers are not purchases.
PURCHASE_RECEIPTS = frozenset({"发票", "白条"})


def purchases(scope: Scope) -> list[Item]:
    """Contracts (by start date) and purchases made without one (kept for the village).

    A payment to a party while it has a contract running is taken as paid under that contract,
    even when the clerk left `contract_id` empty: it is not counted a second time.
    """
    if "purchases" in scope.memo:
        return scope.memo["purchases"]  # type: ignore[no-any-return]
    running: dict[str, list[model.Contract]] = {}
    for contract in scope.village.contracts:
        running.setdefault(same_party(contract.counterparty), []).append(contract)
    items = [
        Item(contract.start, contract.amount, contract.counterparty, contract=contract)
        for contract in scope.village.contracts
    ]
    for period in scope.village.periods:
        for row in period.ledger:
            if row.expense is None or row.contract_id or row.receipt not in PURCHASE_RECEIPTS:
                continue
            under = running.get(same_party(row.counterparty)) if running else None
            if not under or not any(
                contract.start <= row.date <= contract.end for contract in under
            ):
                items.append(Item(row.date, row.expense, row.counterparty, period=period, row=row))
    scope.memo["purchases"] = items
    return items


def _limit_label(params: Parameters, limit: Decimal) -> tuple[str, str]:
    band = next((name for _, high, name in params.tender_bands if high == limit), None)
    if band is not None:
        return f"“{band}”的上限 {yuan(limit)} 元", f"the {yuan(limit)} ceiling of {band}"
    return f"重大事项金额 {yuan(limit)} 元", f"the major-matter threshold of {yuan(limit)}"


@rule(
    "R12",
    "warning",
    ("tender_bands", "major_matter_threshold", "split_window_days", "split_min_pct"),
    "疑似拆分合同",
    "Possible split contract",
    "把一笔大额采购或工程拆成几笔小额，就能绕开公开交易和四议两公开。",
    "Splitting one large purchase into small ones dodges the exchange and the 四议两公开 vote.",
    "全椒“分两笔报销”案；迁安",
)
def check_splitting(scope: Scope) -> Iterator[model.Flag]:
    """Flag purchases from one party that together reach a limit each stays under (R12)."""
    groups: dict[str, list[Item]] = {}
    for item in purchases(scope):
        if item.party:
            groups.setdefault(same_party(item.party), []).append(item)
    window, share = scope.params.split_window_days, Decimal(scope.params.split_min_pct) / 100
    for items in groups.values():
        items.sort(key=lambda x: x.key)
        flagged: set[tuple[dt.date, str, int]] = set()
        for limit in scope.params.limits:
            # NOTE: a split makes a few large pieces; many small buys are routine supplies
            pieces = [x for x in items if limit * share <= x.amount < limit]
            start = done = 0
            for index, last in enumerate(pieces):
                start = max(start, done)
                while (last.date - pieces[start].date).days > window:
                    start += 1
                group = pieces[start : index + 1]
                total = sum((x.amount for x in group), Decimal(0))
                if len(group) < 2 or total < limit or last.key in flagged:
                    continue
                done = index + 1
                flagged.add(last.key)
                zh, en = _limit_label(scope.params, limit)
                days = (last.date - group[0].date).days
                yield scope.flag(
                    last.where(scope),
                    f"{days} 天内与“{last.party}”有 {len(group)} 笔："
                    f"{'；'.join(x.label for x in group)}，合计 {yuan(total)} 元。每笔都低于{zh}，"
                    "合计却达到了。",
                    f"{len(group)} items with {last.party} within {days} days "
                    f"({'; '.join(x.label_en for x in group)}) add up to {yuan(total)}: each is "
                    f"below {en}, together they reach it.",
                    period=last.period_name,
                    ref=last.ref,
                )


@rule(
    "R13",
    "info",
    ("tender_bands", "major_matter_threshold", "near_limit_pct"),
    "金额贴近分档上限",
    "Amount just under a limit",
    "金额刚好压在分档上限或重大事项金额之下，可能是为了少走一道程序。",
    "An amount just under a band ceiling or the major-matter threshold may have been set to "
    "skip a step.",
    "常见做法（参数可调）",
)
def check_near_limit(scope: Scope) -> Iterator[model.Flag]:
    """Flag amounts just under a band ceiling or the major-matter threshold (R13)."""
    pct = Decimal(scope.params.near_limit_pct) / 100
    windows = [(x * (1 - pct), x) for x in scope.params.limits]
    for item in purchases(scope):
        limit = next((x for low, x in windows if low <= item.amount < x), None)
        if limit is not None:
            zh, en = _limit_label(scope.params, limit)
            yield scope.flag(
                item.where(scope),
                f"{item.label}与“{item.party}”，比{zh}只少 {yuan(limit - item.amount)} 元。",
                f"{item.label_en} with {item.party} is {yuan(limit - item.amount)} under {en}.",
                period=item.period_name,
                ref=item.ref,
            )


@rule(
    "R10",
    "warning",
    ("late_income_days",),
    "合同收入未按时入账",
    "Contract income booked late",
    "承包费、租金、处置款到期不入账，就可能被截留、坐支或干脆免掉。",
    "Rent or sale money not booked when due may have been kept back, spent in cash or waived.",
    "郯城三资大数据监管平台",
)
def check_income(scope: Scope) -> Iterator[model.Flag]:
    """Flag contract income not booked by its due date plus the allowed days (R10)."""
    books = list(scope.village.periods)
    if not books:
        return
    first, _ = month_bounds(books[0].period)
    _, last = month_bounds(books[-1].period)
    late = scope.params.late_income_days
    for contract in scope.village.contracts:
        if not contract.is_income:
            continue
        received = sorted(
            (r.date, r.income)
            for _, r in scope.village.contract_rows.get(contract.id, ())
            if r.income is not None
        )
        owed = Decimal(0)
        for item in contract.schedule:
            if item.due < first:
                continue  # before the books on this site begin
            owed += item.amount
            deadline = item.due + dt.timedelta(days=late)
            if deadline > last:
                break  # the books do not reach that far yet
            got = sum((a for d, a in received if d <= deadline), Decimal(0))
            if got < owed:
                period = f"{item.due.year}-{item.due.month:02d}"
                yield scope.flag(
                    scope.contract_at(contract),
                    f"合同 {contract.id}（{short(contract.object)}，{contract.counterparty}）"
                    f"应于 {item.due} 收款 {yuan(item.amount)} 元；"
                    f"到 {deadline}（{late} 天后）关联该合同的收入累计 {yuan(got)} 元，"
                    f"比应收少 {yuan(owed - got)} 元。",
                    f"Contract {contract.id} ({contract.counterparty}) was due to pay "
                    f"{yuan(item.amount)} on {item.due}; by {deadline} the ledger shows "
                    f"{yuan(got)} received against it, {yuan(owed - got)} short.",
                    period=period if scope.village.period(period) else "",
                    ref=contract.id,
                )


@rule(
    "R26",
    "warning",
    ("expiry_days", "max_lease_years"),
    "合同到期与期限",
    "Contract expiry and term",
    "集体资产出租到期不续签、不重新招租，容易被无偿占用；租期超过 20 年违反民法典。",
    "A lease that ends without renewal or a new letting invites free use of village assets; "
    "terms beyond 20 years break the Civil Code.",
    "民法典第705条；永嘉三资管理",
    levels="W/I",
)
def check_expiry(scope: Scope) -> Iterator[model.Flag]:
    """Flag leases too long, about to end, or ended without a successor (R26)."""
    contracts = scope.village.contracts
    for contract in contracts:
        if contract.type not in model.LEASE_TYPES and contract.type != "投资入股":
            continue
        at = scope.contract_at(contract)
        head = f"合同 {contract.id}（{short(contract.object)}，{contract.counterparty}）"
        if contract.type in model.LEASE_TYPES and contract.end >= add_years(
            contract.start, scope.params.max_lease_years
        ):
            yield scope.flag(
                at,
                f"{head}期限从 {contract.start} 到 {contract.end}，超过 {scope.params.max_lease_years} 年。",
                f"Contract {contract.id} runs from {contract.start} to {contract.end}, longer than "
                f"{scope.params.max_lease_years} years.",
                ref=contract.id,
            )
        left = (contract.end - scope.as_of).days
        if 0 <= left <= scope.params.expiry_days:
            yield scope.flag(
                at,
                f"{head}将于 {contract.end} 到期（还有 {left} 天）。请及早安排续签或重新公开招租。",
                f"Contract {contract.id} ends on {contract.end}, in {left} days.",
                ref=contract.id,
                level="info",
            )
        elif left < 0:
            obj = same_party(contract.object)
            if not any(same_party(o.object) == obj and o.start > contract.start for o in contracts):
                yield scope.flag(
                    at,
                    f"{head}已于 {contract.end} 到期，未见同一标的的新合同。",
                    f"Contract {contract.id} ended on {contract.end}; "
                    "no later contract for the same asset.",
                    ref=contract.id,
                )
