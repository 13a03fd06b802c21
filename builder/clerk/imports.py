"""`sunlight import`: a clerk's workbook in, a period's canonical files out, checked.

Read every cell (`read/workbook.py`), compute the closing balances from the ledger (cash
for 现金, bank for every other settlement method), lay the files out the one canonical way
(`format/layout.py`), then check the village with the files in place, exactly as
`sunlight check` would. Any error in the workbook or in the period's files puts the folder
back as it was and is reported at the workbook's sheet!cell it came from.

A period the publication log holds is never overwritten: the import goes through the
correction flow of `sunlight correct` (`audit/correct.py`, the same functions): the changes
against the logged version, the balance change carried into the later months, one correction
entry per changed month (date, reason and approver from the command line, the workbook's 更正
sheet or the clerk's answers, judged as `check --since` judges them) and the log's new
entries. On any error every file (the village's and the log) is put back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from builder.audit import correct
from builder.audit.commands import log_path
from builder.audit.snapshot import china_today
from builder.clerk.village import Village, VillageNotFound, find_village, valid_period
from builder.errors import BuilderError
from builder.format import excel, layout, problems, schema, sheets
from builder.format.problems import Location, Problem, Severity
from builder.pipeline.validate import validate
from builder.read.csv_rows import parse_csv
from builder.read.files import TextFile, display_path
from builder.read.records import Rec
from builder.read.village import PeriodRecords
from builder.read.workbook import (
    CSV_SUFFIXES,
    CsvUnreadable,
    RawSheet,
    Row,
    Table,
    Workbook,
    csv_sheet,
    grid,
    read_workbook,
)


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
    correction: Correction | None = None  # the period is in the publication log

    @property
    def ok(self) -> bool:
        """Whether the files were written (no error anywhere)."""
        return not any(p.severity is Severity.ERROR for p in self.problems)


@dataclass
class Answers:
    """A correction's date, reason and approver (empty: not given), and where each came from:
    the option's name (--reason), a 更正 sheet cell (更正!B3) or "" (asked)."""

    values: dict[str, str] = field(default_factory=dict)  # date, reason, approved_by
    origin: dict[str, str] = field(default_factory=dict)


# what the clerk is asked for a correction, with the option that gives it
ANSWER_OPTIONS = {"date": "--date", "reason": "--reason", "approved_by": "--approver"}

# the clerk's answers to what is still missing, given the plan and what the import read so
# far (None: nobody to ask)
Ask = Callable[["correct.Plan", Answers, "Imported"], Answers]


@dataclass
class Correction:
    """What importing into a published period did: its changes, the entry, the files."""

    changes: list[str] = field(default_factory=list)
    answers: Answers = field(default_factory=Answers)
    carried: list[str] = field(default_factory=list)  # later months' disclosure.yml
    entries: list[str] = field(default_factory=list)  # disclosure.yml with a new entry
    logged: list[str] = field(default_factory=list)  # "seq: village period fingerprint"
    nothing: bool = False  # the workbook holds the published version: nothing written


