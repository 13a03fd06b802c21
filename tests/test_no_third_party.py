"""No request ever leaves the site, even in an old WebView that lacks ResizeObserver.

Material's JavaScript bundle fetches a polyfill from a public CDN where `ResizeObserver` is
missing (old Android WebViews, WeChat's older browser), so the site ships without it: these
tests build tests/data/good, check that no page links the bundle, then browse it in Chromium
with `ResizeObserver` deleted before any script runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import browser_missing, chromium, phone_page, record_requests, serve_directory
from conftest import make_project

from builder.pipeline.validate import validate
from builder.publish.build import build_site

browser_test = pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
# NOTE: runs before any of the page's scripts, as an old WebView without the API would be
NO_RESIZE_OBSERVER = "delete window.ResizeObserver;"
PAGES = [
    "",  # home
    "chengguan/dongshan/",  # a village
    "chengguan/dongshan/2026-10/",  # a period
    "search/?q=" + "村道硬化",  # the search page with a query
]


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("third-party") / "project")
    result = validate(project / "villages", project)
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    return project / "site"


@pytest.fixture(scope="module")
def served(built_site: Path) -> Iterator[tuple[str, Any]]:
    with serve_directory(built_site) as base, chromium() as browser:
        yield base, browser


def old_webview_page(browser: Any) -> Any:
    """A phone page whose browser has no ResizeObserver."""
    page = phone_page(browser)
    page.add_init_script(NO_RESIZE_OBSERVER)
    return page


def elsewhere(requests: list[Any], base: str) -> list[str]:
    """The URLs of requests to any host but the local server (data: and about: are local)."""
    own = urlsplit(base).netloc
    return [
        r.url
        for r in requests
        if urlsplit(r.url).scheme not in ("data", "about", "blob") and urlsplit(r.url).netloc != own
    ]


def test_no_page_loads_material_javascript(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "bundle." not in html, path
        assert "assets/javascripts/" not in html, path
        assert 'id="__config"' not in html, path
    assert not (built_site / "assets" / "javascripts").exists()
    # our own search client still comes with the pages that have a search box
    script = next((built_site / "assets").glob("search.*.js")).name
    assert f'src="../../assets/{script}"' in (
        built_site / "chengguan/dongshan/index.html"
    ).read_text(encoding="utf-8")


def test_no_script_names_another_host(built_site: Path) -> None:
    """Whatever a page or stylesheet loads is relative: no http(s) URL in src, href or url()."""
    loads = re.compile(r'\b(?:src|href)="(https?:)?//|url\((["\']?)(https?:)?//')
    for path in sorted(built_site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        # the canonical link names the site's own address; no browser fetches it
        text = re.sub(r'<link rel="canonical" href="[^"]*">', "", text)
        assert not loads.search(text), (path, loads.search(text))


@pytest.mark.browser
@browser_test
@pytest.mark.parametrize("url", PAGES)
def test_old_webview_requests_only_the_site(served: tuple[str, Any], url: str) -> None:
    base, browser = served
    page = old_webview_page(browser)
    requests = record_requests(page)
    page.goto(base + url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.ResizeObserver") == "undefined"
    assert requests, "the page made no request at all"
    assert elsewhere(requests, base) == []
    assert not [r.url for r in requests if "/assets/javascripts/" in r.url]
    if url.startswith("search/"):  # and the search still works there
        page.wait_for_selector(".sunlight-list a")
        links = page.eval_on_selector_all(
            ".sunlight-list a", "as => as.map(a => a.href.split('#')[0])"
        )
        assert base + "chengguan/dongshan/2026-10/" in links


@pytest.mark.browser
@browser_test
def test_phone_drawer_opens_without_javascript_bundle(served: tuple[str, Any]) -> None:
    """Material's drawer is a CSS checkbox: the menu button opens it, a link in it navigates."""
    base, browser = served
    page = old_webview_page(browser)
    page.goto(base + "chengguan/dongshan/2026-10/")
    link = page.locator(".md-sidebar--primary a.md-nav__link[href$='about/']")
    assert not link.is_visible() or not link.evaluate(
        "a => a.getBoundingClientRect().right > 0"
    )  # off screen, left of the page
    page.click("label.md-header__button[for=__drawer]")
    page.wait_for_function("document.getElementById('__drawer').checked")
    link.wait_for(state="visible")
    page.wait_for_function(
        "(() => { const r = document.querySelector(\".md-sidebar--primary a[href$='about/']\")"
        ".getBoundingClientRect(); return r.left >= 0 && r.right <= 360; })()"
    )
    link.click()
    page.wait_for_url(base + "about/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.browser
@browser_test
def test_print_sheet_prints_without_javascript_bundle(served: tuple[str, Any]) -> None:
    base, browser = served
    page = old_webview_page(browser)
    requests = record_requests(page)
    page.goto(base + "chengguan/dongshan/2026-10/print/")
    page.wait_for_load_state("networkidle")
    assert page.is_visible("h1:has-text('东山村')")
    pdf = page.pdf(format="A4", print_background=True)
    assert re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert elsewhere(requests, base) == []
