"""Every page type of the example county on a 360 × 740 phone, as an elderly villager reads it:
nothing wider than the screen at 100 % and 200 % text, records as cards, no stray front
matter, 0 axe-core violations, 44 px tap targets, a 大字 switch that stays on, findable."""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import browser_missing, chromium, phone_page, serve_directory
from conftest import make_project
from PIL import Image, ImageChops

from builder.pipeline.validate import validate
from builder.publish.build import build_site
from builder.publish.search import HELP_MESSAGE, plan_query

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing())),
    # one worker runs the whole module under `make test` (pytest -n 2 --dist loadgroup): one
    # build and one Chromium, not one of each per worker
    pytest.mark.xdist_group("phone"),
]

AXE = Path(__file__).parent / "fixtures" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
VILLAGE = "chengguan/dongshan/"
# one page of each type the site has
PAGES = {
    "home": "",
    "search": "search/",
    "status": "status/",
    "log": "log/",
    "town": "chengguan/",
    "village": VILLAGE,
    "period": VILLAGE + "2026-10/",
    "contracts": VILLAGE + "contracts/",
    "decisions": VILLAGE + "decisions/",
    "topics": VILLAGE + "topics/",
    "qr": VILLAGE + "qr/",
    "history": VILLAGE + "history/",
    "print sheet": VILLAGE + "2026-10/print/",
    "about": "about/",
    "rules": "rules/",
    "witness": "witness/",
    "guide": "guide/",
    "codes": "codes/",
}
# How wide the page is, and which elements stick out of a 360 px screen (the drawer, closed
# off-screen to the left, does not count: it is not on the screen).
WIDTH = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > 361 && r.left >= 0) out.push(e.tagName + '.' + e.className);
  }
  for (const e of document.querySelectorAll('.sl-scroll, pre'))
    if (e.scrollWidth > e.clientWidth + 1) out.push('scrolls sideways: ' + e.className);
  return [document.documentElement.scrollWidth, out.slice(0, 5)];
}"""
# The records a villager reads first, and the page's own text without its menus
TEXT = "() => document.querySelector('article') ? document.querySelector('article').innerText : document.body.innerText"


@functools.cache
def axe_script() -> str:
    """The vendored axe-core, read and checked once for the module's pages."""
    script = AXE.read_bytes()
    assert hashlib.sha256(script).hexdigest() == AXE_SHA256, "the vendored axe-core changed"
    return script.decode("utf-8")


def pixels(png: bytes) -> Image.Image:
    """A screenshot's pixels (two PNGs of the same pixels may differ in their bytes)."""
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGB")


def same_picture(a: Image.Image, b: Image.Image) -> bool:
    """Whether two screenshots show the same thing: no pixel differs by more than a few levels
    (a fading overlay scrollbar can tint a corner by one level; content moved sideways changes
    edges by far more)."""
    if a.size != b.size:
        return False
    bands = ImageChops.difference(a, b).getextrema()  # (low, high) per channel
    return all(isinstance(band, tuple) and band[1] <= 4 for band in bands)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Path]]:
    project = make_project(tmp_path_factory.mktemp("phone") / "project")
    result = validate(project / "villages", project)
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    with serve_directory(project / "site") as base, chromium() as browser:
        yield base, browser, project / "site"


@pytest.fixture(scope="module")
def phone(site: tuple[str, Any, Path]) -> Iterator[Any]:
    """One phone tab for the module's tests (a fresh context: empty storage, no cache)."""
    page = phone_page(site[1])
    yield page
    page.context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_the_screen_and_passes_axe(
    site: tuple[str, Any, Path], phone: Any, name: str
) -> None:
    base, _, _ = site
    phone.goto(base + PAGES[name])
    text = phone.evaluate(TEXT)
    # stray front matter ("--- ---", "title: …") never shows
    assert not re.search(r"^\s*-{3}|^(title|description):", text, re.M), text[:200]
    assert "{{" not in text and "{%" not in text
    # 0 axe-core violations (contrast, links told apart from text, names, landmarks...)
    phone.add_script_tag(content=axe_script())
    violations = phone.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"
    )
    assert violations == [], name
    for percent in (100, 200):
        phone.evaluate(f"document.documentElement.style.fontSize = '{percent}%'")
        width, sticking_out = phone.evaluate(WIDTH)
        assert (width, sticking_out) == (360, []), f"{name} at {percent} %"
    # the screenshot scrolled as far right as it goes is the screenshot not scrolled
    phone.evaluate("window.scrollTo(0, 0)")
    left = pixels(phone.screenshot(animations="disabled"))
    phone.evaluate("window.scrollTo(10000, 0)")
    right = pixels(phone.screenshot(animations="disabled"))
    assert same_picture(right, left), f"{name} scrolls sideways"
    assert phone.evaluate("window.scrollX") == 0


