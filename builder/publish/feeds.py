"""Atom feeds of new and corrected periods: one per village, town and the county (feedgen).

An entry is a period's publication (on its `published_at`) or one of its corrections (on the
correction's date), so a feed reader sees a new month and a changed one alike. Every time in a
feed comes from the records (midnight, UTC+8, of the day written), never from the clock, so
the same records give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from builder import model
from builder.format.values import yuan

CHINA = dt.timezone(dt.timedelta(hours=8))
TOWN_ENTRIES = 60  # the newest entries a town's feed keeps
COUNTY_ENTRIES = 100  # and the county's


@dataclass(frozen=True, order=True)
class Entry:
    """One feed entry; orders newest last by (day, id)."""

    day: dt.date
    id: str
    title: str
    link: str
    summary: str


def title(
    county: model.County, town: model.Town | None = None, village: model.Village | None = None
) -> str:
    """A feed's title, which the pages' <link rel="alternate"> repeats: the county's, a town's
    or a village's."""
    if town is None:
        return county.site_title
    if village is None:
        return f"{county.name}{town.name}三务公开"
    return f"{town.name}{village.name}三务公开"


def village_entries(site_url: str, town: model.Town, village: model.Village) -> list[Entry]:
    """A village's publications and corrections, oldest first."""
    return sorted(
        _entry(site_url, town, village, p, i)
        for p in village.periods
        for i in range(len(p.corrections) + 1)
    )


def newest_entries(
    site_url: str, villages: Iterable[tuple[model.Town, model.Village]], limit: int
) -> list[Entry]:
    """The newest `limit` entries of all the villages' feeds, oldest first: the same entries
    as the tail of all their village_entries sorted together, without writing out the ones
    a town's or the county's feed leaves out (a county holds tens of thousands)."""
    keys = []  # NOTE: entries order by (day, id), and an id is unique
    for town, village in villages:
        for p in village.periods:
            url = f"{site_url}{village.url}{p.period}/"
            keys.append((p.published_at, url, town, village, p, 0))
            for i, c in enumerate(p.corrections, start=1):
                keys.append((c.date, f"{url}#correction-{i}", town, village, p, i))
    newest = heapq.nlargest(limit, keys, key=lambda k: (k[0], k[1]))
    return sorted(_entry(site_url, town, village, p, i) for _, _, town, village, p, i in newest)


def _entry(
    site_url: str, town: model.Town, village: model.Village, p: model.Period, correction: int
) -> Entry:
    """The entry of a period's publication (correction 0) or of its correction-th correction."""
    url = f"{site_url}{village.url}{p.period}/"
    name = f"{town.name}{village.name} {p.period}"
    if not correction:
        return Entry(
            p.published_at,
            url,
            f"{name} 三务公开",
            url,
            f"收入 {yuan(p.income)} 元，支出 {yuan(p.expense)} 元，"
            f"期末余额 {yuan(p.closing.total)} 元。{p.published_at.isoformat()} 公开。",
        )
    c = p.corrections[correction - 1]
    return Entry(
        c.date,
        f"{url}#correction-{correction}",
        f"{name} 已更正",
        f"{url}#corrections",
        f"{c.date.isoformat()} 更正：{c.reason}（批准：{c.approved_by}）",
    )


def atom(feed_url: str, page_url: str, title: str, entries: list[Entry]) -> bytes:
    """An Atom document of the entries, newest first."""
    chosen = sorted(entries)
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(title)
    fg.link(href=feed_url, rel="self")
    fg.link(href=page_url, rel="alternate")
    fg.language("zh-CN")
    fg.generator("Sunlight")
    fg.author({"name": title})
    newest = chosen[-1].day if chosen else dt.date(1970, 1, 1)
    fg.updated(_time(newest))
    for e in chosen:  # each prepended: the newest ends up first
        fe = fg.add_entry()
        fe.id(e.id)
        fe.title(e.title)
        fe.link(href=e.link)
        fe.updated(_time(e.day))
        fe.published(_time(e.day))
        fe.summary(e.summary)
    data: bytes = fg.atom_str(pretty=True)
    return data


def _time(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA)
