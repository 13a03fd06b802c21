"""Each village's revision history (修订记录), from one `git log` pass over `villages/`.

For every commit that touched a village's folder: when, who, the message, the periods touched
and the semantic diff against its parent. Each version of a village is checked once per
distinct content (`VillageCache`), so a long history costs one check per change, not per page.
Corrections are matched to the commits that made them, to show the values before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from builder import model
from builder.audit.diff import (
    Change,
    Who,
    content_changes,
    diff_period,
    diff_village,
    period_changed,
)
from builder.audit.snapshot import Repo, VillageAt, VillageCache
from builder.read import git

PERIOD_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Revision:
    """One commit as a village's history shows it."""

    commit: git.Commit
    periods: tuple[str, ...]
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class CorrectionDetail:
    """One correction of a period, with what it changed (published version → corrected)."""

    period: str
    correction: model.Correction
    changes: tuple[Change, ...] = ()
    commit: git.Commit | None = None


@dataclass
class VillageHistory:
    revisions: list[Revision] = field(default_factory=list)  # newest first
    corrections: list[CorrectionDetail] = field(default_factory=list)  # newest period first


@dataclass
class _Touch:
    commit: git.Commit
    code: str
    new_dir: str = ""
    old_dir: str = ""
    files: list[str] = field(default_factory=list)  # village-relative, content possibly changed
    periods: set[str] = field(default_factory=set)
    before: VillageAt | None = None
    after: VillageAt | None = None


def _split(path: str, prefix: str) -> tuple[str, str] | None:
    """ "villages/town/village/rest" → ("town/village", "rest"); None above village level."""
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix) :].split("/", 2)
    if len(parts) < 3:
        return None
    return f"{parts[0]}/{parts[1]}", parts[2]


def _touches(commits: list[git.Commit], prefix: str, county: model.County) -> list[_Touch]:
    """Which villages each commit touched, following renamed folders back in time."""
    alias = {f"{v.town_slug}/{v.slug}": v.code for v in county.villages()}
    out: list[_Touch] = []
    for c in commits:  # newest first, so a folder's later name is known before its earlier one
        per: dict[str, _Touch] = {}
        renames: list[tuple[str, str]] = []
        for f in c.files:
            new = None if f.status.startswith("D") else _split(f.new, prefix)
            old = None if f.status.startswith("A") else _split(f.old, prefix)
            code = (alias.get(new[0]) if new else None) or (alias.get(old[0]) if old else None)
            if code is None:
                continue
            t = per.setdefault(code, _Touch(c, code))
            t.new_dir = t.new_dir or (new[0] if new else "")
            t.old_dir = t.old_dir or (old[0] if old else "")
            for side in (new, old):
                if side is None:
                    continue
                if not f.same_bytes:
                    t.files.append(side[1])
                head = side[1].split("/", 1)[0]
                if PERIOD_RE.fullmatch(head):
                    t.periods.add(head)
            if new and old and new[0] != old[0]:
                renames.append((old[0], code))
        for t in per.values():
            t.new_dir = t.new_dir or t.old_dir
            t.old_dir = t.old_dir or t.new_dir
        out.extend(per.values())
        for old_dir, code in renames:
            alias.setdefault(old_dir, code)
    return out


def histories(repo: Repo | None, county: model.County) -> dict[str, VillageHistory]:
    """Every village's history by area code (empty outside git)."""
    out = {v.code: VillageHistory() for v in county.villages()}
    if repo is None:
        return out
    commits = git.history(repo.top, repo.villages_rel)
    touches = _touches(commits, repo.villages_rel + "/", county)
    cache = VillageCache(repo)
    cache.prepare(
        [(t.commit.sha, t.new_dir) for t in touches]
        + [(t.commit.parent, t.old_dir) for t in touches]
    )
    current = {v.code: v for v in county.villages()}
    for t in touches:
        t.after = cache.get(t.commit.sha, t.new_dir, t.commit.day)
        t.before = cache.get(t.commit.parent, t.old_dir, t.commit.day)
        village = current[t.code]
        mask = village.names_online != "full"
        changes: list[Change] = []
        for side, label in ((t.before, "上一"), (t.after, "此次提交的")):
            if side.present and side.village is None:
                changes.append(
                    Who(village.code, village.name, t.new_dir).change(
                        "", "village", "unreadable", item=label
                    )
                )
        if not changes:
            changes = diff_village(t.before.village, t.after.village, mask=mask, touched=t.files)
        out[t.code].revisions.append(Revision(t.commit, tuple(sorted(t.periods)), tuple(changes)))
    for code, village in current.items():
        mine = [t for t in reversed(touches) if t.code == code]  # oldest first
        out[code].corrections = _corrections(village, mine)
    return out


def _corrections(village: model.Village, touches: list[_Touch]) -> list[CorrectionDetail]:
    """Each correction with the changes between the version published before it and the
    version it approved."""
    who = Who(
        village.code,
        village.name,
        f"{village.town_slug}/{village.slug}",
        village.names_online != "full",
    )
    out: list[CorrectionDetail] = []
    for period in village.newest_first():
        if not period.corrections:
            continue
        versions = []  # (touch, village before, period before, period after), oldest first
        for t in touches:
            assert t.before is not None and t.after is not None
            bv, av = t.before.village, t.after.village
            bp = _period(bv, period.period)
            ap = _period(av, period.period)
            if ap is None or av is None:
                continue
            if bp is None or bv is None or period_changed(bv, bp, av, ap):
                versions.append((t, bv, bp, ap))
        start = 0
        details = []
        for i, correction in enumerate(period.corrections):
            k = next(
                (j for j in range(start, len(versions)) if len(versions[j][3].corrections) > i),
                None,
            )
            if k is None:
                details.append(CorrectionDetail(period.period, correction))
                continue
            # NOTE: the version published before this correction: edits made before a period's
            # publication day are drafting, not something the correction changed
            before = next(
                (
                    bp
                    for t, _bv, bp, _ap in versions[start : k + 1]
                    if bp is not None and t.commit.day >= bp.published_at
                ),
                None,
            )
            after = versions[k][3]
            changes: tuple[Change, ...] = ()
            if before is not None:
                changes = tuple(
                    c
                    for c in content_changes(diff_period(who, before, after))
                    if c.section != "corrections"
                )
            details.append(
                CorrectionDetail(period.period, correction, changes, versions[k][0].commit)
            )
            start = k + 1
        out.extend(reversed(details))
    return out


def _period(v: model.Village | None, period: str) -> model.Period | None:
    return next((p for p in v.periods if p.period == period), None) if v else None
