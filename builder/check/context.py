"""What a village inherits from its county and town: chart, masking, parameters, power lists
and the phone lines declared above it.

Built from the county's and towns' records; the checks and the model of every village in a town
take the same context, and the pipeline signs it with the files it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from builder.check import powers
from builder.check.privacy import declared_phones
from builder.format import schema
from builder.format.parameters import Parameters
from builder.format.problems import Problem
from builder.read.records import Rec
from builder.read.village import CountyRecords, TownRecords


@dataclass(frozen=True)
class VillageContext:
    """Everything outside its own folder that a village's checks and model depend on."""

    chart: str
    names_online: str
    parameters: Parameters
    power_lists: powers.PowerLists
    phones: frozenset[str]  # the county's and the town's declared lines


def parameters_of(rec: Rec | None, inherited: Parameters) -> Parameters:
    """The parameters a county.yml or town.yml sets, over those it inherits."""
    if rec is None:
        return inherited
    written = rec.get("parameters")
    if not isinstance(written, Rec):
        return inherited
    values: dict[str, Any] = {k: v for k, v in written.values.items() if k != "tender_bands"}
    bands = written.get("tender_bands")
    if bands:
        parsed = []
        for band in bands:
            # NOTE: reading drops YAML nulls from lists, so [200000, null, 县…] arrives as two items
            if len(band) == 2:
                band = [band[0], "", band[1]]
            low = Decimal(band[0]) if len(band) > 0 and schema.MONEY_RE.fullmatch(band[0]) else None
            high = (
                Decimal(band[1]) if len(band) > 1 and schema.MONEY_RE.fullmatch(band[1]) else None
            )
            name = band[2] if len(band) > 2 else ""
            if low is not None and name:
                parsed.append((low, high, name))
        values["tender_bands"] = tuple(parsed)
    for key, value in values.items():
        if isinstance(value, list):  # lists of parameters are held as tuples
            values[key] = tuple(value)
    days = written.get("meeting_days")
    if isinstance(days, Rec):  # a town sets the kinds it names, keeps the county's others
        merged = {**dict(inherited.meeting_days), **days.values}
        values["meeting_days"] = tuple(sorted(merged.items()))
    levels = written.get("severity")
    if isinstance(levels, Rec):  # a town changes the rules it names, keeps the county's others
        values["severity"] = tuple(sorted({**dict(inherited.severity), **levels.values}.items()))
    return Parameters(**{**inherited.__dict__, **values})


def county_chart(county: CountyRecords) -> str:
    """The chart of accounts the county's ledgers use."""
    return str(county.county.get("chart", "2023")) if county.county else "2023"


def county_names_online(county: CountyRecords) -> str:
    """How the county shows assistance recipients' names online."""
    return str(county.county.get("names_online", "masked")) if county.county else "masked"


def county_powers(county: CountyRecords) -> tuple[powers.PowerLists, list[Problem]]:
    """The county's own lists (一县一单, they inherit nothing) and the problems of its file."""
    rel = f"{county.root_rel}/powers.yml"
    level, found = powers.power_level(county.powers, rel)
    level.inherit = False
    lists, resolving = powers.resolve_powers(powers.EMPTY, level, "县", rel)
    return lists, found + resolving


def county_power_lists(county: CountyRecords) -> powers.PowerLists:
    """The county's own lists (一县一单)."""
    return county_powers(county)[0]


def town_context(county: CountyRecords, town: TownRecords) -> VillageContext:
    """What every village of this town inherits."""
    rel = f"{town.dir_rel}/powers.yml"
    level, _ = powers.power_level(town.powers, rel)
    lists, _ = powers.resolve_powers(county_power_lists(county), level, "镇", rel)
    names_online = (town.town.get("names_online") if town.town else None) or county_names_online(
        county
    )
    return VillageContext(
        chart=county_chart(county),
        names_online=names_online,
        parameters=parameters_of(town.town, parameters_of(county.county, Parameters())),
        power_lists=lists,
        phones=frozenset(declared_phones(county.county) | declared_phones(town.town)),
    )
