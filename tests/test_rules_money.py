"""The v1.2 rules (R9, R15, R16, R18, R21, R24, R25, R27, R28, R30, R31) on the example county:
each fires exactly where shawo plants it, and a near miss of each plant does not fire."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

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
    # 1,000.00 is the cap itself, not above it
    "R21": (L10, "接待县乡检查组用餐,513,,1268.00", "接待县乡检查组用餐,513,,1000.00"),
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


@pytest.mark.parametrize("rule", sorted(NEAR_MISSES, key=lambda r: int(r[1:])))
def test_near_miss_does_not_fire(county: Path, rule: str) -> None:
    edit(county, *NEAR_MISSES[rule])
    others = [p for p in PLANTED if p[0] != rule]
    assert sorted(new_flags(county), key=str) == sorted(others, key=str)


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