# problems after which the checker would only repeat them row by row (or must not run)
STOP = frozenset(
    {
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
    path: Path,
    villages_dir: Path,
    base: Path,
    today: dt.date | None = None,
    given: Answers | None = None,
    ask: Ask | None = None,
    target: tuple[str, str] | None = None,
) -> Imported:
    """Import one workbook into its village's period folder; nothing changes on any error.
    Into a period the log holds, the changes are corrected: given holds the command line's
    answers (date, reason, approver), ask asks the clerk for the rest (None: nobody to ask).
    A ledger CSV is imported into target (village, period): see import_csv."""
    name = display_path(path, base) if path.is_absolute() else path.as_posix()
    today = today or china_today()
    if path.suffix.lower() in CSV_SUFFIXES:
        return import_csv(path, name, villages_dir, base, today, given, ask, target)
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
    return _import_sheets(
        path, name, raw_sheets, village, typed, villages_dir, base, today, given, ask
    )


def import_csv(
    path: Path,
    name: str,
    villages_dir: Path,
    base: Path,
    today: dt.date,
    given: Answers | None,
    ask: Ask | None,
    target: tuple[str, str] | None,
) -> Imported:
    """A ledger CSV (UTF-8, UTF-8 with a BOM, or GBK as Excel and WPS save it) as the month's
    收支明细: the rest of the month (sign-off, notices, registers) is the month as it stands,
    or as `sunlight new` would make it. Read by the same code as a workbook's sheet, with the
    same conversions, checks and correction flow; places are file:line, not sheet!cell."""
    result = Imported(name)
    if target is None:
        result.problems.append(problems.WORKBOOK_CSV.at(Location(name), None, file=name))
        return result
    typed, period = target
    try:
        village = find_village(villages_dir, base, typed)
    except VillageNotFound:
        result.problems.append(problems.WORKBOOK_VILLAGE.at(Location(name), None, value=typed))
        return result
    result.village, result.period = village.rel, period
    if not valid_period(period):
        result.problems.append(
            problems.INVALID_PERIOD.at(Location(name), "period", field_zh="期间", value=period)
        )
        return result
    if village.period(period) is None:
        result.problems.append(
            problems.WORKBOOK_CSV_NEW.at(Location(name), None, village=village.rel, period=period)
        )
        return result
    try:
        ledger, lines = csv_sheet(path, sheets.LEDGER.name)
    except CsvUnreadable as err:
        result.problems.append(
            problems.WORKBOOK_CSV_TEXT.at(Location(name, err.line), None, line=err.line)
        )
        return result
    from builder.clerk.workbook import write_workbook

    with tempfile.TemporaryDirectory(prefix="sunlight-csv-") as folder:
        month = Path(folder) / "month.xlsx"
        write_workbook(village, period, month, name, frozenset({sheets.LEDGER.part}))
        raw_sheets = [ledger if raw.name == ledger.name else raw for raw in grid(month)]
        result = _import_sheets(
            month,
            name,
            raw_sheets,
            village,
            village.rel,
            villages_dir,
            base,
            today,
            given,
            ask,
            from_csv=True,
        )
    return _csv_places(result, village, lines)


LEDGER_CELL = re.compile(rf"{re.escape(sheets.LEDGER.name)}!([A-Z]+)([0-9]+)")


def _csv_places(result: Imported, village: Village, lines: dict[int, int]) -> Imported:
    """A CSV import's problems and notes at file:line (the ledger's) or at the month's
    disclosure.yml (the sign-off the CSV does not hold); only the ledger's rows counted."""
    disclosure = f"villages/{village.rel}/{result.period}/disclosure.yml"
    placed = []
    for problem in result.problems:
        cell = problem.where.cell
        if not cell:
            placed.append(problem)
            continue
        found = LEDGER_CELL.fullmatch(cell)
        if found:
            where = Location(result.workbook, lines.get(int(found.group(2)), int(found.group(2))))
        elif cell.startswith(f"{sheets.CORRECTION}!"):
            where = Location(result.workbook)  # an answer the command line did not give
        else:
            where = Location(disclosure)
        placed.append(Problem(where, problem.field, problem.kind, problem.values))
    result.problems = placed
    result.notes = [
        LEDGER_CELL.sub(
            lambda m: f"{result.workbook}:{lines.get(int(m.group(2)), int(m.group(2)))}", note
        )
        for note in result.notes
    ]
    result.counts = [c for c in result.counts if c.sheet == sheets.LEDGER.name]
    for count in result.counts:  # "第6行（合计）": the file's line, not the record's number
        count.skipped = [
            re.sub(r"第([0-9]+)行", lambda m: f"第{lines.get(int(m.group(1)), m.group(1))}行", s)
            for s in count.skipped
        ]
    return result


def _import_sheets(
    path: Path,
    name: str,
    raw_sheets: list[RawSheet] | None,
    village: Village | None,
    typed: str,
    villages_dir: Path,
    base: Path,
    today: dt.date,
    given: Answers | None,
    ask: Ask | None,
    from_csv: bool = False,
) -> Imported:
    """The import proper, from the workbook's sheets as read."""
    result = Imported(name)
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
    published = correct.is_logged(villages_dir, village_code(village), period)
    if not published and any(book.correction.values()):
        cell = min(book.correction_cells.values(), key=lambda c: int(c[1:]), default="B2")
        result.notes.append(
            f"{sheets.CORRECTION}!{cell}：本月还没有公开（不在公开记录中），直接按表格改写，"
            "“更正”表不用填写，已忽略"
        )
    if existing is not None:
        _keep_what_is_there(result, book, existing)
    if any(p.code in STOP for p in result.problems):
        return result
    folder = village.dir / period
    kept = ""
    if (folder / "disclosure.yml").is_file():
        kept = layout.kept_text((folder / "disclosure.yml").read_text(encoding="utf-8-sig"))
    # cells refused above are left empty, and the checker still runs: every problem at once
    files, ledger_written, disclosure_written, registers = _lay_out(
        book,
        result,
        village.dir / "contracts.csv",
        {"decisions": village.records.decisions, "topics": village.records.topics},
        kept,
    )
    saved = Saved.of(village.dir, log_path(villages_dir)) if published else None
    _write_checked(
        result,
        book,
        village,
        folder,
        files,
        base,
        today,
        ledger_written,
        disclosure_written,
        registers,
    )
    if saved is None or not result.ok:
        return result
    try:
        _correct(
            result, book, village, villages_dir, base, today, given or Answers(), ask, from_csv
        )
    except BaseException:
        saved.put_back()
        raise
    assert result.correction is not None
    if not result.ok or result.correction.nothing:
        saved.put_back()
        result.written = []
    return result


def village_code(village: Village) -> str:
    """The village's area code (village.yml's code), as the log names it."""
    rec = village.records.village
    return str(rec.get("code", "")) if rec is not None else ""


@dataclass
class Saved:
    """Every file of a village and the publication log as they were: a correction touches
    the period, the later months and the log, and on any error all of them are put back."""

    folder: Path
    files: dict[Path, bytes | None]

    @classmethod
    def of(cls, folder: Path, *also: Path) -> Saved:
        """The bytes of every file under folder and of the other paths (None: absent)."""
        files: dict[Path, bytes | None] = {
            p: p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }
        for path in also:
            files[path] = path.read_bytes() if path.is_file() else None
        return cls(folder, files)

    def put_back(self) -> None:
        """Every file as it was; a file that was not there is removed, and so is a folder."""
        for path in sorted(self.folder.rglob("*"), reverse=True):
            if path.is_file() and path not in self.files:
                path.unlink()
            elif path.is_dir() and not any(
                p.is_relative_to(path) for p, data in self.files.items() if data is not None
            ):
                path.rmdir()
        for path, data in self.files.items():
            if data is None:
                path.unlink(missing_ok=True)
            elif not path.is_file() or path.read_bytes() != data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)


