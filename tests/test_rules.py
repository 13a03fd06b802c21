"""Every supervision rule: an edit of the good records that must flag, and a near miss that must not."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.format import schema
from builder.pipeline.validate import validate
from builder.read.roster import read_roster
from builder.rules import RULES, publication_units
from builder.rules.base import same_party

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 20)
DV = "villages/chengguan/dongshan"
CONTRACTS = f"{DV}/contracts.csv"
Edit = Callable[[str, str, str], Path]


def flags(project: Path, today: dt.date = TODAY) -> list[tuple[str, str, int | None, str]]:
    """(rule, path, line, severity) of every flag; the records themselves must be clean."""
    result = validate(project / "villages", project, today=today)
    assert result.county is not None, result.report.rows("path", "line", "field", "code")
    return [(f.rule, f.where.path, f.where.line, f.severity) for f in result.county.flags]


def rules_of(project: Path, rule: str, today: dt.date = TODAY) -> list[tuple[str, int | None]]:
    return [(path, line) for r, path, line, _ in flags(project, today) if r == rule]


def add_contract(project: Path, row: str) -> int:
    """Append a row to dongshan's contracts.csv; return its line."""
    path = project / CONTRACTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text + row + "\n", encoding="utf-8")
    return text.count("\n") + 1


def test_every_rule_is_declared_with_its_parameters() -> None:
    assert sorted(RULES, key=lambda r: int(r[1:])) == list(schema.RULE_IDS)
    keys = {f.key for f in schema.PARAMETERS.fields}
    for r in RULES.values():
        assert r.level in ("error", "warning", "info") and r.title and r.why and r.why_en
        assert set(r.params) <= keys, r.id


def test_good_records_raise_no_flag(project: Path) -> None:
    assert flags(project) == []


# --- R1 ----------------------------------------------------------------------------------------
def test_r1_missing_month_after_its_deadline(project: Path) -> None:
    # 2026-11 is due by 12-15: on the 16th it is missing, on the 15th not yet
    assert rules_of(project, "R1", dt.date(2026, 12, 16)) == [
        (DV, None),
        ("villages/chengguan/xiwan", None),
    ]
    assert rules_of(project, "R1", dt.date(2026, 12, 15)) == []


def test_r1_late_publication(project: Path, edit: Edit) -> None:
    d10 = "chengguan/dongshan/2026-10/disclosure.yml"
    edit(d10, "published_at: 2026-11-05", "published_at: 2026-11-16")
    assert rules_of(project, "R1") == [(f"{DV}/2026-10/disclosure.yml", 7)]
    edit(d10, "published_at: 2026-11-16", "published_at: 2026-11-15")  # the deadline itself
    assert rules_of(project, "R1") == []


def test_r1_quarterly_cadence_needs_one_disclosure_a_quarter(project: Path, edit: Edit) -> None:
    later = dt.date(2027, 1, 20)  # 2026-11 and 2026-12 are missing month by month
    assert len(rules_of(project, "R1", later)) == 2
    edit("county.yml", "finance_cadence: monthly", "finance_cadence: quarterly")
    assert rules_of(project, "R1", later) == []  # 2026-10 covers the fourth quarter


def test_publication_units_cover_the_recent_periods(project: Path) -> None:
    county = validate(project / "villages", project, today=TODAY).county
    assert county is not None
    xiwan = next(v for v in county.villages() if v.slug == "xiwan")
    units = publication_units(xiwan, dt.date(2026, 12, 1), recent=4)
    assert [(u.label, u.status) for u in units] == [
        ("2026-08", "before"),
        ("2026-09", "on-time"),
        ("2026-10", "on-time"),
        ("2026-11", "pending"),
    ]


# --- R8 ----------------------------------------------------------------------------------------
def test_r8_cash_payment_above_the_limit(project: Path, edit: Edit) -> None:
    edit(
        "chengguan/dongshan/2026-09/ledger.csv",
        "10000.00,临沂市宏达路桥公司,转账",
        "10000.00,临沂市宏达路桥公司,现金",
    )
    assert rules_of(project, "R8") == [(f"{DV}/2026-09/ledger.csv", 3)]


