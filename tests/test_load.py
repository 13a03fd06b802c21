"""The loaders: any bytes give records or problems with a place, never another exception."""

from __future__ import annotations

import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.format.excel import TOTAL_MARK, TOTAL_WORDS
from builder.format.problems import format_problem
from builder.format.schema import ASSISTANCE, LEDGER
from builder.pipeline.validate import validate
from builder.read.csv_rows import parse_csv
from builder.read.files import TextFile, decode, scan_layout
from builder.read.yaml_nodes import parse_yaml

YAML_BITS = st.sampled_from(
    [
        "period: 2026-10\n",
        'opening: {cash: "1.00", bank: "2"}\n',
        "- a\n",
        "  - b\n",
        "&x a\n",
        "*x\n",
        "!!str 1\n",
        "? k\n",
        ": v\n",
        "key: [1, {2: 3}]\n",
        "'unterminated\n",
        "\t\n",
        "---\n",
        "...\n",
        "a: b: c\n",
        "%YAML 1.1\n",
        "{",
        "}",
        "[",
        "]",
        "#c\n",
        "\ufeff",
        "\x00",
        "名称: 东山村\n",
        "|\n  text\n",
        ">-\n  t\n",
        "key: &a 1\nother: *a\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(YAML_BITS, max_size=12).map(lambda xs: "".join(xs).encode()),
    )
)
def test_any_bytes_give_yaml_nodes_or_problems(data: bytes) -> None:
    text, problems = decode(data, "x.yml")
    if text is None:
        assert problems and all(p.where.line for p in problems)
        return
    _node, problems = parse_yaml(TextFile("x.yml", text))
    assert all(p.where.path == "x.yml" and p.where.line for p in problems)


CSV_BITS = st.sampled_from(
    [
        "date,voucher_no,summary,account_code,income,expense\n",
        "日期,凭证号,摘要,科目代码,收入,支出\n",
        "2026-10-01,记-1,摘要,513,,1.00\n",
        "category,name,group,amount,notice_start,notice_end\n",  # so ASSISTANCE gets tables too
        "低保,陈某,一组,580.00,2026-09-16,2026-09-23\n",
        '"',
        '""',
        ",",
        "\r\n",
        "\n",
        "a",
        "\x00",
        "\ufeff",
        '"x\ny"',
        "date,date\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.lists(CSV_BITS, max_size=15).map(lambda xs: "".join(xs).encode()),
    )
)
def test_any_bytes_give_csv_rows_or_problems(data: bytes) -> None:
    text, problems = decode(data, "x.csv")
    if text is None:
        assert problems
        return
    for schema in (LEDGER, ASSISTANCE):
        table, problems = parse_csv(TextFile("x.csv", text.replace("\r\n", "\n")), schema)
        assert all(p.where.path == "x.csv" and p.where.line for p in problems)
        if table is not None:
            assert all(set(r.values) <= {f.key for f in schema.fields} for r in table.rows)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.binary(max_size=200),
    name=st.sampled_from(
        [
            "chengguan/dongshan/2026-10/ledger.csv",
            "chengguan/dongshan/2026-10/disclosure.yml",
            "chengguan/dongshan/village.yml",
            "chengguan/town.yml",
            "county.yml",
            "chengguan/dongshan/powers.yml",
            "chengguan/dongshan/2026-09/assistance.csv",
        ]
    ),
)
def test_any_file_content_gives_a_report(project: Path, data: bytes, name: str) -> None:
    path = project / "villages" / name
    original = path.read_bytes()
    try:
        path.write_bytes(data)
        result = validate(project / "villages", project)
        assert all(p.where.path.startswith("villages/") for p in result.report)
    finally:
        path.write_bytes(original)


def test_csv_record_lines_count_multiline_cells() -> None:
    # every required ledger column, or the header alone is a problem and there is no table
    text = (
        'date,voucher_no,summary,account_code\n2026-10-01,1,"two\nlines",101\n2026-10-02,2,x,101\n'
    )
    table, problems = parse_csv(TextFile("x.csv", text), LEDGER)
    assert problems == []
    assert table is not None
    # summary spans lines 2-3, so the next record starts on line 4
    assert [r.line for r in table.rows] == [2, 4]


def _layout_rows(villages: Path, base: Path) -> list[tuple[object, ...]]:
    _, found = scan_layout(villages, base)
    return sorted((p.where.path, p.where.line, p.field, p.code) for p in found)


