"""meetings.yml (a register, FORMAT.md) and R35: each kind held as often as the county says.

Value-based: the good records gain a register, then one meeting moves a day either side of
the county's limit; a bad count is a problem naming file, line and field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from builder.pipeline.validate import validate
from builder.publish.render import Renderer

DV = "villages/chengguan/dongshan"
REGISTER = """meetings:
  - id: HY2026-01
    kind: 村情发布会
    date: "2026-08-20"
    chaired_by: 张建国
    due: 40
    attended: 36
    agenda:
      - 通报上半年村级财务收支情况
    questions:
      - question: 村道什么时候修好？
        answer: 10月底前完工。
  - id: HY2026-02
    kind: 村情发布会
    date: "{second}"
"""


def setup(project: Path, second: str, days: int = 60) -> None:
    (project / DV / "meetings.yml").write_text(REGISTER.format(second=second), encoding="utf-8")
    county = project / "villages/county.yml"
    text = county.read_text("utf-8").replace(
        "  reply_days: 10\n", f"  reply_days: 10\n  meeting_days: {{村情发布会: {days}}}\n"
    )
    county.write_text(text, encoding="utf-8")


def r35(project: Path, today: dt.date) -> list[tuple[str, int | None, str]]:
    result = validate(project / "villages", project, today=today)
    assert result.county is not None, result.report.rows("path", "line", "field", "code")
    return [(f.where.path, f.where.line, f.zh) for f in result.county.flags if f.rule == "R35"]


@pytest.mark.parametrize(("second", "flagged"), [("2026-10-19", False), ("2026-10-20", True)])
def test_r35_a_gap_longer_than_the_county_allows(project: Path, second: str, flagged: bool) -> None:
    setup(project, second)
    found = [(p, line) for p, line, _ in r35(project, dt.date(2026, 11, 1))]
    # dongshan's periods start in August: the first meeting, on the 20th, is within 60 days
    mine = [f for f in found if f[0].startswith(DV)]
    assert mine == ([(f"{DV}/meetings.yml", 13)] if flagged else [])


def test_r35_counts_up_to_today_and_a_kind_not_set_is_not_checked(project: Path) -> None:
    setup(project, "2026-10-01")
    assert not [f for f in r35(project, dt.date(2026, 11, 30)) if f[0].startswith(DV)]
    late = [f for f in r35(project, dt.date(2026, 12, 1)) if f[0].startswith(DV)]
    assert late == [(f"{DV}/meetings.yml", None, late[0][2])]
    assert "截至 2026-12-01 已 61 天" in late[0][2]
    # xiwan keeps no register at all: flagged from its first period's first day
    assert [f for f in r35(project, dt.date(2026, 12, 1)) if "xiwan" in f[0]]


def test_more_present_than_due_is_a_problem(project: Path) -> None:
    setup(project, "2026-10-01")
    path = project / DV / "meetings.yml"
    path.write_text(path.read_text("utf-8").replace("attended: 36", "attended: 41"), "utf-8")
    result = validate(project / "villages", project, today=dt.date(2026, 11, 1))
    assert result.report.rows("path", "line", "field", "code") == [
        (f"{DV}/meetings.yml", 7, "meetings.attended", "attendance-count")
    ]


def test_the_meetings_page_shows_the_register(project: Path) -> None:
    setup(project, "2026-10-01")
    result = validate(project / "villages", project, today=dt.date(2026, 11, 1))
    assert result.county is not None
    pages = Renderer(result.county).render().pages
    page = pages["chengguan/dongshan/meetings/index.md"]
    assert page.index("2026-10-01 村情发布会") < page.index("2026-08-20 村情发布会")
    assert "问：村道什么时候修好？" in page and "答：10月底前完工。" in page
    assert "实到 36 人（应到 40 人）" in page
    assert "meetings/" in pages["chengguan/dongshan/index.md"]
