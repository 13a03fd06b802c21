"""Fuzzing every file kind: any bytes, and mutations of the real files, give a report.

Two strategies per kind of file: arbitrary bytes, and structure-aware mutations of the file
from tests/data/good (lines deleted, duplicated, swapped or re-indented, a value replaced by a
list, a mapping, nothing, a long or odd Unicode text, YAML indicators inserted, the file cut,
a BOM, CRLF or another encoding). Whatever comes in, `validate()` returns a report whose every
problem is placed under villages/, and `sunlight check` exits 0 or 1.

The normal suite runs a small fixed number of examples (the "default" profile in conftest.py);
`make fuzz` runs the "fuzz" profile, minutes of examples, for release checks.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.cli import cli
from builder.format.values import month_index, period_at
from builder.pipeline.validate import validate
from tests.conftest import GOOD, make_project

D10 = "chengguan/dongshan/2026-10"

# every kind of file, at every level it is found at
KINDS = [
    "county.yml",
    "powers.yml",
    "chengguan/town.yml",
    "chengguan/powers.yml",
    "chengguan/dongshan/village.yml",
    "chengguan/dongshan/powers.yml",
    "chengguan/dongshan/contracts.csv",
    "chengguan/dongshan/decisions.yml",
    "chengguan/dongshan/topics.yml",
    "chengguan/dongshan/2026-10/disclosure.yml",
    "chengguan/dongshan/2026-10/ledger.csv",
    "chengguan/dongshan/2026-09/assistance.csv",
]
ORIGINAL = {name: (GOOD / name).read_bytes() for name in KINDS}

ODD_TEXT = [
    "",
    "~",
    "null",
    "[]",
    "{}",
    "[1, [2, {a: b}]]",
    "{a: [1, 2], b: {c: d}}",
    "\n  - a\n  - b",
    "\n  a: 1\n  b: 2",
    "0x1F",
    "1e400",
    "-0",
    "9" * 40,
    ".nan",
    "2026-02-30",
    "2026-10-01T25:00:00",
    "yes",
    "\u202e\u200b\u00a0\u3000",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "𠀀" * 5,
    "é\u0301",
    "\x00\x01\x7f",
    "张" * 5000,
    '"unterminated',
    "'",
    'a,b,"c',
    "\u2028\u2029\x85",
]
INDICATORS = ["!", "&", "*", "|", ">", "%", "@", "#", " #", "? ", ": ", "- ", "---", "...", "`"]
ENCODINGS = ["gb18030", "utf-16", "utf-16-le", "latin-1", "big5"]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The original file with a few structure-aware changes."""
    lines = original.decode("utf-8").split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "indent", "value", "indicator", "truncate"]
            )
        )
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            change = draw(st.sampled_from(["", " ", "  ", "    ", "\t", "\u3000", "-"]))
            lines[i] = change + lines[i].lstrip(" ") if draw(st.booleans()) else change + lines[i]
        elif op == "value":
            new = draw(st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=20)))
            line = lines[i]
            sep = ": " if ": " in line else ("," if "," in line else None)
            if sep is None:
                lines[i] = line + new
            else:
                parts = line.split(sep)
                k = draw(st.integers(0, len(parts) - 1))
                parts[k] = new
                lines[i] = sep.join(parts)
        elif op == "indicator":
            at = draw(st.integers(0, len(lines[i])))
            mark = draw(st.sampled_from(INDICATORS))
            lines[i] = lines[i][:at] + mark + lines[i][at:]
        else:  # truncate the whole text somewhere
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", *ENCODINGS]))
    return text.encode(encoding, "replace")


