"""Ledger rows: cash (R8), officials on the other side (R17), duplicates (R19), receipts (R20)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from builder import model
from builder.format import schema
from builder.format.values import yuan
from builder.rules.base import Scope, rule, same_party, short
from builder.rules.contracts import PURCHASE_RECEIPTS


# --- ledger rows ----------------------------------------------------------------------------
@rule(
    "R8",
    "warning",
    ("cash_payment_limit",),
    "大额现金支付",
    "Large cash payment",
    "超过结算起点的支出应当转账：现金支付难以追溯，是坐支、白条抵库的常见入口。",
    "Payments above the cash-settlement point should go by transfer: cash is hard to trace.",
    "现金管理暂行条例（结算起点）；各地村级财务制度",
)
def check_cash(scope: Scope) -> Iterator[model.Flag]:
    """Flag cash payments above the cash-payment limit (R8)."""
    limit = scope.params.cash_payment_limit
    for period, row in scope.rows():
        if row.expense is not None and row.method == "现金" and row.expense > limit:
            yield scope.flag(
                scope.row_at(period, row),
                f"{row.voucher_no}“{short(row.summary)}”以现金支付 {yuan(row.expense)} 元"
                f"{'给“' + row.counterparty + '”' if row.counterparty else ''}，超过单笔现金限额 "
                f"{yuan(limit)} 元。",
                f"{row.voucher_no} paid {yuan(row.expense)} in cash"
                f"{' to ' + row.counterparty if row.counterparty else ''}, above the cash limit of "
                f"{yuan(limit)}.",
                period=period.period,
            )


@rule(
    "R17",
    "error",
    ("payroll_accounts",),
    "干部与本村交易",
    "Official on the other side",
    "村两委、监委成员及其近亲属不得承揽本村工程、采购或租用集体资产；这样的交易必须回避、公开表决。",
    "Village officials may not take the village's works, supplies or assets themselves; such "
    "deals need recusal and an open vote.",
    "青岛“十不准”；村民委员会组织法",
)
def check_officials(scope: Scope) -> Iterator[model.Flag]:
    """Flag contracts and deals whose other party is a village official (R17)."""
    official_roles = schema.TWO_COMMITTEE_ROLES | schema.SUPERVISOR_ROLES | {"民主理财小组成员"}
    officials = {
        same_party(person.name): "、".join(role for role in person.roles if role in official_roles)
        for person in scope.village.people
        if official_roles & set(person.roles)
    }
    for contract in scope.village.contracts:
        name = same_party(contract.counterparty)
        if name in officials:
            yield scope.flag(
                scope.contract_at(contract),
                f"合同 {contract.id}（{short(contract.object)}，{yuan(contract.amount)} 元）"
                f"的对方“{contract.counterparty}”是本村{officials[name]}。",
                f"The other party of contract {contract.id} ({yuan(contract.amount)}), "
                f"{contract.counterparty}, is a village official ({officials[name]}).",
                ref=contract.id,
            )
    payroll = scope.params.payroll_accounts
    for period, row in scope.rows():
        name = same_party(row.counterparty)
        if name not in officials or row.account_code.startswith(payroll):
            continue
        # NOTE: works, supplies and the use of assets, as DOMAIN R17 says: a purchase (an
        # invoice or IOU, not an official's own reimbursement) or rent income (501); wages,
        # stipends and relief passed on are not deals with an official
        bought = row.is_expense and row.receipt in PURCHASE_RECEIPTS and "报销" not in row.summary
        if bought or (not row.is_expense and row.account_code.startswith("501")):
            way, way_en = ("付给", "paid to") if row.is_expense else ("收自", "received from")
            yield scope.flag(
                scope.row_at(period, row),
                f"{row.voucher_no}“{short(row.summary)}”{yuan(row.amount)} 元"
                f"{way}“{row.counterparty}”，此人是本村{officials[name]}。",
                f"{row.voucher_no} ({yuan(row.amount)}) was {way_en} {row.counterparty}, a village "
                f"official ({officials[name]}).",
                period=period.period,
            )


@rule(
    "R19",
    "warning",
    ("duplicate_days",),
    "疑似重复报销",
    "Possible duplicate payment",
    "同一收款人、同一金额、几天内付了两次，常见于一张票据报销两次。",
    "The same amount paid to the same payee twice within days is how one bill gets paid twice.",
    "丹凤、南浔查处案例",
)
def check_duplicates(scope: Scope) -> Iterator[model.Flag]:
    """Flag the same amount paid to the same payee twice within days (R19)."""
    groups: dict[tuple[str, Decimal], list[tuple[model.Period, model.LedgerRow]]] = {}
    for period, row in scope.rows():
        if row.expense is not None and row.counterparty:
            groups.setdefault((same_party(row.counterparty), row.expense), []).append((period, row))
    window = scope.params.duplicate_days
    for items in groups.values():
        items.sort(key=lambda x: (x[1].date, x[0].period, x[1].line))
        for (earlier_period, earlier), (later_period, later) in itertools.pairwise(items):
            days = (later.date - earlier.date).days
            if days <= window:
                yield scope.flag(
                    scope.row_at(later_period, later),
                    f"{later_period.period} {later.voucher_no}“{short(later.summary)}”"
                    f"与 {earlier_period.period} {earlier.voucher_no}“{short(earlier.summary)}”"
                    f"都付给“{later.counterparty}” {yuan(later.amount)} 元，相隔 {days} 天。",
                    f"{later_period.period} {later.voucher_no} and {earlier_period.period} "
                    f"{earlier.voucher_no} both paid {yuan(later.amount)} to {later.counterparty}, "
                    f"{days} days apart.",
                    period=later_period.period,
                )


@rule(
    "R20",
    "warning",
    (),
    "白条、无审批、自批自报",
    "IOU, no approver or self-approval",
    "白条不是合法票据；没有审批人或审批人就是收款人，等于没有人把关。",
    "An IOU is not a valid receipt; a payment nobody approved, or approved by its own payee, "
    "had no second pair of eyes.",
    "丹凤（自批自报）；曾都“八不准”",
    levels="W/E",
)
def check_receipts(scope: Scope) -> Iterator[model.Flag]:
    """Flag IOUs, payments without an approver, and self-approved payments (R20)."""
    for period, row in scope.rows():
        if row.expense is None:
            continue
        selfish = bool(row.approver and row.counterparty) and (
            same_party(row.approver) == same_party(row.counterparty)
        )
        if row.receipt != "白条" and row.approver and not selfish:
            continue
        at = scope.row_at(period, row)
        head = f"{row.voucher_no}“{short(row.summary)}”{yuan(row.expense)} 元"
        if row.receipt == "白条":
            yield scope.flag(
                at,
                f"{head}以白条入账。",
                f"{row.voucher_no} ({yuan(row.expense)}) was booked against an IOU (白条).",
                period=period.period,
            )
        if not row.approver:
            yield scope.flag(
                at,
                f"{head}没有填写审批人。",
                f"{row.voucher_no} ({yuan(row.expense)}) has no approver.",
                period=period.period,
            )
        elif selfish:
            yield scope.flag(
                at,
                f"{head}付给“{row.counterparty}”，审批人也是此人（自批自报）。",
                f"{row.voucher_no} ({yuan(row.expense)}) was paid to {row.counterparty}, who also "
                "approved it.",
                period=period.period,
                level="error",
            )
