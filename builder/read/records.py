"""Records read against the schema: typed values with the line of every key, and the files
they came from, scanned line by line for personal data and invisible characters.

Layer 1 of the checks (per field, from the declarations in `schema.py`); `checks.py` and
`registers.py` build the other layers on these readers.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from builder.format import excel, privacy, problems, schema
from builder.format.problems import Location, Problem
from builder.read.csv_rows import parse_csv
from builder.read.files import TextFile, read_text
from builder.read.yaml_nodes import MapNode, Node, ScalarNode, SeqNode, parse_yaml

MISSING: Any = object()
SETTLED_NS = 50_000_000  # a file's stamp is trusted once it is this old (ReadMemo)


@dataclass
class Rec:
    """A checked YAML mapping or CSV row: typed values, and the line of each key."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    # keys whose written value was reported (wrong type or shape), so absent but not missing
    invalid: set[str] = field(default_factory=set)

    def get(self, key: str, default: Any = None) -> Any:
        """Return a field's value, or default when absent or invalid."""
        return self.values.get(key, default)

    def at(self, key: str) -> int:
        """Return the line a field was written on (the record's line when absent)."""
        return self.lines.get(key, self.line)


class Ctx:
    """Where problems go while one file is checked."""

    def __init__(self, rel: str, out: list[Problem]) -> None:
        self.rel = rel
        self.out = out

    def add(
        self,
        kind: problems.Kind,
        line: int | None,
        fkey: str | None,
        flabel: str = "",
        **values: Any,
    ) -> None:
        """Report a problem of this file at a line, for a field key and its Chinese label."""
        self.out.append(kind.at(Location(self.rel, line), fkey, field_zh=flabel, **values))


# --- layer 1: fields from the schema ---------------------------------------------------------
_SHAPES = {
    MapNode: ("键值对（字段: 值）", "a mapping (key: value)"),
    SeqNode: ("列表（每项以 - 开头）", "a list (items start with -)"),
    ScalarNode: ("单个值", "a single value"),
}


def _shape_of(typ: Any) -> type[Node]:
    if isinstance(typ, schema.Obj):
        return MapNode
    if isinstance(typ, schema.ListOf):
        return SeqNode
    return ScalarNode


def _wrong_shape(ctx: Ctx, node: Node, want: type[Node], key: str | None, label: str) -> None:
    ctx.add(
        problems.WRONG_SHAPE,
        node.line,
        key,
        label,
        expected=_SHAPES[want][0],
        actual=_SHAPES[type(node)][0],
        expected_en=_SHAPES[want][1],
        actual_en=_SHAPES[type(node)][1],
    )


def convert(node: Node, typ: Any, ctx: Ctx, key: str, label: str) -> Any:
    """Turn a YAML node into typed values per the schema; report and return MISSING if bad."""
    want = _shape_of(typ)
    if not isinstance(node, want):
        if isinstance(node, ScalarNode) and node.is_null:
            return MISSING
        _wrong_shape(ctx, node, want, key, label)
        return MISSING
    if isinstance(typ, schema.Obj):
        assert isinstance(node, MapNode)
        return convert_map(node, typ, ctx, key, label)
    if isinstance(typ, schema.ListOf):
        assert isinstance(node, SeqNode)
        items = []
        for item in node.items:
            value = convert(item, typ.item, ctx, key, label)
            if value is not MISSING:
                items.append(value)
        if len(node.items) < typ.min_items:
            ctx.add(problems.MISSING_FIELD, node.line, key, label, label=label, key=key)
        return items
    assert isinstance(node, ScalarNode)
    if node.is_null:
        return MISSING
    return parse_scalar(node.text, typ, ctx, node.line, key, label)


def parse_scalar(text: str, typ: schema.Scalar, ctx: Ctx, line: int, key: str, label: str) -> Any:
    """Parse one scalar or cell by its type; text is NFKC-normalised, numbers are not."""
    if isinstance(typ, schema.Text):
        text = schema.normalize_text(text)
    if isinstance(typ, schema.Text | schema.Pattern) and excel.looks_like_cut_number(text):
        # NOTE: valid text or not, what Excel did is what the clerk must be told first
        ctx.add(problems.EXCEL_NUMBER, line, key, label, value=privacy.shorten(text, 40))
        return MISSING
    value = typ.parse(text)
    if isinstance(value, schema.Invalid):
        habit = _excel_habit(text, typ)
        if habit is not None:
            ctx.add(habit[0], line, key, label, value=privacy.shorten(text, 40), fixed=habit[1])
            return MISSING
        values = {"value": privacy.shorten(text, 40), **value.values}
        ctx.add(value.kind, line, key, label, **values)
        return MISSING
    return value


