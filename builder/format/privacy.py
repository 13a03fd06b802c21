"""Scan text for personal data and invisible characters; mask what must be shown.

Resident ID numbers (GB 11643, checked by their check digit), bank card numbers (16–19 digits,
Luhn) and mobile numbers never reach git history or the site. Officials' declared office and
hotline numbers are the only phone numbers allowed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass

# The problem codes of what the scans find (their messages are in builder/format/problems.py).
RESIDENT_ID = "resident-id"
BANK_CARD = "bank-card"
MOBILE_NUMBER = "mobile-number"
BAD_CHARACTER = "bad-character"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_RUNS = re.compile(
    r"(?<![0-9])(?:"
    r"[0-9]{6}[ -][0-9]{8}[ -][0-9]{3}[0-9Xx]"  # ID written 6-8-4
    r"|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?"  # card written in fours
    r"|1[3-9][0-9][ -][0-9]{4}[ -][0-9]{4}"  # mobile written 3-4-4
    r"|[0-9]{11,19}[Xx]?"  # any long plain run
    r")(?![0-9])"
)


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
    """Digits of a phone number, for comparing declared numbers."""
    digits = re.sub(r"[^0-9]", "", phone)
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


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
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def scan_personal_data(line: str, allowed_phones: Collection[str] = ()) -> Iterator[Finding]:
    """Find ID, bank card and mobile numbers in one line of text."""
    text = unicodedata.normalize("NFKC", line)
    for run in _RUNS.finditer(text):
        digits = re.sub(r"[ -]", "", run.group())
        code: str | None = None
        if is_resident_id(digits):
            code = RESIDENT_ID
        elif digits.isdigit() and 16 <= len(digits) <= 19 and is_luhn(digits):
            code = BANK_CARD
        elif digits.isdigit() and is_mobile(digits) and phone_digits(digits) not in allowed_phones:
            code = MOBILE_NUMBER
        if code is not None:
            yield Finding(run.start() + 1, code, mask(code, digits))


def mask_text(text: str) -> str:
    """Mask every ID, card or mobile number inside a value before it is shown in a message."""

    def repl(run: re.Match[str]) -> str:
        digits = re.sub(r"[ -]", "", run.group())
        if is_resident_id(digits):
            return mask(RESIDENT_ID, digits)
        if digits.isdigit() and 16 <= len(digits) <= 19 and is_luhn(digits):
            return mask(BANK_CARD, digits)
        if digits.isdigit() and is_mobile(digits):
            return mask(MOBILE_NUMBER, digits)
        return run.group()

    return _RUNS.sub(repl, text)


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
    """Control, bidi, zero-width and other invisible format characters (tab and newline pass)."""
    if ch in "\t\n":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")


def scan_characters(line: str) -> Iterator[Finding]:
    """Find invisible or control characters in one line."""
    if line.replace("\t", " ").isprintable():
        return  # NOTE: fast path: printable excludes every category flagged below
    for i, ch in enumerate(line):
        if is_bad_character(ch):
            name = unicodedata.name(ch, "CONTROL")
            yield Finding(i + 1, BAD_CHARACTER, f"U+{ord(ch):04X} {name}")
