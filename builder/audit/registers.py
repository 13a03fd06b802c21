"""Registers are records too: contracts, 四议两公开 decisions, 点题 topics, meetings and power
lists.

`register_changes` compares two versions of a village's registers field by field (entries
matched by id; a decision's steps by their number, a meeting's questions by their place; power
list items by id), for `sunlight
diff`, the history page and `check --since`. `register_problems` is the rule: an entry shown on
the site changes only with a correction entry of its own in the village's corrections.yml
(`contracts:`, `decisions:`, `topics:`, `meetings:`, with the entry's id; the village's own power list items
with a yearly adjustment under `powers:`), judged like a period's corrections (approver, reason,
the changes listed). Progress is not an edit: a new entry, a topic's first answer, a decision's
next step, the first answer to a question raised at a meeting — unless dated before the
published state, which would be a backdated record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from builder import model
from builder.audit.corrections import is_real_reason
from builder.audit.diff import REGISTER_FILES, SECTIONS, Change, Who, value
from builder.format import problems, schema
from builder.format.problems import Location, Problem
from builder.format.values import money

REGISTERS = {key: (SECTIONS[key], name) for key, name in REGISTER_FILES.items()}
_LABELS: dict[str, dict[str, str]] = {
    "contracts": {f.key: f.zh for f in schema.CONTRACTS.fields},
    "decisions": {f.key: f.zh for f in schema.DECISION.fields}
    | {f.key: f.zh for f in schema.STEP.fields},
    "topics": {f.key: f.zh for f in schema.TOPIC.fields},
    "powers": {f.key: f.zh for f in schema.POWER.fields},
    "meetings": {f.key: f.zh for f in schema.MEETING.fields},
}


def _text(raw: Any) -> str | None:
    if isinstance(raw, tuple) and raw and isinstance(raw[0], model.ScheduleItem):
        return "；".join(f"{item.due.isoformat()} {money(item.amount)}" for item in raw)
    if isinstance(raw, Decimal):
        return money(raw)
    return value(raw)


def _flat(entry: Any, register: str) -> dict[str, tuple[str, str | None]]:
    """An entry's fields as (label, shown value), by key; a decision's steps as steps.N.key."""
    labels = _LABELS[register]
    out: dict[str, tuple[str, str | None]] = {}
    for f in dataclasses.fields(entry):
        if f.name in ("line", "level", "merged"):
            continue
        raw = getattr(entry, f.name)
        if f.name == "steps" and register == "decisions":
            for step in raw:
                for s in dataclasses.fields(step):
                    if s.name in ("line", "index"):
                        continue
                    label = f"第{step.index}步（{step.name}）·{labels.get(s.name, s.name)}"
                    out[f"steps.{step.index}.{s.name}"] = (label, _text(getattr(step, s.name)))
            continue
        if f.name == "questions" and register == "meetings":
            for n, (question, answer) in enumerate(raw, 1):
                out[f"questions.{n}.question"] = (f"问题{n}", value(question))
                out[f"questions.{n}.answer"] = (f"问题{n}的答复", value(answer))
            continue
        out[f.name] = (labels.get(f.name, f.name), _text(raw))
    return out


def _entries(village: model.Village, register: str) -> dict[str, Any]:
    if register == "powers":
        return {p.id: p for p in village.power_list.powers if p.level == "村"}
    return {entry.id: entry for entry in getattr(village, register)}


def register_changes(who: Who, old: model.Village, new: model.Village) -> list[Change]:
    """Every change of the village's registers, field by field."""
    out: list[Change] = []
    for register in REGISTERS:
        before, after = _entries(old, register), _entries(new, register)
        for key in [*before, *(k for k in after if k not in before)]:
            if key not in after:
                out.append(who.change("", register, "removed", item=key))
                continue
            if key not in before:
                out.append(who.change("", register, "added", item=key))
                continue
            old_fields, new_fields = _flat(before[key], register), _flat(after[key], register)
            for field in [*old_fields, *(f for f in new_fields if f not in old_fields)]:
                label, old_value = old_fields.get(field, (new_fields[field][0], None))
                new_value = new_fields.get(field, (label, None))[1]
                if old_value != new_value:
                    out.append(
                        who.change(
                            "",
                            register,
                            "changed",
                            field=field,
                            label=label,
                            old=old_value,
                            new=new_value,
                            item=key,
                        )
                    )
    return out


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _progress(change: Change, since: dt.date) -> bool | None:
    """True: progress (a first answer, a next step) dated on or after since; False: the same,
    backdated; None: an edit."""
    if change.old is not None:
        return None
    if change.section == "topics" and change.field in ("answered_at", "answer", "period", "ref"):
        day = _date(change.new) if change.field == "answered_at" else None
        return day is None or day >= since
    if change.section == "decisions" and change.field.startswith("steps."):
        day = _date(change.new) if change.field.endswith(".date") else None
        return day is None or day >= since
    if change.section == "meetings" and change.field.endswith(".answer"):
        return True  # a question raised at the meeting, answered since: the answer is undated
    return None


