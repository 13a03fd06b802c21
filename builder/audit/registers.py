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
from dataclasses import dataclass
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


def correction_rows(village: model.Village) -> list[dict[str, Any]]:
    """The village's register corrections as the history page lists them, newest first: which
    register and entry, date, reason, approver, and each changed field (old → new)."""
    out = []
    for c in sorted(village.register_corrections, key=lambda c: c.date, reverse=True):
        labels = _LABELS.get(c.register, {})
        name, _file = REGISTERS.get(c.register, (c.register, ""))
        out.append(
            {
                "register": name,
                "id": f"{c.id} 年度调整" if c.register == "powers" else f"“{c.id}”",
                "date": c.date.isoformat(),
                "reason": c.reason,
                "approved_by": c.approved_by,
                "changes": [
                    (labels.get(ch.field, ch.field), ch.old or "（空）", ch.new or "（空）")
                    for ch in c.changes
                ],
            }
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


# the date a new entry of these registers is written for: a new entry dated before the last
# publication was entered late (FORMAT.md); a contract may be registered after it was signed
_ENTRY_DAY_LABEL = {"topics": "提出", "decisions": "第一步", "meetings": "会议"}


def _entry_day(village: model.Village, register: str, key: str) -> dt.date | None:
    """The day a register entry is dated (None for a register whose new entries carry none)."""
    entry = _entries(village, register).get(key)
    if entry is None or register not in _ENTRY_DAY_LABEL:
        return None
    if register == "topics":
        return entry.asked_at  # type: ignore[no-any-return]
    if register == "decisions":
        return min((step.date for step in entry.steps), default=None)
    return entry.date  # type: ignore[no-any-return]


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
            day = _entry_day(new, change.section, change.item)
            # NOTE: a warning, not a refusal: a meeting held days before a publication is often
            # written up after it; but a meeting or a 四议两公开 made up after the fact (to
            # answer a missed-meeting flag) must not pass unseen
            if day is not None and day < since:
                yield problems.REGISTER_LATE_ENTRY.at(
                    Location(f"{root}/{who.path}/{REGISTERS[change.section][1]}"),
                    None,
                    register=REGISTERS[change.section][0],
                    id=change.item,
                    label=_ENTRY_DAY_LABEL[change.section],
                    date=day.isoformat(),
                    since=since.isoformat(),
                )
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


# --- the county's and towns' lists: a yearly version for every change shown on the site -------
LISTS = {
    "powers": ("权力清单", schema.POWER),
    "negative": ("负面清单", schema.NEGATIVE),
    "services": ("便民服务清单", schema.SERVICE),
    "duties": ("责任清单", schema.DUTY),
}
_ITEM_LABELS = {key: {f.key: f.zh for f in obj.fields} for key, (_zh, obj) in LISTS.items()}


@dataclass(frozen=True)
class ListChange:
    """One item of a county's or town's lists added, removed or changed, as villages see it."""

    owner: str  # "" for the county, else the town's folder
    owner_name: str
    list: str  # powers / negative / services / duties
    id: str
    change: str  # 新增 / 删除 / 修改
    field: str = ""  # the field's Chinese name, for 修改
    old: str | None = None
    new: str | None = None
    title: str = ""  # the item's name or text, for 新增 / 删除

    @property
    def text(self) -> str:
        """The change in one Chinese sentence."""
        where = f"{self.owner_name}{LISTS[self.list][0]}“{self.id}”"
        if self.change != "修改":
            tail = f"（{self.title}）" if self.title else ""
            return f"{where} {self.change}{tail}"
        return f"{where} {self.field} {self.old or '（空）'} → {self.new or '（空）'}"

    def as_change(self, code: str) -> Change:
        """The change as `sunlight diff` lists it (code: the county's or the town's)."""
        action = {"新增": "added", "删除": "removed"}.get(self.change, "changed")
        item = self.id if self.list == "powers" else f"{LISTS[self.list][0]} {self.id}"
        if action != "changed" and self.title:
            item += f" {self.title}"
        return Change(
            code,
            self.owner_name,
            self.owner,
            "",
            "powers",
            action,
            field=self.field,
            label=self.field,
            old=self.old,
            new=self.new,
            item=item,
        )

    def key(self) -> tuple[str, str, str, str, str]:
        """What a version entry must list to cover this change."""
        if self.change != "修改":
            return (self.id, self.change, "", "", "")
        return (self.id, self.change, self.field, self.old or "", self.new or "")


def _list_items(pl: model.PowerList, level: str) -> dict[tuple[str, str], Any]:
    return {
        (key, item.id): item
        for key in LISTS
        for item in getattr(pl, key)
        if getattr(item, "level", "") == level
    }


def _title(item: Any) -> str:
    return str(getattr(item, "name", "") or getattr(item, "text", "") or getattr(item, "who", ""))


def list_changes(
    old: model.PowerList, new: model.PowerList, level: str, owner: str, owner_name: str
) -> list[ListChange]:
    """The items defined at level (县 or 镇) that differ between two resolved lists."""
    before, after = _list_items(old, level), _list_items(new, level)
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        register, item_id = key
        if key not in after:
            if key in _list_items(new, "村"):
                continue  # a village now defines it: the village's own change
            out.append(
                ListChange(owner, owner_name, register, item_id, "删除", title=_title(before[key]))
            )
            continue
        if key not in before:
            if key in _list_items(old, "村"):
                continue
            out.append(
                ListChange(owner, owner_name, register, item_id, "新增", title=_title(after[key]))
            )
            continue
        labels = _ITEM_LABELS[register]
        for f in dataclasses.fields(before[key]):
            if f.name == "level":
                continue
            was, now = _text(getattr(before[key], f.name)), _text(getattr(after[key], f.name))
            if was != now:
                out.append(
                    ListChange(
                        owner,
                        owner_name,
                        register,
                        item_id,
                        "修改",
                        labels.get(f.name, f.name),
                        was,
                        now,
                    )
                )
    return out


def shared_list_changes(
    old: model.County | None, new: model.County | None
) -> dict[str, list[ListChange]]:
    """The changes of the county's ("") and each town's (its folder) own list items, as the
    villages show them, each once."""
    if old is None or new is None:
        return {}
    out: dict[str, list[ListChange]] = {}
    county = list_changes(old.power_list, new.power_list, "县", "", new.name)
    if county:
        out[""] = county
    old_towns = {t.slug: t for t in old.towns}
    for town in new.towns:
        was = old_towns.get(town.slug)
        if was is None:
            continue
        before = {v.code: v for v in was.villages}
        seen: dict[tuple[str, ...], ListChange] = {}
        for village in town.villages:
            old_village = before.get(village.code)
            if old_village is None:
                continue
            for change in list_changes(
                old_village.power_list, village.power_list, "镇", town.slug, town.name
            ):
                seen.setdefault((change.list, *change.key()), change)
        if seen:
            out[town.slug] = list(seen.values())
    return out


def _version_key(c: model.PowerVersionChange, register_labels: dict[str, str]) -> tuple[str, ...]:
    if c.change != "修改":
        return (c.id, c.change, "", "", "")
    field = c.field.strip()
    return (c.id, c.change, register_labels.get(field, field), c.old.strip(), c.new.strip())


def shared_list_problems(
    old: model.County | None, new: model.County | None, since: dt.date, today: dt.date, root: str
) -> Iterator[Problem]:
    """What check --since says of the county's and towns' lists: every change of an item shown
    on the site comes with a new yearly version that lists it, item by item."""
    if old is None or new is None:
        return
    owners = {"": (old.power_versions, new.power_versions)}
    old_towns = {t.slug: t for t in old.towns}
    for town in new.towns:
        if town.slug in old_towns:
            owners[town.slug] = (old_towns[town.slug].power_versions, town.power_versions)
    labels = {k: v for register in _ITEM_LABELS.values() for k, v in register.items()}
    for owner, changes in shared_list_changes(old, new).items():
        was, now = owners[owner]
        rel = f"{root}/{owner}/powers.yml" if owner else f"{root}/powers.yml"
        where = Location(rel)
        added = [v for v in now if v not in was]
        first = changes[0]
        more = f" 等 {len(changes)} 处" if len(changes) > 1 else ""
        if not added:
            yield problems.POWER_LIST_UNVERSIONED.at(
                where,
                "versions",
                field_zh="年度调整记录",
                owner=first.owner_name,
                change=first.text.removeprefix(first.owner_name),
                more=more,
                year=str(today.year),
            )
            continue
        for version in added:
            if not is_real_reason(version.reason):
                yield problems.CORRECTION_REASON.at(
                    where,
                    "versions.reason",
                    field_zh="年度调整记录·调整原因",
                    reason=version.reason,
                )
            if not since <= version.date <= today:
                yield problems.POWER_VERSION_DATE.at(
                    where,
                    "versions.date",
                    field_zh="年度调整记录·调整日期",
                    year=version.year,
                    date=version.date.isoformat(),
                    earliest=since.isoformat(),
                    latest=today.isoformat(),
                )
        actual: Counter[tuple[str, ...]] = Counter(c.key() for c in changes)
        listed = Counter(_version_key(c, labels) for v in added for c in v.changes)
        if listed == actual:
            continue
        missing = [c for c in changes if actual[c.key()] > listed[c.key()]]
        extra = [k for k in listed if listed[k] > actual[k]]
        if missing:
            sample = f"没有列出“{missing[0].text.removeprefix(first.owner_name)}”"
        else:
            k = extra[0]
            sample = (
                f"列出的“{k[0]} {k[1]} {k[2]} {k[3]} → {k[4]}”".replace("   → ", "") + "并没有发生"
            )
        yield problems.POWER_VERSION_CHANGES.at(
            where,
            "versions.changes",
            field_zh="年度调整记录·调整内容",
            owner=first.owner_name,
            year=added[-1].year,
            reason=f"{sample}（共 {len(missing)} 处未列出，{len(extra)} 处不符）",
        )