def test_r8_cash_payment_on_the_limit_is_fine(project: Path, edit: Edit) -> None:
    edit("chengguan/town.yml", "cash_payment_limit: 2000", 'cash_payment_limit: "200"')
    assert rules_of(project, "R8") == []  # the cleaner's 200.00 in cash, exactly the limit
    edit("chengguan/town.yml", 'cash_payment_limit: "200"', 'cash_payment_limit: "199.99"')
    assert rules_of(project, "R8") == [
        (f"{DV}/2026-09/ledger.csv", 4),
        (f"{DV}/2026-10/ledger.csv", 4),
    ]


# --- R10 ---------------------------------------------------------------------------------------
def test_r10_scheduled_rent_not_booked(project: Path, edit: Edit) -> None:
    edit("chengguan/dongshan/2026-08/ledger.csv", "张建国,HT2024-03", "张建国,")
    assert rules_of(project, "R10") == [(CONTRACTS, 3)]


def test_r10_rent_booked_in_time_or_not_yet_due(project: Path, edit: Edit) -> None:
    edit(CONTRACTS.removeprefix("villages/"), "2026-08-31:2400", "2026-08-01:2400")
    assert rules_of(project, "R10") == []  # received on 08-02, a day after it was due
    edit("chengguan/dongshan/2026-08/ledger.csv", "张建国,HT2024-03", "张建国,")
    edit(CONTRACTS.removeprefix("villages/"), "2026-08-01:2400", "2026-10-15:2400")
    assert rules_of(project, "R10") == []  # due 10-15: the books end before its 30 days do


# --- R11 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "method", "platform", "flagged"),
    [
        ("20000.00", "简易招标", "村级简易招标", True),  # on the band edge: the town's band
        ("19999.99", "简易招标", "村级简易招标", False),
        ("30000.00", "协商", "镇农村产权交易中心", True),  # right platform, closed method
        ("30000.00", "邀请招标", "镇农村产权交易中心", False),
        ("5000.00", "协商", "县农村产权交易中心", False),  # a higher platform is always fine
        ("200000.00", "公开招标", "镇农村产权交易中心", True),
    ],
)
def test_r11_method_and_platform_by_amount(
    project: Path, amount: str, method: str, platform: str, flagged: bool
) -> None:
    line = add_contract(
        project,
        f"HT2026-09,工程,村委会院墙维修,城关建筑队,{method},{platform},{amount},2026-09-01,2026-09-30,,",
    )
    expected = [(CONTRACTS, line)] if flagged else []
    r11 = [x for x in flags(project) if x[0] == "R11"]
    assert [(p, n) for _, p, n, _ in r11] == expected
    assert all(level == "error" for *_, level in r11)


def test_r11_error_blocks_publishing(project: Path) -> None:
    line = add_contract(
        project,
        "HT2026-09,工程,村委会院墙维修,城关建筑队,简易招标,村级简易招标,22000.00,2026-09-01,2026-09-30,,",
    )
    result = validate(project / "villages", project, today=TODAY)
    assert result.report.rows("path", "line", "code") == [(CONTRACTS, line, "red-flag")]
    assert result.report.has_errors()


# --- R12 and R13 -------------------------------------------------------------------------------
def _two_purchases(project: Path, first: str, second: str, amount: str = "18000.00") -> int:
    add_contract(
        project,
        f"CG2026-01,采购,健身器材一期,城关体育器材店,简易招标,村级简易招标,{amount},{first},{first},,",
    )
    return add_contract(
        project,
        f"CG2026-02,采购,健身器材二期,城关体育器材店,简易招标,村级简易招标,{amount},{second},{second},,",
    )


@pytest.mark.parametrize(
    ("second", "flagged"),
    [("2026-09-10", True), ("2026-10-01", True), ("2026-10-09", False)],  # 40, 90, 98 days
)
def test_r12_two_purchases_from_one_supplier(project: Path, second: str, flagged: bool) -> None:
    line = _two_purchases(project, "2026-07-03", second)
    assert rules_of(project, "R12") == ([(CONTRACTS, line)] if flagged else [])


def test_r12_a_pair_that_does_not_reach_the_limit(project: Path) -> None:
    _two_purchases(project, "2026-07-03", "2026-08-01", amount="9999.99")
    assert rules_of(project, "R12") == []