def _answers(book: Workbook, given: Answers) -> Answers:
    """The command line's answers, then the workbook's 更正 sheet for what they leave out."""
    out = Answers(dict(given.values), dict(given.origin))
    for key in ANSWER_OPTIONS:
        if out.values.get(key):
            out.origin.setdefault(key, ANSWER_OPTIONS[key])
        elif book.correction.get(key):
            out.values[key] = book.correction[key]
            out.origin[key] = f"{sheets.CORRECTION}!{book.correction_cells[key]}"
    return out


def _correct(
    result: Imported,
    book: Workbook,
    village: Village,
    villages_dir: Path,
    base: Path,
    today: dt.date,
    given: Answers,
    ask: Ask | None,
    from_csv: bool = False,
) -> None:
    """The files are written and check: correct the changes against the logged version."""
    from builder.audit.commands import UncorrectedEdit

    fix = Correction()
    result.correction = fix
    try:
        started = correct.start(villages_dir, base, village.rel, result.period)
    except correct.NothingToCorrect:
        fix.nothing = True
        return
    except BuilderError as err:
        zh, _, en = str(err.message).partition("\n")
        _sign_problem(result, book, "period", problems.WORKBOOK_CORRECTION, reason=zh, reason_en=en)
        return
    fix.carried = [display_path(p, base) for p in started.carried]
    if started.plan is None:
        result.problems.extend(_errors(started.result.report.sorted()))
        return
    plan = started.plan
    fix.changes = [change.text for month in plan.months for change in month.changes]
    answers = _answers(book, given)
    if ask is not None and not all(answers.values.get(k) for k in ANSWER_OPTIONS):
        answers = ask(plan, answers, result)
    fix.answers = answers
    if not answers.values.get("date"):
        answers.values["date"], answers.origin["date"] = today.isoformat(), ""
    for key, option in ANSWER_OPTIONS.items():
        if answers.values.get(key):
            continue
        label = next(label for k, label, _ in sheets.CORRECTION_ROWS if k == key)
        cell = book.correction_cells.get(key) or f"B{list(ANSWER_OPTIONS).index(key) + 2}"
        where = Location(book.name, int(cell[1:]), f"{sheets.CORRECTION}!{cell}")
        result.problems.append(
            problems.WORKBOOK_ANSWER.at(
                where,
                key,
                field_zh=label,
                label=f"“{label}”",
                label_en=key,
                period=result.period,
                place="" if from_csv else f"“{sheets.CORRECTION}”表的 {cell}，或",
                place_en="" if from_csv else f"cell {cell} of the 更正 sheet, or ",
                option=option,
            )
        )
    if not result.ok:
        return
    try:
        when = dt.date.fromisoformat(answers.values["date"])
    except ValueError:
        when = today  # the command line and the workbook give dates only
    try:
        done = correct.finish(
            villages_dir,
            base,
            plan,
            when,
            answers.values["reason"],
            answers.values["approved_by"],
        )
    except UncorrectedEdit as refused:
        result.problems.extend(refused.found)
        return
    except BuilderError as err:
        zh, _, en = str(err.message).partition("\n")
        _sign_problem(result, book, "period", problems.WORKBOOK_CORRECTION, reason=zh, reason_en=en)
        return
    seen: set[tuple[str, str]] = set()
    for problem in done.problems:
        placed = _answer_placed(problem, book, answers)
        if (str(placed.where), placed.code) not in seen:
            seen.add((str(placed.where), placed.code))
            result.problems.append(placed)
    if done.problems:
        return
    fix.entries = [display_path(p, base) for p in done.written]
    assert done.result is not None
    if done.result.county is None or done.result.report.errors:
        result.problems.extend(_errors(done.result.report.sorted()))
        return
    fix.logged = [f"{e.seq}: {e.village} {e.period} {e.fingerprint[:32]}" for e in done.added]


