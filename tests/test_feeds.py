"""Atom feeds (builder/publish/feeds.py): each parses as a feed reader reads it (feedparser) and
lists the right entries: every period and correction of a village, the newest of a town's and
the county's villages, newest first.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser

from builder import model
from builder.pipeline.validate import validate
from builder.publish.feeds import (
    COUNTY_ENTRIES,
    TOWN_ENTRIES,
    newest_entries,
    village_entries,
)
from builder.publish.render import Renderer

ROOT = Path(__file__).resolve().parent.parent


def render(villages: Path, base: Path) -> tuple[model.County, dict[str, bytes]]:
    result = validate(villages, base, today=dt.date(2026, 12, 20))
    assert result.county is not None, result.report.rows("path", "line", "code")
    return result.county, Renderer(result.county).render().files


def parse(data: bytes) -> feedparser.FeedParserDict:
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def expected(county: model.County, villages: list[model.Village]) -> list[tuple[str, str]]:
    """(day, link) of every period and correction of these villages, newest first."""
    out = []
    for v in villages:
        for p in v.periods:
            url = f"{county.site_url}{v.url}{p.period}/"
            out.append((p.published_at.isoformat(), url))
            out += [(c.date.isoformat(), url + "#corrections") for c in p.corrections]
    return sorted(out, reverse=True)


def listed(feed: feedparser.FeedParserDict) -> list[tuple[str, str]]:
    return [(e.updated[:10], e.link) for e in feed.entries]


def test_village_town_and_county_feeds_list_the_right_entries() -> None:
    county, files = render(ROOT / "villages", ROOT)
    everyone: list[model.Village] = []
    for town in county.towns:
        for v in town.villages:
            feed = parse(files[f"{v.url}feed.xml"])
            assert listed(feed) == expected(county, [v])
            assert feed.feed.link == county.site_url + v.url
        everyone += town.villages
        feed = parse(files[f"{town.slug}/feed.xml"])
        want = expected(county, list(town.villages))
        assert len(feed.entries) == min(len(want), TOWN_ENTRIES)
        assert sorted(listed(feed), reverse=True) == listed(feed)
        assert set(listed(feed)) <= set(want)
        assert listed(feed)[-1][0] >= want[len(feed.entries) - 1][0]  # the newest ones
    feed = parse(files["feed.xml"])
    want = expected(county, everyone)
    assert len(feed.entries) == min(len(want), COUNTY_ENTRIES)
    assert set(listed(feed)) <= set(want)
    assert listed(feed)[0][0] == want[0][0]


def test_a_correction_is_an_entry_and_the_bytes_do_not_depend_on_the_clock(
    project: Path,
) -> None:
    path = project / "villages/chengguan/dongshan/2026-10/disclosure.yml"
    path.write_text(
        path.read_text("utf-8")
        + "corrections:\n  - {date: 2026-11-10, reason: 第2行金额录入错误, approved_by: 李秀英}\n",
        encoding="utf-8",
    )
    _, files = render(project / "villages", project)
    feed = parse(files["chengguan/dongshan/feed.xml"])
    first = feed.entries[0]
    assert first.title.endswith("2026-10 已更正") and first.updated.startswith("2026-11-10")
    assert "第2行金额录入错误" in first.summary
    assert feed.feed.updated.startswith("2026-11-10")
    _, again = render(project / "villages", project)
    assert again["feed.xml"] == files["feed.xml"]


def test_newest_entries_are_the_tail_of_every_village_feed_sorted_together() -> None:
    """A town's and the county's feeds pick their newest entries without writing out every
    village's: the same entries, in the same order, as sorting every village's feed together,
    for every cut (corrections included: the example county has them)."""
    result = validate(ROOT / "villages", ROOT, today=dt.date(2026, 12, 20))
    assert result.county is not None
    county = result.county
    pairs = [(town, v) for town in county.towns for v in town.villages]
    everything = sorted(e for t, v in pairs for e in village_entries(county.site_url, t, v))
    assert any("#correction-" in e.id for e in everything)
    for limit in (1, 2, 7, len(everything) - 1, len(everything), len(everything) + 5):
        assert newest_entries(county.site_url, pairs, limit) == everything[-limit:]