def test_r12_unlinked_ledger_payments_count(project: Path, edit: Edit) -> None:
    for month in ("08", "09", "10"):
        edit(f"chengguan/dongshan/2026-{month}/ledger.csv", "张建国,HT2026-01", "张建国,")
    assert rules_of(project, "R12") == []  # paid while the party's contract ran: paid under it
    edit(CONTRACTS.removeprefix("villages/"), ",临沂市宏达路桥公司,", ",临沂市宏达公司,")
    assert rules_of(project, "R12") == [(f"{DV}/2026-09/ledger.csv", 3)]
    edit("county.yml", "reply_days: 10", "reply_days: 10\n  split_min_pct: 60")
    assert rules_of(project, "R12") == []  # 10,000 is less than 60 % of 20,000


@pytest.mark.parametrize(
    ("amount", "flagged"),
    [("19000.00", True), ("18999.99", False), ("20000.00", False), ("47500.00", True)],
)
def test_r13_amount_just_under_a_limit(project: Path, amount: str, flagged: bool) -> None:
    platform = "镇农村产权交易中心" if amount >= "20000" else "村级简易招标"
    line = add_contract(
        project,
        f"HT2026-09,工程,村委会院墙维修,城关建筑队,公开招标,{platform},{amount},2026-09-01,2026-09-30,,",
    )
    assert rules_of(project, "R13") == ([(CONTRACTS, line)] if flagged else [])


# --- R14 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("amount", "flagged"), [("50000.00", True), ("49999.99", False)])
def test_r14_major_contract_needs_a_decision(project: Path, amount: str, flagged: bool) -> None:
    line = add_contract(
        project,
        f"HT2026-09,工程,村委会院墙维修,城关建筑队,公开招标,镇农村产权交易中心,{amount},2026-09-01,2026-09-30,,",
    )
    assert rules_of(project, "R14") == ([(CONTRACTS, line)] if flagged else [])


@pytest.mark.parametrize(("start", "flagged"), [("2026-07-11", True), ("2026-07-12", False)])
def test_r14_contract_signed_before_the_vote(project: Path, start: str, flagged: bool) -> None:
    line = add_contract(
        project,
        f"HT2026-09,工程,村委会院墙维修,城关建筑队,公开招标,镇农村产权交易中心,60000.00,{start},2026-09-30,,JY2026-01",
    )
    assert rules_of(project, "R14") == ([(CONTRACTS, line)] if flagged else [])


DECISIONS = "chengguan/dongshan/decisions.yml"
DECISION_AT = (f"{DV}/decisions.yml", 2)


def _major(edit: Edit) -> None:
    edit(DECISIONS, 'amount: "31000"', 'amount: "50000"')


def test_r14_complete_major_decision_is_fine(project: Path, edit: Edit) -> None:
    _major(edit)
    assert rules_of(project, "R14") == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{step: 党员大会审议, date: 2026-07-08", "{step: 党员大会审议, date: 2026-07-13"),  # order
        ("      - {step: 决议公开, date: 2026-07-13}\n", ""),  # a missing step
        ("due: 32, attended: 28, agreed: 27", "due: 32, attended: 21, agreed: 20"),  # < 2/3
        ("due: 32, attended: 28, agreed: 27", "due: 32, attended: 28, agreed: 16"),  # half of due
        ("due: 30, attended: 26, agreed: 24", "due: 30, attended: 26, agreed: 13"),  # half present
        ("due: 30, attended: 26, agreed: 24", "due: 30"),  # numbers not recorded
        ("result: 通过", "result: 未通过"),
    ],
)
def test_r14_major_decision_with_a_gap(project: Path, edit: Edit, old: str, new: str) -> None:
    _major(edit)
    edit(DECISIONS, old, new)
    assert rules_of(project, "R14") == [DECISION_AT]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("due: 32, attended: 28, agreed: 27", "due: 33, attended: 22, agreed: 17"),  # exactly 2/3
        ("due: 30, attended: 26, agreed: 24", "due: 30, attended: 26, agreed: 14"),
    ],
)
def test_r14_quorum_near_misses(project: Path, edit: Edit, old: str, new: str) -> None:
    _major(edit)
    edit(DECISIONS, old, new)
    assert rules_of(project, "R14") == []


def test_r14_merged_steps_need_one_person_in_both_posts(project: Path, edit: Edit) -> None:
    _major(edit)
    edit(DECISIONS, "      - {step: 党支部提议, date: 2026-07-02}\n", "")
    edit(DECISIONS, "    steps:\n", "    merged: true\n    steps:\n")
    assert rules_of(project, "R14") == []  # 张建国 is both party secretary and chair
    edit("chengguan/dongshan/village.yml", "roles: [党支部书记, 村委会主任]", "roles: [党支部书记]")
    edit("chengguan/dongshan/village.yml", "roles: [村委会委员]", "roles: [村委会主任]")
    assert rules_of(project, "R14") == [DECISION_AT]


