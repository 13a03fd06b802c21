"""Time, for the other kinds of 三务: village affairs (R33) and party affairs (R34) published at
their county's cadence, meetings held as often as the county says (R35), and a major matter's
decision posted within the set days (R36).

A cadence is a number of months (3: at least once a quarter, in calendar quarters); an item
counts for the window its own date falls in, and is on time when a period carrying it was
published within `grace_days` of the window's end (as finance is, R1).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from builder import model
from builder.format.problems import Location
from builder.format.values import month_bounds, month_index, period_at
from builder.rules.base import Scope, rule, short


@dataclass(frozen=True)
class Window:
    """A run of `months` months a village must publish an item of one kind in."""

    label: str
    label_en: str
    start: dt.date
    end: dt.date
    due: dt.date
    published_at: dt.date | None  # the first publication of an item of the window
    period: str  # the period folder that published it
    line: int | None
    status: str  # on-time / late / missing / pending


def affair_windows(
    village: model.Village, kind: str, months: int, grace: int, as_of: dt.date
) -> list[Window]:
    """Every window from the village's first period to the last whose due date has come."""
    if not village.periods or months < 1:
        return []
    found: dict[int, tuple[dt.date, str, int | None]] = {}
    for period in village.periods:
        for affair in getattr(period, kind):
            key = month_index(f"{affair.date.year}-{affair.date.month:02d}") // months
            seen = found.get(key)
            if seen is None or period.published_at < seen[0]:
                found[key] = (period.published_at, period.period, period.published_line)
    first = month_index(village.periods[0].period) // months
    last = month_index(f"{as_of.year}-{as_of.month:02d}") // months - 1  # the last ended
    out = []
    for key in range(first, last + 1):
        start, _ = month_bounds(period_at(key * months))
        _, end = month_bounds(period_at(key * months + months - 1))
        due = end + dt.timedelta(days=grace) if end < dt.date.max - dt.timedelta(grace) else end
        label, label_en = _labels(key, months)
        published, folder, line = found.get(key, (None, "", None))
        if published is not None:
            status = "on-time" if published <= due else "late"
        else:
            status = "missing" if due < as_of else "pending"
        out.append(Window(label, label_en, start, end, due, published, folder, line, status))
    return out


def _labels(key: int, months: int) -> tuple[str, str]:
    first, last = period_at(key * months), period_at(key * months + months - 1)
    if months == 3:
        year, quarter = divmod(key, 4)
        return f"{year}年第{quarter + 1}季度", f"{year} Q{quarter + 1}"
    if months == 1:
        return first, first
    return f"{first} 至 {last}", f"{first} to {last}"


KINDS = {
    "R33": ("village_affairs", "village_affairs_months", "村务", "village affairs"),
    "R34": ("party_affairs", "party_affairs_months", "党务", "party affairs"),
}


def _affair_flags(scope: Scope, rid: str) -> Iterator[model.Flag]:
    kind, param, zh, en = KINDS[rid]
    months = getattr(scope.params, param)
    grace = scope.params.grace_days
    for w in affair_windows(scope.village, kind, months, grace, scope.as_of):
        if w.status == "missing":
            yield scope.flag(
                Location(scope.village.src_dir),
                f"{w.label}没有{zh}公开（每 {months} 个月至少一次，最迟 {w.due} 公开），"
                f"截至 {scope.as_of} 未见记录。",
                f"No {en} published for {w.label_en} (at least once every {months} months, "
                f"due by {w.due}) by {scope.as_of}.",
            )
        elif w.status == "late":
            yield scope.flag(
                Location(scope.path("disclosure.yml", w.period), w.line),
                f"{w.label} 的{zh}于 {w.published_at} 才公开，期限是 {w.due}，"
                f"晚了 {(w.published_at - w.due).days if w.published_at else 0} 天。",
                f"The {en} of {w.label_en} were published on {w.published_at}, after {w.due}.",
                period=w.period,
            )


@rule(
    "R33",
    "warning",
    ("village_affairs_months", "grace_days"),
    "村务按期公开",
    "Village affairs published on time",
    "村务至少每季度公开一次；隔得太久，村民就不知道村里在办什么事。",
    "Village affairs must be published at least every quarter, or villagers cannot follow "
    "what the village is doing.",
    "村民委员会组织法第30条；各地村务公开条例",
)
def check_village_affairs(scope: Scope) -> Iterator[model.Flag]:
    """Flag quarters (or the county's cadence) without village affairs, or published late."""
    return _affair_flags(scope, "R33")


