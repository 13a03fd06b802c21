"""No silent retroactive edits: what `sunlight check --since REV` adds to the usual checks.

The baseline is the last *published* state: REV should be the commit the deploy job last
published (the `sunlight-published` tag it writes), and `--site-log` the log the live site
serves, never the push's own "before" commit alone. A period counts as published when a
baseline log carries it (a date a commit can set is not enough); without any log, from its
`published_at`. For every published period, the records now must either be the same, or end
their `corrections` list with new entries that keep the earlier ones unchanged and that hold up
(`corrections.py`: date, approver, reason, the changes they list). A published period may not be
deleted. Every period a baseline log carries is held to its last logged fingerprint (v1 or v2),
even where REV's records are missing or broken (an orphan commit, a force push, a month deleted
in one push and re-added altered in the next). The log must keep every baseline log as its exact
beginning and carry every published period's current fingerprint. A change to the tool
(`builder/`, `site_templates/`, `.github/`) may not arrive together with a change to published
records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from builder import model
from builder.audit import corrections, log, migrations, registers
from builder.audit.diff import Who, content_changes, diff_period, period_changed
from builder.audit.fingerprint import versions
from builder.audit.snapshot import Snapshot
from builder.format import problems
from builder.format.problems import Location, Problem

#: In `check --since`, a log that lags behind the records blocks (a warning in plain `check`).
LOG_OUT_OF_DATE = dataclasses.replace(problems.LOG_OUT_OF_DATE, severity=problems.Severity.ERROR)
#: In `check --since`, a declared migration the log does not record blocks too.
MIGRATION_NOT_LOGGED = dataclasses.replace(
    problems.MIGRATION_NOT_LOGGED, severity=problems.Severity.ERROR
)


#: Paths whose change alters the checker or the publishing: never together with published records.
TOOL_PATHS = ("builder/", "site_templates/", ".github/", "hooks/")


def since_problems(
    base: Snapshot,
    head: Snapshot,
    root: str,
    log_rel: str,
    *,
    site_log: tuple[str, str] | None = None,
    changed: Sequence[str] = (),
    villages_rel: str = "villages",
    moves: Sequence[migrations.Migration] = (),
) -> list[Problem]:
    """Every way head rewrites what base (and the live site's log: (label, text)) had
    published; root is the villages folder as shown, changed the repository paths that differ
    between base and head."""
    # NOTE: the publication log is the project's commitment. A base without one (a project
    # adopting the audit trail in this very change) published no fingerprints to hold to yet.
    logged = _logged_entries(base, site_log)
    out = list(_edits(base, head, root, logged, moves)) if base.log_text is not None else []
    out += _log(base, head, log_rel, site_log, moves)
    out += _held_to_log(base, head, root, logged, moves)
    out += _tool_with_records(base, changed, villages_rel, logged)
    if base.log_text is not None:
        for code, old_village in sorted(base.villages.items()):
            new_village = head.villages.get(code)
            if new_village is not None:
                out += registers.register_problems(
                    old_village, new_village, base.as_of, head.as_of, root
                )
        out += registers.shared_list_problems(
            base.county, head.county, base.as_of, head.as_of, root
        )
    return out


def _logged_entries(
    base: Snapshot, site_log: tuple[str, str] | None
) -> dict[tuple[str, str], log.Entry]:
    """The newest entry of every period in the baseline logs (REV's and the live site's)."""
    out: dict[tuple[str, str], log.Entry] = {}
    for text in (base.log_text, site_log[1] if site_log else None):
        entries, _ = log.parse(text or "", "")
        for key, entry in log.latest(entries).items():
            if key not in out or entry.corrections >= out[key].corrections:
                out[key] = entry
    return out


def _published(
    village: model.Village, period: model.Period, base: Snapshot, logged: Mapping[Any, Any]
) -> bool:
    return (village.code, period.period) in logged or log.is_published(period, base.as_of)


def _where(
    root: str, village: model.Village, period: str, name: str = "disclosure.yml"
) -> Location:
    return Location(f"{root}/{village.town_slug}/{village.slug}/{period}/{name}".rstrip("/"))


def _successor(
    head: Snapshot, moves: Sequence[migrations.Migration], code: str, folder: str
) -> model.Village | None:
    """The village a declared migration moved (code, folder) to, as in head."""
    found = migrations.successor(list(moves), code, folder)
    return head.villages.get(found[0]) if found else None


def _edits(
    base: Snapshot,
    head: Snapshot,
    root: str,
    logged: Mapping[tuple[str, str], log.Entry],
    moves: Sequence[migrations.Migration],
) -> Iterator[Problem]:
    for code, old_village in sorted(base.villages.items()):
        folder = f"{old_village.town_slug}/{old_village.slug}"
        moved = _successor(head, moves, code, folder)
        new_village = head.villages.get(code) or moved
        published = [p for p in old_village.periods if _published(old_village, p, base, logged)]
        if new_village is not None and published and moved is None:
            now = f"{new_village.town_slug}/{new_village.slug}"
            if now != folder:
                yield problems.VILLAGE_MOVED.at(
                    Location(f"{root}/{now}"), None, village=new_village.name, old=folder, new=now
                )
        if new_village is None and published:
            # a new code for the same village (same name or folder) is a move, not a new village
            for other_code, other in sorted(head.villages.items()):
                now = f"{other.town_slug}/{other.slug}"
                if other_code not in base.villages and (
                    other.name == old_village.name or now == folder
                ):
                    yield problems.VILLAGE_MOVED.at(
                        Location(f"{root}/{now}"),
                        None,
                        village=other.name,
                        old=f"{folder}（区划代码 {code}）",
                        new=f"{now}（区划代码 {other_code}）",
                    )
        if new_village is not None and new_village.code != code:
            new_village = dataclasses.replace(new_village, code=code)  # compared as the same
        for old in old_village.periods:
            if not _published(old_village, old, base, logged):
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
    values = {
        "village": new_village.name,
        "village_dir": f"{new_village.town_slug}/{new_village.slug}",
        "period": new.period,
    }
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
    yield from corrections.judge(old_village, old, new_village, new, added, where)


def _held_to_log(
    base: Snapshot,
    head: Snapshot,
    root: str,
    logged: Mapping[tuple[str, str], log.Entry],
    moves: Sequence[migrations.Migration],
) -> Iterator[Problem]:
    """Every period a baseline log carries, held to its last logged fingerprint where REV's
    records could not be compared field by field (missing, broken or deleted in REV)."""
    warned: set[str] = set()
    for (code, period), entry in sorted(logged.items()):
        old_village = base.villages.get(code)
        if old_village is not None and old_village.period(period) is not None:
            continue  # compared field by field in _edits
        new_village = head.villages.get(code) or _successor(head, moves, code, entry.village)
        if new_village is not None and new_village.code != code:
            new_village = dataclasses.replace(new_village, code=code)
        if entry.village in base.dirs and code not in base.villages and code not in warned:
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
                continue  # there, with errors the usual checks report
            yield problems.PERIOD_DELETED.at(
                Location(f"{root}/{entry.village}/{period}"),
                None,
                village=entry.village,
                period=period,
                published=entry.published_at,
            )
            continue
        if (
            entry.fingerprint not in versions(new_village, new)
            and len(new.corrections) <= entry.corrections
        ):
            yield problems.SILENT_EDIT.at(
                _where(root, new_village, period),
                "corrections",
                field_zh="更正记录",
                village=new_village.name,
                village_dir=f"{new_village.town_slug}/{new_village.slug}",
                period=period,
                published=entry.published_at,
                change="指纹与公开记录不符",
                more="",
            )


def _tool_with_records(
    base: Snapshot,
    changed: Sequence[str],
    villages_rel: str,
    logged: Mapping[tuple[str, str], log.Entry],
) -> list[Problem]:
    """A change of the tool may not come with a change of published records."""
    tool = sorted(p for p in changed if p.startswith(TOOL_PATHS))
    if not tool:
        return []
    published_dirs = {f"{entry.village}/{period}" for (_c, period), entry in logged.items()}
    for village in base.villages.values():
        for period in village.periods:
            if _published(village, period, base, logged):
                published_dirs.add(f"{village.town_slug}/{village.slug}/{period.period}")
    prefix = villages_rel + "/"
    records = []
    for path in changed:
        if not path.startswith(prefix):
            continue
        rel = path.removeprefix(prefix)
        parts = rel.split("/")
        in_period = len(parts) >= 4 and "/".join(parts[:3]) in published_dirs
        # a new month's folder is not yet published; everything else a village shows may be
        if in_period or len(parts) < 4:
            records.append(rel)
    if not records:
        return []
    return [
        problems.CODE_WITH_RECORDS.at(
            Location(tool[0]),
            None,
            paths="、".join(tool[:3]) + (" 等" if len(tool) > 3 else ""),
            records="、".join(sorted(records)[:3]) + (" 等" if len(records) > 3 else ""),
        )
    ]


def site_log_problems(
    site_log: tuple[str, str], log_text: str | None, log_rel: str
) -> list[Problem]:
    """The log (log_text, at log_rel) must keep every line of the one the live site serves
    (site_log: its label and text)."""
    return [
        problems.SITE_LOG_REWRITTEN.at(p.where, None, **dict(p.values))
        for p in log.extension_problems(site_log[1], log_text, log_rel, site_log[0])
    ]


def _log(
    base: Snapshot,
    head: Snapshot,
    log_rel: str,
    site_log: tuple[str, str] | None,
    moves: Sequence[migrations.Migration] = (),
) -> list[Problem]:
    out = log.extension_problems(base.log_text, head.log_text, log_rel, base.label)
    if site_log is not None and not out:
        out += site_log_problems(site_log, head.log_text, log_rel)
    entries, broken = log.parse(head.log_text or "", log_rel)
    out += broken
    if not broken:
        out += log.stale_problems(
            entries, head.villages.values(), head.as_of, log_rel, LOG_OUT_OF_DATE
        )
        out += log.unlogged_migrations(
            entries, head.villages.values(), list(moves), log_rel, MIGRATION_NOT_LOGGED
        )
        out += log.undeclared_migrations(entries, list(moves), log_rel)
    return out
