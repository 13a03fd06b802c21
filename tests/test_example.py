"""The example county 云溪县 in villages/: data edited by hand, as a real county's records are.

These tests read the committed files and assert what the example promises to show (README,
content/): every kind of record, the power lists' inheritance, no personal data. Whether its
records are clean and raise every supervision rule is tested in test_rules.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_demo import (
    SUPERVISORS,
    TWO_COMMITTEES,
    assert_format_layout,
    assert_private_plain_text,
    load_yaml,
    villages,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example() -> Path:
    """The committed example county (read only)."""
    return ROOT / "villages"


def test_no_personal_data_or_invisible_characters(example: Path) -> None:
    assert_private_plain_text(example)


def test_layout_has_only_format_files(example: Path) -> None:
    assert_format_layout(example)


def test_example_county_has_the_promised_shape(example: Path) -> None:
    county = load_yaml(example / "county.yml")
    assert county["name"] == "云溪县" and re.fullmatch(r"[0-9]{12}", county["code"])
    assert county["names_online"] == "masked"
    assert {c["phone"] for c in county["contacts"]} == {"12388", "12345"}
    towns = sorted(p.parent for p in example.glob("*/town.yml"))
    assert len(towns) >= 2
    town_data = [load_yaml(t / "town.yml") for t in towns]
    assert any("parameters" in t for t in town_data), "one town overrides a parameter"
    hotlines = {t["contacts"][0]["phone"] for t in town_data}
    vs = list(villages(example))
    assert len(vs) >= 6
    for v in vs:
        assert len(v.periods) >= 6
        roles = v.roles
        two = {n for n, r in roles.items() if r & TWO_COMMITTEES}
        sup = {n for n, r in roles.items() if r & SUPERVISORS}
        assert two and sup and not two & sup
        assert any("报账员" in r for r in roles.values())
        ch = v.profile["channels"]
        assert re.fullmatch(r"0539-[0-9]{7}", ch["office_phone"])
        assert {h["phone"] for h in ch["hotlines"]} & hotlines, "the town's hotline is listed"
        assert ch["supervisor"] in sup
        assert v.profile["clerks"][0]["name"] in roles
    names = [n for v in vs for n in v.roles]
    assert any("·" in n for n in names), "a minority name with a middle dot"
    everything = "".join(p.read_text("utf-8") for p in example.rglob("*") if p.is_file())

    def not_gbk(c: str) -> bool:
        try:
            c.encode("gbk")
        except UnicodeEncodeError:
            return True
        return False

    assert any(not_gbk(c) for c in set(everything)), "a rare character outside GBK"
    for word in ("低保", "村道硬化", "四议两公开", "主题党日", "机动地发包"):
        assert word in everything, word
    codes = {r["account_code"][:3] for v in vs for _, _, rows, _ in v.periods for r in rows}
    assert {"501", "503", "513", "514", "212", "153", "241"} <= codes
    assert any(aid for v in vs for *_, aid in v.periods)


def test_example_power_lists_inherit_remove_and_add(example: Path) -> None:
    county = load_yaml(example / "powers.yml")
    powers = county["powers"]
    assert [p["id"] for p in powers] == [f"P{i:02d}" for i in range(1, 9)]
    assert all(4 <= len(p["steps"]) <= 7 and p["basis"].startswith("《") for p in powers)
    assert powers[0]["category"] == "重大决策"
    assert powers[0]["steps"] == [
        "党支部提议",
        "两委会商议",
        "党员大会审议",
        "村民代表会议决议",
        "决议公开",
        "实施结果公开",
    ]
    assert [n["id"] for n in county["negative"]] == [f"N{i:02d}" for i in range(1, 11)]
    assert all(n["text"].startswith("不准") for n in county["negative"])
    assert county["services"][0]["id"] == "S01"
    removed = added = 0
    for town in sorted(example.glob("*/powers.yml")):
        t = load_yaml(town)
        assert t["inherit"] == "true"
        upstream = {p["id"] for p in powers} | {p["id"] for p in t.get("powers", [])}
        for vp in sorted(town.parent.glob("*/powers.yml")):
            v = load_yaml(vp)
            assert v["inherit"] == "true"
            for rid in v.get("remove", []):
                assert rid in upstream
                removed += 1
            added += len(v.get("powers", []))
    assert removed and added
