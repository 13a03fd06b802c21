"""`sunlight import`: a clerk's workbook in, a period's canonical files out, checked.

Read every cell (`read/workbook.py`), compute the closing balances from the ledger (cash
for 现金, bank for every other settlement method), lay the files out the one canonical way
(`format/layout.py`), then check the village with the files in place, exactly as
`sunlight check` would. Any error in the workbook or in the period's files puts the folder
back as it was and is reported at the workbook's sheet!cell it came from. A period already
published is refused: it is corrected with `sunlight correct`, never overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from builder.audit.snapshot import china_today
from builder.clerk.village import Village, VillageNotFound, find_village, valid_period
from builder.format import excel, layout, problems, schema, sheets
from builder.format.problems import Location, Problem, Severity
from builder.pipeline.validate import validate
from builder.read.csv_rows import parse_csv
from builder.read.files import TextFile, display_path
from builder.read.village import PeriodRecords
from builder.read.workbook import RawSheet, Row, Table, Workbook, grid, read_workbook


@dataclass
class Count:
    """Rows of one sheet: read in, written out, and where they went."""

    sheet: str
    rows_in: int
    rows_out: int
    where: str
    skipped: list[str] = field(default_factory=list)


@dataclass
class Imported:
    """What an import did: notes, problems (at sheet!cell), counts, files written."""

    workbook: str
    village: str = ""
    period: str = ""
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    closing: tuple[str, str] | None = None
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the files were written (no error anywhere)."""
        return not any(p.severity is Severity.ERROR for p in self.problems)


# problems after which the checker would only repeat them row by row (or must not run)
STOP = frozenset(
    {
        problems.ALREADY_PUBLISHED.code,
        problems.WORKBOOK_SHEET_MISSING.code,
        problems.WORKBOOK_UNREADABLE.code,
        problems.WORKBOOK_VILLAGE.code,
        problems.WORKBOOK_NO_HEADER.code,
        problems.WORKBOOK_UNKNOWN_COLUMN.code,
        problems.MISSING_COLUMN.code,
        problems.DUPLICATE_COLUMN.code,
        problems.WORKBOOK_MISSING.code,
    }
)


EMPTY_CONSEQUENCES = frozenset({problems.MISSING_FIELD.code, problems.ONE_OF_INCOME_EXPENSE.code})


def _money(text: str) -> Decimal | None:
    try:
        return Decimal(text) if schema.MONEY_RE.fullmatch(text) else None
    except InvalidOperation:
        return None


def closing_balances(opening: tuple[Decimal, Decimal], rows: list[Row]) -> tuple[Decimal, Decimal]:
    """Closing cash and bank: each row moves cash when paid in 现金, the bank otherwise."""
    cash, bank = opening
    for row in rows:
        delta = (_money(row.values.get("income", "")) or Decimal(0)) - (
            _money(row.values.get("expense", "")) or Decimal(0)
        )
        if row.values.get("method") == "现金":
            cash += delta
        else:
            bank += delta
    return cash, bank


def _sign_problem(
    result: Imported, book: Workbook, key: str, kind: problems.Kind, **values: str
) -> None:
    cell = book.sign_cells.get(key, "B1")
    row = int("".join(ch for ch in cell if ch.isdigit()))
    label = next((label for k, label, _ in sheets.SIGN_ROWS if k == key), "")
    where = Location(book.name, row, f"{sheets.SIGN_OFF}!{cell}")
    result.problems.append(kind.at(where, key, field_zh=label, **values))


def import_workbook(
    path: Path, villages_dir: Path, base: Path, today: dt.date | None = None
) -> Imported:
    """Import one workbook into its village's period folder; nothing changes on any error."""
    name = display_path(path, base) if path.is_absolute() else path.as_posix()
    result = Imported(name)
    today = today or china_today()
    # the village first: its declared phones may appear in the workbook, its chart names codes
    village: Village | None = None
    raw_sheets: list[RawSheet] | None
    try:
        raw_sheets = grid(path)
    except Exception:  # not a workbook: read_workbook says so
        raw_sheets = None
    typed = _typed_village(raw_sheets)
    if typed:
        try:
            village = find_village(villages_dir, base, typed)
        except VillageNotFound:
            village = None
    book = read_workbook(
        path,
        name,
        village.phones if village else (),
        village.accounts if village else None,
        raw_sheets=raw_sheets,
    )
    result.notes = book.notes
    result.problems = list(book.problems)
    if raw_sheets is None:
        return result
    if village is None:
        _sign_problem(result, book, "village", problems.WORKBOOK_VILLAGE, value=typed)
        return result
    result.village = village.rel
    period = book.sign.get("period", "")
    result.period = period
    for key, label, _kind in sheets.SIGN_ROWS:
        if key in ("reviewed_at", "published_at", "reviewed_by"):
            continue  # a draft may leave these for the checker to ask for
        if not book.sign.get(key) and not any(p.field == key for p in book.problems):
            _sign_problem(result, book, key, problems.WORKBOOK_MISSING, label=label, label_en=key)
    if not valid_period(period):
        return result
    existing = village.period(period)
    if existing is not None and existing.disclosure is not None:
        published = existing.disclosure.get("published_at")
        if isinstance(published, dt.date) and published <= today:
            _sign_problem(
                result,
                book,
                "period",
                problems.ALREADY_PUBLISHED,
                period=period,
                published=published.isoformat(),
                village=village.rel,
            )
    if existing is not None:
        _keep_what_is_there(result, book, existing)
    if any(p.code in STOP for p in result.problems):
        return result
    # cells refused above are left empty, and the checker still runs: every problem at once
    files, ledger_written, disclosure_written = _lay_out(
        book, result, village.dir / "contracts.csv"
    )
    folder = village.dir / period
    _write_checked(
        result, book, village, folder, files, base, today, ledger_written, disclosure_written
    )
    return result