def test_folders_named_like_the_sites_own_pages_are_refused(good_villages: Path) -> None:
    base = good_villages.parent
    shutil.copytree(good_villages / "chengguan", good_villages / "search")
    (good_villages / "chengguan/xiwan").rename(good_villages / "chengguan/history")
    assert _layout_rows(good_villages, base) == [
        ("villages/chengguan/history", None, None, "reserved-slug"),
        ("villages/search", None, None, "reserved-slug"),
    ]
    _, found = scan_layout(good_villages, base)
    message = format_problem(next(p for p in found if p.where.path == "villages/search"))
    assert "文件夹名“search”是网站自己页面的地址" in message
    assert "请改用本乡镇名称的拼音" in message
    assert "would collide with it" in message


def test_folders_named_with_personal_data_are_refused(good_villages: Path) -> None:
    """A folder name is a URL of the site: an ID or a phone number in it would be published."""
    base = good_villages.parent
    shutil.copytree(
        good_villages / "chengguan/xiwan", good_villages / "chengguan/110101199003074514"
    )
    shutil.copytree(good_villages / "chengguan/xiwan", good_villages / "chengguan/wang-13812345678")
    shutil.copytree(good_villages / "chengguan/xiwan", good_villages / "chengguan/xiwan-2")
    assert _layout_rows(good_villages, base) == [
        ("villages/chengguan/110101199003074514", None, None, "resident-id"),
        ("villages/chengguan/wang-13812345678", None, None, "mobile-number"),
    ]


def test_folders_named_like_pages_elsewhere_are_fine(good_villages: Path) -> None:
    """Good twin: a town may hold a village called "status", a village a period page's name."""
    base = good_villages.parent
    (good_villages / "chengguan/xiwan").rename(good_villages / "chengguan/status")
    shutil.copytree(good_villages / "chengguan", good_villages / "qr")
    assert _layout_rows(good_villages, base) == []


def _yaml_rows(text: str) -> list[tuple[object, ...]]:
    _, found = parse_yaml(TextFile("v.yml", text))
    return sorted((p.where.path, p.where.line, p.field, p.code) for p in found)


# text YAML would silently cut or misread, and its good twin that must pass
YAML_SLIPS = [
    ("a: 1\nsummary: 修路 #2 段\n", ("v.yml", 2, "summary", "needs-quotes")),
    ("items:\n  - title: 修路 #2 段\n", ("v.yml", 2, "items.title", "needs-quotes")),
    ("tags:\n  - 修路 #2\n", ("v.yml", 2, "tags", "needs-quotes")),
    ("summary: # 2 段\n", ("v.yml", 1, "summary", "needs-quotes")),
    ("a: 1\nnote: !重要 请看\n", ("v.yml", 2, "note", "needs-quotes")),
    ("note: !important 请看\n", ("v.yml", 1, "note", "needs-quotes")),
    ("note: ! 请看\n", ("v.yml", 1, "note", "needs-quotes")),
    ("note: &imp 请看\n", ("v.yml", 1, "note", "needs-quotes")),
    ("note: &重要 请看\n", ("v.yml", 1, "note", "needs-quotes")),
    ("a: 1\nnote: *重要\n", ("v.yml", 2, "note", "needs-quotes")),
    ("note: @张三\n", ("v.yml", 1, "note", "needs-quotes")),
    ("a: 1\nnote: %a\n", ("v.yml", 2, "note", "needs-quotes")),
    ("a: 1\n名称：东山村\nb: 2\n", ("v.yml", 2, "名称", "fullwidth-colon")),
    ("名称：东山村\n", ("v.yml", 1, "名称", "fullwidth-colon")),
    ("people:\n  - name：张三\n", ("v.yml", 2, "name", "fullwidth-colon")),
    ("a: 1\nname:东山村\nb: 2\n", ("v.yml", 2, "name", "no-space-after-colon")),
    ("name:东山村\n", ("v.yml", 1, "name", "no-space-after-colon")),
    ("name:\u00a0东山村\n", ("v.yml", 1, "name", "non-breaking-space")),
    ("a:\n\u00a0\u00a0b: 1\n", ("v.yml", 2, "b", "non-breaking-space")),
]
YAML_TWINS = [
    "a: 1\nsummary: '修路 #2 段'  # 引号后的注释\n",
    'summary: "修路 #2 段"\n',
    "# 单独一行的注释\nsummary: 修路\n",
    "summary:\n  # 单独一行的注释\n  a: 1\n",
    "voucher_no: 记-#1\n",
    "body: |\n  第 #2 段\n  名称：东山村\n",
    'note: "!重要 请看"\n',
    "note: '&imp 请看'\nwho: '@张三'\n",
    "note: 请看 !重要 & *注 @张三 50%\n",
    "a: 1\n名称: 东山村\n",
    "items:\n  - 财务：收支公开\n",
    "name: 东山村\nsite: http://example.cn\nat: 10:30\n",
    "name: 东山\u00a0村\n",
]


@pytest.mark.parametrize("text, expected", YAML_SLIPS)
def test_text_yaml_would_cut_or_misread_is_refused(text: str, expected: tuple[object]) -> None:
    assert _yaml_rows(text) == [expected]


