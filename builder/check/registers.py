"""Check the registers that span periods: contracts.csv, decisions.yml and topics.yml.

Per field from `schema.py` (read through `records.Sources`), then per file (unique ids, dates
in order, a schedule within its contract, meeting numbers that add up) and across files (a
contract's decision, a ledger row's contract, a topic's period and record must exist). Only
records without problems enter the model; what the records *mean* is judged in `rules/`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from builder import model
from builder.format import problems, schema
from builder.format.parameters import Parameters
from builder.read.files import VillageFiles
from builder.read.records import Ctx, Rec, Sources


@dataclass(frozen=True)
class Registers:
    """A village's checked registers."""

    contracts: tuple[model.Contract, ...] = ()
    decisions: tuple[model.Decision, ...] = ()
    topics: tuple[model.Topic, ...] = ()


STEP_INDEX = {name: i for i, name in enumerate(schema.STEP_NAMES, start=1)} | {"村民会议决议": 4}


def check_registers(
    vf: VillageFiles,
    sources: Sources,
    period_names: Iterable[str],
    periods: Iterable[model.Period],
    params: Parameters,
) -> Registers:
    """Check one village's registers and the ledger rows that point into them."""
    out = sources.out
    drel = f"{vf.dir_rel}/decisions.yml"
    rec = sources.yaml(vf.files.get("decisions.yml"), schema.DECISIONS)
    decisions, decision_ids = _decisions(rec, Ctx(drel, out))
    table = sources.csv(vf.files.get("contracts.csv"), schema.CONTRACTS)
    contracts, contract_ids = _contracts(table, decision_ids, params, out)
    trel = f"{vf.dir_rel}/topics.yml"
    rec = sources.yaml(vf.files.get("topics.yml"), schema.TOPICS)
    topics = _topics(rec, Ctx(trel, out), set(period_names), contract_ids | decision_ids)
    for period in periods:
        lctx = Ctx(f"{vf.dir_rel}/{period.period}/ledger.csv", out)
        for row in period.ledger:
            if row.contract_id and row.contract_id not in contract_ids:
                lctx.add(
                    problems.NAME_NOT_IN_MAP,
                    row.line,
                    "contract_id",
                    "合同编号",
                    value=row.contract_id,
                    what="本村 contracts.csv",
                    what_en="this village's contracts.csv",
                )
    return Registers(contracts, decisions, topics)


def _bad_lines(out: list[problems.Problem], rel: str) -> set[int | None]:
    return {
        p.where.line for p in out if p.where.path == rel and p.severity is problems.Severity.ERROR
    }


def _unique(ctx: Ctx, recs: Iterable[Rec], key: str, label: str) -> set[str]:
    """Report repeated ids; return every id written (good or not, so references resolve)."""
    seen: dict[str, int] = {}
    for r in recs:
        rid = r.get("id")
        if rid is None:
            continue
        if rid in seen:
            ctx.add(problems.DUPLICATE_ID, r.at("id"), key, label, value=rid, other_line=seen[rid])
        else:
            seen[rid] = r.at("id")
    return set(seen)


# --- contracts.csv ----------------------------------------------------------------------------
def _contracts(
    table: tuple[str, list[Rec]] | None,
    decision_ids: set[str],
    params: Parameters,
    out: list[problems.Problem],
) -> tuple[tuple[model.Contract, ...], set[str]]:
    if table is None:
        return (), set()
    rel, recs = table
    ctx = Ctx(rel, out)
    ids = _unique(ctx, recs, "id", "合同编号")
    platforms = [name for _, _, name in params.tender_bands]
    for r in recs:
        start, end = r.get("start"), r.get("end")
        if start is not None and end is not None and end < start:
            ctx.add(
                problems.DATE_ORDER,
                r.line,
                "end",
                "结束日期",
                value=end.isoformat(),
                other=start.isoformat(),
                other_label="开始日期",
                other_label_en="the start",
            )
        platform = r.get("platform")
        if platform is not None and platforms and platform not in platforms:
            ctx.add(
                problems.INVALID_CHOICE,
                r.line,
                "platform",
                "交易平台",
                value=platform,
                choices="、".join(platforms),
            )
        amount, schedule = r.get("amount"), r.get("schedule")
        if amount is not None and schedule:
            total = sum((a for _, a in schedule), Decimal(0))
            if total > amount:
                ctx.add(
                    problems.SCHEDULE_OVER_AMOUNT,
                    r.line,
                    "schedule",
                    "收付款计划",
                    scheduled=f"{total:.2f}",
                    amount=f"{amount:.2f}",
                )
        did = r.get("decision_id")
        if did is not None and did not in decision_ids:
            ctx.add(
                problems.NAME_NOT_IN_MAP,
                r.line,
                "decision_id",
                "决议编号",
                value=did,
                what="本村 decisions.yml",
                what_en="this village's decisions.yml",
            )
    bad = _bad_lines(out, rel)
    required = [f.key for f in schema.CONTRACTS.fields if f.required]
    contracts = tuple(
        model.Contract(
            r.line,
            r.get("id"),
            r.get("type"),
            r.get("object"),
            r.get("counterparty"),
            r.get("method"),
            r.get("platform"),
            r.get("amount"),
            r.get("start"),
            r.get("end"),
            tuple(sorted(model.ScheduleItem(d, a) for d, a in r.get("schedule") or ())),
            r.get("decision_id", ""),
        )
        for r in recs
        if r.line not in bad and all(r.get(k) is not None for k in required)
    )
    return contracts, ids


