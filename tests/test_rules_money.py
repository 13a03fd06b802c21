"""The v1.2 rules (R9, R15, R16, R18, R21, R24, R25, R27, R28, R30, R31) on the example county:
each fires exactly where shawo plants it, and a near miss of each plant does not fire."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.pipeline.validate import validate
from builder.read.roster import read_roster

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 22)
SW = "villages/hekou/shawo"
NEW = {"R9", "R15", "R16", "R18", "R21", "R24", "R25", "R27", "R28", "R30", "R31"}
PLANTED = [
    ("R9", f"{SW}/2026-10/ledger.csv", 5),
    ("R15", f"{SW}/contracts.csv", 2),
    ("R16", f"{SW}/debts.csv", 2),
    ("R18", f"{SW}/village.yml", 15),
    ("R21", f"{SW}/2026-10/ledger.csv", 18),
    ("R24", f"{SW}/2026-07/assistance.csv", None),
    ("R25", f"{SW}/2026-10/assistance.csv", 2),
    ("R27", f"{SW}/contracts.csv", 6),
    ("R28", f"{SW}/2026-10/ledger.csv", 6),
    ("R30", f"{SW}/2026-06/ledger.csv", 31),
    ("R31", f"{SW}/village.yml", 19),
]


@pytest.fixture
def county(tmp_path: Path) -> Path:
    root = tmp_path / "county"
    shutil.copytree(ROOT / "villages", root / "villages")
    shutil.copy(ROOT / "tests/data/relatives-example.yml", tmp_path / "relatives.yml")
    return root


def new_flags(root: Path) -> list[tuple[str, str, int | None]]:
    roster, problems = read_roster(root.parent / "relatives.yml", root)
    assert problems == []
    result = validate(root / "villages", root, today=AS_OF, roster=roster)
    assert result.county is not None, result.report.rows("path", "line", "code")
    assert result.report.rows("code") == []
    return [(f.rule, f.where.path, f.where.line) for f in result.county.flags if f.rule in NEW]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / "villages" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_new_rule_fires_once_where_shawo_plants_it(county: Path) -> None:
    assert sorted(new_flags(county), key=str) == sorted(PLANTED, key=str)


L10 = "hekou/shawo/2026-10/ledger.csv"
NEAR_MISSES = {
    # cash spent the day after cash came in, not the same day
    "R9": (L10, "2026-10-05,记-004,", "2026-10-06,记-004,"),
    # 30,000 is under both 50,000 and 20 % of 152,600 (30,520)
    "R15": ("hekou/shawo/contracts.csv", "2026-03-25:+35000", "2026-03-25:+30000"),
    # decided by the assembly before the guarantee, and filed with the town
    "R16": ("hekou/shawo/debts.csv", "2027-07-11,,,", "2027-07-11,JY2026-02,2026-02-10,"),
    # the raise is approved by the village assembly
    "R18": (
        "hekou/shawo/village.yml",
        "year: 2026}      #",
        "year: 2026, decision_id: JY2026-02}  #",
    ),
    # a cap of 1,268.00 is the month's total itself, not below it
    "R21": ("county.yml", "reply_days: 10", 'reply_days: 10\n  hospitality_cap: "1268.00"'),
    # 4,200.00 is six times the standard itself
    "R25": ("hekou/shawo/2026-10/assistance.csv", "5000.00", "4200.00"),
    # the reduction names a passed assembly decision
    "R27": ("hekou/shawo/contracts.csv", "2026-09-20:-3000", "2026-09-20:-3000:JY2026-02"),
    # accepted the day of the final payment
    "R30": ("hekou/shawo/contracts.csv", "2026-07-08", "2026-06-26"),
    # the first basic account was closed the day the second opened
    "R31": (
        "hekou/shawo/village.yml",
        'tail: "3721", opened: 2015-04-10}',
        'tail: "3721", opened: 2015-04-10, closed: 2026-06-02}',
    ),
}


def test_a_near_miss_of_each_plant_does_not_fire(county: Path) -> None:
    for rel, old, new in NEAR_MISSES.values():
        edit(county, rel, old, new)
    kept = [p for p in PLANTED if p[0] not in NEAR_MISSES]
    assert sorted(new_flags(county), key=str) == sorted(kept, key=str)


def test_r28_repaid_within_the_month_is_a_near_miss(county: Path) -> None:
    edit(
        county,
        L10,
        "2026-10-29,记-021,维修村内小桥护栏,51402,,1827.00,河口五金建材店,转账,发票,任玉华,",
        "2026-10-29,记-021,任玉华归还借支备用金,112,4586.00,,任玉华,转账,收据,,",
    )
    edit(county, "hekou/shawo/2026-10/disclosure.yml", 'bank: "256406.36"', 'bank: "262819.36"')
    assert [f for f in new_flags(county) if f[0] == "R28"] == []


def test_r24_filed_relative_is_a_near_miss_and_nothing_names_the_relation(county: Path) -> None:
    roster = county.parent / "relatives.yml"
    text = roster.read_text(encoding="utf-8")
    roster.write_text(
        text.replace("relation: 妻弟}", "relation: 妻弟, filed_at: 2026-07-01}"), encoding="utf-8"
    )
    assert [f for f in new_flags(county) if f[0] == "R24"] == []


def test_r24_public_text_names_no_one(county: Path) -> None:
    roster, _ = read_roster(county.parent / "relatives.yml", county)
    result = validate(county / "villages", county, today=AS_OF, roster=roster)
    assert result.county is not None
    (flag,) = [f for f in result.county.flags if f.rule == "R24"]
    public = repr(flag) + flag.zh + flag.en
    for secret in ("秦家富", "秦*富", "妻弟", "贾志刚", ":2"):
        assert secret not in public
    assert flag.zh == "一条需要核实的救助记录（2026-07 救助公示）。"
    assert "assistance.csv:2" in flag.detail and "贾志刚" in flag.detail


def test_roster_inside_the_project_is_refused(county: Path) -> None:
    inside = county / "relatives.yml"
    shutil.copy(county.parent / "relatives.yml", inside)
    roster, problems = read_roster(inside, county)
    assert roster == () and [p.code for p in problems] == ["roster-in-project"]


# --- each rule's other cases, on the small good county (tests/data/good) ------------------------
GTODAY = dt.date(2026, 11, 20)
DV = "villages/chengguan/dongshan"
L9 = "chengguan/dongshan/2026-09/ledger.csv"
Edit = Callable[[str, str, str], Path]


def rule_at(project: Path, rule: str) -> list[tuple[str, int | None]]:
    result = validate(project / "villages", project, today=GTODAY)
    assert result.county is not None, result.report.rows("path", "line", "code")
    return [(f.where.path, f.where.line) for f in result.county.flags if f.rule == rule]


def add_column(project: Path, rel: str, key: str, values: dict[int, str]) -> None:
    """Add an optional column to a CSV of the good county, with values by line."""
    path = project / "villages" / rel
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0] + "," + key]
    out += [line + "," + values.get(n, "") for n, line in enumerate(lines[1:], start=2)]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("deposits", "flagged"),
    [
        ('[{date: 2026-09-10, amount: "15000.00"}]', False),  # the 7th day
        ('[{date: 2026-09-11, amount: "15000.00"}]', True),  # the 8th
        ('[{date: 2026-09-05, amount: "14999.99"}]', True),  # a cent short
        ("[]", True),  # recorded: none
    ],
)
def test_r9_cash_receipt_banked_within_the_days(
    project: Path, edit: Edit, deposits: str, flagged: bool
) -> None:
    edit(L9, "15000.00,,城关镇财政所,转账", "15000.00,,城关镇财政所,现金")
    edit(
        "chengguan/dongshan/2026-09/disclosure.yml",
        "party_affairs: []",
        f"party_affairs: []\ndeposits: {deposits}",
    )
    assert rule_at(project, "R9") == ([(f"{DV}/2026-09/ledger.csv", 2)] if flagged else [])


def test_r9_without_deposits_recorded_only_same_day_cash_counts(project: Path, edit: Edit) -> None:
    edit(L9, "15000.00,,城关镇财政所,转账", "15000.00,,城关镇财政所,现金")
    assert rule_at(project, "R9") == []  # deposits are not kept here: the 7-day test waits
    edit(L9, "2026-09-18,记-003", "2026-09-03,记-003")
    assert rule_at(project, "R9") == [(f"{DV}/2026-09/ledger.csv", 4)]


CONTRACTS_GOOD = f"{DV}/contracts.csv"
VY = "chengguan/dongshan/village.yml"
DECISION_2 = """
  - id: JY2026-02
    matter: 村道硬化工程追加排水边沟
    steps:
      - {step: 两委会商议, date: 2026-08-10, due: 5, attended: 5, agreed: 5}
      - {step: 村民代表会议决议, date: VOTED, due: 30, attended: 26, agreed: 24, result: 通过}
