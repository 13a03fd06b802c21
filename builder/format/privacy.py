"""Scan text for personal data and invisible characters; mask what must be shown.

Resident ID numbers (GB 11643: by their check digit, or by province and birth date when a
mistyped digit broke it), bank card numbers (16–19 digits: by Luhn, or by UnionPay's 62 when a
mistyped digit broke it), mobile numbers, landline numbers with their area code (座机: 0539-6212345,
(0539)6212345, +86 539 6212345) or, after a word naming a phone, without it (电话6212345),
and house numbers (门牌: an address below the 村民小组) never
reach git history or the site. Officials' declared office and hotline numbers are the only phone
numbers allowed.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
import unicodedata
import urllib.parse
from collections.abc import Collection, Iterator
from dataclasses import dataclass

# The problem codes of what the scans find (their messages are in builder/format/problems.py).
RESIDENT_ID = "resident-id"
BANK_CARD = "bank-card"
MOBILE_NUMBER = "mobile-number"
LANDLINE_NUMBER = "landline-number"
HOUSE_ADDRESS = "house-address"
BAD_CHARACTER = "bad-character"

_Hit = tuple[int, int, str, str]  # (start, end, code, digits) of a number in a text

# A house number: a number and 号 after a village, group, road or lane (东山村12号, 3组18号,
# 人民路5号) or after 住 / 住址 (住18号), a courtyard (18号院), or a building's unit and room
# (3栋2单元501室). Records may name the 村民小组 and no more (DOMAIN.md). Not a document's
# number (〔2026〕12号) nor a numbered thing (3号井).
_HOUSE_DIGIT = "[0-9０-９零〇一二三四五六七八九十百两]"
_HOUSE_NUMBER = _HOUSE_DIGIT + "+"
_HOUSE = re.compile(
    rf"(?:[村组社屯队巷弄路街]|胡同|小区) *{_HOUSE_NUMBER} *[号號]"
    "(?![井桥闸坝塘渠泵机线杆地田库仓厂车柜文令])"
    rf"|(?:住|住址|地址|家住|住在)[:：]? *{_HOUSE_NUMBER} *[号號]"
    rf"|{_HOUSE_NUMBER} *[号號]院"
    rf"|{_HOUSE_NUMBER} *(?:号楼|栋|幢) *{_HOUSE_NUMBER} *(?:单元|室)"
    rf"|{_HOUSE_NUMBER} *单元 *{_HOUSE_NUMBER} *室"
)
_HOUSE_DIGITS = re.compile(_HOUSE_NUMBER)
# NOTE: every house number holds a number's last character, spaces, then 号, 號, 栋, 幢 or 单元:
# a text without that holds none, and this search costs a fifth of _HOUSE's on long text
_HOUSE_HINT = re.compile(_HOUSE_DIGIT + " *(?:[号號栋幢]|单元)")


def _may_hold_house(text: str) -> bool:
    """Whether text may hold a house number (_HOUSE_HINT), asking first for its words by
    substring search, a tenth of the regex's time on a text without them (most texts)."""
    worded = "号" in text or "號" in text or "栋" in text or "幢" in text or "单元" in text
    return worded and _HOUSE_HINT.search(text) is not None