def _keep_what_is_there(result: Imported, book: Workbook, existing: PeriodRecords) -> None:
    """A sheet left out of the workbook would delete the month's rows of it: refused."""
    disclosure = existing.disclosure
    held = {
        "ledger": len(existing.ledger.rows) if existing.ledger else 0,
        "assistance": len(existing.assistance.rows) if existing.assistance else 0,
        **{
            part: len(disclosure.get(part, [])) if disclosure is not None else 0
            for part in ("village_affairs", "party_affairs")
        },
    }
    for part, count in held.items():
        table = book.tables[part]
        if count and not table.present:
            where = Location(book.name, 1, f"{table.spec.name}!A1")
            result.problems.append(
                problems.WORKBOOK_SHEET_MISSING.at(
                    where, None, sheet=table.spec.name, count=count, what=table.spec.name
                )
            )


def _typed_village(raw_sheets: list[RawSheet] | None) -> str:
    """The village named on the sign-off sheet (column B beside 村（文件夹）)."""
    label = excel.header_text(sheets.SIGN_ROWS[0][1])
    for raw in raw_sheets or []:
        if raw.name.strip() != sheets.SIGN_OFF:
            continue
        for (r, c), cell in raw.cells.items():
            if c == 1 and isinstance(cell.value, str) and excel.header_text(cell.value) == label:
                value = raw.cells.get((r, 2))
                return str(value.value).strip() if value is not None else ""
    return ""


def _lay_out(
    book: Workbook, result: Imported, register: Path
) -> tuple[dict[str, str | None], layout.Written, layout.Written]:
    """The period's files as text (None: the file is not wanted), with the counts."""
    ledger = book.tables["ledger"]
    assistance = book.tables["assistance"]
    opening = (
        _money(book.sign.get("opening.cash", "")) or Decimal(0),
        _money(book.sign.get("opening.bank", "")) or Decimal(0),
    )
    cash, bank = closing_balances(opening, ledger.rows)
    if cash < 0:
        _sign_problem(
            result, book, "opening.cash", problems.NEGATIVE_CASH, value=excel.money_text(cash)
        )
    result.closing = (excel.money_text(cash), excel.money_text(bank))
    header = {
        "period": book.sign.get("period", ""),
        "opening.cash": book.sign.get("opening.cash", ""),
        "opening.bank": book.sign.get("opening.bank", ""),
        "closing.cash": excel.money_text(cash),
        "closing.bank": excel.money_text(bank),
        **{k: book.sign.get(k, "") for k in layout.PEOPLE_KEYS},
    }
    lists = {
        part: [row.values for row in book.tables[part].rows]
        for part in ("village_affairs", "party_affairs")
    }
    disclosure = layout.disclosure_text(header, lists)
    ledger_text = layout.csv_text(schema.LEDGER, [row.values for row in ledger.rows])
    files: dict[str, str | None] = {
        "disclosure.yml": disclosure.text,
        "ledger.csv": ledger_text.text,
        "assistance.csv": layout.csv_text(
            schema.ASSISTANCE, [r.values for r in assistance.rows]
        ).text
        if assistance.rows
        else None,
    }
    contracts = book.tables["contracts"]
    if contracts.present:
        text = layout.csv_text(schema.CONTRACTS, [r.values for r in contracts.rows]).text
        if text != _register_as_laid_out(register):
            files[REGISTER] = text  # changed: rewritten; unchanged, the file stays as it is
    for part in ("ledger", "village_affairs", "party_affairs", "assistance"):
        table = book.tables[part]
        rows_out = len(table.rows)  # every row read is a row or an item written (checked below)
        result.counts.append(
            Count(table.spec.name, len(table.rows), rows_out, table.spec.what, table.skipped)
        )
    # the proof: count what the texts hold, not what was meant to be written
    result.counts[0].rows_out = ledger_text.text.count("\n") - 1 if ledger.rows else 0
    written_items = {
        part: sum(1 for p, _i, k in disclosure.lines.values() if p == part and k == "title")
        for part in ("village_affairs", "party_affairs")
    }
    result.counts[1].rows_out = written_items["village_affairs"]
    result.counts[2].rows_out = written_items["party_affairs"]
    if files["assistance.csv"] is not None:
        result.counts[3].rows_out = len(
            layout.csv_text(schema.ASSISTANCE, [r.values for r in assistance.rows]).lines
        )
    if contracts.present:
        written = layout.csv_text(schema.CONTRACTS, [r.values for r in contracts.rows])
        result.counts.append(
            Count(
                contracts.spec.name,
                len(contracts.rows),
                len(written.lines),
                "contracts.csv",
                contracts.skipped,
            )
        )
    return files, ledger_text, disclosure


