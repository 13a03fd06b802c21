"""Personal data and invisible characters in every line of every file read.

The patterns and the masking are the format's (`format/privacy.py`); this turns what they find
into problems placed at the file, line and field where the clerk wrote it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from builder.format import problems, schema
from builder.format.privacy import phone_digits, scan_characters, scan_personal_data
from builder.format.problems import Location, Problem
from builder.read.records import Rec, ScannedText


def scan_texts(texts: Iterable[ScannedText], allowed_phones: Collection[str]) -> Iterator[Problem]:
    """Personal data and invisible characters, line by line, in every file read."""
    for scanned in texts:
        file = scanned.file
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
