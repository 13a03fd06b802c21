"""Problems found in clerks' records: where, what, how to fix, in Chinese then English.

Every problem has a stable kebab-case code (a :class:`Kind`), a place (:class:`Location`) and
the field as the clerk knows it. Bad data is never an exception: it is a Problem in a Report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from builder.format.privacy import mask_text


class Severity(Enum):
    """How much a problem matters: errors block publishing, warnings are shown."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in the records: a path from the project root and, where known, a line."""

    path: str
    line: int | None = None
    cell: str = ""  # a workbook's sheet and cell, e.g. 收支明细!F6 (then line is its row)

    def __str__(self) -> str:
        if self.cell:
            return f"{self.path} {self.cell}"
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Kind:
    """One kind of problem: a stable code and message templates in Chinese and English."""

    code: str
    zh: str
    en: str
    severity: Severity = Severity.ERROR
    title: str = ""

    def at(self, where: Location, field: str | None = None, **values: Any) -> Problem:
        """Make a problem of this kind at a place, for a field key (or None)."""
        return Problem(where, field, self, tuple(sorted((k, str(v)) for k, v in values.items())))


KINDS: dict[str, Kind] = {}


def _kind(code: str, title: str, zh: str, en: str, severity: Severity = Severity.ERROR) -> Kind:
    kind = Kind(code, zh, en, severity, title)
    assert code not in KINDS, code
    KINDS[code] = kind
    return kind


W = Severity.WARNING

# --- layout -----------------------------------------------------------------------------
UNKNOWN_PATH = _kind(
    "unknown-path",
    "不认识的文件或文件夹",
    "这里不应有“{name}”。{hint}",
    'Nothing named "{name}" belongs here. {hint_en}',
)
LINK = _kind(
    "link",
    "链接文件",
    "“{name}”是一个链接（快捷方式），不是普通文件。请换成真实的文件。",
    '"{name}" is a link, not a regular file. Replace it with the real file.',
)
BAD_SLUG = _kind(
    "bad-slug",
    "文件夹名不合规",
    "文件夹名“{name}”只能用小写拼音字母、数字和连字符（-），例如 dongshan。",
    'The folder name "{name}" may only use lower-case letters, digits and "-", e.g. dongshan.',
)
SLUG_COLLISION = _kind(
    "slug-collision",
    "文件夹重名",
    "文件夹“{name}”与“{other}”只差大小写，会被当成同一个。请改名。",
    'The folder "{name}" differs from "{other}" only in case. Rename one of them.',
)
RESERVED_SLUG = _kind(
    "reserved-slug",
    "文件夹名与网站页面重名",
    "文件夹名“{name}”是网站自己页面的地址（{reserved}），会与该页面冲突。请改用本{level}名称的拼音，例如 dongshan。",
    'The folder name "{name}" is the address of one of the site\'s own pages ({reserved}) and '
    "would collide with it. Use the pinyin of the {level_en}'s name instead, e.g. dongshan.",
)
MISSING_FILE = _kind(
    "missing-file",
    "缺少文件",
    "缺少文件“{name}”。{hint}",
    'The file "{name}" is missing. {hint_en}',
)

UNREADABLE = _kind(
    "unreadable",
    "无法读取",
    "无法读取“{name}”（{reason}）。请检查它是不是普通文件或文件夹、是否有读取权限，或把它换成正常的文件。",
    'The file or folder "{name}" cannot be read ({reason_en}). Check that it is a regular file or '
    "folder you may read, or replace it with a regular copy.",
)

# --- encoding and text --------------------------------------------------------------------
NOT_UTF8 = _kind(
    "not-utf8",
    "文件不是 UTF-8 编码",
    "文件不是 UTF-8 编码{guess}。请运行 sunlight convert {path}，或在 Excel/WPS 中另存为“CSV UTF-8(逗号分隔)”。",
    'The file is not UTF-8{guess_en}. Run "sunlight convert {path}", or save it again as '
    '"CSV UTF-8 (Comma delimited)" in Excel/WPS.',
)
BAD_CHARACTER = _kind(
    "bad-character",
    "看不见的特殊字符",
    "第 {column} 个字符处有看不见的特殊字符或多余的叠加符号（{char}）。请删除后重新输入这段文字。",
    "Character {column} is an invisible control, direction, zero-width or filler character, or "
    "one stacked combining mark too many ({char}). Delete it and type the text again.",
)

# --- personal data --------------------------------------------------------------------------
RESIDENT_ID = _kind(
    "resident-id",
    "身份证号码",
    "“{value}”像是居民身份证号码。公开记录中不得出现身份证号，请删除。",
    '"{value}" looks like a resident ID number. ID numbers must never be published; delete it.',
)
BANK_CARD = _kind(
    "bank-card",
    "银行卡号",
    "“{value}”像是银行卡号。公开记录中不得出现银行卡号，请删除。",
    '"{value}" looks like a bank card number. Card numbers must never be published; delete it.',
)
MOBILE_NUMBER = _kind(
    "mobile-number",
    "手机号码",
    "“{value}”像是个人手机号码。只有在 village.yml 中登记的办公和监督电话可以公开，请删除。",
    '"{value}" looks like a personal mobile number. Only the office and hotline numbers declared '
    "in village.yml may be published; delete it.",
)
LANDLINE_NUMBER = _kind(
    "landline-number",
    "座机号码",
    "“{value}”像是没有登记的座机号码。只有在 county.yml、town.yml 或 village.yml 中登记的办公和"
    "监督电话可以公开：如果这是办公电话，请先登记它；如果是村民家里的电话，请删除。",
    '"{value}" looks like a landline number that is not declared. Only the office and hotline '
    "numbers declared in county.yml, town.yml or village.yml may be published: declare it if it "
    "is an office line, delete it if it is a villager's.",
)