# A landline written without its area code (7 or 8 digits, the first 2–9) is a phone number
# only by what is said before it: 电话6212345, 家里座机：621-2345, Tel 6212 3456, within a few
# characters and no digit between. Anywhere else such a number is an amount, a code or a count.
# NOTE: the words are found by one regex of plain alternatives (whose first characters sre
# skips to), the number then looked for right after each; "tel" inside a word (hotel) is none.
# Never across a comma, as no other finding is (finds_any relies on it).
_LOCAL_WORDS = ("电话", "座机", "固话", "宅电", "联系", "手机", "☎")
_LOCAL_LATIN = ("tel", "Tel", "TEL", "phone", "Phone", "PHONE")
# NOTE: a space inside a word (电 话) does not hide it
_LOCAL_HINT = re.compile(
    "|".join(
        [f"{word[0]}[ \u3000]?{word[1:]}" if len(word) == 2 else word for word in _LOCAL_WORDS]
    )
    + "|"
    + "|".join(_LOCAL_LATIN)
)
_LOCAL_AFTER = re.compile(
    # NOTE: a space or a dash may stand between any two digits (621-9876, 6 2 1 9 8 7 6)
    "[^0-9０-９,\n]{0,12}?([2-9２-９](?:[-－ ]?[0-9０-９]){6,7})"
    # NOTE: not a longer number, a decimal amount, nor a quantity (元, 万, %, a date's 年 …)
    "(?![-－ ]?[0-9０-９]|[.．][0-9０-９]| *(?:[元万亿块角分%％年月日号个人户亩米次笔]|平方))"
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# NOTE: default-ignorable code points (Unicode's DerivedCoreProperties, Default_Ignorable_Code_Point)
# and fillers: invisible, so they can hide inside a name or split a number without being seen.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"{chr(low)}-{chr(high)}" for low, high in ranges)


_IGNORABLE_RE = re.compile(f"[{_char_class(_IGNORABLE)}]")


def is_ignorable(ch: str) -> bool:
    """True for a default-ignorable or filler code point (zero-width, joiners, selectors…)."""
    return _IGNORABLE_RE.match(ch) is not None


# What may stand between the groups of one number: spaces, dashes of every width, dots, slashes,
# underscores (NFKC has already turned the full-width forms into these).
# Whitespace (any run of it: a line continuation and its indent) reads as " ", every other
# separator as "#"; at most three of those stand between two groups.
# Round brackets too: an area code is often written in them, (0539)6212345 or （0539）6212345.
_SEPARATORS = frozenset("-/_~()\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fb\u00b7")
_ASCII_VIEW = str.maketrans(
    {**dict.fromkeys("\t\r\n\x0b\x0c", " "), **dict.fromkeys("-/_~()", "#")}
)
_GAP = r"(?: *#{1,3} *| +)"
_GROUPS = re.compile(rf"\+?[0-9]+(?:[Xx](?![0-9A-Za-z]))?(?:{_GAP}[0-9]+(?:[Xx](?![0-9A-Za-z]))?)*")
_GROUP = re.compile(r"[0-9]+[Xx]?")
_MAX_GROUPS = 20  # one digit a group, an 86 prefix and a check letter: "1 3 8 1 2 3 4 5 6 7 8"
# NOTE: a date written with separators (2026-10-05) is one value, never part of a longer number:
# two dates side by side would otherwise read as a 16-digit card that may pass Luhn by chance.
_DATE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}#[01]?[0-9]#[0-3]?[0-9](?![0-9])")
# Anything that may read as a digit: \\d is every script's digits, the rest fold to digits by NFKC
# (circled, parenthesised, superscript and subscript numbers).
_DIGITISH_CLASS = "\\d\u00b2\u00b3\u00b9\u2070-\u2089\u2460-\u24ff\u2776-\u2793\u3251-\u32bf"
# The Chinese numerals that stand for one digit each, as a number is read out (一三八…, 壹叁捌…).
# NOTE: only a whole number written in them counts, never one beside other digits: a name such
# as 张三 or 王五 is often written right before a phone number.
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖", "00123456789123456789")
_CHINESE_RUN = re.compile(
    "[〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖]"
    "(?:[ \u3000\\-\u2010-\u2015\uff0d]?[〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖]){10,}"
)
_DIGITISH = re.compile(f"[{_DIGITISH_CLASS}]")
# What may stand in a number beside the digit-ish characters (see digit_view).
_NUMBER_GLUE_CLASS = (
    " \t\r\n\x0b\x0c\\-/_~.+#Xx()\u00a0\u2000-\u200a\u202f\u205f\u3000"
    "\u2010-\u2015\u2212\u30fb\u00b7\uff08\uff09\uff0b\uff0d\uff0e\uff0f\uff3f\uff5e\uff38\uff58"
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    f"{_char_class(_IGNORABLE)}"
)
# NOTE: a region is a whole stretch of these characters. Every number the scans report lies in
# a region of at least 11 characters holding at least 11 digits, and a digit-ish character folds
# to at most two digits (⑳, ㊿): a text without such a region of six or more digit-ish
# characters holds no number (see may_find). _LONG_REGION finds exactly the regions of 11
# characters or more: it starts where the stretch does and runs to its end.
# NOTE: no look-behind for the stretch's start, which finditer keeps anyway: a match runs to
# its stretch's end, and a try inside a stretch follows a failed try one character before it,
# where the stretch was longer. Without one, sre skips along by the class: half the time.
_LONG_REGION = re.compile(f"[{_DIGITISH_CLASS}{_NUMBER_GLUE_CLASS}]{{11,}}")
_DECIMAL = re.compile(r"\.(?=[0-9]{1,2}(?![0-9]))")
# The provinces' two-digit codes (GB/T 2260), the first two digits of every ID number.
_PROVINCES = frozenset(str(code) for code in (*range(11, 16), *range(21, 24), *range(31, 38)))
_PROVINCES |= frozenset(str(code) for code in (*range(41, 47), *range(50, 55), *range(61, 66)))
_PROVINCES |= {"71", "81", "82"}


