"""No quiet edits, even by the publisher: each attempt of a dishonest publisher fails, in a real
git repository (force pushes, orphan commits, [skip ci] pushes, backdated commits), judged
against the last *published* commit (the tag the deploy job writes) and the live site's log;
a legitimate correction, a pure reformatting and a renamed folder pass."""

from __future__ import annotations

import shutil
from dataclasses import replace as dataclass_replace
from pathlib import Path

import pytest

from builder.audit.corrections import is_real_reason

try:
    from conftest import make_project
    from test_audit import (
        CORRECTION,
        DONGSHAN,
        NOV,
        OCT,
        _cut_cleaner_pay,
        add_november,
        codes,
        correct,
        correct_file,
        edit,
        git,
        make_repo,
        publish,
        sunlight,
    )
except ImportError:  # tests/ became a package
    from tests.conftest import make_project  # type: ignore[no-redef]
    from tests.test_audit import (  # type: ignore[no-redef]
        CORRECTION,
        DONGSHAN,
        NOV,
        OCT,
        _cut_cleaner_pay,
        add_november,
        codes,
        correct,
        correct_file,
        edit,
        git,
        make_repo,
        publish,
        sunlight,
    )

TAG = "sunlight-published"


def deploy(repo: Path) -> None:
    """What the deploy job does after the audit passed: the tag moves to the deployed commit,
    and the live site serves that commit's log."""
    git(repo, "tag", "-f", TAG, "HEAD")
    shutil.copy(repo / "publication-log.jsonl", repo.parent / "live-log.jsonl")


def audit(repo: Path, day: str = "2026-12-12") -> tuple[int, str]:
    """What the audit job runs: check --since the published tag, with the live site's log."""
    return sunlight(
        repo,
        "check",
        "--since",
        TAG,
        "--site-log",
        str(repo.parent / "live-log.jsonl"),
        "--today",
        day,
    )


@pytest.fixture
def published(project: Path) -> Path:
    repo = make_repo(project)
    deploy(repo)
    return repo


# --- 2. the baseline lives outside the branch -------------------------------------------------------
def test_a_force_push_that_rewrites_a_published_month_fails(published: Path) -> None:
    repo = published
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # history rewritten, as a force push would
    add_november(repo)
    edit(repo, f"{NOV}/ledger.csv", "120.00,孙桂兰", "12.00,孙桂兰")
    edit(repo, f"{NOV}/disclosure.yml", 'closing: {cash: "680.00"', 'closing: {cash: "788.00"')
    publish(repo, "2026-12-06", "东山村十一月公开")
    # against the push's own parent, the rewritten month looks new and clean
    assert sunlight(repo, "check", "--since", "HEAD~1", "--today", "2026-12-12")[0] == 0
    code, out = audit(repo)
    assert code == 1
    assert set(codes(out)) == {"log-rewritten", "silent-edit"}
    assert "收支明细第3行 支出 120.00 → 12.00" in out


def _start_afresh(repo: Path) -> None:
    """A history begun anew (an orphan commit): October's ledger changed, the log written anew
    to match it."""
    git(repo, "checkout", "-q", "--orphan", "fresh")
    edit(repo, f"{OCT}/ledger.csv", "支付村道硬化工程尾款", "支付村道工程尾款")
    (repo / "publication-log.jsonl").unlink()
    sunlight(repo, "log", "update", "--today", "2026-12-12")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "重新开始", date="2026-12-12T10:00:00+08:00")


def test_an_orphan_commit_fails(published: Path) -> None:
    repo = published
    _start_afresh(repo)
    code, out = audit(repo)
    assert code == 1 and {"log-rewritten", "silent-edit"} <= set(codes(out))


def test_a_skip_ci_push_then_a_harmless_one_fails(published: Path) -> None:
    repo = published
    _cut_cleaner_pay(repo)
    git(repo, "commit", "-qam", "调整 [skip ci]", "--no-verify", date="2026-12-11T10:00:00+08:00")
    (repo / "README-村.txt").write_text("说明\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "补充说明", date="2026-12-11T11:00:00+08:00")
    # the second push's "before" is the unchecked first push: nothing looks changed
    code, _ = sunlight(repo, "check", "--since", "HEAD~1", "--today", "2026-12-12")
    assert code == 1  # plain check already refuses the uncorrected edit (the log says otherwise)
    code, out = audit(repo)
    assert code == 1 and "silent-edit" in codes(out)


def test_a_red_push_followed_by_a_fix_fails(published: Path) -> None:
    repo = published
    edit(repo, f"{NOV}/ledger.csv", "1000.00", "1,000")  # red: the records do not read
    edit(repo, f"{OCT}/ledger.csv", "支付村道硬化工程尾款", "支付村道工程尾款")
    git(repo, "commit", "-qam", "红", "--no-verify", date="2026-12-11T10:00:00+08:00")
    edit(repo, f"{NOV}/ledger.csv", "1,000", "1000.00")  # the "fix" keeps the October edit
    git(repo, "commit", "-qam", "修好", "--no-verify", date="2026-12-11T11:00:00+08:00")
    code, out = audit(repo)
    assert code == 1 and codes(out).count("silent-edit") == 1
    assert "支付村道硬化工程尾款 → 支付村道工程尾款" in out


def test_deleting_a_month_then_re_adding_it_altered_fails(published: Path) -> None:
    repo = published
    saved = repo.parent / "nov"
    shutil.copytree(repo / NOV, saved)
    shutil.rmtree(repo / NOV)
    git(repo, "commit", "-qam", "删除十一月", "--no-verify", date="2026-12-11T10:00:00+08:00")
    shutil.copytree(saved, repo / NOV)
    _cut_cleaner_pay(repo)
    code, out = sunlight(repo, "log", "update", "--today", "2026-12-12")
    assert code == 1 and codes(out) == ["silent-edit"]  # the log will not fingerprint it
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "恢复十一月", "--no-verify", date="2026-12-11T11:00:00+08:00")
    # even against the deleting push (the push event's "before"), the log it carried holds
    code, out = sunlight(repo, "check", "--since", "HEAD~1", "--today", "2026-12-12")
    assert code == 1 and "silent-edit" in codes(out)
    assert audit(repo)[0] == 1