HOUSE_ADDRESS = _kind(
    "house-address",
    "门牌地址",
    "“{value}”像是门牌地址。公开记录中的住址只能写到村民小组（如“第三村民小组”），请删去门牌号。",
    '"{value}" looks like a house address. Published records name the village group (村民小组) '
    "at most; delete the house number.",
)

# --- YAML -------------------------------------------------------------------------------------
YAML_SYNTAX = _kind(
    "yaml-syntax",
    "YAML 格式错误",
    "这里的格式无法读取：{detail}。请对照示例检查冒号、缩进和引号。",
    "This line cannot be read: {detail_en}. Check colons, indentation and quotes against the example.",
)
YAML_TAG = _kind(
    "yaml-tag",
    "YAML 标签",
    "不允许使用“{value}”这样的标签。请删除以 ! 开头的标记。",
    'Tags such as "{value}" are not allowed. Delete the mark that starts with "!".',
)
NEEDS_QUOTES = _kind(
    "needs-quotes",
    "文字需要加引号",
    "“{value}”{reason}请给这段文字加上引号，例如 {example}。",
    '"{value}" {reason_en} Put this text in quotes, e.g. {example}.',
)
FULLWIDTH_COLON = _kind(
    "fullwidth-colon",
    "字段名后用了中文冒号",
    "“{value}”中字段名后面用了中文冒号“：”。请改成英文冒号加一个空格，例如 {example}。",
    'In "{value}" the key is followed by a full-width colon "：". Use an ASCII colon and a '
    "space instead, e.g. {example}.",
)
NO_SPACE_AFTER_COLON = _kind(
    "no-space-after-colon",
    "冒号后缺少空格",
    "“{value}”中冒号后面没有空格，整行会被当成一段文字。请在冒号后加一个空格，例如 {example}。",
    'In "{value}" there is no space after the colon, so the whole line is read as one text. '
    "Add a space after the colon, e.g. {example}.",
)
NON_BREAKING_SPACE = _kind(
    "non-breaking-space",
    "特殊空格",
    "{place}有一个特殊空格（U+00A0，常见于从微信或网页复制的文字）。请删除它，用普通空格重新输入。",
    "{place_en} there is a non-breaking space (U+00A0, common in text copied from WeChat or a web "
    "page). Delete it and type an ordinary space.",
)
YAML_ALIAS = _kind(
    "yaml-alias",
    "YAML 锚点或引用",
    "不允许使用锚点（&）或引用（*）。请把内容直接写出来。",
    'Anchors ("&") and aliases ("*") are not allowed. Write the content out in full.',
)
YAML_DOCUMENTS = _kind(
    "yaml-documents",
    "一个文件多份内容",
    "一个文件只能有一份内容。请删除“---”分隔线，或把内容拆到正确的文件里。",
    'A file may hold one document only. Delete the "---" separator.',
)
YAML_TOO_DEEP = _kind(
    "yaml-too-deep",
    "层次太深",
    "这里的内容嵌套了 {depth} 层以上，填报格式最多只有几层。请对照示例检查缩进和括号。",
    "The content nests more than {depth} levels deep; the format has only a few. Check the "
    "indentation and brackets against the example.",
)
DUPLICATE_KEY = _kind(
    "duplicate-key",
    "重复的字段",
    "字段“{key}”在第 {other_line} 行已经出现过。请只保留一个。",
    'The key "{key}" already appears on line {other_line}. Keep only one.',
)
WRONG_SHAPE = _kind(
    "wrong-shape",
    "内容结构不对",
    "这里应当是{expected}，实际是{actual}。请对照示例修改。",
    "This should be {expected_en}, but it is {actual_en}. Compare with the example.",
)
UNKNOWN_FIELD = _kind(
    "unknown-field",
    "不认识的字段",
    "不认识字段“{key}”。{hint}",
    'Unknown key "{key}". {hint_en}',
)
MISSING_FIELD = _kind(
    "missing-field",
    "缺少必填项",
    "缺少必填项。请填写{label}。",
    "This required field is missing. Fill in {key}.",
)

# --- CSV --------------------------------------------------------------------------------------
EMPTY_FILE = _kind(
    "empty-file",
    "空文件",
    "文件是空的。表格至少要有表头一行；YAML 文件请按填报指南中的示例填写。",
    "The file is empty. A table needs at least its header row; a YAML file, the fields of the "
    "example in the guide.",
)
CSV_SYNTAX = _kind(
    "csv-syntax",
    "表格格式错误",
    "这一行无法读取（{detail}）。请检查是否有未配对的英文引号。",
    "This row cannot be read ({detail}). Check for an unmatched double quote.",
)
MISSING_COLUMN = _kind(
    "missing-column",
    "缺少列",
    "表头缺少必需的列“{label}”。",
    'The header lacks the required column "{key}".',
)
UNKNOWN_COLUMN = _kind(
    "unknown-column",
    "不认识的列",
    "表头中的“{value}”不是本表的列。{hint}",
    'The header "{value}" is not a column of this table. {hint_en}',
)
DUPLICATE_COLUMN = _kind(
    "duplicate-column",
    "重复的列",
    "列“{value}”在表头中出现了两次。请删除一列。",
    'The column "{value}" appears twice in the header. Delete one.',
)
RAGGED_ROW = _kind(
    "ragged-row",
    "列数不对",
    "这一行有 {count} 个格子，表头有 {expected} 列。请检查是否多了或少了逗号。",
    "This row has {count} fields but the header has {expected}. Check for a missing or extra comma.",
)
BLANK_ROW = _kind(
    "blank-row",
    "空行",
    "这是一个空行。请删除它。",
    "This row is blank. Delete it.",
    W,
)

