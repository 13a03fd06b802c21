"""A clerk's workbook read into the same cell texts a period's CSV and YAML files hold, with
the sheet and cell every value came from.

.xlsx (Excel, WPS "xlsx") is read with openpyxl, cell by cell: formulas are seen as formulas
(and refused, naming the cell), date cells as dates, numbers as numbers. .xls and WPS's .et
are read with python-calamine (values only: a formula there arrives as its last result).
Nothing is parsed by hand. What Excel does to data is accepted where it has one reading
(`format/excel.py`) and said in `notes`; everything else is a problem at its sheet!cell. Rows
are counted as they are read, so that the import can prove none was lost. A ledger CSV
(`csv_sheet`) becomes one sheet of text cells, read by the same code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from builder.format import excel, problems, schema, sheets
from builder.format.privacy import scan_characters, scan_personal_data
from builder.format.problems import Location, Problem

READABLE = (".xlsx", ".xlsm", ".xls", ".et")
CSV_SUFFIXES = (".csv", ".txt")  # a month's ledger alone: read by csv_sheet


@dataclass(frozen=True)
class Raw:
    """A cell as the workbook stores it: its value, and whether it is a formula."""

    value: Any
    formula: bool = False


@dataclass
class RawSheet:
    name: str
    hidden: bool
    cells: dict[tuple[int, int], Raw]  # (row, column), 1-based; empty cells absent
    hidden_rows: frozenset[int] = frozenset()

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)


@dataclass
class Row:
    """One data row: its sheet row and its cells' texts and addresses by field key."""

    row: int
    values: dict[str, str]
    cells: dict[str, str]  # key → "F6"


@dataclass
class Table:
    """One table sheet as read: its rows in order and how many rows of each kind there were."""

    spec: sheets.SheetSpec
    rows: list[Row] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # key → column letter
    skipped: list[str] = field(default_factory=list)  # "第1行（标题）", …
    present: bool = False
    refused: set[str] = field(default_factory=set)  # keys with a cell that could not be read


@dataclass
class Workbook:
    """What a workbook holds, converted, with what was converted and what is wrong."""

    name: str  # as shown in messages
    tables: dict[str, Table] = field(default_factory=dict)  # by part
    sign: dict[str, str] = field(default_factory=dict)  # key → text
    sign_cells: dict[str, str] = field(default_factory=dict)  # key → "B3"
    correction: dict[str, str] = field(default_factory=dict)  # the 更正 sheet: key → text
    correction_cells: dict[str, str] = field(default_factory=dict)  # key → "B3"
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- the grid -----------------------------------------------------------------------------------
def _grid_openpyxl(path: Path) -> list[RawSheet]:
    import openpyxl  # the import takes 0.1 s: only commands that read workbooks pay it

    book = openpyxl.load_workbook(path, data_only=False, rich_text=False)
    out = []
    for ws in book.worksheets:
        cells: dict[tuple[int, int], Raw] = {}
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                formula = cell.data_type == "f" or not isinstance(
                    value, str | int | float | Decimal | dt.date | dt.datetime | dt.time | bool
                )
                cells[(cell.row, cell.column)] = Raw(value, formula)
        hidden_rows = frozenset(r for r, dim in ws.row_dimensions.items() if dim.hidden)
        out.append(RawSheet(ws.title, ws.sheet_state != "visible", cells, hidden_rows))
    return out


def _grid_calamine(path: Path) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    out = []
    for meta in book.sheets_metadata:
        sheet = book.get_sheet_by_name(meta.name)
        cells: dict[tuple[int, int], Raw] = {}
        for r, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(values, start=1):
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                    value = int(value)
                cells[(r, c)] = Raw(value)
        out.append(RawSheet(meta.name, str(meta.visible) != "SheetVisibleEnum.Visible", cells))
    return out


def grid(path: Path) -> list[RawSheet]:
    """Every sheet of a workbook, cell by cell (a CSV is not one: ValueError)."""
    if path.suffix.lower() in CSV_SUFFIXES:
        raise ValueError(f"{path.name} is a CSV file, not a workbook")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _grid_openpyxl(path)
    return _grid_calamine(path)


