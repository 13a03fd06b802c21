"""`sunlight workbook`: one month's .xlsx for a clerk who knows Excel or WPS.

One sheet per part (`format/sheets.py`): Chinese headers on a locked, frozen first row;
drop-down lists of the village's accounts (code and name), settlement methods, receipts and
people; date and amount formats; an instructions sheet first; the sign-off sheet with the
opening balances filled in from the previous month. A month that already has files is
written into it as it stands, so that `sunlight import` of the untouched workbook gives the
same bytes back.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from builder.audit.correct import is_logged
from builder.clerk.village import Village
from builder.format import schema, sheets
from builder.read.records import Rec

HEADER_FILL = "FFF2CC"
DATA_ROWS = 500  # rows prepared (formats, drop-downs, unlocked) below each header
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"

INSTRUCTIONS = (
    "每月公开五步（本表格是第 2 步）",
    "1. 生成表格：sunlight workbook {village} {period}（已完成，就是这个文件）。",
    "2. 填写：在“收支明细”“村务公开”“党务公开”“救助公示”各表逐行填写，在“签字”表填写审核人和日期。",
    "3. 导入：保存后运行 sunlight import {file}，它会检查每个格子，算出期末余额，写入记录文件。",
    "4. 检查和预览：sunlight check，然后 sunlight serve {village_path} ，在浏览器打开 http://127.0.0.1:8000 查看。",
    "5. 提交：git add villages/{village} 然后 git commit，推送后网站自动更新。",
    "",
    "填写要点",
    "· 第 1 行是表头，已锁定，请不要改动；从第 2 行起每行一笔，不要留空行，不要写合计行（合计由网站计算）。",
    "· 日期写成 2026-11-05；金额只填数字（格子已设为金额格式），收入和支出每行只填一个。",
    "· 科目、结算方式、票据、审批人请从下拉列表选择；科目也可以只填代码，例如 51301。",
    "· 结算方式决定期末余额：“现金”计入库存现金，“转账”和“其他”计入银行存款。",
    "· 不要使用公式：导入只收数值。需要计算时，请复制后“选择性粘贴 → 数值”。",
    "· 不得填写身份证号、银行卡号、个人手机号；救助公示只写到村民小组，不写门牌号。",
    "· 期末余额不用填写，导入时按明细自动计算。",
    "· “合同登记”“四议两公开”“点题公开”是全村的登记（不分月份），只在有新合同、新的决议步骤或新的点题答复时添改；"
    "没有改动的登记，导入时原样保留。“四议两公开”每个步骤一行，决议编号、事项等只在该决议的第一行填写。",
    "· 已经公开的月份不能再导入覆盖；要更正，请运行 sunlight correct {village} {period}。",
)


def _style_header(ws: Any, labels: list[str], widths: list[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    for col, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.protection = Protection(locked=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def _protect(ws: Any, columns: int) -> None:
    """Lock the header only: data cells stay editable, rows may be inserted, deleted, sorted.

    Formats and the unlocking are the columns' styles, not each cell's: an empty workbook then
    holds no empty cells, and reading a filled-in one back stays fast."""
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter

    for col in range(1, columns + 1):
        ws.column_dimensions[get_column_letter(col)].protection = Protection(locked=False)
    protection = ws.protection
    protection.sheet = True
    for allowed in (
        "formatCells",
        "formatColumns",
        "formatRows",
        "insertRows",
        "deleteRows",
        "sort",
        "autoFilter",
    ):
        setattr(protection, allowed, False)


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "money" and isinstance(value, Decimal):
        return value  # openpyxl stores a number; import reads it back to the fen
    if isinstance(value, dt.date | int):
        return value if kind in ("date", "integer") else str(value)
    return str(value)


def _table_sheet(
    book: Any, spec: sheets.SheetSpec, rows: list[Rec], validations: dict[str, str]
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = book.create_sheet(spec.name)
    kinds = [sheets.kind_of(f) for f in spec.fields]
    widths = [
        {"date": 12, "money": 14, "code": 16, "integer": 10}.get(
            k, 30 if f.key in ("summary", "title", "body") else 14
        )
        for f, k in zip(spec.fields, kinds, strict=True)
    ]
    _style_header(ws, [sheets.header_label(f) for f in spec.fields], widths)
    formats = [
        {"date": DATE_FORMAT, "money": MONEY_FORMAT, "integer": "0"}.get(k, "@") for k in kinds
    ]
    for col, fmt in enumerate(formats, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].number_format = fmt
    for index, rec in enumerate(rows, start=2):
        for col, (field_spec, kind) in enumerate(zip(spec.fields, kinds, strict=True), start=1):
            value = _value(rec.get(field_spec.key), kind)
            if value is not None:
                cell = ws.cell(row=index, column=col, value=value)
                cell.number_format = formats[col - 1]
    for col, field_spec in enumerate(spec.fields, start=1):
        source = validations.get(f"{spec.part}.{field_spec.key}", validations.get(field_spec.key))
        if source is None:
            continue
        strict = field_spec.key not in ("account_code", "approver")
        rule = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            errorTitle="不在列表中",
            error="请从下拉列表中选择。" if strict else "不在下拉列表中。确定要用这个值吗？",
        )
        letter = ws.cell(row=1, column=col).column_letter
        rule.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
        ws.add_data_validation(rule)
    for col, field_spec in enumerate(spec.fields, start=1):
        if sheets.kind_of(field_spec) == "date":
            rule = DataValidation(
                type="date",
                operator="greaterThan",
                formula1="32874",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="日期",
                error="请填写日期，例如 2026-11-05。",
            )
            letter = ws.cell(row=1, column=col).column_letter
            rule.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
            ws.add_data_validation(rule)
    _protect(ws, len(spec.fields))


def _options_sheet(book: Any, lists: dict[str, list[str]]) -> dict[str, str]:
    """The hidden sheet of drop-down lists; returns each list's range by field key."""
    ws = book.create_sheet(sheets.OPTIONS)
    ranges: dict[str, str] = {}
    for col, (key, values) in enumerate(lists.items(), start=1):
        letter = ws.cell(row=1, column=col).column_letter
        ws.cell(row=1, column=col, value=key)
        for r, value in enumerate(values, start=2):
            ws.cell(row=r, column=col, value=value).number_format = "@"
        ranges[key] = f"{sheets.OPTIONS}!${letter}$2:${letter}${max(len(values), 1) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _codes_used(village: Village) -> set[str]:
    codes: set[str] = set()
    for period in village.records.periods[-12:]:
        for rec in period.ledger.rows if period.ledger else ():
            code = rec.get("account_code")
            if isinstance(code, str):
                codes.add(code)
    return codes