# --- R17 ---------------------------------------------------------------------------------------
def test_r17_official_as_contract_party(project: Path, edit: Edit) -> None:
    edit(CONTRACTS.removeprefix("villages/"), ",刘大海,", ",王丽,")
    assert [x for x in flags(project) if x[0] == "R17"] == [("R17", CONTRACTS, 3, "error")]


def test_r17_official_selling_to_the_village(project: Path, edit: Edit) -> None:
    ledger = "chengguan/dongshan/2026-08/ledger.csv"
    edit(ledger, "城关文具店", "王丽（城关文具店）")
    assert rules_of(project, "R17") == [(f"{DV}/2026-08/ledger.csv", 5)]
    edit(ledger, "支付村委会办公用品费", "报销村委会办公用品费")  # her own advance paid back
    assert rules_of(project, "R17") == []


def test_r17_pay_and_relief_to_officials_are_not_deals(project: Path, edit: Edit) -> None:
    edit("chengguan/dongshan/2026-10/ledger.csv", "陈小芳", "阿依古丽·买买提")  # 代发低保金
    edit("chengguan/dongshan/2026-10/ledger.csv", "孙桂兰", "赵𠮷")  # a cleaner's wage
    edit(CONTRACTS.removeprefix("villages/"), ",刘大海,", ",王丽华,")  # not 王丽
    assert rules_of(project, "R17") == []


# --- R19 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("day", "flagged"), [("2026-09-21", True), ("2026-09-22", False)])
def test_r19_same_payee_same_amount_within_days(
    project: Path, edit: Edit, day: str, flagged: bool
) -> None:
    edit(
        "chengguan/dongshan/2026-09/ledger.csv",
        "2026-09-25,记-004,支付村委会电费,51303,,200.00,国网城关供电所",
        f"{day},记-004,支付村委会电费,51303,,200.00,孙桂兰",
    )
    assert rules_of(project, "R19") == ([(f"{DV}/2026-09/ledger.csv", 5)] if flagged else [])


# --- R20 ---------------------------------------------------------------------------------------
LEDGER10 = "chengguan/dongshan/2026-10/ledger.csv"


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [
        ("现金,收据,张建国", "现金,白条,张建国", "warning"),
        ("现金,收据,张建国", "现金,收据,", "warning"),
        ("孙桂兰,现金,收据,张建国", "张建国,现金,收据,张建国", "error"),
    ],
)
def test_r20_iou_no_approver_self_approval(
    project: Path, edit: Edit, old: str, new: str, level: str
) -> None:
    edit(LEDGER10, old, new)
    result = validate(project / "villages", project, today=TODAY)
    assert result.county is not None
    assert [(f.rule, f.where.line, f.severity) for f in result.county.flags] == [("R20", 4, level)]


def test_r20_income_without_approver_is_fine(project: Path, edit: Edit) -> None:
    edit("chengguan/dongshan/2026-08/ledger.csv", "收据,张建国,HT2024-03", "收据,,HT2024-03")
    assert rules_of(project, "R20") == []


# --- R26 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2029, 5, 2), [("R26", 3, "info")]),  # 90 days before 2029-07-31
        (dt.date(2029, 5, 1), []),  # 91 days
        (dt.date(2029, 8, 1), [("R26", 3, "warning")]),  # ended, nothing after it
    ],
)
def test_r26_lease_expiry(
    project: Path, today: dt.date, expected: list[tuple[str, int, str]]
) -> None:
    found = [(r, line, lv) for r, _, line, lv in flags(project, today) if r == "R26"]
    assert found == expected


def test_r26_renewed_lease_is_fine(project: Path) -> None:
    add_contract(
        project,
        "HT2029-01,发包,东山果园12亩,刘大海,竞价拍卖,村级简易招标,12000.00,2029-08-01,2034-07-31,,",
    )
    assert rules_of(project, "R26", dt.date(2029, 8, 1)) == []


@pytest.mark.parametrize(("end", "flagged"), [("2044-08-01", True), ("2044-07-31", False)])
def test_r26_lease_longer_than_twenty_years(
    project: Path, edit: Edit, end: str, flagged: bool
) -> None:
    edit(CONTRACTS.removeprefix("villages/"), "2024-08-01,2029-07-31", f"2024-08-01,{end}")
    assert rules_of(project, "R26") == ([(CONTRACTS, 3)] if flagged else [])


