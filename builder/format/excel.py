"""What Excel and WPS do to a clerk's data, and the one reading of it that is unambiguous.

Pure functions shared by the workbook import (`read/workbook.py`) and the CSV reader
(`read/csv_rows.py`, which only names the habit): a cell's text or number in, either the
canonical text the format wants and a note of what was converted, or the reason it cannot be
read one way only. Nothing here guesses: `5/11/2026` (day or month first?), `4,50` (a decimal
comma?) and `1.2万` are refused, never read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# the sheet a workbook opens with: Excel's and WPS's 1900 date system (serial 1 = 1900-01-01,
# with Lotus' phantom 1900-02-29, so serials from 61 on count from 1899-12-30)
EXCEL_EPOCH = dt.date(1899, 12, 30)
# serial numbers that can be a disclosure date at all (1990-01-01 … 2099-12-31)
SERIAL_RANGE = (32874, 73050)


@dataclass(frozen=True)
class Read:
    """A cell read: the canonical text, or why it cannot be read; and what was converted."""

    text: str = ""
    note: str = ""  # e.g. "日期 2026/11/5 → 2026-11-05" ("" when nothing was converted)
    refused: str = ""  # the Chinese reason, when the cell cannot be read one way only
    refused_en: str = ""


def fold(text: str) -> str:
    """Full-width digits, letters, ￥ and the ideographic space to ASCII; trimmed."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


