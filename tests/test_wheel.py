"""The wheel is the product: built, installed alone in a fresh venv, it builds a county's site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, make_project

# NOTE: both tests on one worker of the suite's two, so the wheel is built once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

# what a checkout holds besides the sources: never copied into the build
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", ".build", "build", "site", "*.egg-info", "__pycache__", ".*_cache"
)


def run(args: list[str | Path], cwd: Path, timeout: float = 300) -> str:
    """Run a command outside this test's Python (no PYTHONPATH: only what is installed counts)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env |= {
        "GIT_AUTHOR_NAME": "王丽",
        "GIT_AUTHOR_EMAIL": "wl@example.org",
        "GIT_COMMITTER_NAME": "王丽",
        "GIT_COMMITTER_EMAIL": "wl@example.org",
        "GIT_AUTHOR_DATE": "2026-11-10T10:00:00+08:00",
        "GIT_COMMITTER_DATE": "2026-11-10T10:00:00+08:00",
    }
    proc = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the checkout (setuptools would leave build/ in it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=NOT_SOURCES)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", "."], src)
    (path,) = (tmp / "dist").glob("sunlight-*.whl")
    return path


def source_files() -> set[str]:
    """Every file the package needs at run time, as the wheel should name it."""
    names = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "builder").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    names |= {f"builder/site_templates/{path.name}" for path in (ROOT / "site_templates").iterdir()}
    return names


def test_wheel_holds_every_module_asset_and_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert source_files() <= names
    # by name too, wherever the stages' folders move the modules and assets
    assert "builder/rules/__init__.py" in names
    assert "builder/audit/__init__.py" in names
    for asset in ("sunlight.css", "search.css", "search.js"):
        assert any(name.endswith(f"/assets/{asset}") for name in names), asset
    assert "builder/site_templates/village.html" in names
    assert "builder/py.typed" in names
    assert {name.split("/")[0] for name in names} == {"builder", "sunlight-0.1.0.dist-info"}
    assert not [name for name in names if name.startswith(("tests/", "tools/"))]


def test_installed_wheel_builds_a_county(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    try:
        venv.EnvBuilder(with_pip=True).create(env_dir)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot create a venv with pip here: {error}")
    python = env_dir / "bin" / "python"
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, "--require-hashes", "-r", ROOT / "requirements.lock"], tmp_path)
    run([*pip, "--no-deps", wheel], tmp_path)

    county = make_project(tmp_path / "county")
    run(["git", "init", "-q", "-b", "main"], county)
    run(["git", "add", "."], county)
    run(["git", "commit", "-q", "-m", "2026-10 records"], county)
    where = run([python, "-c", "import builder; print(builder.__file__)"], county)
    assert Path(where.strip()).is_relative_to(env_dir), "the test must run the installed wheel"

    run([env_dir / "bin" / "sunlight", "build"], county)

    index = county / "site" / "index.html"
    assert index.is_file()
    home = index.read_text(encoding="utf-8")
    for village in ("东山村", "西湾村"):
        assert village in home
    assert (county / "site" / "chengguan" / "dongshan" / "index.html").is_file()
    assert len(list((county / "site" / "assets").glob("sunlight.*.css"))) == 1
