"""Check every record and build the model from those that pass: the county run.

Each village goes through three pure steps, `read_village → check_village → build_village`
(`read/village.py`, `check/village.py`, `model/build.py`). This module only wraps them: it
signs each village (its files and what it inherits), takes unchanged villages from the cache,
runs the others in worker processes when there are many, then checks the county's own files,
assembles the model and runs the supervision rules on it.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from builder import model
from builder.check.context import VillageContext, parameters_of, town_context
from builder.check.county import check_county, check_village_names
from builder.check.village import check_village
from builder.format.parameters import Parameters
from builder.format.problems import UNREADABLE, Problem, Report, Severity
from builder.model.build import build_county, build_town, build_village
from builder.pipeline.cache import BuildCache, files_hash, pickled, stat_signature, unpickled
from builder.pipeline.workers import collector_paused, parallel_map
from builder.read.files import Layout, VillageFiles, display_path, scan_layout
from builder.read.git import commit_day
from builder.read.records import ReadMemo
from builder.read.roster import Relative
from builder.read.village import read_county, read_village
from builder.rules import (
    RuleFlags,
    apply_rules,
    latest_of,
    latest_record_date,
    rule_flags,
    village_flags,
    village_record_date,
)

FREEZE_FROM = 40  # villages loaded from the cache (see run_villages)


@dataclass
class Result:
    """What validation gives: the report, and the model when there are no errors."""

    report: Report
    county: model.County | None
    layout: Layout | None = None
    # Every village whose own records passed, even when others failed: the audit trail
    # compares what it can of a revision that had errors.
    towns: tuple[model.Town, ...] = ()
    # The day as of which the publication log and the hand-written pages were checked with the
    # records (sunlight build does, once, before it builds): the site plugin then does not
    # check them again in every shard, nor as of another day than the build's.
    published_checked: dt.date | None = None


@dataclass(frozen=True)
class VillageJob:
    """One village to read, check and model, with everything it inherits."""

    files: VillageFiles
    context: VillageContext
    base: Path
    signature: str  # its files and its context, hashed (cache.stat_signature)
    as_of: dt.date | None = None  # the date the rules judge as of, when given
    # else the last commit's day: the county's date is the later of it and its records' newest
    committed: dt.date | None = None
    rules: bool = True  # whether the supervision rules judge it (see validate)


@dataclass(frozen=True)
class VillageOutcome:
    """What a village's run gives: its area code, its problems, its model if it passed, its name."""

    code: str
    problems: tuple[Problem, ...]
    village: model.Village | None
    name: str = ""
    # when the village passed, its supervision flags: as of the job's date, or without one as
    # of its own (see run_village)
    flags: RuleFlags | None = None


def run_village(job: VillageJob, memo: ReadMemo | None = None) -> VillageOutcome:
    """Read, check and (when there is no error) model one village, and run the rules on it;
    memo: files read before, in another version of the same village (see ReadMemo)."""
    records = read_village(job.files, job.base, memo)
    found = check_village(records, job.context)
    village = None
    if records.village is not None and not any(p.severity is Severity.ERROR for p in found):
        village = replace(build_village(records, job.context), signature=job.signature)
    name = records.village.get("name", "") if records.village is not None else ""
    flags = None
    if village is not None and job.rules:
        # NOTE: in the worker that built the model, not in the parent one village after
        # another with the second core idle (a 600-village county: 5 s of its check). Without
        # a given date the county's is not known yet (its records' newest may be another
        # village's): judged as of this village's own, the parent moves them to the county's
        # (KnownFlags), judging again only the rules that read the date.
        day = job.as_of or latest_of(job.committed, village_record_date(village))
        flags = rule_flags(job.files.town, village, day)
    return VillageOutcome(records.code, tuple(found), village, str(name), flags)