"""


def add_decision(project: Path, voted: str) -> None:
    path = project / "villages/chengguan/dongshan/decisions.yml"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + DECISION_2.replace("VOTED", voted), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "voted", "flagged"),
    [
        ("+6199.99", "", False),  # under 20 % of 31,000
        ("+6200", "", True),  # 20 % itself
        ("-6200", "", True),  # a reduction counts as much as an increase
        ("+6200:JY2026-01", "", True),  # the contract's own decision is not a new one
        ("+6200:JY2026-02", "2026-08-15", False),  # a new decision voted first
        ("+6200:JY2026-02", "2026-08-21", True),  # voted after the change
    ],
)
def test_r15_change_orders_need_a_new_decision(
    project: Path, change: str, voted: str, flagged: bool
) -> None:
    if voted:
        add_decision(project, voted)
    add_column(project, "chengguan/dongshan/contracts.csv", "changes", {2: f"2026-08-20:{change}"})
    assert rule_at(project, "R15") == ([(CONTRACTS_GOOD, 2)] if flagged else [])


@pytest.mark.parametrize(
    ("debt", "flagged"),
    [
        ("", [(f"{DV}/2026-09/ledger.csv", 2)]),  # borrowed, nothing registered
        ("JK1,借款,城关镇财政所,15000.00,2026-09-01,,JY2026-01,2026-08-30,", []),
        (
            "JK1,借款,城关镇财政所,14999.99,2026-09-01,,JY2026-01,2026-08-30,",
            [(f"{DV}/2026-09/ledger.csv", 2)],
        ),
        ("JK1,借款,城关镇财政所,15000.00,2026-09-01,,JY2026-01,,", [(f"{DV}/debts.csv", 2)]),
        (
            "JK1,借款,城关镇财政所,15000.00,2026-07-01,,JY2026-01,2026-06-30,",
            [(f"{DV}/debts.csv", 2)],
        ),
        # a guarantee without a decision; and a guarantee is no loan: the borrowing stays open
        (
            "DB1,担保,城关建筑队,50000.00,2026-09-01,,,2026-08-30,",
            [(f"{DV}/debts.csv", 2), (f"{DV}/2026-09/ledger.csv", 2)],
        ),
    ],
)
def test_r16_borrowing_needs_a_registered_decided_filed_loan(
    project: Path, edit: Edit, debt: str, flagged: list[tuple[str, int]]
) -> None:
    edit(L9, "记-001,收到镇财政拨付村级组织运转经费,503", "记-001,向镇财政所借入周转金,201")
    if debt:
        (project / DV / "debts.csv").write_text(
            "id,kind,party,amount,date,end,decision_id,filed_at,note\n" + debt + "\n", "utf-8"
        )
    assert sorted(rule_at(project, "R16"), key=str) == sorted(flagged, key=str)


@pytest.mark.parametrize(("annual", "over"), [("200.00", False), ("199.99", True)])
def test_r18_pay_above_the_approved_standard(
    project: Path, edit: Edit, annual: str, over: bool
) -> None:
    add_decision(project, "2026-08-15")
    edit(
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付保洁员10月工资,51302,,200.00,孙桂兰",
        "发放委员误工补贴,51302,,200.00,阿依古丽·买买提",
    )
    edit(
        VY,
        "clerks:",
        f'cadre_pay:\n  - {{name: 阿依古丽·买买提, annual: "{annual}", decision_id: JY2026-02}}\nclerks:',
    )
    # JY2026-02 was voted by the representatives, not the village assembly itself
    expected = [(f"{DV}/village.yml", 13)] + ([(f"{DV}/2026-10/ledger.csv", 4)] if over else [])
    assert sorted(rule_at(project, "R18"), key=str) == sorted(expected, key=str)


def test_r18_silent_where_no_standards_are_kept(project: Path, edit: Edit) -> None:
    edit(
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付保洁员10月工资,51302,,200.00,孙桂兰",
        "发放委员误工补贴,51302,,200.00,阿依古丽·买买提",
    )
    assert rule_at(project, "R18") == []


@pytest.mark.parametrize(("allowed", "flagged"), [("true", False), ("false", True)])
def test_r21_any_hospitality_where_the_town_forbids_it(
    project: Path, edit: Edit, allowed: str, flagged: bool
) -> None:
    edit(L9, "支付村委会电费,51303", "村委会接待餐费,51303")
    edit("county.yml", "reply_days: 10", f"reply_days: 10\n  hospitality_allowed: {allowed}")
    assert rule_at(project, "R21") == ([(f"{DV}/2026-09/ledger.csv", 5)] if flagged else [])


@pytest.mark.parametrize(
    ("cause", "amount", "flagged"),
    [
        ("意外事故", "800.00", [(f"{DV}/2026-10/assistance.csv", 2)]),  # same cause, a month later
        ("医疗支出", "800.00", []),  # another cause
        ("医疗支出", "4200.00", []),  # six times 700 is the cap itself
        ("医疗支出", "4200.01", [(f"{DV}/2026-10/assistance.csv", 2)]),
    ],
)
def test_r25_relief_repeated_or_above_the_cap(
    project: Path, cause: str, amount: str, flagged: list[tuple[str, int]]
) -> None:
    add_column(project, "chengguan/dongshan/2026-09/assistance.csv", "cause", {3: "意外事故"})
    (project / DV / "2026-10/assistance.csv").write_text(
        "category,name,group,household_size,amount,notice_start,notice_end,status,cause\n"
        f"临时救助,欧阳明,第一村民小组,2,{amount},2026-10-10,2026-10-17,已批准,{cause}\n",
        "utf-8",
    )
    assert rule_at(project, "R25") == flagged


def test_r27_rent_reduced_without_a_decision(project: Path, edit: Edit) -> None:
    edit(
        "chengguan/dongshan/2026-08/ledger.csv",
        "收到东山果园承包租金",
        "收到东山果园承包租金（减免一半）",
    )
    assert rule_at(project, "R27") == [(f"{DV}/2026-08/ledger.csv", 2)]
    add_column(project, "chengguan/dongshan/contracts.csv", "changes", {3: "2026-08-01:-1200"})
    assert sorted(rule_at(project, "R27"), key=str) == sorted(
        [(CONTRACTS_GOOD, 3), (f"{DV}/2026-08/ledger.csv", 2)], key=str
    )


def test_r27_decided_reduction_is_a_near_miss(project: Path, edit: Edit) -> None:
    edit(
        "chengguan/dongshan/2026-08/ledger.csv",
        "收到东山果园承包租金",
        "收到东山果园承包租金（减免一半）",
    )
    add_column(
        project, "chengguan/dongshan/contracts.csv", "changes", {3: "2026-08-01:-1200:JY2026-01"}
    )
    assert rule_at(project, "R27") == []


def test_r28_cadre_receivable_open_past_the_days(project: Path, edit: Edit) -> None:
    edit(
        "chengguan/dongshan/2026-10/ledger.csv",
        "支付保洁员10月工资,51302,,200.00,孙桂兰,现金,收据,张建国",
        "王丽借支差旅费,112,,200.00,王丽,现金,收据,张建国",
    )
    result = validate(project / "villages", project, today=dt.date(2026, 11, 19))
    assert result.county is not None
    assert [f for f in result.county.flags if f.rule == "R28"] == []  # the 30th day
    assert rule_at(project, "R28") == [(f"{DV}/2026-10/ledger.csv", 4)]  # the 31st


@pytest.mark.parametrize(
    ("change", "accepted", "flagged"),
    [
        ("", "2026-10-08", []),  # accepted the day it was paid off
        ("", "2026-10-09", [(f"{DV}/2026-10/ledger.csv", 2)]),  # paid off before acceptance
        ("", "", []),  # the column is there, but the village keeps no acceptance yet
        (
            "2026-09-01:-1000",
            "2026-09-30",
            [(f"{DV}/2026-10/ledger.csv", 2)],
        ),  # paid 31,000 of 30,000
        (
            "2026-09-01:+1000",
            "2026-10-08",
            [],
        ),  # a small change is approved: 31,000 of 32,000, 尾款 accepted
    ],
)
def test_r30_paid_beyond_the_price_or_before_acceptance(
    project: Path, change: str, accepted: str, flagged: list[tuple[str, int]]
) -> None:
    add_column(project, "chengguan/dongshan/contracts.csv", "changes", {2: change})
    add_column(project, "chengguan/dongshan/contracts.csv", "accepted_at", {2: accepted})
    assert rule_at(project, "R30") == flagged


def test_r30_acceptance_judged_only_where_it_is_kept(project: Path) -> None:
    assert rule_at(project, "R30") == []  # no accepted_at column: the village keeps no acceptance


ACCOUNTS = """bank_accounts:
  - {id: JBH, bank: 城关农商银行, kind: 基本存款账户, tail: "3721"}
  - {id: YB, bank: 城关农业银行, kind: 一般存款账户, tail: "0856"DESIGNATED}
