"""Roll-ups (builder/publish/rollup.py): town and county totals against the villages' own files.

The expected figures are added up here from each village's newest ledger.csv and
disclosure.yml, and looked for on the rendered town and home pages.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from builder import model
from builder.format.values import yuan
from builder.pipeline.validate import validate
from builder.publish.render import Renderer, flags_by_village
from builder.publish.rollup import county_rollup, town_rollup

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def county() -> model.County:
    result = validate(ROOT / "villages", ROOT)
    assert result.county is not None
    return result.county


def newest(village_dir: Path) -> tuple[str, Decimal, Decimal, Decimal]:
    """A village folder's newest period: its name, income, spending and closing balance."""
    folder = max(p for p in village_dir.iterdir() if re.fullmatch(r"\d{4}-\d{2}", p.name))
    with (folder / "ledger.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    closing = yaml.safe_load((folder / "disclosure.yml").read_text("utf-8"))["closing"]
    return (
        folder.name,
        sum((Decimal(r["income"]) for r in rows if r["income"]), Decimal(0)),
        sum((Decimal(r["expense"]) for r in rows if r["expense"]), Decimal(0)),
        Decimal(str(closing["cash"])) + Decimal(str(closing["bank"])),
    )


def test_town_and_county_totals_are_the_sum_of_the_villages(county: model.County) -> None:
    flags = flags_by_village(county)
    pages = Renderer(county).render().pages
    grand = [Decimal(0)] * 3
    for town in county.towns:
        rows, total = town_rollup(town, flags)
        expected = [Decimal(0)] * 3
        for row, village in zip(rows, town.villages, strict=True):
            name, *figures = newest(ROOT / "villages" / town.slug / village.slug)
            assert (row.period, row.income, row.expense, row.balance) == (name, *figures)
            expected = [a + b for a, b in zip(expected, figures, strict=True)]
            mine = [f for f in county.flags if (f.town, f.village) == (town.slug, village.slug)]
            assert sum(row.flags) == len(mine)
        assert [total.income, total.expense, total.balance] == expected
        assert total.villages == len(town.villages)
        assert sum(total.flags) == sum(1 for f in county.flags if f.town == town.slug)
        page = pages[f"{town.slug}/index.md"]
        foot = page.split("sl-total", 1)[1]
        for figure in expected:
            assert f">{yuan(figure)}<" in foot
        grand = [a + b for a, b in zip(grand, expected, strict=True)]
    towns, whole = county_rollup(county, flags)
    assert [whole.income, whole.expense, whole.balance] == grand
    assert whole.villages == sum(len(t.villages) for t in county.towns)
    assert sum(whole.flags) == len(county.flags)
    assert [t.name for t in towns] == [t.name for t in county.towns]
    home = pages["index.md"].split('id="rollup"', 1)[1]
    for figure in grand:
        assert f">{yuan(figure)}<" in home.split("sl-total", 1)[1]


def test_a_village_behind_shows_its_own_month(county: model.County) -> None:
    town = county.towns[0]
    behind = town.villages[0]
    late = replace(behind, periods=behind.periods[:-1])
    town = replace(town, villages=(late, *town.villages[1:]))
    rows, total = town_rollup(town, {})
    assert rows[0].period == behind.periods[-2].period < total.period
    assert (total.published, total.villages) == (len(town.villages) - 1, len(town.villages))
    assert total.income == sum((r.income for r in rows), Decimal(0))
