"""A published month fixed from its workbook: `sunlight import` goes through the correction
flow of `sunlight correct` in a real git repository with a real publication log — the entry,
the balance carried into later months with their own entries, the log — and puts every file
back when the correction is refused."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from pathlib import Path

import openpyxl
import pytest

try:
    from test_audit import NOV, OCT, add_november, codes, git, make_repo, sunlight
except ImportError:  # tests/ became a package
    from tests.test_audit import (  # type: ignore[no-redef]
        NOV,
        OCT,
        add_november,
        codes,
        git,
        make_repo,
        sunlight,
    )

BOOK = "workbooks/dongshan-2026-10.xlsx"
DAY = "2026-12-08"  # 李秀英 sits on the supervision committee until 2026-12-09
REASON = "第3行保洁员10月工资多记了20元，按收据改为180.00"


def files(repo: Path) -> dict[str, bytes]:
    """Every file a correction may touch: the records and the log."""
    found = sorted(p for p in (repo / "villages").rglob("*") if p.is_file())
    out = {p.relative_to(repo).as_posix(): p.read_bytes() for p in found}
    out["publication-log.jsonl"] = (repo / "publication-log.jsonl").read_bytes()
    return out


def log_lines(repo: Path) -> list[dict[str, object]]:
    text = (repo / "publication-log.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def edit_october(repo: Path, **correction: object) -> None:
    """What a clerk does in Excel: the cleaner's October pay (收支明细!F4) 200 → 180, and the
    更正 sheet filled in (B2 date, B3 reason, B4 approver)."""
    book = openpyxl.load_workbook(repo / BOOK)
    assert book["收支明细"]["F4"].value in (200, 180)
    assert book["收支明细"]["C4"].value.startswith("支付保洁员")
    book["收支明细"]["F4"] = 180
    sheet = book["更正"]
    assert [sheet[f"A{r}"].value for r in (2, 3, 4)] == ["更正日期", "更正原因", "批准人"]
    for cell, key in (("B2", "date"), ("B3", "reason"), ("B4", "approver")):
        if key in correction:
            sheet[cell] = correction[key]
    book.save(repo / BOOK)


@pytest.fixture
def published(project: Path) -> Path:
    """August to November published and logged (November on 2026-12-06), tagged `published`;
    October's workbook exported."""
    repo = make_repo(project)
    git(repo, "tag", "published")
    code, out = sunlight(repo, "workbook", "chengguan/dongshan", "2026-10")
    assert code == 0, out
    return repo


def test_an_unchanged_published_month_writes_nothing(published: Path) -> None:
    before = files(published)
    code, out = sunlight(published, "import", BOOK, "--today", DAY)
    assert code == 0, out
    assert "表格内容与公开记录中的版本相同：没有改动，没有写入任何文件" in out
    assert "已写入" not in out
    assert files(published) == before


