"""Contracts as they change and are paid: change orders (R15), rent reduced or waived (R27),
paid beyond the price or before acceptance (R30)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from builder import model
from builder.format.values import yuan
from builder.rules.base import Scope, rule, short
from builder.rules.money import ASSEMBLY, assembly_passed

ZERO = Decimal(0)
REDUCTION_WORDS = ("减免", "减收", "免收", "免除", "减半", "优惠", "让利", "少收")
FINAL_WORDS = ("尾款", "结算款", "质保金")


def is_large_change(scope: Scope, contract: model.Contract, change: model.ChangeOrder) -> bool:
    """Tell whether a change order reaches the amount or the share that needs a decision."""
    size = abs(change.amount)
    params = scope.params
    return (
        size >= params.change_order_abs or size * 100 >= contract.amount * params.change_order_pct
    )


def new_decision(scope: Scope, contract: model.Contract, change: model.ChangeOrder) -> str:
    """What a change order's decision lacks ("" when a new, passed decision came first)."""
    if not change.decision_id or change.decision_id == contract.decision_id:
        return "没有新的决议"
    decision = scope.village.decision(change.decision_id)
    if not assembly_passed(decision, ASSEMBLY):
        return f"决议 {change.decision_id} 没有村民（代表）会议通过的表决"
    assert decision is not None
    voted = next(s for s in decision.steps if s.name in ASSEMBLY)
    if voted.date > change.date:
        return f"决议 {change.decision_id} 表决于 {voted.date}，晚于变更"
    return ""


@rule(
    "R15",
    "error",
    ("change_order_abs", "change_order_pct"),
    "大额合同变更未重新决议",
    "Large change order without a new decision",
    "合同签订后大幅追加或变更，等于做了一个新的决定：金额较大的变更必须重新走决议程序，"
    "否则“低价中标、高价结算”就绕开了村民。",
    "A large change after signing is a new decision: without a new vote, a low bid can end in a "
    "high bill the villagers never approved.",
    "莼湖街道村级工程变更管理",
)
def check_change_orders(scope: Scope) -> Iterator[model.Flag]:
    """Flag change orders at or above the limits without a new decision (R15)."""
    params = scope.params
    for contract in scope.village.contracts:
        for change in contract.changes:
            if not is_large_change(scope, contract, change):
                continue
            lacks = new_decision(scope, contract, change)
            if lacks:
                yield scope.flag(
                    scope.contract_at(contract),
                    f"合同 {contract.id}（{short(contract.object)}，{yuan(contract.amount)} 元）"
                    f"于 {change.date} 变更 {'+' if change.amount > 0 else ''}{yuan(change.amount)} 元，"
                    f"达到 {yuan(params.change_order_abs)} 元或合同金额的 {params.change_order_pct}%，"
                    f"{lacks}。",
                    f"Contract {contract.id} ({yuan(contract.amount)}) changed by "
                    f"{yuan(change.amount)} on {change.date}, at or above "
                    f"{yuan(params.change_order_abs)} or {params.change_order_pct}% of it, "
                    "without a new decision voted first.",
                    ref=contract.id,
                )