@rule(
    "R34",
    "warning",
    ("party_affairs_months", "grace_days"),
    "党务按期公开",
    "Party affairs published on time",
    "党务公开有固定的频次；长期不公开，党员和群众无从监督。",
    "Party affairs have a set cadence; long silences leave members and villagers unable to "
    "supervise.",
    "中国共产党党务公开条例（试行）",
)
def check_party_affairs(scope: Scope) -> Iterator[model.Flag]:
    """Flag windows without party affairs, or published late."""
    return _affair_flags(scope, "R34")


@rule(
    "R36",
    "warning",
    ("decision_publish_days",),
    "重大事项决议未及时公开",
    "Major decision not posted in time",
    "村民代表会议的决议要在规定天数内张榜公开，群众才来得及提出异议。",
    "A decision must be posted within the set days so villagers can still object.",
    "四议两公开工作法；宁海“36条”",
)
def check_decision_posted(scope: Scope) -> Iterator[model.Flag]:
    """Flag decisions posted (step 5) more than the set days after they were taken (step 4)."""
    limit = scope.params.decision_publish_days
    for decision in scope.village.decisions:
        taken, posted = decision.step(4), decision.step(5)
        if taken is None:
            continue
        at = Location(scope.path("decisions.yml"), (posted or taken).line)
        days = ((posted.date if posted else scope.as_of) - taken.date).days
        if days <= limit:
            continue
        if posted is None:
            yield scope.flag(
                at,
                f"{decision.id}“{short(decision.matter)}”于 {taken.date} 决议，截至 {scope.as_of} "
                f"已 {days} 天，还没有决议公开（期限 {limit} 天）。",
                f"{decision.id}, decided on {taken.date}, is not posted after {days} days "
                f"(the limit is {limit}).",
                ref=decision.id,
            )
        else:
            yield scope.flag(
                at,
                f"{decision.id}“{short(decision.matter)}”{taken.date} 决议，{posted.date} 才公开，"
                f"用了 {days} 天（期限 {limit} 天）。",
                f"{decision.id} was posted {days} days after the decision (the limit is {limit}).",
                ref=decision.id,
            )


@rule(
    "R35",
    "warning",
    ("meeting_days",),
    "会议未按期召开",
    "Meeting not held on schedule",
    "村情发布会、群众说事日等会议是村民当面问事的渠道；长期不开，村民有话无处说。",
    "Meetings such as the 村情发布会 and 群众说事日 are where villagers ask in person; when they "
    "stop, villagers have nowhere to speak.",
    "郯城“村情发布会”；习水“村务联席会议”“群众说事日”",
)
def check_meetings(scope: Scope) -> Iterator[model.Flag]:
    """Flag each stretch longer than the county's days without a meeting of a kind (R35)."""
    village = scope.village
    if not village.periods:
        return
    start, _ = month_bounds(village.periods[0].period)  # held from the first period on
    for kind, days in scope.params.meeting_days:
        held = [m for m in village.meetings if m.kind == kind and m.date >= start]
        marks = [start, *(m.date for m in held), scope.as_of]
        for i, (since, until) in enumerate(itertools.pairwise(marks)):
            gap = (until - since).days
            if gap <= days:
                continue
            if i < len(held):  # the meeting that ended the gap came late
                late = held[i]
                yield scope.flag(
                    Location(scope.path("meetings.yml"), late.line),
                    f"{kind}应每 {days} 天至少召开一次，{since} 之后到 {late.date} 才召开"
                    f"（{late.id}），相隔 {gap} 天。",
                    f"A {kind} is due every {days} days; after {since} the next was on "
                    f"{late.date} ({late.id}), {gap} days later.",
                    ref=late.id,
                )
            else:
                yield scope.flag(
                    Location(scope.path("meetings.yml") if held else village.src_dir),
                    f"{kind}应每 {days} 天至少召开一次，自 {since} 起截至 {scope.as_of} 已 {gap} 天"
                    "没有召开记录。",
                    f"A {kind} is due every {days} days; none is recorded in the {gap} days "
                    f"from {since} to {scope.as_of}.",
                )
