"""Meetings are a register like the others, in a real git repository: once on the site, an entry
changes only with a correction entry of its own; a change shows field by field in `sunlight diff`
(and its JSON, against the published schema) and on the history page; the meetings a period's
page lists are in that period's fingerprint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

try:
    from conftest import make_project
    from test_audit import DONGSHAN, codes, edit, git, make_repo, sunlight
    from test_publisher import _conforms, audit, deploy
except ImportError:  # tests/ became a package
    from tests.conftest import make_project  # type: ignore[no-redef]
    from tests.test_audit import (  # type: ignore[no-redef]
        DONGSHAN,
        codes,
        edit,
        git,
        make_repo,
        sunlight,
    )
    from tests.test_publisher import _conforms, audit, deploy  # type: ignore[no-redef]

MEETINGS = f"{DONGSHAN}/meetings.yml"
REGISTER = """meetings:
  - id: HY2026-03
    kind: 村情发布会
    date: "2026-10-09"
    chaired_by: 张建国
    due: 60
    attended: 52
    agenda:
      - 通报三季度村级财务收支情况
    questions:
      - question: 村道什么时候硬化？
        answer: 已列入明年计划，资金到位后开工。
      - question: 集体仓库租给谁了？
"""


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """The test county, dongshan holding a meeting in October, published and deployed."""
    project = make_project(tmp_path / "project")
    (project / MEETINGS).write_text(REGISTER, encoding="utf-8")
    repo = make_repo(project)
    deploy(repo)
    return repo


def _correction(repo: Path, changes: str) -> None:
    (repo / f"{DONGSHAN}/corrections.yml").write_text(
        "meetings:\n  - id: HY2026-03\n    date: 2026-12-12\n"
        "    reason: 实到人数录入错误，按会议签到表改正\n    approved_by: 李秀英\n"
        f"    changes:\n{changes}",
        encoding="utf-8",
    )


def test_a_changed_attendance_fails_shows_field_by_field_and_passes_once_corrected(
    published: Path,
) -> None:
    repo = published
    edit(repo, MEETINGS, "attended: 52", "attended: 58")
    code, out = audit(repo)
    # the October page lists the meeting, so its fingerprint moved too
    assert code == 1 and set(codes(out)) == {"log-out-of-date", "register-edit"}
    assert "会议记录“HY2026-03”已在网站上公开" in out and "实到人数 52 → 58" in out
    code, out = sunlight(repo, "diff", "HEAD", ".")
    assert "东山村 会议记录“HY2026-03” 实到人数 52 → 58" in out
    code, out = sunlight(repo, "diff", "HEAD", ".", "--json")
    data = json.loads(out)
    root = Path(__file__).resolve().parent.parent
    schema = json.loads((root / "content/schema/diff.schema.json").read_text(encoding="utf-8"))
    assert _conforms(data, schema, {}) == [] and data["version"] == "1.1"
    change = next(c for c in data["changes"] if c["section"] == "meetings")
    assert (change["item"], change["field"], change["old"], change["new"]) == (
        "HY2026-03",
        "attended",
        "52",
        "58",
    )
    _correction(repo, '      - {field: 实到人数, old: "52", new: "58"}\n')
    assert sunlight(repo, "log", "update", "--today", "2026-12-12")[0] == 0
    assert audit(repo) == (0, "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n")
    _correction(repo, '      - {field: attended, old: "52", new: "60"}\n')  # not what changed
    code, out = audit(repo)
    assert code == 1 and codes(out) == ["correction-changes"]


def test_a_moved_date_and_a_rewritten_answer_are_edits_a_first_answer_is_progress(
    published: Path,
) -> None:
    repo = published
    asked = "- question: 集体仓库租给谁了？\n"
    edit(repo, MEETINGS, asked, asked + "        answer: 按合同公开。\n")
    code, out = audit(repo)
    assert codes(out) == ["log-out-of-date"]  # the first answer is progress, on a logged page
    assert sunlight(repo, "log", "update", "--today", "2026-12-12")[0] == 0
    assert audit(repo)[0] == 0
    edit(repo, MEETINGS, 'date: "2026-10-09"', 'date: "2026-10-19"')
    edit(repo, MEETINGS, "资金到位后开工", "资金到位后再议")
    code, out = audit(repo)
    assert code == 1 and "register-edit" in codes(out)
    assert "等 2 处" in out  # the date and the answer, not the first answer
    _, out = sunlight(repo, "diff", "HEAD", ".")
    assert "会议记录“HY2026-03” 日期 2026-10-09 → 2026-10-19" in out
    assert "问题1的答复 已列入明年计划，资金到位后开工。 → 已列入明年计划，资金到位后再议。" in out
    assert "问题2的答复 （空） → 按合同公开。" in out


def test_a_new_question_with_its_answer_is_one_edit(published: Path) -> None:
    repo = published
    asked = "- question: 集体仓库租给谁了？\n"
    more = "      - question: 低保怎么评？\n        answer: 按户评议。\n"
    edit(repo, MEETINGS, asked, asked + more)
    code, out = audit(repo)
    assert code == 1 and "register-edit" in codes(out)
    _correction(
        repo,
        "      - {field: 问题3, new: 低保怎么评？}\n      - {field: 问题3的答复, new: 按户评议。}\n",
    )
    code, out = audit(repo)
    assert "register-edit" not in codes(out) and "correction-changes" not in codes(out), out


def test_the_history_page_shows_the_meetings_change(published: Path) -> None:
    from builder.pipeline.validate import validate
    from builder.publish.audit_pages import add_audit_pages
    from builder.publish.render import Rendered

    repo = published
    edit(repo, MEETINGS, "attended: 52", "attended: 58")
    git(repo, "commit", "-qam", "改人数", "--no-verify", date="2026-12-11T10:00:00+08:00")
    result = validate(repo / "villages", repo)
    assert result.county is not None
    rendered = Rendered()
    add_audit_pages(rendered, result.county, repo / "villages", "2026-12-12", lambda v: True)
    page = rendered.pages["chengguan/dongshan/history/index.md"]
    assert "会议记录“HY2026-03” 实到人数 52 → 58" in page


def test_the_meetings_of_a_periods_month_are_in_its_fingerprint(tmp_path: Path) -> None:
    from builder.audit.fingerprint import canonical_v2_data, fingerprint
    from builder.pipeline.validate import validate

    def prints(project: Path) -> dict[str, str]:
        result = validate(project / "villages", project)
        assert result.county is not None
        village = next(v for v in result.county.villages() if v.slug == "dongshan")
        return {p.period: fingerprint(village, p) for p in village.periods}

    bare = prints(make_project(tmp_path / "bare"))
    held = make_project(tmp_path / "held")
    (held / MEETINGS).write_text(REGISTER, encoding="utf-8")
    with_meeting = prints(held)
    # only October held a meeting: the other months keep the fingerprint they had
    assert {k for k in bare if bare[k] != with_meeting[k]} == {"2026-10"}
    edit(held, MEETINGS, "chaired_by: 张建国", "chaired_by: 王丽")
    assert prints(held)["2026-10"] != with_meeting["2026-10"]
    result = validate(held / "villages", held)
    assert result.county is not None
    village = next(v for v in result.county.villages() if v.slug == "dongshan")
    october = next(p for p in village.periods if p.period == "2026-10")
    shown = canonical_v2_data(village, october)["registers"]["meetings"]
    assert [m["id"] for m in shown] == ["HY2026-03"] and shown[0]["chaired_by"] == "王丽"
