"""四议两公开 for major matters (R14): a decision for every major contract, six steps in order."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from builder import model
from builder.format import schema
from builder.format.problems import Location
from builder.format.values import yuan
from builder.rules.base import Scope, rule, short


def _issues(scope: Scope, decision: model.Decision) -> list[tuple[str, str]]:
    """What a major matter's 四议两公开 record lacks: steps, order, quorums."""
    out: list[tuple[str, str]] = []
    village = scope.village
    linked = village.contracts_of(decision.id)
    required = [i for i in range(1, 6) if not (i == 1 and decision.merged)]
    if linked and all(c.end < scope.as_of for c in linked):
        required.append(6)
    missing = [schema.STEP_NAMES[i - 1] for i in required if decision.step(i) is None]
    if missing:
        out.append((f"缺少“{'”“'.join(missing)}”", f"missing {len(missing)} of the six steps"))
    for earlier, later in itertools.pairwise(decision.steps):
        if later.date < earlier.date:
            out.append(
                (
                    f"“{later.name}”（{later.date}）早于“{earlier.name}”（{earlier.date}）",
                    f"step {later.index} ({later.date}) comes before "
                    f"step {earlier.index} ({earlier.date})",
                )
            )
    for step in decision.steps:
        if step.index not in (2, 3, 4):
            continue
        due, present, agreed = step.due, step.attended, step.agreed
        if step.index > 2 and (due is None or present is None or agreed is None):
            out.append(
                (
                    f"“{step.name}”没有记全应到、实到、同意人数",
                    f"step {step.index} lacks its numbers",
                )
            )
            continue
        if step.index == 2:  # the two committees decide by majority; no quorum is set
            enough, need, need_en = True, "", ""
        elif step.index == 4 and step.name == "村民会议决议":
            enough = due is None or present is None or present * 2 > due
            need, need_en = "过半数", "more than half"
        else:
            enough = due is None or present is None or present * 3 >= due * 2
            need, need_en = "三分之二", "two thirds"
        if not enough:
            out.append(
                (
                    f"“{step.name}”实到 {present} 人，不足应到 {due} 人的{need}",
                    f"step {step.index}: {present} of {due} attended, less than {need_en}",
                )
            )
        base = due if step.index in (2, 3) else present
        if agreed is not None and base is not None and agreed * 2 <= base:
            out.append(
                (
                    f"“{step.name}”同意 {agreed} 人，未过半数（{base} 人）",
                    f"step {step.index}: {agreed} agreed, not more than half of {base}",
                )
            )
    if decision.merged and not any(
        {"党支部书记", "村委会主任"} <= set(person.roles) for person in village.people
    ):
        out.append(
            (
                "记为一肩挑合并，但 village.yml 中没有同时任党支部书记和村委会主任的人",
                "steps 1-2 are merged, but nobody is both party secretary and committee chair",
            )
        )
    if not decision.passed:
        out.append(("有步骤结果为“未通过”", "a step did not pass"))
    return out


@rule(
    "R14",
    "error",
    ("major_matter_threshold",),
    "重大事项未走完四议两公开",
    "Major matter without a complete 四议两公开",
    "达到重大事项标准的合同、资产处置须经党支部提议、两委会商议、党员大会审议、村民代表会议决议，"
    "并公开决议和结果；缺步骤或顺序颠倒，等于少数人说了算。",
    "Major contracts and disposals need the six steps of 四议两公开 in order; a missing or "
    "reversed step means a few people decided alone.",
    "村民委员会组织法第24条；宁海36条；中和村登记表",
)
def check_decisions(scope: Scope) -> Iterator[model.Flag]:
    """Flag major contracts and decisions without a complete 四议两公开 record (R14)."""
    village, params = scope.village, scope.params
    major = {
        contract.id
        for contract in village.contracts
        if contract.amount >= params.major_matter_threshold or contract.type == "出让"
    }
    watched: set[str] = set()
    for contract in village.contracts:
        if contract.id not in major:
            continue
        why = (
            "为资产出让"
            if contract.type == "出让" and contract.amount < params.major_matter_threshold
            else (f"达到重大事项金额 {yuan(params.major_matter_threshold)} 元")
        )
        decision = village.decision(contract.decision_id) if contract.decision_id else None
        if decision is None:
            yield scope.flag(
                scope.contract_at(contract),
                f"合同 {contract.id}（{short(contract.object)}，{yuan(contract.amount)} 元）{why}，"
                "但没有关联四议两公开决议记录（decision_id）。",
                f"Contract {contract.id} ({yuan(contract.amount)}) is a major matter "
                "but names no 四议两公开 decision (decision_id).",
                ref=contract.id,
            )
            continue
        watched.add(decision.id)
        resolved = decision.step(4)
        if resolved is not None and contract.start < resolved.date:
            yield scope.flag(
                scope.contract_at(contract),
                f"合同 {contract.id} 于 {contract.start} 开始，"
                f"早于决议 {decision.id} 的村民代表会议决议（{resolved.date}）。",
                f"Contract {contract.id} started on {contract.start}, "
                f"before decision {decision.id} was voted on ({resolved.date}).",
                ref=contract.id,
            )
    for decision in village.decisions:
        is_major = (
            decision.amount is not None and decision.amount >= params.major_matter_threshold
        ) or (decision.category in ("资产处置", "举债担保"))
        if decision.id not in watched and not is_major:
            continue
        issues = _issues(scope, decision)
        if issues:
            yield scope.flag(
                Location(scope.path("decisions.yml"), decision.line),
                f"决议 {decision.id}（{short(decision.matter)}）：{'；'.join(z for z, _ in issues)}。",
                f"Decision {decision.id}: {'; '.join(e for _, e in issues)}.",
                ref=decision.id,
            )