def digit_view(text: str) -> tuple[str, list[int] | None]:
    """Text as the number scan reads it, with each character's position in the original.

    NFKC folds full-width digits and separators, any script's digits become 0-9, invisible and
    combining characters vanish, whitespace reads " " and every other separator "#", so a number
    reads the same however it is grouped. The positions are None when they did not move.
    """
    if text.isascii():
        joined, where = text.translate(_ASCII_VIEW), None
    else:
        out: list[str] = []
        where = []
        for i, ch in enumerate(text):
            folded = _FOLDED.get(ch)
            if folded is None:
                folded = _FOLDED[ch] = _fold(ch)
            for part in folded:
                out.append(part)
                where.append(i)
        joined = "".join(out)
    # NOTE: a dot before one or two final digits is a decimal point (1234567.89): the amount ends
    # there; any other dot between digits separates groups
    view = _DECIMAL.sub("d", joined).replace(".", "#")
    return _DATE.sub(lambda m: "d" * len(m.group()), view), where


_FOLDED: dict[str, str] = {}


def _fold(ch: str) -> str:
    """One character as the number scan reads it (see digit_view)."""
    if ch.isascii():
        return ch.translate(_ASCII_VIEW)
    if is_ignorable(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return ""
    if unicodedata.category(ch) == "Nd":
        return str(unicodedata.decimal(ch))  # any script's digits: ١٣٨, ১৩৮, 𝟏𝟑𝟖
    folded = unicodedata.normalize("NFKC", ch)
    return "".join(
        " " if c.isspace() else "#" if c in _SEPARATORS else c.translate(_ASCII_VIEW)
        for c in folded
    )


def _is_birth_date(text: str) -> bool:
    """True for a real YYYYMMDD date from 1900 to 2100."""
    if len(text) != 8 or not text.isdigit():
        return False
    try:
        born = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def is_old_resident_id(digits: str) -> bool:
    """True for a 15-digit ID of GB 11643-1989: province, a real YYMMDD date, a sequence."""
    return (
        len(digits) == 15
        and digits.isdigit()
        and digits[:2] in _PROVINCES
        and _is_birth_date("19" + digits[6:12])
    )


def classify(
    digits: str, allowed_phones: Collection[str] = (), grouped: bool = False, first: int = 0
) -> str | None:
    """The problem code of a run of digits (an ID, card, mobile or landline number), or None.
    grouped: the run was put together from several groups of digits, the first of them `first`
    digits long."""
    if len(digits) == 18 and digits[:17].isdigit():
        # NOTE: a province and a real birth date make 18 characters an ID whatever the check
        # digit: a mistyped digit breaks the check, and the other 17 still name the person (as
        # 15-digit IDs, which have no check digit, always were). A right check digit alone is
        # enough, but not for a run put together from several groups, so that unrelated
        # numbers side by side are not taken for an ID
        shaped = digits[:2] in _PROVINCES and _is_birth_date(digits[6:14])
        if shaped or (not grouped and is_resident_id(digits)):
            return RESIDENT_ID
    if is_old_resident_id(digits):
        return RESIDENT_ID
    # NOTE: UnionPay's 62 (the cards subsidies are paid to) makes a card whatever the Luhn
    # digit, for the same reason; other numbers must pass Luhn
    if digits.isdigit() and 16 <= len(digits) <= 19 and (digits[:2] == "62" or is_luhn(digits)):
        return BANK_CARD
    line = _phone_line(digits, first if grouped else 0)
    if line is not None and line[1] not in allowed_phones:
        return line[0]
    return None


def _phone_line(digits: str, first: int = 0) -> tuple[str, str] | None:
    """(problem code, the digits declared lines are compared by) of a mobile or landline
    number, or None. A run of groups is a landline only when its first group (first digits
    long, 0 for one run) is the area code or the country's 86, as people write them
    (0539-6212345, 86 539 6212345), so that unrelated numbers side by side are not one."""
    if not digits.isdigit():
        return None
    if is_mobile(digits):
        return MOBILE_NUMBER, phone_digits(digits)
    national = landline(digits, first)
    return (LANDLINE_NUMBER, national) if national is not None else None


def landline(digits: str, first: int = 0) -> str | None:
    """The national form (0, the area code, the local number) of a mainland landline number
    written with its area code, from home (05396212345) or from abroad (86 or 0086, the area
    code without its 0), or None. first: the length of the first group the digits were written
    in (0: one run), which must be the area code or the 86."""
    if not digits.isdigit():
        return None
    prefix = 4 if digits.startswith("0086") else 2 if digits.startswith("86") else 0
    # NOTE: from abroad the area code drops its 0; +86-0539-… keeps it, which phones forgive
    national = digits[prefix:] if digits[prefix : prefix + 1] == "0" else "0" + digits[prefix:]
    area = _area_code_length(national)
    local = national[area:]
    if not area or len(local) not in ((8,) if area == 3 else (7, 8)) or local[0] in "01":
        return None
    if first and first != (prefix or area):
        return None
    return national


def _area_code_length(national: str) -> int:
    """The length of the area code (with its 0) a national number starts with, 0 for none:
    010 and 02X have three digits (Beijing's 010 is the only 01 code), 03X–09X four."""
    if national[:1] != "0" or national[1:2] in ("", "0"):
        return 0
    if national[1] == "1":
        return 3 if national[:3] == "010" else 0
    return 3 if national[1] == "2" else 4


def _find(text: str, allowed_phones: Collection[str] = ()) -> Iterator[_Hit]:
    """(start, end, code, digits) of each ID, card, mobile, landline or house number, in
    text's order (for a house number, "digits" is the address as written)."""
    # what the words around a number make personal data: 号 a house number, 电话 a local line
    named = (
        [(m.start(), m.end(), HOUSE_ADDRESS, m.group()) for m in _HOUSE.finditer(text)]
        if _may_hold_house(text)
        else []
    )
    named += _find_local_lines(text, allowed_phones)
    if not named:
        yield from _find_numbers(text, allowed_phones)
        return
    done = 0
    for found in sorted([*_find_numbers(text, allowed_phones), *named]):
        if found[0] >= done:  # NOTE: one finding a stretch of text (mask_text joins them)
            yield found
            done = found[1]


def _find_local_lines(text: str, allowed_phones: Collection[str]) -> list[_Hit]:
    """(start, end, LANDLINE_NUMBER, digits) of each landline written without its area code
    right after a word that names a phone (电话6212345, 座机：621-2345), unless it is a
    declared line's local number (or declared as it is written)."""
    first = _LOCAL_HINT.search(text)
    if first is None:
        return []
    found: list[_Hit] = []
    done = -1
    for hint in _LOCAL_HINT.finditer(text, first.start()):
        start = hint.start()
        if hint[0].isascii() and start and text[start - 1].isascii() and text[start - 1].isalpha():
            continue
        m = _LOCAL_AFTER.match(text, hint.end())
        if m is None or m.start(1) <= done:  # NOTE: 联系电话6212345 holds two words before it
            continue
        done = m.start(1)
        digits = unicodedata.normalize("NFKC", m[1]).replace("-", "").replace(" ", "")
        if _is_birth_date(digits) or digits in allowed_phones:  # NOTE: 联系日期20261015
            continue
        if any(p[_area_code_length(p) :] == digits for p in allowed_phones):
            continue
        found.append((m.start(1), m.end(1), LANDLINE_NUMBER, digits))
    return found


def _find_numbers(text: str, allowed_phones: Collection[str]) -> Iterator[_Hit]:
    """(start, end, code, digits) of each ID, card, mobile or landline number, in the original
    text, in its order."""
    found = _find_digits(text, allowed_phones)
    if _CHINESE_RUN.search(text) is None:  # NOTE: one at a time, as finds_any asks for the first
        yield from found
    else:
        yield from sorted([*found, *_find_chinese(text, allowed_phones)])


def _find_digits(text: str, allowed_phones: Collection[str]) -> Iterator[_Hit]:
    """What _find_numbers finds in numbers written in digits of any script."""
    if _DIGITISH.search(text) is None:
        return
    # NOTE: only the stretches of digits, separators and invisible characters can hold a number;
    # folding just those keeps the scan fast on long Chinese text. Those of 11 characters or
    # more: _LONG_REGION finds exactly the whole stretches of that length, the shorter ones
    # hold no number (see _LONG_REGION)
    for region in _LONG_REGION.finditer(text):
        for start, end, code, digits in _find_in(region.group(), allowed_phones):
            yield region.start() + start, region.start() + end, code, digits


def _find_chinese(text: str, allowed_phones: Collection[str]) -> Iterator[_Hit]:
    """What _find_numbers finds in numbers written in Chinese numerals, one ASCII digit a
    numeral (so the places stay)."""
    for run in _CHINESE_RUN.finditer(text):
        for start, end, code, digits in _find_in(
            run.group().translate(_CHINESE_DIGITS), allowed_phones
        ):
            yield run.start() + start, run.start() + end, code, digits


def _find_in(text: str, allowed_phones: Collection[str]) -> Iterator[_Hit]:
    view, where = digit_view(text)
    for run in _GROUPS.finditer(view):
        if sum(ch.isdigit() for ch in run.group()) < 11:
            continue
        groups = [
            (m.start() + run.start(), m.end() + run.start()) for m in _GROUP.finditer(run.group())
        ]
        i = 0
        while i < len(groups):
            hit = None
            declared = i  # NOTE: past a declared line, whose groups are no part of another number
            for j in range(min(len(groups), i + _MAX_GROUPS) - 1, i - 1, -1):
                digits = "".join(view[a:b] for a, b in groups[i : j + 1])
                if len(digits) < 11 or len(digits) > 19 or "X" in digits[:-1].upper():
                    continue
                first = groups[i][1] - groups[i][0]
                code = classify(digits, allowed_phones, grouped=j > i, first=first)
                if code is None and digits.startswith("0086") and len(digits) == 15:
                    code = classify(digits[2:], allowed_phones, grouped=True)
                    digits = digits[2:] if code else digits
                if code is not None:
                    hit = (j, code, digits)
                    break
                if declared == i and allowed_phones:
                    line = _phone_line(digits, first if j > i else 0)
                    if line is not None and line[1] in allowed_phones:
                        declared = j
            if hit is None:
                i = declared + 1
                continue
            j, code, digits = hit
            start, end = groups[i][0], groups[j][1]
            if where is not None:
                start, end = where[start], where[end - 1] + 1
            yield start, end, code, digits
            i = j + 1


def is_resident_id(digits: str) -> bool:
    """True for 18 characters whose GB 11643 check digit is right."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17].upper()


def is_luhn(digits: str) -> bool:
    """True when a run of digits passes the Luhn check used by bank cards."""
    if not digits.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(digits)):
        digit = int(char)
        if i % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def is_mobile(digits: str) -> bool:
    """True for a mainland mobile number, with or without the 86 prefix."""
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def phone_digits(phone: str) -> str:
    """Digits of a phone number, for comparing declared numbers: a mobile without its 86, a
    landline in its national form (05396212345, however it was written)."""
    digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", phone))
    if digits.startswith("0086"):
        digits = digits[2:]
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    return landline(digits) or digits


@dataclass(frozen=True)
class Finding:
    """Something found in one line: 1-based column, the problem code and the (masked) value."""

    column: int
    code: str  # the problem code (builder.format.problems): resident-id, bank-card, …
    value: str


def mask(code: str, digits: str) -> str:
    """Mask personal data the one fixed way used everywhere (first 6 and last 4 for IDs)."""
    if code == RESIDENT_ID:
        return digits[:6] + "*" * 8 + digits[-4:]
    if code == MOBILE_NUMBER:
        mobile = digits[-11:]
        return mobile[:3] + "****" + mobile[-4:]
    if code == LANDLINE_NUMBER:  # the area code stays, the local number but its last four goes
        national = landline(digits) or digits
        area = _area_code_length(national)
        hidden = "*" * (len(national) - area - 4) + national[-4:]
        return national[:area] + "-" + hidden if area else hidden
    if code == HOUSE_ADDRESS:  # the place stays, its numbers go: 3组**号
        return _HOUSE_DIGITS.sub(lambda m: "*" * len(m.group()), digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


# Text that a browser, or any program that shows a download as a web page, turns into other
# characters: HTML character references (&#49;, &#x31;, &amp;) and URL escapes (%31)
_ESCAPE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?|%[0-9A-Fa-f]{2}")


def unescaped(text: str) -> str | None:
    """text with its HTML character references and URL escapes decoded (as often as they were
    applied, up to three times), or None when it holds none."""
    if ("&" not in text and "%" not in text) or _ESCAPE.search(text) is None:
        return None
    decoded = text
    for _ in range(3):
        step = html.unescape(urllib.parse.unquote(decoded, errors="replace"))
        if step == decoded:
            break
        decoded = step
    return decoded if decoded != text else None


def _hidden(decoded: str, found: list[_Hit], allowed_phones: Collection[str]) -> list[_Hit]:
    """What the decoded text (its escapes decoded) holds that the text as written, in which
    found was found, does not."""
    plain = {(code, digits) for _, _, code, digits in found}
    return [hit for hit in _find(decoded, allowed_phones) if (hit[2], hit[3]) not in plain]


def scan_personal_data(line: str, allowed_phones: Collection[str] = ()) -> Iterator[Finding]:
    """Find ID, bank card, mobile, landline and house numbers in text, however they are grouped
    or disguised: also those that escapes hide (&#49;…, %31…), at the first column."""
    found = list(_find(line, allowed_phones))
    for start, _end, code, digits in found:
        yield Finding(start + 1, code, mask(code, digits))
    decoded = unescaped(line)
    if decoded is not None:
        for _start, _end, code, digits in _hidden(decoded, found, allowed_phones):
            yield Finding(1, code, mask(code, digits))


def mask_text(text: str) -> str:
    """Mask every ID, card or mobile number inside a value before it is shown in a message
    (a value whose escapes hide one is shown decoded, and masked)."""
    found = list(_find(text))
    decoded = unescaped(text)
    if decoded is not None and _hidden(decoded, found, ()):
        text, found = decoded, list(_find(decoded))
    parts: list[str] = []
    done = 0
    for start, end, code, digits in found:
        parts.append(text[done:start] + mask(code, digits))
        done = end
    return "".join(parts) + text[done:]


def shorten(text: str, limit: int) -> str:
    """Cut text to limit characters with an ellipsis, masking personal data before cutting."""
    # NOTE: mask first: an ID or card number cut in the middle no longer matches the patterns
    # above and would be shown half in the clear by whatever masks the message later. Text that
    # fits is left as it is: messages mask their values when printed, and a declared office
    # number in a published record is public.
    if len(text) <= limit:
        return text
    masked = mask_text(text)
    return masked if len(masked) <= limit else masked[:limit] + "…"


def is_bad_character(ch: str) -> bool:
    """Control, bidi, zero-width, default-ignorable and filler characters (tab and newline pass)."""
    if ch in "\t\n":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs") or is_ignorable(ch)


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So"


def _in_emoji(line: str, i: int) -> bool:
    """A variation selector after an emoji, or a joiner between two: part of how emoji are written."""
    ch = line[i]
    before = line[i - 1] if i > 0 else ""
    after = line[i + 1] if i + 1 < len(line) else ""
    if ch in "\ufe0e\ufe0f":
        return bool(before) and _is_emoji(before)
    if ch == "\u200d":
        return (
            bool(before and after)
            and (_is_emoji(before) or before == "\ufe0f")
            and _is_emoji(after)
        )
    return False


def may_find(text: str, allowed_phones: Collection[str] = ()) -> bool:
    """False when neither scan_characters nor scan_personal_data (given allowed_phones) finds
    anything in text, nor in any piece of it cut at commas: a comma is printable and never part
    of a number, so a file's lines or values joined by commas are checked in one pass, and only
    the rare file that may hold something is scanned piece by piece."""
    if not text.replace("\t", " ").isprintable() or _SUSPECT.search(text) is not None:
        return True
    if _may_hold_house(text) and _HOUSE.search(text) is not None:
        return True
    if _CHINESE_RUN.search(text) is not None:
        return True
    # NOTE: a stretch of digits that holds no number (a declared line, a village's code) needs
    # no scan: the number scan is asked about each stretch itself (see _holds_number)
    allowed = frozenset(allowed_phones)
    regions = (m.group() for m in _LONG_REGION.finditer(text))
    if any(len(_DIGITISH.findall(r)) >= 6 and _holds_number(r, allowed) for r in regions):
        return True
    return bool(_find_local_lines(text, allowed_phones))


@functools.lru_cache(maxsize=4096)
def _holds_number(region: str, allowed: frozenset[str]) -> bool:
    """Whether the number scan finds anything in a stretch of digits and separators (one of
    _LONG_REGION's, as _find_digits reads it) besides the declared lines. Without this, every
    month's file that names the town's supervision line (0539-6100000) was scanned again in
    full only for that line to be let through: 44,000 of a 600-village county's 102,000 texts
    (the pass over them took 13.1 s in one process, now 9.4 s); and so was the publication
    log for its villages' 12-digit codes. The same few stretches come again and again: their
    verdicts are kept."""
    return next(_find_in(region, allowed), None) is not None


def finds_any(text: str, allowed_phones: Collection[str] = ()) -> bool:
    """Whether scan_characters or scan_personal_data finds anything in text.

    Neither scan's findings span a comma: a comma is printable, no part of a number, a house
    number or an emoji sequence, and it ends a run of stacked marks. So on pieces joined by
    commas this is exactly "one of the pieces holds something", and one pass over a file's lines
    or values decides whether they need scanning one by one (may_find first rules out most
    texts more cheaply still).
    """
    return _finds_any(text, frozenset(allowed_phones))


# NOTE: the last few hundred texts' answers: a village's history checks each of its versions,
# and each version's files are all the last one's but a month's (a third of a history's time
# went to scanning the same texts again)
@functools.lru_cache(maxsize=512)
def _finds_any(text: str, allowed_phones: frozenset[str]) -> bool:
    decoded = unescaped(text)
    if decoded is not None and _finds_any(decoded, allowed_phones):
        return True
    if not may_find(text, allowed_phones):
        return False
    if next(scan_characters(text), None) is not None:
        return True
    return next(_find(text, allowed_phones), None) is not None


def scan_characters(line: str) -> Iterator[Finding]:
    """Find invisible, control or filler characters, and runs of stacked combining marks."""
    if line.replace("\t", " ").isprintable() and _SUSPECT.search(line) is None:
        return  # NOTE: fast path: printable text holds no control or format character
    marks = 0
    for i, ch in enumerate(line):
        if is_bad_character(ch) and not _in_emoji(line, i):
            name = unicodedata.name(ch, "CONTROL")
            yield Finding(i + 1, BAD_CHARACTER, f"U+{ord(ch):04X} {name}")
            continue
        marks = marks + 1 if _is_generic_mark(ch) else 0
        if marks == MAX_MARKS + 1:
            # NOTE: no script writes more than two marks on one letter in names or records;
            # stacks of them ("Zalgo" text) hide what is written underneath
            yield Finding(i + 1, BAD_CHARACTER, f"U+{ord(ch):04X} {unicodedata.name(ch, 'MARK')}")


MAX_MARKS = 2
# The combining marks any letter can take (accents, overlays). Scripts that stack marks of their
# own (Tibetan, Devanagari…) use other blocks and are not counted.
_GENERIC_MARKS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF))


_GENERIC_MARKS_RE = re.compile(f"[{_char_class(_GENERIC_MARKS)}\ufe20-\ufe2f]")
_SUSPECT = re.compile(f"[{_char_class(_IGNORABLE)}{_char_class(_GENERIC_MARKS)}\ufe20-\ufe2f]")


def _is_generic_mark(ch: str) -> bool:
    return _GENERIC_MARKS_RE.match(ch) is not None


def name_key(name: str) -> str:
    """A person's or place's name as compared: NFKC, no invisible characters, no spaces."""
    folded = unicodedata.normalize("NFKC", name)
    # NOTE: most names: printable text holds no format character (Cf) and no whitespace but
    # " ", so without " " and an ignorable code point there is nothing to drop
    if folded.isprintable() and " " not in folded and _IGNORABLE_RE.search(folded) is None:
        return folded
    return "".join(
        ch
        for ch in folded
        if not ch.isspace() and not is_ignorable(ch) and unicodedata.category(ch) != "Cf"
    )
