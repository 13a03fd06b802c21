"""The personal-data scan on any text file, not only records: pages in content/, or a record
moved out of villages/, are in git history (and content/ is published) just the same.

A thin wrapper over the record scan (`check/privacy.py`): the same patterns, messages and
masking. Binary files (images) are skipped. A link is refused outright (the site would publish whatever it points to), and so is
a path whose name holds a number.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from builder.check.privacy import declared_phones, scan_texts
from builder.check.village import village_phones
from builder.format import problems, schema
from builder.format.privacy import scan_personal_data
from builder.format.problems import Location, Problem
from builder.read.files import display_path, read_text, scan_layout
from builder.read.records import Reader, ScannedText
from builder.read.village import read_county


def scan_files(
    paths: Iterable[Path], base: Path, allowed_phones: Collection[str] = ()
) -> Iterator[Problem]:
    """Personal data and invisible characters in each file (folders: every file below them);
    allowed_phones: the lines the records declare (see `declared_lines`)."""
    for path in _files(paths):
        rel = display_path(path, base)
        for finding in scan_personal_data(rel):
            yield problems.KINDS[finding.code].at(Location(rel), None, value=finding.value)
        if path.is_symlink():
            yield problems.LINK.at(Location(rel), None, name=path.name)
            continue
        if b"\0" in path.read_bytes()[:8000]:
            continue  # NOTE: binary (an image): git's own test; there are no lines to scan
        text, found = read_text(path, base)
        yield from found
        if text is not None:
            yield from scan_texts([ScannedText(text, {})], allowed_phones)


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            yield from sorted(p for p in path.rglob("*") if p.is_symlink() or p.is_file())
        else:
            yield path


def declared_lines(villages_dir: Path, base: Path) -> set[str]:
    """Every phone number the county, its towns and villages declare (contacts, office phones,
    hotlines): these may be published anywhere. Looser than `sunlight check`, which allows a
    village's lines in its own files only; this scan is for files outside the records' places."""
    if not villages_dir.is_dir():
        return set()
    layout, _ = scan_layout(villages_dir, base)
    county = read_county(layout, display_path(villages_dir, base), base)
    phones = declared_phones(county.county)
    for town in county.towns:
        phones |= declared_phones(town.town)
    reader = Reader(base)
    for village in layout.villages():
        rec = reader.yaml(village.files.get("village.yml"), schema.VILLAGE)
        phones |= declared_phones(rec) | village_phones(rec)
    return phones
