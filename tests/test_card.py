"""The 明白卡 (card.html): every village's card prints on one A4 sheet, printed to PDF by
Debian's Chromium as a clerk's browser would; so does a card with a long 一村一单.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from browser import browser_missing, chromium

from builder import model
from builder.pipeline.validate import validate
from builder.publish.render import Renderer

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing())),
]


def pages(browser: Any, html: bytes, tmp: Path) -> tuple[int, list[float]]:
    """Print the card to PDF: its page count and the first page's size in points."""
    path = tmp / "card.html"
    path.write_bytes(html)
    page = browser.new_page()
    page.goto(path.as_uri())
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    page.close()
    box = re.search(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)
    assert box is not None
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf)), [float(x) for x in box[1].split()]


def test_every_card_prints_on_one_a4_sheet(tmp_path: Path) -> None:
    result = validate(ROOT / "villages", ROOT)
    assert result.county is not None
    renderer = Renderer(result.county)
    with chromium() as browser:
        for town in result.county.towns:
            for village in town.villages:
                html = renderer.card(town, village, result.county.site_url + village.url)
                text = html.decode("utf-8")
                assert all(s.name in text for s in village.power_list.services)
                assert all(n.text in text for n in village.power_list.negative)
                count, box = pages(browser, html, tmp_path)
                assert count == 1, village.name
                assert box[2:] == pytest.approx([842, 595], abs=2)  # A4, landscape
        # a long 一村一单: 30 powers, 15 services, 15 negative items still fit, smaller
        town = result.county.towns[0]
        village = town.villages[0]
        pl = village.power_list
        long = replace(
            pl,
            powers=tuple(replace(pl.powers[i % len(pl.powers)], id=f"Q{i}") for i in range(30)),
            services=tuple(replace(pl.services[i % len(pl.services)]) for i in range(15)),
            negative=tuple(model.Negative(f"N{i}", f"不准第{i}件事") for i in range(15)),
        )
        crowded = replace(village, power_list=long)
        count, _ = pages(browser, renderer.card(town, crowded, "https://example.org/"), tmp_path)
        assert count == 1
