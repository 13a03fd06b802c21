"""Flags from the cache when the as-of date moves: only the rules that read the date are judged
again, and the flags are exactly those of judging every rule afresh."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from builder.pipeline import validate as validate_module
from builder.pipeline.cache import BuildCache
from builder.pipeline.validate import KnownFlags, validate
from builder.rules import RULES, evaluate, rule_flags, village_flags

try:
    from conftest import ROOT
except ImportError:  # tests/ became a package
    from tests.conftest import ROOT  # type: ignore[no-redef]

# the example county's records end in November 2026; these dates cross its deadlines (a month
# due, a 点题 reply due, a quarter's village affairs due) and go back again
DATES = [
    dt.date(2026, 11, 22),
    dt.date(2026, 12, 1),
    dt.date(2026, 12, 16),
    dt.date(2027, 1, 20),
    dt.date(2027, 4, 30),
    dt.date(2026, 11, 30),
]


def test_moving_the_date_rejudges_only_dated_rules_and_gives_fresh_flags(tmp_path: Path) -> None:
    result = validate(ROOT / "villages", ROOT, today=DATES[0])
    assert result.county is not None
    cached = KnownFlags(cache=BuildCache(tmp_path / "cache"))
    places = [(town, village) for town in result.county.towns for village in town.villages]
    assert len(places) >= 5
    for as_of in DATES:
        for town, village in places:
            assert cached(town, village, as_of) == village_flags(town, village, as_of), (
                village.name,
                as_of,
            )
    town, village = places[0]
    judged = rule_flags(town.slug, village, DATES[0])
    # lateness reads the date; a repeated voucher or a split purchase does not
    assert "R1" in judged.dated
    undated = {rid for rid, _ in judged.by_rule} - judged.dated
    assert undated and undated <= set(RULES)
    moved = judged.moved_to(town.slug, village, DATES[2])
    assert moved.flags() == village_flags(town, village, DATES[2])
    assert dict(moved.by_rule)[sorted(undated)[0]] is dict(judged.by_rule)[sorted(undated)[0]]


def test_a_rule_reading_shared_work_made_with_the_date_counts_as_dated() -> None:
    from builder.rules.base import Scope

    result = validate(ROOT / "villages", ROOT, today=DATES[0])
    assert result.county is not None
    town = result.county.towns[0]
    scope = Scope(town.slug, town.villages[0], DATES[0])
    scope.dated = False
    scope.memo["plain"] = 1  # made before anything read the date
    assert scope.as_of == DATES[0] and scope.dated
    scope.memo["late"] = 2  # made after: it may depend on the date
    scope.dated = False  # the next rule
    assert scope.memo["plain"] == 1 and not scope.dated
    assert scope.memo["late"] == 2 and scope.dated


def test_flags_are_judged_where_each_village_is_checked_and_equal_the_parents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With the date known, each village's flags come with its outcome (judged in the process
    that checked it) and the parent judges none; they are the flags judging afresh gives, and a
    cached run finds them where the worker stored them."""

    def judged_in_the_parent(*args: object) -> None:
        raise AssertionError("a village's flags were judged again in the parent")

    as_of = DATES[3]  # past deadlines the records' own dates have not reached
    with monkeypatch.context() as patched:
        patched.setattr(validate_module, "village_flags", judged_in_the_parent)
        result = validate(ROOT / "villages", ROOT, today=as_of)
    assert result.county is not None and result.county.flags
    assert list(result.county.flags) == evaluate(result.county, as_of)
    cache = BuildCache(tmp_path / as_of.isoformat())
    first = validate(ROOT / "villages", ROOT, today=as_of, cache=cache)
    with monkeypatch.context() as patched:
        patched.setattr(validate_module, "rule_flags", judged_in_the_parent)
        again = validate(ROOT / "villages", ROOT, today=as_of, cache=cache)
    assert first.county is not None and again.county is not None
    assert again.county.flags == first.county.flags == result.county.flags


def test_without_a_date_each_worker_judges_as_of_its_own_and_the_parent_moves_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With no date given and no commit, the county's date is its records' newest, which a
    worker checking one village cannot know: it judges as of its village's own newest, and the
    parent moves each village's flags to the county's date (re-judging only the rules that read
    it), never judging a village afresh; the flags are those of judging afresh."""
    from builder.rules import village_record_date
    from tools.bench import add_month
    from tools.demo import generate_county

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    generate_county(tmp_path / "villages", towns=2, villages_per_town=6, months=3)
    ahead = sorted((tmp_path / "villages").glob("town-02/*/village.yml"))[0].parent
    for _ in range(3):  # one village months ahead: the others are late as of its newest date
        add_month(ahead)

    def judged_in_the_parent(*args: object) -> None:
        raise AssertionError("a village's flags were judged afresh in the parent")

    with monkeypatch.context() as patched:
        patched.setattr(validate_module, "village_flags", judged_in_the_parent)
        result = validate(tmp_path / "villages", tmp_path)
    assert result.county is not None and result.county.flags
    own = {village_record_date(v) for t in result.county.towns for v in t.villages}
    assert len(own) > 1 and result.county.as_of == max(d for d in own if d is not None)
    assert list(result.county.flags) == evaluate(result.county, result.county.as_of)
    assert any(f.rule == "R1" and f.village != ahead.name for f in result.county.flags)