# --- what Excel does to a CSV (the checker names the habit, not a generic error) -------------
TITLE_ROW = _kind(
    "title-row",
    "表格上方有标题行",
    "第 1 行像是标题（“{value}”），不是表头。请删除表头上方的标题行，第 1 行只放列名：{columns}。",
    'Line 1 looks like a title ("{value}"), not the header. Delete the rows above the header; '
    "line 1 holds the column names: {columns}.",
)
TOTAL_ROW = _kind(
    "total-row",
    "合计行",
    "第 {line} 行像是合计行（“{value}”）。合计由网站计算，请删除这一行。",
    'Line {line} looks like a totals row ("{value}"). The site computes totals: delete this row.',
)
EMPTY_COLUMN = _kind(
    "empty-column",
    "表格末尾有空列",
    "表头最后有 {count} 个空列（Excel 另存时多出的逗号）。请在 Excel 中删除表格右边的空列后重新保存。",
    "The header ends with {count} empty columns (extra commas from Excel). Delete the empty "
    "columns on the right in Excel and save again.",
)
EXCEL_DATE = _kind(
    "excel-date",
    "Excel 日期格式",
    "“{value}”是 Excel 的日期写法。请写成 年-月-日：{fixed}（或在 Excel 中把这一列设为“文本”后输入）。",
    '"{value}" is how Excel shows a date. Write it year-month-day: {fixed}.',
)
EXCEL_AMOUNT = _kind(
    "excel-amount",
    "Excel 金额格式",
    "“{value}”带有货币符号或千位逗号。请只填数字：{fixed}（在 Excel 中把这一列设为“常规”格式）。",
    '"{value}" carries a currency sign or thousands separators. Write digits only: {fixed}.',
)
EXCEL_NUMBER = _kind(
    "excel-number",
    "Excel 长数字",
    "“{value}”是 Excel 显示长数字的写法，原来的数字已经丢失。请在 Excel 中把这一列设为“文本”格式，"
    "重新输入完整的号码后再保存；如果是身份证号或银行卡号，请删除，这些号码不得公开。",
    '"{value}" is how Excel shows a long number: its digits are lost. Format the column as Text '
    "in Excel, type the whole number again and save; an ID or bank card number must be "
    "deleted, never published.",
)

