"""The pre-commit hook stops personal data before it enters git history (a real repository)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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