def test_a_changed_amount_is_corrected_carried_and_logged(published: Path) -> None:
    repo = published
    before = log_lines(repo)
    edit_october(repo, date=dt.date(2026, 12, 8), reason=REASON, approver="李秀英")
    code, out = sunlight(repo, "import", BOOK, "--today", DAY)
    assert code == 0, out
    assert "东山村 2026-10 收支明细第4行 支出 200.00 → 180.00" in out
    assert "东山村 2026-11 期初余额·库存现金 800.00 → 820.00" in out
    assert "更正：日期 2026-12-08（更正!B2），原因 " in out and "批准人 李秀英（更正!B4）" in out
    assert f"已把余额的变化结转到 / carried the balance change into: {NOV}/disclosure.yml" in out
    october = (repo / OCT / "disclosure.yml").read_text(encoding="utf-8")
    assert october.endswith(
        "corrections:\n"
        "  - date: 2026-12-08\n"
        f'    reason: "{REASON}"\n'
        '    approved_by: "李秀英"\n'
        "    changes:\n"
        '      - {section: ledger, line: 4, field: "expense", old: "200.00", new: "180.00"}\n'
        '      - {section: header, field: "closing.cash", old: "800.00", new: "820.00"}\n'
    )
    november = (repo / NOV / "disclosure.yml").read_text(encoding="utf-8")
    assert 'opening: {cash: "820.00", bank: "341900.50"}' in november
    assert 'closing: {cash: "700.00", bank: "342900.50"}' in november
    assert "因 2026-10 更正，本期期初、期末余额随之结转调整。" in november
    assert ",180.00,孙桂兰," in (repo / OCT / "ledger.csv").read_text(encoding="utf-8")
    after = log_lines(repo)
    assert after[: len(before)] == before
    assert [(e["village"], e["period"], e["corrections"]) for e in after[len(before) :]] == [
        ("chengguan/dongshan", "2026-10", 1),
        ("chengguan/dongshan", "2026-11", 1),
    ]
    git(repo, "add", "villages", "publication-log.jsonl")
    git(repo, "commit", "-qm", "东山村 2026-10 更正", date=f"{DAY}T10:00:00+08:00")
    assert sunlight(repo, "check", "--since", "published", "--today", DAY) == (
        0,
        "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n",
    )
    # the same workbook again: the month is as now logged
    code, out = sunlight(repo, "import", BOOK, "--today", DAY)
    assert code == 0 and "没有改动，没有写入任何文件" in out
    # exported again, the month shows its correction and comes back byte for byte
    held = files(repo)
    assert sunlight(repo, "workbook", "chengguan/dongshan", "2026-10")[0] == 0
    shown = [
        row
        for row in openpyxl.load_workbook(repo / BOOK)["更正"].iter_rows(values_only=True)
        if row[0] == "2026-12-08"
    ]
    assert shown == [("2026-12-08", REASON, "李秀英")]
    code, out = sunlight(repo, "import", BOOK, "--today", DAY)
    assert code == 0 and "没有改动" in out
    assert files(repo) == held


def test_a_bad_approver_is_refused_at_its_cell_and_nothing_changes(published: Path) -> None:
    repo = published
    before = files(repo)
    edit_october(repo, date=dt.date(2026, 12, 8), reason=REASON, approver="王丽")  # the drafter
    code, out = sunlight(repo, "import", BOOK, "--today", DAY)
    assert code == 1
    assert f"{BOOK} 更正!B4: 更正记录·批准人 corrections.approved_by: " in out
    assert codes(out) == ["correction-approver"]
    assert "有错误，没有写入任何文件" in out
    assert files(repo) == before
    # given on the command line, the option is named; a hollow reason too
    code, out = sunlight(
        repo, "import", BOOK, "--today", DAY, "--approver", "王丽", "--reason", "改正"
    )  # fmt: skip
    assert code == 1
    assert "--approver: 更正记录·批准人" in out and "--reason: 更正记录·更正原因" in out
    assert sorted(codes(out)) == ["correction-approver", "correction-reason"]
    assert files(repo) == before
    # a date before the publication is refused at its cell
    edit_october(repo, date=dt.date(2026, 11, 1), approver="李秀英")
    code, out = sunlight(repo, "import", BOOK, "--today", DAY)
    assert code == 1 and f"{BOOK} 更正!B2: " in out and codes(out) == ["correction-date"]
    assert files(repo) == before


def test_missing_answers_name_the_cells_and_the_options(published: Path) -> None:
    repo = published
    before = files(repo)
    edit_october(repo)  # the amount changed, the 更正 sheet left empty; nobody to ask
    code, out = sunlight(repo, "import", BOOK, "--today", DAY, "--yes")
    assert code == 1
    assert "更正!B3: 更正原因 reason: 2026-10 已经公开，导入会为改动写一条更正记录" in out
    assert "“更正”表的 B4，或在命令后加 --approver" in out
    assert codes(out) == ["workbook-answer", "workbook-answer"]
    assert files(repo) == before
    # the answers on the command line are enough (the date defaults to today)
    code, out = sunlight(
        repo, "import", BOOK, "--today", DAY, "--reason", REASON, "--approver", "李秀英"
    )  # fmt: skip
    assert code == 0, out
    assert "日期 2026-12-08（今天）" in out and "批准人 李秀英（--approver）" in out