# --- a clerk's workbook (sunlight import) ---------------------------------------------------
WORKBOOK_UNREADABLE = _kind(
    "workbook-unreadable",
    "无法打开表格文件",
    "这个文件无法作为表格打开（{reason}）。请在 Excel 或 WPS 中打开它，另存为“Excel 工作簿（*.xlsx）”后再导入。",
    "The file cannot be opened as a workbook ({reason}). Open it in Excel or WPS and save it "
    "as an Excel workbook (*.xlsx), then import it again.",
)
WORKBOOK_CSV = _kind(
    "workbook-csv",
    "CSV 文件要写明村和月份",
    "CSV 里没有村、期间和期初余额，导入不知道它是哪个村哪个月的收支明细。请在文件名后写上村和月份，例如：sunlight import {file} chengguan/dongshan 2026-11",
    "A CSV names no village, period or opening balance. Give them after the file name, e.g. "
    "sunlight import {file} chengguan/dongshan 2026-11",
)
WORKBOOK_CSV_NEW = _kind(
    "workbook-csv-new",
    "CSV 要导入已有的月份",
    "{village} 还没有 {period} 这个月。CSV 只有收支明细，没有期初余额和签字：请先运行 sunlight new {village} {period}，在 disclosure.yml 写好审核日期和公开日期，再导入这个 CSV（或者用 sunlight workbook 生成本月表格，把 CSV 的各行粘贴进去）。",
    "{village} has no {period} yet. A CSV holds the ledger only: run sunlight new {village} "
    "{period}, write the review and publication dates in disclosure.yml, then import the CSV "
    "(or paste its rows into the month's workbook).",
)
WORKBOOK_CSV_TEXT = _kind(
    "workbook-csv-text",
    "CSV 文件的编码无法识别",
    "文件既不是 UTF-8 也不是 GBK/GB18030（第 {line} 行）。请用 Excel/WPS 另存为“CSV UTF-8”或“CSV（逗号分隔）”后再导入。",
    "The file is neither UTF-8 nor GBK/GB18030 (line {line}). Save it again from Excel/WPS as "
    "CSV UTF-8 and import it again.",
)
WORKBOOK_CELL = _kind(
    "workbook-cell",
    "格子无法读入",
    "{reason}",
    "{reason_en}",
)
WORKBOOK_NO_HEADER = _kind(
    "workbook-no-header",
    "工作表没有表头",
    "前 10 行中找不到表头。表头一行应写列名：{columns}。",
    "No header row in the first 10 rows. The header names the columns: {columns}.",
)
WORKBOOK_UNKNOWN_COLUMN = _kind(
    "workbook-unknown-column",
    "不认识的列",
    "列“{value}”下面有内容，但它不是本表的列，导入会丢失这些内容。请删除这一列或改成：{columns}。",
    'The column "{value}" holds data but is not one of this sheet\'s columns; importing would '
    "lose it. Delete the column or rename it to one of: {columns}.",
)
WORKBOOK_UNKNOWN_SHEET = _kind(
    "workbook-unknown-sheet",
    "不认识的工作表",
    "工作表“{name}”有内容，但不是公开表格，导入会丢失这些内容。请把内容移到对应的表（{sheets}），或删除这张工作表。",
    'The sheet "{name}" holds data but is not one of the workbook\'s tables; importing would '
    "lose it. Move its rows to the right sheet ({sheets}) or delete it.",
)
WORKBOOK_SHEET_MISSING = _kind(
    "workbook-sheet-missing",
    "表格缺少工作表",
    "表格里没有“{sheet}”表，而该月已有 {count} 条{what}。导入会删掉它们。请用 sunlight workbook 重新生成本月表格（已有内容会填入），在其中修改。",
    'The workbook has no "{sheet}" sheet, but the month already has {count} rows of it that an '
    "import would delete. Make the month's workbook again with sunlight workbook (it holds "
    "what is there) and edit that.",
)
WORKBOOK_TOTAL = _kind(
    "workbook-total",
    "合计与明细不符",
    "合计行的{field_zh}是 {value}，上面各行相加是 {total}。请核对明细。",
    "The totals row says {value}, but the rows above add up to {total}. Check the rows.",
)
WORKBOOK_MISSING = _kind(
    "workbook-missing",
    "签字表缺少内容",
    "请在“签字”表填写{label}。",
    'Fill in {label_en} on the "签字" sheet.',
)
WORKBOOK_CORRECTION = _kind(
    "workbook-correction",
    "已公开的月份无法更正",
    "{reason}",
    "{reason_en}",
)
WORKBOOK_ANSWER = _kind(
    "workbook-answer",
    "更正缺少内容",
    "{period} 已经公开，导入会为改动写一条更正记录：请填写{label}（{place}在命令后加 {option} …）。",
    "{period} is published: the import writes a correction entry for the changes. Give its "
    "{label_en} ({place_en}{option} on the command line).",
)
WORKBOOK_VILLAGE = _kind(
    "workbook-village",
    "找不到村",
    "找不到村“{value}”。请填写村的文件夹，例如 chengguan/dongshan（用 sunlight workbook 生成的表格已填好）。",
    'No village "{value}". Write the village\'s folder, e.g. chengguan/dongshan.',
)
NEGATIVE_CASH = _kind(
    "negative-cash",
    "库存现金成为负数",
    "按结算方式计算，到本行库存现金成为 {value} 元（负数）。请核对结算方式（现金/转账）和金额。",
    "By the settlement methods, cash on hand falls to {value} here (below zero). Check the "
    "methods (现金/转账) and the amounts.",
)
# --- values -------------------------------------------------------------------------------------
INVALID_AMOUNT = _kind(
    "invalid-amount",
    "金额格式不对",
    "“{value}”不是有效金额。请只填数字，可带两位小数，例如 12500.50。",
    '"{value}" is not a valid amount. Write digits only, up to two decimals, e.g. 12500.50.',
)
NOT_POSITIVE = _kind(
    "not-positive",
    "金额不能为零",
    "金额必须大于 0，这里是“{value}”。",
    'The amount must be more than 0; it is "{value}".',
)
INVALID_DATE = _kind(
    "invalid-date",
    "日期格式不对",
    "“{value}”不是有效日期。请写成 年-月-日，例如 2026-10-03。",
    '"{value}" is not a valid date. Write it as year-month-day, e.g. 2026-10-03.',
)
INVALID_PERIOD = _kind(
    "invalid-period",
    "期间格式不对",
    "“{value}”不是有效的期间。请写成 年-月，例如 2026-10。",
    '"{value}" is not a valid period. Write it as year-month, e.g. 2026-10.',
)
INVALID_INTEGER = _kind(
    "invalid-integer",
    "整数格式不对",
    "“{value}”不是整数。请只填数字，开头不要写 0，例如 412。",
    '"{value}" is not a whole number. Write digits only, without leading zeros, e.g. 412.',
)
INVALID_CHOICE = _kind(
    "invalid-choice",
    "不在可选范围",
    "“{value}”不在可选范围内。只能填：{choices}。",
    '"{value}" is not one of the allowed values: {choices}.',
)
INVALID_CODE = _kind(
    "invalid-code",
    "编码格式不对",
    "“{value}”不是有效的{what}。{hint}",
    '"{value}" is not a valid {what_en}. {hint_en}',
)
INVALID_TEXT = _kind(
    "invalid-text",
    "文字不合规",
    "“{value}”{reason}",
    '"{value}" {reason_en}',
)
UNKNOWN_ACCOUNT = _kind(
    "unknown-account",
    "科目代码不在会计科目表中",
    "科目代码“{value}”不在{chart}年会计科目表中。请对照科目表填写，例如 513 管理费用、51301。",
    'The account code "{value}" is not in the {chart} chart of accounts. Use a code from the '
    "chart, e.g. 513 (管理费用) or 51301.",
)
CHART_PERIOD = _kind(
    "chart-period",
    "会计制度与期间不符",
    "{period} 起必须使用 2023 年会计科目表（财会〔2023〕14号），county.yml 的 chart 是“{chart}”。",
    'From 2024-01 the 2023 chart of accounts is required; county.yml declares chart "{chart}".',
)
ONE_OF_INCOME_EXPENSE = _kind(
    "income-or-expense",
    "收入和支出只能填一个",
    "收入和支出必须且只能填一个{detail}。",
    "Exactly one of income and expense must be filled in{detail_en}.",
)
DATE_OUTSIDE_PERIOD = _kind(
    "date-outside-period",
    "日期不在本期",
    "日期“{value}”不在 {period} 期间内。请核对日期，或把这一行放到对应月份的文件夹。",
    'The date "{value}" is outside the period {period}. Check the date or move the row to '
    "that month's folder.",
)
DUPLICATE_VOUCHER = _kind(
    "duplicate-voucher",
    "凭证号重复",
    "“{value}”与第 {other_line} 行重复。请核对凭证号。",
    '"{value}" repeats line {other_line}. Check the voucher number.',
)
DUPLICATE_ID = _kind(
    "duplicate-id",
    "编号重复",
    "编号“{value}”在第 {other_line} 行已经用过。每个编号只能用一次。",
    'The id "{value}" is already used on line {other_line}. Each id may be used once.',
)
DUPLICATE_PERSON = _kind(
    "duplicate-person",
    "人员重名",
    "“{value}”在第 {other_line} 行已经登记过。同一个人请只登记一次，把职务合并到 roles 里。",
    '"{value}" is already listed on line {other_line}. List each person once with all roles.',
)
UNKNOWN_PERSON = _kind(
    "unknown-person",
    "人员未登记",
    "“{value}”不在 village.yml 的人员名单（people）里。请先登记此人，或核对姓名。",
    '"{value}" is not listed under people in village.yml. Add the person there or check the name.',
)
NOT_SUPERVISOR = _kind(
    "reviewer-not-supervisor",
    "审核人不是村务监督委员会成员",
    "审核人“{value}”不是村务监督委员会成员。审核须由村务监督委员会主任或委员签字。",
    'The reviewer "{value}" is not a member of the village affairs supervision committee '
    "(村务监督委员会), who must review every disclosure.",
)
SUPERVISOR_CONFLICT = _kind(
    "supervisor-conflict",
    "监督委员兼任两委职务",
    "“{value}”同时是村务监督委员会成员和{role}。村务监督委员会成员不得由村两委成员兼任。",
    '"{value}" is both on the supervision committee and {role}; the law forbids this '
    "(村民委员会组织法 Art. 32).",
)
REVIEW_ORDER = _kind(
    "reviewed-after-published",
    "先公开后审核",
    "审核日期 {reviewed} 晚于公开日期 {published}。必须先审核，后公开。",
    "Reviewed on {reviewed}, after publication on {published}. Review must come first.",
)
PERIOD_MISMATCH = _kind(
    "period-mismatch",
    "期间与文件夹不符",
    "period 写的是“{value}”，但文件夹是 {folder}。请让两者一致。",
    'period says "{value}" but the folder is {folder}. Make them the same.',
)
BALANCE_MISMATCH = _kind(
    "balance-mismatch",
    "期末余额对不上",
    "期末余额 {closing} 不等于 期初 {opening} + 收入 {income} − 支出 {expense} = {expected}，相差 {diff}。请核对余额或明细。",
    "The closing balance {closing} is not opening {opening} + income {income} − expense "
    "{expense} = {expected} (off by {diff}). Check the balances or the ledger.",
)
OPENING_MISMATCH = _kind(
    "opening-mismatch",
    "期初余额与上期期末不符",
    "期初{what}“{value}”与上期 {previous} 的期末“{expected}”不一致。期初必须等于上期期末。",
    'The opening {what_en} "{value}" differs from the closing "{expected}" of {previous}.',
)
PERIOD_GAP = _kind(
    "missing-period",
    "缺少公开期",
    "{previous} 与 {period} 之间缺少 {missing} 的公开。",
    "No disclosure for {missing} between {previous} and {period}.",
    W,
)
NOTICE_TOO_SHORT = _kind(
    "notice-too-short",
    "公示期不足",
    "公示期从 {start} 到 {end} 只有 {days} 天，至少需要 {required} 天。",
    "The notice runs {days} days ({start} to {end}); at least {required} are required.",
)
UNKNOWN_POWER_ID = _kind(
    "unknown-upstream-id",
    "上级清单中没有此编号",
    "要删除的编号“{value}”在上级清单中不存在。请核对编号。",
    'The id "{value}" to remove does not exist in the inherited list. Check the id.',
)
REMOVE_AND_ADD = _kind(
    "remove-and-add",
    "同一编号既删除又新增",
    "编号“{value}”既在 remove 里又在本文件中定义。如要修改这一项，只需在本文件中重写它。",
    'The id "{value}" is both removed and defined here. To change an item, just redefine it.',
)
DUPLICATE_CODE = _kind(
    "duplicate-code",
    "区划代码重复",
    "区划代码“{value}”已经被 {other} 使用。每个村的区划代码必须不同。",
    'The area code "{value}" is already used by {other}. Each village has its own code.',
)
DUPLICATE_VILLAGE_NAME = _kind(
    "duplicate-village-name",
    "同一镇内村名重复",
    "村名“{value}”与本镇的 {other} 相同（不计空格和看不见的字符）。同一镇内每个村的名称必须不同。",
    'The village name "{value}" is the same as in {other} (ignoring spaces and invisible '
    "characters). Each village of a town has its own name.",
)
CODE_PREFIX = _kind(
    "code-outside-parent",
    "区划代码与上级不符",
    "区划代码“{value}”应以上级的“{prefix}”开头。请核对代码。",
    'The area code "{value}" should start with its parent\'s "{prefix}". Check the code.',
    W,
)
NAME_NOT_IN_MAP = _kind(
    "invalid-reference",
    "引用的编号不存在",
    "“{value}”不是{what}中的编号。",
    '"{value}" is not an id in {what_en}.',
)

