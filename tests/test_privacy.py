"""Personal data: known vectors for ID numbers, bank cards and mobiles, and how they are masked."""

from __future__ import annotations

import pytest

from builder.format import privacy, problems
from builder.format.privacy import (
    is_luhn,
    is_resident_id,
    mask_text,
    scan_characters,
    scan_personal_data,
)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("110101199003074514", True),
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("440524198001010013", True),
        ("440524198001010014", False),
        ("11010519491231002", False),
    ],
)
def test_resident_id_check_digit(value: str, valid: bool) -> None:
    assert is_resident_id(value) is valid


def test_luhn() -> None:
    assert is_luhn("6228480012345678903")
    assert not is_luhn("6228480012345678904")


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("身份证110101199003074514", "resident-id"),
        ("身份证 110101 19900307 4514", "resident-id"),
        ("卡号6228480012345678903", "bank-card"),
        ("卡号 6228 4800 1234 5678 903", "bank-card"),
        ("电话13812345678", "mobile-number"),
        ("电话 138-1234-5678", "mobile-number"),
        ("电话+8613812345678", "mobile-number"),
        ("电话１３８１２３４５６７８", "mobile-number"),
    ],
)
def test_personal_data_found(line: str, code: str) -> None:
    assert [f.code for f in scan_personal_data(line)] == [code]


@pytest.mark.parametrize(
    "line",
    [
        "320102********1234",
        "0539-6212345",
        "12388",
        "金额 13812345.00",
        "区划代码371322101201",
        "110101199003074515",  # wrong check digit: not an ID
        "凭证 2026-10-08 记-015",
        "138****5678",
    ],
)
def test_not_personal_data(line: str) -> None:
    assert list(scan_personal_data(line)) == []


def test_declared_phone_is_allowed() -> None:
    assert list(scan_personal_data("书记电话13812345678", {"13812345678"})) == []


def test_masking_is_one_fixed_pattern() -> None:
    assert mask_text("号110101199003074514") == "号110101********4514"
    assert mask_text("13812345678") == "138****5678"
    assert mask_text("6228480012345678903") == "6228***********8903"


def test_invisible_characters() -> None:
    found = list(scan_characters("a\u200bb\u202ec\x07d\te"))
    assert [(f.column, f.code) for f in found] == [
        (2, problems.BAD_CHARACTER.code),
        (4, problems.BAD_CHARACTER.code),
        (6, problems.BAD_CHARACTER.code),
    ]


def test_every_scan_code_is_a_problem_kind() -> None:
    for code in (
        privacy.RESIDENT_ID,
        privacy.BANK_CARD,
        privacy.MOBILE_NUMBER,
        privacy.BAD_CHARACTER,
    ):
        assert problems.KINDS[code].code == code


def test_shorten_masks_before_it_cuts() -> None:
    text = "共" * 30 + "110101199003074514" + "元"
    assert privacy.shorten(text, 40) == "共" * 30 + "110101****…"
    assert privacy.shorten("共" * 30 + "1381234567" + "8", 40) == "共" * 30 + "138****567…"
    assert privacy.shorten("短文字 110101199003074514", 40) == "短文字 110101199003074514"  # fits
