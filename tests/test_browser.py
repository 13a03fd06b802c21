"""The built site in Debian's headless Chromium at phone size, as a villager sees it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    browser_missing,
    chromium,
    foreign_requests,
    phone_page,
    record_requests,
    serve_directory,
)
from conftest import make_project

from builder.pipeline.validate import validate
from builder.publish.build import build_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing())),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    project = make_project(tmp_path_factory.mktemp("browser") / "project")
    result = validate(project / "villages", project)
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    with serve_directory(project / "site") as base, chromium() as browser:
        yield base, browser


def wait_results(page: Any) -> str:
    """The status line once the search has finished, its first page of results listed too."""
    # NOTE: the count is shown before the first page of links arrives; the "more" button is
    # re-enabled when that page is in the list.
    page.wait_for_function(
        "(() => { const s = document.querySelector('.sunlight-status');"
        " if (!s || !s.textContent || /正在搜索/.test(s.textContent)) return false;"
        " if (!/^找到/.test(s.textContent)) return true;"
        " const more = document.querySelector('.sunlight-more');"
        " return !!more && !more.disabled; })()"
    )
    return str(page.text_content(".sunlight-status"))


def test_village_page_on_a_phone_requests_nothing_elsewhere(served: tuple[str, Any]) -> None:
    base, browser = served
    page = phone_page(browser)
    requests = record_requests(page)
    page.goto(base + "chengguan/dongshan/")
    page.wait_for_load_state("networkidle")
    assert foreign_requests(requests) == []
    assert page.text_content("h1") == "东山村（城关镇）"
    assert page.is_visible("text=0539-6210000")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    # the power list's steps are drawn as a flowchart
    page.click("summary:has-text('村级重大事项决策')")
    assert page.locator(".sl-flow li").first.is_visible()


def test_chinese_search_finds_the_period(served: tuple[str, Any]) -> None:
    base, browser = served
    page = phone_page(browser)
    requests = record_requests(page)
    page.goto(base)
    page.fill("#sunlight-search input[name=q]", "村道硬化")
    page.click("#sunlight-search button[type=submit]")
    assert wait_results(page).startswith("找到")
    links = page.eval_on_selector_all(".sunlight-list a", "as => as.map(a => a.href.split('#')[0])")
    assert base + "chengguan/dongshan/2026-10/" in links
    assert base + "chengguan/xiwan/2026-09/" not in links
    assert foreign_requests(requests) == []


def test_search_inside_a_compound_word(served: tuple[str, Any]) -> None:
    """低保 must find 低保金 (代发低保金 in 2026-10) and the 低保 notice in 2026-09."""
    base, browser = served
    page = phone_page(browser)
    page.goto(base + "search/?q=" + "低保")
    assert wait_results(page).startswith("找到")
    links = page.eval_on_selector_all(".sunlight-list a", "as => as.map(a => a.href.split('#')[0])")
    assert base + "chengguan/dongshan/2026-10/" in links
    assert base + "chengguan/dongshan/2026-09/" in links


def test_village_search_is_scoped_to_the_village(served: tuple[str, Any]) -> None:
    base, browser = served
    page = phone_page(browser)
    page.goto(base + "chengguan/xiwan/")
    assert page.is_checked(".sunlight-scope input")
    page.fill("#sunlight-search input[name=q]", "管理费用")
    page.click("#sunlight-search button[type=submit]")
    wait_results(page)
    links = page.eval_on_selector_all(".sunlight-list a", "as => as.map(a => a.href.split('#')[0])")
    assert links and all(link.startswith(base + "chengguan/xiwan/") for link in links)
    page.uncheck(".sunlight-scope input")
    wait_results(page)
    everywhere = page.eval_on_selector_all(
        ".sunlight-list a", "as => as.map(a => a.href.split('#')[0])"
    )
    assert any("/dongshan/" in link for link in everywhere)


def test_period_page_reads_without_javascript(served: tuple[str, Any]) -> None:
    base, browser = served
    page = phone_page(browser, java_script_enabled=False)
    page.goto(base + "chengguan/dongshan/2026-10/")
    assert page.is_visible("text=支付村道硬化工程尾款")
    assert page.is_visible("text=341,900.50") or page.is_visible("text=342,700.50")


def test_qr_poster_prints_on_one_a4_page(served: tuple[str, Any], tmp_path: Path) -> None:
    base, browser = served
    page = phone_page(browser)
    page.goto(base + "chengguan/dongshan/qr/")
    page.wait_for_load_state("networkidle")
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one sheet for the noticeboard
    (tmp_path / "poster.pdf").write_bytes(pdf)
    page.emulate_media(media="print")
    assert not page.is_visible(".md-header")
    assert page.is_visible(".sl-poster-qr")
