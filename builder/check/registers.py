"""Check the registers that span periods: contracts.csv, decisions.yml and topics.yml.

Per field from `schema.py` (done while reading), then per file (unique ids, dates in order, a
schedule within its contract, meeting numbers that add up) and across files (a contract's
decision, a ledger row's contract, a topic's period and record must exist). What the records
*mean* is judged in `rules/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from builder.check.finance import check_finance
from builder.check.ids import repeats
from builder.format import problems, schema
from builder.format.parameters import Parameters
from builder.format.problems import Problem
from builder.format.values import money
from builder.read.records import Ctx, Rec, Table
from builder.read.village import VillageRecords


def check_registers(records: VillageRecords, params: Parameters) -> list[Problem]:
    """Check one village's registers and the ledger rows that point into them."""
    found: list[Problem] = []
    decisions = _items(records.decisions, "decisions")
    decision_ids = ids_written(decisions)
    found.extend(_check_decisions(decisions, Ctx(f"{records.dir_rel}/decisions.yml", [])))
    contract_ids: set[str] = set()
    if records.contracts is not None:
        contract_ids = ids_written(records.contracts.rows)
        found.extend(_check_contracts(records.contracts, decision_ids, params))
    meetings = _items(records.meetings, "meetings")
    found.extend(_check_meetings(meetings, Ctx(f"{records.dir_rel}/meetings.yml", [])))
    topics = _items(records.topics, "topics")
    found.extend(
        _check_topics(
            topics,
            Ctx(f"{records.dir_rel}/topics.yml", []),
            {period.period for period in records.periods},
            contract_ids | decision_ids,
        )
    )
    for period in records.periods:
        if period.ledger is None:
            continue
        lctx = Ctx(period.ledger.rel, found)
        for row in period.ledger.rows:
            contract_id = row.get("contract_id")
            if contract_id and contract_id not in contract_ids:
                lctx.add(
                    problems.NAME_NOT_IN_MAP,
                    row.line,
                    "contract_id",
                    "合同编号",
                    value=contract_id,
                    what="本村 contracts.csv",
                    what_en="this village's contracts.csv",
                )
    found.extend(check_finance(records, decision_ids))
    return found


def ids_written(recs: Iterable[Rec]) -> set[str]:
    """Every id written (good or repeated), so that references to it resolve."""
    return {r.get("id") for r in recs if r.get("id") is not None}


def _items(rec: Rec | None, key: str) -> list[Rec]:
    return list(rec.get(key, [])) if rec is not None else []


def _repeated_ids(ctx: Ctx, recs: Iterable[Rec], key: str, label: str) -> None:
    for rid, line, first in repeats((r.get("id"), r.at("id")) for r in recs):
        ctx.add(problems.DUPLICATE_ID, line, key, label, value=rid, other_line=first)


# --- contracts.csv ----------------------------------------------------------------------------
def _check_contracts(table: Table, decision_ids: set[str], params: Parameters) -> list[Problem]:
    ctx = Ctx(table.rel, [])
    _repeated_ids(ctx, table.rows, "id", "合同编号")
    platforms = [name for _, _, name in params.tender_bands]
    for row in table.rows:
        start, end = row.get("start"), row.get("end")
        if start is not None and end is not None and end < start:
            ctx.add(
                problems.DATE_ORDER,
                row.line,
                "end",
                "结束日期",
                value=end.isoformat(),
                other=start.isoformat(),
                other_label="开始日期",
                other_label_en="the start",
            )
        platform = row.get("platform")
        if platform is not None and platforms and platform not in platforms:
            ctx.add(
                problems.INVALID_CHOICE,
                row.line,
                "platform",
                "交易平台",
                value=platform,
                choices="、".join(platforms),
            )
        amount, plan = row.get("amount"), row.get("schedule")
        if amount is not None and plan:
            total = sum((a for _, a in plan), Decimal(0))
            if total > amount:
                ctx.add(
                    problems.SCHEDULE_OVER_AMOUNT,
                    row.line,
                    "schedule",
                    "收付款计划",
                    scheduled=money(total),
                    amount=money(amount),
                )
        did = row.get("decision_id")
        if did is not None and did not in decision_ids:
            ctx.add(
                problems.NAME_NOT_IN_MAP,
                row.line,
                "decision_id",
                "决议编号",
                value=did,
                what="本村 decisions.yml",
                what_en="this village's decisions.yml",
            )
    return ctx.out