def test_the_live_log_counts_even_when_the_tag_is_old(published: Path) -> None:
    """A tag that lags (or was moved back) does not free what the live site already shows."""
    repo = published
    git(repo, "tag", "-f", TAG, "HEAD~1")  # the tag points before November
    _cut_cleaner_pay(repo)
    git(repo, "commit", "-qam", "改", "--no-verify", date="2026-12-11T10:00:00+08:00")
    code, out = audit(repo)
    assert code == 1 and "silent-edit" in codes(out)
    # a log rewritten the way the tag's log allows, but not the live one
    git(repo, "reset", "-q", "--hard", TAG)
    add_november(repo)
    _cut_cleaner_pay(repo)
    sunlight(repo, "log", "update", "--today", "2026-12-06")
    code, out = audit(repo)
    assert code == 1 and codes(out) == ["site-log-rewritten", "silent-edit"]
    assert "公开记录与线上网站上的" in out


def test_a_deleted_tag_does_not_free_what_the_live_site_shows(published: Path) -> None:
    """Without the tag the audit has no published commit to compare with; a publisher who
    deletes it, then starts a history afresh with a published month changed and the log
    written anew to match, passes the plain check. The live site's log still holds: the audit
    checks the log here keeps its every line (check --site-log, no --since)."""
    repo = published
    live = str(repo.parent / "live-log.jsonl")
    git(repo, "tag", "-d", TAG)
    _start_afresh(repo)
    assert sunlight(repo, "check", "--today", "2026-12-12")[0] == 0  # the gap
    code, out = sunlight(repo, "check", "--site-log", live, "--today", "2026-12-12")
    assert code == 1 and codes(out) == ["site-log-rewritten"], out
    assert "公开记录与线上网站上的" in out


def test_without_the_tag_an_honest_month_passes_against_the_live_log(published: Path) -> None:
    repo = published
    git(repo, "tag", "-d", TAG)
    (repo / "README-村.txt").write_text("说明\n", encoding="utf-8")
    publish(repo, "2026-12-11", "补充说明")
    code, out = sunlight(
        repo, "check", "--site-log", str(repo.parent / "live-log.jsonl"), "--today", "2026-12-12"
    )
    assert code == 0, out


# --- 3. the checker is not the change -------------------------------------------------------------
def test_a_tool_change_with_published_records_is_refused(published: Path) -> None:
    repo = published
    (repo / "builder").mkdir()
    (repo / "builder/weaker.py").write_text("ALLOW = True\n", encoding="utf-8")
    correct(repo)
    sunlight(repo, "log", "update", "--today", "2026-12-10")
    code, out = audit(repo)
    assert code == 1 and codes(out) == ["code-with-records"]
    assert "builder/weaker.py" in out
    (repo / "builder/weaker.py").unlink()  # the correction alone passes
    assert audit(repo)[0] == 0


