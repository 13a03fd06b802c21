"""The docs stay honest: every command has help, every code and field is explained."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.format import schema
from builder.format.export import json_schema, table_schema
from builder.format.problems import KINDS

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


def _keys(fields: tuple[schema.Field, ...], prefix: str = "") -> list[str]:
    out = []
    for f in fields:
        out.append(prefix + f.key)
        inner = f.type.item if isinstance(f.type, schema.ListOf) else f.type
        if isinstance(inner, schema.Obj):
            out += _keys(inner.fields, prefix + f.key + ".")
    return out


@pytest.mark.parametrize("record_schema", schema.ALL_SCHEMAS, ids=lambda s: s.name)
def test_every_field_is_in_the_clerk_guide(record_schema: schema.RecordSchema) -> None:
    for key in _keys(record_schema.fields):
        assert f"`{key}`" in GUIDE, key


@pytest.mark.parametrize("record_schema", schema.YAML_SCHEMAS, ids=lambda s: s.name)
def test_published_json_schema_is_current(record_schema: schema.RecordSchema) -> None:
    path = ROOT / "content/schema" / f"{record_schema.name}.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == json_schema(record_schema), (
        "run: sunlight schema"
    )


@pytest.mark.parametrize("record_schema", schema.CSV_SCHEMAS, ids=lambda s: s.name)
def test_published_table_schema_is_current(record_schema: schema.RecordSchema) -> None:
    path = ROOT / "content/schema" / f"{record_schema.name}.tableschema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == table_schema(record_schema)


def test_readme_quick_start_is_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = readme[: readme.index("##", readme.index("## ") + 3)]
    assert "make site" in first and "make test" in first


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "content").glob("*.md")))
def test_every_fenced_block_of_a_hand_written_page_is_a_code_block(page: str) -> None:
    """A command the guide fences inside a numbered step is shown as a block, line by line, as
    it is typed: with the site's own Markdown settings (mkdocs.yml), each fence gives one
    <pre>, and no fence is left as inline code (Python-Markdown's fenced_code reads fences at
    the top level only, and ran such a block's lines into one line)."""
    import markdown
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    text = (ROOT / "content" / page).read_text(encoding="utf-8")
    html = markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    ).convert(text)
    fences = sum(1 for line in text.splitlines() if line.strip().startswith("```")) // 2
    assert html.count("<pre") == fences
    assert "```" not in html and not re.search(r"<code>[a-z]*\n", html)
