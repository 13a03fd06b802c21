"""Golden pages: a few built pages of tests/data/good, compared byte for byte with tests/golden/.

A change to the templates, the model or the plugin shows up here as a diff of real HTML. When the
change is intended, run `pytest tests/test_golden.py --update-golden`, then read `git diff
tests/golden/` before committing it; never edit a golden file by hand.
"""

from __future__ import annotations

import difflib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.pipeline.validate import validate
from builder.publish.build import build_site

try:
    from conftest import GOLDEN_REWRITTEN, make_project
except ImportError:  # tests/ became a package
    from tests.conftest import GOLDEN_REWRITTEN, make_project  # type: ignore[no-redef]

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parent / "golden"
# NOTE: the builder dates the site from the last commit (git log), so the records are committed
# on a fixed day; a build outside git would depend on whatever repository holds the temp folder.
COMMIT_DATE = "2026-11-10T10:00:00+08:00"
PAGES = [
    "index.html",  # home
    "chengguan/dongshan/index.html",  # a village
    "chengguan/dongshan/2026-10/index.html",  # a period
    "chengguan/dongshan/qr/index.html",  # the village's QR poster
]
DIFF_LINES = 40


def git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "王丽",
        "GIT_AUTHOR_EMAIL": "wl@example.org",
        "GIT_COMMITTER_NAME": "王丽",
        "GIT_COMMITTER_EMAIL": "wl@example.org",
        "GIT_AUTHOR_DATE": COMMIT_DATE,
        "GIT_COMMITTER_DATE": COMMIT_DATE,
    }
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of tests/data/good, built once for the module from a commit on a fixed day."""
    project = make_project(tmp_path_factory.mktemp("golden") / "project")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "records")
    result = validate(project / "villages", project)
    assert result.county is not None, result.report.rows("path", "line", "code")
    site = project / "site"
    build_site(project / "mkdocs.yml", site, preloaded=result)
    return site


def first_differences(expected: bytes, actual: bytes, name: str) -> str:
    diff = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(),
        actual.decode("utf-8", "replace").splitlines(),
        f"tests/golden/{name}",
        f"built/{name}",
        n=2,
        lineterm="",
    )
    lines = list(diff)
    more = len(lines) - DIFF_LINES
    return "\n".join(lines[:DIFF_LINES] + ([f"... and {more} more diff lines"] if more > 0 else []))


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden(
    golden_site: Path,
    page: str,
    update_golden: bool,
    record_property: Callable[[str, object], None],
) -> None:
    actual = (golden_site / page).read_bytes()
    golden = GOLDEN / page
    expected = golden.read_bytes() if golden.is_file() else None
    if update_golden:
        if actual != expected:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(actual)
            record_property(GOLDEN_REWRITTEN, golden.relative_to(GOLDEN.parent.parent).as_posix())
        return
    assert expected is not None, f"no tests/golden/{page}: run pytest --update-golden"
    if actual != expected:
        pytest.fail(
            f"{page} differs from tests/golden/{page} (intended? run pytest --update-golden "
            "and review git diff tests/golden/):\n" + first_differences(expected, actual, page),
            pytrace=False,
        )
