"""The package's shape: imports follow the pipeline's stages, and no module reaches into
another's private names (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "builder"

# Stages in pipeline order: a module may import its own stage and those before it.
STAGES = (
    ("builder", "builder.errors"),
    ("builder.format",),
    ("builder.read",),
    ("builder.check",),
    ("builder.model",),
    ("builder.rules",),
    ("builder.pipeline",),
    ("builder.audit",),
    ("builder.clerk",),
    ("builder.publish",),
    ("builder.cli", "builder.__main__"),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> int:
    """The stage a module belongs to: the longest stage prefix that names it."""
    best, best_len = -1, -1
    for rank, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = rank, len(prefix)
    return best


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module imported from, names) for every import in the file, nested ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "." * node.level + (node.module or ""), []))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, []) for a in node.names)
    return found


def test_every_module_has_a_stage() -> None:
    assert [m for m in MODULES if stage_of(m) < 0] == []


def test_imports_are_absolute() -> None:
    relative = [
        f"{m}:{line}" for m, p in MODULES.items() for line, mod, _ in imports_of(p) if mod[0] == "."
    ]
    assert relative == []


def test_no_import_runs_against_the_pipeline() -> None:
    against = []
    for module, path in MODULES.items():
        for line, imported, names in imports_of(path):
            if not imported.startswith("builder"):
                continue
            targets = [imported] + [
                f"{imported}.{n}" for n in names if f"{imported}.{n}" in MODULES
            ]
            for target in targets:
                if stage_of(target) > stage_of(module):
                    against.append(f"{module}:{line} imports {target}")
    assert against == []


def test_no_private_names_across_modules() -> None:
    reached = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported_modules = set()
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("builder")
            ):
                for alias in node.names:
                    if alias.name.startswith("_") and alias.name != "__version__":
                        reached.append(f"{module}:{node.lineno} imports {alias.name}")
                    if f"{node.module}.{alias.name}" in MODULES:
                        imported_modules.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported_modules
                and node.attr.startswith("_")
            ):
                reached.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert reached == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_has_a_docstring(module: str) -> None:
    assert ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8"))), module
