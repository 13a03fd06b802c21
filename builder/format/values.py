"""Money and months as the whole project writes them: one implementation of each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def money(value: Decimal) -> str:
    """Money as the records write it: two decimals, no separators (12500.00)."""
    return f"{value:.2f}"


def yuan(value: Decimal | None) -> str:
    """Money for people: thousands separators and two decimals (12,500.00); "" for none."""
    return "" if value is None else f"{value:,.2f}"


def month_index(period: str) -> int:
    """A "YYYY-MM" period as a count of months, so that months subtract (a year before 1000
    may be written unpadded, as f"{date.year}-{date.month:02d}" writes it)."""
    year, month = period.rsplit("-", 1)
    return int(year) * 12 + int(month) - 1


def period_at(index: int) -> str:
    """The "YYYY-MM" period of a month count (the inverse of month_index)."""
    year, month0 = divmod(index, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def next_month(period: str) -> str:
    """The period after a "YYYY-MM" period."""
    return period_at(month_index(period) + 1)


def previous_month(period: str) -> str:
    """The period before a "YYYY-MM" period."""
    return period_at(month_index(period) - 1)


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and the last day of a "YYYY-MM" period."""
    start = dt.date.fromisoformat(period + "-01")
    end = dt.date.fromisoformat(next_month(period) + "-01") - dt.timedelta(days=1)
    return start, end
