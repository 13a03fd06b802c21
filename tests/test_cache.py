"""Reusing unchanged work between builds gives exactly the site a build from nothing gives."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_site import tree_digest

from builder.bench import add_month
from builder.cache import BuildCache
from builder.site import build_site
from builder.validate import validate


def build(project: Path, cache: BuildCache | None) -> Path:
    result = validate(project / "villages", project, cache=cache)
    assert result.county is not None, result.report.rows("path", "line", "code")
    build_site(project / "mkdocs.yml", project / "site", preloaded=result, cache=cache)
    return project / "site"


def test_validation_cache_gives_the_same_report(project: Path) -> None:
    cache = BuildCache(project / ".build" / "cache")
    ledger = project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace("记-002", "记-001"), encoding="utf-8"
    )
    first = validate(project / "villages", project, cache=cache).report.rows("path", "line", "code")
    again = validate(project / "villages", project, cache=cache).report.rows("path", "line", "code")
    assert (
        first
        == again
        == [("villages/chengguan/dongshan/2026-10/ledger.csv", 3, "duplicate-voucher")]
    )
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace(",记-001,代发", ",记-002,代发"), encoding="utf-8"
    )
    assert validate(project / "villages", project, cache=cache).report.rows("code") == []


def test_incremental_build_equals_a_build_from_nothing(project: Path, tmp_path: Path) -> None:
    cache = BuildCache(project / ".build" / "cache")
    site = build(project, cache)
    unchanged = site / "chengguan/xiwan/2026-09/index.html"
    inode = unchanged.stat().st_ino
    add_month(project / "villages/chengguan/dongshan")
    site = build(project, cache)
    assert (site / "chengguan/dongshan/2026-11/index.html").is_file()
    assert unchanged.stat().st_ino == inode, "an unchanged village's page was reused"
    incremental = tree_digest(site)

    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".build"))
    assert tree_digest(build(fresh, None)) == incremental


def test_a_change_of_template_context_rebuilds_everything(project: Path) -> None:
    cache = BuildCache(project / ".build" / "cache")
    site = build(project, cache)
    page = site / "chengguan/xiwan/2026-09/index.html"
    town = project / "villages/chengguan/town.yml"
    town.write_text(
        town.read_text(encoding="utf-8").replace("城关镇纪委", "城关镇纪委监督室"), encoding="utf-8"
    )
    inode = page.stat().st_ino
    build(project, cache)
    assert page.stat().st_ino != inode  # the town's contacts show on its villages' pages
