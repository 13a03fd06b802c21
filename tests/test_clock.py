"""Clocks that move: `sunlight build` judges as of the day it runs (or --today), so a daily
rebuild moves "as of" dates and lateness on without a commit; one day always gives one site.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.audit.snapshot import china_today
from builder.cli import cli


@pytest.fixture
def in_project(project: Path) -> Iterator[Path]:
    cwd = Path.cwd()
    os.chdir(project)
    try:
        yield project
    finally:
        os.chdir(cwd)


def build(*args: str) -> dict[str, str]:
    result = CliRunner().invoke(cli, ["build", *args])
    assert result.exit_code == 0, result.output
    site = Path("site").resolve()
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def page(path: str) -> str:
    return Path("site", path).read_text("utf-8")


def test_the_build_date_moves_the_clocks_and_one_date_gives_one_site(in_project: Path) -> None:
    first = build("--today", "2026-12-10")
    assert "截至 2026-12-10" in page("index.html") and "截至 2026-12-10" in page(
        "status/index.html"
    )
    # November is due on 12-15: not late on the 10th, missing on the 20th
    assert "R1 " not in page("chengguan/dongshan/index.html")
    later = build("--today", "2026-12-20")
    assert "截至 2026-12-20" in page("ontime/index.html")
    assert "2026-11 共 1 期财务公开" in page("chengguan/dongshan/index.html")
    assert later != first
    assert build("--today", "2026-12-10") == first
    build()  # no date: today in China
    assert f"截至 {china_today().isoformat()}" in page("index.html")