# --- R29 ---------------------------------------------------------------------------------------
OPEN_TOPIC = """  - id: DT2026-02
    asked_at: 2026-11-01
    question: 村里的垃圾清运费是怎么算的？
"""


@pytest.mark.parametrize(("today", "flagged"), [((2026, 11, 12), True), ((2026, 11, 11), False)])
def test_r29_unanswered_topic(project: Path, today: tuple[int, int, int], flagged: bool) -> None:
    path = project / DV / "topics.yml"
    path.write_text(path.read_text(encoding="utf-8") + OPEN_TOPIC, encoding="utf-8")
    expected = [(f"{DV}/topics.yml", 10)] if flagged else []
    assert rules_of(project, "R29", dt.date(*today)) == expected


@pytest.mark.parametrize(("answered", "flagged"), [("2026-10-20", True), ("2026-10-19", False)])
def test_r29_answered_late_is_info(project: Path, edit: Edit, answered: str, flagged: bool) -> None:
    edit("chengguan/dongshan/topics.yml", "answered_at: 2026-10-15", f"answered_at: {answered}")
    found = [(r, lv) for r, _, _, lv in flags(project) if r == "R29"]
    assert found == ([("R29", "info")] if flagged else [])


# --- levels set by the county and the town -----------------------------------------------------
def test_county_and_town_change_rule_levels(project: Path, edit: Edit) -> None:
    edit(CONTRACTS.removeprefix("villages/"), ",刘大海,", ",王丽,")  # R17, an error
    edit(
        "chengguan/dongshan/2026-09/ledger.csv",
        "10000.00,临沂市宏达路桥公司,转账",
        "10000.00,临沂市宏达路桥公司,现金",
    )
    edit("county.yml", "reply_days: 10", "reply_days: 10\n  severity: {R17: warning, R8: info}")
    edit(
        "chengguan/town.yml",
        "cash_payment_limit: 2000",
        "cash_payment_limit: 2000\n  severity: {R8: off}",
    )
    result = validate(project / "villages", project, today=TODAY)
    assert result.report.rows("code") == []
    assert result.county is not None
    assert [(f.rule, f.severity) for f in result.county.flags] == [("R17", "warning")]


# --- the example county --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example_flags(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str]]:
    """Every flag of a copy of the repository's own villages/ (the example county, data)."""
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(ROOT / "villages", root / "villages")
    roster, _ = read_roster(ROOT / "tests/data/relatives-example.yml", root)
    result = validate(root / "villages", root, today=dt.date(2026, 11, 22), roster=roster)
    assert result.report.rows("code") == []
    assert result.county is not None
    return [(f.rule, f.village, f.severity) for f in result.county.flags]


def test_example_county_shows_every_rule(example_flags: list[tuple[str, str, str]]) -> None:
    assert {rule for rule, _, _ in example_flags} == set(RULES)


def test_example_flags_only_the_villages_that_break_rules(
    example_flags: list[tuple[str, str, str]],
) -> None:
    assert {village for _, village, _ in example_flags} == {"shawo", "liulin"}


def test_every_rule_and_parameter_is_on_the_rules_page() -> None:
    page = (ROOT / "content/rules.md").read_text("utf-8")
    for r in RULES.values():
        assert f"## {r.id} {r.title} {{#{r.id}}}" in page
        for param in r.params:
            assert f"`{param}`" in page, (r.id, param)


@pytest.mark.parametrize(
    "hidden", ["王\u200d丽", "王\u3000丽", "王\u3164丽", "王\u034f丽", "（代领）王丽"]
)
def test_same_party_sees_through_invisible_characters(hidden: str) -> None:
    assert same_party(hidden) == same_party("王丽") == "王丽"
    assert same_party("王丽华") != "王丽"  # a different person
    assert same_party("阿不都·热合曼") == "阿不都·热合曼"


def test_r17_official_written_with_a_full_width_space(project: Path, edit: Edit) -> None:
    ledger = "chengguan/dongshan/2026-08/ledger.csv"
    edit(ledger, "城关文具店", "王\u3000丽（城关文具店）")
    assert rules_of(project, "R17") == [(f"{DV}/2026-08/ledger.csv", 5)]
