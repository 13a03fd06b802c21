"""The records as they stood at a revision (or in the working tree), checked and modelled.

A revision's files are copied out of git into a scratch folder and run through the same
`validate()` as the working tree, so "what was published" means exactly what the checks and the
site made of it. Villages are keyed by their area code, which survives a renamed folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from builder import model
from builder.format.problems import Report
from builder.pipeline import workers
from builder.pipeline.cache import BuildCache, code_hash
from builder.pipeline.validate import Result, validate
from builder.pipeline.workers import parallel_map
from builder.read import git
from builder.read.records import ReadMemo

LOG_NAME = "publication-log.jsonl"
HISTORY_KIND = "history"  # the build cache's folder for villages at past revisions


def china_today() -> dt.date:
    """Today as villagers count days (UTC+8)."""
    return dt.datetime.now(git.CHINA).date()


@dataclass(frozen=True)
class Repo:
    """Where the records live in git: the top folder and the paths relative to it."""

    top: Path
    villages_rel: str  # e.g. "villages"
    log_rel: str  # e.g. "publication-log.jsonl"

    @classmethod
    def find(cls, villages_dir: Path) -> Repo | None:
        """The repository holding villages_dir, or None outside git."""
        villages_dir = villages_dir.resolve()
        top = git.toplevel(villages_dir if villages_dir.is_dir() else villages_dir.parent)
        if top is None:
            return None
        rel = villages_dir.relative_to(top).as_posix()
        log = (villages_dir.parent / LOG_NAME).relative_to(top).as_posix()
        return cls(top, rel, log)


@dataclass
class Snapshot:
    """One version of the records: the model of every village that passed its checks."""

    label: str  # what the user called it: "HEAD~1", "工作区"
    commit: str | None  # full commit id; None for the working tree; git.EMPTY before history
    as_of: dt.date  # the commit's day (UTC+8), or today for the working tree
    villages: dict[str, model.Village] = field(default_factory=dict)  # by area code
    dirs: set[str] = field(default_factory=set)  # "town/village" folders present
    period_dirs: set[str] = field(default_factory=set)  # "town/village/YYYY-MM" present
    log_text: str | None = None
    report: Report = field(default_factory=Report)
    county: model.County | None = None


def from_result(
    result: Result, label: str, commit: str | None, as_of: dt.date, log_text: str | None
) -> Snapshot:
    """A snapshot from a validation result (partial models included)."""
    towns = result.county.towns if result.county is not None else result.towns
    snap = Snapshot(label, commit, as_of, log_text=log_text, report=result.report)
    snap.county = result.county
    for town in towns:
        for village in town.villages:
            snap.villages[village.code] = village
    if result.layout is not None:
        for village_files in result.layout.villages():
            snap.dirs.add(f"{village_files.town}/{village_files.slug}")
            snap.period_dirs.update(
                f"{village_files.town}/{village_files.slug}/{p.period}"
                for p in village_files.periods
            )
    return snap


def worktree(
    villages_dir: Path, base: Path, result: Result | None = None, today: dt.date | None = None
) -> Snapshot:
    """The records as they are on disk now."""
    result = result if result is not None else validate(villages_dir, base)
    log_path = villages_dir.resolve().parent / LOG_NAME
    text = log_path.read_text(encoding="utf-8") if log_path.is_file() else None
    return from_result(result, "工作区", None, today or china_today(), text)


def at_revision(repo: Repo, rev: str, label: str | None = None) -> Snapshot:
    """The records as committed at rev, checked by today's rules."""
    sha = rev if rev == git.EMPTY else git.resolve(repo.top, rev)
    label = label or rev or "（空）"
    if sha == git.EMPTY:
        return Snapshot(label, git.EMPTY, dt.date.min)
    as_of = git.commit(repo.top, sha).day
    raw_log = git.show(repo.top, sha, repo.log_rel)
    log_text = raw_log.decode("utf-8", "replace") if raw_log is not None else None
    with tempfile.TemporaryDirectory(prefix="sunlight-rev-") as tmp:
        root = Path(tmp)
        git.materialize(repo.top, sha, [repo.villages_rel], root)
        villages = root / repo.villages_rel
        if not villages.is_dir():
            return Snapshot(label, sha, as_of, log_text=log_text)
        result = validate(villages, root, today=as_of)
    return from_result(result, label, sha, as_of, log_text)