# --- decisions.yml ----------------------------------------------------------------------------
def _check_decisions(decisions: list[Rec], ctx: Ctx) -> list[Problem]:
    _repeated_ids(ctx, decisions, "decisions.id", "决议编号")
    for decision in decisions:
        steps = [
            step
            for step in decision.get("steps", [])
            if None not in (step.get("step"), step.get("date"))
        ]
        repeated = set()
        for _, line, first in repeats(
            (schema.STEP_INDEX[step.get("step")], step.at("step")) for step in steps
        ):
            repeated.add(line)
            ctx.add(
                problems.DUPLICATE_STEP,
                line,
                "decisions.steps.step",
                "步骤",
                value=next(str(step.get("step")) for step in steps if step.at("step") == line),
                other_line=first,
            )
        for step in steps:
            if step.at("step") not in repeated:
                _check_counts(step, ctx)
    return ctx.out


def _check_counts(step: Rec, ctx: Ctx) -> None:
    """At a meeting, present ≤ due and agreed ≤ present (or ≤ due when present is not given)."""
    due, attended, agreed = step.get("due"), step.get("attended"), step.get("agreed")
    base = (attended, "实到人数", "attended") if attended is not None else (due, "应到人数", "due")
    for key, zh, en, value, (limit, other_zh, other_en) in (
        ("attended", "实到人数", "attended", attended, (due, "应到人数", "due")),
        ("agreed", "同意人数", "agreed", agreed, base),
    ):
        if value is None or limit is None or value <= limit:
            continue
        ctx.add(
            problems.ATTENDANCE_COUNT,
            step.at(key),
            f"decisions.steps.{key}",
            zh,
            what=zh,
            what_en=en,
            value=value,
            other=limit,
            other_label=other_zh,
            other_label_en=other_en,
        )


# --- topics.yml -------------------------------------------------------------------------------
def _check_topics(
    topics: list[Rec], ctx: Ctx, period_names: set[str], record_ids: set[str]
) -> Iterator[Problem]:
    _repeated_ids(ctx, topics, "topics.id", "编号")
    for topic in topics:
        asked, answered, answer = (
            topic.get("asked_at"),
            topic.get("answered_at"),
            topic.get("answer"),
        )
        if asked is not None and answered is not None and answered < asked:
            ctx.add(
                problems.DATE_ORDER,
                topic.at("answered_at"),
                "topics.answered_at",
                "答复日期",
                value=answered.isoformat(),
                other=asked.isoformat(),
                other_label="提出日期",
                other_label_en="the date asked",
            )
        for have, missing, zh in (
            (answered, "answer", "答复"),
            (answer, "answered_at", "答复日期"),
        ):
            if have is not None and topic.get(missing) is None and missing not in topic.invalid:
                ctx.add(
                    problems.MISSING_FIELD,
                    topic.line,
                    f"topics.{missing}",
                    zh,
                    label=f"“{zh}”（{missing}）",
                    key=f"topics.{missing}",
                )
        for key, zh, known, what, what_en in (
            ("period", "公开期", period_names, "本村的公开期", "this village's periods"),
            (
                "ref",
                "相关记录",
                record_ids,
                "本村的合同或决议",
                "this village's contracts or decisions",
            ),
        ):
            value = topic.get(key)
            if value is not None and value not in known:
                ctx.add(
                    problems.NAME_NOT_IN_MAP,
                    topic.at(key),
                    f"topics.{key}",
                    zh,
                    value=value,
                    what=what,
                    what_en=what_en,
                )
    yield from ctx.out


# --- meetings.yml -----------------------------------------------------------------------------
def _check_meetings(meetings: list[Rec], ctx: Ctx) -> Iterator[Problem]:
    """Ids once each; no more people present than were due."""
    _repeated_ids(ctx, meetings, "meetings.id", "编号")
    for meeting in meetings:
        due, attended = meeting.get("due"), meeting.get("attended")
        if due is not None and attended is not None and attended > due:
            ctx.add(
                problems.ATTENDANCE_COUNT,
                meeting.at("attended"),
                "meetings.attended",
                "实到人数",
                what="实到人数",
                what_en="attended",
                value=attended,
                other=due,
                other_label="应到人数",
                other_label_en="due",
            )
    yield from ctx.out
