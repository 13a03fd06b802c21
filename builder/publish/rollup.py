"""Roll-ups without a database: each town's villages side by side, each county's towns.

A village's row is its latest period (income, spending, closing balance) and its open flags by
level; a town's row adds up its villages' rows, and the county's total adds up its towns'. The
month each figure belongs to is kept beside it, so a village that is behind shows as behind
rather than vanishing into a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from builder import model
from builder.rules import LEVELS

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Row:
    """One line of a roll-up: a village (its latest period) or a sum of villages."""

    name: str
    url: str
    period: str  # the latest period shown ("" for none); for a sum, the newest of its villages
    income: Decimal
    expense: Decimal
    balance: Decimal
    flags: tuple[int, ...]  # open flags per level, in LEVELS order
    villages: int = 1  # how many villages the row sums
    published: int = 0  # how many of them have published `period`


def village_row(village: model.Village, flags: list[model.Flag]) -> Row:
    """A village's latest period and its open flags."""
    latest = village.latest
    counts = tuple(sum(1 for f in flags if f.severity == lv) for lv in LEVELS)
    if latest is None:
        return Row(village.name, village.url, "", ZERO, ZERO, ZERO, counts, 1, 0)
    return Row(
        village.name,
        village.url,
        latest.period,
        latest.income,
        latest.expense,
        latest.closing.total,
        counts,
        1,
        1,
    )


def total(name: str, url: str, rows: list[Row]) -> Row:
    """The sum of rows; its period is the newest among them, `published` how many reached it."""
    newest = max((r.period for r in rows), default="")
    return Row(
        name,
        url,
        newest,
        sum((r.income for r in rows), ZERO),
        sum((r.expense for r in rows), ZERO),
        sum((r.balance for r in rows), ZERO),
        tuple(sum(r.flags[i] for r in rows) for i in range(len(LEVELS))),
        sum(r.villages for r in rows),
        sum(r.published for r in rows if r.period == newest) if newest else 0,
    )


def town_rollup(
    town: model.Town, flags: dict[tuple[str, str], list[model.Flag]]
) -> tuple[list[Row], Row]:
    """Each village of the town, and their sum."""
    rows = [village_row(v, flags.get((town.slug, v.slug), [])) for v in town.villages]
    return rows, total(town.name, f"{town.slug}/", rows)


def county_rollup(
    county: model.County, flags: dict[tuple[str, str], list[model.Flag]]
) -> tuple[list[Row], Row]:
    """Each town's sum, and the county's."""
    rows = [town_rollup(town, flags)[1] for town in county.towns]
    return rows, total(county.name, "", rows)