# --- registers: contracts.csv, decisions.yml, topics.yml ----------------------------------------
DATE_ORDER = _kind(
    "date-order",
    "日期先后不对",
    "“{value}”早于{other_label}“{other}”。请核对日期。",
    '"{value}" is earlier than {other_label_en} "{other}". Check the dates.',
)
INVALID_SCHEDULE = _kind(
    "invalid-schedule",
    "收付款计划格式不对",
    "“{value}”不是有效的收付款计划。请写成 日期:金额，多笔用分号隔开，例如 2026-03-31:5000;2026-09-30:5000。",
    '"{value}" is not a valid schedule. Write date:amount pairs separated by ";", e.g. '
    "2026-03-31:5000;2026-09-30:5000.",
)
INVALID_CHANGES = _kind(
    "invalid-changes",
    "合同变更格式不对",
    "“{value}”不是有效的合同变更。请写成 日期:增减金额:决议编号，多笔用分号隔开，例如 "
    "2026-06-10:+35000:JY2026-04;2026-08-01:-2000。",
    '"{value}" is not a valid list of change orders. Write date:amount:decision items separated '
    'by ";", e.g. 2026-06-10:+35000:JY2026-04;2026-08-01:-2000.',
)
ROSTER_IN_PROJECT = _kind(
    "roster-in-project",
    "亲属名单放在了项目文件夹里",
    "干部亲属名单是个人信息，不能放在项目文件夹里（会被提交进 git、被发布）。请把它移到项目以外，"
    "例如只有监督人员能打开的文件夹，再用 --relatives 指向它。",
    "The relatives roster is personal data and may not live inside the project (it would be "
    "committed and published). Move it outside and point --relatives at it.",
)
ROSTER_INVALID = _kind(
    "roster-invalid",
    "亲属名单有错误",
    "干部亲属名单第 {line} 行的“{key}”不对（名单是个人信息，这里不显示内容）。请打开名单核对，"
    "格式见填写指南“干部亲属名单”。",
    'Line {line} of the relatives roster: "{key}" is not valid (the roster is personal data, so '
    "its content is not shown). Open the roster and check it against FORMAT.md.",
)
SCHEDULE_OVER_AMOUNT = _kind(
    "schedule-over-amount",
    "收付款计划超过合同金额",
    "收付款计划合计 {scheduled} 元，超过合同金额 {amount} 元。请核对计划或金额。",
    "The schedule adds up to {scheduled}, more than the contract amount {amount}.",
)
DUPLICATE_STEP = _kind(
    "duplicate-step",
    "决议步骤重复",
    "步骤“{value}”在第 {other_line} 行已经填过。每个步骤只填一次。",
    'The step "{value}" is already on line {other_line}. Record each step once.',
)
ATTENDANCE_COUNT = _kind(
    "attendance-count",
    "人数对不上",
    "{what}{value} 人，多于{other_label}{other} 人。请核对人数。",
    "{what_en} ({value}) is more than {other_label_en} ({other}). Check the numbers.",
)
RED_FLAG = _kind(
    "red-flag",
    "监督规则（错误级）",
    "[{rule}] {title}：{seen}",
    "[{rule}] {title_en}: {seen_en}",
)