# the register beside the period folders, as a path from the period's folder
REGISTER = "../contracts.csv"


def _register_as_laid_out(path: Path) -> str | None:
    """contracts.csv as the import would write the same rows (None: there is none)."""
    if not path.is_file():
        return None
    table, _ = parse_csv(
        TextFile(path.name, path.read_text(encoding="utf-8-sig")), schema.CONTRACTS
    )
    if table is None:
        return ""
    return layout.csv_text(schema.CONTRACTS, [row.values for row in table.rows]).text


def _write_checked(
    result: Imported,
    book: Workbook,
    village: Village,
    folder: Path,
    files: dict[str, str | None],
    base: Path,
    today: dt.date,
    ledger_written: layout.Written,
    disclosure_written: layout.Written,
) -> None:
    """Write the files, check the village, and put everything back on any error here."""
    existed = folder.is_dir()
    before: dict[str, bytes | None] = {}
    for filename in files:
        target = folder / filename
        before[filename] = target.read_bytes() if target.is_file() else None
    folder.mkdir(parents=True, exist_ok=True)
    for filename, text in files.items():
        target = folder / filename
        data = text.encode("utf-8") if text is not None else None
        if data == before[filename]:
            continue
        if data is None:
            target.unlink()
        else:
            target.write_bytes(data)
    villages_dir = village.dir.parent.parent
    checked = validate(villages_dir, base, only=[village.dir], today=today)
    folder_rel = display_path(folder, base)
    register_rel = display_path(village.dir / "contracts.csv", base)
    refused = {p.where.cell for p in result.problems if p.where.cell}
    refused_rows = {(p.where.cell.partition("!")[0], p.where.line) for p in result.problems}
    mine: list[Problem] = []
    for problem in checked.report.sorted():
        if not problem.where.path.startswith(folder_rel + "/") and not (
            REGISTER in files and problem.where.path == register_rel
        ):
            continue
        placed = _to_cell(problem, book, folder_rel, ledger_written, disclosure_written)
        if placed.where.cell in refused:
            continue  # already said what is wrong with that cell
        sheet = placed.where.cell.partition("!")[0]
        if (sheet, placed.where.line) in refused_rows and placed.code in EMPTY_CONSEQUENCES:
            continue  # the refused cell was left empty: "fill it in" would repeat the problem
        mine.append(placed)
    result.problems.extend(mine)
    if not result.ok:
        for filename, data in before.items():
            target = folder / filename
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(data)
        if not existed:
            folder.rmdir()
        return
    for filename, text in files.items():
        rel = os.path.normpath(f"{folder_rel}/{filename}")
        data = text.encode("utf-8") if text is not None else None
        if data == before[filename]:
            if data is not None:
                result.unchanged.append(rel)
        else:
            result.written.append(rel + ("（已删除 / deleted）" if data is None else ""))


def _to_cell(
    problem: Problem,
    book: Workbook,
    folder_rel: str,
    ledger_written: layout.Written,
    disclosure_written: layout.Written,
) -> Problem:
    """The same problem, placed at the workbook cell its value came from."""
    inside = problem.where.path.startswith(folder_rel + "/")
    filename = problem.where.path[len(folder_rel) + 1 :] if inside else ""
    line = problem.where.line or 0
    key = (problem.field or "").split(".")[-1]
    cell = ""
    if problem.where.path.endswith("/contracts.csv") and not filename:
        cell = _row_cell(book.tables["contracts"], line - 2, key)
    elif filename in ("ledger.csv", "assistance.csv"):
        table = book.tables["ledger" if filename == "ledger.csv" else "assistance"]
        cell = _row_cell(table, line - 2, key)
    elif filename == "disclosure.yml":
        part, index, written_key = disclosure_written.lines.get(line, ("header", 0, ""))
        if part == "header":
            sign_key = problem.field or written_key
            if sign_key.startswith("closing"):
                sign_key = (
                    "opening." + sign_key.split(".")[-1] if "." in sign_key else "opening.cash"
                )
            if sign_key in ("opening", "closing"):
                sign_key = "opening.cash"
            found = book.sign_cells.get(sign_key)
            cell = f"{sheets.SIGN_OFF}!{found}" if found else ""
        else:
            cell = _row_cell(book.tables[part], index, key or written_key)
    del ledger_written
    if not cell:
        return problem
    row = int("".join(ch for ch in cell.split("!")[1] if ch.isdigit()))
    return Problem(Location(book.name, row, cell), problem.field, problem.kind, problem.values)


def _row_cell(table: Table, index: int, key: str) -> str:
    if not 0 <= index < len(table.rows):
        return ""
    row = table.rows[index]
    address = row.cells.get(key) or next(iter(row.cells.values()), f"A{row.row}")
    return f"{table.spec.name}!{address}"
