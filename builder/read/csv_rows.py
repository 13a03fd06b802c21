"""CSV read as rows of text cells by column key, with the line each record starts on."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from builder.format import excel, problems
from builder.format.problems import Location, Problem
from builder.format.schema import RecordSchema
from builder.read.files import TextFile


@dataclass
class RawRow:
    """One CSV record: the line it starts on and its cells by column key."""

    line: int
    values: dict[str, str]


# --- CSV --------------------------------------------------------------------------------------
@dataclass
class CsvTable:
    rel: str
    columns: list[str]
    rows: list[RawRow]


def parse_csv(file: TextFile, schema: RecordSchema) -> tuple[CsvTable | None, list[Problem]]:
    """Read a CSV with a header of keys or Chinese aliases; every cell stays text."""
    out: list[Problem] = []
    reader = csv.reader(io.StringIO(file.text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        out.append(problems.CSV_SYNTAX.at(Location(file.rel, start), None, detail=str(exc)))
        return None, out
    while records and not records[-1][1]:
        records.pop()  # trailing empty lines are not rows
    if not records:
        out.append(problems.EMPTY_FILE.at(Location(file.rel, 1)))
        return None, out
    header_line, header = records[0]
    title = _title_row(records, schema)
    if title:
        out.append(
            problems.TITLE_ROW.at(
                Location(file.rel, header_line),
                None,
                value=title,
                columns=",".join(f.key for f in schema.fields),
            )
        )
        return None, out
    # NOTE: Excel saves a sheet's used range: columns once touched on the right come out as
    # empty header cells and trailing commas on every line
    width = len(_strip_empty_tail(header))
    if width < len(header) and all(
        not any(c.strip() for c in cells[width:]) for _, cells in records
    ):
        out.append(
            problems.EMPTY_COLUMN.at(
                Location(file.rel, header_line), None, count=len(header) - width
            )
        )
        records = [
            (line, cells[:width] if len(cells) == len(header) else cells) for line, cells in records
        ]
        header = header[:width]
    columns: list[str] = []
    seen: set[str] = set()
    header_ok = True
    for cell in header:
        name = unicodedata.normalize("NFKC", cell).strip()
        field_spec = schema.column(name)
        if field_spec is None:
            out.append(
                problems.UNKNOWN_COLUMN.at(
                    Location(file.rel, header_line),
                    None,
                    value=name,
                    hint="本表的列："
                    + "、".join(f"{c.key}（{c.zh}）" for c in schema.fields)
                    + "。",
                    hint_en="Columns: " + ", ".join(c.key for c in schema.fields) + ".",
                )
            )
            header_ok = False
            columns.append("")
        elif field_spec.key in seen:
            out.append(
                problems.DUPLICATE_COLUMN.at(
                    Location(file.rel, header_line), field_spec.key, value=name
                )
            )
            header_ok = False
            columns.append("")
        else:
            seen.add(field_spec.key)
            columns.append(field_spec.key)
    for field_spec in schema.fields:
        if field_spec.required and field_spec.key not in seen:
            out.append(
                problems.MISSING_COLUMN.at(
                    Location(file.rel, header_line),
                    field_spec.key,
                    label=f"{field_spec.zh}（{field_spec.key}）",
                    key=field_spec.key,
                )
            )
            header_ok = False
    if not header_ok:
        return None, out
    rows: list[RawRow] = []
    may_total = excel.TOTAL_MARK in file.text  # a cell's characters are the file's
    for line, cells in records[1:]:
        if not "".join(cells).strip():
            out.append(problems.BLANK_ROW.at(Location(file.rel, line)))
            continue
        total = ""
        if may_total and excel.TOTAL_MARK in "".join(cells):
            total = next((c.strip() for c in cells if excel.is_total_label(c)), "")
        if total:
            out.append(
                problems.TOTAL_ROW.at(Location(file.rel, line), None, line=line, value=total)
            )
            continue
        if len(cells) != len(columns):
            out.append(
                problems.RAGGED_ROW.at(
                    Location(file.rel, line), None, count=len(cells), expected=len(columns)
                )
            )
            continue
        rows.append(RawRow(line, {k: v.strip() for k, v in zip(columns, cells, strict=True)}))
    return CsvTable(file.rel, columns, rows), out


def _strip_empty_tail(cells: list[str]) -> list[str]:
    end = len(cells)
    while end > 1 and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _title_row(records: list[tuple[int, list[str]]], schema: RecordSchema) -> str:
    """The text of a title row above the header (Excel's merged 标题), or "" when line 1 is
    the header."""

    def known(cells: list[str]) -> int:
        return sum(1 for c in cells if schema.column(excel.header_text(c)) is not None)

    first = records[0][1]
    if known(first) >= 2:
        return ""
    if any(known(cells) >= 2 for _, cells in records[1:4]):
        return next((c.strip() for c in first if c.strip()), "（空行）")
    return ""