def validate(
    villages_dir: Path,
    base: Path | None = None,
    only: Iterable[Path] | None = None,
    today: dt.date | None = None,
    cache: BuildCache | None = None,
    roster: tuple[Relative, ...] = (),
    memo: ReadMemo | None = None,
    rules: bool = True,
) -> Result:
    """Check every record under villages_dir (or only the villages holding the given paths).

    The supervision rules run on the model too: error-level flags join the report, and every
    flag is kept in `county.flags`, computed as of `today` (default: the last commit's date).
    memo: files read before, in another version of the same records (see ReadMemo); with one,
    the villages are read in this process, none looked up in the cache. rules False: the
    checks and the models only, no rule judges them (a past version in a village's history,
    which only its model is asked of).
    """
    base = base if base is not None else villages_dir.parent
    report = Report()
    selected = Selection.of(villages_dir, only) if only is not None else None
    layout, found = scan_layout(villages_dir, base, selected.holds if selected else None)
    if selected is not None:
        root_rel = display_path(villages_dir, base)
        found = [p for p in found if selected.holds_path(p.where.path, root_rel)]
    report.extend(found)
    county = read_county(layout, display_path(layout.root, base), base, memo)
    committed = commit_day(base) if today is None else None
    jobs: list[VillageJob] = []
    for town_files, town in zip(layout.towns, county.towns, strict=True):
        context = town_context(county, town)
        inherited = files_hash(
            [
                layout.files.get("county.yml"),
                layout.files.get("powers.yml"),
                town_files.files.get("town.yml"),
                town_files.files.get("powers.yml"),
            ]
        )
        for files in town_files.villages:
            if selected is None or selected.holds(files.town, files.slug):
                signature = stat_signature(_village_paths(files), inherited)
                jobs.append(VillageJob(files, context, base, signature, today, committed, rules))
    if memo is None:
        outcomes = run_villages(jobs, cache)
    else:  # NOTE: a memo is of this process: another version of a village, read here
        outcomes = [run_village(job, memo) for job in jobs]
    for outcome in outcomes:
        report.extend(outcome.problems)
    codes = [
        (job.files.town, job.files.dir_rel, outcome.code)
        for job, outcome in zip(jobs, outcomes, strict=True)
    ]
    report.extend(check_county(county, codes))
    names = [
        (job.files.town, job.files.dir_rel, outcome.name)
        for job, outcome in zip(jobs, outcomes, strict=True)
    ]
    report.extend(check_village_names(names))
    if cache is not None and only is None:
        cache.prune("villages")
    county_parameters = parameters_of(county.county, Parameters())
    towns = tuple(
        build_town(
            town,
            parameters_of(town.town, county_parameters),
            tuple(
                outcome.village
                for job, outcome in zip(jobs, outcomes, strict=True)
                if outcome.village is not None and job.files.town == town.slug
            ),
        )
        for town in county.towns
        if town.town is not None
    )
    if county.county is None or report.errors:
        return Result(report, None, layout, towns)
    judged = {
        outcome.village.signature: outcome.flags
        for outcome in outcomes
        if outcome.village is not None and outcome.flags is not None
    }
    flags_of = KnownFlags(judged, cache)
    county_model = build_county(county, towns)
    if not rules:
        return Result(report, county_model, layout, towns)
    as_of = today or latest_of(committed, latest_record_date(county_model))
    county_model = apply_rules(county_model, report, as_of, flags_of, roster)
    if cache is not None and only is None:
        cache.prune("flags")
    return Result(report, county_model, layout, towns)


@dataclass(frozen=True)
class KnownFlags:
    """A village's flags: as its worker judged them (`judged`, by its signature), else from the
    cache by its signature, else judged now; as of another date than they were judged, only
    the rules that read the date are judged again."""

    judged: Mapping[str, RuleFlags] = field(default_factory=dict)
    cache: BuildCache | None = None

    def __call__(
        self, town: model.Town, village: model.Village, as_of: dt.date
    ) -> list[model.Flag]:
        if not village.signature:
            return village_flags(town, village, as_of)
        key = flags_key(village.signature)
        known = self.judged.get(village.signature)
        if known is None and self.cache is not None:
            hit = self.cache.load("flags", key)
            known = hit if isinstance(hit, RuleFlags) else None
        # NOTE: one entry a village, whatever the date: when the date moves (a new month
        # anywhere in the county moves it), only the rules that read it are judged again
        if known is not None:
            judged = known.moved_to(town.slug, village, as_of)
        else:
            judged = rule_flags(town.slug, village, as_of)
        if self.cache is not None:
            if judged is known:  # as its worker stored it, or as loaded
                self.cache.used.add(f"flags/{key}")
            else:
                self.cache.save("flags", key, judged)
        return judged.flags()


def flags_key(signature: str) -> str:
    """The cache key of the flags of a village with this signature."""
    return hashlib.sha256(f"{signature}\0rules".encode()).hexdigest()


