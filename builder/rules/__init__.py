"""Supervision rules: red flags a town can act on, computed openly from the records.

Each rule is declared once (`@rule`: id, level, the parameters it reads, a Chinese title and
why it matters) over one village's model, and yields flags: which rule, where (path:line) and
what was seen, in Chinese and English, worded as a reason to look rather than a verdict.

Levels: `error` blocks publishing (the flag joins the report as a `red-flag` problem),
`warning` publishes with the flag shown, `info` is for supervisors. A county or town may change
a rule's level or switch it off (`parameters.severity`). Every rule reads its thresholds from
the village's `Parameters` (county.yml, overridden per town); defaults are DOMAIN.md §8-§9's.

Time: lateness and expiry are judged as of one date, `as_of`: given (`--today`), else the last
commit's date, never the clock, so that the same records and history give the same flags.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from builder import model
from builder.format import problems
from builder.read.roster import Relative
from builder.rules import (
    cadence,
    contracts,
    decisions,
    ledger,
    money,
    projects,
    publication,
    relief,
)
from builder.rules.base import LEVEL_ZH, LEVELS, RULES, Rule, Scope
from builder.rules.publication import STATUS_ZH, Unit, publication_units

CHINA = dt.timezone(dt.timedelta(hours=8))
# importing them declares their rules, in this order
_CHECKS = (publication, ledger, contracts, decisions, money, projects, relief, cadence)


# --- running the rules ---------------------------------------------------------------------------
# What gives a village's flags: (town, village, as of) -> flags. The pipeline wraps
# `village_flags` in its cache (a village's flags depend on nothing else).
FlagsOf = Callable[[model.Town, model.Village, dt.date], list[model.Flag]]


def village_flags(town: model.Town, village: model.Village, as_of: dt.date) -> list[model.Flag]:
    """Every flag of one village, as of a date, at the levels its county and town set."""
    return rule_flags(town.slug, village, as_of).flags()


@dataclass(frozen=True)
class RuleFlags:
    """One village's flags rule by rule (in the rules' order), the date they were judged as
    of, and the rules that read it: the others' flags hold whatever the date."""

    as_of: dt.date
    by_rule: tuple[tuple[str, tuple[model.Flag, ...]], ...]
    dated: frozenset[str]

    def flags(self) -> list[model.Flag]:
        """Every flag, in the rules' order."""
        return [flag for _, flags in self.by_rule for flag in flags]

    def moved_to(self, town: str, village: model.Village, as_of: dt.date) -> RuleFlags:
        """The same village's flags as of another date: only the rules that read the date
        are judged again."""
        if as_of == self.as_of:
            return self
        fresh = rule_flags(town, village, as_of, only=self.dated)
        again = dict(fresh.by_rule)
        by_rule = tuple(
            (rid, again.get(rid, ())) if rid in self.dated else (rid, flags)
            for rid, flags in self.by_rule
        )
        return RuleFlags(as_of, by_rule, fresh.dated)


def rule_flags(
    town: str,
    village: model.Village,
    as_of: dt.date,
    only: frozenset[str] | None = None,
) -> RuleFlags:
    """village_flags, rule by rule (only the given rules' when given), noting which rules
    read the as-of date. A rule needs the village's town only by its slug (town), so the
    rules run wherever the village was checked, before the town's model exists."""
    by_rule: list[tuple[str, tuple[model.Flag, ...]]] = []
    dated: set[str] = set()
    scope = Scope(town, village, as_of)
    for rule in RULES.values():
        level = village.parameters.level_of(rule.id)
        if level == "off" or (only is not None and rule.id not in only):
            continue
        scope.rule, scope.dated = rule.id, False
        flags = [replace(flag, severity=level) if level else flag for flag in rule.check(scope)]
        if scope.dated:
            dated.add(rule.id)
        by_rule.append((rule.id, tuple(flags)))
    return RuleFlags(as_of, tuple(by_rule), frozenset(dated))


def evaluate(
    county: model.County, as_of: dt.date, flags_of: FlagsOf = village_flags
) -> list[model.Flag]:
    """Every flag of every village, sorted by place."""
    flags: list[model.Flag] = []
    for town in county.towns:
        for village in town.villages:
            flags.extend(flags_of(town, village, as_of))
    return sorted(flags, key=model.Flag.sort_key)


def flag_problem(flag: model.Flag) -> problems.Problem:
    """An error-level flag as a problem in the report: it blocks publishing."""
    rule = RULES[flag.rule]
    return problems.RED_FLAG.at(
        flag.where,
        None,
        rule=flag.rule,
        title=rule.title,
        title_en=rule.title_en,
        seen=flag.zh,
        seen_en=flag.en,
    )


def latest_record_date(county: model.County) -> dt.date | None:
    """The newest date the records themselves report (publication, topics, decisions)."""
    return max(
        (day for village in county.villages() if (day := village_record_date(village))),
        default=None,
    )


def village_record_date(village: model.Village) -> dt.date | None:
    """The newest date one village's records report (latest_record_date, for one village)."""
    dates: list[dt.date] = [p.published_at for p in village.periods]
    dates += [d for t in village.topics for d in (t.asked_at, t.answered_at) if d is not None]
    dates += [st.date for d in village.decisions for st in d.steps]
    return max(dates, default=None)


def latest_of(*days: dt.date | None) -> dt.date:
    """The latest of the days given (None: not known), as the date to judge as of: without a
    given date, the county's is latest_of(the last commit's day, its latest_record_date)."""
    return max((day for day in days if day is not None), default=dt.date(1970, 1, 1))


