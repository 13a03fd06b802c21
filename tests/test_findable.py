"""The new pages are found where people look, in the built example county: feed readers find each
page's Atom feed in its <head> (`<link rel="alternate">`), and a reader who starts at the home
page and follows links reaches 三务按时公开, 数据下载, a village's 会议记录 and its 明白卡."""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, make_project

from builder import model
from builder.pipeline.validate import validate
from builder.publish.build import build_site
from builder.publish.feeds import COUNTY_ENTRIES, TOWN_ENTRIES

try:
    from test_feeds import expected, listed
except ImportError:  # tests/ became a package
    from tests.test_feeds import expected, listed  # type: ignore[no-redef]

TODAY = dt.date(2026, 12, 20)


class Links(HTMLParser):
    """A page's <a href>s, and the feeds its <head> announces: (title, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.feeds: list[tuple[str, str]] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        elif tag == "link" and a.get("rel") == "alternate" and self.in_head:
            assert a.get("type") == "application/atom+xml"
            self.feeds.append((a.get("title", ""), a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def links(site: Path, path: str) -> Links:
    parser = Links()
    parser.feed((site / path).read_text(encoding="utf-8"))
    return parser


def target(path: str, href: str) -> str | None:
    """The site file a relative link from the page file at path leads to (None: off the site,
    or an anchor on the same page)."""
    href = href.split("#", 1)[0].split("?", 1)[0]
    if not href or "://" in href or href.startswith(("mailto:", "tel:", "/")):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), href))
    if joined.startswith(".."):
        return None
    return joined + "/index.html" if href.endswith("/") or joined == "." else joined


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[model.County, Path]]:
    project = make_project(tmp_path_factory.mktemp("findable") / "project", ROOT / "villages")
    result = validate(project / "villages", project, today=TODAY)
    assert result.county is not None
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    yield result.county, project / "site"


def _feed(site: Path, page: str) -> tuple[str, feedparser.FeedParserDict]:
    found = links(site, page).feeds
    assert len(found) == 1, (page, found)
    title, href = found[0]
    path = target(page, href)
    assert path is not None and (site / path).is_file(), (page, href)
    feed = feedparser.parse((site / path).read_bytes())
    assert not feed.bozo and feed.version == "atom10", (page, feed.get("bozo_exception"))
    assert feed.feed.title == title  # the link names the feed it points at
    return path, feed


def test_home_town_and_village_heads_link_their_own_feed(built: tuple[model.County, Path]) -> None:
    county, site = built
    everyone = [v for town in county.towns for v in town.villages]
    path, feed = _feed(site, "index.html")
    assert path == "feed.xml"
    assert listed(feed) == expected(county, everyone)[:COUNTY_ENTRIES]
    for town in county.towns:
        path, feed = _feed(site, f"{town.slug}/index.html")
        assert path == f"{town.slug}/feed.xml"
        assert listed(feed) == expected(county, list(town.villages))[:TOWN_ENTRIES]
        for v in town.villages:
            path, feed = _feed(site, f"{v.url}index.html")
            assert path == f"{v.url}feed.xml"
            assert listed(feed) == expected(county, [v]) and feed.entries
            # period pages stay light: no feed link in their head
            assert links(site, f"{v.url}{v.periods[-1].period}/index.html").feeds == []


def test_following_links_from_the_home_page_reaches_every_new_kind_of_page(
    built: tuple[model.County, Path],
) -> None:
    county, site = built
    seen = {"index.html": 0}
    queue = ["index.html"]
    while queue:  # breadth first, at most two clicks from the home page
        page = queue.pop(0)
        if seen[page] == 2:
            continue
        for href in links(site, page).hrefs:
            path = target(page, href)
            if path and path.endswith(".html") and path not in seen and (site / path).is_file():
                seen[path] = seen[page] + 1
                queue.append(path)
    assert seen.get("ontime/index.html") == 1 and seen.get("data/index.html") == 1
    for v in county.villages():
        assert seen.get(f"{v.url}card/index.html") == 2, v.name
        assert seen.get(f"{v.url}data/index.html") == 2, v.name
        if v.meetings:
            assert seen.get(f"{v.url}meetings/index.html") == 2, v.name
    assert any(v.meetings for v in county.villages())
    # and the words say what they are, in the page itself (not only the menu)
    home = (site / "index.html").read_text(encoding="utf-8")
    body = home[home.index('class="sl-page sl-home"') :]
    assert ">三务按时公开</a>" in body and ">数据下载</a>" in body
    for town in county.towns:
        page = (site / f"{town.slug}/index.html").read_text(encoding="utf-8")
        assert f'href="../ontime/#{town.slug}"' in page