def _card_text(page: Any, row: str) -> list[str]:
    """What each shown cell of a card (row: a script giving its <tr>) reads, with the
    stylesheet's words around it (收入 …, … 元, a heading)."""
    texts: list[str] = page.evaluate(
        f"[...{row}.children].filter(c => c.offsetParent !== null).map(c => "
        "[getComputedStyle(c, '::before').content, c.innerText, getComputedStyle(c, '::after')"
        ".content].map(t => t === 'none' ? '' : t.replace(/^\"|\"$/g, '')).join(''))"
    )
    return texts


def test_ledger_rows_are_cards_on_a_phone_and_a_table_wide_and_on_paper(
    site: tuple[str, Any, Path], phone: Any
) -> None:
    base, browser, _ = site
    phone.goto(base + VILLAGE + "2026-10/")
    row = "document.querySelector('.sl-ledger tbody tr')"
    assert phone.evaluate(f"getComputedStyle({row}).display") == "flex"
    # what the card shows: each cell's text with the stylesheet's words around it (收入, 元)
    card = "\n".join(_card_text(phone, row))
    # date, what, amount with 元 and 收入/支出 in words (not only colour), who; all on screen
    assert re.search(r"10月8日", card) and "支付村道硬化工程尾款" in card
    assert re.search(r"支出\s*11,000\.00\s*元", card), card
    assert "临沂市宏达路桥公司" in card
    right = phone.evaluate(
        f"Math.max(...[...{row}.children].map(c => c.getBoundingClientRect().right))"
    )
    assert right <= 360
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(base + VILLAGE + "2026-10/")
    assert wide.evaluate(f"getComputedStyle({row}).display") == "table-row"
    wide.emulate_media(media="print")
    phone.emulate_media(media="print")
    assert phone.evaluate(f"getComputedStyle({row}).display") == "table-row"
    phone.emulate_media(media="screen")
    wide.close()


def test_big_text_switch_persists_and_fits(site: tuple[str, Any, Path]) -> None:
    base, browser, _ = site
    page = phone_page(browser)
    page.goto(base + VILLAGE)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('article')).fontSize)")
    page.click(".sl-big-toggle")
    assert page.get_attribute(".sl-big-toggle", "aria-pressed") == "true"
    page.goto(base + VILLAGE + "2026-10/")  # another page, the next visit: still large
    bigger = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('article')).fontSize)"
    )
    assert bigger >= size * 1.19
    assert page.get_attribute(".sl-big-toggle", "aria-pressed") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") == 360
    page.click(".sl-big-toggle")
    page.reload()
    assert "sl-big" not in (page.get_attribute("html", "class") or "")
    page.context.close()


def test_tap_targets_are_44_px(site: tuple[str, Any, Path], phone: Any) -> None:
    base, _, _ = site
    small = []
    for url in (VILLAGE, VILLAGE + "2026-10/", "log/", "status/"):
        phone.goto(base + url)
        small += phone.evaluate(
            """() => [...document.querySelectorAll(
                 '.sl-crumbs a, .sl-toc a, .sl-pager a, .sl-table a, .sl-links a, button, '
                 + 'summary, input[type=search], .md-header__button')]
               .filter(e => e.offsetParent !== null)
               .map(e => [e.getBoundingClientRect(), e.outerHTML.slice(0, 60)])
               .filter(([r]) => r.height < 44 || r.width < 44)
               .map(([r, h]) => Math.round(r.width) + 'x' + Math.round(r.height) + ' ' + h)"""
        )
    assert small == []