def _errors(found: list[Problem]) -> list[Problem]:
    return [p for p in found if p.severity is Severity.ERROR]


def _answer_placed(problem: Problem, book: Workbook, answers: Answers) -> Problem:
    """A problem of the correction entry, placed where its answer came from: a 更正 cell or
    the command line's option (an answer typed at the prompt keeps the file's place)."""
    key = (problem.field or "").split(".")[-1]
    origin = answers.origin.get(key, "")
    if origin.startswith(f"{sheets.CORRECTION}!"):
        where = Location(book.name, int(origin.partition("!")[2][1:]), origin)
    elif origin.startswith("--"):
        where = Location(origin)
    else:
        return problem
    return Problem(where, problem.field, problem.kind, problem.values)


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
    book: Workbook,
    result: Imported,
    register: Path,
    existing_registers: dict[str, Rec | None],
    kept: str = "",
) -> tuple[dict[str, str | None], layout.Written, layout.Written, dict[str, layout.Written]]:
    """The period's files as text (None: the file is not wanted), with the counts; kept is
    what the month's disclosure.yml holds beyond the workbook (its corrections, …), written
    back after the workbook's part as it stands."""
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
    if kept:
        start = disclosure.text.count("\n")
        for offset in range(kept.count("\n")):
            disclosure.lines[start + offset + 1] = ("kept", offset, "")
        disclosure.text += kept
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
    registers: dict[str, layout.Written] = {}
    for spec in (sheets.DECISIONS, sheets.TOPICS):
        table = book.tables[spec.part]
        if not table.present:
            continue
        written = register_written(spec, table, result, book.name)
        registers[spec.what] = written
        if written.text != _yaml_register_as_laid_out(spec, existing_registers.get(spec.part)):
            files[f"../{spec.what}"] = written.text
    for part in ("ledger", "village_affairs", "party_affairs", "assistance"):
        table = book.tables[part]
        rows_out = len(table.rows)  # every row read is a row or an item written (checked below)
        result.counts.append(
            Count(table.spec.name, len(table.rows), rows_out, table.spec.what, table.skipped)
        )
    # the proof: count what the texts hold, not what was meant to be written
    result.counts[0].rows_out = _records(ledger_text.text) if ledger.rows else 0
    written_items = {
        part: len({i for p, i, _k in disclosure.lines.values() if p == part})
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
    for name, written in registers.items():
        table = book.tables["decisions" if name == "decisions.yml" else "topics"]
        rows_out = len({i for line, (_p, i, _k) in written.lines.items() if line > 1})
        result.counts.append(Count(table.spec.name, len(table.rows), rows_out, name, table.skipped))
    return files, ledger_text, disclosure, registers


def _records(text: str) -> int:
    """The records a CSV text holds after its header (a quoted cell may span lines)."""
    return max(len(list(csv.reader(io.StringIO(text, newline="")))) - 1, 0)


def register_written(
    spec: sheets.SheetSpec, table: Table, result: Imported, workbook: str
) -> layout.Written:
    """topics.yml or decisions.yml from its sheet's rows. Decisions: a row with a 决议编号
    other than the row above's starts a decision, a row without one adds a step to it; the
    decision's own columns are read from its first row (a different value below is refused)."""
    if spec.part == "topics":
        keys = [f.key for f in schema.TOPIC.fields]
        return layout.register_text("topics", keys, list(enumerate(r.values for r in table.rows)))
    own_keys = [f.key for f in sheets.DECISION_FIELDS]
    step_keys = [f.key for f in schema.STEP.fields]
    items: list[tuple[int, dict[str, str]]] = []
    steps: list[list[tuple[int, dict[str, str]]]] = []
    for index, row in enumerate(table.rows):
        typed = row.values.get("id", "")
        if not items or (typed and typed != items[-1][1].get("id", "")):
            own = {k: row.values.get(k, "") for k in own_keys}
            own["merged"] = sheets.YES_NO.get(own["merged"], own["merged"])
            items.append((index, own))
            steps.append([])
        else:
            first = items[-1][1]
            for key in own_keys:
                value = row.values.get(key, "")
                if key == "merged":
                    value = sheets.YES_NO.get(value, value)
                if value and value != first.get(key, ""):
                    zh = next(f.zh for f in sheets.DECISION_FIELDS if f.key == key)
                    cell = row.cells.get(key, f"A{row.row}")
                    result.problems.append(
                        problems.WORKBOOK_CELL.at(
                            Location(workbook, row.row, f"{spec.name}!{cell}"),
                            key,
                            field_zh=zh,
                            reason=f"同一决议的“{zh}”只在它的第一行填写；这一行的“{value}”与第一行不同。"
                            "请删除它，或把这一行的决议编号改成另一个决议的编号。",
                            reason_en=f"A decision's {key} is written on its first row only; this "
                            "row's differs. Clear it, or give the row its own decision id.",
                        )
                    )
        if any(row.values.get(k) for k in step_keys) or not any(
            row.values.get(k) for k in own_keys
        ):
            steps[-1].append((index, {k: row.values.get(k, "") for k in step_keys}))
    return layout.register_text("decisions", own_keys, items, steps, step_keys)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return excel.money_text(value)  # "31000" is written 31000.00, as the workbook reads it
    return str(value)


def _yaml_register_as_laid_out(spec: sheets.SheetSpec, rec: Rec | None) -> str | None:
    """topics.yml or decisions.yml as read, laid out as the import would write it (None: the
    village has none)."""
    if rec is None:
        return None
    list_key = spec.part
    keys = [f.key for f in (schema.TOPIC if list_key == "topics" else schema.DECISION).fields]
    items = [i for i in rec.get(list_key, []) if isinstance(i, Rec)]
    if list_key == "topics":
        rows = [(n, {k: _text(item.get(k)) for k in keys}) for n, item in enumerate(items)]
        return layout.register_text("topics", keys, rows).text
    own_keys = [f.key for f in sheets.DECISION_FIELDS]
    step_keys = [f.key for f in schema.STEP.fields]
    rows, steps = [], []
    for n, item in enumerate(items):
        rows.append((n, {k: _text(item.get(k)) for k in own_keys}))
        item_steps = [s for s in item.get("steps", []) if isinstance(s, Rec)]
        steps.append([(n, {k: _text(s.get(k)) for k in step_keys}) for s in item_steps])
    return layout.register_text("decisions", own_keys, rows, steps, step_keys).text


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
    registers: dict[str, layout.Written],
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
    rewritten = {
        display_path(village.dir / name[3:], base) for name in files if name.startswith("../")
    }
    refused = {p.where.cell for p in result.problems if p.where.cell}
    refused_rows = {(p.where.cell.partition("!")[0], p.where.line) for p in result.problems}
    mine: list[Problem] = []
    for problem in checked.report.sorted():
        if (
            not problem.where.path.startswith(folder_rel + "/")
            and problem.where.path not in rewritten
        ):
            continue
        placed = _to_cell(problem, book, folder_rel, disclosure_written, registers, ledger_written)
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
    disclosure_written: layout.Written,
    registers: dict[str, layout.Written],
    ledger_written: layout.Written | None = None,
) -> Problem:
    """The same problem, placed at the workbook cell its value came from."""
    inside = problem.where.path.startswith(folder_rel + "/")
    filename = problem.where.path[len(folder_rel) + 1 :] if inside else ""
    line = problem.where.line or 0
    key = (problem.field or "").split(".")[-1]
    cell = ""
    register = problem.where.path.rpartition("/")[2]
    if register == "contracts.csv" and not filename:
        cell = _row_cell(book.tables["contracts"], line - 2, key)
    elif register in registers and not filename:
        part, index, written_key = registers[register].lines.get(line, (register, -1, ""))
        table = book.tables["decisions" if register == "decisions.yml" else "topics"]
        cell = _row_cell(table, index, key if key in table.columns else written_key)
    elif filename == "ledger.csv" and ledger_written is not None:
        index = ledger_written.lines.get(line, ("", line - 2, ""))[1]
        cell = _row_cell(book.tables["ledger"], index, key)
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
        elif part in book.tables:
            cell = _row_cell(book.tables[part], index, key or written_key)
    if not cell:
        return problem
    row = int("".join(ch for ch in cell.split("!")[1] if ch.isdigit()))
    values = _workbook_words(problem, book, cell)
    return Problem(Location(book.name, row, cell), problem.field, problem.kind, values)