# --- audit trail: published periods, corrections, the publication log ---------------------------
SILENT_EDIT = _kind(
    "silent-edit",
    "已公开的内容被改动但没有更正记录",
    "{village} {period} 已于 {published} 公开，这次改动了公开内容（{change}{more}），但没有新的更正记录。"
    "请运行 sunlight correct {village_dir} {period}，按提问记下更正日期、原因、批准人和改了什么"
    "（或在本期 disclosure.yml 的 corrections 中照此新增一条）。",
    "{village} {period} was published on {published}; this change alters it ({change}{more}) "
    "without a new corrections entry. Run sunlight correct {village_dir} {period} and answer its "
    "questions (date, reason, approver, what changed), or add such an entry to corrections in its "
    "disclosure.yml.",
)
PERIOD_DELETED = _kind(
    "published-period-deleted",
    "已公开的期间被删除",
    "{village} {period} 已于 {published} 公开，不能删除。请恢复这个文件夹；内容有误时改正它，"
    "并在 corrections 中写明更正。",
    "{village} {period} was published on {published} and cannot be deleted. Restore the folder; "
    "if something in it is wrong, correct it and record the correction under corrections.",
)
CORRECTION_REWRITTEN = _kind(
    "correction-rewritten",
    "原有更正记录被改动",
    "{village} {period} 原有的更正记录（{item}）被改动或删除。已有的更正记录只能保留，新的更正请另起一条。",
    "An earlier corrections entry of {village} {period} ({item}) was changed or removed. Keep "
    "earlier entries as they are and add a new one.",
)
CORRECTION_DATE = _kind(
    "correction-date",
    "更正日期不对",
    "更正日期 {date} 应在 {earliest}（公开或上次更正）到 {latest}（今天）之间。",
    "The correction date {date} should be between {earliest} (publication or the last "
    "correction) and {latest} (today).",
)
LOG_BROKEN = _kind(
    "log-broken",
    "公开记录（指纹链）损坏",
    "{reason}公开记录只能由 sunlight log update 在末尾追加，请不要手工编辑；可用 git checkout 恢复原文件。",
    '{reason_en} The publication log is appended by "sunlight log update" only; do not edit '
    "it by hand (restore it with git checkout).",
)
LOG_REWRITTEN = _kind(
    "log-rewritten",
    "公开记录被改写",
    "公开记录与 {rev} 中的不同：{reason}公开记录只能在末尾追加，不能修改、删除或截短。"
    "请恢复（git checkout {rev} -- {path}），再运行 sunlight log update。",
    "The publication log differs from the one in {rev}: {reason_en} It may only grow at the end. "
    'Restore it (git checkout {rev} -- {path}), then run "sunlight log update".',
)
LOG_OUT_OF_DATE = _kind(
    "log-out-of-date",
    "公开记录未更新",
    "{village} {period}（{published} 公开）{reason}请运行 sunlight log update，并把 {path} 一起提交。",
    '{village} {period} (published {published}) {reason_en} Run "sunlight log update" and '
    "commit {path} with it.",
    W,
)
LOG_CHECKPOINT = _kind(
    "log-checkpoint",
    "记录树头无效",
    "{reason}记录树头（{path}）只能由县里的密钥签名（sunlight log sign），签名后公开记录只能在末尾追加。"
    "请用 git checkout 恢复公开记录和记录树头。",
    "{reason_en} The tree head ({path}) is signed only with the county's key "
    '("sunlight log sign"), and the log may only grow after it. Restore the log and the tree '
    "head with git checkout.",
)
SINCE_UNCHECKED = _kind(
    "since-unchecked",
    "旧版本的记录无法逐项比较",
    "{rev} 中 {village} 的记录有错误，无法逐项比较；它已公开的期间只按公开记录中的指纹核对。",
    "{village} had errors in {rev}, so it cannot be compared field by field; its published "
    "periods are checked against their fingerprints in the publication log only.",
    W,
)