def _excel_habit(text: str, typ: schema.Scalar) -> tuple[problems.Kind, str] | None:
    """What Excel did to a date or an amount, with the value as it should be written."""
    if isinstance(typ, schema.Date):
        if excel.looks_like_excel_date(text):
            return problems.EXCEL_DATE, excel.read_date_text(text).text
        if text.isdigit() and excel.date_from_serial(int(text)) is not None:
            day = excel.date_from_serial(int(text))
            return problems.EXCEL_DATE, day.isoformat() if day else ""
    if isinstance(typ, schema.Money) and excel.looks_like_formatted_amount(text):
        return problems.EXCEL_AMOUNT, excel.read_amount_text(text).text
    return None


def convert_map(node: MapNode, obj: schema.Obj, ctx: Ctx, prefix: str, label: str) -> Rec:
    """Check a mapping's keys against the schema and convert each value."""
    rec = Rec(node.line)
    for key, (key_line, value_node) in node.items.items():
        field_spec = obj.get(key)
        full = f"{prefix}.{key}" if prefix else key
        if field_spec is None:
            ctx.add(
                problems.UNKNOWN_FIELD,
                key_line,
                full,
                "",
                key=key,
                hint="这里可用的字段："
                + "、".join(f"{x.key}（{x.zh}）" for x in obj.fields)
                + "。",
                hint_en="Known keys here: " + ", ".join(x.key for x in obj.fields) + ".",
            )
            continue
        value = convert(value_node, field_spec.type, ctx, full, _join(label, field_spec.zh))
        rec.lines[key] = key_line
        if value is not MISSING:
            rec.values[key] = value
        elif not (isinstance(value_node, ScalarNode) and value_node.is_null):
            rec.invalid.add(key)
    for field_spec in obj.fields:
        if (
            field_spec.required
            and field_spec.key not in rec.values
            and field_spec.key not in rec.invalid
        ):
            line = rec.lines.get(field_spec.key, node.line)
            full = f"{prefix}.{field_spec.key}" if prefix else field_spec.key
            ctx.add(
                problems.MISSING_FIELD,
                line,
                full,
                _join(label, field_spec.zh),
                label=f"“{_join(label, field_spec.zh)}”（{full}）",
                key=full,
            )
    return rec


def _join(outer: str, inner: str) -> str:
    return f"{outer}·{inner}" if outer else inner


def check_rows(
    rows: Iterable[tuple[dict[str, str], int]],
    record_schema: schema.RecordSchema,
    ctx: Ctx,
    memo: dict[tuple[schema.Scalar, str], Any],
) -> tuple[Rec, ...]:
    """Type each CSV row (its cells by key, and its line); empty cells are absent, required
    ones are reported.

    memo keeps each (type, text) already parsed to an immutable value: a village's ledgers
    write the same dates, names, accounts and choices again and again.
    """
    columns = [(f.key, f.type, f.required, f.zh) for f in record_schema.fields]
    keys = [key for key, _, _, _ in columns]
    out = []
    for row_values, line in rows:
        rec = Rec(line, {}, dict.fromkeys(keys, line))
        values = rec.values
        for key, typ, required, zh in columns:
            text = row_values.get(key, "")
            if text == "":
                if required:
                    ctx.add(
                        problems.MISSING_FIELD,
                        line,
                        key,
                        zh,
                        label=f"“{zh}”（{key}）",
                        key=key,
                    )
                continue
            known = memo.get((typ, text), MISSING)
            if known is not MISSING:
                values[key] = known
                continue
            value = parse_scalar(text, typ, ctx, line, key, zh)
            if value is not MISSING:
                values[key] = value
                if type(value) in _IMMUTABLE:
                    memo[(typ, text)] = value
            else:
                rec.invalid.add(key)
        out.append(rec)
    return tuple(out)


# NOTE: values of these types are shared between the rows that wrote the same text
_IMMUTABLE = frozenset({str, int, bool, Decimal, dt.date})


# --- reading files ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """A CSV file's typed rows, in file order."""

    rel: str
    rows: tuple[Rec, ...]
    read_ok: bool  # nothing was wrong with the file or its values (its rows are all there)


@dataclass(frozen=True)
class ScannedText:
    """A file's text as read, with the key written on each line, for the text scans."""

    file: TextFile
    fields: dict[int, str]