clerks:"""


@pytest.mark.parametrize(("designated", "flagged"), [("", True), (", designated: true", False)])
def test_r31_receipt_into_an_undesignated_account(
    project: Path, edit: Edit, designated: str, flagged: bool
) -> None:
    edit(VY, "clerks:", ACCOUNTS.replace("DESIGNATED", designated))
    add_column(
        project, "chengguan/dongshan/2026-09/ledger.csv", "bank_account", {2: "YB", 3: "JBH"}
    )
    assert rule_at(project, "R31") == ([(f"{DV}/2026-09/ledger.csv", 2)] if flagged else [])


def test_r31_unknown_account_is_a_record_error(project: Path, edit: Edit) -> None:
    edit(VY, "clerks:", ACCOUNTS.replace("DESIGNATED", ""))
    add_column(project, "chengguan/dongshan/2026-09/ledger.csv", "bank_account", {2: "XX"})
    result = validate(project / "villages", project, today=GTODAY)
    assert result.report.rows("path", "line", "field", "code") == [
        (f"{DV}/2026-09/ledger.csv", 2, "bank_account", "invalid-reference")
    ]


# --- R24 on the site and in the terminal -------------------------------------------------------
ROSTER = """relatives:
  - {village: chengguan/dongshan, name: 陈小芳, group: 第三村民小组, cadre: 张建国, relation: 表妹}
