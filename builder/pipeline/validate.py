"""Check every record and build the model from those that pass.

Three layers, all collected, never stopping at the first problem:
1. per field, from the declarations in `schema.py` (types, required, choices): `records.py`;
2. per file (voucher numbers, dates inside the period, notice periods): `checks.py`,
   `registers.py`;
3. across files (people named in records, balances carried month to month, power lists
   inherited county → town → village in `powers.py`, personal data and invisible characters
   anywhere, the supervision rules in `rules/`).
This module walks the county, uses the build cache, and assembles the result.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from builder import model
from builder.check.powers import _power_level, _power_list, resolve_powers
from builder.check.village import CountyContext, check_village
from builder.format import problems, schema
from builder.format.accounts import CHARTS
from builder.format.parameters import Parameters
from builder.format.privacy import phone_digits
from builder.format.problems import Location, Problem, Report
from builder.pipeline.cache import BuildCache, files_hash, stat_signature
from builder.read.files import (
    Layout,
    VillageFiles,
    scan_layout,
)
from builder.read.records import Ctx, Rec, Sources, _contacts, scan_texts


def _params(rec: Rec | None, base: Parameters) -> Parameters:
    if rec is None:
        return base
    p = rec.get("parameters")
    if not isinstance(p, Rec):
        return base
    values: dict[str, Any] = {k: v for k, v in p.values.items() if k != "tender_bands"}
    bands = p.get("tender_bands")
    if bands:
        parsed = []
        for band in bands:
            # NOTE: reading drops YAML nulls from lists, so [200000, null, 县…] arrives as two items
            if len(band) == 2:
                band = [band[0], "", band[1]]
            low = Decimal(band[0]) if len(band) > 0 and schema.MONEY_RE.fullmatch(band[0]) else None
            high = (
                Decimal(band[1]) if len(band) > 1 and schema.MONEY_RE.fullmatch(band[1]) else None
            )
            name = band[2] if len(band) > 2 else ""
            if low is not None and name:
                parsed.append((low, high, name))
        values["tender_bands"] = tuple(parsed)
    for key in ("open_methods", "payroll_accounts"):
        if key in values:
            values[key] = tuple(values[key])
    levels = p.get("severity")
    if isinstance(levels, Rec):  # a town changes the rules it names, keeps the county's others
        values["severity"] = tuple(sorted({**dict(base.severity), **levels.values}.items()))
    return Parameters(**{**base.__dict__, **values})


@dataclass
class Result:
    """What validation gives: the report, and the model when there are no errors."""

    report: Report
    county: model.County | None
    layout: Layout | None = None
    # Every village whose own records passed, even when others failed: the audit trail
    # compares what it can of a revision that had errors.
    towns: tuple[model.Town, ...] = ()


def validate(
    villages_dir: Path,
    base: Path | None = None,
    only: Iterable[Path] | None = None,
    today: dt.date | None = None,
    cache: BuildCache | None = None,
) -> Result:
    """Check every record under villages_dir (or only the villages holding the given paths).

    The supervision rules run on the model too: error-level flags join the report, and every
    flag is kept in `county.flags`, computed as of `today` (default: the last commit's date).
    """
    base = base if base is not None else villages_dir.parent
    report = Report()
    layout, found = scan_layout(villages_dir, base)
    selected = _select(layout, only)
    if only is not None:
        found = [p for p in found if _under_selection(p.where.path, layout, selected, base)]
    report.extend(found)
    sources = Sources(base, report.problems)
    county = sources.yaml(layout.files.get("county.yml"), schema.COUNTY)
    county_powers = sources.yaml(layout.files.get("powers.yml"), schema.POWERS)
    phones: set[str] = set()
    for c in _contacts(county):
        phones.add(phone_digits(c.phone))
    chart = county.get("chart", "2023") if county else "2023"
    names_online = county.get("names_online", "masked") if county else "masked"
    county_params = _params(county, Parameters())
    cp_rel = f"{display_path_of(layout.root, base)}/powers.yml"
    county_level = _power_level(
        county_powers, Ctx(cp_rel, report.problems) if county_powers is not None else None
    )
    county_level.inherit = False
    county_lists = resolve_powers(
        {"powers": {}, "negative": {}, "services": {}}, county_level, "县", None
    )
    towns: list[model.Town] = []
    jobs: list[VillageJob] = []
    declared = set(phones)  # for the county's and towns' own files
    town_recs = []
    for tf in layout.towns:
        trec = sources.yaml(tf.files.get("town.yml"), schema.TOWN)
        tpowers = sources.yaml(tf.files.get("powers.yml"), schema.POWERS)
        # a village may name its county's and its town's lines, and its own (checks.py)
        town_phones = phones | {phone_digits(c.phone) for c in _contacts(trec)}
        declared |= town_phones
        tctx = Ctx(f"{tf.dir_rel}/powers.yml", report.problems)
        tlevel = _power_level(tpowers, tctx if tpowers is not None else None)
        town_lists = resolve_powers(county_lists, tlevel, "镇", tctx)
        cc = CountyContext(
            chart,
            (trec.get("names_online") if trec else None) or names_online,
            _params(trec, county_params),
            town_lists,
        )
        context = files_hash(
            [
                layout.files.get("county.yml"),
                layout.files.get("powers.yml"),
                tf.files.get("town.yml"),
                tf.files.get("powers.yml"),
            ]
        )
        for vf in tf.villages:
            if selected is None or (vf.town, vf.slug) in selected:
                jobs.append(VillageJob(vf, cc, town_phones, context))
        town_recs.append((tf, trec, cc))
    checked = check_villages(jobs, sources, cache)
    for tf, trec, cc in town_recs:
        if trec is not None:
            villages = tuple(
                v
                for job, v in zip(jobs, checked, strict=True)
                if v is not None and job.files.town == tf.slug
            )
            towns.append(
                model.Town(
                    tf.slug,
                    trec.get("name", ""),
                    trec.get("code", ""),
                    _contacts(trec),
                    villages,
                    cc.parameters,
                )
            )
    report.extend(scan_texts(sources, declared))
    report.extend(_check_codes(county, towns, layout, base))
    if cache is not None and only is None:
        cache.prune("villages")
    if county is None or report.errors:
        return Result(report, None, layout, tuple(towns))
    site = county.get("site")
    county_model = model.County(
        name=county.get("name"),
        code=county.get("code"),
        site_title=site.get("title"),
        site_url=site.get("url"),
        chart=chart,
        names_online=names_online,
        contacts=_contacts(county),
        towns=tuple(towns),
        parameters=county_params,
        power_list=_power_list(county_lists),
    )
    from builder.rules import apply_rules

    county_model = apply_rules(county_model, report, base, today)
    return Result(report, county_model, layout, tuple(towns))


@dataclass
class VillageJob:
    """One village to check, with everything it inherits."""

    files: VillageFiles
    context: CountyContext
    phones: set[str]
    key_context: str  # what the village inherits, hashed (county and town files, code)
    key: str = ""  # its cache key, once its files are signed (cache.stat_signature)


# NOTE: villages are independent once their county and town are read, so a large county is
# checked by two forked processes (the jobs are inherited, the results come back pickled).
PARALLEL_FROM = 40  # villages; below this, forking costs more than it saves
_JOBS: list[VillageJob] = []
_JOB_STATE: tuple[Path, BuildCache | None] | None = None


def check_villages(
    jobs: list[VillageJob], sources: Sources, cache: BuildCache | None
) -> list[model.Village | None]:
    """Check every village (in parallel when there are many); problems join sources.out."""
    global _JOBS, _JOB_STATE
    # Unchanged villages come straight from the cache (sending them through a worker would
    # only pickle them twice); the others are checked here or, when many, by two processes.
    done: dict[int, tuple[list[Problem], model.Village | None]] = {}
    if cache is not None:
        for i, j in enumerate(jobs):
            j.key = stat_signature(_village_paths(j.files), j.key_context)
            hit = cache.load("villages", j.key)
            if hit is not None:
                done[i] = hit
    todo = [i for i in range(len(jobs)) if i not in done]
    workers = min(2, os.cpu_count() or 1)
    if len(todo) < PARALLEL_FROM or workers < 2 or "fork" not in mp.get_all_start_methods():
        for i in todo:
            j, local = jobs[i], Sources(sources.base, [])
            done[i] = (local.out, _check_one(j, local, cache))
    else:
        _JOBS, _JOB_STATE = [jobs[i] for i in todo], (sources.base, cache)
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                chunk = max(1, len(todo) // (workers * 8))
                results = pool.map(_check_job, range(len(todo)), chunksize=chunk)
        finally:
            _JOBS, _JOB_STATE = [], None
        for i, (found, village, used) in zip(todo, results, strict=True):
            done[i] = (found, village)
            if cache is not None:
                cache.used |= used
    villages = []
    for i in range(len(jobs)):
        found, village = done[i]
        sources.out.extend(found)
        villages.append(village)
    return villages


def _check_job(index: int) -> tuple[list[Problem], model.Village | None, set[str]]:
    assert _JOB_STATE is not None
    base, cache = _JOB_STATE
    job = _JOBS[index]
    local = Sources(base, [])
    before = set(cache.used) if cache is not None else set()
    village = _check_one(job, local, cache)
    used = (cache.used - before) if cache is not None else set()
    return local.out, village, used


def _check_one(job: VillageJob, sources: Sources, cache: BuildCache | None) -> model.Village | None:
    """Check one village and store its problems and model in the cache under job.key.

    Its text is scanned here, with the phone numbers declared for it (county, town and its
    own), so that the result depends on nothing outside the village and its context.
    """
    start, mark = len(sources.out), len(sources.texts)
    phones = set(job.phones)
    village: model.Village | None = check_village(job.files, job.context, sources, phones)
    text_sources = Sources(sources.base, sources.out, sources.texts[mark:])
    sources.out.extend(scan_texts(text_sources, phones))
    del sources.texts[mark:]
    if village is not None and job.key:
        village = replace(village, signature=job.key)
    if cache is not None:
        cache.save("villages", job.key, (sources.out[start:], village))
    return village


def _village_paths(vf: VillageFiles) -> list[Path]:
    paths = list(vf.files.values())
    for period in vf.periods:
        paths.extend(period.files.values())
    return paths


def display_path_of(path: Path, base: Path) -> str:
    from builder.read.files import display_path

    return display_path(path, base)


def _check_codes(
    county: Rec | None, towns: list[model.Town], layout: Layout, base: Path
) -> Iterator[Problem]:
    """Area codes are unique, and a village's code starts with its town's (as does a town's)."""
    seen: dict[str, str] = {}
    county_code = county.get("code", "") if county else ""
    for town in towns:
        town_rel = f"{display_path_of(layout.root, base)}/{town.slug}/town.yml"
        if county_code and town.code and not town.code.startswith(county_code[:6]):
            yield problems.CODE_PREFIX.at(
                Location(town_rel),
                "code",
                field_zh="区划代码",
                value=town.code,
                prefix=county_code[:6],
            )
        for village in town.villages:
            rel = f"{village.src_dir}/village.yml"
            if village.code in seen:
                yield problems.DUPLICATE_CODE.at(
                    Location(rel),
                    "code",
                    field_zh="区划代码",
                    value=village.code,
                    other=seen[village.code],
                )
            seen.setdefault(village.code, rel)
            if town.code and not village.code.startswith(town.code[:9]):
                yield problems.CODE_PREFIX.at(
                    Location(rel),
                    "code",
                    field_zh="区划代码",
                    value=village.code,
                    prefix=town.code[:9],
                )


def _select(layout: Layout, only: Iterable[Path] | None) -> set[tuple[str, str]] | None:
    if only is None:
        return None
    root = layout.root.resolve()
    chosen: set[tuple[str, str]] = set()
    for path in only:
        try:
            parts = path.resolve().relative_to(root).parts
        except ValueError:
            continue
        if len(parts) >= 2:
            chosen.add((parts[0], parts[1]))
        else:  # a county or town file touches every village below it
            for v in layout.villages():
                if not parts or v.town == parts[0]:
                    chosen.add((v.town, v.slug))
    return chosen


def _under_selection(
    rel: str, layout: Layout, selected: set[tuple[str, str]] | None, base: Path
) -> bool:
    if selected is None:
        return True
    root = display_path_of(layout.root, base)
    parts = rel[len(root) + 1 :].split("/") if rel.startswith(root + "/") else []
    if len(parts) < 3:
        return True
    return (parts[0], parts[1]) in selected


__all__ = ["CHARTS", "Result", "validate"]