def register_rows(village: Village) -> list[Rec]:
    """contracts.csv's rows as written (the schedule as its text), amounts and dates typed."""
    from builder.read.csv_rows import parse_csv
    from builder.read.files import TextFile

    path = village.dir / "contracts.csv"
    if not path.is_file():
        return []
    table, _ = parse_csv(
        TextFile(path.name, path.read_text(encoding="utf-8-sig")), schema.CONTRACTS
    )
    out = []
    for row in table.rows if table is not None else []:
        values: dict[str, Any] = {}
        for field_spec in schema.CONTRACTS.fields:
            text = row.values.get(field_spec.key, "")
            kind = sheets.kind_of(field_spec)
            typed = field_spec.type.parse(text) if text and kind in ("date", "money") else text
            values[field_spec.key] = typed if isinstance(typed, dt.date | Decimal) else text or None
        out.append(Rec(row.line, values))
    return out


def _items(rec: Rec | None, key: str) -> list[Rec]:
    return [item for item in (rec.get(key, []) if rec is not None else []) if isinstance(item, Rec)]


def topic_rows(village: Village) -> list[Rec]:
    """topics.yml's items, one row each."""
    return _items(village.records.topics, "topics")


def decision_rows(village: Village) -> list[Rec]:
    """decisions.yml as rows: one per step, the decision's own fields on its first step's row
    (一肩挑合并 as 是/否); a decision without steps is one row."""
    out = []
    for decision in _items(village.records.decisions, "decisions"):
        own = {f.key: decision.get(f.key) for f in sheets.DECISION_FIELDS}
        merged = own.get("merged")
        if isinstance(merged, bool):
            own["merged"] = "是" if merged else "否"
        steps = _items(decision, "steps") or [Rec(decision.line)]
        for number, step in enumerate(steps):
            values = {f.key: step.get(f.key) for f in schema.STEP.fields}
            out.append(Rec(step.line, {**(own if number == 0 else {}), **values}))
    return out


def sign_values(village: Village, period: str) -> dict[str, Any]:
    """The sign-off sheet's values: from the period's disclosure.yml, else the defaults (the
    previous closing, the clerk and the supervisory committee's head from village.yml)."""
    existing = village.period(period)
    rec = existing.disclosure if existing is not None else None
    values: dict[str, Any] = {"village": village.rel, "period": period}
    if rec is not None:
        opening = rec.get("opening")
        if isinstance(opening, Rec):
            values["opening.cash"] = opening.get("cash")
            values["opening.bank"] = opening.get("bank")
        for key in ("drafted_by", "reviewed_by", "reviewed_at", "published_at"):
            values[key] = rec.get(key)
        return values
    previous = village.closing_before(period)
    if previous is not None:
        values["opening.cash"], values["opening.bank"] = previous
    clerks = village.people(frozenset({"报账员", "会计"}))
    heads = village.people(frozenset({"村务监督委员会主任"})) or village.people(
        schema.SUPERVISOR_ROLES
    )
    values["drafted_by"] = clerks[0] if clerks else None
    values["reviewed_by"] = heads[0] if heads else None
    return values


