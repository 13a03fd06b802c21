"""三清单 complete: power items carry 办理条件, 责任追究 and the owning department, and the
责任清单 (duties) is inherited 县 → 镇 → 村 like the power and negative lists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from builder import model
from builder.pipeline.validate import validate
from builder.publish.render import Renderer

V = "villages"
COUNTY_DUTIES = """duties:
  - id: D01
    who: 村党组织书记
    duties: [村级重大事项决策的第一责任人]
    accountability: 失职的由镇纪委约谈
    department: 镇纪委
  - id: D02
    who: 村报账员
    duties: [按期提交公开材料]
"""
TOWN_DUTIES = """remove: [D02]
duties:
  - id: D03
    who: 包村干部
    duties: [每月督导三务公开]
"""
VILLAGE_DUTIES = """duties:
  - id: D01
    who: 村党组织书记（东山村）
    duties: [村级重大事项决策的第一责任人, 每季度主持村情发布会]
"""


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def county(project: Path) -> tuple[model.County, list[tuple[str, int | None, str, str]]]:
    result = validate(project / V, project, today=dt.date(2026, 11, 20))
    rows = result.report.rows("path", "line", "field", "code")
    assert result.county is not None or rows
    return result.county, rows  # type: ignore[return-value]


def test_duties_are_inherited_county_town_village(project: Path) -> None:
    append(project / V / "powers.yml", COUNTY_DUTIES)
    town = project / V / "chengguan/powers.yml"
    text = town.read_text("utf-8").replace("inherit: true\n", "inherit: true\n" + TOWN_DUTIES, 1)
    town.write_text(text, encoding="utf-8")
    append(project / V / "chengguan/dongshan/powers.yml", VILLAGE_DUTIES)
    c, rows = county(project)
    assert rows == []
    by_slug = {v.slug: v.power_list.duties for v in c.villages()}
    dongshan = {d.id: (d.who, d.level) for d in by_slug["dongshan"]}
    assert dongshan == {"D01": ("村党组织书记（东山村）", "村"), "D03": ("包村干部", "镇")}
    xiwan = {d.id: (d.who, d.level, d.department) for d in by_slug["xiwan"]}
    assert xiwan == {"D01": ("村党组织书记", "县", "镇纪委"), "D03": ("包村干部", "镇", "")}
    page = Renderer(c).render().pages["chengguan/xiwan/index.md"]
    assert "责任清单" in page and "失职的由镇纪委约谈" in page


def test_a_duty_id_clashing_with_a_power_is_a_problem(project: Path) -> None:
    append(project / V / "powers.yml", "duties:\n  - {id: P01, who: 村会计, duties: [记账]}\n")
    _, rows = county(project)
    assert [(r[2], r[3]) for r in rows] == [("duties.id", "duplicate-id")]


def test_power_items_show_conditions_accountability_and_department(project: Path) -> None:
    path = project / V / "powers.yml"
    text = path.read_text("utf-8")
    anchor = "    basis: 《村民委员会组织法》第二十四条\n"
    assert anchor in text
    path.write_text(
        text.replace(
            anchor,
            anchor
            + "    conditions: [涉及集体资产的重大事项]\n"
            + "    accountability: 擅自决定的由镇纪委问责\n"
            + "    department: 镇经管站\n",
            1,
        ),
        encoding="utf-8",
    )
    c, rows = county(project)
    assert rows == []
    village = next(c.villages())
    power = next(p for p in village.power_list.powers if p.id == "P01")
    assert (power.conditions, power.accountability, power.department) == (
        ("涉及集体资产的重大事项",),
        "擅自决定的由镇纪委问责",
        "镇经管站",
    )
    page = Renderer(c).render().pages[village.url + "index.md"]
    for text in ("办理条件：", "涉及集体资产的重大事项", "主管部门：", "镇经管站", "责任追究："):
        assert text in page