def test_codeowners_covers_the_tool() -> None:
    root = Path(__file__).resolve().parent.parent
    owners = (root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    for path in ("/builder/", "/site_templates/", "/.github/", "/hooks/"):
        assert any(
            line.split()[0] == path
            for line in owners.splitlines()
            if line.strip() and not line.startswith("#")
        )


# --- 4. published means "in the log" --------------------------------------------------------------
def test_a_backdated_commit_cannot_turn_a_published_month_into_a_draft(published: Path) -> None:
    repo = published
    edit(repo, f"{NOV}/disclosure.yml", "published_at: 2026-12-05", "published_at: 2027-01-05")
    edit(repo, f"{NOV}/ledger.csv", "120.00,孙桂兰", "12.00,孙桂兰")
    edit(repo, f"{NOV}/disclosure.yml", 'closing: {cash: "680.00"', 'closing: {cash: "788.00"')
    git(repo, "commit", "-qam", "草稿", "--no-verify", date="2026-11-01T10:00:00+08:00")
    code, out = audit(repo)
    assert code == 1 and "silent-edit" in codes(out)


def _december_draft(repo: Path) -> str:
    """A December month whose published_at (2027-01-05) is still to come: a draft."""
    dec = f"{DONGSHAN}/2026-12"
    shutil.copytree(repo / NOV, repo / dec)
    for old, new in (
        ("2026-11", "2026-12"),
        ("2026-12-05", "2027-01-05"),
        ("2026-12-03", "2027-01-03"),
    ):
        edit(repo, f"{dec}/disclosure.yml", old, new)
    edit(
        repo,
        f"{dec}/disclosure.yml",
        'opening: {cash: "800.00", bank: "341900.50"}',
        'opening: {cash: "680.00", bank: "342900.50"}',
    )
    edit(
        repo,
        f"{dec}/disclosure.yml",
        'closing: {cash: "680.00", bank: "342900.50"}',
        'closing: {cash: "560.00", bank: "343900.50"}',
    )
    for old in ("2026-11-03", "2026-11-20"):
        edit(repo, f"{dec}/ledger.csv", old, old.replace("2026-11", "2026-12"))
    edit(repo, f"{dec}/ledger.csv", "11月工资", "12月工资")
    return dec


def test_a_draft_is_not_logged_and_may_change(published: Path) -> None:
    repo = published
    dec = _december_draft(repo)
    publish(repo, "2026-12-20", "十二月草稿")
    log_text = (repo / "publication-log.jsonl").read_text(encoding="utf-8")
    assert '"period":"2026-12"' not in log_text  # a draft has no fingerprint yet
    edit(repo, f"{dec}/ledger.csv", "1000.00", "1100.00")
    edit(repo, f"{dec}/disclosure.yml", 'bank: "343900.50"', 'bank: "344000.50"')
    assert audit(repo, "2026-12-21")[0] == 0


# --- 8. corrections mean something ---------------------------------------------------------------
def test_a_legitimate_correction_passes(published: Path) -> None:
    correct(published)
    assert sunlight(published, "log", "update", "--today", "2026-12-10")[0] == 0
    assert audit(published, "2026-12-10") == (
        0,
        "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n",
    )


@pytest.mark.parametrize(
    ("entry", "code", "words"),
    [
        (
            CORRECTION.replace("approved_by: 李秀英", "approved_by: 王丽"),
            "correction-approver",
            "不是村务监督委员会成员",
        ),
        (
            CORRECTION.replace("approved_by: 李秀英", "approved_by: 张建国"),
            "correction-approver",
            "不是村务监督委员会成员",
        ),
        (
            CORRECTION.replace(
                "reason: 第3行保洁员工资录入错误，120.00 应为 12.00", "reason: 更正"
            ),
            "correction-reason",
            "没有说清楚",
        ),
        (
            CORRECTION.replace('new: "12.00"', 'new: "10.00"'),
            "correction-changes",
            "没有列出实际的改动",
        ),
        (
            CORRECTION.replace(
                '      - {section: header, field: closing.cash, old: "680.00", new: "788.00"}\n', ""
            ),
            "correction-changes",
            "期末余额",
        ),
        (CORRECTION.split("    changes:")[0], "correction-changes", "没有列出改了什么"),
    ],
)
def test_a_hollow_correction_fails(published: Path, entry: str, code: str, words: str) -> None:
    _cut_cleaner_pay(published)
    correct_file(published, entry)
    code_, out = audit(published, "2026-12-10")
    assert code_ == 1 and codes(out)[-1] == code and words in out, out


def test_the_approver_must_hold_the_role_on_the_day_and_terms_survive_a_change_of_committee(
    published: Path,
) -> None:
    village = published / DONGSHAN / "village.yml"
    edit(
        published,
        f"{DONGSHAN}/village.yml",
        "  - {name: 李秀英, roles: [村务监督委员会主任]}\n",
        "  - name: 李秀英\n    roles: [村务监督委员会主任]\n    terms:\n"
        "      - {roles: [村务监督委员会主任], from: 2021-01-01, to: 2026-12-09}\n",
    )
    assert "terms" in village.read_text(encoding="utf-8")
    _cut_cleaner_pay(published)
    correct_file(published)  # dated 2026-12-10: the day after her term ended
    code, out = audit(published, "2026-12-10")
    assert code == 1 and "correction-approver" in codes(out) and "在 2026-12-10 不是" in out
    # her earlier sign-off (the 2026-09 correction, dated 2026-10-20) stays valid
    assert "2026-09" not in out


def test_a_payee_cannot_approve_the_change_of_their_own_row(published: Path) -> None:
    edit(published, f"{NOV}/ledger.csv", "120.00,孙桂兰", "120.00,赵𠮷")
    sunlight(published, "log", "update", "--today", "2026-12-09")
    git(published, "commit", "-qam", "x", "--no-verify", date="2026-12-09T10:00:00+08:00")
    deploy(published)  # (as if published so) — now 赵𠮷's own row is cut
    edit(published, f"{NOV}/ledger.csv", "120.00,赵𠮷", "12.00,赵𠮷")
    edit(published, f"{NOV}/disclosure.yml", 'closing: {cash: "680.00"', 'closing: {cash: "788.00"')
    correct_file(published, CORRECTION.replace("approved_by: 李秀英", "approved_by: 赵𠮷"))
    code, out = audit(published, "2026-12-10")
    assert code == 1
    assert "收款人" in out and "correction-approver" in codes(out)


def test_real_reasons() -> None:
    assert is_real_reason("第3行保洁员工资录入错误，120.00 应为 12.00")
    for hollow in ("更正", "改正。", "xxxxxxxxxx", "修改错误", "fix"):
        assert not is_real_reason(hollow), hollow


# --- the clerk's way: sunlight correct ---------------------------------------------------------------
def test_sunlight_correct_writes_the_entry_carries_balances_and_updates_the_log(
    published: Path,
) -> None:
    repo = published
    # an October expense was 100.00 too high: the clerk fixes the row and October's closing
    ledger = (repo / f"{OCT}/ledger.csv").read_text(encoding="utf-8")
    row = next(line for line in ledger.splitlines() if "支付村道硬化工程尾款" in line)
    amount = row.split(",")[5]
    fixed = f"{float(amount) - 100:.2f}"
    edit(repo, f"{OCT}/ledger.csv", row, row.replace(f",{amount},", f",{fixed},"))
    method = row.split(",")[7]
    side = "cash" if method == "现金" else "bank"
    disclosure = (repo / f"{OCT}/disclosure.yml").read_text(encoding="utf-8")
    closing = disclosure.split("closing: {")[1].split("}")[0]
    old = closing.split(f'{side}: "')[1].split('"')[0]
    edit(
        repo,
        f"{OCT}/disclosure.yml",
        f"closing: {{{closing}}}",
        f"closing: {{{closing.replace(old, f'{float(old) + 100:.2f}')}}}",
    )
    code, out = sunlight(
        repo, "correct", "chengguan/dongshan", "2026-10", "--date", "2026-12-10",
        "--reason", "第3行村道工程尾款多记了100元，按发票改正", "--approver", "李秀英", "--yes",
    )  # fmt: skip
    assert code == 0, out
    assert "已把余额的变化结转到" in out and "2026-11/disclosure.yml" in out
    assert "公开记录已追加 2 条" in out
    nov = (repo / f"{NOV}/disclosure.yml").read_text(encoding="utf-8")
    assert "因 2026-10 更正，本期期初、期末余额随之结转调整" in nov
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "更正", date="2026-12-10T10:00:00+08:00")
    assert audit(repo, "2026-12-10")[0] == 0
    assert sunlight(repo, "check", "--today", "2026-12-10")[0] == 0


def test_sunlight_correct_refuses_a_hollow_answer(published: Path) -> None:
    _cut_cleaner_pay(published)
    code, out = sunlight(
        published, "correct", "dongshan", "2026-11", "--date", "2026-12-10",
        "--reason", "改正", "--approver", "王丽", "--yes",
    )  # fmt: skip
    assert code == 1 and "更正记录没有写入" in out
    assert set(codes(out)) == {"correction-approver", "correction-reason"}
    assert "corrections" not in (published / f"{NOV}/disclosure.yml").read_text(encoding="utf-8")


# --- formatting is no change ----------------------------------------------------------------------------
def test_bom_crlf_and_column_order_pass(published: Path) -> None:
    ledger = published / f"{NOV}/ledger.csv"
    lines = ledger.read_text(encoding="utf-8").splitlines()
    swapped = [",".join([c.split(",")[2], *c.split(",")[:2], *c.split(",")[3:]]) for c in lines]
    ledger.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(swapped).encode() + b"\r\n")
    assert (
        "publication-log.jsonl 已是最新。 / publication-log.jsonl is up to date.\n"
        in sunlight(published, "log", "update", "--today", "2026-12-12")[1]
    )
    git(published, "commit", "-qam", "另存", date="2026-12-12T10:00:00+08:00")
    assert audit(published)[0] == 0