# --- dates ------------------------------------------------------------------------------------
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_NO_YEAR = re.compile(r"\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")
_DMY = re.compile(r"\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_from_serial(serial: float) -> dt.date | None:
    """An Excel serial day number (1900 system) as a date; None outside 1990–2099 or with a
    time of day."""
    if serial != int(serial) or not SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def read_date_text(text: str) -> Read:
    """A date typed as text: 2026-11-05 as it is; 2026/11/5, 2026.11.5 and 2026年11月5日
    converted and said; a date without a year or with the year last refused."""
    folded = fold(text)
    if _ISO.fullmatch(folded) and folded == text:
        return Read(text)
    found = _YMD.fullmatch(folded)
    if found:
        try:
            day = dt.date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            return Read(
                refused=f"“{text}”不是日历上的日期。请写成 年-月-日，例如 2026-11-05。",
                refused_en=f'"{text}" is not a calendar date. Write it year-month-day, e.g. 2026-11-05.',
            )
        return Read(day.isoformat(), f"日期“{text}”→ {day.isoformat()}")
    if _DMY.fullmatch(folded):
        return Read(
            refused=f"“{text}”看不出是日/月还是月/日。请写成 年-月-日，例如 2026-11-05。",
            refused_en=f'"{text}" could be day/month or month/day. Write it year-month-day, e.g. 2026-11-05.',
        )
    if _NO_YEAR.fullmatch(folded):
        return Read(
            refused=f"“{text}”没有年份。请写成 年-月-日，例如 2026-11-05。",
            refused_en=f'"{text}" has no year. Write it year-month-day, e.g. 2026-11-05.',
        )
    return Read(text)  # not a date habit: the format's own check says what is wrong


def looks_like_excel_date(text: str) -> bool:
    """Whether a CSV cell holds a date the way Excel writes one (2026/11/5, 2026年11月5日)."""
    # NOTE: 2026-7-2 is a typo of the format's own form, not Excel's: invalid-date says so
    folded = fold(text)
    return bool(_YMD.fullmatch(folded)) and any(mark in folded for mark in "/.年")


# --- long numbers -----------------------------------------------------------------------------
# Excel shows a number of 12 or more digits in a General cell as 1.10101E+17 and saves a CSV
# as it shows it: the digits are gone, and the text would be published as it stands
_CUT_NUMBER = re.compile(r"[0-9](\.[0-9]+)?E\+(1[1-9]|[2-9][0-9])", re.IGNORECASE)


def looks_like_cut_number(text: str) -> bool:
    """Whether a text cell holds a long number the way Excel shows one (1.10101E+17)."""
    return ("E+" in text or "e+" in text) and _CUT_NUMBER.fullmatch(text.strip()) is not None


# --- amounts ----------------------------------------------------------------------------------
_PLAIN = re.compile(r"(0|[1-9]\d*)(\.\d{1,2})?")
_GROUPED = re.compile(r"[1-9]\d{0,2}(,\d{3})+(\.\d{1,2})?")


def money_text(value: Decimal) -> str:
    """The canonical text of an amount in yuan: two decimals, no separators."""
    return f"{value:.2f}"


def read_amount_text(text: str) -> Read:
    """An amount typed as text: ¥/￥ signs, thousands separators, full-width digits and a
    trailing 元 are converted and said; anything else (a decimal comma, 万, a minus sign,
    more than two decimals) is refused or left for the format's own check."""
    folded = fold(text)
    core = folded
    for sign in ("¥", "￥", "RMB", "CNY"):
        core = core.removeprefix(sign).strip()
    core = core.removesuffix("元").strip()
    if _PLAIN.fullmatch(core) or _GROUPED.fullmatch(core):
        value = Decimal(core.replace(",", ""))
        canonical = money_text(value)
        if canonical == text:
            return Read(text)
        return Read(canonical, f"金额“{text}”→ {canonical}")
    if re.fullmatch(r"[\d,.]+", core) and "," in core:
        return Read(
            refused=f"“{text}”的逗号位置不像千位分隔符，看不出金额是多少。请只填数字，例如 4500.00。",
            refused_en=f'The commas in "{text}" are not thousands separators; the amount is unclear. '
            "Write digits only, e.g. 4500.00.",
        )
    if "万" in core:
        return Read(
            refused=f"“{text}”用了“万”。请换算成元，只填数字，例如 12000.00。",
            refused_en=f'"{text}" uses 万. Write the amount in yuan, digits only, e.g. 12000.00.',
        )
    return Read(text)


def read_amount_number(number: float | int | Decimal) -> Read:
    """An amount stored as a number: exact to the fen, else refused (more than two decimals is
    a rounding the clerk must decide)."""
    try:
        value = Decimal(str(number)) if not isinstance(number, Decimal) else number
    except InvalidOperation:
        return Read(refused="不是数字。", refused_en="is not a number.")
    if value < 0:
        return Read(
            refused=f"金额是负数（{value}）。收入和支出都只填正数：退款、冲销请另记一行，"
            "按实际收到或付出的钱填在“收入”或“支出”列。",
            refused_en=f"The amount is negative ({value}). Income and expense are both written as "
            "positive amounts: record a refund or reversal as its own row, in the income or "
            "expense column as the money actually moved.",
        )
    if value != value.quantize(Decimal("0.01")):
        return Read(
            refused=f"金额 {value} 有两位以上小数。请四舍五入到分，例如 {value:.2f}。",
            refused_en=f"The amount {value} has more than two decimals. Round it to the fen, e.g. {value:.2f}.",
        )
    return Read(money_text(value))


def looks_like_formatted_amount(text: str) -> bool:
    """Whether a CSV cell holds an amount the way Excel formats one (¥4,500.00)."""
    read = read_amount_text(text)
    return bool(read.note) and not read.refused


# --- headers, titles and totals ----------------------------------------------------------------
_UNIT = re.compile(r"\s*[（(]\s*(元|￥|¥|人民币元)\s*[)）]\s*$")
TOTAL_WORDS = ("合计", "总计", "小计", "本月合计", "本期合计", "累计")
# NOTE: every total word holds 计, and no other character folds to it (NFKC; a test goes through
# every code point): a text without 计 is no total label, whatever its width or spacing
TOTAL_MARK = "计"


def header_text(text: str) -> str:
    """A header cell as the schema knows it: folded, unit (元) and line breaks removed."""
    folded = fold(text).replace("\n", "").replace(" ", "")
    return _UNIT.sub("", folded)


def is_total_label(text: str) -> bool:
    """Whether a cell reads as the label of a totals row (合计, 本月合计, 总 计 …)."""
    if TOTAL_MARK not in text:  # NOTE: most cells (see TOTAL_MARK)
        return False
    return fold(text).replace(" ", "") in TOTAL_WORDS
