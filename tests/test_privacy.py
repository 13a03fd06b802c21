"""Personal data: known vectors for ID numbers, bank cards, mobiles and landlines, and how they
are masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.format import privacy, problems, schema
from builder.format.privacy import (
    is_luhn,
    is_resident_id,
    mask_text,
    phone_digits,
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


def test_mistyped_resident_id_is_masked_like_a_correct_one() -> None:
    assert mask_text("号110101199003074515") == "号110101********4515"


def test_luhn() -> None:
    assert is_luhn("6228480012345678903")
    assert not is_luhn("6228480012345678904")


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("身份证110101199003074514", "resident-id"),
        ("身份证 110101 19900307 4514", "resident-id"),
        # mistyped: a wrong check digit still leaves 17 digits that name the person
        ("身份证110101199003074515", "resident-id"),
        ("身份证110101199003074519", "resident-id"),
        ("户主 11010519491231003X", "resident-id"),
        ("110101 19900307 4517", "resident-id"),
        ("卡号6228480012345678903", "bank-card"),
        ("卡号 6228 4800 1234 5678 903", "bank-card"),
        # mistyped: a wrong Luhn digit still leaves the account's number
        ("卡号6228480012345678904", "bank-card"),
        ("卡号 6217 0000 1234 5678", "bank-card"),
        ("电话13812345678", "mobile-number"),
        ("电话 138-1234-5678", "mobile-number"),
        ("电话+8613812345678", "mobile-number"),
        ("电话１３８１２３４５６７８", "mobile-number"),
        ("东山村3组12号王某", "house-address"),
        ("第七村民小组18号", "house-address"),
        ("住人民路 5 号", "house-address"),
        ("3栋2单元501室", "house-address"),
        ("三组十二号", "house-address"),
        # a villager's landline: only the declared office and hotline lines may be published
        ("联系村民张三0539-6212345", "landline-number"),
        ("座机 010-62345678", "landline-number"),
        # ... and without its area code, after a word that names a phone
        ("联系村民张三家座机：621-2345", "landline-number"),
        ("户主电话6212345", "landline-number"),
        ("联系电话 6212 3456", "landline-number"),
        ("Tel: 62123456", "landline-number"),
        ("宅电（６２１２３４５）", "landline-number"),
        ("电 话 6212345", "landline-number"),  # a space inside the word hides nothing
        ("电话：6 2 1 9 8 7 6", "landline-number"),  # nor spaces between its digits
    ],
)
def test_personal_data_found(line: str, code: str) -> None:
    assert [f.code for f in scan_personal_data(line)] == [code]


@pytest.mark.parametrize(
    "line",
    [
        "320102********1234",
        "12388",
        "0539-***2345",  # a landline masked as the checker shows it
        "021-1234567",  # no local number starts with 1
        "371322101201",  # a village's area code, not a landline (no 0 first)
        "0012345678901",  # 00 is the international prefix, not an area code
        "批次 05-39-6212345",  # the first group is no area code
        "金额 13812345.00",
        "区划代码371322101201",
        "6028480012345678904",  # no Luhn digit and not UnionPay's 62: not a card
        "110101199002304515",  # wrong check digit and no 30 February: not an ID
        "991322202601010001",  # no province: a number, not an ID
        "371322202613010001",  # no thirteenth month
        "凭证 2026-10-08 记-015",
        "138****5678",
        "第三村民小组",  # the village group is as far as an address may go
        "依据镇政发〔2026〕12号文件",
        "村3号井维修",
        "村道硬化3号路段",
        # 7 or 8 digits with no word naming a phone before them, or a quantity, date or amount
        "合同编号 6212345",
        "电话费1234567元",
        "电话费 1234567.50",
        "联系日期20261015",
        "联系人数 2000000 人",
        "电话 12388",
        "手机1381234",  # no landline starts with 1
        "Hotel 6212345",
        "电话费,6212345",  # a comma ends what a word before it says (as for every finding)
        "电话费 300 200 150",  # three amounts, not one number
    ],
)
def test_not_personal_data(line: str) -> None:
    assert list(scan_personal_data(line)) == []


def test_declared_phone_is_allowed() -> None:
    assert list(scan_personal_data("书记电话13812345678", {"13812345678"})) == []


def test_a_declared_line_s_local_number_is_allowed() -> None:
    declared = {phone_digits("0539-6210000")}
    assert list(scan_personal_data("办公电话 621-0000", declared)) == []
    found = scan_personal_data("办公电话 621-0000，村民电话 621-9876", declared)
    assert [(f.code, f.value) for f in found] == [("landline-number", "***9876")]


@pytest.mark.parametrize(
    "written",
    ["0539-6210000", "（0539）6210000", "0539 621 0000", "+86 539 6210000", "0086 539 6210000"],
)
def test_a_declared_landline_is_allowed_however_it_is_written(written: str) -> None:
    declared = {phone_digits("0539-6210000")}
    assert list(scan_personal_data(f"镇纪委监督电话{written}", declared)) == []
    # declared as written abroad, found as written at home
    assert list(scan_personal_data("监督电话0539-6210000", {phone_digits(written)})) == []


@pytest.mark.parametrize(
    ("line", "code", "masked"),
    [
        # HTML character references and URL escapes: a browser, or a program that shows a
        # download as a page, decodes them
        ("退押金 &#49;10101199003074514", "resident-id", "110101********4514"),
        (
            "电话 &#x31;&#x33;&#x38;&#x31;&#x32;&#x33;&#x34;&#x35;&#x36;&#x37;&#x38;",
            "mobile-number",
            "138****5678",
        ),
        ("电话 %31%33%38%31%32%33%34%35%36%37%38", "mobile-number", "138****5678"),
        ("电话 %2531%2533%253812345678", "mobile-number", "138****5678"),  # escaped twice
        ("住东山村3组18&#21495;", "house-address", "组**号"),
        # a number read out in Chinese numerals
        ("电话一三八一二三四五六七八", "mobile-number", "138****5678"),
        ("电话 一三八-一二三四-五六七八", "mobile-number", "138****5678"),
        ("卡号陆贰贰捌肆捌零零壹贰叁肆伍陆柒捌玖零叁", "bank-card", "6228***********8903"),
        # a name that ends in a numeral is no part of the number after it
        ("张三13812345678", "mobile-number", "138****5678"),
        ("王五0539-6212345", "landline-number", "0539-***2345"),
        # a courtyard, or a number after 住
        ("住18号院", "house-address", "住**号"),
        ("家住 25 号", "house-address", "家住 ** 号"),
    ],
)
def test_escaped_and_spelled_out_numbers_are_found(line: str, code: str, masked: str) -> None:
    assert [(f.code, f.value) for f in scan_personal_data(line)] == [(code, masked)]
    assert privacy.finds_any(f"2026-10-05,{line},12500.00")
    shown = mask_text(line)
    assert masked in shown
    digits = "".join(ch for ch in shown if ch.isdigit())
    assert "13812345678" not in digits and "110101199003074514" not in digits


@pytest.mark.parametrize(
    "line",
    [
        "增长 12%，完成率 98%",
        "A&amp;B 合计 12500.00",
        "二〇二六年十月",
        "一一对应",
        "第一二三村民小组",
        "住院12天",
        "依据镇政发〔2026〕12号文件",
        "%E4%B8%9C 东",
    ],
)
def test_escapes_and_numerals_that_hide_nothing_pass(line: str) -> None:
    assert list(scan_personal_data(line)) == []
    assert not privacy.finds_any(line)


def test_a_declared_line_is_no_part_of_the_number_after_it() -> None:
    # "6210000 0539 6212345" would read as a UnionPay card: the declared line ends before it
    found = scan_personal_data("监督电话0539-6210000 0539-6212345", {"05396210000"})
    assert [(f.code, f.value) for f in found] == [("landline-number", "0539-***2345")]


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
        privacy.LANDLINE_NUMBER,
        privacy.HOUSE_ADDRESS,
        privacy.BAD_CHARACTER,
    ):
        assert problems.KINDS[code].code == code


def test_shorten_masks_before_it_cuts() -> None:
    text = "共" * 30 + "110101199003074514" + "元"
    assert privacy.shorten(text, 40) == "共" * 30 + "110101****…"
    assert privacy.shorten("共" * 30 + "1381234567" + "8", 40) == "共" * 30 + "138****567…"
    assert privacy.shorten("短文字 110101199003074514", 40) == "短文字 110101199003074514"  # fits


# --- disguised numbers: any grouping, any separator, invisible characters between digits ------
@pytest.mark.parametrize(
    ("line", "code", "masked"),
    [
        ("110101\u200b19900307\u20604514", "resident-id", "110101********4514"),
        ("1101011990030745\u03011\u00ad4", "resident-id", "110101********4514"),
        ("11010519491231002\ufe0fX", "resident-id", "110105********002X"),
        ("１１０１０１１９９００３０７４５１４", "resident-id", "110101********4514"),
        ("110101\u201319900307\u20134514", "resident-id", "110101********4514"),
        ("110101\u201419900307\u20144514", "resident-id", "110101********4514"),
        ("110101.19900307.4514", "resident-id", "110101********4514"),
        ("110101/19900307/4514", "resident-id", "110101********4514"),
        ("110101_19900307_4514", "resident-id", "110101********4514"),
        ("110101\u300019900307\uff0d4514", "resident-id", "110101********4514"),
        ("110101 1990 0307 451 4", "resident-id", "110101********4514"),
        ("旧证110101900307451", "resident-id", "110101********7451"),
        ("旧证 110101-900307-451", "resident-id", "110101********7451"),
        ("+86 138 1234 5678", "mobile-number", "138****5678"),
        ("0086 138-1234-5678", "mobile-number", "138****5678"),
        ("0086-13812345678", "mobile-number", "138****5678"),
        ("138\u200d1234\u034f5678", "mobile-number", "138****5678"),
        ("１３８－１２３４－５６７８", "mobile-number", "138****5678"),
        ("138.1234.5678", "mobile-number", "138****5678"),
        ("6228\u20134800\u20131234\u20135678\u2013903", "bank-card", "6228***********8903"),
        ("622848 0012345678903", "bank-card", "6228***********8903"),
        ("2026-10-05 联系 13812345678", "mobile-number", "138****5678"),
        ("电话 1381234\n        5678", "mobile-number", "138****5678"),
        ("电话 138\t1234\t5678", "mobile-number", "138****5678"),
        ("电话 ١٣٨١٢٣٤٥٦٧٨", "mobile-number", "138****5678"),
        ("电话 𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "mobile-number", "138****5678"),
        ("电话 138~1234~5678", "mobile-number", "138****5678"),
        ("电话 1 3 8 1 2 3 4 5 6 7 8", "mobile-number", "138****5678"),
        ("证号 1-1-0-1-0-1-1-9-9-0-0-3-0-7-4-5-1-4", "resident-id", "110101********4514"),
        ("座机05396212345", "landline-number", "0539-***2345"),
        ("座机(0539)6212345", "landline-number", "0539-***2345"),
        ("座机（0539）6212345", "landline-number", "0539-***2345"),
        ("座机（０５３９）６２１２３４５", "landline-number", "0539-***2345"),
        ("座机 0539 621 2345", "landline-number", "0539-***2345"),
        ("座机 0539—621—2345", "landline-number", "0539-***2345"),
        ("座机 +86 539 6212345", "landline-number", "0539-***2345"),
        ("座机 0086-539-6212345", "landline-number", "0539-***2345"),
        ("座机 +86-0539-6212345", "landline-number", "0539-***2345"),
        ("座机 010 6234 5678", "landline-number", "010-****5678"),
        ("座机 020-8765-4321", "landline-number", "020-****4321"),
        ("座机 0539-62​12345", "landline-number", "0539-***2345"),
    ],
)
def test_disguised_personal_data_found(line: str, code: str, masked: str) -> None:
    assert [(f.code, f.value) for f in scan_personal_data(line)] == [(code, masked)]
    assert masked in mask_text(line)


@pytest.mark.parametrize(
    "line",
    [
        "370102********1232",
        "138****5678",
        "0539-6100002",
        "12388 12345",
        "12,500.00",
        "1234567.89",
        "138.00 1234.56",
        "2026-10-05 2026-10-06",
        "2026.10.05 2026.10.31",
        "记-015",
        "1234567812345678",  # 16 digits failing Luhn: a voucher run
        "371398100202",  # a village's area code
        "371398100202 371398100203",
        "123456789012345",  # 15 digits, no birth date inside: not an old ID
        "110101991307451",  # month 13: not an old ID
        "合同 HT-2026-001 金额 12500.00 元",
    ],
)
def test_disguised_look_alikes_are_not_personal_data(line: str) -> None:
    assert list(scan_personal_data(line, {"05396100002"})) == []


@pytest.mark.parametrize(
    "text",
    [
        "李\u034f秀英",  # combining grapheme joiner
        "李\u115f秀英",  # Hangul choseong filler
        "李\u1160秀英",
        "李\u3164秀英",
        "李\uffa0秀英",
        "李\ufe0f秀英",  # a variation selector outside emoji
        "李\U000e0101秀英",
        "李\u2060秀英",
        "李\u200d秀英",
        "e\u0301\u0302\u0303",  # three marks stacked on one letter
    ],
)
def test_invisible_and_filler_characters_are_found(text: str) -> None:
    assert [f.code for f in scan_characters(text)] == [privacy.BAD_CHARACTER]


@pytest.mark.parametrize(
    "text",
    [
        "阿不都·热合曼",
        "王䶮",
        "陈𠮷英",
        "点赞👍，爱心❤\ufe0f，一家人👨\u200d👩\u200d👧",
        "café e\u0301\u0302",
        "བསྒྲུབས",  # Tibetan stacks its own marks
    ],
)
def test_names_and_emoji_are_not_bad_characters(text: str) -> None:
    assert list(scan_characters(text)) == []


def test_names_are_compared_after_normalisation() -> None:
    assert privacy.name_key("李\u200d秀\u3164英") == privacy.name_key("李 秀英") == "李秀英"
    assert privacy.name_key("阿不都·热合曼") == "阿不都·热合曼"
    assert privacy.name_key("\u3164\u200b ") == ""


@pytest.mark.parametrize("blank", ["\u3164", "\u200b\u2060", "\u115f\u1160", "\u3000"])
def test_a_name_blank_once_normalised_is_invalid(blank: str) -> None:
    value = schema.Text(name=True, max_len=40).parse(blank)
    assert isinstance(value, schema.Invalid)
    assert value.kind is problems.INVALID_TEXT


@pytest.mark.parametrize("name", ["阿不都·热合曼", "王䶮", "陈𠮷英"])
def test_minority_and_rare_names_are_valid(name: str) -> None:
    assert schema.Text(name=True, max_len=40).parse(name) == name


def test_the_value_scan_reads_every_file_a_village_can_hold() -> None:
    # every record file the layout accepts must reach the value scan (decoded values, not lines)
    from builder.check.privacy import village_values
    from builder.read.files import PERIOD_FILES, VILLAGE_FILES, scan_layout
    from builder.read.village import read_village

    root = Path(__file__).resolve().parent.parent
    layout, _ = scan_layout(root / "villages", root)
    scanned: set[str] = set()
    held: set[str] = set()
    for files in layout.villages():
        records = read_village(files, root)
        scanned |= {rel.rsplit("/", 1)[-1] for rel, found in village_values(records) if found}
        held |= set(files.files) | {name for p in files.periods for name in p.files}
    assert held <= set(VILLAGE_FILES) | set(PERIOD_FILES)
    assert held - scanned == set()


# --- the one-pass check that lets a file's lines or values skip the scans ---------------------
_NEAR_NUMBERS = st.text(
    alphabet=st.sampled_from(
        [
            *"0123456789 -./_~+#Xx,\n\t李付元",
            *("\u200b", "\u00a0", "\u3000", "\uff10", "\u2460", "\u2473", "\u3251", "\u00b2"),
            *("\u0663", "\U0001d7cf", "\u0301", "\ufe0f", "\u2013", "\x07"),
        ]
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(text=_NEAR_NUMBERS)
def test_may_find_never_misses_what_the_scans_find(text: str) -> None:
    """When may_find says a text holds nothing, no piece of it between commas holds anything
    for either scan: the check may only err on the side of scanning."""
    found = [
        piece
        for piece in text.split(",")
        if list(scan_characters(piece)) or list(scan_personal_data(piece))
    ]
    if found:
        assert privacy.may_find(text), found


_PIECE = st.text(
    alphabet=st.sampled_from(
        [
            *"0123456789 -./_~+#Xx,\n\t李付元村组路号號栋幢单元室井零一二十两０１",
            *("\u200b", "\u200d", "\u00a0", "\u3000", "\u2460", "\u3251", "\u0663"),
            *("\u0301", "\u0302", "\u0303", "\ufe0f", "\U0001f44d", "\x07", "\u2028"),
        ]
    ),
    max_size=30,
)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_PIECE, max_size=6), allowed=st.sampled_from([(), ("13812345678",)]))
def test_finds_any_on_joined_pieces_is_exactly_one_piece_holding_something(
    pieces: list[str], allowed: tuple[str, ...]
) -> None:
    """Differential: the one pass over a file's lines (or values) joined by commas answers
    exactly what scanning them one by one would: no finding is lost, none is invented."""
    one_by_one = any(
        list(scan_characters(piece)) or list(scan_personal_data(piece, allowed)) for piece in pieces
    )
    assert privacy.finds_any(",".join(pieces), allowed) is one_by_one


_BESIDE_DECLARED = st.lists(
    st.sampled_from(
        [
            *("0539-6100000", "05396100000", "0539 610 0000", "+86 539 6100000", "6100000"),
            *("13812345678", "138 1234 5678", "0539-6212345", "110101199003074514"),
            *(" ", "-", "/", "1", "0", "9", "25", "０", "\u200b", ",", "电话", "监督电话", "李"),
        ]
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@example(tokens=["0539-6100000", "138 1234 5678"], allowed=("05396100000",))
@example(tokens=["0539-6100000", "1"], allowed=("05396100000",))
@example(tokens=["0539-6100000", "-", "0539-6212345"], allowed=("05396100000",))
@given(
    tokens=_BESIDE_DECLARED,
    allowed=st.sampled_from([(), ("05396100000",), ("05396100000", "13812345678")]),
)
def test_finds_any_lets_a_declared_line_through_and_nothing_beside_it(
    tokens: list[str], allowed: tuple[str, ...]
) -> None:
    """Differential, where the quick pass skips a stretch of digits that is only a declared
    line: declared lines written every way, beside, inside and around other numbers."""
    text = "".join(tokens)
    one_by_one = any(
        list(scan_characters(piece)) or list(scan_personal_data(piece, allowed))
        for piece in text.split(",")
    )
    assert privacy.finds_any(text, allowed) is one_by_one


@pytest.mark.parametrize(
    ("pieces", "allowed", "found"),
    [
        (["2026-10-05", "电话 138 1234 5678", "12500.00"], (), True),
        (["2026-10-05", "电话 138 1234 5678", "12500.00"], ("13812345678",), False),
        (["2026-10-05", "办公电话 0539-6100000", "1234567.89"], ("05396100000",), False),
        (["2026-10-05", "办公电话 0539-6100000", "1234567.89"], (), True),
        (["村务公开", "东山村3组12号"], (), True),
        (["3栋2单元501室"], (), True),
        (["3号井", "〔2026〕12号"], (), False),
        (["👍\ufe0f", "a"], (), False),
        (["👍", "\ufe0f"], (), True),
        (["电话 621-2345"], (), True),
        (["电话 621-2345"], ("05396212345",), False),
        (["电话", "621-2345"], (), False),
    ],
)
def test_finds_any_examples(pieces: list[str], allowed: tuple[str, ...], found: bool) -> None:
    assert privacy.finds_any(",".join(pieces), allowed) is found


@settings(max_examples=400, deadline=None)
@example(tokens=["村", "12", " ", "號"])
@example(tokens=["两", "号楼", "５", "单元", "12", "室"])
@example(tokens=["12", "幢", " ", "５", "室"])
@example(tokens=["12", " ", "单元", "５", " ", "室"])
@given(
    tokens=st.lists(
        st.sampled_from(
            [*"村组 ５两号號栋幢室井楼a", "胡同", "12", "号楼", "单元"],
        ),
        max_size=10,
    )
)
def test_the_house_hint_is_in_every_house_number(tokens: list[str]) -> None:
    """The cheap search that lets the house-number pattern skip a text never skips one."""
    text = "".join(tokens)
    if privacy._HOUSE.search(text) is not None:
        assert privacy._may_hold_house(text)
    assert bool(list(scan_personal_data(text))) is (privacy._HOUSE.search(text) is not None)


@settings(max_examples=400, deadline=None)
@given(text=_NEAR_NUMBERS)
def test_long_regions_are_the_whole_stretches_of_eleven_or_more(text: str) -> None:
    """_LONG_REGION (searched without a look-behind) finds exactly each whole stretch of 11 or
    more digit-ish and glue characters, as splitting the text at every other character does."""
    inside = re.compile(f"[{privacy._DIGITISH_CLASS}{privacy._NUMBER_GLUE_CLASS}]")
    stretches, start = [], None
    for i, ch in enumerate(text + "\uffff"):  # a last character outside every stretch
        if inside.fullmatch(ch) and start is None:
            start = i
        elif not inside.fullmatch(ch) and start is not None:
            stretches += [(start, i)] if i - start >= 11 else []
            start = None
    assert [m.span() for m in privacy._LONG_REGION.finditer(text)] == stretches


@pytest.mark.parametrize(
    "text",
    [
        "110101\u200b19900307\u20604514",
        "电话 1381234\n        5678",
        "电话 ⑬ ㊺ ⑫ ㉞ ㊺ ⑥",  # six characters, eleven digits: the fewest a number can take
        "名\u200b字",
    ],
)
def test_may_find_sees_numbers_among_other_values(text: str) -> None:
    assert list(scan_characters(text)) or list(scan_personal_data(text))
    assert privacy.may_find(f"2026-10-05,{text},12500.00")
    assert not privacy.may_find("2026-10-05,办公用品,12500.00,记-015,2026-10-31,1234567.89")


def test_a_house_number_is_masked_in_messages_and_seen_by_the_quick_pass() -> None:
    assert (
        privacy.mask_text("东山村3组12号王某，电话13812345678")
        == "东山村3组**号王某，电话138****5678"
    )
    assert privacy.may_find("第七村民小组18号")  # three digits: the number pass alone skips it


@settings(max_examples=400, deadline=None)
@given(text=_NEAR_NUMBERS)
def test_the_number_scan_reads_every_long_stretch(text: str) -> None:
    """Differential: the regions the number scan folds are exactly the whole stretches of
    digit-ish and separator characters 11 or more long (it once took every stretch and dropped
    the shorter ones)."""
    stretch = re.compile(f"[{privacy._DIGITISH_CLASS}{privacy._NUMBER_GLUE_CLASS}]+")
    whole = [m.span() for m in stretch.finditer(text) if len(m.group()) >= 11]
    assert [m.span() for m in privacy._LONG_REGION.finditer(text)] == whole


@pytest.mark.parametrize(
    "name",
    ["李秀英", "李 秀英", "李\u200d秀英", "李\u034f秀英", "李\u3000秀英", "Ａｌｉ", "李\u00ad秀英"],
)
def test_name_key_drops_spaces_and_invisible_characters(name: str) -> None:
    expected = "Ali" if name == "Ａｌｉ" else "李秀英"
    assert privacy.name_key(name) == expected
