"""Time: finance published on time (R1) and villagers' topics answered on time (R29)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from builder import model
from builder.format.problems import Location
from builder.format.values import month_bounds, month_index, period_at
from builder.rules.base import Scope, rule, short


# --- publication status (R1 and the county status page) -----------------------------------------
@dataclass(frozen=True)
class Unit:
    """One month (or quarter) a village must publish, and what happened to it."""

    key: int
    label: str
    label_en: str
    start: dt.date
    end: dt.date
    due: dt.date
    periods: tuple[model.Period, ...]
    status: str  # on-time / late / missing / pending / before (the village's first period)

    @property
    def published_at(self) -> dt.date | None:
        """Return the latest day any of the unit's periods was published, if one was."""
        return max((p.published_at for p in self.periods), default=None)

    @property
    def days_late(self) -> int:
        """Count the days the unit was published after its due date."""
        pub = self.published_at
        return (pub - self.due).days if pub is not None else 0


STATUS_ZH = {
    "on-time": "按时",
    "late": "逾期",
    "missing": "未公开",
    "pending": "未到期",
    "before": "—",
}


def _unit_key(period: str, quarterly: bool) -> int:
    """A period's month (quarter) as a count, so that units subtract."""
    months = month_index(period)
    return months // 3 if quarterly else months


def _unit_bounds(key: int, quarterly: bool) -> tuple[dt.date, dt.date, str, str]:
    """A unit's first and last day and its labels (Chinese, English)."""
    if quarterly:
        year, quarter0 = divmod(key, 4)
        start, _ = month_bounds(period_at(key * 3))
        _, end = month_bounds(period_at(key * 3 + 2))
        return start, end, f"{year}年第{quarter0 + 1}季度", f"{year} Q{quarter0 + 1}"
    period = period_at(key)
    start, end = month_bounds(period)
    return start, end, period, period


def publication_units(village: model.Village, as_of: dt.date, recent: int = 0) -> list[Unit]:
    """Every month (quarter) from the village's first period to the last one ended by as_of.

    With `recent`, only the last `recent` ended units (also for a village with no period yet).
    """
    params = village.parameters
    quarterly = params.finance_cadence == "quarterly"
    by_key: dict[int, list[model.Period]] = {}
    for period in village.periods:
        by_key.setdefault(_unit_key(period.period, quarterly), []).append(period)
    last = _unit_key(f"{as_of.year}-{as_of.month:02d}", quarterly) - 1  # the last ended unit
    begun = min(by_key) if by_key else last - max(recent, 1) + 1
    first = last - recent + 1 if recent else begun
    units = []
    for key in range(first, last + 1):
        start, end, label, label_en = _unit_bounds(key, quarterly)
        due = end + dt.timedelta(days=params.grace_days)
        periods = tuple(by_key.get(key, ()))
        published = max((x.published_at for x in periods), default=None)
        if published is not None:
            status = "on-time" if published <= due else "late"
        elif key < begun:
            status = "before"  # before the village's first period on this site
        else:
            status = "missing" if due < as_of else "pending"
        units.append(Unit(key, label, label_en, start, end, due, periods, status))
    return units


@rule(
    "R1",
    "warning",
    ("finance_cadence", "grace_days"),
    "财务按期公开",
    "Finance published on time",
    "财务收支至少每月（或每季度）公开一次；迟报、漏报，群众就看不到钱的去向。",
    "Finance must be published every month (or quarter); late or missing periods hide where "
    "the money went.",
    "村民委员会组织法第30条；农村集体经济组织财务公开规定",
)
def check_publication(scope: Scope) -> Iterator[model.Flag]:
    """Flag finance periods missing or published late (R1)."""
    units = publication_units(scope.village, scope.as_of)
    grace = scope.params.grace_days
    run: list[Unit] = []
    for unit in [*units, None]:
        if unit is not None and unit.status == "missing":
            run.append(unit)
            continue
        if run:
            first_missing, last_missing = run[0], run[-1]
            span, span_en = (
                (first_missing.label, first_missing.label_en)
                if first_missing is last_missing
                else (
                    f"{first_missing.label} 至 {last_missing.label}",
                    f"{first_missing.label_en} to {last_missing.label_en}",
                )
            )
            yield scope.flag(
                Location(scope.village.src_dir),
                f"{span} 共 {len(run)} 期财务公开，截至 {scope.as_of} 未见记录"
                f"（最早一期应在 {first_missing.due} 前公开）。",
                f"No finance disclosure for {span_en} ({len(run)} periods) by {scope.as_of}; "
                f"the first was due by {first_missing.due}.",
            )
            run = []
        if unit is not None and unit.status == "late":
            last = max(unit.periods, key=lambda x: x.published_at)
            yield scope.flag(
                Location(scope.path("disclosure.yml", last.period), last.published_line),
                f"{unit.label} 的财务于 {unit.published_at} 公开，期末后 {grace} 天的期限是 "
                f"{unit.due}，晚了 {unit.days_late} 天。",
                f"{unit.label_en} was published on {unit.published_at}, {unit.days_late} days "
                f"after the deadline {unit.due} ({grace} days after the period).",
                period=last.period,
            )


@rule(
    "R29",
    "warning",
    ("reply_days",),
    "点题未按时答复",
    "Topic not answered in time",
    "村民点题要求公开的事项，村两委应在规定天数内答复；拖着不答，点题栏就形同虚设。",
    "A topic villagers ask to see must be answered within the set days, or the topic box is "
    "for show.",
    "邱县“答村民问”；四川省村务公开条例",
    levels="W/I",
)
def check_topics(scope: Scope) -> Iterator[model.Flag]:
    """Flag topics answered late or not at all (R29)."""
    limit = scope.params.reply_days
    for topic in scope.village.topics:
        at = Location(scope.path("topics.yml"), topic.line)
        if topic.answered_at is None:
            days = (scope.as_of - topic.asked_at).days
            if days > limit:
                yield scope.flag(
                    at,
                    f"点题 {topic.id}“{short(topic.question)}”于 {topic.asked_at} 提出，"
                    f"截至 {scope.as_of} 已 {days} 天，尚未答复（期限 {limit} 天）。",
                    f"Topic {topic.id}, asked on {topic.asked_at}, is unanswered after {days} days "
                    f"(the limit is {limit}).",
                    ref=topic.id,
                )
        elif (topic.answered_at - topic.asked_at).days > limit:
            days = (topic.answered_at - topic.asked_at).days
            yield scope.flag(
                at,
                f"点题 {topic.id}“{short(topic.question)}”{topic.asked_at} 提出，"
                f"{topic.answered_at} 才答复，用了 {days} 天（期限 {limit} 天）。",
                f"Topic {topic.id} took {days} days to answer (the limit is {limit}).",
                ref=topic.id,
                period=topic.period,
                level="info",
            )