def test_a_draft_months_corrections_survive_an_import(project: Path) -> None:
    """A month not in the log is rewritten from the workbook, but what the workbook does not
    show (its corrections, its deposits) stays in disclosure.yml as it was."""
    repo = project  # no log: every month is a draft
    add_november(repo)
    path = repo / NOV / "disclosure.yml"
    kept = (
        "corrections:\n"
        "  - date: 2026-12-04\n"
        '    reason: "第2行保洁员工资录入错误，12.00 应为 120.00"\n'
        '    approved_by: "李秀英"\n'
    )
    path.write_text(path.read_text(encoding="utf-8") + kept, encoding="utf-8")
    assert sunlight(repo, "workbook", "chengguan/dongshan", "2026-11")[0] == 0
    book = openpyxl.load_workbook(repo / "workbooks/dongshan-2026-11.xlsx")
    assert "更正" not in book.sheetnames  # not published: no correction to write
    book["收支明细"]["C3"] = "支付保洁员11月工资（孙桂兰）"
    book.save(repo / "workbooks/dongshan-2026-11.xlsx")
    code, out = sunlight(repo, "import", "workbooks/dongshan-2026-11.xlsx", "--today", DAY)
    assert code == 0, out
    text = path.read_text(encoding="utf-8")
    assert text.endswith(kept) and text.count("corrections:") == 1
    assert "支付保洁员11月工资（孙桂兰）" in (repo / NOV / "ledger.csv").read_text(encoding="utf-8")


def test_a_published_months_ledger_csv_is_corrected_with_the_options(published: Path) -> None:
    """A ledger CSV into a published month: the same correction flow, the answers given as
    options (a CSV has no 更正 sheet); a missing one is asked for by its option."""
    repo = published
    ledger = (repo / OCT / "ledger.csv").read_text(encoding="utf-8")
    (repo / "oct.csv").write_bytes(ledger.replace(",200.00,孙桂兰", ",180.00,孙桂兰").encode("gbk"))
    before = files(repo)
    code, out = sunlight(repo, "import", "oct.csv", "chengguan/dongshan", "2026-10", "--today", DAY)
    assert code == 1
    assert (
        "oct.csv: 更正原因 reason: 2026-10 已经公开，导入会为改动写一条更正记录：请填写“更正原因”（在命令后加 --reason …）"
        in out
    )
    assert files(repo) == before
    code, out = sunlight(
        repo, "import", "oct.csv", "chengguan/dongshan", "2026-10", "--today", DAY,
        "--reason", REASON, "--approver", "李秀英", "--date", DAY,
    )  # fmt: skip
    assert code == 0, out
    assert "东山村 2026-10 收支明细第4行 支出 200.00 → 180.00" in out
    assert 'reason: "因 2026-10 更正' in (repo / NOV / "disclosure.yml").read_text(encoding="utf-8")
    git(repo, "add", "villages", "publication-log.jsonl")
    git(repo, "commit", "-qm", "东山村 2026-10 更正", date=f"{DAY}T10:00:00+08:00")
    assert sunlight(repo, "check", "--since", "published", "--today", DAY)[0] == 0


def test_the_guides_correction_steps_work_as_written(published: Path) -> None:
    """content/guide.md's 改正已公开的月份, typed as it stands (the workbook edited between)."""
    guide = (Path(__file__).resolve().parent.parent / "content/guide.md").read_text(
        encoding="utf-8"
    )
    section = guide.split("## 改正已公开的月份", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    commands = [
        shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()
    ]
    ran = []
    for words in commands:
        if words[0] == "sunlight":
            if words[1] == "import":
                edit_october(published, date=dt.date(2026, 12, 8), reason=REASON, approver="李秀英")
            code, out = sunlight(
                published, *words[1:], *(["--today", DAY] if words[1] != "workbook" else [])
            )
            assert code == 0, (words, out)
        elif words[:2] != ["git", "push"]:
            git(published, *words[1:], date=f"{DAY}T10:00:00+08:00")
        ran.append(words[1])
    assert ran == ["workbook", "import", "check", "add", "commit", "push"]
    # everything the correction wrote is committed (the workbook and the cache stay outside)
    assert git(published, "status", "--porcelain").split() == ["??", ".build/", "??", "workbooks/"]
    assert sunlight(published, "check", "--since", "published", "--today", DAY)[0] == 0
