"""Every check: a small bad edit of the good records, asserted by (path, line, field, code)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.pipeline.validate import validate

D8 = "villages/chengguan/dongshan/2026-08"
D9 = "villages/chengguan/dongshan/2026-09"
D10 = "villages/chengguan/dongshan/2026-10"
DV = "villages/chengguan/dongshan"

Edit = Callable[[str, str, str], Path]


def rows(project: Path) -> list[tuple[object, ...]]:
    return validate(project / "villages", project).report.rows("path", "line", "field", "code")


def test_good_records_have_no_problems(project: Path) -> None:
    result = validate(project / "villages", project)
    assert result.report.rows("path", "line", "field", "code") == []
    assert result.county is not None
    assert [v.name for v in result.county.villages()] == ["东山村", "西湾村"]


# (file under villages/, old text, new text, expected problem)
CASES = [
    # money, dates, codes, choices
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "11000.00",
        '"11,000"',
        (f"{D10}/ledger.csv", 2, "expense", "excel-amount"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "11000.00",
        "11000.005",
        (f"{D10}/ledger.csv", 2, "expense", "invalid-amount"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "11000.00",
        "1.1万",
        (f"{D10}/ledger.csv", 2, "expense", "invalid-amount"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "11000.00",
        "0.00",
        (f"{D10}/ledger.csv", 2, "expense", "not-positive"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "2026-10-08",
        "2026/10/8",
        (f"{D10}/ledger.csv", 2, "date", "excel-date"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "2026-10-08",
        "2026-02-30",
        (f"{D10}/ledger.csv", 2, "date", "invalid-date"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "2026-10-08",
        "2026-11-08",
        (f"{D10}/ledger.csv", 2, "date", "date-outside-period"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "记-002",
        "记-001",
        (f"{D10}/ledger.csv", 3, "voucher_no", "duplicate-voucher"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        ",153,",
        ",599,",
        (f"{D10}/ledger.csv", 2, "account_code", "unknown-account"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        ",153,",
        ",15,",
        (f"{D10}/ledger.csv", 2, "account_code", "invalid-code"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        ",,11000.00,",
        ",5.00,11000.00,",
        (f"{D10}/ledger.csv", 2, "income", "income-or-expense"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        ",,11000.00,",
        ",,,",
        (f"{D10}/ledger.csv", 2, "income", "income-or-expense"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "转账,发票,张建国",
        "转账,发票,李四",
        (f"{D10}/ledger.csv", 2, "approver", "unknown-person"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "转账,发票,张建国",
        "微信,发票,张建国",
        (f"{D10}/ledger.csv", 2, "method", "invalid-choice"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "",
        (f"{D10}/ledger.csv", 2, "summary", "missing-field"),
    ),
    # CSV shape
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付,尾款",
        (f"{D10}/ledger.csv", 2, None, "ragged-row"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        '"支付尾款',
        (f"{D10}/ledger.csv", 2, None, "csv-syntax"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "summary,",
        "",
        (f"{D10}/ledger.csv", 1, "summary", "missing-column"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "contract_id",
        "备注",
        (f"{D10}/ledger.csv", 1, None, "unknown-column"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "contract_id",
        "summary",
        (f"{D10}/ledger.csv", 1, "summary", "duplicate-column"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "\n2026-10-15",
        "\n,,,,,,,,,,\n2026-10-15",
        (f"{D10}/ledger.csv", 3, None, "blank-row"),
    ),
    # YAML hazards and shape
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽",
        "drafted_by: 王丽\ndrafted_by: 王丽",
        (f"{D10}/disclosure.yml", 5, "drafted_by", "duplicate-key"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽",
        "drafted_by: !!python/name:os.system 王丽",
        (f"{D10}/disclosure.yml", 4, None, "yaml-tag"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "title: 村道硬化工程完工验收",
        "title: 村道硬化工程 #2 段完工验收",
        (f"{D10}/disclosure.yml", 9, "village_affairs.title", "needs-quotes"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "reviewed_by: 李秀英",
        "reviewed_by:李秀英",
        (f"{D10}/disclosure.yml", 5, "reviewed_by", "no-space-after-colon"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        'opening: {cash: "1000.00"',
        'opening: &o {cash: "1000.00"',
        (f"{D10}/disclosure.yml", 2, None, "yaml-alias"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽",
        "drafted_by: 王丽\n---\nx: 1",
        (f"{D10}/disclosure.yml", 5, None, "yaml-documents"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽",
        "drafted_by: 王丽: 李四",
        (f"{D10}/disclosure.yml", 4, None, "yaml-syntax"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽",
        "drafted_by: [王丽]",
        (f"{D10}/disclosure.yml", 4, "drafted_by", "wrong-shape"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽",
        "drafted_by: 王丽\nseal: true",
        (f"{D10}/disclosure.yml", 5, "seal", "unknown-field"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽\n",
        "",
        (f"{D10}/disclosure.yml", 1, "drafted_by", "missing-field"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "period: 2026-10",
        "period: 2026-1",
        (f"{D10}/disclosure.yml", 1, "period", "invalid-period"),
    ),
    (
        "chengguan/dongshan/village.yml",
        "households: 412",
        "households: 0412",
        (f"{DV}/village.yml", 4, "households", "invalid-integer"),
    ),
    (
        "chengguan/dongshan/village.yml",
        'code: "371322101201"',
        'code: "37132210120"',
        (f"{DV}/village.yml", 2, "code", "invalid-code"),
    ),
    (
        "chengguan/dongshan/village.yml",
        "name: 东山村",
        "name: 东山村<script>",
        (f"{DV}/village.yml", 1, "name", "invalid-text"),
    ),
    (
        "chengguan/dongshan/village.yml",
        'code: "371322101201"',
        'code: "371322101202"',
        ("villages/chengguan/xiwan/village.yml", None, "code", "duplicate-code"),
    ),
    (
        "chengguan/dongshan/village.yml",
        'code: "371322101201"',
        'code: "371322999201"',
        (f"{DV}/village.yml", None, "code", "code-outside-parent"),
    ),
    (
        "chengguan/xiwan/village.yml",
        "name: 西湾村",
        "name: 东 山村",
        ("villages/chengguan/xiwan/village.yml", None, "name", "duplicate-village-name"),
    ),
    (
        "chengguan/dongshan/village.yml",
        "  - {name: 王丽, roles: [报账员]}",
        "  - {name: 王丽, roles: [报账员]}\n  - {name: 张 建国, roles: [报账员]}",
        (f"{DV}/village.yml", 12, "people.name", "duplicate-person"),
    ),
    # personal data only visible once the value is decoded
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "body: 组织党员参加村道硬化义务劳动。",
        'body: "\\x31\\x33\\x38\\x31\\x32\\x33\\x34\\x35\\x36\\x37\\x38"',
        (f"{D10}/disclosure.yml", 15, "party_affairs.body", "mobile-number"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "title: 村道硬化工程完工验收",
        'title: "身份证 110101\\u200b19900307\\u20604514"',
        (f"{D10}/disclosure.yml", 9, "village_affairs.title", "resident-id"),
    ),
    (
        "chengguan/dongshan/village.yml",
        "name: 王丽, roles",
        "name: \u3164, roles",
        (f"{DV}/village.yml", 11, "people.name", "invalid-text"),
    ),
    # sign-off and arithmetic
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "reviewed_by: 李秀英",
        "reviewed_by: 张建国",
        (f"{D10}/disclosure.yml", 5, "reviewed_by", "reviewer-not-supervisor"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "reviewed_at: 2026-11-03",
        "reviewed_at: 2026-11-06",
        (f"{D10}/disclosure.yml", 6, "reviewed_at", "reviewed-after-published"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "period: 2026-10",
        "period: 2026-09",
        (f"{D10}/disclosure.yml", 1, "period", "period-mismatch"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        'closing: {cash: "800.00"',
        'closing: {cash: "900.00"',
        (f"{D10}/disclosure.yml", 3, "closing", "balance-mismatch"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        'opening: {cash: "1000.00", bank: "353100.00"}',
        'opening: {cash: "1100.00", bank: "353000.00"}',
        (f"{D10}/disclosure.yml", 2, "opening.cash", "opening-mismatch"),
    ),
    (
        "chengguan/dongshan/2026-09/assistance.csv",
        "2026-09-16,2026-09-23,公示中",
        "2026-09-16,2026-09-20,公示中",
        (f"{D9}/assistance.csv", 2, "notice_end", "notice-too-short"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "party_affairs:\n",
        "corrections:\n  - {date: 2026-11-20, reason: 更正金额, approved_by: 孙悟空}\nparty_affairs:\n",
        (f"{D10}/disclosure.yml", 15, "corrections.approved_by", "unknown-person"),
    ),
    # people and power lists
    (
        "chengguan/dongshan/village.yml",
        "roles: [村务监督委员会主任]",
        "roles: [村务监督委员会主任, 村委会委员]",
        (f"{DV}/village.yml", 9, "people.roles", "supervisor-conflict"),
    ),
    (
        "chengguan/dongshan/village.yml",
        "{name: 王丽, roles: [报账员]}",
        "{name: 张建国, roles: [报账员]}",
        (f"{DV}/village.yml", 11, "people.name", "duplicate-person"),
    ),
    (
        "chengguan/dongshan/village.yml",
        "supervisor: 李秀英",
        "supervisor: 李秀",
        (f"{DV}/village.yml", 17, "channels.supervisor", "unknown-person"),
    ),
    (
        "chengguan/dongshan/powers.yml",
        "remove: [N02]",
        "remove: [N09]",
        (f"{DV}/powers.yml", 2, "remove", "unknown-upstream-id"),
    ),
    (
        "chengguan/dongshan/powers.yml",
        "remove: [N02]",
        "remove: [P10]",
        (f"{DV}/powers.yml", 2, "remove", "remove-and-add"),
    ),
    (
        "chengguan/dongshan/powers.yml",
        "  - id: P10",
        "  - id: P03",
        (f"{DV}/powers.yml", 8, "powers.id", "duplicate-id"),
    ),
    # personal data and invisible characters, anywhere
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款 身份证110101199003074514",
        (f"{D10}/ledger.csv", 2, "summary", "resident-id"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款 卡号6228 4800 1234 5678 903",
        (f"{D10}/ledger.csv", 2, "summary", "bank-card"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款 联系138-1234-5678",
        (f"{D10}/ledger.csv", 2, "summary", "mobile-number"),
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "drafted_by: 王丽",
        "drafted_by: 王丽  # 电话 13812345678",
        (f"{D10}/disclosure.yml", 4, "drafted_by", "mobile-number"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付村道硬化\u200b工程尾款",
        (f"{D10}/ledger.csv", 2, "summary", "bad-character"),
    ),
    (
        "chengguan/dongshan/village.yml",
        "box: 村委会大门东侧公开栏旁",
        "box: 村委会\u202e大门东侧",
        (f"{DV}/village.yml", 16, "channels.box", "bad-character"),
    ),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款\x07",
        (f"{D10}/ledger.csv", 2, "summary", "bad-character"),
    ),
    # chart of accounts by period
    (
        "county.yml",
        'chart: "2023"',
        'chart: "2004"',
        (f"{D8}/disclosure.yml", 1, "period", "chart-period"),
    ),
]


@pytest.mark.parametrize(
    ("rel", "old", "new", "expected"), CASES, ids=[f"{c[3][3]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_edit_is_reported(
    project: Path, edit: Edit, rel: str, old: str, new: str, expected: tuple[object, ...]
) -> None:
    edit(rel, old, new)
    result = validate(project / "villages", project)
    assert expected in result.report.rows("path", "line", "field", "code")
    assert result.county is None or expected[3] in {"blank-row", "code-outside-parent"}


# Good twins: things that look like problems but are not.
TWINS = [
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款（身份证320102********1234已核验）",
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "组织党员参加",
        "咨询电话0539-6212345，组织党员参加",
    ),
    ("chengguan/dongshan/2026-10/disclosure.yml", "组织党员参加", "监督热线12388，组织党员参加"),
    ("chengguan/dongshan/2026-10/ledger.csv", "陈小芳", "阿依古丽·买买提"),
    ("chengguan/dongshan/2026-10/ledger.csv", "孙桂兰", "赵𠮷"),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款，合同金额１１０００元",
    ),
    ("chengguan/dongshan/2026-10/ledger.csv", "记-001", "NA"),
    ("chengguan/dongshan/2026-10/disclosure.yml", "十月主题党日", "NO"),
    ("chengguan/dongshan/2026-10/disclosure.yml", "组织党员参加", "会议时间 1:20，组织党员参加"),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款 <script>alert(1)</script>",
    ),
    ("chengguan/dongshan/2026-10/ledger.csv", "支付村道硬化工程尾款", "凭证号2026100812345678"),
    (
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付村道硬化工程尾款",
        "支付尾款12500.00元（合计1234567.89元），2026-10-05 至 2026-10-31，代码371398100202",
    ),
    (
        "chengguan/dongshan/2026-10/disclosure.yml",
        "组织党员参加",
        "点赞👍❤\ufe0f，举报电话0539-6212345、12388、12345，组织党员参加",
    ),
    ("chengguan/dongshan/2026-10/ledger.csv", "陈小芳", "王䶮"),
    ("chengguan/dongshan/2026-10/ledger.csv", "孙桂兰", "陈𠮷英"),
    ("chengguan/dongshan/2026-10/ledger.csv", "记-001", "记-015"),
    ("chengguan/xiwan/village.yml", "name: 西湾村", "name: 西湾·新村"),
]


@pytest.mark.parametrize(("rel", "old", "new"), TWINS)
def test_good_twin_is_not_reported(project: Path, edit: Edit, rel: str, old: str, new: str) -> None:
    edit(rel, old, new)
    assert rows(project) == []


def test_crlf_and_bom_are_fine(project: Path) -> None:
    path = project / "villages" / "chengguan/dongshan/2026-10/ledger.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert rows(project) == []


def test_chinese_headers_are_accepted(project: Path) -> None:
    path = project / "villages" / "chengguan/dongshan/2026-10/ledger.csv"
    text = path.read_text(encoding="utf-8")
    header = "日期,凭证号,摘要,科目代码,收入,支出,收付款方,结算方式,票据,审批人,合同编号"
    path.write_text(header + text[text.index("\n") :], encoding="utf-8")
    assert rows(project) == []


def test_values_are_never_coerced(project: Path) -> None:
    """NO stays NO, 0012 stays text, full-width digits in text are folded, punctuation kept."""
    path = project / "villages" / "chengguan/dongshan/2026-10/disclosure.yml"
    text = (
        path.read_text(encoding="utf-8")
        .replace("十月主题党日", "NO")
        .replace("组织党员参加村道硬化义务劳动。", "第１２项，编号0012：完成。")
    )
    path.write_text(text, encoding="utf-8")
    county = validate(project / "villages", project).county
    assert county is not None
    period = next(v for v in county.villages() if v.slug == "dongshan").periods[-1]
    assert period.party_affairs[0].title == "NO"
    assert period.party_affairs[0].body == "第12项，编号0012：完成。"


def test_gbk_file_is_named_as_such(project: Path) -> None:
    path = project / "villages" / "chengguan/dongshan/2026-10/ledger.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    assert (f"{D10}/ledger.csv", 2, None, "not-utf8") in rows(project)


def test_layout_problems(project: Path) -> None:
    v = project / "villages"
    (v / "chengguan/dongshan/notes.txt").write_text("x", encoding="utf-8")
    (v / "chengguan/dongshan/2026-13").mkdir()
    (v / "chengguan/Xi Wan").mkdir()
    shutil.copytree(v / "chengguan/xiwan", v / "chengguan/XiWan")
    (v / "chengguan/dongshan/2026-09/ledger.csv").unlink()
    (v / "chengguan/dongshan/2026-08/extra.yml").symlink_to(v / "county.yml")
    found = rows(project)
    for expected in [
        (f"{DV}/notes.txt", None, None, "unknown-path"),
        (f"{DV}/2026-13", None, None, "unknown-path"),
        ("villages/chengguan/Xi Wan", None, None, "bad-slug"),
        ("villages/chengguan/XiWan", None, None, "slug-collision"),
        (f"{D9}/ledger.csv", None, None, "missing-file"),
        (f"{D8}/extra.yml", None, None, "link"),
    ]:
        assert expected in found


def test_missing_month_warns_and_opening_still_checked(project: Path) -> None:
    shutil.rmtree(project / "villages" / "chengguan/dongshan/2026-09")
    result = validate(project / "villages", project)
    found = result.report.rows("path", "line", "field", "code", "severity")
    assert (f"{D10}/disclosure.yml", 1, "period", "missing-period", "warning") in found
    assert (f"{D10}/disclosure.yml", 2, "opening.cash", "opening-mismatch", "error") in found


def test_all_problems_are_reported_at_once(project: Path, edit: Edit) -> None:
    edit("chengguan/dongshan/2026-10/ledger.csv", "11000.00", '"11,000"')
    edit("chengguan/dongshan/2026-10/ledger.csv", "记-002", "记-001")
    edit("chengguan/dongshan/2026-09/assistance.csv", "580.00", "五百")
    edit("chengguan/xiwan/2026-10/disclosure.yml", "reviewed_by: 郑国庆", "reviewed_by: 周志强")
    assert rows(project) == [
        (f"{D9}/assistance.csv", 2, "amount", "invalid-amount"),
        (f"{D10}/ledger.csv", 2, "expense", "excel-amount"),
        (f"{D10}/ledger.csv", 3, "voucher_no", "duplicate-voucher"),
        (
            "villages/chengguan/xiwan/2026-10/disclosure.yml",
            5,
            "reviewed_by",
            "reviewer-not-supervisor",
        ),
    ]


def test_only_selected_villages_are_checked(project: Path, edit: Edit) -> None:
    edit("chengguan/xiwan/2026-10/disclosure.yml", "reviewed_by: 郑国庆", "reviewed_by: 周志强")
    v = project / "villages"
    only_dongshan = validate(v, project, only=[v / "chengguan/dongshan/2026-10/ledger.csv"])
    assert only_dongshan.report.rows("code") == []
    only_xiwan = validate(v, project, only=[v / "chengguan/xiwan"])
    assert only_xiwan.report.rows("code") == [("reviewer-not-supervisor",)]


def test_power_lists_inherit_county_town_village(project: Path) -> None:
    county = validate(project / "villages", project).county
    assert county is not None
    dongshan, xiwan = list(county.villages())
    assert [(p.id, p.level) for p in dongshan.power_list.powers] == [
        ("P01", "县"),
        ("P02", "县"),
        ("P03", "村"),
        ("P04", "镇"),
        ("P10", "村"),
    ]
    assert [n.id for n in dongshan.power_list.negative] == ["N01"]
    assert [n.id for n in xiwan.power_list.negative] == ["N01", "N02"]
    assert dongshan.parameters.cash_payment_limit == 2000  # the town's override


def test_a_key_without_its_colon_is_reported_on_its_own_line(project: Path, edit: Edit) -> None:
    """PyYAML notices the missing colon a line later; the clerk is pointed at the key."""
    edit("chengguan/dongshan/2026-10/disclosure.yml", "reviewed_at: ", "reviewed_at ")
    assert rows(project) == [(f"{D10}/disclosure.yml", 6, None, "yaml-syntax")]


def test_a_pattern_s_english_hint_has_no_chinese_in_it() -> None:
    """The English line of an invalid code's message gives its example in English too
    (the account code's example was "513 或 51301" on both lines)."""
    from builder.format.schema import ACCOUNT_CODE, PHONE, Invalid

    for pattern, example in (
        (ACCOUNT_CODE, "513 or 51301"),
        (PHONE, "12388 or 0539-621xxxx (a landline with its area code)"),
    ):
        invalid = pattern.parse("12abc")
        assert isinstance(invalid, Invalid)
        assert invalid.values["hint_en"] == f"For example {example}."
        assert "或" in invalid.values["hint"]


def test_a_read_memo_changes_no_report_and_reads_only_what_changed(
    project: Path, good_villages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A village's history reads version after version with one ReadMemo: what it keeps
    answers only for the same text at the same path, so each bad edit (a sample of CASES, YAML
    and CSV) is reported exactly as without it, and the good records again after; and a file
    read before, not written since, is neither read nor parsed again."""
    from builder.read import records

    memo = records.ReadMemo()
    parsed: list[str] = []
    opened: list[str] = []
    real_read = records.read_text

    def read_text(path: Path, base: Path) -> object:
        opened.append(path.relative_to(project).as_posix())
        return real_read(path, base)

    monkeypatch.setattr(records, "read_text", read_text)
    for name in ("parse_yaml", "parse_csv"):
        real = getattr(records, name)

        def counted(file: object, *args: object, real: Callable[..., object] = real) -> object:
            parsed.append(getattr(file, "rel", ""))
            return real(file, *args)

        monkeypatch.setattr(records, name, counted)

    def with_memo() -> list[tuple[object, ...]]:
        report = validate(project / "villages", project, memo=memo).report
        return report.rows("path", "line", "field", "code")

    def settled() -> None:  # a file is trusted by its stamp once written that long ago
        time.sleep(records.SETTLED_NS / 1e9 + 0.01)

    settled()

    assert with_memo() == []
    first = len(parsed)
    parsed.clear()
    opened.clear()
    assert with_memo() == [] and parsed == [] and opened == []  # nothing read again
    assert first > 10
    for rel, old, new, _expected in CASES[::5]:
        path = good_villages / rel
        before = path.read_bytes()
        path.write_text(before.decode("utf-8").replace(old, new, 1), encoding="utf-8")
        settled()
        parsed.clear()
        opened.clear()
        found = with_memo()
        assert parsed == opened == [f"villages/{rel}"]  # its own file read again, no other
        assert found == rows(project), rel
        path.write_bytes(before)
        settled()
        assert with_memo() == []