def write_workbook(
    village: Village, period: str, out: Path, file_shown: str, empty: frozenset[str] = frozenset()
) -> None:
    """Write the month's workbook to out (the sheets of the parts in empty without rows: an
    import from CSV replaces the ledger's anyway)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    intro = book.active
    assert intro is not None
    intro.title = sheets.INSTRUCTIONS
    intro.column_dimensions["A"].width = 110
    village_path = f"villages/{village.rel}"
    for r, line in enumerate(INSTRUCTIONS, start=1):
        cell = intro.cell(
            row=r,
            column=1,
            value=line.format(
                village=village.rel, period=period, file=file_shown, village_path=village_path
            ),
        )
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1 or line == "填写要点":
            cell.font = Font(bold=True, size=14 if r == 1 else 12)
    chart = village.accounts
    codes = sorted(set(chart) | _codes_used(village))
    people = village.people()
    supervisors = village.people(schema.SUPERVISOR_ROLES)
    option_lists = {
        "account_code": [f"{code} {chart.get(code[:3], '')}".strip() for code in codes],
        "method": ["现金", "转账", "其他"],
        "receipt": ["发票", "收据", "财政票据", "白条"],
        "approver": people,
        "category": ["低保", "特困", "临时救助", "危房改造", "其他"],
        "status": ["公示中", "已批准", "已停发"],
        "drafted_by": people,
        "reviewed_by": supervisors,
        "contracts.type": list(schema.CONTRACT_TYPES),
        "contracts.method": list(schema.METHODS),
        "merged": ["是", "否"],
        "step": [*schema.STEP_NAMES, "村民会议决议"],
        "result": ["通过", "未通过"],
        "decisions.category": ["工程项目", "发包租赁", "资产处置", "举债担保", "收益分配", "其他"],
    }
    existing = village.period(period)
    tables = {
        "ledger": list(existing.ledger.rows) if existing and existing.ledger else [],
        "assistance": list(existing.assistance.rows) if existing and existing.assistance else [],
    }
    tables["contracts"] = register_rows(village)
    tables["topics"] = topic_rows(village)
    tables["decisions"] = decision_rows(village)
    rec = existing.disclosure if existing is not None else None
    for part in ("village_affairs", "party_affairs"):
        items = rec.get(part, []) if rec is not None else []
        tables[part] = [item for item in items if isinstance(item, Rec)]
    # the options sheet is written last but its ranges are needed first
    ranges = {
        key: f"{sheets.OPTIONS}!${chr(65 + i)}$2:${chr(65 + i)}${max(len(v), 1) + 1}"
        for i, (key, v) in enumerate(option_lists.items())
    }
    for spec in sheets.TABLES:
        _table_sheet(book, spec, [] if spec.part in empty else tables[spec.part], ranges)
    sign = book.create_sheet(sheets.SIGN_OFF)
    values = sign_values(village, period)
    sign.column_dimensions["A"].width = 22
    sign.column_dimensions["B"].width = 26
    sign.column_dimensions["C"].width = 60
    for col, label in enumerate(("项目", "内容", "说明"), start=1):
        cell = sign.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    hints = {
        "village": "村的文件夹，不要改动",
        "period": "年-月，不要改动",
        "opening.cash": "已按上月期末余额填好",
        "opening.bank": "已按上月期末余额填好",
        "drafted_by": "报账员",
        "reviewed_by": "村务监督委员会成员",
        "reviewed_at": "审核签字的日期",
        "published_at": "张榜公开的日期，不早于审核日期",
    }
    for r, (key, label, kind) in enumerate(sheets.SIGN_ROWS, start=2):
        sign.cell(row=r, column=1, value=label).font = Font(bold=True)
        value = values.get(key)
        cell = sign.cell(row=r, column=2, value=_value(value, kind) if value is not None else None)
        cell.number_format = {"money": MONEY_FORMAT, "date": DATE_FORMAT}.get(kind, "@")
        sign.cell(row=r, column=3, value=hints[key])
        if key in ("drafted_by", "reviewed_by"):
            rule = DataValidation(type="list", formula1=ranges[key], allow_blank=True)
            rule.add(f"B{r}")
            sign.add_data_validation(rule)
    note_row = len(sheets.SIGN_ROWS) + 3
    sign.cell(
        row=note_row, column=1, value="期末余额不用填写：导入时按收支明细和结算方式自动计算。"
    )
    _protect(sign, 0)
    for r in range(2, len(sheets.SIGN_ROWS) + 2):
        from openpyxl.styles import Protection

        if sheets.SIGN_ROWS[r - 2][0] not in ("village", "period"):
            sign.cell(row=r, column=2).protection = Protection(locked=False)
    rec_village = village.records.village
    code = str(rec_village.get("code", "")) if rec_village is not None else ""
    if is_logged(village.dir.parent.parent, code, period):
        _correction_sheet(book, period, rec, ranges["reviewed_by"])
    _options_sheet(book, option_lists)
    book.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    save_fixed(book, out, month_start(period))


CORRECTION_HINTS = {
    "date": "不早于公开日期和上一次更正的日期；不填则按导入当天",
    "reason": "一句完整的话：哪一行错了、原来是多少、应为多少，例如“第3行保洁员工资录入错误，120.00 应为 12.00”",
    "approved_by": "更正当天在任的村务监督委员会成员，不能是拟稿人或被改动那一行的收付款方",
}


def _correction_sheet(book: Any, period: str, rec: Rec | None, supervisors: str) -> None:
    """A published month's 更正 sheet: the correction an import writes for the changes, and
    the corrections the month already has (for reading only)."""
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = book.create_sheet(sheets.CORRECTION)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 40
    sheet.column_dimensions["C"].width = 60
    for col, label in enumerate(("项目", "内容", "说明"), start=1):
        cell = sheet.cell(row=1, column=col, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    for r, (key, label, kind) in enumerate(sheets.CORRECTION_ROWS, start=2):
        head = sheet.cell(row=r, column=1, value=label)
        head.font, head.alignment = Font(bold=True), Alignment(vertical="top")
        cell = sheet.cell(row=r, column=2)
        cell.number_format = DATE_FORMAT if kind == "date" else "@"
        cell.protection = Protection(locked=False)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row=r, column=3, value=CORRECTION_HINTS[key]).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        sheet.row_dimensions[r].height = 32  # two lines of a hint or a reason
    rule = DataValidation(type="list", formula1=supervisors, allow_blank=True)
    rule.add("B4")
    sheet.add_data_validation(rule)
    note = len(sheets.CORRECTION_ROWS) + 3
    sheet.cell(
        row=note,
        column=1,
        value=f"{period} 已经公开。在各表中改好内容，在这里填写更正日期、原因和批准人，再运行 "
        "sunlight import：导入会写入更正记录、把余额的变化结转到以后各月，并更新公开记录。",
    ).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=note, start_column=1, end_row=note, end_column=3)
    sheet.row_dimensions[note].height = 36
    sheet.page_setup.orientation = "landscape"  # printed or saved as PDF: all three columns
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    earlier = [
        c for c in (rec.get("corrections", []) if rec is not None else []) if isinstance(c, Rec)
    ]
    if earlier:
        sheet.cell(row=note + 2, column=1, value="本月已有的更正（不用改动）").font = Font(
            bold=True
        )
        for r, item in enumerate(earlier, start=note + 3):
            for col, key in enumerate(("date", "reason", "approved_by"), start=1):
                value = item.get(key)
                text = value.isoformat() if isinstance(value, dt.date) else str(value or "")
                sheet.cell(row=r, column=col, value=text).number_format = "@"
    _protect(sheet, 0)


def month_start(period: str) -> dt.datetime:
    """The first moment of a period (YYYY-MM), the workbook's fixed date; 2020-01-01 for
    anything else, so that a mistyped period still gives a workbook."""
    try:
        return dt.datetime(int(period[:4]), int(period[5:7]), 1)
    except ValueError:
        return dt.datetime(2020, 1, 1)


def save_fixed(book: Any, out: Path, when: dt.datetime) -> None:
    """Save a workbook so that the same content gives the same bytes: the document's
    created/modified dates and every zip entry's date are `when`, not now.

    openpyxl's `Workbook.save` stamps `modified` with the clock, so its own writer
    (`ExcelWriter`) writes the workbook; its zip entries carry their writing time, so they are
    copied, in the writer's order (which depends only on the workbook), into a zip whose
    entries all carry `when`."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = when
    book.properties.modified = when
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).write_data()
    fixed = io.BytesIO()
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    with (
        zipfile.ZipFile(written) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry))
    out.write_bytes(fixed.getvalue())