@pytest.mark.parametrize("text", YAML_TWINS)
def test_comments_and_colons_yaml_reads_as_meant_pass(text: str) -> None:
    assert _yaml_rows(text) == []


def test_deliberate_anchors_and_tags_keep_their_own_codes() -> None:
    assert _yaml_rows("x: &a 1\ny: *a\n") == [
        ("v.yml", 1, None, "yaml-alias"),
        ("v.yml", 2, None, "yaml-alias"),
    ]
    assert _yaml_rows("x: !!str 1\n") == [("v.yml", 1, None, "yaml-tag")]


def test_needs_quotes_message_names_the_text_and_the_fix() -> None:
    _, found = parse_yaml(TextFile("v.yml", "summary: 修路 #2 段\n"))
    assert format_problem(found[0]) == (
        "v.yml:1: summary: “修路 #2 段”中“ #”及其后的文字会被当作注释而丢掉。"
        '请给这段文字加上引号，例如 summary: "修路 #2 段"。\n'
        '    "修路 #2 段" would lose everything from " #" on: YAML reads it as a comment. '
        'Put this text in quotes, e.g. summary: "修路 #2 段". [needs-quotes]'
    )
    _, found = parse_yaml(TextFile("v.yml", "note: !重要 请看\n"))
    assert "以“!”开头，会被当作 YAML 标签而不是文字。请给这段文字加上引号" in format_problem(
        found[0]
    )


def test_source_lines_are_counted_as_yaml_counts_them() -> None:
    """YAML breaks lines at U+2028 and a lone CR too; the source checks must agree with it."""
    assert _yaml_rows("a: b\u2028c: 修路 #2\n") == [("v.yml", 2, "c", "needs-quotes")]
    assert _yaml_rows("\r(") == []


@pytest.mark.parametrize(
    "text",
    [
        "decisions:\n  " + "[" * 2000 + "]" * 2000 + "\n",
        "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n",
        "a:\n" + "".join("  " * i + "- \n" for i in range(1, 40)),
    ],
    ids=["brackets", "braces", "indented-lists"],
)
def test_deep_nesting_is_a_problem_not_a_crash(text: str) -> None:
    node, problems = parse_yaml(TextFile("villages/t/v/decisions.yml", text))
    assert node is None
    assert [(p.where.path, p.code) for p in problems] == [
        ("villages/t/v/decisions.yml", "yaml-too-deep")
    ]


def test_the_formats_own_nesting_is_not_too_deep() -> None:
    text = (
        "decisions:\n  - id: JY-1\n    steps:\n      - {step: 党支部提议, date: 2026-01-02, "
        "note: [a, [b, [c]]]}\n"
    )
    node, problems = parse_yaml(TextFile("villages/t/v/decisions.yml", text))
    assert node is not None and problems == []


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("decisions.yml", "decisions:\n  - just a string\n  - 42\n", 2),
        ("topics.yml", "topics:\n  - [1, 2]\n", 2),
        ("contracts.csv", "id\n", 1),
    ],
)
def test_registers_of_the_wrong_shape_are_problems_with_a_place(
    project: Path, name: str, text: str, line: int
) -> None:
    (project / "villages/chengguan/dongshan" / name).write_text(text, encoding="utf-8")
    report = validate(project / "villages", project).report
    places = [(p.where.path, p.where.line) for p in report.sorted()]
    assert (f"villages/chengguan/dongshan/{name}", line) in places


def test_no_character_but_the_total_mark_folds_to_it() -> None:
    """The CSV reader skips rows without 计 before folding any cell: exact only while every
    total word holds it and no other character (width form, radical, compatibility ideograph)
    turns into it under NFKC."""
    assert all(TOTAL_MARK in word for word in TOTAL_WORDS)
    folds_to_mark = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and TOTAL_MARK in unicodedata.normalize("NFKC", chr(code))
    ]
    assert folds_to_mark == [hex(ord(TOTAL_MARK))]


@pytest.mark.parametrize(
    ("cell", "total"),
    [
        ("合计", True),
        ("本 月 合 计", True),
        ("\u3000累计 ", True),
        ("本期合计", True),
        ("会计服务费", False),
        ("计提折旧", False),
        ("合 算", False),
    ],
)
def test_a_totals_row_is_found_in_any_column(cell: str, total: bool) -> None:
    header = ",".join(f.key for f in LEDGER.fields)
    row = f'2026-10-05,记-001,"{cell}",513,,100.00,,现金,发票,,,'
    table, found = parse_csv(TextFile("x.csv", f"{header}\n{row}\n"), LEDGER)
    assert table is not None
    assert ("total-row" in [p.code for p in found]) is total
    assert len(table.rows) == (0 if total else 1)
