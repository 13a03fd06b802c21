"""Personal data and invisible characters in every line of every file read, and in every value.

The patterns and the masking are the format's (`format/privacy.py`); this turns what they find
into problems placed at the file, line and field where the clerk wrote it. Lines are scanned as
written; values as they are published, after YAML escapes, line continuations and NFKC, which a
raw line never shows (`"\\x31\\x31\\x30…"` is an ID only once decoded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal
from typing import Any

from builder.format import problems, schema
from builder.format.privacy import (
    finds_any,
    phone_digits,
    scan_characters,
    scan_personal_data,
)
from builder.format.problems import Location, Problem
from builder.read.records import Rec, ScannedText, Table
from builder.read.village import CountyRecords, VillageRecords


def scan_texts(texts: Iterable[ScannedText], allowed_phones: Collection[str]) -> Iterator[Problem]:
    """Personal data and invisible characters, line by line, in every file read."""
    for scanned in texts:
        file = scanned.file
        if not finds_any(file.text.replace("\n", ","), allowed_phones):
            continue
        for line_no, line in enumerate(file.text.split("\n"), start=1):
            if not line:
                continue
            findings = [*scan_characters(line), *scan_personal_data(line, allowed_phones)]
            for finding in findings:
                key = scanned.fields.get(line_no)
                if file.rel.endswith(".csv") and line_no > 1:
                    key = _csv_column(file.text, line_no, finding.column)
                yield problems.KINDS[finding.code].at(
                    Location(file.rel, line_no),
                    key,
                    field_zh=schema.label_for(key) if key else "",
                    value=finding.value,
                    column=finding.column,
                    char=finding.value,
                )


def _csv_column(text: str, line_no: int, column: int) -> str | None:
    """The header key of the cell at a character position (best effort, for messages)."""
    lines = text.split("\n")
    header = [h.strip() for h in lines[0].split(",")]
    cell = lines[line_no - 1][: column - 1].count(",")
    return header[cell] if cell < len(header) else None


def declared_phones(rec: Rec | None, key: str = "contacts") -> set[str]:
    """The digits of every phone number a county, town or village declares under key."""
    if rec is None:
        return set()
    return {phone_digits(c.get("phone", "")) for c in rec.get(key, []) if isinstance(c, Rec)}


def village_values(records: VillageRecords) -> Iterator[tuple[str, Rec | Table | None]]:
    """Each file of a village with what was read from it: (path, its record or table)."""
    base = records.dir_rel
    yield f"{base}/village.yml", records.village
    yield f"{base}/powers.yml", records.powers
    for period in records.periods:
        yield f"{period.dir_rel}/disclosure.yml", period.disclosure
        if period.ledger is not None:
            yield period.ledger.rel, period.ledger
        if period.assistance is not None:
            yield period.assistance.rel, period.assistance
    yield f"{base}/decisions.yml", records.decisions
    if records.contracts is not None:
        yield records.contracts.rel, records.contracts
    yield f"{base}/topics.yml", records.topics
    if records.debts is not None:
        yield records.debts.rel, records.debts
    yield f"{base}/corrections.yml", records.corrections
    yield f"{base}/meetings.yml", records.meetings


def county_values(county: CountyRecords) -> Iterator[tuple[str, Rec | Table | None]]:
    """The county's and towns' own files with what was read from each."""
    yield f"{county.root_rel}/county.yml", county.county
    yield f"{county.root_rel}/powers.yml", county.powers
    for town in county.towns:
        yield f"{town.dir_rel}/town.yml", town.town
        yield f"{town.dir_rel}/powers.yml", town.powers


def scan_values(
    files: Iterable[tuple[str, Rec | Table | None]],
    allowed_phones: Collection[str],
    already: Collection[tuple[str, str, str]] = (),
) -> Iterator[Problem]:
    """Personal data and invisible characters in every typed value, as it will be published.

    already holds (path, code, masked value) of what the line scan found, not to say it twice.
    """
    seen = set(already)
    for rel, found in files:
        rows = found.rows if isinstance(found, Table) else (found,) if found is not None else ()
        if not finds_any(",".join(_plain_texts(rows, [])), allowed_phones):
            continue
        for rec in rows:
            for key, line, text in _texts(rec, ""):
                findings = [*scan_characters(text), *scan_personal_data(text, allowed_phones)]
                for finding in findings:
                    if (rel, finding.code, finding.value) in seen:
                        continue
                    seen.add((rel, finding.code, finding.value))
                    yield problems.KINDS[finding.code].at(
                        Location(rel, line),
                        key,
                        field_zh=schema.label_for(key),
                        value=finding.value,
                        column=finding.column,
                        char=finding.value,
                    )


def _plain_texts(values: Iterable[Any], out: list[str]) -> list[str]:
    """The text of every value _texts gives, without its key and line: what finds_any reads."""
    for value in values:
        kind = type(value)
        if kind is str:  # NOTE: the common types first, by identity: a county has millions
            out.append(value)
        elif kind is Decimal or kind is int:
            out.append(str(value))
        elif kind is Rec:  # a CSV row or a YAML mapping
            _plain_texts(value.values.values(), out)
        elif kind is dt.date or kind is bool:  # never published as text here (see _value_texts)
            continue
        elif isinstance(value, str):
            out.append(value)
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            out.append(str(value))
        elif isinstance(value, Rec):
            _plain_texts(value.values.values(), out)
        elif isinstance(value, list | tuple):
            _plain_texts(value, out)
    return out


def _texts(rec: Rec, prefix: str) -> Iterator[tuple[str, int, str]]:
    """(key, line, text) of every text in a record, nested records and lists included."""
    for key, value in rec.values.items():
        full = f"{prefix}.{key}" if prefix else key
        yield from _value_texts(value, full, rec.at(key))


def _value_texts(value: Any, key: str, line: int) -> Iterator[tuple[str, int, str]]:
    if isinstance(value, str):
        yield key, line, value
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        # NOTE: a quoted, escaped number ("\\x31\\x33…") typed as a count or an amount is
        # published as digits too
        yield key, line, str(value)
    elif isinstance(value, Rec):
        yield from _texts(value, key)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _value_texts(item, key, line)


def found_keys(found: Iterable[Problem]) -> set[tuple[str, str, str]]:
    """(path, code, masked value) of each personal-data or character problem found."""
    return {(p.where.path, p.code, dict(p.values).get("value", "")) for p in found}
