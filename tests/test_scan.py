"""`sunlight scan`: the personal-data scan on any file (pages in content/, files moved out of
villages/), as the hooks and CI run it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli

ID = "110101199003074514"


def scan(where: Path, *args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(where)
    try:
        result = CliRunner().invoke(cli, ["scan", *args])
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_a_page_with_an_id_number_is_refused_and_masked(project: Path) -> None:
    (project / "content/notice.md").write_text(f"# 通知\n\n{ID}\n", encoding="utf-8")
    code, out = scan(project, "content")
    assert code == 1
    assert "content/notice.md:3" in out and "[resident-id]" in out
    assert ID not in out


def test_declared_lines_are_allowed_others_are_not(project: Path) -> None:
    village = project / "villages/chengguan/dongshan/village.yml"
    text = village.read_text(encoding="utf-8")
    village.write_text(text.replace('"0539-6210000"', '"13912345678"'), encoding="utf-8")
    page = project / "content/notice.md"
    page.write_text("监督热线 13912345678\n", encoding="utf-8")
    assert scan(project, str(page))[0] == 0
    page.write_text("村民 13812345678\n", encoding="utf-8")
    code, out = scan(project, str(page))
    assert code == 1 and "[mobile-number]" in out


@pytest.mark.parametrize("name", [f"content/{ID}.md", "content/about.md"])
def test_names_and_links(project: Path, name: str) -> None:
    path = project / name
    if path.exists():  # a link: the site would publish whatever it points to
        path.unlink()
        path.symlink_to("/etc/hostname")
    else:
        path.write_text("# 通知\n", encoding="utf-8")
    code, out = scan(project, name)
    assert code == 1 and ("[resident-id]" in out or "[link]" in out), out
    assert ID not in out


def test_binary_files_are_skipped(project: Path) -> None:
    (project / "content/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + ID.encode())
    assert scan(project, "content/logo.png")[0] == 0
