"""One village found by what a clerk types (chengguan/dongshan, villages/chengguan/dongshan or
dongshan when the name is unique), read with everything it inherits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from builder.check.context import VillageContext, town_context
from builder.check.village import village_phones
from builder.format import accounts, schema
from builder.read.files import VillageFiles, display_path, scan_layout
from builder.read.records import Rec
from builder.read.village import PeriodRecords, VillageRecords, read_county, read_village


class VillageNotFound(Exception):
    """No village folder (or more than one) answers to what was typed."""

    def __init__(self, typed: str, choices: list[str]) -> None:
        super().__init__(typed)
        self.typed = typed
        self.choices = choices


@dataclass(frozen=True)
class Village:
    """A village's files, its records as read and what it inherits."""

    rel: str  # town/slug, as the clerk types it
    files: VillageFiles
    records: VillageRecords
    context: VillageContext

    @property
    def dir(self) -> Path:
        """The village's folder."""
        return self.files.dir

    @property
    def phones(self) -> frozenset[str]:
        """Every phone number this village's records may show."""
        return self.context.phones | frozenset(village_phones(self.records.village))

    @property
    def accounts(self) -> dict[str, str]:
        """The chart of accounts the village's ledgers use: code → name."""
        return accounts.CHARTS[self.context.chart]

    def people(self, roles: frozenset[str] | None = None) -> list[str]:
        """The names of village.yml's people (with one of roles, when given), in file order."""
        rec = self.records.village
        out = []
        for person in rec.get("people", []) if rec is not None else []:
            if not isinstance(person, Rec) or not person.get("name"):
                continue
            if roles is None or roles & set(person.get("roles", [])):
                out.append(str(person.get("name")))
        return out

    def period(self, period: str) -> PeriodRecords | None:
        """A period's records, when its folder exists."""
        return next((p for p in self.records.periods if p.period == period), None)

    def closing_before(self, period: str) -> tuple[Decimal, Decimal] | None:
        """The closing cash and bank of the last period before this one, when readable."""
        earlier = [p for p in self.records.periods if p.period < period and p.disclosure]
        if not earlier:
            return None
        closing = earlier[-1].disclosure.get("closing") if earlier[-1].disclosure else None
        if not isinstance(closing, Rec):
            return None
        cash, bank = closing.get("cash"), closing.get("bank")
        if not isinstance(cash, Decimal) or not isinstance(bank, Decimal):
            return None
        return cash, bank


def find_village(villages_dir: Path, base: Path, typed: str) -> Village:
    """The village a clerk means; VillageNotFound lists the candidates otherwise."""
    text = typed.strip().strip("/").replace("\\", "/")
    root = display_path(villages_dir, base).strip("/")
    for prefix in (root + "/", "villages/"):
        text = text.removeprefix(prefix)
    parts = text.split("/")
    layout, _ = scan_layout(villages_dir, base)
    every = [v for v in layout.villages()]
    if len(parts) == 2:
        matches = [v for v in every if (v.town, v.slug) == (parts[0], parts[1])]
    else:
        matches = [v for v in every if v.slug == parts[-1]]
    if len(matches) != 1:
        raise VillageNotFound(typed, sorted(f"{v.town}/{v.slug}" for v in (matches or every)))
    files = matches[0]
    county = read_county(layout, display_path(villages_dir, base), base)
    town = next(t for t in county.towns if t.slug == files.town)
    return Village(
        f"{files.town}/{files.slug}", files, read_village(files, base), town_context(county, town)
    )


def valid_period(text: str) -> bool:
    """Whether text is a YYYY-MM period."""
    return schema.PERIOD_RE.fullmatch(text) is not None