@rule(
    "R27",
    "warning",
    (),
    "租金、承包费减免未经决议",
    "Rent reduced or waived without a decision",
    "减免租金、承包费就是把集体的钱让给了个人：必须经民主理财小组或村民代表会议决定并公开。",
    "Reducing or waiving rent gives collective money to one person: it needs a decision of the "
    "villagers' representatives, made public.",
    "辛关镇村级三资管理办法第五条",
)
def check_reductions(scope: Scope) -> Iterator[model.Flag]:
    """Flag rent or fees reduced or waived on income contracts without a decision (R27)."""
    village = scope.village
    for contract in village.contracts:
        if not contract.is_income:
            continue
        decided = False
        for change in contract.changes:
            if change.amount >= 0:
                continue
            decision = village.decision(change.decision_id) if change.decision_id else None
            if assembly_passed(decision, ASSEMBLY):
                decided = True
                continue
            yield scope.flag(
                scope.contract_at(contract),
                f"合同 {contract.id}（{short(contract.object)}，{contract.counterparty}）于 "
                f"{change.date} 减收 {yuan(-change.amount)} 元，没有关联村民（代表）会议通过的决议。",
                f"Contract {contract.id} was reduced by {yuan(-change.amount)} on {change.date} "
                "without a passed decision.",
                ref=contract.id,
            )
        if decided:
            continue
        for period_name, row in village.contract_rows.get(contract.id, ()):
            if row.income is None or not any(w in row.summary for w in REDUCTION_WORDS):
                continue
            yield scope.flag(
                scope.row_at_name(period_name, row),
                f"{row.voucher_no}“{short(row.summary)}”按合同 {contract.id} 收入 {yuan(row.income)} 元，"
                "摘要写明减免或少收，但合同没有经决议的减收变更（changes）。",
                f"{row.voucher_no} received {yuan(row.income)} under contract {contract.id} and "
                "says the rent was reduced; no decided reduction is recorded.",
                period=period_name,
                ref=contract.id,
            )


@rule(
    "R30",
    "error",
    ("change_order_abs", "change_order_pct"),
    "超合同付款或未验收付尾款",
    "Paid beyond the price, or final payment before acceptance",
    "付款超过合同价加批准的变更，多付的钱没有依据；工程没有验收就付清尾款，质量问题就再也追不回来。",
    "Paying beyond the price plus approved changes has no basis; paying off a project before "
    "acceptance gives up the only hold on its quality.",
    "村级工程项目管理常规（[P]）",
)
def check_payments(scope: Scope) -> Iterator[model.Flag]:
    """Flag expense contracts paid beyond price plus approved changes, or paid off unaccepted."""
    village = scope.village
    for contract in village.contracts:
        if contract.is_income:
            continue
        approved = sum(
            (
                c.amount
                for c in contract.changes
                if not is_large_change(scope, contract, c) or not new_decision(scope, contract, c)
            ),
            ZERO,
        )
        total = contract.amount + approved
        paid = ZERO
        over = final = False
        for period_name, row in village.contract_rows.get(contract.id, ()):
            if row.expense is None:
                continue
            paid += row.expense
            at = scope.row_at_name(period_name, row)
            if paid > total and not over:
                over = True
                yield scope.flag(
                    at,
                    f"到 {row.voucher_no}“{short(row.summary)}”为止，合同 {contract.id}"
                    f"（{short(contract.object)}）累计付款 {yuan(paid)} 元，超过合同价 "
                    f"{yuan(contract.amount)} 元加批准的变更 {yuan(approved)} 元。",
                    f"By {row.voucher_no}, contract {contract.id} has been paid {yuan(paid)}, above "
                    f"its price {yuan(contract.amount)} plus approved changes {yuan(approved)}.",
                    period=period_name,
                    ref=contract.id,
                )
            is_final = paid >= total or any(w in row.summary for w in FINAL_WORDS)
            # NOTE: acceptance is judged once the village keeps it (any accepted_at written): a
            # county upgrading to v1.2 is not blocked by projects it could not yet record
            if not village.keeps_acceptance or contract.type != "工程" or final or not is_final:
                continue
            final = True
            accepted = contract.accepted_at
            if accepted is None or accepted > row.date:
                yield scope.flag(
                    at,
                    f"{row.voucher_no}“{short(row.summary)}”{row.date} 付清合同 {contract.id}"
                    f"（{short(contract.object)}）的尾款，"
                    + (
                        "合同没有验收日期（accepted_at）。"
                        if accepted is None
                        else f"验收日期 {accepted} 在付款之后。"
                    ),
                    f"{row.voucher_no} made the final payment of contract {contract.id} on "
                    f"{row.date} "
                    + (
                        "with no acceptance recorded."
                        if accepted is None
                        else f"before its acceptance on {accepted}."
                    ),
                    period=period_name,
                    ref=contract.id,
                )
