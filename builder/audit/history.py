"""Each village's revision history (修订记录), from one `git log` pass over `villages/`.

For every commit that touched a village's folder: when, who, the message, the periods touched
and the semantic diff against its parent. Each version of a village is checked once per
distinct content (`VillageCache`), so a long history costs one check per change, not per page.
Corrections are matched to the commits that made them, to show the values before and after.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from builder import model
from builder.audit import log
from builder.audit.diff import (
    Change,
    Who,
    content_changes,
    diff_period,
    diff_village,
    period_changed,
)
from builder.audit.fingerprint import versions
from builder.audit.snapshot import Repo, VillageAt, VillageCache
from builder.pipeline.cache import BuildCache
from builder.read import git

PERIOD_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class Revision:
    """One commit as a village's history shows it."""

    commit: git.Commit
    periods: tuple[str, ...]
    changes: tuple[Change, ...]
    uncorrected: tuple[str, ...] = ()  # published periods it changed without a correction


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
    for commit in commits:  # newest first, so a folder's later name is known before its earlier one
        by_code: dict[str, _Touch] = {}
        renames: list[tuple[str, str]] = []
        for changed in commit.files:
            new = None if changed.status.startswith("D") else _split(changed.new, prefix)
            old = None if changed.status.startswith("A") else _split(changed.old, prefix)
            code = (alias.get(new[0]) if new else None) or (alias.get(old[0]) if old else None)
            if code is None:
                continue
            touch = by_code.setdefault(code, _Touch(commit, code))
            touch.new_dir = touch.new_dir or (new[0] if new else "")
            touch.old_dir = touch.old_dir or (old[0] if old else "")
            for side in (new, old):
                if side is None:
                    continue
                if not changed.same_bytes:
                    touch.files.append(side[1])
                head = side[1].split("/", 1)[0]
                if PERIOD_RE.fullmatch(head):
                    touch.periods.add(head)
            if new and old and new[0] != old[0]:
                renames.append((old[0], code))
        for touch in by_code.values():
            touch.new_dir = touch.new_dir or touch.old_dir
            touch.old_dir = touch.old_dir or touch.new_dir
        out.extend(by_code.values())
        for old_dir, code in renames:
            alias.setdefault(old_dir, code)
    return out


def histories(
    repo: Repo | None,
    county: model.County,
    selected: Callable[[model.Village], bool] | None = None,
    store: BuildCache | None = None,
) -> dict[str, VillageHistory]:
    """Every village's history by area code (empty outside git, and for a village not
    selected: a shard's other villages'); store: the build cache, where each village's
    content at a revision is kept once checked (see VillageCache)."""
    out = {v.code: VillageHistory() for v in county.villages()}
    if repo is None:
        return out
    chosen = {v.code for v in county.villages() if selected is None or selected(v)}
    commits = git.history(repo.top, repo.villages_rel)
    log_text = (
        (repo.top / repo.log_rel).read_text(encoding="utf-8")
        if (repo.top / repo.log_rel).is_file()
        else ""
    )
    logged = log.latest(log.parse(log_text, "")[0])
    # NOTE: each village's revisions are its own (a village's content is checked with its
    # folder's path): leaving out the villages another shard renders changes none of these
    touches = [t for t in _touches(commits, repo.villages_rel + "/", county) if t.code in chosen]
    cache = VillageCache(repo, store)
    cache.adopt_worktree(v for v in county.villages() if v.code in chosen)
    cache.prepare(
        [(touch.commit.sha, touch.new_dir) for touch in touches]
        + [(touch.commit.parent, touch.old_dir) for touch in touches]
    )
    cache.check_ahead(  # NOTE: in the order the loop below asks for them
        version
        for touch in touches
        for version in (
            (touch.commit.sha, touch.new_dir, touch.commit.day),
            (touch.commit.parent, touch.old_dir, touch.commit.day),
        )
    )
    current = {v.code: v for v in county.villages()}
    for touch in touches:
        touch.after = cache.get(touch.commit.sha, touch.new_dir, touch.commit.day)
        touch.before = cache.get(touch.commit.parent, touch.old_dir, touch.commit.day)
        village = current[touch.code]
        mask = village.names_online != "full"
        changes: list[Change] = []
        for side, label in ((touch.before, "上一"), (touch.after, "此次提交的")):
            if side.present and side.village is None:
                changes.append(
                    Who(village.code, village.name, touch.new_dir).change(
                        "", "village", "unreadable", item=label
                    )
                )
        if not changes:
            changes = diff_village(
                touch.before.village, touch.after.village, mask=mask, touched=touch.files
            )
        out[touch.code].revisions.append(
            Revision(
                touch.commit,
                tuple(sorted(touch.periods)),
                tuple(changes),
                _uncorrected(touch, logged),
            )
        )
    for code, village in current.items():
        if code not in chosen:
            continue
        mine = [touch for touch in reversed(touches) if touch.code == code]  # oldest first
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
        for touch in touches:
            assert touch.before is not None and touch.after is not None
            village_before, village_after = touch.before.village, touch.after.village
            period_before = _period(village_before, period.period)
            period_after = _period(village_after, period.period)
            if period_after is None or village_after is None:
                continue
            if (
                period_before is None
                or village_before is None
                or period_changed(village_before, period_before, village_after, period_after)
            ):
                versions.append((touch, village_before, period_before, period_after))
        start = 0
        details = []
        for i, correction in enumerate(period.corrections):
            version_index = next(
                (j for j in range(start, len(versions)) if len(versions[j][3].corrections) > i),
                None,
            )
            if version_index is None:
                details.append(CorrectionDetail(period.period, correction))
                continue
            # NOTE: the version published before this correction: edits made before a period's
            # publication day are drafting, not something the correction changed
            before = next(
                (
                    period_before
                    for touch, _bv, period_before, _ap in versions[start : version_index + 1]
                    if period_before is not None and touch.commit.day >= period_before.published_at
                ),
                None,
            )
            after = versions[version_index][3]
            changes: tuple[Change, ...] = ()
            if before is not None:
                changes = tuple(
                    change
                    for change in content_changes(diff_period(who, before, after))
                    if change.section != "corrections"
                )
            details.append(
                CorrectionDetail(
                    period.period, correction, changes, versions[version_index][0].commit
                )
            )
            start = version_index + 1
        out.extend(reversed(details))
    return out


def _uncorrected(touch: _Touch, logged: dict[tuple[str, str], log.Entry]) -> tuple[str, ...]:
    """The published periods a commit changed without adding a correction (a warning on the
    page: the rule was broken, whatever the commit's date says). A commit that puts back the
    logged version (a revert of such a change) is not one."""
    assert touch.before is not None and touch.after is not None
    before, after = touch.before.village, touch.after.village
    if before is None or after is None:
        return ()
    out = []
    for old in before.periods:
        new = after.period(old.period)
        published = (touch.code, old.period) in logged or old.published_at <= touch.commit.day
        entry = logged.get((touch.code, old.period))
        if (
            new is not None
            and published
            and len(new.corrections) <= len(old.corrections)
            and period_changed(before, old, after, new)
            and not (entry is not None and entry.fingerprint in versions(after, new))
        ):
            out.append(old.period)
    return tuple(out)


def _period(village: model.Village | None, period: str) -> model.Period | None:
    return village.period(period) if village else None
