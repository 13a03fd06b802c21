"""Corrections that mean something: who approved them, why, and what they say they change.

A correction added to a published period (`check --since`, `log update`, plain `check`) must:

- be approved by someone who holds a 村务监督委员会 role on the correction's date (by the terms in
  village.yml, so a 换届 does not void earlier sign-offs), who is neither the period's drafter nor
  the payee of a row it changes;
- give a reason that is a real sentence (not "更正" or "改正");
- list, under `changes`, each value it changes — part, line, field, old, new — exactly as the
  records changed (`sunlight correct` writes this list; `check` compares it with the change).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from builder import model
from builder.audit.diff import (
    AFFAIR_FIELDS,
    ASSISTANCE_FIELDS,
    HEADER,
    LEDGER_FIELDS,
    SECTIONS,
    Change,
    Who,
    content_changes,
    diff_period,
)
from builder.format import problems
from builder.format.problems import Location, Problem
from builder.format.schema import SUPERVISOR_ROLES

#: What a correction may list: the parts of a period a villager sees, not computed totals.
LISTED_SECTIONS = ("header", "ledger", "assistance", "village_affairs", "party_affairs")
SECTION_NAMES = {"header": "基本信息", **SECTIONS}
_SECTION_BY_NAME = {zh: key for key, zh in SECTION_NAMES.items()} | {k: k for k in SECTION_NAMES}
_FIELD_BY_LABEL = {
    label: key for key, label in (*LEDGER_FIELDS, *ASSISTANCE_FIELDS, *AFFAIR_FIELDS, *HEADER)
}
_LABEL_BY_FIELD = {
    key: label for key, label in (*LEDGER_FIELDS, *ASSISTANCE_FIELDS, *AFFAIR_FIELDS, *HEADER)
} | {"added": "新增", "removed": "删除", "order": "顺序"}
ROW_ADDED, ROW_REMOVED, ROWS_REORDERED = "added", "removed", "order"
_ROW_WORDS = {"新增": ROW_ADDED, "删除": ROW_REMOVED, "顺序": ROWS_REORDERED}
PLACEHOLDERS = frozenset(
    {
        "更正",
        "改正",
        "修改",
        "修正",
        "错误",
        "有误",
        "更新",
        "调整",
        "见附件",
        "无",
        "fix",
        "update",
    }
)
_MEANINGFUL = re.compile(r"[\w\u3400-\u9fff]")

Key = tuple[str, int | None, str, str, str]


def actual_changes(who: Who, old: model.Period, new: model.Period) -> list[Change]:
    """The changes a correction of old → new has to list (full names, no totals)."""
    return [
        change
        for change in content_changes(diff_period(who, old, new))
        if change.section in LISTED_SECTIONS
    ]


def as_listed(change: Change) -> model.CorrectionChange:
    """A change as a correction lists it (what `sunlight correct` writes)."""
    if change.action == "reordered":
        return model.CorrectionChange(change.section, None, ROWS_REORDERED, "", "")
    if change.action == "added":
        return model.CorrectionChange(change.section, change.new_line, ROW_ADDED, "", change.item)
    if change.action == "removed":
        return model.CorrectionChange(change.section, change.old_line, ROW_REMOVED, change.item, "")
    line = change.new_line if change.section != "header" else None
    return model.CorrectionChange(
        change.section, line, change.field, change.old or "", change.new or ""
    )


def _key(listed: model.CorrectionChange) -> Key:
    section = _SECTION_BY_NAME.get(str(listed.section).strip(), str(listed.section).strip())
    field = str(listed.field).strip()
    field = _ROW_WORDS.get(field, _FIELD_BY_LABEL.get(field, field))
    line = listed.line if section != "header" else None
    return (section, line, field, str(listed.old).strip(), str(listed.new).strip())


def describe(listed: model.CorrectionChange) -> str:
    """One listed change in words: 收支明细第3行 expense 120.00 → 12.00."""
    section, line, field, old, new = _key(listed)
    where = SECTION_NAMES.get(section, section) + (f"第{line}行" if line else "")
    label = _LABEL_BY_FIELD.get(field, field)
    return f"{where} {label} {old or '（空）'} → {new or '（空）'}"


def is_real_reason(reason: str) -> bool:
    """Whether a reason is a sentence that says something (not "更正", "改正…", "xxxx")."""
    text = reason.strip().strip("。.!！")
    if text.lower() in PLACEHOLDERS:
        return False
    meaningful = _MEANINGFUL.findall(text)
    return len(meaningful) >= 8 and len(set(meaningful)) >= 5


def _payees(old: model.Period, new: model.Period, changes: Sequence[Change]) -> set[str]:
    """The counterparties and recipients of every row the changes touch."""
    out: set[str] = set()
    for change in changes:
        for period, line in ((old, change.old_line), (new, change.new_line)):
            if line is None:
                continue
            for row in period.ledger if change.section == "ledger" else ():
                if row.line == line and row.counterparty:
                    out.add(row.counterparty)
            for arow in period.assistance if change.section == "assistance" else ():
                if arow.line == line:
                    out.add(arow.name)
    return out


def judge(
    old_village: model.Village,
    old: model.Period,
    new_village: model.Village,
    new: model.Period,
    added: Iterable[model.Correction],
    where: Location,
) -> Iterator[Problem]:
    """Problems with the corrections added to a published period (old → new)."""
    added = list(added)
    if not added:
        return
    who = Who(new_village.code, new_village.name, f"{new_village.town_slug}/{new_village.slug}")
    changes = actual_changes(who, old, new)
    payees = _payees(old, new, changes)
    people = {p.name: p for p in new_village.people}
    values = {"village": new_village.name, "period": new.period}
    for correction in added:
        day = correction.date.isoformat()
        approver = correction.approved_by
        person = people.get(approver)
        reason = en = ""
        if person is None or not SUPERVISOR_ROLES & set(person.roles_on(correction.date)):
            reason = f"在 {day} 不是村务监督委员会成员（见 village.yml 的 people 和 terms）。"
            en = (
                f"is not a supervision committee member on {day} (people and terms in village.yml)."
            )
        elif approver in (old.drafted_by, new.drafted_by):
            reason, en = "是这一期的拟稿人。", "drafted this period."
        elif approver in payees:
            reason, en = "是被改动那一行的收款人。", "is the payee of a changed row."
        if reason:
            yield problems.CORRECTION_APPROVER.at(
                where,
                "corrections.approved_by",
                field_zh="更正记录·批准人",
                who=approver,
                date=day,
                reason=reason,
                reason_en=en,
            )
        if not is_real_reason(correction.reason):
            yield problems.CORRECTION_REASON.at(
                where, "corrections.reason", field_zh="更正记录·更正原因", reason=correction.reason
            )
    listed = Counter(_key(c) for correction in added for c in correction.changes)
    actual = Counter(_key(as_listed(c)) for c in changes)
    date = added[-1].date.isoformat()
    if not any(correction.changes for correction in added):
        if changes:
            yield problems.CORRECTION_CHANGES.at(
                where,
                "corrections.changes",
                field_zh="更正记录·更正内容",
                date=date,
                reason=f"没有列出改了什么（实际改了 {len(changes)} 处，例如 "
                f"{describe(as_listed(changes[0]))}）。",
                reason_en=f"does not list what it changes ({len(changes)} changes were made).",
                **values,
            )
        return
    missing = [k for k in actual if actual[k] > listed[k]]
    extra = [k for k in listed if listed[k] > actual[k]]
    if missing or extra:
        sample = missing[0] if missing else extra[0]
        text = describe(model.CorrectionChange(*sample))
        zh = f"没有列出实际的改动“{text}”" if missing else f"列出的改动“{text}”在记录中并没有发生"
        more = f"（共 {len(missing)} 处未列出，{len(extra)} 处不符）。"
        yield problems.CORRECTION_CHANGES.at(
            where,
            "corrections.changes",
            field_zh="更正记录·更正内容",
            date=date,
            reason=zh + more,
            reason_en=f"lists changes that differ from the records' ({len(missing)} not listed, "
            f"{len(extra)} not made).",
            **values,
        )
