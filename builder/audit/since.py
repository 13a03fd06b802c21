"""No silent retroactive edits: what `sunlight check --since REV` adds to the usual checks.

The rule (FORMAT.md, "Audit trail"): a period counts as published from its `published_at`.
For every period that was published in REV (published_at on or before REV's commit day), the
records now must either be the same, or end their `corrections` list with at least one new entry
that keeps the earlier entries unchanged and is dated between the period's publication (or its
last correction) and today. A published period may not be deleted. The publication log must
keep REV's log as its exact beginning and carry every published period's current fingerprint.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from builder import model
from builder.audit import log
from builder.audit.diff import Who, content_changes, diff_period, period_changed
from builder.audit.fingerprint import fingerprint
from builder.audit.snapshot import Snapshot
from builder.format import problems
from builder.format.problems import Location, Problem

#: In `check --since`, a log that lags behind the records blocks (a warning in plain `check`).
LOG_OUT_OF_DATE = dataclasses.replace(problems.LOG_OUT_OF_DATE, severity=problems.Severity.ERROR)


def since_problems(base: Snapshot, head: Snapshot, root: str, log_rel: str) -> list[Problem]:
    """Every way head rewrites what base had published; root is the villages folder as shown."""
    # NOTE: the publication log is the project's commitment. A base without one (a project
    # adopting the audit trail in this very change) published no fingerprints to hold to yet.
    out = list(_edits(base, head, root)) if base.log_text is not None else []
    out += _log(base, head, log_rel)
    return out


def _where(
    root: str, village: model.Village, period: str, name: str = "disclosure.yml"
) -> Location:
    return Location(f"{root}/{village.town_slug}/{village.slug}/{period}/{name}".rstrip("/"))


def _edits(base: Snapshot, head: Snapshot, root: str) -> Iterator[Problem]:
    for code, old_village in sorted(base.villages.items()):
        new_village = head.villages.get(code)
        for old in old_village.periods:
            if not log.is_published(old, base.as_of):
                continue
            new = _period(new_village, old.period)
            if new is None:
                if _unreadable(head, old_village, new_village, old.period):
                    continue  # it is there but has errors, which the usual checks report
                yield problems.PERIOD_DELETED.at(
                    _where(root, new_village or old_village, old.period, ""),
                    None,
                    village=old_village.name,
                    period=old.period,
                    published=old.published_at.isoformat(),
                )
                continue
            assert new_village is not None
            if not period_changed(old_village, old, new_village, new):
                continue
            yield from _corrections(old_village, old, new_village, new, head, root)
    yield from _unchecked(base, head, root)


def _period(village: model.Village | None, period: str) -> model.Period | None:
    return village.period(period) if village else None


def _unreadable(
    head: Snapshot, old_village: model.Village, new_village: model.Village | None, period: str
) -> bool:
    """Whether the period's folder is still there (so a missing model means errors)."""
    village = new_village or old_village
    if new_village is None and f"{old_village.town_slug}/{old_village.slug}" not in head.dirs:
        return False
    return f"{village.town_slug}/{village.slug}/{period}" in head.period_dirs


def _corrections(
    old_village: model.Village,
    old: model.Period,
    new_village: model.Village,
    new: model.Period,
    head: Snapshot,
    root: str,
) -> Iterator[Problem]:
    where = _where(root, new_village, new.period)
    values = {"village": new_village.name, "period": new.period}
    kept = new.corrections[: len(old.corrections)]
    if kept != old.corrections:
        bad = next(a for i, a in enumerate(old.corrections) if i >= len(kept) or kept[i] != a)
        yield problems.CORRECTION_REWRITTEN.at(
            where,
            "corrections",
            field_zh="更正记录",
            item=f"{bad.date.isoformat()} {bad.reason}",
            **values,
        )
        return
    added = new.corrections[len(old.corrections) :]
    if not added:
        who = Who(new_village.code, new_village.name, f"{new_village.town_slug}/{new_village.slug}")
        changes = content_changes(diff_period(who, old, new))
        first = (
            changes[0].text.removeprefix(f"{new_village.name} {new.period} ")
            if changes
            else "内容有变化"
        )
        more = f" 等 {len(changes)} 处" if len(changes) > 1 else ""
        yield problems.SILENT_EDIT.at(
            where,
            "corrections",
            field_zh="更正记录",
            published=old.published_at.isoformat(),
            change=first,
            more=more,
            **values,
        )
        return
    earliest = max([old.published_at, *(correction.date for correction in old.corrections)])
    for correction in added:
        if not (earliest <= correction.date <= head.as_of):
            yield problems.CORRECTION_DATE.at(
                where,
                "corrections.date",
                field_zh="更正记录·更正日期",
                date=correction.date.isoformat(),
                earliest=earliest.isoformat(),
                latest=head.as_of.isoformat(),
            )


def _unchecked(base: Snapshot, head: Snapshot, root: str) -> Iterator[Problem]:
    """Villages that had errors in base: hold their logged periods to their fingerprints."""
    if not base.log_text:
        return
    entries, _ = log.parse(base.log_text, "")
    warned: set[str] = set()
    for (code, period), entry in sorted(log.latest(entries).items()):
        if code in base.villages or entry.village not in base.dirs:
            continue  # checked field by field above, or a folder gone before REV
        new_village = head.villages.get(code)
        if code not in warned:
            warned.add(code)
            yield problems.SINCE_UNCHECKED.at(
                Location(f"{root}/{entry.village}"), None, rev=base.label, village=entry.village
            )
        new = _period(new_village, period)
        if new_village is None or new is None:
            if f"{entry.village}/{period}" in head.period_dirs or (
                new_village is not None
                and (f"{new_village.town_slug}/{new_village.slug}/{period}" in head.period_dirs)
            ):
                continue
            yield problems.PERIOD_DELETED.at(
                Location(f"{root}/{entry.village}/{period}"),
                None,
                village=entry.village,
                period=period,
                published=entry.published_at,
            )
            continue
        if (
            fingerprint(new_village, new) != entry.fingerprint
            and len(new.corrections) <= entry.corrections
        ):
            yield problems.SILENT_EDIT.at(
                _where(root, new_village, period),
                "corrections",
                field_zh="更正记录",
                village=new_village.name,
                period=period,
                published=entry.published_at,
                change="指纹与公开记录不符",
                more="",
            )


def _log(base: Snapshot, head: Snapshot, log_rel: str) -> list[Problem]:
    out = log.extension_problems(base.log_text, head.log_text, log_rel, base.label)
    entries, broken = log.parse(head.log_text or "", log_rel)
    out += broken
    if not broken:
        out += log.stale_problems(
            entries, head.villages.values(), head.as_of, log_rel, LOG_OUT_OF_DATE
        )
    return out
