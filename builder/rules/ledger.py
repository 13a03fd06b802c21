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
def check_cash(s: Scope) -> Iterator[model.Flag]:
    limit = s.p.cash_payment_limit
    for period, r in s.rows():
        if r.expense is not None and r.method == "现金" and r.expense > limit:
            yield s.flag(
                s.row_at(period, r),
                f"{r.voucher_no}“{short(r.summary)}”以现金支付 {yuan(r.expense)} 元"
                f"{'给“' + r.counterparty + '”' if r.counterparty else ''}，超过单笔现金限额 "
                f"{yuan(limit)} 元。",
                f"{r.voucher_no} paid {yuan(r.expense)} in cash"
                f"{' to ' + r.counterparty if r.counterparty else ''}, above the cash limit of "
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
def check_officials(s: Scope) -> Iterator[model.Flag]:
    official_roles = schema.TWO_COMMITTEE_ROLES | schema.SUPERVISOR_ROLES | {"民主理财小组成员"}
    officials = {
        p.name: "、".join(r for r in p.roles if r in official_roles)
        for p in s.village.people
        if official_roles & set(p.roles)
    }
    for c in s.village.contracts:
        name = same_party(c.counterparty)
        if name in officials:
            yield s.flag(
                s.contract_at(c),
                f"合同 {c.id}（{short(c.object)}，{yuan(c.amount)} 元）的对方“{c.counterparty}”"
                f"是本村{officials[name]}。",
                f"The other party of contract {c.id} ({yuan(c.amount)}), {c.counterparty}, is a "
                f"village official ({officials[name]}).",
                ref=c.id,
            )
    payroll = s.p.payroll_accounts
    for period, r in s.rows():
        name = same_party(r.counterparty)
        if name not in officials or r.account_code.startswith(payroll):
            continue
        # NOTE: works, supplies and the use of assets, as DOMAIN R17 says: a purchase (an
        # invoice or IOU, not an official's own reimbursement) or rent income (501); wages,
        # stipends and relief passed on are not deals with an official
        bought = r.is_expense and r.receipt in PURCHASE_RECEIPTS and "报销" not in r.summary
        if bought or (not r.is_expense and r.account_code.startswith("501")):
            way, way_en = ("付给", "paid to") if r.is_expense else ("收自", "received from")
            yield s.flag(
                s.row_at(period, r),
                f"{r.voucher_no}“{short(r.summary)}”{yuan(r.amount)} 元{way}“{r.counterparty}”，"
                f"此人是本村{officials[name]}。",
                f"{r.voucher_no} ({yuan(r.amount)}) was {way_en} {r.counterparty}, a village "
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
def check_duplicates(s: Scope) -> Iterator[model.Flag]:
    groups: dict[tuple[str, Decimal], list[tuple[model.Period, model.LedgerRow]]] = {}
    for period, r in s.rows():
        if r.expense is not None and r.counterparty:
            groups.setdefault((same_party(r.counterparty), r.expense), []).append((period, r))
    window = s.p.duplicate_days
    for items in groups.values():
        items.sort(key=lambda x: (x[1].date, x[0].period, x[1].line))
        for (p0, r0), (p1, r1) in itertools.pairwise(items):
            days = (r1.date - r0.date).days
            if days <= window:
                yield s.flag(
                    s.row_at(p1, r1),
                    f"{p1.period} {r1.voucher_no}“{short(r1.summary)}”与 {p0.period} "
                    f"{r0.voucher_no}“{short(r0.summary)}”都付给“{r1.counterparty}” "
                    f"{yuan(r1.amount)} 元，相隔 {days} 天。",
                    f"{p1.period} {r1.voucher_no} and {p0.period} {r0.voucher_no} both paid "
                    f"{yuan(r1.amount)} to {r1.counterparty}, {days} days apart.",
                    period=p1.period,
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
def check_receipts(s: Scope) -> Iterator[model.Flag]:
    for period, r in s.rows():
        if r.expense is None:
            continue
        selfish = bool(r.approver and r.counterparty) and same_party(r.approver) == same_party(
            r.counterparty
        )
        if r.receipt != "白条" and r.approver and not selfish:
            continue
        at, head = s.row_at(period, r), f"{r.voucher_no}“{short(r.summary)}”{yuan(r.expense)} 元"
        if r.receipt == "白条":
            yield s.flag(
                at,
                f"{head}以白条入账。",
                f"{r.voucher_no} ({yuan(r.expense)}) was booked against an IOU (白条).",
                period=period.period,
            )
        if not r.approver:
            yield s.flag(
                at,
                f"{head}没有填写审批人。",
                f"{r.voucher_no} ({yuan(r.expense)}) has no approver.",
                period=period.period,
            )
        elif selfish:
            yield s.flag(
                at,
                f"{head}付给“{r.counterparty}”，审批人也是此人（自批自报）。",
                f"{r.voucher_no} ({yuan(r.expense)}) was paid to {r.counterparty}, who also "
                "approved it.",
                period=period.period,
                level="error",
            )
