"""The pre-commit hook stops personal data before it enters git history (a real repository)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "王丽",
        "GIT_AUTHOR_EMAIL": "wl@example.org",
        "GIT_COMMITTER_NAME": "王丽",
        "GIT_COMMITTER_EMAIL": "wl@example.org",
    }
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)


def test_hook_blocks_staged_personal_data(project: Path) -> None:
    assert git(project, "init", "-q", "-b", "main").returncode == 0
    (project / ".venv/bin").mkdir(parents=True)
    (project / ".venv/bin/sunlight").symlink_to(ROOT / ".venv/bin/sunlight")
    shutil.copy(ROOT / "hooks/pre-commit", project / ".git/hooks/pre-commit")
    (project / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    git(project, "add", ".")
    first = git(project, "commit", "-q", "-m", "records")
    assert first.returncode == 0, first.stdout + first.stderr

    ledger = project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    clean = ledger.read_text(encoding="utf-8")
    ledger.write_text(
        clean.replace("支付村道硬化工程尾款", "尾款 110101199003074514"), encoding="utf-8"
    )
    git(project, "add", str(ledger))
    ledger.write_text(clean, encoding="utf-8")  # the working tree is clean; the index is not
    blocked = git(project, "commit", "-q", "-m", "oops")
    assert blocked.returncode != 0
    assert "[resident-id]" in blocked.stdout + blocked.stderr
    assert "110101199003074514" not in blocked.stdout + blocked.stderr
    assert git(project, "log", "--oneline").stdout.count("\n") == 1

    ledger.write_text(
        clean.replace("支付村道硬化工程尾款", "支付村道硬化工程尾款（二期）"), encoding="utf-8"
    )
    git(project, "add", str(ledger))
    fixed = git(project, "commit", "-q", "-m", "fixed")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


# --- every route into a commit (hooks/pre-commit, hooks/pre-merge-commit) ----------------------
ID = "110101199003074514"
PERIOD = "villages/chengguan/dongshan/2026-09"


@pytest.fixture
def repo(project: Path) -> Path:
    """The project as a git repository with the hooks installed and one clean commit."""
    assert git(project, "init", "-q", "-b", "main").returncode == 0
    (project / ".venv/bin").mkdir(parents=True)
    (project / ".venv/bin/sunlight").symlink_to(ROOT / ".venv/bin/sunlight")
    for hook in ("pre-commit", "pre-merge-commit", "scan-history"):
        shutil.copy(ROOT / "hooks" / hook, project / ".git/hooks" / hook)
    (project / ".gitignore").write_text(".venv/\nprivate/\n", encoding="utf-8")
    git(project, "add", ".")
    first = git(project, "commit", "-q", "-m", "records")
    assert first.returncode == 0, first.stdout + first.stderr
    return project


def refused(repo: Path, *args: str) -> str:
    """Commit (or merge) and assert the hook refused it, naming the ID without printing it."""
    before = git(repo, "rev-parse", "HEAD").stdout
    result = git(repo, *(args or ("commit", "-q", "-m", "oops")))
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "[resident-id]" in out or "[link]" in out, out
    assert ID not in out
    assert git(repo, "rev-parse", "HEAD").stdout == before
    return out


def commits(repo: Path, *args: str) -> None:
    result = git(repo, *(args or ("commit", "-q", "-m", "clean")))
    assert result.returncode == 0, result.stdout + result.stderr


def with_id(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("第三村民小组", f"第三村民小组 {ID}", 1), encoding="utf-8")


def test_rename_out_of_villages(repo: Path) -> None:
    (repo / "archive").mkdir()
    git(repo, "mv", f"{PERIOD}/assistance.csv", "archive/assistance.csv")
    with_id(repo / "archive/assistance.csv")
    git(repo, "add", "archive")
    assert "R" in git(repo, "diff", "--cached", "--name-status", "-M").stdout
    refused(repo)
    git(repo, "reset", "-q", "--hard")
    (repo / "archive").mkdir()
    git(repo, "mv", f"{PERIOD}/assistance.csv", "archive/assistance.csv")
    commits(repo)


def test_rename_into_villages(repo: Path) -> None:
    (repo / "drafts").mkdir()
    shutil.copy(repo / PERIOD / "assistance.csv", repo / "drafts/assistance.csv")
    git(repo, "rm", "-q", f"{PERIOD}/assistance.csv")
    git(repo, "add", "drafts")
    commits(repo, "commit", "-q", "-m", "a draft, outside the records")
    git(repo, "mv", "drafts/assistance.csv", f"{PERIOD}/assistance.csv")
    with_id(repo / PERIOD / "assistance.csv")
    git(repo, "add", PERIOD)
    refused(repo)
    git(repo, "reset", "-q", "--hard")
    git(repo, "mv", "drafts/assistance.csv", f"{PERIOD}/assistance.csv")
    commits(repo)


def test_copy_out_of_villages(repo: Path) -> None:
    (repo / "archive").mkdir()
    shutil.copy(repo / PERIOD / "assistance.csv", repo / "archive/assistance.csv")
    with_id(repo / "archive/assistance.csv")
    git(repo, "add", "archive")
    status = git(repo, "diff", "--cached", "--name-status", "-C", "--find-copies-harder").stdout
    assert status.startswith("C"), status
    refused(repo)
    shutil.copy(repo / PERIOD / "assistance.csv", repo / "archive/assistance.csv")
    git(repo, "add", "archive")
    commits(repo)


def test_pages_in_content(repo: Path) -> None:
    page = repo / "content/notice.md"
    page.write_text(f"# 通知\n\n联系人：{ID}\n", encoding="utf-8")
    git(repo, "add", str(page))
    refused(repo)
    page.write_text("# 通知\n\n联系人：村委会\n", encoding="utf-8")
    git(repo, "add", str(page))
    commits(repo)
    about = repo / "content/about.md"  # a change to an existing page too
    about.write_text(about.read_text(encoding="utf-8") + "\n手机 13812345678\n", encoding="utf-8")
    git(repo, "add", str(about))
    result = git(repo, "commit", "-q", "-m", "oops")
    assert result.returncode != 0
    assert "[mobile-number]" in result.stdout + result.stderr


def test_type_change_to_a_link(repo: Path) -> None:
    (repo / "private").mkdir()  # ignored by git, but the site would publish it through a link
    (repo / "private/ids.txt").write_text(f"{ID}\n", encoding="utf-8")
    for rel, target in (
        ("content/about.md", "../private/ids.txt"),
        (f"{PERIOD}/assistance.csv", "../../../../private/ids.txt"),
    ):
        (repo / rel).unlink()
        (repo / rel).symlink_to(target)
        git(repo, "add", rel)
        assert git(repo, "diff", "--cached", "--name-status").stdout.startswith("T")
        assert "[link]" in refused(repo)
        git(repo, "reset", "-q", "--hard")
    # the good twin: a link (committed past the hook) replaced by a clean file again
    about = repo / "content/about.md"
    text = about.read_text(encoding="utf-8")
    about.unlink()
    about.symlink_to("../private/ids.txt")
    git(repo, "add", "content")
    commits(repo, "commit", "-q", "--no-verify", "-m", "a link")
    about.unlink()
    about.write_text(text, encoding="utf-8")
    git(repo, "add", "content")
    assert git(repo, "diff", "--cached", "--name-status").stdout.startswith("T")
    commits(repo)


def test_link_where_git_writes_links_as_plain_files(repo: Path) -> None:
    """core.symlinks=false (Windows): the scratch copy holds the target's name, not a link."""
    git(repo, "config", "core.symlinks", "false")
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo,
        input="../private/ids.txt",
        capture_output=True,
        text=True,
    ).stdout.strip()
    for rel in ("content/about.md", f"{PERIOD}/assistance.csv"):
        git(repo, "update-index", "--cacheinfo", f"120000,{blob},{rel}")
        assert "[link]" in refused(repo)
        git(repo, "reset", "-q", "--hard")
    (repo / "content/about.md").write_text("# 关于\n", encoding="utf-8")  # the good twin
    git(repo, "add", "content")
    commits(repo)


