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
from builder.format.parameters import Parameters
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


# --- on time, across the 三务 kinds ---------------------------------------------------------------
# (rule id, kind, how its cadence reads from the parameters)
ONTIME_KINDS: tuple[tuple[str, str], ...] = (
    ("R1", "财务"),
    ("R33", "村务"),
    ("R34", "党务"),
    ("R36", "重大事项"),
    ("R29", "点题答复"),
    ("R35", "会议"),
)


def cadence_text(params: Parameters) -> dict[str, str]:
    """Each kind's cadence as the county (or town) set it, in words."""

    def every(months: int) -> str:
        return {1: "每月", 3: "每季度"}.get(months, f"每 {months} 个月")

    finance = "每季度" if params.finance_cadence == "quarterly" else "每月"
    return {
        "R1": f"{finance}，期末后 {params.grace_days} 天内",
        "R33": f"至少{every(params.village_affairs_months)}，期末后 {params.grace_days} 天内",
        "R34": f"至少{every(params.party_affairs_months)}，期末后 {params.grace_days} 天内",
        "R36": f"决议后 {params.decision_publish_days} 天内",
        "R29": f"提出后 {params.reply_days} 天内",
        "R35": "、".join(f"{k}每 {d} 天" for k, d in params.meeting_days) or "不查",
    }


@dataclass(frozen=True)
class OnTimeTown:
    """One town's villages: the late or missing count per kind (0: on time), and the cadences."""

    town: model.Town
    cadence: dict[str, str]
    rows: list[tuple[model.Village, tuple[int, ...]]]


def ontime_table(
    county: model.County, flags: dict[tuple[str, str], list[model.Flag]]
) -> tuple[list[OnTimeTown], tuple[int, ...]]:
    """Per town and village, the flags of each on-time rule; per kind, the villages on time."""
    towns = []
    on_time = [0] * len(ONTIME_KINDS)
    for town in county.towns:
        rows = []
        for v in town.villages:
            mine = flags.get((town.slug, v.slug), [])
            counts = tuple(sum(1 for f in mine if f.rule == rid) for rid, _ in ONTIME_KINDS)
            on_time = [n + (c == 0) for n, c in zip(on_time, counts, strict=True)]
            rows.append((v, counts))
        towns.append(OnTimeTown(town, cadence_text(town.parameters), rows))
    return towns, tuple(on_time)