def run_villages(jobs: list[VillageJob], cache: BuildCache | None) -> list[VillageOutcome]:
    """Every village's outcome, from the cache when its signature is known."""
    done: dict[int, VillageOutcome] = {}
    if cache is not None:
        # NOTE: the collector stays paused while every village's model is loaded (millions of
        # objects: woken between loads, it walked them all again, 2 s of a rebuild), and the
        # models are then frozen out of its way: they live as long as the process, and the
        # shard processes forked later inherit them without the collector touching their pages
        with collector_paused():
            for i, job in enumerate(jobs):
                hit = cache.load("villages", job.signature)
                if isinstance(hit, VillageOutcome):
                    done[i] = hit
            # NOTE: frozen before the collector wakes: every object made while it slept is
            # young, and its first collection walked them all (a second of a rebuild)
            if len(done) >= FREEZE_FROM:  # a county's build, not a test's or a preview's
                gc.freeze()
    todo = [i for i in range(len(jobs)) if i not in done]
    # NOTE: each worker stores its own outcomes: pickling 600 villages' models again in this
    # process, one after the other, was seconds of a county's check with one core idle
    fresh = parallel_map(
        functools.partial(run_and_keep, cache),
        [jobs[i] for i in todo],
        lasting=len(jobs) >= FREEZE_FROM,
        received=received,
    )
    for i, outcome in zip(todo, fresh, strict=True):
        done[i] = outcome
        if cache is not None and keepable(outcome):
            cache.used.add(f"villages/{jobs[i].signature}")  # stored by another process
    return [done[i] for i in range(len(jobs))]


@dataclass(frozen=True)
class KeptOutcome:
    """A village's outcome as its worker stored it in the cache: the stored bytes, sent on to
    the parent as they are (a model pickled once, not again to cross the pipe), and its flags,
    which are stored apart."""

    pickled: bytes
    flags: RuleFlags | None


def run_and_keep(cache: BuildCache | None, job: VillageJob) -> VillageOutcome | KeptOutcome:
    """run_village(job), its outcome stored in the cache by the job's signature."""
    outcome = run_village(job)
    if cache is None or not keepable(outcome):
        return outcome
    # NOTE: the flags apart, by signature alone, as a later run looks them up (KnownFlags)
    stored = pickled(replace(outcome, flags=None))
    cache.save_pickled("villages", job.signature, stored)
    if outcome.flags is not None:
        cache.save("flags", flags_key(job.signature), outcome.flags)
    return KeptOutcome(stored, outcome.flags)


def received(result: VillageOutcome | KeptOutcome) -> VillageOutcome:
    """A worker's result as the outcome it is."""
    if isinstance(result, VillageOutcome):
        return result
    outcome: VillageOutcome = unpickled(result.pickled)
    return replace(outcome, flags=result.flags)


def keepable(outcome: VillageOutcome) -> bool:
    """Whether an outcome may be reused: not when a file could not be read (giving read
    permission back changes no size or mtime, so the signature would keep returning the stale
    problem)."""
    return not any(p.code == UNREADABLE.code for p in outcome.problems)


def _village_paths(files: VillageFiles) -> list[Path]:
    paths = list(files.files.values())
    for period in files.periods:
        paths.extend(period.files.values())
    return paths


@dataclass(frozen=True)
class Selection:
    """The villages `only` names: a village's folder or files name it, a county or town file
    names every village below it."""

    villages: frozenset[tuple[str, str]]
    towns: frozenset[str]
    everything: bool

    @classmethod
    def of(cls, root: Path, only: Iterable[Path]) -> Selection:
        """The villages the given paths (under root, villages/) select."""
        villages: set[tuple[str, str]] = set()
        towns: set[str] = set()
        everything = False
        for path in only:
            try:
                parts = path.resolve().relative_to(root.resolve()).parts
            except ValueError:
                continue
            if len(parts) >= 2:
                villages.add((parts[0], parts[1]))
            elif parts:
                towns.add(parts[0])
            else:
                everything = True
        return cls(frozenset(villages), frozenset(towns), everything)

    def holds(self, town: str, village: str) -> bool:
        """Whether the village town/village is selected."""
        return self.everything or town in self.towns or (town, village) in self.villages

    def holds_path(self, rel: str, root_rel: str) -> bool:
        """Whether a problem at rel (a display path) concerns a selected village, or the
        county or a town (which concern every village)."""
        parts = rel[len(root_rel) + 1 :].split("/") if rel.startswith(root_rel + "/") else []
        return len(parts) < 3 or self.holds(parts[0], parts[1])