CORRECTION_APPROVER = _kind(
    "correction-approver",
    "更正的批准人不合格",
    "更正记录（{date}）的批准人“{who}”{reason}更正须由当日在任的村务监督委员会成员批准，且不能是拟稿人或被改动那一行的收款人。",
    'The approver "{who}" of the correction dated {date} {reason_en} A correction is approved by '
    "a member of the village affairs supervision committee on that day, who is neither the "
    "drafter nor the payee of a changed row.",
)
CORRECTION_REASON = _kind(
    "correction-reason",
    "更正原因没有写清楚",
    "更正原因“{reason}”没有说清楚改了什么、为什么改。请写一句完整的话，例如“第3行保洁员工资录入错误，120.00 应为 12.00”。",
    'The reason "{reason}" does not say what was wrong and why. Write a full sentence, e.g. '
    '"line 3: the cleaner\'s pay was entered as 120.00, it is 12.00".',
)
CORRECTION_CHANGES = _kind(
    "correction-changes",
    "更正记录列出的改动与实际改动不符",
    "{village} {period} 的更正记录（{date}）{reason}请运行 sunlight correct 重新生成更正记录。",
    '{village} {period}: the correction dated {date} {reason_en} Run "sunlight correct" to '
    "write it again.",
)
SITE_LOG_REWRITTEN = _kind(
    "site-log-rewritten",
    "公开记录与线上网站的不同",
    "公开记录与线上网站上的（{rev}）不同：{reason}网站上的公开记录已经发布，只能在其后追加。"
    "请从网站下载 log/publication-log.jsonl 恢复 {path}，再运行 sunlight log update。",
    "The publication log differs from the one the live site serves ({rev}): {reason_en} What the "
    "site published may only be extended. Restore {path} from the site's "
    'log/publication-log.jsonl, then run "sunlight log update".',
)
REGISTER_EDIT = _kind(
    "register-edit",
    "登记簿中已公开的条目被改动但没有更正记录",
    "{village} {register}“{id}”已在网站上公开，这次改动了它（{change}{more}），但 corrections.yml 中没有它的更正记录。"
    "请在 corrections.yml 的 {register} 部分为“{id}”新增一条：更正日期、原因、批准人和改了什么。",
    '{village}: {register} "{id}" is on the site; this change alters it ({change}{more}) without '
    "a correction of its own. Add one to corrections.yml: date, reason, approver and the changes.",
)
REGISTER_BACKDATED = _kind(
    "register-backdated",
    "登记簿中补记的日期早于上次公开",
    "{register}“{id}”新记的{label}日期是 {date}，早于上次公开（{since}）。已公开的登记簿不能倒签日期：请写实际的日期。",
    '{register} "{id}": the new {label} is dated {date}, before the last publication ({since}). '
    "A published register cannot be backdated: write the actual date.",
)
REGISTER_LATE_ENTRY = _kind(
    "register-late-entry",
    "登记簿补记了上次公开之前的事",
    "{register}“{id}”是上次公开（{since}）之后才记上的，但{label}日期是 {date}。"
    "如果确实是补记，请在备注中写明为什么晚记；如果日期写错了，请改成实际的日期。监督人员会看到这条提示。",
    '{register} "{id}" was entered after the last publication ({since}) but is dated {date}. '
    "If it is a late entry, say why in its notes; if the date is wrong, write the actual date. "
    "Supervisors see this warning.",
    W,
)
VILLAGE_MOVED = _kind(
    "village-moved",
    "村的文件夹或区划代码改了，但没有声明迁移",
    "{village} 已公开的记录从 {old} 移到了 {new}，但 migrations.yml 中没有声明。村的区划代码和文件夹是它公开记录的身份，"
    "改动要声明（from、to、日期、原因），网站才会在原地址留下跳转页，已印发的二维码才不会失效。",
    "{village}'s published records moved from {old} to {new} without a declaration in "
    "migrations.yml. Declare it (from, to, date, reason) so that the site keeps a redirect at "
    "the old address and printed QR codes keep working.",
)
POWER_LIST_UNVERSIONED = _kind(
    "power-list-unversioned",
    "清单改动没有年度调整记录",
    "{owner}的清单已在网站上公开，这次改动了它（{change}{more}），但 powers.yml 的 versions 中没有新的年度调整记录。"
    "请在 versions 中新增一条（year: {year}、date、reason、basis），在 changes 中逐项写明新增、删除和修改的条目。",
    "{owner}'s lists are on the site; this change alters them ({change}{more}) without a new "
    "yearly version. Add one under versions in powers.yml (year, date, reason, basis) listing "
    "every item added, removed or changed.",
)
POWER_VERSION_CHANGES = _kind(
    "power-version-changes",
    "年度调整记录与实际改动不符",
    "{owner} {year} 年的清单调整记录{reason}。调整记录要逐项列出实际的改动：新增、删除的编号，修改的字段、原值和新值。",
    "{owner}'s {year} version of its lists does not match the actual change ({reason}). List "
    "every item added or removed, and each changed field with its old and new value.",
)
POWER_VERSION_DATE = _kind(
    "power-version-date",
    "年度调整日期不对",
    "{year} 年清单调整的日期 {date} 应在 {earliest}（上次公开）到 {latest}（今天）之间。",
    "The {year} version's date {date} should be between {earliest} (the last publication) and "
    "{latest} (today).",
)
POWER_VERSION_VILLAGE = _kind(
    "power-version-village",
    "村的清单调整记错了地方",
    "村的 powers.yml 里不写 versions：村自己的清单条目的年度调整记在本村 corrections.yml 的 powers 部分"
    "（id 写年度，例如 2027，并写更正日期、原因、批准人和改了什么）。versions 只用于县和乡镇的 powers.yml。",
    "A village's powers.yml takes no versions: the yearly adjustment of the village's own items "
    "goes under powers in its corrections.yml (id: the year). versions is for the county's and "
    "towns' powers.yml.",
)
MIGRATION_NOT_LOGGED = _kind(
    "migration-not-logged",
    "声明的迁移还没有记入公开记录",
    "migrations.yml 声明了 {date} 起 {village} 从 {old} 迁到 {new}，但公开记录中还没有这次迁移的条目"
    "（{periods}）。请运行 sunlight log update（它会为每一期追加一条带 migrated_from 的条目），"
    "并把 {path} 一起提交。",
    "migrations.yml declares that from {date} {village} moved from {old} to {new}, but the "
    'publication log has no entry recording it ({periods}). Run "sunlight log update" (it '
    "appends an entry with migrated_from for each period) and commit {path} with it.",
    W,
)
MIGRATION_UNDECLARED = _kind(
    "migration-undeclared",
    "公开记录中的迁移没有声明",
    "公开记录的这一条说 {village} {period} 是从 {old} 迁到 {new} 的，但 migrations.yml 中没有这次迁移。"
    "公开记录只能由 sunlight log update 追加：请在 migrations.yml 中声明迁移（from、to、日期、原因），"
    "或用 git checkout 恢复公开记录。",
    "This log entry says {village} {period} moved from {old} to {new}, but migrations.yml "
    "declares no such migration. Declare it (from, to, date, reason), or restore the log with "
    "git checkout.",
)
CODE_WITH_RECORDS = _kind(
    "code-with-records",
    "程序和已公开的记录在同一次改动中",
    "这次改动既修改了程序或发布流程（{paths}），又修改了已公开的记录（{records}）。审核工具不能和它审核的内容一起改：请把两者分成两次提交，程序的改动先经审核合并。",
    "This change alters both the tool or the publishing workflow ({paths}) and published "
    "records ({records}). The checker cannot change together with what it judges: split them, "
    "and have the tool change reviewed and merged first.",
)