class CsvUnreadable(ValueError):
    """A CSV that is neither UTF-8 nor GB18030: the line of the first byte that is neither."""

    def __init__(self, line: int) -> None:
        super().__init__(f"undecodable at line {line}")
        self.line = line


def csv_sheet(path: Path, name: str) -> tuple[RawSheet, dict[int, int]]:
    """A ledger CSV as Excel or WPS saves it (UTF-8, UTF-8 with a BOM, or GBK/GB18030) as one
    sheet of text cells named name, a record per row, and each row's first line in the file
    (a quoted cell may span lines)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise CsvUnreadable(data[: exc.start].count(b"\n") + 1) from None
    cells: dict[tuple[int, int], Raw] = {}
    lines: dict[int, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for r, record in enumerate(reader, start=1):
        lines[r] = start
        start = reader.line_num + 1
        for c, value in enumerate(record, start=1):
            if value.strip():
                cells[(r, c)] = Raw(value)
    return RawSheet(name, False, cells), lines


# --- cells ----------------------------------------------------------------------------------
# what a column of each kind takes, for messages about a cell of the wrong type
WANTED = {
    "date": ("日期，例如 2026-11-05", "a date, e.g. 2026-11-05"),
    "money": ("金额数字，例如 1200.50", "an amount in digits, e.g. 1200.50"),
    "integer": ("整数，例如 3", "a whole number, e.g. 3"),
    "code": ("科目代码，例如 51301", "an account code, e.g. 51301"),
    "period": ("年-月，例如 2026-11", "year-month, e.g. 2026-11"),
    "text": ("文字", "text"),
}


def read_cell(raw: Raw, kind: str, accounts: Mapping[str, str] | None = None) -> excel.Read:
    """One cell in a column of this kind (date, money, code, integer, text, period); accounts
    (code → name) checks a code written with its name."""
    accounts = accounts or {}
    value = raw.value
    if raw.formula:
        shown = str(value)[:40] if isinstance(value, str) else "公式"
        return excel.Read(
            refused=f"是公式（{shown}）。导入只收数值：请复制这些格子，再“选择性粘贴 → 数值”。",
            refused_en=f"This cell holds a formula ({shown}). Copy the cells and paste them back as values only.",
        )
    if isinstance(value, bool):
        want, want_en = WANTED.get(kind, WANTED["text"])
        return excel.Read(
            refused=f"是“是/否”（TRUE/FALSE）格子，这一列应填{want}。请删除后重新输入。",
            refused_en=f"This cell is a TRUE/FALSE cell; the column takes {want_en}. Clear it and "
            "type it again.",
        )
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(value, dt.datetime) and value.time() != dt.time(0):
            return excel.Read(
                refused=f"日期带有时刻（{value:%Y-%m-%d %H:%M}）。请只填日期。",
                refused_en="This cell holds a date with a time of day. Enter the date only.",
            )
        if kind == "date":
            return excel.Read(day.isoformat())
        if kind == "period":
            return excel.Read(f"{day:%Y-%m}", f"期间（日期格子 {day.isoformat()}）→ {day:%Y-%m}")
        if kind in ("money", "integer"):
            want, want_en = WANTED[kind]
            return excel.Read(
                refused=f"是日期格子（{day.isoformat()}），这一列应填{want}。"
                "请把格子设为“常规”或“数值”格式后重新输入。",
                refused_en=f"This cell holds a date ({day.isoformat()}); the column takes "
                f"{want_en}. Format it as General or Number and type it again.",
            )
        return excel.Read(
            refused=f"被 Excel 变成了日期（{day.isoformat()}）。请把这一列设为“文本”格式后重新输入。",
            refused_en=f"Excel turned this cell into a date ({day.isoformat()}). Format the column as "
            "Text and type it again.",
        )
    if isinstance(value, dt.time):
        return excel.Read(
            refused="是一个时刻。请重新输入。", refused_en="This cell holds a time of day."
        )
    if isinstance(value, int | float | Decimal):
        return _read_number(value, kind)
    text = str(value).strip()
    if kind == "date":
        return excel.read_date_text(text)
    if kind == "money":
        return excel.read_amount_text(text)
    if kind == "period":
        as_day = excel.read_date_text(text + "-01")
        if as_day.text and not as_day.refused and len(text) < 10:
            period = as_day.text[:7]
            return excel.Read(period, f"期间“{text}”→ {period}" if period != text else "")
        short = text.replace("年", "-").replace("月", "").replace("/", "-")
        if len(short.split("-")) == 2 and all(p.isdigit() for p in short.split("-")):
            year, month = short.split("-")
            period = f"{int(year):04d}-{int(month):02d}"
            return excel.Read(period, f"期间“{text}”→ {period}" if period != text else "")
        return excel.Read(text)
    if kind in ("code", "integer"):
        folded = excel.fold(text)
        lead = folded[: len(folded) - len(folded.lstrip("0123456789"))]
        known = accounts.get(lead[:3])
        # NOTE: a code with a name ("513 管理费用", a pick from the drop-down list) is read as
        # its code; text that only begins with digits ("12abc") is no account of the chart and
        # stays whole, so the check names what the clerk wrote, not its first digits
        if kind == "code" and lead and lead != folded and (known is not None or not accounts):
            name = folded[len(lead) :].strip(" -_:：")
            if known is not None and name and name != known:
                return excel.Read(
                    refused=f"科目代码 {lead} 是“{known}”，与写的名称“{name}”不符。请核对。",
                    refused_en=f"The account code {lead} is {known}, not {name}. Check which is meant.",
                )
            # a pick from the drop-down list ("513 管理费用") is the code, said only if unusual
            return excel.Read(
                lead, "" if known is not None and name == known else f"科目“{text}”→ {lead}"
            )
        if folded != text and folded.isdigit():
            return excel.Read(folded, f"全角数字“{text}”→ {folded}")
    # the checker reads text NFKC-normalised (Chinese punctuation kept): write it so, so that
    # a workbook exported from the files and imported again gives the same bytes
    return excel.Read(schema.normalize_text(text))


def _read_number(value: float | int | Decimal, kind: str) -> excel.Read:
    whole = abs(int(value)) if math.isfinite(value) else 0
    if whole >= 10**15:
        # NOTE: Excel and WPS keep 15 significant digits, so a longer number typed into a cell
        # not formatted as text (a contract, ID or card number) has lost its last digits before
        # it is saved: what is read is not what the clerk typed, and is not shown (it may be
        # most of an ID number)
        length = len(str(whole))
        return excel.Read(
            refused=f"是一个 {length} 位的数字：Excel 和 WPS 只保留 15 位，后面的数字已经变了。"
            "请把这一列设为“文本”格式后重新输入；如果是身份证号或银行卡号，请删除，这些号码不得公开。",
            refused_en=f"This cell holds a number of {length} digits: Excel and WPS keep only 15 "
            "digits, so the last ones have changed. Format the column as Text and type it again; "
            "an ID or bank card number must be deleted, never published.",
        )
    if kind == "money":
        return excel.read_amount_number(value)
    if kind == "date":
        day = excel.date_from_serial(float(value))
        if day is None:
            return excel.Read(
                refused=f"“{value}”是数字，不是日期。请写成 年-月-日，例如 2026-11-05。",
                refused_en=f'"{value}" is a number, not a date. Write it year-month-day, e.g. 2026-11-05.',
            )
        return excel.Read(day.isoformat(), f"日期序号 {value} → {day.isoformat()}")
    if isinstance(value, float) and not value.is_integer():
        return excel.Read(
            refused=f"“{value}”是带小数的数字，这一列应是文字或整数。",
            refused_en=f'"{value}" is a decimal number; this column holds text or whole numbers.',
        )
    text = str(int(value))
    if kind == "code":
        return excel.Read(text, f"科目代码存成了数字 {text}，按文字 {text} 读入")
    if kind == "period":
        return excel.Read(text)
    return excel.Read(text)


# --- sheets --------------------------------------------------------------------------------------
class _Sink:
    def __init__(
        self, book: Workbook, allowed_phones: Collection[str], accounts: Mapping[str, str]
    ) -> None:
        self.book = book
        self.allowed_phones = allowed_phones
        self.accounts = accounts
        self.notes: dict[tuple[str, str], list[str]] = {}

    def problem(
        self, kind: problems.Kind, sheet: str, row: int, col: int, key: str | None, **values: Any
    ) -> None:
        where = Location(self.book.name, row, f"{sheet}!{column_letter(col)}{row}")
        self.book.problems.append(kind.at(where, key, **values))

    def note(self, sheet: str, what: str, cell: str) -> None:
        self.notes.setdefault((sheet, what), []).append(cell)

    def flush(self) -> None:
        for (sheet, what), cells in self.notes.items():
            where = cells[0] if len(cells) == 1 else f"{cells[0]} 等 {len(cells)} 处"
            self.book.notes.append(f"{sheet}!{where}：{what}")


def _cell_problem(
    sink: _Sink, sheet: str, row: int, col: int, key: str, label: str, read: excel.Read
) -> None:
    sink.problem(
        problems.WORKBOOK_CELL,
        sheet,
        row,
        col,
        key,
        field_zh=label,
        reason=read.refused,
        reason_en=read.refused_en,
    )


def _scan(sink: _Sink, sheet: str, row: int, col: int, key: str, label: str, text: str) -> bool:
    found = False
    for finding in [*scan_characters(text), *scan_personal_data(text, sink.allowed_phones)]:
        sink.problem(
            problems.KINDS[finding.code],
            sheet,
            row,
            col,
            key,
            field_zh=label,
            value=finding.value,
            column=finding.column,
            char=finding.value,
        )
        found = True
    return found


def _note_of(read: excel.Read) -> str:
    """A conversion note without its value, so one note covers a whole column."""
    note = read.note
    if note.startswith("日期序号"):
        return "日期存成了序号数字，已按日期读入"
    if note.startswith("日期"):
        return "文字日期（如 2026/11/5、2026年11月5日）已改写为 年-月-日"
    if note.startswith("金额"):
        return "金额中的 ¥、千位逗号、全角数字已去掉"
    if note.startswith("科目代码存成了数字"):
        return "科目代码存成了数字，已按文字读入"
    if note.startswith("科目"):
        return "科目写成“代码 名称”，只取代码"
    if note.startswith("全角数字"):
        return "全角数字已改为半角"
    return note


def _read_table(raw: RawSheet, spec: sheets.SheetSpec, sink: _Sink) -> Table:
    table = Table(spec, present=True)
    name = raw.name
    # the header: the first row (of the first ten) where two or more cells name a column
    header_row = 0
    for r in range(1, min(raw.max_row, 10) + 1):
        known = [
            c
            for (rr, c), cell in raw.cells.items()
            if rr == r
            and isinstance(cell.value, str)
            and spec.column(excel.header_text(cell.value)) is not None
        ]
        if len(known) >= 2:
            header_row = r
            break
    if not header_row:
        if raw.cells:
            first = min(raw.cells)
            sink.problem(
                problems.WORKBOOK_NO_HEADER,
                name,
                first[0],
                first[1],
                None,
                columns="、".join(sheets.header_label(f) for f in spec.fields),
            )
        return table
    for r in range(1, header_row):
        if any(rr == r for rr, _ in raw.cells):
            table.skipped.append(f"第{r}行（标题）")
            sink.note(name, "表格上方的标题行已跳过", f"A{r}")
    columns: dict[int, schema.Field] = {}
    data_cols = {c for (r, c) in raw.cells if r > header_row}
    for (r, c), cell in sorted(raw.cells.items()):
        if r != header_row:
            continue
        text = excel.header_text(str(cell.value))
        field_spec = spec.column(text)
        if field_spec is None:
            if c in data_cols:
                sink.problem(
                    problems.WORKBOOK_UNKNOWN_COLUMN,
                    name,
                    r,
                    c,
                    None,
                    value=str(cell.value),
                    columns="、".join(sheets.header_label(f) for f in spec.fields),
                )
            continue
        if field_spec.key in table.columns:
            sink.problem(
                problems.DUPLICATE_COLUMN, name, r, c, field_spec.key, value=str(cell.value)
            )
            continue
        if str(cell.value).strip() not in (
            field_spec.zh,
            field_spec.key,
            sheets.header_label(field_spec),
        ):
            sink.note(name, f"表头“{cell.value}”按“{field_spec.zh}”读入", f"{column_letter(c)}{r}")
        columns[c] = field_spec
        table.columns[field_spec.key] = column_letter(c)
    for field_spec in spec.fields:
        if field_spec.required and field_spec.key not in table.columns:
            sink.problem(
                problems.MISSING_COLUMN,
                name,
                header_row,
                1,
                field_spec.key,
                label=f"{sheets.header_label(field_spec)}（{field_spec.key}）",
            )
    for c in sorted(data_cols - set(columns)):
        if (header_row, c) not in raw.cells:
            r = min(rr for rr, cc in raw.cells if cc == c and rr > header_row)
            sink.problem(
                problems.WORKBOOK_UNKNOWN_COLUMN,
                name,
                r,
                c,
                None,
                value="（无表头）",
                columns="、".join(sheets.header_label(f) for f in spec.fields),
            )
    for r in range(header_row + 1, raw.max_row + 1):
        cells = {c: raw.cells[(r, c)] for c in columns if (r, c) in raw.cells}
        if not cells:
            if not any(rr == r for rr, _ in raw.cells):
                continue  # a blank row: nothing to read, nothing lost
            continue  # only cells outside the table's columns: reported above
        if any(
            isinstance(cell.value, str) and excel.is_total_label(cell.value)
            for cell in cells.values()
        ):
            table.skipped.append(f"第{r}行（合计）")
            sink.note(name, "合计行已跳过（合计由网站计算）", f"A{r}")
            _check_totals(table, columns, cells, r, sink)
            continue
        if r in raw.hidden_rows:
            sink.note(name, "隐藏的行也已读入", f"A{r}")
        row = Row(r, {}, {})
        for c, field_spec in columns.items():
            row.cells[field_spec.key] = f"{column_letter(c)}{r}"
            if c not in cells:
                row.values[field_spec.key] = ""
                continue
            read = read_cell(cells[c], sheets.kind_of(field_spec), sink.accounts)
            if read.refused:
                _cell_problem(sink, name, r, c, field_spec.key, field_spec.zh, read)
                table.refused.add(field_spec.key)
                row.values[field_spec.key] = ""
                continue
            if read.note:
                sink.note(name, _note_of(read), f"{column_letter(c)}{r}")
            if _scan(sink, name, r, c, field_spec.key, field_spec.zh, read.text):
                row.values[field_spec.key] = ""
                continue
            row.values[field_spec.key] = read.text
        table.rows.append(row)
    return table


def _check_totals(
    table: Table, columns: dict[int, schema.Field], cells: dict[int, Raw], r: int, sink: _Sink
) -> None:
    """A totals row's numbers must be the sum of the rows above (formulas are not rechecked)."""
    for c, field_spec in columns.items():
        raw = cells.get(c)
        if raw is None or raw.formula or sheets.kind_of(field_spec) != "money":
            continue
        if field_spec.key in table.refused:
            continue  # a cell above was refused: its sum is not known
        if isinstance(raw.value, int | float | Decimal) and not isinstance(raw.value, bool):
            read = excel.Read(str(Decimal(str(raw.value))))
        else:
            read = read_cell(raw, "money")
        if read.refused or not read.text:
            continue
        total = sum(
            (
                Decimal(row.values[field_spec.key])
                for row in table.rows
                if row.values.get(field_spec.key)
            ),
            Decimal(0),
        )
        if Decimal(read.text) != total:
            sink.problem(
                problems.WORKBOOK_TOTAL,
                name_of(table),
                r,
                c,
                field_spec.key,
                field_zh=field_spec.zh,
                value=read.text,
                total=excel.money_text(total),
            )


