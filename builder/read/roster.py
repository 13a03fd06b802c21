"""The relatives roster (R24): which villagers are close relatives of a cadre, and whether the
town has the filing (备案) of their assistance.

The roster is personal data. It lives outside the project (FORMAT.md, "The relatives roster"):
never under `villages/`, never in git, never published. It is read only when a supervisor or
CI passes its path (`--relatives FILE` or `SUNLIGHT_RELATIVES`), and its problems are reported
by line and field only, never with a value from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from builder.format import problems, schema
from builder.format.problems import Location, Problem
from builder.read.records import Reader


@dataclass(frozen=True)
class Relative:
    """One roster entry: a villager, the cadre they are related to, the filing date if any."""

    village: str  # town/village folder, e.g. chengguan/dongshan
    name: str
    cadre: str
    number: int  # its place in the roster (1 = first), for supervisors to find it
    group: str = ""
    filed_at: dt.date | None = None


def read_roster(path: Path, base: Path) -> tuple[tuple[Relative, ...], list[Problem]]:
    """Read the roster; problems say where (line, field) but never what was written."""
    rel = path.name
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except OSError:
        inside = False
    if inside:
        return (), [problems.ROSTER_IN_PROJECT.at(Location(rel, None), None)]
    reader = Reader(path.parent)
    rec = reader.yaml(path, schema.RELATIVES)
    found = [
        problems.ROSTER_INVALID.at(
            Location(rel, p.where.line), p.field, line=str(p.where.line or 1), key=p.field or "—"
        )
        for p in reader.found
    ]
    if rec is None and not found:
        found.append(problems.ROSTER_INVALID.at(Location(rel, None), None, line="1", key="—"))
    if found or rec is None:
        return (), found
    entries = tuple(
        Relative(
            r.get("village"),
            r.get("name"),
            r.get("cadre"),
            number,
            r.get("group", ""),
            r.get("filed_at"),
        )
        for number, r in enumerate(rec.get("relatives", []), start=1)
    )
    return entries, []
