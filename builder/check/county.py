"""Checks of the county's and towns' own files, and of area codes across villages."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from builder.check import powers
from builder.check.context import county_powers
from builder.check.ids import repeats
from builder.check.privacy import (
    county_values,
    declared_phones,
    found_keys,
    scan_texts,
    scan_values,
)
from builder.format import problems
from builder.format.privacy import name_key
from builder.format.problems import Location, Problem
from builder.read.village import CountyRecords

# (town slug, folder, area code or name as written) of each village
VillageCode = tuple[str, str, str]


def check_county(county: CountyRecords, villages: Iterable[VillageCode]) -> Iterator[Problem]:
    """Problems of county.yml, town.yml and their power lists, and of area codes."""
    yield from county.problems
    county_lists, found = county_powers(county)
    yield from found
    phones = declared_phones(county.county)
    for town in county.towns:
        rel = f"{town.dir_rel}/powers.yml"
        level, found = powers.power_level(town.powers, rel)
        yield from found
        yield from powers.resolve_powers(county_lists, level, "镇", rel)[1]
        phones |= declared_phones(town.town)
    in_lines = list(scan_texts(county.texts, phones))
    yield from in_lines
    yield from scan_values(county_values(county), phones, found_keys(in_lines))
    yield from check_codes(county, villages)


def check_codes(county: CountyRecords, villages: Iterable[VillageCode]) -> Iterator[Problem]:
    """Area codes are unique, and a village's code starts with its town's (as does a town's)."""
    county_code = str(county.county.get("code", "")) if county.county else ""
    town_codes: dict[str, str] = {}
    for town in county.towns:
        if town.town is None:
            continue
        code = str(town.town.get("code", ""))
        town_codes[town.slug] = code
        if county_code and code and not code.startswith(county_code[:6]):
            yield problems.CODE_PREFIX.at(
                Location(f"{town.dir_rel}/town.yml"),
                "code",
                field_zh="区划代码",
                value=code,
                prefix=county_code[:6],
            )
    placed = [
        (town_slug, f"{folder}/village.yml", code)
        for town_slug, folder, code in villages
        if town_slug in town_codes and code
    ]
    # repeats() counts positions in `placed` here, not lines: each code is a different file
    first_of = {
        index: first
        for _, index, first in repeats((code, i) for i, (_, _, code) in enumerate(placed))
    }
    for index, (town_slug, rel, code) in enumerate(placed):
        if index in first_of:
            other = placed[first_of[index]][1]
            yield problems.DUPLICATE_CODE.at(
                Location(rel), "code", field_zh="区划代码", value=code, other=other
            )
        town_code = town_codes[town_slug]
        if town_code and not code.startswith(town_code[:9]):
            yield problems.CODE_PREFIX.at(
                Location(rel), "code", field_zh="区划代码", value=code, prefix=town_code[:9]
            )


def check_village_names(villages: Iterable[VillageCode]) -> Iterator[Problem]:
    """Two villages of one town may not share a name, compared without spaces or invisibles."""
    first: dict[tuple[str, str], str] = {}
    for town_slug, folder, name in villages:
        key = (town_slug, name_key(name))
        if not key[1]:
            continue
        rel = f"{folder}/village.yml"
        if key in first:
            yield problems.DUPLICATE_VILLAGE_NAME.at(
                Location(rel), "name", field_zh="村名", value=name, other=first[key]
            )
        else:
            first[key] = rel