def test_merges(repo: Path) -> None:
    ledger = repo / "villages/chengguan/dongshan/2026-10/ledger.csv"
    clean = ledger.read_text(encoding="utf-8")
    git(repo, "checkout", "-q", "-b", "town")
    # a commit past the hook (--no-verify) adds the number, a later one removes it
    ledger.write_text(clean.replace("支付村道硬化工程尾款", f"尾款 {ID}"), encoding="utf-8")
    commits(repo, "commit", "-q", "-a", "--no-verify", "-m", "past the hook")
    ledger.write_text(clean, encoding="utf-8")
    commits(repo, "commit", "-q", "-a", "--no-verify", "-m", "removed again")
    git(repo, "checkout", "-q", "main")
    page = repo / "content/notice.md"
    page.write_text("# 通知\n", encoding="utf-8")
    git(repo, "add", str(page))
    commits(repo, "commit", "-q", "-m", "main moves on")
    # a merge that commits by itself runs pre-merge-commit: the result is clean, its history not
    assert "past the hook" in refused(repo, "merge", "-q", "--no-ff", "-m", "merge", "town")
    git(repo, "merge", "--abort")

    # a merge whose conflict is resolved by hand: the staged result is checked at `git commit`
    git(repo, "checkout", "-q", "-b", "clean", "main~1")
    page.write_text("# 通知\n\n下周一开会。\n", encoding="utf-8")
    git(repo, "add", str(page))
    commits(repo, "commit", "-q", "-m", "a clean change")
    git(repo, "checkout", "-q", "main")
    assert git(repo, "merge", "-q", "clean").returncode != 0  # the conflict
    page.write_text(f"# 通知\n\n下周一开会。{ID}\n", encoding="utf-8")
    git(repo, "add", str(page))
    refused(repo, "commit", "-q", "--no-edit")
    page.write_text("# 通知\n\n下周一开会。\n", encoding="utf-8")  # the good twin
    git(repo, "add", str(page))
    commits(repo, "commit", "-q", "--no-edit")
    assert len(git(repo, "log", "-1", "--format=%P").stdout.split()) == 2