def name_of(table: Table) -> str:
    """The sheet's name."""
    return table.spec.name


def _read_sign(
    raw: RawSheet,
    book: Workbook,
    sink: _Sink,
    rows: tuple[tuple[str, str, str], ...] = sheets.SIGN_ROWS,
) -> None:
    """A sheet of labels (column A) and values (column B): 签字, or 更正 (rows)."""
    labels = {excel.header_text(label): (key, kind) for key, label, kind in rows}
    values, cells = (
        (book.sign, book.sign_cells)
        if rows is sheets.SIGN_ROWS
        else (book.correction, book.correction_cells)
    )
    for (r, c), cell in sorted(raw.cells.items()):
        if c != 1 or not isinstance(cell.value, str):
            continue
        found = labels.get(excel.header_text(cell.value))
        if found is None:
            continue
        key, kind = found
        cells[key] = f"B{r}"
        value = raw.cells.get((r, 2))
        if value is None:
            values[key] = ""
            continue
        read = read_cell(value, kind)
        if read.refused:
            _cell_problem(sink, raw.name, r, 2, key, cell.value, read)
            values[key] = ""
            continue
        if read.note:
            sink.note(raw.name, read.note, f"B{r}")
        if _scan(sink, raw.name, r, 2, key, cell.value, read.text):
            values[key] = ""
            continue
        values[key] = read.text


