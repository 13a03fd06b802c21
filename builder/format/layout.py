"""The canonical text of a period's files, as `sunlight new` and `sunlight import` write them.

One layout, so that the same records always give the same bytes (a workbook exported and
imported again changes nothing): CSV with the keys as header, LF line ends, quotes only where
a cell needs them; YAML with every value double-quoted (a `#`, a leading `!` or a colon in a
clerk's text can never change its meaning) and keys in the format's order. Each function also
returns the line every value is written on, so that a problem found in the written file can be
traced back to the workbook cell it came from.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from builder.format.schema import RecordSchema


@dataclass
class Written:
    """A file's text and, for each line, the record (by index) and key written on it."""

    text: str
    lines: dict[int, tuple[str, int, str]] = field(default_factory=dict)  # (part, index, key)


def csv_text(record_schema: RecordSchema, rows: Sequence[Mapping[str, str]]) -> Written:
    """A CSV file: the header of keys (a v1.2 extension column only when a row uses it), then
    one line per row in order (row i on line i + 2)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = [
        f.key
        for f in record_schema.fields
        if not f.extension or any(row.get(f.key) not in (None, "") for row in rows)
    ]
    writer.writerow(keys)
    written = Written("")
    line = 2
    for index, row in enumerate(rows):
        one = io.StringIO()
        csv.writer(one, lineterminator="\n").writerow([row.get(key, "") for key in keys])
        text = one.getvalue()
        out.write(text)
        for offset in range(text.count("\n")):  # a quoted cell may hold a line break
            written.lines[line + offset] = (record_schema.name, index, "")
        line += text.count("\n")
    written.text = out.getvalue()
    return written


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


SINGLE_KEYS = ("period",)
PEOPLE_KEYS = ("drafted_by", "reviewed_by", "reviewed_at", "published_at")
LIST_KEYS = ("village_affairs", "party_affairs", "corrections")
ITEM_KEYS = {
    "village_affairs": ("title", "date", "body"),
    "party_affairs": ("title", "date", "body"),
    "corrections": ("date", "reason", "approved_by"),
}


def disclosure_text(
    header: Mapping[str, str], lists: Mapping[str, Sequence[Mapping[str, str]]]
) -> Written:
    """disclosure.yml from its scalars (period, opening.cash, …, published_at) and its lists
    (village_affairs, party_affairs, corrections); empty values and lists are left out."""
    lines: list[str] = []
    written = Written("")

    def add(text: str, part: str, index: int, key: str) -> None:
        lines.append(text)
        written.lines[len(lines)] = (part, index, key)

    if header.get("period"):
        add(f"period: {quoted(header['period'])}", "header", 0, "period")
    for name in ("opening", "closing"):
        cash, bank = header.get(f"{name}.cash", ""), header.get(f"{name}.bank", "")
        if cash or bank:
            add(f"{name}: {{cash: {quoted(cash)}, bank: {quoted(bank)}}}", "header", 0, name)
    for key in PEOPLE_KEYS:
        if header.get(key):
            add(f"{key}: {quoted(header[key])}", "header", 0, key)
    for list_key in LIST_KEYS:
        items = lists.get(list_key) or []
        if not items:
            continue
        add(f"{list_key}:", list_key, 0, "")
        for index, item in enumerate(items):
            first = True
            for key in ITEM_KEYS[list_key]:
                value = item.get(key, "")
                if not value:
                    continue
                lead = "  - " if first else "    "
                add(f"{lead}{key}: {quoted(value)}", list_key, index, key)
                first = False
    written.text = "".join(line + "\n" for line in lines)
    return written


def _scalar(key: str, value: str, bare: frozenset[str]) -> str:
    return value if key in bare else quoted(value)


# values written bare in the registers: whole numbers and true/false (the format's types)
BARE = frozenset({"due", "attended", "agreed", "merged"})


def register_text(
    list_key: str,
    keys: Sequence[str],
    items: Sequence[tuple[int, Mapping[str, str]]],
    steps: Sequence[Sequence[tuple[int, Mapping[str, str]]]] = (),
    step_keys: Sequence[str] = (),
) -> Written:
    """topics.yml or decisions.yml: `list_key:` then one item per (row index, values), and for
    decisions each item's steps (row index, values) under `steps:`; every value on its own
    line, traced to its row; empty values are left out."""
    lines: list[str] = [f"{list_key}:" if items else f"{list_key}: []"]
    written = Written("")
    written.lines[1] = (list_key, 0, "")
    for number, (index, item) in enumerate(items):
        lead = "  - "
        for key in keys:
            value = item.get(key, "")
            if value:
                lines.append(f"{lead}{key}: {_scalar(key, value, BARE)}")
                written.lines[len(lines)] = (list_key, index, key)
                lead = "    "
        has_steps = bool(step_keys) and number < len(steps)
        if lead == "  - " and not has_steps:  # an item with nothing in it still holds its place
            lines.append("  - {}")
            written.lines[len(lines)] = (list_key, index, "")
        if has_steps:
            lines.append(f"{lead}steps:")
            written.lines[len(lines)] = (list_key, index, "steps")
            for step_index, step in steps[number]:
                step_lead = "      - "
                for key in step_keys:
                    value = step.get(key, "")
                    if value:
                        lines.append(f"{step_lead}{key}: {_scalar(key, value, BARE)}")
                        written.lines[len(lines)] = (list_key, step_index, key)
                        step_lead = "        "
                if step_lead == "      - ":
                    lines.append("      - {}")
                    written.lines[len(lines)] = (list_key, step_index, "")
    written.text = "".join(line + "\n" for line in lines)
    return written


# disclosure.yml's keys the workbook writes; every other top-level key is kept as it stands
WORKBOOK_KEYS = frozenset(
    {*SINGLE_KEYS, "opening", "closing", *PEOPLE_KEYS, "village_affairs", "party_affairs"}
)


def kept_text(text: str) -> str:
    """The top-level blocks of a disclosure.yml that the workbook does not carry (corrections,
    deposits, …), verbatim and in their order, each line ending in LF: an import writes them
    back after the workbook's part, so nothing the workbook cannot show is lost."""
    out: list[str] = []
    keep = False
    for line in text.lstrip("\ufeff").splitlines():
        if line[:1] not in ("", " ", "\t", "-", "#"):
            key = line.split(":", 1)[0].strip().strip("\"'")
            keep = key not in WORKBOOK_KEYS
        if keep:
            out.append(line.rstrip("\r") + "\n")
    while out and not out[-1].strip():
        out.pop()
    return "".join(out)