@dataclass(frozen=True)
class Problem:
    """One problem: where, which field (by key), what kind, and the values in the message."""

    where: Location
    field: str | None
    kind: Kind
    values: tuple[tuple[str, str], ...] = ()

    @property
    def code(self) -> str:
        """The kind's code, e.g. invalid-amount."""
        return self.kind.code

    @property
    def severity(self) -> Severity:
        """The kind's severity."""
        return self.kind.severity

    def sort_key(self) -> tuple[str, str, int, str, str, str, tuple[tuple[str, str], ...]]:
        """Order problems by file (and sheet), line, field and code, then by cell and what
        they say: problems are gathered in sets, whose order changes from run to run, and the
        same records give the same report (and fold the same ones past a file's first five)."""
        cell = self.where.cell
        sheet = cell.partition("!")[0]
        place = (self.where.path, sheet, self.where.line or 0, self.field or "", self.code)
        return (*place, cell, self.values)


@dataclass
class Report:
    """All problems found, sorted by place; the exit code follows from them."""

    problems: list[Problem] = field(default_factory=list)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems to the report."""
        self.problems.extend(problems)

    def sorted(self) -> list[Problem]:
        """Return the distinct problems in report order."""
        return sorted(set(self.problems), key=Problem.sort_key)

    @property
    def errors(self) -> int:
        """Count the distinct errors."""
        return sum(1 for p in set(self.problems) if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        """Count the distinct warnings."""
        return sum(1 for p in set(self.problems) if p.severity is Severity.WARNING)

    def has_errors(self, *, strict: bool = False) -> bool:
        """Tell whether publishing is blocked (by warnings too when strict)."""
        return self.errors > 0 or (strict and self.warnings > 0)

    def exit_code(self, *, strict: bool = False) -> int:
        """Return the process exit code: 1 when publishing is blocked, else 0."""
        return 1 if self.has_errors(strict=strict) else 0

    def rows(self, *attrs: str) -> list[tuple[Any, ...]]:
        """Flatten to tuples, e.g. rows("path", "line", "field", "code"), for tests and tools."""
        out = []
        for problem in self.sorted():
            src = {
                "path": problem.where.path,
                "line": problem.where.line,
                "field": problem.field,
                "code": problem.code,
                "severity": problem.severity.value,
            }
            out.append(tuple(src[a] for a in attrs))
        return out

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.sorted())


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
EN_DEFAULTS = {
    "hint_en": "",
    "guess_en": "",
    "detail_en": "",
    "reason_en": "",
    "place_en": "",
    "what_en": "",
    "expected_en": "",
    "actual_en": "",
}


def fill(template: str, values: dict[str, str]) -> str:
    """Fill a message template; a missing value becomes empty rather than failing."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template).strip()


FOLD_AFTER = 5


def format_problem(problem: Problem) -> str:
    """Two lines for a clerk: place, field, Chinese message; then the English and the code."""
    values = {**EN_DEFAULTS, **{k: mask_text(v) for k, v in problem.values}}
    zh, en = fill(problem.kind.zh, values), fill(problem.kind.en, values)
    label = values.get("field_zh", "")
    # NOTE: a folder, file or key may be named with an ID or phone number, so the place and
    # the field are masked like the values.
    head = mask_text(str(problem.where))
    if problem.field:
        key = mask_text(problem.field)
        head += f": {label} {key}" if label else f": {key}"
    warn = "（警告 warning）" if problem.severity is Severity.WARNING else ""
    return f"{head}: {warn}{zh}\n    {en} [{problem.code}]"


def format_report(report: Report, fold: bool = True) -> list[str]:
    """Every problem, sorted, folding long runs of one code in one file (unless fold is False:
    a workbook's clerk needs every cell named); then the count."""
    lines: list[str] = []
    shown: dict[tuple[str, str], int] = {}
    folded: dict[tuple[str, str], int] = {}
    order: list[tuple[str, str]] = []
    for problem in report.sorted():
        key = (problem.where.path, problem.code)
        if key not in shown:
            order.append(key)
        shown[key] = shown.get(key, 0) + 1
        if fold and shown[key] > FOLD_AFTER:
            folded[key] = folded.get(key, 0) + 1
            continue
        lines.append(format_problem(problem))
        if fold and shown[key] == FOLD_AFTER:
            lines.append(f"\0fold:{key[0]}\0{key[1]}")
    out = []
    for line in lines:
        if line.startswith("\0fold:"):
            path, code = line[6:].split("\0")
            more = folded.get((path, code), 0)
            if more:
                out.append(
                    f"    ……{mask_text(path)} 另有 {more} 处同样问题 / …and {more} more like this [{code}]"
                )
            continue
        out.append(line)
    out.append(
        f"发现 {report.errors} 个错误，{report.warnings} 个警告。 / "
        f"Found {report.errors} errors, {report.warnings} warnings."
    )
    return out
