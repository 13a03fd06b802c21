"""Published means "in the log": what the public site may show.

A period is published once the publication log carries it (`log update` logs a period only from
its `published_at` on). Until then it is a draft: no fingerprint, no print sheet, no page on the
public site; a preview shows it marked 草稿. A project without a log yet falls back to the
date: `published_at` on or before the day the records are judged for (the last commit's day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from builder import model
from builder.audit import log
from builder.audit.snapshot import LOG_NAME
from builder.pipeline.validate import Result


def logged_keys(villages_dir: Path) -> set[tuple[str, str]] | None:
    """(village code, period) of every logged period; None when there is no log."""
    path = villages_dir.resolve().parent / LOG_NAME
    if not path.is_file():
        return None
    entries, _ = log.parse(path.read_text(encoding="utf-8"), LOG_NAME)
    return set(log.latest(entries))


def drafts(county: model.County, villages_dir: Path) -> list[tuple[model.Village, model.Period]]:
    """The periods that are not published yet."""
    logged = logged_keys(villages_dir)
    day = county.as_of or dt.date.max
    return [
        (village, period)
        for village in county.villages()
        for period in village.periods
        if (
            (village.code, period.period) not in logged
            if logged is not None
            else period.published_at > day
        )
    ]


def _with_periods(
    result: Result, keep: Callable[[model.Village, model.Period], model.Period | None]
) -> Result:
    county = result.county
    assert county is not None
    towns = tuple(
        dataclasses.replace(
            town,
            villages=tuple(
                dataclasses.replace(
                    village,
                    periods=tuple(
                        q for q in (keep(village, p) for p in village.periods) if q is not None
                    ),
                )
                for village in town.villages
            ),
        )
        for town in county.towns
    )
    return dataclasses.replace(result, county=dataclasses.replace(county, towns=towns))


def marked(result: Result, villages_dir: Path) -> Result:
    """The result with every draft period kept but marked (what a clerk's preview shows)."""
    return _drafts_as(result, villages_dir, lambda p: dataclasses.replace(p, draft=True))


def public(result: Result, villages_dir: Path) -> Result:
    """The result with every draft period left out (what the public site is built from)."""
    return _drafts_as(result, villages_dir, lambda p: None)


def _drafts_as(
    result: Result, villages_dir: Path, draft: Callable[[model.Period], model.Period | None]
) -> Result:
    """The result with draft(period) in place of each draft period."""
    county = result.county
    if county is None:
        return result
    hidden = {(v.code, p.period) for v, p in drafts(county, villages_dir)}
    if not hidden:
        return result
    return _with_periods(result, lambda v, p: draft(p) if (v.code, p.period) in hidden else p)
