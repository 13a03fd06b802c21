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
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.cli import cli
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