# --- CI: every pushed commit (hooks/scan-history) ----------------------------------------------
def scan_history(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"}
    return subprocess.run(
        [ROOT / "hooks/scan-history", *args], cwd=repo, capture_output=True, text=True, env=env
    )


def past_the_hook(repo: Path) -> None:
    """A commit made with --no-verify adds an ID number, a later one removes it: HEAD is clean."""
    ledger = repo / "villages/chengguan/dongshan/2026-10/ledger.csv"
    clean = ledger.read_text(encoding="utf-8")
    ledger.write_text(clean.replace("支付村道硬化工程尾款", f"尾款 {ID}"), encoding="utf-8")
    commits(repo, "commit", "-q", "-a", "--no-verify", "-m", "past the hook")
    ledger.write_text(clean, encoding="utf-8")
    commits(repo, "commit", "-q", "-a", "-m", "removed again")


def test_scan_history_finds_a_number_removed_later(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").stdout.strip()
    past_the_hook(repo)
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    (repo / "content/notice.md").write_text("# 通知\n", encoding="utf-8")
    git(repo, "add", "content")
    commits(repo)

    for args in (
        ["--push", base, "HEAD"],  # a push: the commits after the old head
        [f"{base}..HEAD"],  # any range
        ["--push", "0" * 40, "HEAD"],  # a new branch: no old head, no default branch
        ["--push", "1" * 40, "HEAD", "main"],  # forced, old head gone, main is HEAD: everything
    ):
        found = scan_history(repo, *args)
        out = found.stdout + found.stderr
        assert found.returncode == 1, (args, out)
        assert "past the hook" in out and "[resident-id]" in out, out
        assert ID not in out

    assert subprocess.run(["git", "grep", "-q", ID, "HEAD"], cwd=repo).returncode == 1
    clean = scan_history(repo, "--push", head, "HEAD")  # only the clean commit after it
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Scanned 1 commits" in clean.stdout


def test_scan_history_new_branch_falls_back_to_the_merge_base(repo: Path) -> None:
    past_the_hook(repo)  # on main, long ago (say, before the scan existed)
    git(repo, "checkout", "-q", "-b", "town")
    (repo / "content/notice.md").write_text("# 通知\n", encoding="utf-8")
    git(repo, "add", "content")
    commits(repo)
    # a new branch (no old head): only its own commits after main are scanned
    fine = scan_history(repo, "--push", "", "HEAD", "main")
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "Scanned 1 commits" in fine.stdout

    past_the_hook(repo)
    bad = scan_history(repo, "--push", "", "HEAD", "main")
    assert bad.returncode == 1 and "past the hook" in bad.stdout, bad.stdout + bad.stderr


# --- purging a number that got into history anyway (content/guide.md) --------------------------
def guide_steps() -> list[str]:
    """The bash blocks of the guide's purge section, in order: purge, check, push."""
    guide = (ROOT / "content/guide.md").read_text(encoding="utf-8")
    section = guide.split("## 清除历史中的个人信息", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 3, blocks
    return blocks


def test_documented_purge_keeps_the_audit_trail(repo: Path, tmp_path: Path) -> None:
    past_the_hook(repo)  # an early commit past the hook: the number is in history, not in HEAD
    git(repo, "branch", "town", "HEAD~1")  # another branch holds it too, and a tag
    git(repo, "tag", "-a", "-m", "before the log", "v1", "HEAD~1")
    logged = subprocess.run(
        [ROOT / ".venv/bin/sunlight", "log", "update"], cwd=repo, capture_output=True, text=True
    )
    assert logged.returncode == 0, logged.stdout + logged.stderr
    git(repo, "add", "-A")  # the log, and the salts log update gave the assistance rows
    commits(repo, "commit", "-q", "-m", "publication log")
    home = tmp_path / "home"
    home.mkdir()
    saved = home / "publication-log.jsonl"  # a villager's copy, downloaded from the site
    shutil.copy(repo / "publication-log.jsonl", saved)

    origin = tmp_path / "origin.git"  # the hosted repository; file:// sends only what is reachable
    assert git(tmp_path, "clone", "-q", "--bare", f"file://{repo}", str(origin)).returncode == 0
    work = tmp_path / "purge"
    assert git(tmp_path, "clone", "-q", f"file://{origin}", str(work)).returncode == 0
    assert ID in git(work, "log", "-p", "--all").stdout
    stopped = scan_history(work, "HEAD")  # CI would stop it
    assert stopped.returncode == 1 and "past the hook" in stopped.stdout, stopped.stdout

    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}",
    }
    purge, check, push = guide_steps()
    purge = purge.replace("NUMBER=这里填泄露的号码", f"NUMBER={ID}")
    for step in (purge, push):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", step],
            cwd=work,
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, step + done.stdout + done.stderr
        if step is purge:
            checked = subprocess.run(
                ["bash", "-c", f"NUMBER={ID}\n{check}"],
                cwd=work,
                capture_output=True,
                text=True,
                env=env,
            )
            out = checked.stdout + checked.stderr
            assert checked.stdout.startswith("0\n"), out
            assert "发现 0 个错误" in out and "一致：" in out and "不一致" not in out, out

    # a town's computer clones again: no trace anywhere, the records pass, the log still verifies
    town = tmp_path / "town"
    assert git(tmp_path, "clone", "-q", f"file://{origin}", str(town)).returncode == 0
    assert (
        git(town, "rev-list", "--count", "--all").stdout
        == git(repo, "rev-list", "--count", "--all").stdout
    )
    assert "origin/town" in git(town, "branch", "-r").stdout
    assert "v1" in git(town, "tag").stdout
    everything = git(town, "log", "-p", "--all").stdout
    assert ID not in everything and "[已删除]" in everything
    objects = subprocess.run(
        "git cat-file --batch-all-objects --batch", shell=True, cwd=town, capture_output=True
    ).stdout
    assert ID.encode() not in objects
    for command in (["check"], ["verify", "--log", str(saved)]):
        result = subprocess.run(
            [ROOT / ".venv/bin/sunlight", *command], cwd=town, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert (town / "publication-log.jsonl").read_bytes() == saved.read_bytes()
    clean = scan_history(town, "HEAD")
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_pre_push_scans_every_commit_it_sends(repo: Path, tmp_path: Path) -> None:
    shutil.copy(ROOT / "hooks/pre-push", repo / ".git/hooks/pre-push")
    origin = tmp_path / "origin.git"
    assert git(tmp_path, "init", "-q", "--bare", str(origin)).returncode == 0
    git(repo, "remote", "add", "origin", str(origin))
    first = git(repo, "push", "-q", "origin", "main")
    assert first.returncode == 0, first.stdout + first.stderr
    past_the_hook(repo)
    pushed = git(repo, "push", "-q", "origin", "main")
    out = pushed.stdout + pushed.stderr
    assert pushed.returncode != 0 and "past the hook" in out and "[resident-id]" in out, out
    assert ID not in out
    assert git(origin, "rev-list", "--count", "main").stdout.strip() == "1"

    git(repo, "reset", "-q", "--hard", "HEAD~2")  # the good twin: a clean commit goes out
    (repo / "content/notice.md").write_text("# 通知\n", encoding="utf-8")
    git(repo, "add", "content")
    commits(repo)
    pushed = git(repo, "push", "-q", "origin", "main")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
