"""Assistance: 低保 to a cadre's relative without filing (R24), 临时救助 repeated or above the
cap (R25).

R24 reads the relatives roster, which is personal data: it runs in a pass of its own
(`roster_flags`), never cached, and its flags say in public only "一条需要核实的救助记录" at the
period's assistance list — no name, no line, no relation. What a supervisor needs to find the
row is in the flag's `detail`, which only `sunlight flags` prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from builder import model
from builder.format.problems import Location
from builder.format.values import yuan
from builder.read.roster import Relative
from builder.rules.base import RULES, Scope, rule, same_party

PUBLIC_TEXT = "一条需要核实的救助记录"


def add_months(day: dt.date, months: int) -> dt.date:
    """Add months to a date (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


@rule(
    "R24",
    "warning",
    ("relatives_on_site",),
    "干部亲属享受低保未备案",
    "Cadre's relative on 低保 without filing",
    "村干部近亲属申请低保须向乡镇备案、接受重点核查；没有备案，就可能是“优亲厚友”。提示只说明需要核实，"
    "不公开亲属关系。",
    "低保 for a cadre's close relative must be filed with the town and checked; without filing "
    "it may be favouritism. The relation itself is never published.",
    "民政部最低生活保障审核确认办法（村干部近亲属备案）",
)
def check_relatives(scope: Scope) -> Iterator[model.Flag]:
    """Flag 低保 rows whose recipient is on the roster without a filing date (R24)."""
    if not scope.roster:
        return  # the roster is given only to the private pass (roster_flags)
    mine: dict[str, list[Relative]] = {}
    for entry in scope.roster:
        mine.setdefault(same_party(entry.name), []).append(entry)
    for period in scope.village.periods:
        for row in period.assistance:
            if row.category != "低保":
                continue
            match = next(
                (
                    e
                    for e in mine.get(same_party(row.name), ())
                    if not e.group or same_party(e.group) == same_party(row.group)
                ),
                None,
            )
            if match is None or match.filed_at is not None:
                continue
            path = scope.path("assistance.csv", period.period)
            yield scope.flag(
                Location(path, None),
                f"{PUBLIC_TEXT}（{period.period} 救助公示）。",
                f"An assistance record to verify ({period.period}).",
                period=period.period,
                detail=f"{path}:{row.line} 低保对象“{model.mask_name(row.name)}”与干部亲属名单第 "
                f"{match.number} 条相符（关联干部：{match.cadre}），名单中没有备案日期（filed_at）。",
                detail_en=f"{path}:{row.line}: the 低保 recipient matches roster entry "
                f"{match.number} (cadre {match.cadre}); no filing date.",
            )


def roster_flags(
    county: model.County, as_of: dt.date, roster: tuple[Relative, ...]
) -> list[model.Flag]:
    """R24's flags for every village the roster names, at the level each village sets."""
    by_village: dict[str, list[Relative]] = {}
    for entry in roster:
        by_village.setdefault(entry.village, []).append(entry)
    flags: list[model.Flag] = []
    for town in county.towns:
        for village in town.villages:
            entries = by_village.get(f"{town.slug}/{village.slug}")
            level = village.parameters.level_of("R24")
            if not entries or level == "off":
                continue
            scope = Scope(town.slug, village, as_of, rule="R24", roster=tuple(entries))
            for flag in RULES["R24"].check(scope):
                flags.append(
                    model.Flag(
                        flag.rule,
                        level or flag.severity,
                        flag.where,
                        flag.town,
                        flag.village,
                        flag.zh,
                        flag.en,
                        flag.period,
                        flag.ref,
                        flag.detail,
                        flag.detail_en,
                    )
                )
    return flags


@rule(
    "R25",
    "warning",
    ("relief_months", "relief_standard", "relief_cap_times"),
    "临时救助重复或超标",
    "Temporary relief repeated or above the cap",
    "临时救助是救急难的一次性救助：同一人同一事由一年内反复领取，或一次金额远超标准，需要核实是否合规。",
    "Temporary relief meets one emergency: the same person paid twice for the same cause within "
    "a year, or far above the standard, needs checking.",
    "县临时救助工作手册",
)
def check_relief(scope: Scope) -> Iterator[model.Flag]:
    """Flag 临时救助 paid twice for one cause within the window, or above the cap (R25)."""
    params = scope.params
    cap = params.relief_standard * params.relief_cap_times
    last: dict[tuple[str, str, str], tuple[model.Period, model.AssistanceRow]] = {}
    rows = [
        (period, row)
        for period in scope.village.periods
        for row in period.assistance
        if row.category == "临时救助"
    ]
    rows.sort(key=lambda x: (x[1].notice_start, x[0].period, x[1].line))
    for period, row in rows:
        where = Location(scope.path("assistance.csv", period.period), row.line)
        who = f"“{model.mask_name(row.name)}”（{row.group}）"
        if row.amount > cap:
            yield scope.flag(
                where,
                f"{period.period} 临时救助{who} {yuan(row.amount)} 元，超过低保标准 "
                f"{yuan(params.relief_standard)} 元的 {params.relief_cap_times} 倍（{yuan(cap)} 元）。",
                f"{period.period}: temporary relief of {yuan(row.amount)}, above "
                f"{params.relief_cap_times} times the monthly standard ({yuan(cap)}).",
                period=period.period,
            )
        key = (same_party(row.name), same_party(row.group), row.cause)
        before = last.get(key)
        last[key] = (period, row)
        if before is None:
            continue
        if row.notice_start < add_months(before[1].notice_start, params.relief_months):
            cause = f"事由“{row.cause}”" if row.cause else "未写事由"
            yield scope.flag(
                where,
                f"{period.period} 临时救助{who} {yuan(row.amount)} 元；{before[0].period} 已因同一"
                f"事由（{cause}）救助过 {yuan(before[1].amount)} 元，相隔不到 {params.relief_months} 个月。",
                f"{period.period}: temporary relief to the same person for the same cause as in "
                f"{before[0].period}, within {params.relief_months} months.",
                period=period.period,
            )
