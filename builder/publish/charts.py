"""Static SVG charts of a village's money, drawn at build time: no script, same input same bytes.

Three charts, each with the same figures as a small table (for screen readers and for anyone
who wants the exact yuan): a month's spending by plain category (the account chart mapped to
words villagers use, `format/accounts.py`), income and spending over the twelve months up to a
period, and the closing balance over time. The drawing is a few string templates on a fixed
320-unit-wide canvas that scales to the page, so text stays readable on a 360 px phone and in
print; the model supplies every figure (`model.Period.by_category`, `income`, `expense`).
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from builder import model
from builder.format.values import month_index, period_at, yuan

WIDTH = 320
INCOME_COLOUR = "#1565c0"  # blue: dark in grey print
EXPENSE_COLOUR = "#ef6c00"  # orange: light in grey print
TEXT_COLOUR = "#333"
GRID_COLOUR = "#ddd"
MONTHS = 12  # the income and spending chart's window
BALANCE_MONTHS = 36  # the balance chart's longest window


@dataclass(frozen=True)
class Chart:
    """One chart: its anchor, title, SVG markup and the same figures as table rows."""

    id: str
    title: str
    svg: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def height(self) -> int:
        """The drawing's height in canvas units (its width is WIDTH), for the page's `<img>`."""
        found = re.search(r'viewBox="0 0 \d+ (\d+)"', self.svg)
        assert found, "every chart is drawn by _svg"
        return int(found.group(1))

    @property
    def file_name(self) -> str:
        """The chart's own static file, named by a hash of its bytes so a phone never keeps a
        stale copy: the page shows it with a lazy `<img>`, so a first visit does not fetch it."""
        digest = hashlib.sha256(self.svg.encode()).hexdigest()[:10]
        return f"{self.id}.{digest}.svg"


@dataclass(frozen=True)
class Timeline:
    """A village's periods by month count (month_index), oldest first: made once for the charts
    of all its periods, each of which looks back over the others (a village's 36 periods each
    counted the months of all 36 again, a tenth of the charts' time)."""

    months: tuple[int, ...]
    periods: tuple[model.Period, ...]

    @classmethod
    def of(cls, village: model.Village) -> Timeline:
        # NOTE: by month, as village.periods are (oldest first); sorted again all the same,
        # since the look-ups below bisect them
        pairs = sorted((month_index(p.period), i) for i, p in enumerate(village.periods))
        return cls(tuple(m for m, _ in pairs), tuple(village.periods[i] for _, i in pairs))

    def between(self, first: int, last: int) -> list[tuple[int, model.Period]]:
        """The periods from month count first to last (both included), oldest first."""
        lo = bisect.bisect_left(self.months, first)
        hi = bisect.bisect_right(self.months, last)
        return list(zip(self.months[lo:hi], self.periods[lo:hi], strict=True))


def period_charts(
    village: model.Village, period: model.Period, timeline: Timeline | None = None
) -> list[Chart]:
    """The charts of one period: its spending, the twelve months to it, the balance to it;
    timeline: the village's (Timeline.of), when the caller draws many of its periods."""
    timeline = timeline or Timeline.of(village)
    charts = [months(village, period, timeline), balance(village, period, timeline)]
    spent = spending(period)
    return ([spent] if spent is not None else []) + charts


# --- the three charts ----------------------------------------------------------------------------
def spending(period: model.Period) -> Chart | None:
    """This period's spending by plain category, as horizontal bars; None when nothing was spent."""
    items = period.by_category
    if not items:
        return None
    title = f"{period.period} 支出去向（元）"
    rows = (*((name, yuan(value)) for name, value in items), ("合计", yuan(period.expense)))
    return Chart("chart-spending", title, hbars(title, items), ("类别", "支出（元）"), rows)


def months(village: model.Village, period: model.Period, timeline: Timeline | None = None) -> Chart:
    """Income and spending of each of the twelve months up to this period; gaps stay empty."""
    last = month_index(period.period)
    held = dict((timeline or Timeline.of(village)).between(last - MONTHS + 1, last))
    window = [(period_at(i), held.get(i)) for i in range(last - MONTHS + 1, last + 1)]
    first = next((i for i, (_, p) in enumerate(window) if p is not None), len(window) - 1)
    window = window[first:]  # nothing before the village's first period
    title = f"{window[0][0]} 至 {period.period} 每月收入和支出（元）"
    rows = tuple(
        (name, yuan(p.income), yuan(p.expense)) if p is not None else (name, "未公开", "未公开")
        for name, p in window
    )
    bars = [
        (name, p.income, p.expense) if p is not None else (name, None, None) for name, p in window
    ]
    return Chart(
        "chart-months", title, vbars(title, bars), ("月份", "收入（元）", "支出（元）"), rows
    )


def balance(
    village: model.Village, period: model.Period, timeline: Timeline | None = None
) -> Chart:
    """The closing balance (cash and bank) of every period up to this one, at most 36 months."""
    last = month_index(period.period)
    held = (timeline or Timeline.of(village)).between(last - BALANCE_MONTHS + 1, last)
    points = [(p.period, p.closing.total) for _, p in held]
    title = f"{points[0][0]} 至 {period.period} 期末余额（元）"
    rows = tuple((name, yuan(value)) for name, value in points)
    at = [month for month, _ in held]
    return Chart("chart-balance", title, line(title, points, at), ("月份", "期末余额（元）"), rows)


# --- drawing ---------------------------------------------------------------------------------------
def hbars(title: str, items: tuple[tuple[str, Decimal], ...]) -> str:
    """Horizontal bars, one row per label, the whole yuan written at each bar's end."""
    row, label_w, bar_w = 26, 72, 160
    top = max((v for _, v in items), default=Decimal(0))
    parts = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = _scaled(value, top, bar_w) if top > 0 else 0.0
        parts.append(
            f'<text x="0" y="{y + 17}">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{_n(max(w, 1.0))}" height="16" '
            f'fill="{EXPENSE_COLOUR}"/>'
            f'<text x="{_n(label_w + max(w, 1.0) + 4)}" y="{y + 17}">{_whole(value)}</text>'
        )
    return _svg(title, 8 + len(items) * row, "".join(parts))


def vbars(title: str, bars: Sequence[tuple[str, Decimal | None, Decimal | None]]) -> str:
    """Income and spending side by side per month, a scale on the left, a legend on top."""
    left, right, top, bottom = 44, 316, 26, 150
    peak = max((v for _, a, b in bars for v in (a, b) if v is not None), default=Decimal(0))
    scale = _nice(float(peak))
    scale_top = Decimal(str(scale))
    parts = [_legend(left), _grid(left, right, top, bottom, 0.0, scale)]
    slot = (right - left) / max(len(bars), MONTHS // 2)
    bar = min(9.0, slot / 2 - 2)
    for i, (name, income, expense) in enumerate(bars):
        x = left + i * slot + slot / 2
        for value, colour, dx in (
            (income, INCOME_COLOUR, -bar - 0.5),
            (expense, EXPENSE_COLOUR, 0.5),
        ):
            if value is not None:
                h = _scaled(value, scale_top, bottom - top)
                parts.append(
                    f'<rect x="{_n(x + dx)}" y="{_n(bottom - h)}" width="{_n(bar)}" '
                    f'height="{_n(h)}" fill="{colour}"/>'
                )
        month = int(name[5:])
        parts.append(
            f'<text x="{_n(x)}" y="{bottom + 14}" text-anchor="middle" font-size="10">{month}月</text>'
        )
        if month == 1 or i == 0:
            parts.append(
                f'<text x="{_n(x)}" y="{bottom + 26}" text-anchor="middle" font-size="9">{name[:4]}</text>'
            )
    return _svg(title, bottom + 30, "".join(parts))


def line(title: str, points: list[tuple[str, Decimal]], at: Sequence[int] | None = None) -> str:
    """A line through each period's value, by month (a gap of months is a longer segment);
    at: each point's month count (month_index of its name), when the caller has them."""
    left, right, top, bottom = 44, 292, 10, 140
    values = [float(v) for _, v in points]
    low = min(0.0, -_nice(-min(values)) if min(values) < 0 else 0.0)
    high = _nice(max(max(values), 0.0))
    at = at if at is not None else [month_index(name) for name, _ in points]
    first = at[0]
    span = max(at[-1] - first, 1)

    def xy(month: int, value: float) -> tuple[float, float]:
        x = (
            left + (month - first) / span * (right - left)
            if len(points) > 1
            else (left + right) / 2
        )
        return x, bottom - (value - low) / (high - low) * (bottom - top)

    coords = [xy(month, v) for month, v in zip(at, values, strict=True)]
    parts = [_grid(left, right, top, bottom, low, high)]
    if len(coords) > 1:
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{INCOME_COLOUR}" stroke-width="2"/>'
        )
    parts += [
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{INCOME_COLOUR}"/>' for x, y in coords
    ]
    step = max(1, math.ceil(len(points) / 4))
    shown = sorted(
        {len(points) - 1 - k * step for k in range(5) if len(points) - 1 - k * step >= 0}
    )
    for i in shown:
        parts.append(
            f'<text x="{_n(coords[i][0])}" y="{bottom + 14}" text-anchor="middle" font-size="10">'
            f"{points[i][0]}</text>"
        )
    return _svg(title, bottom + 20, "".join(parts))


def _svg(title: str, height: int, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'style="max-width:{WIDTH * 2}px" aria-hidden="true" font-size="12" '
        f'font-family="sans-serif" fill="{TEXT_COLOUR}"><title>{escape(title)}</title>{body}</svg>'
    )


def _legend(left: int) -> str:
    return (
        f'<rect x="{left}" y="4" width="10" height="10" fill="{INCOME_COLOUR}"/>'
        f'<text x="{left + 14}" y="13">收入</text>'
        f'<rect x="{left + 56}" y="4" width="10" height="10" fill="{EXPENSE_COLOUR}"/>'
        f'<text x="{left + 70}" y="13">支出</text>'
    )


def _grid(left: int, right: int, top: int, bottom: int, low: float, high: float) -> str:
    """Three scale lines (low, middle, high) with their values in 元 or 万."""
    out = []
    for k in range(3):
        value = low + (high - low) * k / 2
        y = bottom - (bottom - top) * k / 2
        out.append(
            f'<line x1="{left}" x2="{right}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID_COLOUR}"/>'
            f'<text x="{left - 4}" y="{_n(y + 4)}" text-anchor="end" font-size="10">{_short(value)}</text>'
        )
    return "".join(out)


def _nice(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above value (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def _scaled(value: Decimal, top: Decimal, length: float) -> float:
    return float(value / top) * length if top > 0 else 0.0


# NOTE: a period's charts write some two hundred coordinates, most of them the same as the
# last period's (the bars' places, the scale lines): each written once, then looked up
_WRITTEN: dict[float, str] = {}
_WRITTEN_AT_MOST = 1 << 16


def _n(x: float) -> str:
    """A coordinate with one decimal, no trailing zero: small, and the same on every machine."""
    text = _WRITTEN.get(x)
    if text is None:
        text = f"{x:.1f}"
        text = text[:-2] if text.endswith(".0") else text
        # zero is never kept: 0.0 and -0.0 are one key, and are written "0" and "-0"
        if x and len(_WRITTEN) < _WRITTEN_AT_MOST:
            _WRITTEN[x] = text
    return text


def _short(value: float) -> str:
    """A scale value: 25000 → 2.5万, 800 → 800."""
    if abs(value) >= 10000:
        return f"{value / 10000:g}万"
    return f"{value:g}"


def _whole(value: Decimal) -> str:
    """Whole yuan with thousands separators: 12,345."""
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