def village_context(villages_rel: str, path: str) -> list[str]:
    """The files one village's checks need: the county's, its town's, and its own folder."""
    town = path.split("/")[0]
    return [
        f"{villages_rel}/county.yml",
        f"{villages_rel}/powers.yml",
        f"{villages_rel}/{town}/town.yml",
        f"{villages_rel}/{town}/powers.yml",
        f"{villages_rel}/{path}",
    ]


@dataclass
class VillageAt:
    """One village at one revision: its model, or whether its folder was there at all."""

    village: model.Village | None
    present: bool


class VillageCache:
    """Villages at many revisions, each checked once per distinct content (for history pages);
    with a store (the build cache), once per distinct content for good: a revision's files
    never change, and a county's history grows by a revision a village a month."""

    def __init__(self, repo: Repo, store: BuildCache | None = None) -> None:
        self.repo = repo
        self.store = store
        self.keys: dict[tuple[str, str], tuple[str, ...]] = {}
        self.models: dict[tuple[str, ...], VillageAt] = {}

    def adopt_worktree(self, villages: Iterable[model.Village]) -> None:
        """Know the working tree's villages by their content at HEAD, where the working tree
        holds exactly HEAD's files, so that a history does not check that content again."""
        dirty = git.dirty_paths(self.repo.top, self.repo.villages_rel)
        clean = []
        for village in villages:
            path = f"{village.town_slug}/{village.slug}"
            context = village_context(self.repo.villages_rel, path)
            if not any(d == c or d.startswith(c + "/") for d in dirty for c in context):
                clean.append((village, path))
        self.prepare([("HEAD", path) for _, path in clean])
        for village, path in clean:
            key = self.content_key("HEAD", path)
            if key is not None:
                self.models.setdefault(key, VillageAt(village, True))

    def prepare(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Look up, in one git call, the content ids of every (revision, folder) wanted."""
        todo = [
            key for key in dict.fromkeys(wanted) if key not in self.keys and key[0] != git.EMPTY
        ]
        specs = [
            f"{rev}:{p}"
            for rev, path in todo
            for p in village_context(self.repo.villages_rel, path)
        ]
        ids = git.object_ids(self.repo.top, specs)
        per_village = len(village_context(self.repo.villages_rel, "x/y"))
        for index, key in enumerate(todo):
            self.keys[key] = tuple(ids[index * per_village : (index + 1) * per_village])

    def content_key(self, rev: str, path: str) -> tuple[str, ...] | None:
        """What decides the village in folder path at rev: the content ids of its folder and
        its county's and town's files, and the path; None where the folder is not there."""
        if rev == git.EMPTY:
            return None
        self.prepare([(rev, path)])
        key = (*self.keys[(rev, path)], path)
        return None if key[-2] == "" else key

    def get(self, rev: str, path: str, today: dt.date) -> VillageAt:
        """The village in folder path ("town/village") at rev, its rules judged as of today."""
        key = self.content_key(rev, path)
        if key is None:
            return VillageAt(None, False)
        if key not in self.models:
            self.models[key] = kept_village((self.repo, self.store, key, rev, path, today))
        return self.models[key]

    def check_ahead(self, wanted: Iterable[tuple[str, str, dt.date]]) -> None:
        """Check, in two processes, the versions that get() will be asked for in this order
        (rev, path, today) and does not hold yet: the same models as asking get() in turn (a
        content is judged as of the first day it is asked for). A history checks hundreds of
        versions; each check is independent of the others, and each village's versions are
        checked one after another in one process (kept_versions)."""
        jobs: dict[tuple[str, ...], VersionJob] = {}
        for rev, path, today in wanted:
            key = self.content_key(rev, path)
            if key is not None and key not in self.models and key not in jobs:
                jobs[key] = (self.repo, self.store, key, rev, path, today)
        # NOTE: a village's versions go together, to one process that reads each file once
        # (ReadMemo): a version shares all its files but a month's with the one before
        chains: dict[str, list[tuple[str, ...]]] = {}
        for key, job in jobs.items():
            chains.setdefault(job[4], []).append(key)
        # a chain is many versions' work: two processes for two chains, when the versions are many
        worth = 2 if len(jobs) >= workers.PARALLEL_FROM else None
        found = parallel_map(
            kept_versions, [[jobs[k] for k in keys] for keys in chains.values()], worth=worth
        )
        for keys, villages in zip(chains.values(), found, strict=True):
            for key, village in zip(keys, villages, strict=True):
                self.models[key] = village


# one version to check: (repo, store, its content key, rev, path, today); see kept_village
VersionJob = tuple[Repo, BuildCache | None, tuple[str, ...], str, str, dt.date]


def kept_versions(jobs: list[VersionJob]) -> list[VillageAt]:
    """kept_village for each of one village's versions, in turn, in one scratch folder that
    each version moves (git.TreeCopy) and with each file read once (ReadMemo)."""
    memo = ReadMemo()
    memory = in_memory()
    try:
        return _kept_in(jobs, memo, memory)
    except OSError:
        if memory is None:
            raise
        # NOTE: the memory folder full (a container's is 64 MB) or refused: on disk, as before
        return _kept_in(jobs, memo, None)


def _kept_in(jobs: list[VersionJob], memo: ReadMemo, folder: str | None) -> list[VillageAt]:
    if not jobs:
        return []
    with (
        tempfile.TemporaryDirectory(prefix="sunlight-village-", dir=folder) as tmp,
        git.Objects(jobs[0][0].top) as objects,
    ):
        copy = git.TreeCopy(jobs[0][0].top, Path(tmp), objects)
        return [kept_village(job, memo, copy) for job in jobs]


def in_memory() -> str | None:
    """A folder in memory for a village's scratch copies (a few megabytes that live for
    seconds, rewritten a month at a time: on disk, making and removing them was a tenth of a
    history's time), or None for the system's temporary folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def kept_village(
    job: VersionJob, memo: ReadMemo | None = None, copy: git.TreeCopy | None = None
) -> VillageAt:
    """The village in folder path at rev, checked as of today, from the store where
    it holds this content as of today (the content ids of the village's files and its county's
    and town's, as git names them, decide the check's outcome, with the day and the builder's
    code), else checked (and kept there)."""
    repo, store, key, rev, path, today = job
    if store is None:
        return load_village(repo, rev, path, today, memo, copy)
    name = hashlib.sha256("\0".join([code_hash(), *key, today.isoformat()]).encode())
    hit = store.load(HISTORY_KIND, name.hexdigest())
    if isinstance(hit, VillageAt):
        return hit
    found = load_village(repo, rev, path, today, memo, copy)
    store.save(HISTORY_KIND, name.hexdigest(), found)
    return found


def load_village(
    repo: Repo,
    rev: str,
    path: str,
    today: dt.date,
    memo: ReadMemo | None = None,
    copy: git.TreeCopy | None = None,
) -> VillageAt:
    """The village in folder path at rev, copied out of git with its county's and town's
    files and checked as of today (its model only: a history diffs models, and no rule's
    flag is asked of a past version); memo: files read before, at other revisions
    (ReadMemo); copy: a scratch folder holding another revision's copy, moved to this one."""
    paths = village_context(repo.villages_rel, path)
    if copy is None:
        with tempfile.TemporaryDirectory(prefix="sunlight-village-") as tmp:
            root = Path(tmp)
            git.materialize(repo.top, rev, paths, root)
            result = validate(root / repo.villages_rel, root, today=today, memo=memo, rules=False)
    else:
        copy.move_to(rev, paths)
        result = validate(
            copy.dest / repo.villages_rel, copy.dest, today=today, memo=memo, rules=False
        )
    towns = result.county.towns if result.county is not None else result.towns
    found = [v for t in towns for v in t.villages if f"{v.town_slug}/{v.slug}" == path]
    return VillageAt(found[0] if found else None, True)
