"""Shared fixtures: a fresh copy of the good records, a built site, golden files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "good" / "villages"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output (review the diff!).",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


GOLDEN_REWRITTEN = "golden_rewritten"  # a test's record_property key: the file it rewrote


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Under --update-golden, list the golden files this run rewrote (xdist workers too)."""
    if not config.getoption("--update-golden"):
        return
    rewritten = sorted(
        {
            str(value)
            for reports in terminalreporter.stats.values()
            for rep in reports
            if isinstance(rep, pytest.TestReport) and rep.when == "call"
            for key, value in rep.user_properties
            if key == GOLDEN_REWRITTEN
        }
    )
    terminalreporter.section("golden files")
    for rel in rewritten:
        terminalreporter.write_line(f"rewritten: {rel}  (review: git diff -- {rel})")
    if not rewritten:
        terminalreporter.write_line("every golden file already matches the output")


def make_project(dest: Path, villages: Path = GOOD) -> Path:
    """A project folder like the repository's: mkdocs.yml, content/ and a villages/ copy."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(villages, dest / "villages")
    shutil.copytree(ROOT / "content", dest / "content")
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project holding a copy of tests/data/good."""
    return make_project(tmp_path / "project")


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project as the working directory, as a clerk runs `sunlight` in it."""
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def good_villages(project: Path) -> Path:
    return project / "villages"


@pytest.fixture
def edit(good_villages: Path) -> Callable[[str, str, str], Path]:
    """Replace text in one file of the good copy (the old text must be there)."""

    def do(rel: str, old: str, new: str) -> Path:
        path = good_villages / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return path

    return do


# Hypothesis profiles: under "default" (Hypothesis' own; the property tests set their budgets)
# the fuzz tests of test_fuzz.py run a small fixed budget; `make fuzz` selects "fuzz"
# (pytest --hypothesis-profile=fuzz), for release checks: minutes of examples.
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
