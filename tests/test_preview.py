"""`sunlight serve` with records that have errors: a page of problems, never an aborted preview;
the real site again once they are fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config


def preview(project: Path) -> str:
    plugins = {"sunlight": {"villages_dir": str(project / "villages"), "preview": True}}
    config = load_config(
        str(project / "mkdocs.yml"), plugins=plugins, site_dir=str(project / "site")
    )
    build(config)
    # MkDocs' serve reads the same mapping again on every rebuild
    assert plugins["sunlight"]["preview"] is True
    return (project / "site/index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_errors_show_as_a_page_and_the_site_returns_when_fixed(project: Path) -> None:
    ledger = project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    good = ledger.read_text(encoding="utf-8")
    ledger.write_text(good.replace(",11000.00,", ",<b>11000</b>,", 1), encoding="utf-8")
    page = preview(project)
    assert "记录有错误，网站暂未更新" in page
    assert "villages/chengguan/dongshan/2026-10/ledger.csv:2" in page
    assert "“&lt;b&gt;11000&lt;/b&gt;”不是有效金额" in page and "<b>11000</b>" not in page
    assert not (project / "site/chengguan").exists()  # no page of the records is built
    ledger.write_text(good, encoding="utf-8")
    page = preview(project)
    assert "记录有错误" not in page and "城关镇" in page


@pytest.mark.slow
def test_a_scoped_preview_shows_each_save_with_the_options_serve_gives(project: Path) -> None:
    """`sunlight serve FOLDER`: the options it gives MkDocs build that village alone, and a
    save shows on the next build with the same options (MkDocs' serve reads them again)."""
    from builder.publish.build import preview_options

    village = project / "villages/chengguan/dongshan"
    options, watch = preview_options(project / "mkdocs.yml", [village])
    assert str(village.resolve()) in watch
    assert not any(path.endswith("xiwan") for path in watch)
    site = project / "site"
    disclosure = village / "2026-10/disclosure.yml"
    for title in ("村道硬化工程完工验收", "村道硬化工程竣工验收"):
        text = disclosure.read_text(encoding="utf-8")
        disclosure.write_text(text.replace("村道硬化工程完工验收", title), encoding="utf-8")
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(site), **options))
        page = (site / "chengguan/dongshan/2026-10/index.html").read_text(encoding="utf-8")
        assert title in page
    assert not (site / "chengguan/xiwan").exists()
