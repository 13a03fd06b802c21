"""The charts (builder/publish/charts.py): their figures against the ledger files themselves.

The expected figures are summed here straight from each period's ledger.csv and
disclosure.yml, not from the model, so a chart that drew the wrong month, dropped a row or
mapped an account to the wrong word fails. The bars are read back out of the SVG.
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from builder import model
from builder.format.accounts import CATEGORIES
from builder.format.values import month_index, yuan
from builder.pipeline.validate import validate
from builder.publish import charts

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def county() -> model.County:
    result = validate(ROOT / "villages", ROOT)
    assert result.county is not None
    return result.county


def ledger(village: model.Village, period: str) -> list[dict[str, str]]:
    path = ROOT / "villages" / village.town_slug / village.slug / period / "ledger.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# what each first-level expense account pays for, written out again here (2023 chart)
WORDS = {
    "212": "工资补贴", "213": "工资补贴", "151": "工程建设", "153": "工程建设",
    "513": "办公", "514": "公益", "511": "经营", "512": "税费",
}  # fmt: skip


def test_spending_chart_adds_up_each_ledger_by_plain_word(county: model.County) -> None:
    seen = set()
    for village in county.villages():
        for period in village.periods:
            expected: dict[str, Decimal] = {}
            for row in ledger(village, period.period):
                if row["expense"]:
                    word = WORDS.get(row["account_code"][:3], "其他")
                    expected[word] = expected.get(word, Decimal(0)) + Decimal(row["expense"])
            chart = charts.spending(period)
            assert chart is not None
            rows = dict(chart.rows)
            assert rows.pop("合计") == yuan(sum(expected.values(), Decimal(0)))
            assert rows == {k: yuan(v) for k, v in expected.items()}
            assert [r[0] for r in chart.rows[:-1]] == [c for c in CATEGORIES if c in expected]
            # the bars: as long as their amount, relative to the largest
            bars = [float(r.get("width", 0)) for r in ET.fromstring(chart.svg).iter(SVG + "rect")]
            top = max(expected.values())
            for bar, (_, value) in zip(bars, period.by_category, strict=True):
                assert bar == pytest.approx(max(float(value / top) * 160, 1.0), abs=0.06)
            seen |= set(expected)
    assert {"工资补贴", "工程建设", "办公", "公益"} <= seen  # the example shows the main words


def test_months_chart_is_each_months_ledger_totals(county: model.County) -> None:
    village = next(county.villages())
    last = village.periods[-1]
    chart = charts.months(village, last)
    assert len(chart.rows) == min(12, len(village.periods))
    for name, income, expense in chart.rows:
        rows = ledger(village, name)
        assert income == yuan(sum((Decimal(r["income"]) for r in rows if r["income"]), Decimal(0)))
        assert expense == yuan(
            sum((Decimal(r["expense"]) for r in rows if r["expense"]), Decimal(0))
        )
    # the bars are drawn to one scale: heights in the ratio of the amounts
    rects = [
        (r.get("fill"), float(r.get("height", 0)))
        for r in ET.fromstring(chart.svg).iter(SVG + "rect")
        if float(r.get("height", 0)) > 10 or r.get("y") != "4"
    ]
    incomes = [h for fill, h in rects if fill == charts.INCOME_COLOUR]
    figures = [p.income for p in village.periods[-12:]]
    ratio = incomes[0] / float(figures[0])
    for h, v in zip(incomes, figures, strict=True):
        assert h == pytest.approx(float(v) * ratio, abs=0.1)


def test_months_chart_leaves_a_missing_month_empty(county: model.County) -> None:
    village = next(county.villages())
    gap = village.periods[-3].period
    holed = replace(village, periods=tuple(p for p in village.periods if p.period != gap))
    chart = charts.months(holed, holed.periods[-1])
    assert (gap, "未公开", "未公开") in chart.rows
    assert len(chart.rows) == min(12, len(village.periods))


def test_balance_chart_is_each_closing_balance(county: model.County) -> None:
    for village in county.villages():
        chart = charts.balance(village, village.periods[-1])
        expected = []
        for p in village.periods[-36:]:
            folder = ROOT / "villages" / village.town_slug / village.slug / p.period
            closing = yaml.safe_load((folder / "disclosure.yml").read_text("utf-8"))["closing"]
            expected.append(
                (p.period, yuan(Decimal(str(closing["cash"])) + Decimal(str(closing["bank"]))))
            )
        assert list(chart.rows) == expected
        points = ET.fromstring(chart.svg).findall(SVG + "circle")
        assert len(points) == len(expected)


def test_charts_are_small_deterministic_and_script_free(county: model.County) -> None:
    village = next(county.villages())
    for period in village.periods:
        first = charts.period_charts(village, period)
        again = charts.period_charts(village, period)
        assert [c.svg for c in first] == [c.svg for c in again]
        for chart in first:
            assert len(chart.svg.encode()) < 4000
            root = ET.fromstring(chart.svg)  # well-formed XML
            tags = {el.tag.removeprefix(SVG) for el in root.iter()}
            assert tags <= {"svg", "title", "text", "rect", "line", "polyline", "circle"}
            assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)


def test_a_shared_timeline_draws_what_each_period_alone_draws(county: model.County) -> None:
    # a village with a gap of months, its periods given newest first: the timeline sorts them
    village = next(county.villages())
    gap = village.periods[len(village.periods) // 2].period
    holed = replace(village, periods=tuple(p for p in reversed(village.periods) if p.period != gap))
    timeline = charts.Timeline.of(holed)
    assert list(timeline.months) == sorted(month_index(p.period) for p in holed.periods)
    for period in holed.periods:
        last = month_index(period.period)
        for first in (last - 36 + 1, last - 12 + 1, last, last + 1):
            expected = sorted(
                (month_index(p.period), p.period)
                for p in holed.periods
                if first <= month_index(p.period) <= last
            )
            got = [(m, p.period) for m, p in timeline.between(first, last)]
            assert got == expected
        shared = charts.period_charts(holed, period, timeline)
        alone = charts.period_charts(replace(holed, periods=holed.periods[::-1]), period)
        assert [c.svg for c in shared] == [c.svg for c in alone]


@given(st.lists(st.floats(allow_nan=False, min_value=-1e6, max_value=1e6), max_size=50))
@example([0.0, -0.0, -0.04, 0.04, -0.0, 0.0])
@example([0.05, 0.05, 0.15, 0.15, 2.25, 2.25])
def test_a_coordinate_is_written_alike_the_first_time_and_after(xs: list[float]) -> None:
    for x in xs + xs:
        text = f"{x:.1f}"
        assert charts._n(x) == (text[:-2] if text.endswith(".0") else text)