"""


def _run(project: Path, *args: str) -> tuple[int, str]:
    cwd = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(cwd)
    return result.exit_code, result.output


@pytest.mark.parametrize("on_site", [False, True])
def test_r24_reaches_the_site_only_when_turned_on_and_never_its_roster(
    project: Path, tmp_path: Path, edit: Edit, on_site: bool
) -> None:
    roster = tmp_path / "secret-roster.yml"
    roster.write_text(ROSTER, encoding="utf-8")
    if on_site:
        edit("county.yml", "reply_days: 10", "reply_days: 10\n  relatives_on_site: true")
    code, out = _run(project, "build", "--no-cache", "--relatives", str(roster))
    assert code == 0, out
    site = b"".join(p.read_bytes() for p in (project / "site").rglob("*") if p.is_file())
    # (陈小芳 herself is public: the 低保 notice and the ledger name her, as the board does)
    for secret in ("表妹", "secret-roster", "相符（关联干部", "assistance.csv:2", "roster entry"):
        assert secret.encode() not in site, secret
    phrase = "一条需要核实的救助记录（2026-09 救助公示）".encode()
    page = (project / "site/chengguan/dongshan/2026-09/index.html").read_bytes()
    assert (phrase in page) is on_site
    code, out = _run(project, "flags", "--relatives", str(roster), "--today", "2026-11-20")
    assert "仅供监督人员：villages/chengguan/dongshan/2026-09/assistance.csv:2" in out
    assert "表妹" not in out  # the relation is for the supervisors' own use only


def test_a_bad_roster_is_reported_without_its_content(project: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.yml"
    roster.write_text(ROSTER.replace("name: 陈小芳", "name: 陈小芳<b>"), encoding="utf-8")
    code, out = _run(project, "flags", "--relatives", str(roster))
    assert code == 1 and "roster-invalid" in out and "干部亲属名单第 2 行" in out
    assert "陈小芳" not in out and "表妹" not in out


def test_flags_by_village_puts_the_town_officer_s_villages_in_order(
    project: Path, edit: Edit
) -> None:
    edit(L9, "15000.00,,城关镇财政所,转账", "15000.00,,城关镇财政所,现金")
    edit(L9, "2026-09-18,记-003", "2026-09-03,记-003")
    _, out = _run(project, "flags", "--by", "village", "--today", "2026-11-20")
    lines = out.splitlines()
    assert lines[:3] == [
        "城关镇（chengguan）",
        "  东山村      1 条（警告 1）：R9×1",
        "  西湾村      0 条",
    ]


def test_v12_period_values_join_the_fingerprint_only_where_written(project: Path) -> None:
    import dataclasses

    from builder import model
    from builder.audit.fingerprint import fingerprint

    county = validate(project / "villages", project, today=GTODAY).county
    assert county is not None
    village = next(v for v in county.villages() if v.slug == "dongshan")
    period = village.periods[-1]
    assert period.deposits is None
    base = fingerprint(village, period)
    banked = dataclasses.replace(
        period, deposits=(model.Deposit(dt.date(2026, 10, 21), model.ZERO + 200),)
    )
    noted = dataclasses.replace(
        period, deposits=(model.Deposit(dt.date(2026, 10, 21), model.ZERO + 200, note="x"),)
    )
    prints = {base, fingerprint(village, banked), fingerprint(village, noted)}
    prints.add(fingerprint(village, dataclasses.replace(period, deposits=())))
    assert len(prints) == 4


def test_r30_a_village_that_keeps_acceptance_is_judged_on_every_project(project: Path) -> None:
    path = project / CONTRACTS_GOOD
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "HT2026-02,工程,村委会院墙维修,城关建筑队,简易招标,村级简易招标,9000.00,2026-09-01,"
        "2026-09-30,,\n",
        encoding="utf-8",
    )
    add_column(project, "chengguan/dongshan/contracts.csv", "accepted_at", {4: "2026-09-30"})
    assert rule_at(project, "R30") == [(f"{DV}/2026-10/ledger.csv", 2)]  # HT2026-01: never


def test_tools_write_an_extension_column_only_when_a_row_uses_it() -> None:
    from builder.format import layout, schema

    row = {"date": "2026-10-01", "voucher_no": "记-001", "summary": "收款"}
    assert layout.csv_text(schema.LEDGER, [row]).text.splitlines()[0].endswith(",contract_id")
    used = layout.csv_text(schema.LEDGER, [row, {**row, "bank_account": "JBH"}]).text
    assert used.splitlines()[0].endswith(",contract_id,bank_account")
    assert used.splitlines()[2].endswith(",JBH")