def apply_rules(
    county: model.County,
    report: problems.Report,
    as_of: dt.date,
    flags_of: FlagsOf = village_flags,
    roster: tuple[Relative, ...] = (),
) -> model.County:
    """Run every rule as of a date; error-level flags join the report; the county keeps all its
    flags.

    The relatives roster (R24), when given, is used in a pass of its own, never cached.
    """
    flags = evaluate(county, as_of, flags_of)
    if roster:
        flags = sorted(flags + relief.roster_flags(county, as_of, roster), key=model.Flag.sort_key)
    report.extend(flag_problem(f) for f in flags if f.severity == "error")
    return replace(county, towns=_signed(county.towns, flags), flags=tuple(flags), as_of=as_of)


def _signed(towns: tuple[model.Town, ...], flags: list[model.Flag]) -> tuple[model.Town, ...]:
    """Fold each village's flags into its signature: its pages show them (see cache.py)."""
    mine: dict[tuple[str, str], list[str]] = {}
    for flag in flags:
        mine.setdefault((flag.town, flag.village), []).append(repr(flag))
    out = []
    for town in towns:
        villages = tuple(
            replace(
                village,
                signature=_digest(village.signature, mine.get((town.slug, village.slug), [])),
            )
            if village.signature
            else village
            for village in town.villages
        )
        out.append(replace(town, villages=villages))
    return tuple(out)


def _digest(signature: str, parts: list[str]) -> str:
    if not parts:
        return signature
    return hashlib.sha256("\0".join([signature, *parts]).encode()).hexdigest()


# --- output ----------------------------------------------------------------------------------
def at_least(flags: Iterable[model.Flag], level: str) -> list[model.Flag]:
    """Flags at this level or a graver one."""
    keep = LEVELS[: LEVELS.index(level) + 1]
    return [f for f in flags if f.severity in keep]


def count_line(flags: list[model.Flag], as_of: dt.date | None) -> str:
    """Count the flags by level in one bilingual line."""
    counts = {lv: sum(1 for f in flags if f.severity == lv) for lv in LEVELS}
    return (
        f"截至 {as_of}，共 {len(flags)} 条监督提示：错误 {counts['error']}，警告 {counts['warning']}，"
        f"提示 {counts['info']}。 / {len(flags)} flags as of {as_of}: {counts['error']} errors, "
        f"{counts['warning']} warnings, {counts['info']} info."
    )


def format_flags(flags: list[model.Flag], as_of: dt.date | None) -> list[str]:
    """Every flag for a terminal: place, level, rule; what was seen; why it matters; a count."""
    lines = []
    for flag in flags:
        rule = RULES[flag.rule]
        lines += [
            f"{flag.where}: [{flag.rule} {LEVEL_ZH[flag.severity]} {flag.severity}] "
            f"{rule.title} / {rule.title_en}",
            f"    {flag.zh}",
            f"    {flag.en}",
            *(
                [f"    仅供监督人员：{flag.detail} / Supervisors only: {flag.detail_en}"]
                if flag.detail
                else []
            ),
            f"    为什么要看：{rule.why} / Why: {rule.why_en}",
        ]
    lines.append(count_line(flags, as_of))
    return lines


def rule_order(rid: str) -> int:
    """Sort rule ids by number (R9 before R10)."""
    return int(rid[1:])


def format_by_village(
    county: model.County, flags: list[model.Flag], as_of: dt.date | None
) -> list[str]:
    """A town officer's view: per town, its villages by open flags (the most errors, then the
    most flags, first), with their count per level and per rule."""
    mine: dict[tuple[str, str], list[model.Flag]] = {}
    for f in flags:
        mine.setdefault((f.town, f.village), []).append(f)
    lines: list[str] = []
    for town in county.towns:
        rows = []
        for village in town.villages:
            own = mine.get((town.slug, village.slug), [])
            levels = {lv: sum(1 for f in own if f.severity == lv) for lv in LEVELS}
            rows.append((-levels["error"], -len(own), village.slug, village, own, levels))
        rows.sort(key=lambda r: r[:3])
        lines.append(f"{town.name}（{town.slug}）")
        for *_, village, own, levels in rows:
            if not own:
                lines.append(f"  {village.name:<8} 0 条")
                continue
            per: dict[str, int] = {}
            for f in own:
                per[f.rule] = per.get(f.rule, 0) + 1
            rules = "，".join(f"{rid}×{per[rid]}" for rid in sorted(per, key=rule_order))
            count = "，".join(f"{LEVEL_ZH[lv]} {n}" for lv, n in levels.items() if n)
            lines.append(f"  {village.name:<8} {len(own)} 条（{count}）：{rules}")
    lines.append(count_line(flags, as_of))
    return lines


def flags_json(flags: list[model.Flag], as_of: dt.date | None) -> str:
    """The flags as JSON with a fixed set of keys, for other tools."""
    doc = {
        "as_of": as_of.isoformat() if as_of else None,
        "count": len(flags),
        "by_severity": {lv: sum(1 for f in flags if f.severity == lv) for lv in LEVELS},
        "flags": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "title": RULES[f.rule].title,
                "title_en": RULES[f.rule].title_en,
                "path": f.where.path,
                "line": f.where.line,
                "town": f.town,
                "village": f.village,
                "period": f.period or None,
                "ref": f.ref or None,
                "seen": f.zh,
                "seen_en": f.en,
                "why": RULES[f.rule].why,
                "why_en": RULES[f.rule].why_en,
                "detail": f.detail or None,
            }
            for f in flags
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


__all__ = [
    "LEVELS",
    "LEVEL_ZH",
    "RULES",
    "STATUS_ZH",
    "Rule",
    "Unit",
    "apply_rules",
    "evaluate",
    "flags_json",
    "format_by_village",
    "format_flags",
    "publication_units",
]
