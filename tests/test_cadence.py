"""The other 三务 kinds on time (builder/rules/cadence.py): R33, R34, R36, at their boundaries.

Each test edits the good records as a clerk would and checks the flags one day either side of
the deadline; the on-time page lists the same lateness under the same rule id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.pipeline.validate import validate
from builder.publish.render import Renderer

DV = "villages/chengguan/dongshan"
Edit = Callable[[str, str, str], Path]


def rule_flags(project: Path, rule: str, today: dt.date) -> list[tuple[str, int | None]]:
    result = validate(project / "villages", project, today=today)
    assert result.county is not None, result.report.rows("path", "line", "field", "code")
    return [(f.where.path, f.where.line) for f in result.county.flags if f.rule == rule]


MONTHLY = "  reply_days: 10\n  village_affairs_months: 1\n  party_affairs_months: 1\n"


@pytest.mark.parametrize(("today", "flagged"), [((2026, 10, 15), False), ((2026, 10, 16), True)])
def test_r34_a_month_without_party_affairs(
    project: Path, edit: Edit, today: tuple[int, int, int], flagged: bool
) -> None:
    # dongshan published no party affairs for September; the default quarter still has August's
    assert rule_flags(project, "R34", dt.date(*today)) == []
    edit("county.yml", "  reply_days: 10\n", MONTHLY)
    found = [f for f in rule_flags(project, "R34", dt.date(*today)) if f[0].startswith(DV)]
    assert found == ([(DV, None)] if flagged else [])


@pytest.mark.parametrize(("published", "flagged"), [("2026-09-15", False), ("2026-09-16", True)])
def test_r33_village_affairs_published_late(
    project: Path, edit: Edit, published: str, flagged: bool
) -> None:
    edit("county.yml", "  reply_days: 10\n", MONTHLY)
    edit(
        "chengguan/dongshan/2026-08/disclosure.yml",
        "published_at: 2026-09-05",
        f"published_at: {published}",
    )
    found = [f for f in rule_flags(project, "R33", dt.date(2026, 11, 20)) if f[0].startswith(DV)]
    assert found == ([(f"{DV}/2026-08/disclosure.yml", 7)] if flagged else [])


@pytest.mark.parametrize(("posted", "flagged"), [("2026-07-17", False), ("2026-07-18", True)])
def test_r36_decision_posted_late(project: Path, edit: Edit, posted: str, flagged: bool) -> None:
    edit(
        "chengguan/dongshan/decisions.yml",
        "{step: 决议公开, date: 2026-07-13}",
        f"{{step: 决议公开, date: {posted}}}",
    )
    found = rule_flags(project, "R36", dt.date(2026, 11, 20))
    assert found == ([(f"{DV}/decisions.yml", 11)] if flagged else [])


def test_ontime_page_counts_each_rules_flags(project: Path, edit: Edit) -> None:
    edit(
        "chengguan/dongshan/decisions.yml",
        "{step: 决议公开, date: 2026-07-13}",
        "{step: 决议公开, date: 2026-07-30}",
    )
    result = validate(project / "villages", project, today=dt.date(2026, 11, 20))
    assert result.county is not None
    page = Renderer(result.county).render().pages["ontime/index.md"]
    dongshan = next(line for line in page.splitlines() if ">东山村<" in line)
    cells = dongshan.split("</td>")[1:6]  # 财务 村务 党务 重大事项 点题
    assert "逾期 1" in cells[3] and all("按时" in c for c in cells[:3])
    assert "R36" in page and "决议后 5 天内" in page