def test_long_pages_have_a_contents_bar_and_the_village_lists_its_households(
    site: tuple[str, Any, Path], phone: Any
) -> None:
    base, _, _ = site
    phone.goto(base + VILLAGE + "2026-10/")
    bar = phone.locator("nav.sl-toc a")
    assert bar.all_inner_texts()[0] == "财务"
    assert phone.evaluate("document.querySelector('nav.sl-toc').getBoundingClientRect().top") < 740
    phone.goto(base + VILLAGE)
    households = phone.locator("#households + p + div").inner_text()
    assert "陈*芳" in households and "陈小芳" not in households
    assert re.search(r"580\.00\s*元/月", households)


def test_every_page_describes_itself(site: tuple[str, Any, Path]) -> None:
    _, _, root = site
    for name, url in PAGES.items():
        html = (root / url / "index.html").read_text(encoding="utf-8")
        found = re.search(r'<meta name="description" content="([^"]+)"', html)
        assert found and len(found.group(1)) >= 10, name


def test_search_knows_villagers_words_masked_names_and_registers(
    site: tuple[str, Any, Path], phone: Any
) -> None:
    base, _, root = site
    index = root / "search"
    # 修路: the records say 村道硬化; 低保: 最低生活保障 too
    assert VILLAGE + "2026-10/" in plan_query(index, "修路").urls
    assert VILLAGE + "contracts/" in plan_query(index, "宏达路桥").urls
    assert VILLAGE + "2026-09/" in plan_query(index, "陈*芳").urls
    assert plan_query(index, "").message == HELP_MESSAGE
    phone.goto(base + "search/?q=" + "陈*芳")
    phone.wait_for_function("document.querySelector('.sunlight-list a')")
    link = phone.get_attribute(".sunlight-list a", "href") or ""
    assert link.endswith("2026-09/#:~:text=%E9%99%88*%E8%8A%B3"), link
    # a snippet of the matching text, the match marked, and the link opens at it
    phone.goto(base + "search/?q=" + "修路")
    phone.wait_for_function("document.querySelector('.sunlight-snippet mark')")
    first = phone.locator(".sunlight-list li").first
    assert first.locator("mark").inner_text() in ("修路", "道路", "硬化", "维修")
    assert "#:~:text=" in (first.locator("a").get_attribute("href") or "")
    phone.fill("input[name=q]", "")
    phone.click("button[type=submit]")
    assert phone.inner_text(".sunlight-status") == HELP_MESSAGE


def test_a_hand_written_page_s_table_is_cards_on_a_phone_and_a_table_wide(
    site: tuple[str, Any, Path], phone: Any
) -> None:
    """The clerk's guide's field tables (five columns) squeezed into 360 px broke field names
    mid-word and Chinese one character a line: on a phone each row is a card, its name, Chinese
    name and 必填 on the first line, each longer cell on a line of its own after its heading."""
    base, browser, _ = site
    phone.goto(base + "guide/")
    row = "[...document.querySelectorAll('.sl-md tbody tr')].find(r => r.innerText.includes('households'))"
    assert phone.evaluate(f"getComputedStyle({row}).display") == "flex"
    lines = "|".join(_card_text(phone, row))
    assert lines == "households|户数|选填|填写方式 整数", lines
    # the field name and the short cells each on one line; the card within the screen
    one_line = """el => { const r = document.createRange(); r.selectNodeContents(el);
        return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size === 1; }"""
    cells = f"[...{row}.children].slice(0, 3)"
    assert phone.evaluate(f"{cells}.every({one_line})")
    right = phone.evaluate(
        f"Math.max(...[...{row}.children].map(c => c.getBoundingClientRect().right))"
    )
    assert right <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(base + "guide/")
    assert wide.evaluate(f"getComputedStyle({row}).display") == "table-row"
    assert wide.evaluate(f"{cells}.every({one_line})")  # 必填, not 必/填
    wide.close()