# how the checker names a register, and how the workbook's clerk knows it
REGISTER_WORDS = {"本村 contracts.csv": "本村合同登记（“合同登记”表）"}


def _workbook_words(problem: Problem, book: Workbook, cell: str) -> tuple[tuple[str, str], ...]:
    """The checker's values in the workbook's words: a field is its column's header (not
    "“摘要”（summary）": the sheet shows no keys), a register its sheet."""
    sheet = cell.partition("!")[0]
    spec = next((t.spec for t in book.tables.values() if t.spec.name == sheet), None)
    key = (problem.field or "").split(".")[-1]
    header = name_zh = ""
    if spec is not None:
        field_spec = next((f for f in spec.fields if f.key == key), None)
        if field_spec is not None:
            header, name_zh = sheets.header_label(field_spec), field_spec.zh
    else:
        header = next((label for k, label, _ in sheets.SIGN_ROWS if k == problem.field), "")
        name_zh = header
    out = []
    for name, value in problem.values:
        if name == "label" and header:
            value = f"“{header}”"
        elif name == "field_zh" and name_zh:
            value = name_zh
        elif name == "what":
            value = REGISTER_WORDS.get(value, value)
        out.append((name, value))
    return tuple(out)


def _row_cell(table: Table, index: int, key: str) -> str:
    if not 0 <= index < len(table.rows):
        return ""
    row = table.rows[index]
    address = row.cells.get(key) or next(iter(row.cells.values()), f"A{row.row}")
    return f"{table.spec.name}!{address}"
