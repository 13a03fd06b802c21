"""What every rule is made of: its declaration, the village it looks at, small helpers."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from builder import model
from builder.format import privacy, schema
from builder.format.parameters import Parameters
from builder.format.problems import Location
from builder.read.roster import Relative

LEVELS = ("error", "warning", "info")
LEVEL_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Rule:
    """One rule's declaration; `check` yields its flags for one village."""

    id: str
    level: str  # the default level of its flags
    levels: str  # as DOMAIN.md writes it, e.g. "W/I" when a rule has a milder case
    params: tuple[str, ...]
    title: str
    title_en: str
    why: str
    why_en: str
    source: str
    check: Callable[[Scope], Iterable[model.Flag]]


RULES: dict[str, Rule] = {}


def rule(
    rid: str,
    level: str,
    params: tuple[str, ...],
    title: str,
    title_en: str,
    why: str,
    why_en: str,
    source: str,
    levels: str = "",
) -> Callable[[Callable[[Scope], Iterable[model.Flag]]], Callable[[Scope], Iterable[model.Flag]]]:
    """Declare a rule; the decorated function checks one village."""

    def register(
        fn: Callable[[Scope], Iterable[model.Flag]],
    ) -> Callable[[Scope], Iterable[model.Flag]]:
        assert rid not in RULES and rid in schema.RULE_IDS, rid
        RULES[rid] = Rule(
            rid, level, levels or level[0].upper(), params, title, title_en, why, why_en, source, fn
        )
        return fn

    return register


class Memo(dict[str, Any]):
    """Work shared by a village's rules; an entry made after the as-of date was read counts
    as reading it, for every rule that uses the entry (see Scope.dated)."""

    def __init__(self, scope: Scope) -> None:
        super().__init__()
        self.scope = scope
        self.dated: set[str] = set()

    def __setitem__(self, key: str, value: Any) -> None:
        if self.scope.dated:
            self.dated.add(key)
        super().__setitem__(key, value)

    def __getitem__(self, key: str) -> Any:
        if key in self.dated:
            self.scope.dated = True
        return super().__getitem__(key)


@dataclass
class Scope:
    """One village as a rule sees it: its records, its parameters and the as-of date.

    `dated` turns True when a rule reads the as-of date (or shared work made with it): the
    flags of a rule that never did hold whatever the date, so the cache keeps them when the
    date moves (pipeline/validate.py) and judges again only the rules that read it.
    """

    town: str  # the town's slug: a rule sees one village, and of its town only the slug
    village: model.Village
    # NOTE: private, so no rule can read the date without `as_of` noting it (the architecture
    # test refuses another module's private names)
    _day: dt.date
    rule: str = ""
    # NOTE: the relatives roster (R24) is personal data: given only to the private pass
    # (rules/relief.py), never to a cached or published one
    roster: tuple[Relative, ...] = ()
    dated: bool = False
    memo: Memo = field(init=False)

    def __post_init__(self) -> None:
        self.memo = Memo(self)

    @property
    def as_of(self) -> dt.date:
        """The date lateness and expiry are judged as of."""
        self.dated = True
        return self._day

    @property
    def params(self) -> Parameters:
        """Return the village's parameters."""
        return self.village.parameters

    def path(self, name: str, period: str = "") -> str:
        """Return the path of a village file (in a period folder when given), for locations."""
        return f"{self.village.src_dir}/{period + '/' if period else ''}{name}"

    def flag(
        self,
        where: Location,
        zh: str,
        en: str,
        *,
        period: str = "",
        ref: str = "",
        level: str = "",
        detail: str = "",
        detail_en: str = "",
    ) -> model.Flag:
        """Make a flag of the current rule for this village."""
        return model.Flag(
            self.rule,
            level or RULES[self.rule].level,
            where,
            self.town,
            self.village.slug,
            zh,
            en,
            period,
            ref,
            detail,
            detail_en,
        )

    def rows(self) -> Iterator[tuple[model.Period, model.LedgerRow]]:
        """Iterate over every ledger row with its period, oldest first."""
        for period in self.village.periods:
            for row in period.ledger:
                yield period, row

    def row_at(self, period: model.Period, row: model.LedgerRow) -> Location:
        """Locate a ledger row."""
        return Location(self.path("ledger.csv", period.period), row.line)

    def row_at_name(self, period: str, row: model.LedgerRow) -> Location:
        """Locate a ledger row by its period's name."""
        return Location(self.path("ledger.csv", period), row.line)

    def contract_at(self, contract: model.Contract) -> Location:
        """Locate a contract's row in contracts.csv."""
        return Location(self.path("contracts.csv"), contract.line)


# --- small helpers -----------------------------------------------------------------------------
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


@functools.lru_cache(maxsize=65536)
def same_party(name: str) -> str:
    """A name as compared between records: no spaces, invisible characters or bracketed remarks.

    NFKC first, so that full-width brackets and look-alike forms fold before (代领, 报销…) go.
    """
    return privacy.name_key(_BRACKETS.sub("", privacy.name_key(name)))


def short(text: str, limit: int = 24) -> str:
    """Shorten text to limit characters, with an ellipsis, personal data masked first."""
    return privacy.shorten(text, limit)


def add_years(day: dt.date, years: int) -> dt.date:
    """Add years to a date (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