class ReadMemo:
    """What files read to, kept across several readings of records that share most of their
    files (a village's versions in its history: each adds a month to the last), so that a file
    read before is not parsed and typed again. Keyed by the file's path, kind and exact text:
    a record's values, lines and problems are the same wherever the same text is read at the
    same path. Records are never changed once read, so a kept one is handed out as it is.
    Each file's text is kept too, with its inode, size and modification and change times: a
    file whose four are the same has not been written since, and is not read again."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str, str], tuple[Any, tuple[Problem, ...], ScannedText]] = {}
        self.texts: dict[str, tuple[tuple[int, int, int, int], TextFile]] = {}


@dataclass
class Reader:
    """Reads files against their schemas, keeping what it found for one set of records."""

    base: Path
    found: list[Problem] = field(default_factory=list)
    texts: list[ScannedText] = field(default_factory=list)
    parsed: dict[tuple[schema.Scalar, str], Any] = field(default_factory=dict)  # see check_rows
    memo: ReadMemo | None = None  # files read before (see ReadMemo)

    def yaml(self, path: Path | None, record_schema: schema.RecordSchema) -> Rec | None:
        """Read and type one YAML file; None when it is absent or unreadable."""
        result: Rec | None = self._read(path, record_schema, self._yaml)
        return result

    def csv(self, path: Path | None, record_schema: schema.RecordSchema) -> Table | None:
        """Read and type one CSV file; None when it is absent or undecodable."""
        result: Table | None = self._read(path, record_schema, self._csv)
        return result

    def _read(
        self,
        path: Path | None,
        record_schema: schema.RecordSchema,
        read: Callable[[TextFile, schema.RecordSchema], Any],
    ) -> Any:
        """read(file, record_schema) of the file at path, decoded; None when it is absent or
        cannot be decoded (what was wrong is among the problems found)."""
        if path is None:
            return None
        file, found = self._text(path)
        self.found.extend(found)
        if file is None:
            return None
        return self._kept(file, record_schema, read)

    def _text(self, path: Path) -> tuple[TextFile | None, list[Problem]]:
        """read_text(path, base), or the text the memo holds of this very file, unwritten since."""
        if self.memo is None:
            return read_text(path, self.base)
        try:
            stat = os.stat(path)
        except OSError:
            return read_text(path, self.base)  # NOTE: its own words for what is wrong
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        key = f"{path}\0{self.base}"
        held = self.memo.texts.get(key)
        if held is not None and held[0] == stamp:
            return held[1], []
        file, found = read_text(path, self.base)
        # NOTE: a file's times move by the kernel's clock tick (milliseconds): one written in
        # the tick of its stamp could be written again, as long, with the same stamp. Kept only
        # when written well before (as git trusts its index: "racy git")
        if file is not None and time.time_ns() - max(stamp[2:]) > SETTLED_NS:
            self.memo.texts[key] = (stamp, file)
        return file, found

    def _kept(
        self,
        file: TextFile,
        record_schema: schema.RecordSchema,
        read: Callable[[TextFile, schema.RecordSchema], Any],
    ) -> Any:
        """read(file, record_schema), or what it gave for this text at this path before."""
        if self.memo is None:
            return read(file, record_schema)
        key = (file.rel, record_schema.name, file.text)
        hit = self.memo.kept.get(key)
        if hit is None:
            start = len(self.found)
            result = read(file, record_schema)
            hit = self.memo.kept[key] = (result, tuple(self.found[start:]), self.texts[-1])
        else:
            self.found.extend(hit[1])
            self.texts.append(hit[2])
        return hit[0]

    def _yaml(self, file: TextFile, record_schema: schema.RecordSchema) -> Rec | None:
        node, found = parse_yaml(file)
        self.found.extend(found)
        self.texts.append(ScannedText(file, _yaml_fields(node)))
        ctx = Ctx(file.rel, self.found)
        if node is None and found:
            return None  # unreadable: the syntax problem says where, "empty" would mislead
        if node is None or (isinstance(node, ScalarNode) and node.is_null):
            ctx.add(problems.EMPTY_FILE, 1, None)
            return None
        if not isinstance(node, MapNode):
            _wrong_shape(ctx, node, MapNode, None, "")
            return None
        return convert_map(node, record_schema.obj, ctx, "", "")

    def _csv(self, file: TextFile, record_schema: schema.RecordSchema) -> Table:
        start = len(self.found)
        table, found = parse_csv(file, record_schema)
        self.found.extend(found)
        self.texts.append(ScannedText(file, {1: "header"} if table is not None else {}))
        if table is None:
            return Table(file.rel, (), read_ok=False)
        ctx = Ctx(file.rel, self.found)
        rows = check_rows(((r.values, r.line) for r in table.rows), record_schema, ctx, self.parsed)
        read_ok = not any(p.severity is problems.Severity.ERROR for p in self.found[start:])
        return Table(file.rel, rows, read_ok)


def _yaml_fields(node: Node | None) -> dict[int, str]:
    """Map each line to the key written on it, so text findings can name their field."""
    out: dict[int, str] = {}

    def walk(node: Node, key: str) -> None:
        if isinstance(node, MapNode):
            for child_key, (line, child) in node.items.items():
                full = f"{key}.{child_key}" if key else child_key
                out.setdefault(line, full)
                walk(child, full)
        elif isinstance(node, SeqNode):
            for child in node.items:
                walk(child, key)
        elif key:
            out.setdefault(node.line, key)

    if node is not None:
        walk(node, "")
    return out