# --- decisions.yml ----------------------------------------------------------------------------
def _decisions(rec: Rec | None, ctx: Ctx) -> tuple[tuple[model.Decision, ...], set[str]]:
    if rec is None:
        return (), set()
    recs: list[Rec] = rec.get("decisions", [])
    ids = _unique(ctx, recs, "decisions.id", "决议编号")
    decisions = []
    for r in recs:
        steps: list[model.Step] = []
        seen: dict[int, int] = {}
        ok = r.get("id") is not None and r.get("matter") is not None
        for s in r.get("steps", []):
            name, date = s.get("step"), s.get("date")
            if name is None or date is None:
                ok = False
                continue
            index = STEP_INDEX[name]
            if index in seen:
                ctx.add(
                    problems.DUPLICATE_STEP,
                    s.at("step"),
                    "decisions.steps.step",
                    "步骤",
                    value=name,
                    other_line=seen[index],
                )
                ok = False
                continue
            seen[index] = s.at("step")
            ok = _check_counts(s, ctx) and ok
            steps.append(
                model.Step(
                    index,
                    name,
                    date,
                    s.at("step"),
                    s.get("due"),
                    s.get("attended"),
                    s.get("agreed"),
                    s.get("result", ""),
                    s.get("note", ""),
                )
            )
        if ok and steps:
            decisions.append(
                model.Decision(
                    r.line,
                    r.get("id"),
                    r.get("matter"),
                    tuple(sorted(steps, key=lambda x: x.index)),
                    r.get("amount"),
                    r.get("category", ""),
                    r.get("merged", False),
                )
            )
    bad = _bad_lines(ctx.out, ctx.rel)
    spans = _spans(recs)
    kept = tuple(
        d for d in decisions if not any(spans[d.line][0] <= b < spans[d.line][1] for b in bad if b)
    )
    return kept, ids


def _spans(recs: list[Rec]) -> dict[int, tuple[int, float]]:
    """The lines each list item spans: from its first line to the next item's."""
    starts = sorted(r.line for r in recs)
    ends: list[float] = [*starts[1:], float("inf")]
    return dict(zip(starts, zip(starts, ends, strict=True), strict=True))


def _check_counts(s: Rec, ctx: Ctx) -> bool:
    """At a meeting, present ≤ due and agreed ≤ present (or ≤ due when present is not given)."""
    due, attended, agreed = s.get("due"), s.get("attended"), s.get("agreed")
    base = (attended, "实到人数", "attended") if attended is not None else (due, "应到人数", "due")
    ok = True
    for key, zh, en, value, (limit, other_zh, other_en) in (
        ("attended", "实到人数", "attended", attended, (due, "应到人数", "due")),
        ("agreed", "同意人数", "agreed", agreed, base),
    ):
        if value is None or limit is None or value <= limit:
            continue
        ctx.add(
            problems.ATTENDANCE_COUNT,
            s.at(key),
            f"decisions.steps.{key}",
            zh,
            what=zh,
            what_en=en,
            value=value,
            other=limit,
            other_label=other_zh,
            other_label_en=other_en,
        )
        ok = False
    return ok


# --- topics.yml -------------------------------------------------------------------------------
def _topics(
    rec: Rec | None, ctx: Ctx, period_names: set[str], record_ids: set[str]
) -> tuple[model.Topic, ...]:
    if rec is None:
        return ()
    recs: list[Rec] = rec.get("topics", [])
    _unique(ctx, recs, "topics.id", "编号")
    topics = []
    for r in recs:
        ok = all(r.get(k) is not None for k in ("id", "asked_at", "question"))
        asked, answered, answer = r.get("asked_at"), r.get("answered_at"), r.get("answer")
        if asked is not None and answered is not None and answered < asked:
            ctx.add(
                problems.DATE_ORDER,
                r.at("answered_at"),
                "topics.answered_at",
                "答复日期",
                value=answered.isoformat(),
                other=asked.isoformat(),
                other_label="提出日期",
                other_label_en="the date asked",
            )
            ok = False
        for have, missing, zh in (
            (answered, "answer", "答复"),
            (answer, "answered_at", "答复日期"),
        ):
            if have is not None and r.get(missing) is None and not _reported(ctx, r, missing):
                ctx.add(
                    problems.MISSING_FIELD,
                    r.line,
                    f"topics.{missing}",
                    zh,
                    label=f"“{zh}”（{missing}）",
                    key=f"topics.{missing}",
                )
                ok = False
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
            value = r.get(key)
            if value is not None and value not in known:
                ctx.add(
                    problems.NAME_NOT_IN_MAP,
                    r.at(key),
                    f"topics.{key}",
                    zh,
                    value=value,
                    what=what,
                    what_en=what_en,
                )
                ok = False
        if ok:
            topics.append(
                model.Topic(
                    r.line,
                    r.get("id"),
                    asked,
                    r.get("question"),
                    r.get("asker", ""),
                    answered,
                    answer or "",
                    r.get("period", ""),
                    r.get("ref", ""),
                )
            )
    bad = _bad_lines(ctx.out, ctx.rel)
    spans = _spans(recs)
    return tuple(
        t for t in topics if not any(spans[t.line][0] <= b < spans[t.line][1] for b in bad if b)
    )


def _reported(ctx: Ctx, r: Rec, key: str) -> bool:
    """A value written but invalid was reported already; do not also call it missing."""
    line = r.lines.get(key)
    return line is not None and any(
        p.where.path == ctx.rel and p.where.line == line and (p.field or "").endswith(key)
        for p in ctx.out
    )
