"""The docs stay honest: every command has help, every code and field is explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import schema as S
from builder.cli import cli
from builder.export import json_schema, table_schema
from builder.problems import KINDS

ROOT = Path(__file__).resolve().parent.parent
CODES = (ROOT / "content/codes.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "content/guide.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", sorted(KINDS))
def test_problem_code_is_documented(code: str) -> None:
    assert f"`{code}`" in CODES


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert cli.commands[command].help


def _keys(fields: tuple[S.Field, ...], prefix: str = "") -> list[str]:
    out = []
    for f in fields:
        out.append(prefix + f.key)
        inner = f.type.item if isinstance(f.type, S.ListOf) else f.type
        if isinstance(inner, S.Obj):
            out += _keys(inner.fields, prefix + f.key + ".")
    return out


@pytest.mark.parametrize("schema", S.ALL_SCHEMAS, ids=lambda s: s.name)
def test_every_field_is_in_the_clerk_guide(schema: S.RecordSchema) -> None:
    for key in _keys(schema.fields):
        assert f"`{key}`" in GUIDE, key


@pytest.mark.parametrize("schema", S.YAML_SCHEMAS, ids=lambda s: s.name)
def test_published_json_schema_is_current(schema: S.RecordSchema) -> None:
    path = ROOT / "content/schema" / f"{schema.name}.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == json_schema(schema), (
        "run: sunlight schema"
    )


@pytest.mark.parametrize("schema", S.CSV_SCHEMAS, ids=lambda s: s.name)
def test_published_table_schema_is_current(schema: S.RecordSchema) -> None:
    path = ROOT / "content/schema" / f"{schema.name}.tableschema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == table_schema(schema)


def test_readme_quick_start_is_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme[: readme.index("##", readme.index("## ") + 3)]
    assert "make site" in first and "make test" in first