def register_problems(
    old: model.Village, new: model.Village, since: dt.date, today: dt.date, root: str
) -> Iterator[Problem]:
    """What check --since says of the registers of one village (old: as published)."""
    who = Who(new.code, new.name, f"{new.town_slug}/{new.slug}")
    edits: dict[tuple[str, str], list[Change]] = {}
    found = register_changes(who, old, new)
    # a question written in since: its answer is part of that edit, not progress
    asked = {(c.item, c.field) for c in found if c.field.endswith(".question") and c.old is None}
    for change in found:
        if change.action == "added":
            continue
        where = Location(f"{root}/{who.path}/{REGISTERS[change.section][1]}")
        progress = _progress(change, since)
        if progress and (change.item, change.field.replace(".answer", ".question")) in asked:
            progress = None
        if progress is False:
            yield problems.REGISTER_BACKDATED.at(
                where,
                change.field,
                register=REGISTERS[change.section][0],
                id=change.item,
                label=change.label,
                date=change.new or "",
                since=since.isoformat(),
            )
        elif progress is None:
            edits.setdefault((change.section, change.item), []).append(change)
    kept = set(old.register_corrections)
    added = [c for c in new.register_corrections if c not in kept]
    people = {p.name: p for p in new.people}
    for (register, key), changes in edits.items():
        mine = [
            c for c in added if c.register == register and (c.id == key or register == "powers")
        ]
        where = Location(f"{root}/{who.path}/{REGISTERS[register][1]}")
        name = f"{REGISTERS[register][0]}“{key}”"
        if not mine:
            yield problems.REGISTER_EDIT.at(
                where,
                changes[0].field,
                village=new.name,
                register=REGISTERS[register][0],
                id=key,
                change=changes[0].text.removeprefix(f"{new.name} ").strip(),
                more=f" 等 {len(changes)} 处" if len(changes) > 1 else "",
            )
            continue
        corr_where = Location(f"{root}/{who.path}/corrections.yml")
        for c in mine:
            yield from _judge(c, people, since, today, corr_where)
        yield from _listed(mine, changes, new.name, name, corr_where)


def _judge(
    c: model.RegisterCorrection,
    people: dict[str, model.Person],
    since: dt.date,
    today: dt.date,
    where: Location,
) -> Iterator[Problem]:
    day = c.date.isoformat()
    person = people.get(c.approved_by)
    if person is None or not schema.SUPERVISOR_ROLES & set(person.roles_on(c.date)):
        yield problems.CORRECTION_APPROVER.at(
            where,
            "approved_by",
            field_zh="批准人",
            who=c.approved_by,
            date=day,
            reason=f"在 {day} 不是村务监督委员会成员（见 village.yml 的 people 和 terms）。",
            reason_en=f"is not a supervision committee member on {day}.",
        )
    if not is_real_reason(c.reason):
        yield problems.CORRECTION_REASON.at(where, "reason", field_zh="更正原因", reason=c.reason)
    if not since <= c.date <= today:
        yield problems.CORRECTION_DATE.at(
            where,
            "date",
            field_zh="更正日期",
            date=day,
            earliest=since.isoformat(),
            latest=today.isoformat(),
        )


def _key(field: str, old: str | None, new: str | None, labels: dict[str, str]) -> tuple[str, ...]:
    return (labels.get(field.strip(), field.strip()), (old or "").strip(), (new or "").strip())


def _listed(
    mine: Sequence[model.RegisterCorrection],
    changes: Sequence[Change],
    village: str,
    name: str,
    where: Location,
) -> Iterator[Problem]:
    by_label = {c.label: c.field for c in changes}
    labels = {label: field for label, field in by_label.items()}
    actual = Counter(_key(c.field, c.old, c.new, {}) for c in changes)
    listed = Counter(
        _key(labels.get(ch.field, ch.field), ch.old, ch.new, {}) for c in mine for ch in c.changes
    )
    if listed == actual:
        return
    missing = [k for k in actual if actual[k] > listed[k]]
    extra = [k for k in listed if listed[k] > actual[k]]
    sample = (missing or extra)[0]
    text = f"{sample[0]} {sample[1] or '（空）'} → {sample[2] or '（空）'}"
    zh = f"没有列出实际的改动“{text}”" if missing else f"列出的改动“{text}”并没有发生"
    yield problems.CORRECTION_CHANGES.at(
        where,
        "changes",
        field_zh="更正内容",
        village=village,
        period=name,
        date=mine[-1].date.isoformat(),
        reason=f"{zh}（共 {len(missing)} 处未列出，{len(extra)} 处不符）。",
        reason_en=f"lists changes that differ from the register's ({len(missing)} not listed, "
        f"{len(extra)} not made).",
    )
