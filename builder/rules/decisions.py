"""四议两公开 for major matters (R14): a decision for every major contract, six steps in order."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from builder import model
from builder.format import schema
from builder.format.problems import Location
from builder.format.values import yuan
from builder.rules.base import Scope, rule, short


def _issues(s: Scope, d: model.Decision) -> list[tuple[str, str]]:
    """What a major matter's 四议两公开 record lacks: steps, order, quorums."""
    out: list[tuple[str, str]] = []
    v = s.village
    linked = v.contracts_of(d.id)
    required = [i for i in range(1, 6) if not (i == 1 and d.merged)]
    if linked and all(c.end < s.as_of for c in linked):
        required.append(6)
    missing = [schema.STEP_NAMES[i - 1] for i in required if d.step(i) is None]
    if missing:
        out.append((f"缺少“{'”“'.join(missing)}”", f"missing {len(missing)} of the six steps"))
    for a, b in itertools.pairwise(d.steps):
        if b.date < a.date:
            out.append(
                (
                    f"“{b.name}”（{b.date}）早于“{a.name}”（{a.date}）",
                    f"step {b.index} ({b.date}) comes before step {a.index} ({a.date})",
                )
            )
    for st in d.steps:
        if st.index not in (2, 3, 4):
            continue
        due, present, agreed = st.due, st.attended, st.agreed
        if st.index > 2 and (due is None or present is None or agreed is None):
            out.append(
                (f"“{st.name}”没有记全应到、实到、同意人数", f"step {st.index} lacks its numbers")
            )
            continue
        if st.index == 2:  # the two committees decide by majority; no quorum is set
            enough, need, need_en = True, "", ""
        elif st.index == 4 and st.name == "村民会议决议":
            enough = due is None or present is None or present * 2 > due
            need, need_en = "过半数", "more than half"
        else:
            enough = due is None or present is None or present * 3 >= due * 2
            need, need_en = "三分之二", "two thirds"
        if not enough:
            out.append(
                (
                    f"“{st.name}”实到 {present} 人，不足应到 {due} 人的{need}",
                    f"step {st.index}: {present} of {due} attended, less than {need_en}",
                )
            )
        base = due if st.index in (2, 3) else present
        if agreed is not None and base is not None and agreed * 2 <= base:
            out.append(
                (
                    f"“{st.name}”同意 {agreed} 人，未过半数（{base} 人）",
                    f"step {st.index}: {agreed} agreed, not more than half of {base}",
                )
            )
    if d.merged and not any({"党支部书记", "村委会主任"} <= set(p.roles) for p in v.people):
        out.append(
            (
                "记为一肩挑合并，但 village.yml 中没有同时任党支部书记和村委会主任的人",
                "steps 1-2 are merged, but nobody is both party secretary and committee chair",
            )
        )
    if not d.passed:
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
def check_decisions(s: Scope) -> Iterator[model.Flag]:
    v, p = s.village, s.p
    major = {c.id for c in v.contracts if c.amount >= p.major_matter_threshold or c.type == "出让"}
    watched: set[str] = set()
    for c in v.contracts:
        if c.id not in major:
            continue
        why = (
            "为资产出让"
            if c.type == "出让" and c.amount < p.major_matter_threshold
            else (f"达到重大事项金额 {yuan(p.major_matter_threshold)} 元")
        )
        d = v.decision(c.decision_id) if c.decision_id else None
        if d is None:
            yield s.flag(
                s.contract_at(c),
                f"合同 {c.id}（{short(c.object)}，{yuan(c.amount)} 元）{why}，但没有关联四议两公开"
                "决议记录（decision_id）。",
                f"Contract {c.id} ({yuan(c.amount)}) is a major matter but names no 四议两公开 "
                "decision (decision_id).",
                ref=c.id,
            )
            continue
        watched.add(d.id)
        resolved = d.step(4)
        if resolved is not None and c.start < resolved.date:
            yield s.flag(
                s.contract_at(c),
                f"合同 {c.id} 于 {c.start} 开始，早于决议 {d.id} 的村民代表会议决议（{resolved.date}）。",
                f"Contract {c.id} started on {c.start}, before decision {d.id} was voted on "
                f"({resolved.date}).",
                ref=c.id,
            )
    for d in v.decisions:
        is_major = (d.amount is not None and d.amount >= p.major_matter_threshold) or (
            d.category in ("资产处置", "举债担保")
        )
        if d.id not in watched and not is_major:
            continue
        issues = _issues(s, d)
        if issues:
            yield s.flag(
                Location(s.path("decisions.yml"), d.line),
                f"决议 {d.id}（{short(d.matter)}）：{'；'.join(z for z, _ in issues)}。",
                f"Decision {d.id}: {'; '.join(e for _, e in issues)}.",
                ref=d.id,
            )