MOVE = (
    "- date: 2026-12-12\n  reason: 村名调整，按镇政府2026年12月通知\n"
    '  from: {{code: "{old_code}", folder: chengguan/xiwan}}\n'
    '  to: {{code: "{new_code}", folder: chengguan/xiwan-cun}}\n'
)


def _move(repo: Path, new_code: str | None = None, declare: bool = True) -> str:
    village = repo / "villages/chengguan/xiwan/village.yml"
    old_code = village.read_text(encoding="utf-8").split('code: "')[1].split('"')[0]
    if new_code:
        edit(repo, "villages/chengguan/xiwan/village.yml", old_code, new_code)
    git(repo, "mv", "villages/chengguan/xiwan", "villages/chengguan/xiwan-cun")
    if declare:
        (repo / "migrations.yml").write_text(
            MOVE.format(old_code=old_code, new_code=new_code or old_code), encoding="utf-8"
        )
    return old_code


# --- 7. a village's identity is stable ----------------------------------------------------------------
def _log_lines(repo: Path) -> list[dict[str, object]]:
    import json

    text = (repo / "publication-log.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_an_undeclared_move_fails_and_a_declared_one_passes(published: Path) -> None:
    _move(published, declare=False)
    code, out = audit(published)
    assert code == 1 and codes(out) == ["village-moved"]
    assert "从 chengguan/xiwan 移到了 chengguan/xiwan-cun" in out
    old_code = (published / "villages/chengguan/xiwan-cun/village.yml").read_text(encoding="utf-8")
    old_code = old_code.split('code: "')[1].split('"')[0]
    (published / "migrations.yml").write_text(
        MOVE.format(old_code=old_code, new_code=old_code), encoding="utf-8"
    )
    # declared, but the log does not record it yet: the audit refuses, plain check warns
    code, out = audit(published)
    assert code == 1 and codes(out) == ["migration-not-logged"]
    assert "2026-12-12 起 西湾村 从 chengguan/xiwan" in out
    assert sunlight(published, "check", "--today", "2026-12-12")[0] == 0
    before = len(_log_lines(published))
    assert sunlight(published, "log", "update", "--today", "2026-12-12")[0] == 0
    added = _log_lines(published)[before:]
    assert [e["village"] for e in added] == ["chengguan/xiwan-cun"] * len(added) and added
    assert {e["code"] for e in added} == {old_code}  # same code, same fingerprint
    assert all(
        e["migrated_from"]
        == {
            "code": old_code,
            "village": "chengguan/xiwan",
            "date": "2026-12-12",
            "reason": "村名调整，按镇政府2026年12月通知",
        }
        for e in added
    )
    assert audit(published)[0] == 0
    # a second update has nothing to add: the migration is recorded once
    assert "已是最新" in sunlight(published, "log", "update", "--today", "2026-12-12")[1]


def test_a_changed_code_is_a_deletion_unless_declared(published: Path) -> None:
    old_code = _move(published, new_code="371322101299", declare=False)
    code, out = audit(published)
    assert code == 1 and set(codes(out)) == {
        "log-out-of-date",
        "published-period-deleted",
        "village-moved",
    }
    assert (
        f"chengguan/xiwan（区划代码 {old_code}） 移到了 chengguan/xiwan-cun（区划代码 371322101299）"
        in out
    )
    (published / "migrations.yml").write_text(
        MOVE.format(old_code=old_code, new_code="371322101299"), encoding="utf-8"
    )
    assert sunlight(published, "log", "update", "--today", "2026-12-12")[0] == 0
    moved = [e for e in _log_lines(published) if e["code"] == "371322101299"]
    assert moved and all(e["migrated_from"]["code"] == old_code for e in moved)  # type: ignore[index]
    assert audit(published)[0] == 0
    # the auditor reads it in the log
    code, out = sunlight(published, "log", "show", "371322101299", "2026-10")
    assert f"2026-12-12 起 西湾村 代码由 {old_code} 改为 371322101299" in out, out
    # a sheet printed before the migration still verifies, and says where the village went
    old_fp = next(
        str(e["fingerprint"])
        for e in _log_lines(published)
        if e["code"] == old_code and e["period"] == "2026-10"
    )
    code, out = sunlight(
        published, "verify", f"https://example.org/chengguan/xiwan/2026-10/?fp={old_fp[:32]}"
    )
    assert code == 0 and "这张纸质公示印于迁移之前" in out, out
    assert f"迁移：2026-12-12 起 西湾村 代码由 {old_code} 改为 371322101299" in out
    # a declared migration does not excuse an edit that travels with it
    edit(
        published,
        "villages/chengguan/xiwan-cun/2026-10/disclosure.yml",
        "reviewed_at: 2026-11-04",
        "reviewed_at: 2026-11-05",
    )
    code, out = audit(published)
    assert code == 1 and "silent-edit" in codes(out)


def test_a_migration_logged_without_its_record_fails(published: Path) -> None:
    """A log extended for the new code by plain entries (no migrated_from: an old tool, or a
    hand-made log) hides the migration: refused; and a migrated_from that nothing declares
    is refused too."""
    import json

    from builder.audit import log as log_

    old_code = _move(published, new_code="371322101299")
    assert sunlight(published, "log", "update", "--today", "2026-12-12")[0] == 0
    path = published / "publication-log.jsonl"
    entries, _ = log_.parse(path.read_text(encoding="utf-8"), "log")
    kept = [e for e in entries if not e.migrated_from]
    plain = [
        dataclass_replace(e, migrated_from=None)
        for e in entries
        if e.migrated_from  # the same entries, without the record of the migration
    ]
    prev, seq, out = kept[-1].hash, len(kept), []
    for e in plain:
        seq += 1
        e = log_.seal(dataclass_replace(e, seq=seq, prev=prev, hash=""))
        out.append(e)
        prev = e.hash
    path.write_text(log_.render(kept + out), encoding="utf-8")
    code, text = audit(published)
    assert code == 1 and codes(text) == ["migration-not-logged"]
    # an entry claiming a migration that migrations.yml does not declare
    assert sunlight(published, "log", "update", "--today", "2026-12-12")[0] == 0
    (published / "migrations.yml").write_text(
        MOVE.format(old_code=old_code, new_code="371322101298"), encoding="utf-8"
    )
    code, text = sunlight(published, "check", "--today", "2026-12-12")
    assert code == 1 and "migration-undeclared" in codes(text)
    line = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
    assert line["migrated_from"]["code"] == old_code


@pytest.mark.slow
def test_old_qr_links_of_a_migrated_village_redirect(published: Path) -> None:
    old_code = _move(published, new_code="371322101299")
    assert sunlight(published, "log", "update", "--today", "2026-12-12")[0] == 0
    git(published, "add", "-A")
    git(published, "commit", "-qm", "迁移", date="2026-12-12T10:00:00+08:00")
    code, out = sunlight(published, "build")
    assert code == 0, out
    site = published / "site"
    old = (site / "chengguan/xiwan/2026-10/index.html").read_text(encoding="utf-8")
    assert 'content="0; url=../../../chengguan/xiwan-cun/2026-10/"' in old
    assert (site / "chengguan/xiwan/qr/index.html").is_file()
    assert (site / "chengguan/xiwan-cun/2026-10/index.html").is_file()
    said = "2026-12-12 起 西湾村 代码由 {} 改为 371322101299、文件夹（网址）由 chengguan/xiwan 改为 chengguan/xiwan-cun"
    log_page = (site / "log/index.html").read_text(encoding="utf-8")
    assert said.format(old_code) in log_page and "<td>迁移</td>" in log_page
    history = (site / "chengguan/xiwan-cun/history/index.html").read_text(encoding="utf-8")
    assert "迁移：" + said.format(old_code) in history
    assert sunlight(published, "verify", "--site", "site")[0] == 0


def test_plain_check_in_a_fresh_project_without_a_log(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    git(project, "init", "-q", "-b", "main")
    assert sunlight(project, "check", "--today", "2026-12-10")[0] == 0


# --- 10. diff --json is a documented, versioned interface ------------------------------------------
def _conforms(value: object, schema: dict[str, object], defs: dict[str, object]) -> list[str]:
    """The few JSON Schema keywords diff.schema.json uses (type, enum, const, required,
    properties, additionalProperties, items, pattern), checked strictly."""
    import re as re_

    errors: list[str] = []
    kinds = {"string": str, "integer": int, "null": type(None), "object": dict, "array": list}
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(isinstance(value, kinds[str(t)]) for t in allowed):
            return [f"{value!r} is not {allowed}"]
    if "enum" in schema and value not in schema["enum"]:  # type: ignore[operator]
        errors.append(f"{value!r} not in enum")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{value!r} != const")
    if (
        "pattern" in schema
        and isinstance(value, str)
        and not re_.search(str(schema["pattern"]), value)
    ):
        errors.append(f"{value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        assert isinstance(props, dict)
        for key in schema.get("required", []):  # type: ignore[attr-defined]
            if key not in value:
                errors.append(f"missing {key}")
        for key, item in value.items():
            if key in props:
                errors += _conforms(item, props[key], defs)
            elif schema.get("additionalProperties") is False:
                errors.append(f"unexpected {key}")
    if isinstance(value, list) and "items" in schema:
        for item in value:
            errors += _conforms(item, schema["items"], defs)  # type: ignore[arg-type]
    return errors


def test_diff_json_follows_its_published_schema_beyond_the_first_change(published: Path) -> None:
    import json

    root = Path(__file__).resolve().parent.parent
    schema = json.loads((root / "content/schema/diff.schema.json").read_text(encoding="utf-8"))
    from builder.audit.diff import diff_schema

    assert schema == diff_schema(), "run: sunlight schema"
    repo = published
    correct(repo)  # a changed row, a header value, a correction added, totals
    ledger = repo / f"{NOV}/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8")
        + "2026-11-25,记-003,收到租金,501,100.00,,,转账,收据,张建国\n",
        encoding="utf-8",
    )
    edit(repo, f"{NOV}/disclosure.yml", 'bank: "342900.50"', 'bank: "343000.50"')
    git(repo, "mv", "villages/chengguan/xiwan", "villages/chengguan/xiwan-cun")
    code, out = sunlight(repo, "diff", "HEAD", ".", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["version"] == schema["properties"]["version"]["const"]
    assert _conforms(data, schema, {}) == []
    kinds = {(c["section"], c["action"]) for c in data["changes"]}
    assert {
        ("ledger", "changed"),
        ("ledger", "added"),
        ("header", "changed"),
        ("corrections", "added"),
        ("totals", "changed"),
        ("village", "renamed"),
    } <= kinds
    added = next(c for c in data["changes"] if c["action"] == "added" and c["section"] == "ledger")
    assert (added["old_line"], added["new_line"], added["old"], added["new"]) == (
        None,
        4,
        None,
        None,
    )
    assert _conforms({**data, "extra": 1}, schema, {}) == ["unexpected extra"]
    assert _conforms({**data, "version": "0"}, schema, {}) == ["'0' != const"]


# --- 5. fingerprint v2: salted names -------------------------------------------------------------------
def test_log_update_salts_names_so_the_public_hash_follows_the_name_without_revealing_it(
    published: Path,
) -> None:
    from builder.audit.fingerprint import canonical_v2_data, encode, fingerprint, fingerprint_v1
    from builder.pipeline.validate import validate

    assistance = published / f"{DONGSHAN}/2026-09/assistance.csv"
    header, row = assistance.read_text(encoding="utf-8").splitlines()[:2]
    assert header.endswith(",salt") and len(row.rsplit(",", 1)[1]) == 24  # written at publication

    def period() -> tuple[object, object]:
        result = validate(published / "villages", published)
        assert result.county is not None
        village = next(v for v in result.county.villages() if v.slug == "dongshan")
        return village, village.period("2026-09")

    village, sep = period()
    public = encode(canonical_v2_data(village, sep)).decode()  # type: ignore[arg-type]
    assert "欧阳明" not in public and "欧*明" not in public  # neither the name nor the mask
    before = (fingerprint(village, sep), fingerprint_v1(village, sep))  # type: ignore[arg-type]
    edit(published, f"{DONGSHAN}/2026-09/assistance.csv", "欧阳明", "欧杨明")
    village, sep = period()
    after = (fingerprint(village, sep), fingerprint_v1(village, sep))  # type: ignore[arg-type]
    assert after[1] == before[1]  # v1 only saw 欧**明
    assert after[0] != before[0]  # v2 binds the full name
    code, out = sunlight(published, "check", "--today", "2026-12-12")
    assert code == 1 and codes(out) == ["silent-edit"]
    assert "救助公示第3行 姓名（打码部分）" in out


@pytest.mark.slow
def test_a_draft_is_not_on_the_public_site(published: Path) -> None:
    repo = published
    _december_draft(repo)
    publish(repo, "2026-12-20", "十二月草稿")
    code, out = sunlight(repo, "build")
    assert code == 0, out
    assert "草稿（尚未记入公开记录，不上网站）：东山村 2026-12" in out
    site = repo / "site"
    assert (site / "chengguan/dongshan/2026-11/index.html").is_file()
    assert not (site / "chengguan/dongshan/2026-12").exists()  # no page, no print sheet
    assert "2026-12/" not in (site / "chengguan/dongshan/index.html").read_text(encoding="utf-8")


# --- 9. the history page tells the truth ----------------------------------------------------------
def _history(repo: Path) -> object:
    from builder.audit.history import histories
    from builder.audit.snapshot import Repo
    from builder.pipeline.validate import validate

    result = validate(repo / "villages", repo)
    assert result.county is not None
    found = Repo.find(repo / "villages")
    village = next(v for v in result.county.villages() if v.slug == "dongshan")
    return histories(found, result.county)[village.code]


def test_history_warns_of_an_uncorrected_change_and_includes_merges(published: Path) -> None:
    repo = published
    git(repo, "checkout", "-q", "-b", "side")
    _cut_cleaner_pay(repo)
    git(repo, "commit", "-qam", "悄悄改", "--no-verify", date="2026-12-11T10:00:00+08:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "合并", "side", date="2026-12-12T10:00:00+08:00")
    history = _history(repo)
    newest = history.revisions[0]  # type: ignore[attr-defined]
    assert len(newest.commit.parents) == 2  # the merge itself, against its first parent
    assert newest.uncorrected == ("2026-11",)
    assert any("支出 120.00 → 12.00" in c.text for c in newest.changes)


def test_history_aligns_rows_by_content_and_shows_changed_words(published: Path) -> None:
    repo = published
    ledger = repo / f"{NOV}/ledger.csv"
    header, first, second = ledger.read_text(encoding="utf-8").splitlines()
    inserted = "2026-11-10,记-002,收到租金,501,50.00,,,转账,收据,张建国"
    renumbered = second.replace("记-002", "记-003")
    ledger.write_text("\n".join([header, first, inserted, renumbered]) + "\n", encoding="utf-8")
    edit(repo, f"{NOV}/disclosure.yml", 'bank: "342900.50"', 'bank: "342950.50"')
    git(repo, "commit", "-qam", "补录", "--no-verify", date="2026-12-11T10:00:00+08:00")
    texts = [c.text for c in _history(repo).revisions[0].changes]  # type: ignore[attr-defined]
    ledger_texts = [t for t in texts if "收支明细" in t]
    assert ledger_texts == [
        "东山村 2026-11 收支明细第3行 新增：2026-11-10 记-002 收到租金 收入 50.00",
        "东山村 2026-11 收支明细第4行（原第3行） 凭证号 记-002 → 记-003",
    ]
    from builder.audit.diff import changed_words

    old = "东山村至西湾村村道硬化工程于10月18日完工，村务监督委员会参加验收。工程决算待镇农经站审核后公开。"
    new = old.replace("10月18日", "10月28日")
    assert changed_words(old, new) == "…工程于10月【1→2】8日完工，村…"


# --- 6. registers are records too -------------------------------------------------------------------
REG = f"{DONGSHAN}"


def _register_correction(repo: Path, register: str, key: str, changes: str) -> None:
    (repo / f"{REG}/corrections.yml").write_text(
        f"{register}:\n  - id: {key}\n    date: 2026-12-12\n"
        "    reason: 合同金额录入错误，按签订的合同原件改正\n    approved_by: 李秀英\n"
        f"    changes:\n{changes}",
        encoding="utf-8",
    )


def test_a_changed_contract_amount_fails_and_shows_field_by_field(published: Path) -> None:
    repo = published
    edit(
        repo,
        f"{REG}/contracts.csv",
        "刘大海,竞价拍卖,村级简易招标,12000.00",
        "刘大海,竞价拍卖,村级简易招标,14000.00",
    )
    code, out = audit(repo)
    assert code == 1 and set(codes(out)) == {"log-out-of-date", "register-edit"}
    assert "合同登记“HT2024-03”已在网站上公开" in out and "合同金额 12000.00 → 14000.00" in out
    code, out = sunlight(repo, "diff", "HEAD", ".")
    assert "东山村 合同登记“HT2024-03” 合同金额 12000.00 → 14000.00" in out
    _register_correction(
        repo,
        "contracts",
        "HT2024-03",
        '      - {field: 合同金额, old: "12000.00", new: "14000.00"}\n',
    )
    assert sunlight(repo, "log", "update", "--today", "2026-12-12")[0] == 0  # pages showing it
    assert audit(repo) == (0, "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n")
    _register_correction(
        repo, "contracts", "HT2024-03", '      - {field: amount, old: "12000.00", new: "9000.00"}\n'
    )
    code, out = audit(repo)
    assert code == 1 and codes(out) == ["correction-changes"]


def test_changed_vote_counts_fail(published: Path) -> None:
    edit(published, f"{REG}/decisions.yml", "attended: 26, agreed: 24", "attended: 26, agreed: 25")
    code, out = audit(published)
    assert code == 1 and set(codes(out)) == {"log-out-of-date", "register-edit"}
    assert "第4步（村民代表会议决议）·同意人数 24 → 25" in out


def test_a_backdated_topic_answer_fails_and_a_timely_one_passes(published: Path) -> None:
    repo = published
    with (repo / f"{REG}/topics.yml").open("a", encoding="utf-8") as f:
        f.write("  - {id: DT2026-02, asked_at: 2026-12-08, question: 果园承包费什么时候公开？}\n")
    git(repo, "commit", "-qam", "新点题", date="2026-12-12T10:00:00+08:00")
    deploy(repo)
    topics = repo / f"{REG}/topics.yml"
    unanswered = topics.read_text(encoding="utf-8")
    answer = "question: 果园承包费什么时候公开？, answered_at: {day}, answer: 12月公开栏已公布。"
    topics.write_text(
        unanswered.replace("question: 果园承包费什么时候公开？", answer.format(day="2026-12-09")),
        encoding="utf-8",
    )
    code, out = audit(repo, "2026-12-13")
    assert code == 1 and codes(out) == ["register-backdated"]
    assert "早于上次公开（2026-12-12）" in out
    topics.write_text(
        unanswered.replace("question: 果园承包费什么时候公开？", answer.format(day="2026-12-13")),
        encoding="utf-8",
    )
    assert audit(repo, "2026-12-13")[0] == 0


def test_a_topic_entered_after_a_publication_but_dated_before_it_is_seen(published: Path) -> None:
    """A new entry dated before the last publication was written up late (or made up after
    the fact): check --since warns, naming it; dated since, it is plain progress."""
    repo = published
    topics = repo / f"{REG}/topics.yml"
    before = topics.read_text(encoding="utf-8")
    with topics.open("a", encoding="utf-8") as f:
        f.write("  - {id: DT2026-09, asked_at: 2026-10-20, question: 村道路灯什么时候修？}\n")
    code, out = audit(repo)
    assert code == 0 and codes(out) == ["register-late-entry"], out
    assert "点题公开“DT2026-09”是上次公开" in out and "日期是 2026-10-20" in out
    topics.write_text(before, encoding="utf-8")
    with topics.open("a", encoding="utf-8") as f:
        f.write("  - {id: DT2026-09, asked_at: 2026-12-12, question: 村道路灯什么时候修？}\n")
    assert audit(repo) == (0, "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n")


def test_a_village_power_item_changes_only_with_a_yearly_adjustment(published: Path) -> None:
    repo = published
    edit(repo, f"{REG}/powers.yml", "name: 村集体经济合作社分红", "name: 村集体经济合作社年度分红")
    code, out = audit(repo)
    assert code == 1 and codes(out) == ["register-edit"]
    assert "小微权力清单“P10” 名称 村集体经济合作社分红 → 村集体经济合作社年度分红" in out
    _register_correction(
        repo,
        "powers",
        "2027",
        "      - {field: 名称, old: 村集体经济合作社分红, new: 村集体经济合作社年度分红}\n",
    )
    assert audit(repo)[0] == 0


@pytest.mark.slow
@pytest.mark.browser
def test_a_sheet_printed_with_a_v1_fingerprint_still_matches_its_page(published: Path) -> None:
    """Paper from before fingerprint v2: the page recomputes the v1 fingerprint and says 一致."""
    try:
        from browser import browser_missing, chromium, phone_page, serve_directory
    except ImportError:  # tests/ became a package
        from tests.browser import (  # type: ignore[no-redef]
            browser_missing,
            chromium,
            phone_page,
            serve_directory,
        )
    from builder.audit.fingerprint import fingerprint, fingerprint_v1
    from builder.pipeline.validate import validate

    if browser_missing() is not None:
        pytest.skip(str(browser_missing()))
    assert sunlight(published, "build")[0] == 0
    result = validate(published / "villages", published)
    assert result.county is not None
    village = next(v for v in result.county.villages() if v.slug == "dongshan")
    october = village.period("2026-10")
    assert october is not None
    old, new = fingerprint_v1(village, october), fingerprint(village, october)
    states = {}
    with serve_directory(published / "site") as base, chromium() as browser:
        page = phone_page(browser)
        for name, fp in (("v1", old[:32]), ("v2", new[:32]), ("forged", "0" * 32)):
            page.goto(f"{base}chengguan/dongshan/2026-10/?fp={fp}")
            result_box = page.locator("#sl-verify-result[data-state]")
            result_box.wait_for()
            states[name] = (result_box.get_attribute("data-state"), result_box.inner_text()[:2])
    assert states == {
        "v1": ("match", "一致"),
        "v2": ("match", "一致"),
        "forged": ("mismatch", "不一"),
    }


# --- 6. the county's and towns' lists keep a version per year -----------------------------------
VERSION = (
    "versions:\n"
    "  - year: 2026\n"
    "    date: 2026-12-12\n"
    "    reason: 按县委办通知调整低保受理环节\n"
    "    basis: 县委办〔2026〕9号\n"
    "    changes:\n"
    "      - {{id: P03, change: 修改, field: 名称, old: 低保申请初审, new: {new}}}\n"
)


def test_an_unversioned_change_of_the_county_list_fails(published: Path) -> None:
    edit(published, "villages/powers.yml", "name: 低保申请初审", "name: 低保申请受理")
    git(published, "commit", "-qam", "调整清单", date="2026-12-12T10:00:00+08:00")
    code, out = audit(published)
    assert code == 1 and codes(out) == ["power-list-unversioned"]
    assert "权力清单“P03” 名称 低保申请初审 → 低保申请受理" in out
    # sunlight diff names it too, once (not once per village)
    code, out = sunlight(published, "diff", TAG, "HEAD")
    assert out.count("“P03” 名称 低保申请初审 → 低保申请受理") == 1, out
    # a version that lists something else is refused; the right one passes
    path = published / "villages/powers.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + VERSION.format(new="低保申请审核"), encoding="utf-8")
    code, out = audit(published)
    assert code == 1 and codes(out) == ["power-version-changes"]
    assert "没有列出“权力清单“P03” 名称 低保申请初审 → 低保申请受理”" in out
    path.write_text(text + VERSION.format(new="低保申请受理"), encoding="utf-8")
    git(published, "commit", "-qam", "年度调整记录", date="2026-12-12T11:00:00+08:00")
    code, out = audit(published)
    assert code == 0, out
    # the site shows the year's changes, and a register correction in its own history section
    edit(
        published,
        f"{REG}/contracts.csv",
        "刘大海,竞价拍卖,村级简易招标,12000.00",
        "刘大海,竞价拍卖,村级简易招标,14000.00",
    )
    _register_correction(
        published,
        "contracts",
        "HT2024-03",
        '      - {field: amount, old: "12000.00", new: "14000.00"}\n',
    )
    publish(published, "2026-12-12", "更正合同金额")
    assert audit(published)[0] == 0
    code, out = sunlight(published, "build", "--today", "2026-12-12")
    assert code == 0, out
    site = published / "site/chengguan/dongshan"
    village = (site / "index.html").read_text(encoding="utf-8")
    assert "2026 年 · 示范县调整" in village and "（依据：县委办〔2026〕9号）" in village
    assert "修改 P03 名称：低保申请初审 → 低保申请受理" in village
    history = (site / "history/index.html").read_text(encoding="utf-8")
    section = history[history.index('id="register-corrections"') : history.index('id="log"')]
    assert '合同登记“HT2024-03” <span class="sl-badge">已更正</span> 2026-12-12' in section
    assert "合同金额：12000.00 → 14000.00" in section and "（批准：李秀英）" in section


def test_an_unversioned_change_of_a_town_list_fails(published: Path) -> None:
    edit(published, "villages/chengguan/powers.yml", "name: 小额工程项目发包", "name: 小额工程发包")
    git(published, "commit", "-qam", "调整清单", date="2026-12-12T10:00:00+08:00")
    code, out = audit(published)
    assert code == 1 and codes(out) == ["power-list-unversioned"]
    assert (
        "villages/chengguan/powers.yml" in out
        and "城关镇的清单已在网站上公开，这次改动了它（权力清单“P04” 名称" in out
    )
    path = published / "villages/chengguan/powers.yml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "versions:\n  - year: 2026\n    date: 2026-12-12\n    reason: 按镇党委会议决定简化名称\n"
        "    changes:\n      - {id: P04, change: 修改, field: 名称, old: 小额工程项目发包, "
        "new: 小额工程发包}\n",
        encoding="utf-8",
    )
    assert audit(published)[0] == 0


@pytest.mark.slow
def test_a_preview_labels_a_draft_and_the_public_site_leaves_it_off(published: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    _december_draft(published)
    publish(published, "2026-12-20", "十二月草稿")
    plugins = {"sunlight": {"villages_dir": str(published / "villages"), "preview": True}}
    build(
        load_config(str(published / "mkdocs.yml"), plugins=plugins, site_dir=str(published / "pv"))
    )
    page = (published / f"pv/{DONGSHAN.removeprefix('villages/')}/2026-12/index.html").read_text(
        encoding="utf-8"
    )
    assert '<span class="sl-badge">草稿</span> 本期还没有公开（公开日期 2027-01-05' in page
    village = (published / f"pv/{DONGSHAN.removeprefix('villages/')}/index.html").read_text(
        encoding="utf-8"
    )
    assert '2026年12月</a> <span class="sl-badge sl-draft">草稿</span>' in village
    november = (
        published / f"pv/{DONGSHAN.removeprefix('villages/')}/2026-11/index.html"
    ).read_text(encoding="utf-8")
    assert "草稿" not in november
    code, out = sunlight(published, "build", "--today", "2026-12-20")
    assert code == 0, out
    assert "草稿（尚未记入公开记录，不上网站）：东山村 2026-12" in out
    site = published / f"site/{DONGSHAN.removeprefix('villages/')}"
    assert not (site / "2026-12").exists()
    assert "草稿" not in (site / "index.html").read_text(encoding="utf-8")
    assert "草稿" not in (site / "2026-11/index.html").read_text(encoding="utf-8")


# --- periods logged under fingerprint v1 get a v2 entry on request --------------------------------
def _log_as_v1(repo: Path) -> None:
    """The log as a release before v2 wrote it: every entry holds the v1 fingerprint."""
    from builder.audit import log as log_
    from builder.audit.fingerprint import fingerprint_v1
    from builder.pipeline.validate import validate

    result = validate(repo / "villages", repo)
    assert result.county is not None
    periods = {(v.code, p.period): (v, p) for v in result.county.villages() for p in v.periods}
    path = repo / "publication-log.jsonl"
    entries, _ = log_.parse(path.read_text(encoding="utf-8"), "log")
    chain: list[log_.Entry] = []
    for e in entries:
        v1 = fingerprint_v1(*periods[e.key])
        prev = chain[-1].hash if chain else log_.ZERO
        chain.append(log_.seal(dataclass_replace(e, fingerprint=v1, prev=prev, hash="")))
    path.write_text(log_.render(chain), encoding="utf-8")
    git(repo, "commit", "-qam", "旧版公开记录", date="2026-12-12T09:00:00+08:00")


@pytest.mark.slow
def test_log_update_upgrade_restates_v1_periods_as_v2(published: Path) -> None:
    _log_as_v1(published)
    before = _log_lines(published)
    code, out = sunlight(published, "log", "update", "--today", "2026-12-12")
    assert code == 0 and "已是最新" in out  # v1 still verifies: nothing is re-logged by itself
    code, out = sunlight(published, "log", "update", "--upgrade", "--today", "2026-12-12")
    assert code == 0 and "（v1 指纹升级为 v2 / restated as v2）" in out, out
    added = _log_lines(published)[len(before) :]
    assert len(added) == len(before)  # one per logged period
    by_key = {(e["code"], e["period"]): e["fingerprint"] for e in before}
    assert all(e["upgraded_from"] == by_key[(e["code"], e["period"])] for e in added)
    assert all(e["corrections"] == 0 for e in added)
    assert (
        "已是最新" in sunlight(published, "log", "update", "--upgrade", "--today", "2026-12-12")[1]
    )
    git(published, "commit", "-qam", "升级指纹", date="2026-12-12T10:00:00+08:00")
    code, out = sunlight(published, "check", "--today", "2026-12-12")
    assert code == 0, out
    code, out = sunlight(published, "log", "show", "chengguan/dongshan", "2026-11")
    assert "指纹升级为 v2（内容未变）" in out and "从未更正" in out
    # the newly printed sheet carries the tree head of its v2 entry
    code, out = sunlight(published, "build", "--today", "2026-12-12")
    assert code == 0, out
    seq = next(e["seq"] for e in added if e["period"] == "2026-11")
    sheet = (published / f"site/{NOV.removeprefix('villages/')}/print/index.html").read_text(
        encoding="utf-8"
    )
    assert f"&amp;t={seq}-" in sheet or f"&t={seq}-" in sheet
    # an upgraded_from that is not the period's previous fingerprint breaks the log
    path = published / "publication-log.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1].replace(str(added[-1]["upgraded_from"]), "0" * 64)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = sunlight(published, "check", "--today", "2026-12-12")
    assert code == 1 and "upgraded_from" in out and "log-broken" in codes(out)