def _any_content(name: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
        mutated(ORIGINAL[name]),
    )


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project for the whole module: each example writes a file and puts it back."""
    return make_project(tmp_path_factory.mktemp("fuzz") / "project")


def _assert_report(project: Path) -> None:
    result = validate(project / "villages", project)
    for p in result.report:
        assert p.where.path.startswith("villages/"), p


def _fuzz(project: Path, name: str, data: bytes) -> None:
    path = project / "villages" / name
    try:
        path.write_bytes(data)
        _assert_report(project)
    finally:
        path.write_bytes(ORIGINAL[name])


# a fixed budget in the normal suite; the "fuzz" profile's own under `make fuzz`
FUZZING = settings.get_current_profile_name() == "fuzz"
SETTINGS = settings(
    max_examples=settings().max_examples if FUZZING else 12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", KINDS)
@SETTINGS
@given(data=st.data())
def test_any_bytes_give_a_report(county: Path, name: str, data: st.DataObject) -> None:
    _fuzz(county, name, data.draw(st.binary(max_size=300) | st.text(max_size=200).map(str.encode)))


@pytest.mark.parametrize("name", KINDS)
@SETTINGS
@given(data=st.data())
def test_mutated_files_give_a_report(county: Path, name: str, data: st.DataObject) -> None:
    _fuzz(county, name, data.draw(mutated(ORIGINAL[name])))


@settings(
    max_examples=settings().max_examples // 20 if FUZZING else 4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_check_command_never_shows_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    project = make_project(tmp_path_factory.mktemp("cli") / "project")
    cwd = Path.cwd()
    try:
        for name in data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3)):
            (project / "villages" / name).write_bytes(data.draw(_any_content(name)))
        os.chdir(project)
        result = CliRunner().invoke(
            cli, ["check", "--no-cache", "--today", "2026-11-20"], catch_exceptions=False
        )
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
    finally:
        os.chdir(cwd)
        shutil.rmtree(project.parent)


# --- files and folders that cannot be read --------------------------------------------------
# NOTE: tests run as root, where chmod 000 does not stop reading: the operating system's
# refusal is simulated, and pipes and folders stand where a file is expected.
def _unreadable(report: object) -> list[tuple[str, str]]:
    return sorted(
        (p.where.path, dict(p.values)["reason_en"])
        for p in report  # type: ignore[attr-defined]
        if p.code == "unreadable"
    )


@pytest.mark.parametrize(
    "name",
    ["county.yml", "chengguan/town.yml", "chengguan/dongshan/village.yml", D10 + "/ledger.csv"],
)
def test_a_file_the_system_will_not_read_is_a_problem(
    project: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    target = project / "villages" / name
    read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    report = validate(project / "villages", project).report
    assert _unreadable(report) == [(f"villages/{name}", "permission denied")]
    assert all(p.where.path.startswith("villages/") for p in report)


@pytest.mark.parametrize("folder", ["", "chengguan", "chengguan/dongshan", D10])
def test_a_folder_the_system_will_not_list_is_a_problem(
    project: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    target = (project / "villages" / folder).resolve()
    scandir = os.scandir

    def refuse(path: Any) -> Any:
        if Path(path).resolve() == target:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    report = validate(project / "villages", project).report
    rel = f"villages/{folder}".rstrip("/")
    assert (rel, "permission denied") in _unreadable(report)
    assert all(p.where.path.startswith("villages") for p in report)


@pytest.mark.parametrize("kind", ["fifo", "folder", "socket"])
@pytest.mark.parametrize(
    "name", ["county.yml", "chengguan/dongshan/village.yml", D10 + "/ledger.csv"]
)
def test_not_a_regular_file_where_a_file_is_expected_is_a_problem(
    project: Path, monkeypatch: pytest.MonkeyPatch, kind: str, name: str
) -> None:
    path = project / "villages" / name
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
        (path / "x.yml").write_text("a: 1\n", encoding="utf-8")
    else:
        monkeypatch.chdir(path.parent)  # a socket's path is short: bind it where it is
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(path.name)
    report = validate(project / "villages", project).report
    assert _unreadable(report) == [(f"villages/{name}", "not a regular file")]
    assert "missing-file" not in {p.code for p in report}


def test_check_names_an_unreadable_file_without_a_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = project / "villages/chengguan/dongshan/village.yml"
    read_bytes = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.resolve() == target.resolve():
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["check", "--today", "2026-11-20"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "villages/chengguan/dongshan/village.yml" in result.output
    assert "无法读取“village.yml”（没有读取权限）" in result.output
    assert "cannot be read (permission denied)" in result.output
    # the problem is not cached: once the file is readable again, check passes
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = CliRunner().invoke(cli, ["check", "--today", "2026-11-20"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


# --- crashes the fuzzing found, as plain regression tests --------------------------------------
@pytest.mark.parametrize("today", ["0001-01-01", "0002-01-01", "0999-05-05", "9999-12-31"])
def test_check_as_of_a_far_date_gives_a_report(
    project: Path, monkeypatch: pytest.MonkeyPatch, today: str
) -> None:
    """Found by sweeping dates: a year before 1000 was written unpadded ("1-01") by the
    rules and refused by month_index, a ValueError traceback from `check --today 0001-01-01`."""
    monkeypatch.chdir(project)
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--today", today], catch_exceptions=False
    )
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize(
    ("period", "index"),
    [("2026-10", 2026 * 12 + 9), ("0001-01", 12), ("1-01", 12), ("999-12", 11999)],
)
def test_month_arithmetic_reads_short_years(period: str, index: int) -> None:
    assert month_index(period) == index
    assert month_index(period_at(index)) == index
    assert period_at(12) == "0001-01"


@pytest.mark.parametrize("period", ["0000-10", "9999-12", "0001-01", "1899-12", "3000-01"])
def test_a_period_folder_of_an_impossible_year_is_a_problem(
    project: Path, monkeypatch: pytest.MonkeyPatch, period: str
) -> None:
    """Found by renaming period folders: "0000-10" (year 0) and "9999-12" (its next month is in
    the year 10000) matched YYYY-MM and ended in a ValueError traceback in the checks."""
    village = project / "villages/chengguan/xiwan"
    (village / "2026-10").rename(village / period)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(
        cli, ["check", "--no-cache", "--today", "2026-11-20"], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    assert f"villages/chengguan/xiwan/{period}: " in result.output
    assert "A period's year is between 1900 and 2999" in result.output


# --- the folder layout: any names, any period --------------------------------------------------
LEVELS = ["", "chengguan", "chengguan/dongshan", D10]
NAMES = st.one_of(
    st.sampled_from(
        ["village.yml", "town.yml", "county.yml", "powers.yml", "ledger.csv", "2026-13"]
    ),
    st.from_regex(r"[0-9]{4}-(0[1-9]|1[0-2])", fullmatch=True),
    st.text(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="/\\\x00"),
        min_size=1,
        max_size=30,
    ).filter(lambda s: s not in (".", "..") and len(s.encode()) < 200),
)


@pytest.mark.parametrize("what", ["file", "folder", "period"])
@SETTINGS
@given(data=st.data())
def test_any_names_in_the_layout_give_a_report(
    county: Path, what: str, data: st.DataObject
) -> None:
    root = county / "villages"
    if what == "period":  # a village's period folder renamed to any YYYY-MM
        name = data.draw(st.from_regex(r"[0-9]{4}-(0[1-9]|1[0-2])", fullmatch=True))
        old, new = root / "chengguan/xiwan/2026-10", root / "chengguan/xiwan" / name
        if new.exists():
            return
        old.rename(new)
        try:
            _assert_report(county)
        finally:
            new.rename(old)
        return
    at = root / data.draw(st.sampled_from(LEVELS)) / data.draw(NAMES)
    if at.exists():
        return
    if what == "file":
        at.write_bytes(data.draw(st.binary(max_size=50)))
    else:
        at.mkdir()
        (at / "ledger.csv").write_text("date\n", encoding="utf-8")
    try:
        _assert_report(county)
    finally:
        shutil.rmtree(at) if at.is_dir() else at.unlink()
