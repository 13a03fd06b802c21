"""Read one village's files, or the county's and towns' own files, into typed records.

`read_village(files, base) → VillageRecords` is the first of the pure steps each village goes
through (then `check.village.check_village` and `model.build.build_village`): everything that
touches the disk happens here, and the records it returns carry the problems found while
reading (encoding, syntax, shape, types) and the texts that the personal-data scan reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from builder.format import schema
from builder.format.problems import Problem
from builder.read.files import Layout, TownFiles, VillageFiles
from builder.read.records import Reader, ReadMemo, Rec, ScannedText, Table


@dataclass(frozen=True)
class PeriodRecords:
    """One period folder's records."""

    period: str
    dir_rel: str
    disclosure: Rec | None
    ledger: Table | None
    assistance: Table | None


@dataclass(frozen=True)
class VillageRecords:
    """Everything a village's folder holds, typed, with what reading it found."""

    town: str
    slug: str
    dir_rel: str
    village: Rec | None
    powers: Rec | None
    periods: tuple[PeriodRecords, ...]
    contracts: Table | None
    decisions: Rec | None
    topics: Rec | None
    texts: tuple[ScannedText, ...]
    problems: tuple[Problem, ...]
    debts: Table | None = None
    corrections: Rec | None = None  # corrections.yml: the registers' corrections
    meetings: Rec | None = None

    @property
    def code(self) -> str:
        """The village's area code as written, or "" when unreadable."""
        value = self.village.get("code", "") if self.village is not None else ""
        return str(value)


@dataclass(frozen=True)
class TownRecords:
    """A town's own files."""

    slug: str
    dir_rel: str
    town: Rec | None
    powers: Rec | None


@dataclass(frozen=True)
class CountyRecords:
    """The county's and towns' own files (not their villages')."""

    root_rel: str
    county: Rec | None
    powers: Rec | None
    towns: tuple[TownRecords, ...]
    texts: tuple[ScannedText, ...]
    problems: tuple[Problem, ...]


def read_village(files: VillageFiles, base: Path, memo: ReadMemo | None = None) -> VillageRecords:
    """Read one village's files (paths relative to base in every problem); memo: files read
    before, in another version of the same records (see ReadMemo)."""
    reader = Reader(base, memo=memo)
    village = reader.yaml(files.files.get("village.yml"), schema.VILLAGE)
    powers = reader.yaml(files.files.get("powers.yml"), schema.POWERS)
    periods = tuple(
        PeriodRecords(
            period.period,
            period.dir_rel,
            reader.yaml(period.files.get("disclosure.yml"), schema.DISCLOSURE),
            reader.csv(period.files.get("ledger.csv"), schema.LEDGER),
            reader.csv(period.files.get("assistance.csv"), schema.ASSISTANCE),
        )
        for period in files.periods
    )
    decisions = reader.yaml(files.files.get("decisions.yml"), schema.DECISIONS)
    contracts = reader.csv(files.files.get("contracts.csv"), schema.CONTRACTS)
    topics = reader.yaml(files.files.get("topics.yml"), schema.TOPICS)
    debts = reader.csv(files.files.get("debts.csv"), schema.DEBTS)
    corrections = reader.yaml(files.files.get("corrections.yml"), schema.REGISTER_CORRECTIONS)
    meetings = reader.yaml(files.files.get("meetings.yml"), schema.MEETINGS)
    return VillageRecords(
        town=files.town,
        slug=files.slug,
        dir_rel=files.dir_rel,
        village=village,
        powers=powers,
        periods=periods,
        contracts=contracts,
        decisions=decisions,
        topics=topics,
        debts=debts,
        meetings=meetings,
        texts=tuple(reader.texts),
        problems=tuple(reader.found),
        corrections=corrections,
    )


def read_county(
    layout: Layout, root_rel: str, base: Path, memo: ReadMemo | None = None
) -> CountyRecords:
    """Read county.yml, the county's powers.yml and each town's own files."""
    reader = Reader(base, memo=memo)
    county = reader.yaml(layout.files.get("county.yml"), schema.COUNTY)
    powers = reader.yaml(layout.files.get("powers.yml"), schema.POWERS)
    towns = tuple(_read_town(town, reader) for town in layout.towns)
    return CountyRecords(root_rel, county, powers, towns, tuple(reader.texts), tuple(reader.found))


def _read_town(files: TownFiles, reader: Reader) -> TownRecords:
    return TownRecords(
        files.slug,
        files.dir_rel,
        reader.yaml(files.files.get("town.yml"), schema.TOWN),
        reader.yaml(files.files.get("powers.yml"), schema.POWERS),
    )