def read_workbook(
    path: Path,
    name: str,
    allowed_phones: Collection[str] = (),
    accounts: Mapping[str, str] | None = None,
    raw_sheets: list[RawSheet] | None = None,
) -> Workbook:
    """Read a clerk's workbook: every table sheet and the sign-off sheet, converted; the
    village's declared phones may appear, a code written with a name must match accounts."""
    book = Workbook(name)
    sink = _Sink(book, allowed_phones, accounts or {})
    if path.suffix.lower() in CSV_SUFFIXES:
        book.problems.append(problems.WORKBOOK_CSV.at(Location(name), None, file=name))
        return book
    try:
        raw_sheets = raw_sheets if raw_sheets is not None else grid(path)
    except Exception as exc:  # a damaged or password-protected file, or not a workbook at all
        book.problems.append(
            problems.WORKBOOK_UNREADABLE.at(Location(name), None, reason=type(exc).__name__)
        )
        return book
    specs = {spec.name: spec for spec in sheets.TABLES}
    for raw in raw_sheets:
        title = raw.name.strip()
        if title in specs:
            if raw.hidden:
                sink.note(title, "这张工作表是隐藏的，也已读入", "A1")
            book.tables[specs[title].part] = _read_table(raw, specs[title], sink)
        elif title == sheets.SIGN_OFF:
            _read_sign(raw, book, sink)
        elif title == sheets.CORRECTION:
            _read_sign(raw, book, sink, sheets.CORRECTION_ROWS)
        elif title in (sheets.INSTRUCTIONS, sheets.OPTIONS) or not raw.cells:
            continue
        elif raw.hidden:
            sink.note(title, "隐藏的工作表，不是公开表格，未读取", "A1")
        else:
            first = min(raw.cells)
            sink.problem(
                problems.WORKBOOK_UNKNOWN_SHEET,
                title,
                first[0],
                first[1],
                None,
                name=title,
                sheets="、".join([*specs, sheets.SIGN_OFF]),
            )
    for spec in sheets.TABLES:
        book.tables.setdefault(spec.part, Table(spec))
    sink.flush()
    return book
