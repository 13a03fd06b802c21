"""The real thing: strict MkDocs builds of the good records, looked at as files."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import brotli
import pytest
import zxingcpp
from PIL import Image

from builder.errors import BuilderError
from builder.pipeline.validate import validate
from builder.publish.build import build_site

pytestmark = pytest.mark.slow


def build(project: Path, site: Path | None = None) -> Path:
    site = site or project / "site"
    result = validate(project / "villages", project)
    assert result.county is not None, result.report.rows("path", "line", "code")
    build_site(project / "mkdocs.yml", site, preloaded=result)
    return site


def tree_digest(root: Path) -> dict[str, str]:
    """Every file's bytes by path, through links (a village's folder may be one)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(
            Path(folder) / name
            for folder, _, names in os.walk(root, followlinks=True)
            for name in names
        )
        if p.is_file()
    }


@pytest.fixture
def built_site(project: Path) -> Path:
    return build(project)


def test_strict_build_makes_every_page(built_site: Path) -> None:
    for page in [
        "index.html",
        "search/index.html",
        "chengguan/index.html",
        "chengguan/dongshan/index.html",
        "chengguan/dongshan/2026-10/index.html",
        "chengguan/dongshan/qr/index.html",
        "chengguan/dongshan/qr/qr.svg",
        "chengguan/dongshan/qr/qr.png",
        "chengguan/xiwan/2026-09/index.html",
        "about/index.html",
        "guide/index.html",
        "codes/index.html",
        "search/manifest.json",
    ]:
        assert (built_site / page).is_file(), page
    # assets under names that carry a hash of their bytes, precompressed whatever the host
    for pattern in ("sunlight.*.css", "search.*.js"):
        (asset,) = (built_site / "assets").glob(pattern)
        digest = hashlib.sha256(asset.read_bytes()).hexdigest()[:10]
        assert asset.name.split(".")[1] == digest
        for suffix, unpack in ((".gz", gzip.decompress), (".br", brotli.decompress)):
            assert unpack(asset.with_name(asset.name + suffix).read_bytes()) == asset.read_bytes()
    index = [p for p in (built_site / "search").rglob("*.json") if p.stat().st_size >= 512]
    assert index  # the search index: a cheaper brotli than the assets', the same bytes
    for part in index:
        assert brotli.decompress(part.with_name(part.name + ".br").read_bytes()) == (
            part.read_bytes()
        )
    period = (built_site / "chengguan/dongshan/2026-10/index.html").read_text(encoding="utf-8")
    assert "支付村道硬化工程尾款" in period
    assert "11,399.50" in period  # the month's expense, added up in the model
    assert '<html lang="zh"' in period


@pytest.mark.parametrize("every", [True, False], ids=["precompress: true", "by default"])
def test_every_text_file_has_its_copy_and_every_copy_its_bytes(project: Path, every: bool) -> None:
    """Whoever wrote a file (MkDocs, the plugin as MkDocs wrote its page, the worker, the
    merge), the .gz beside it holds exactly its bytes, and none is missing or left over: of
    every text file with the plugin's precompress, else of the shared ones only (the
    stylesheet, the scripts, the search index, the downloads)."""
    from builder.publish.compress import MIN_BYTES, TEXT, always_copied

    if every:
        config = project / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        assert "precompress: false" in text
        config.write_text(text.replace("precompress: false", "precompress: true"), "utf-8")
    built_site = build(project)
    files = {
        (Path(folder) / name).relative_to(built_site).as_posix(): Path(folder) / name
        for folder, _, names in os.walk(built_site, followlinks=True)
        for name in names
    }
    copies = [rel for rel in files if rel.endswith(".gz")]
    assert len(copies) > (100 if every else 10)
    for rel in copies:
        assert rel[:-3] in files, rel
        assert gzip.decompress(files[rel].read_bytes()) == files[rel[:-3]].read_bytes(), rel
    for rel, path in files.items():
        if Path(rel).suffix in TEXT and path.stat().st_size >= MIN_BYTES:
            assert (f"{rel}.gz" in files) == (every or always_copied(rel) or rel == "sitemap.xml")
    kinds = {Path(rel[:-3]).suffix for rel in copies}
    assert {".css", ".js", ".json", ".csv", ".xml"} <= kinds
    assert (".html" in kinds) == every and (".svg" in kinds) == every


def test_a_download_is_compressed_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A download's CSV and JSON get their .gz joined from the village's deflated parts: no
    process gzips the whole file as well (the worker did, for each village's, only for the
    joined one to be written over it)."""
    from builder.publish import compress

    log = project / "gzipped.log"
    real = compress.gzipped

    def logged(data: bytes) -> bytes:  # every process that gzips, the worker forked included
        with log.open("a", encoding="ascii") as out:
            out.write(hashlib.sha256(data).hexdigest() + "\n")
        return real(data)

    monkeypatch.setattr(compress, "gzipped", logged)
    site = build(project)
    gzipped = set(log.read_text(encoding="ascii").split())
    joined = [
        Path(folder) / name
        for folder, _, names in os.walk(site, followlinks=True)  # a village's may be a link
        for name in names
        if Path(folder).name == "data"
        and name.endswith((".csv.gz", ".json.gz"))
        and name != "datapackage.json.gz"  # no parts: gzipped whole
    ]
    villages = len(list(site.glob("*/*/qr/qr.svg")))
    assert len({path.parent for path in joined}) == villages + 1  # each village's, the county's
    for path in joined:
        original = path.with_name(path.name[:-3]).read_bytes()
        assert gzip.decompress(path.read_bytes()) == original, path
        assert hashlib.sha256(original).hexdigest() not in gzipped, path
    assert gzipped  # what has no joined copy is still gzipped whole (the search index)


def test_a_generated_file_wins_over_a_hand_written_one_at_its_path(project: Path) -> None:
    """A file the county's pages folder holds at a path the build generates (a feed, a QR
    code, a county download) gives way to the generated one, every build: before, MkDocs copied
    it while the worker wrote the generated one, and either could be left. Any other file, in
    the downloads' folder too, is published as it is."""
    junk = b"hand-written, not generated\n"
    paths = ["feed.xml", "chengguan/dongshan/qr/qr.svg", "data/ledger.csv"]
    for rel in paths:
        (project / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / "content" / rel).write_bytes(junk)
    # beside the generated ones, a hand-written file the build does not make is published
    (project / "content/data/说明.txt").write_text("数据说明：每月更新。\n", encoding="utf-8")
    site = build(project)
    for rel in paths:
        assert (site / rel).read_bytes() != junk, rel
    assert (site / "data/说明.txt").read_text(encoding="utf-8") == "数据说明：每月更新。\n"
    assert (site / "feed.xml").read_bytes().startswith(b"<?xml")
    assert (site / "chengguan/dongshan/qr/qr.svg").read_bytes().startswith(b"<?xml")
    assert b"," in (site / "data/ledger.csv").read_bytes().split(b"\n")[0]  # its header row


def test_the_downloads_written_meanwhile_are_the_rendered_ones(
    built_site: Path, project: Path
) -> None:
    """The county's downloads, joined and written by the worker while MkDocs renders, and a
    village's, assembled from its part, are the files the renderer makes in one process."""
    from builder.publish.render import Renderer

    result = validate(project / "villages", project)
    assert result.county is not None
    files = Renderer(result.county).render().files
    county = {p: d for p, d in files.items() if p.startswith("data/") and p.count("/") == 1}
    village = "chengguan/dongshan/data/"
    own = {p: d for p, d in files.items() if p.startswith(village) and p.count("/") == 3}
    assert "data/ledger.csv" in county and f"{village}ledger.csv" in own
    for path, data in {**county, **own}.items():
        assert (built_site / path).read_bytes() == data, path


def test_no_request_leaves_the_site(built_site: Path) -> None:
    """Whatever a page loads (scripts, styles, images, fonts) comes from the site itself."""
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        loads = re.findall(r'<(?:script|img|iframe|source)\b[^>]*\bsrc="([^"]*)"', html)
        loads += [
            href
            for tag, href in re.findall(r'<link\b([^>]*)\bhref="([^"]*)"', html)
            if "canonical" not in tag
        ]
        for url in loads:
            assert not re.match(r"(?:[a-z]+:)?//", url), f"{page}: loads {url}"
        for host in re.findall(r'href="(?:https?:)?//([^"/]+)', html):
            assert host == "example.org", f"{page}: links to {host}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_assistance_names_are_masked_online(built_site: Path) -> None:
    html = (built_site / "chengguan/dongshan/2026-09/index.html").read_text(encoding="utf-8")
    assert "陈*芳" in html and "欧*明" in html
    assert "陈小芳" not in html and "欧阳明" not in html
    search = "".join(p.read_text(encoding="utf-8") for p in (built_site / "search").rglob("*.json"))
    assert "陈小芳" not in search


def test_every_village_qr_decodes_to_its_page_url(built_site: Path) -> None:
    pngs = sorted(built_site.glob("*/*/qr/qr.png"))
    assert len(pngs) == 2
    for png in pngs:
        village_dir = png.parent.parent.relative_to(built_site).as_posix()
        decoded = zxingcpp.read_barcodes(Image.open(png))
        assert [d.text for d in decoded] == [f"https://example.org/shifan/{village_dir}/"]


def test_two_builds_are_byte_identical(project: Path, tmp_path: Path) -> None:
    a = build(project, tmp_path / "a")
    b = build(project, tmp_path / "b")
    assert tree_digest(a) == tree_digest(b)


def test_generated_pages_skip_markdown_for_the_same_site(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated page's body goes straight to the theme (SunlightPlugin.fast_html): sent
    through Markdown, as plain MkDocs renders it, the site is the same, byte for byte."""
    from builder.publish.site import SunlightPlugin

    fast = tree_digest(build(project, tmp_path / "fast"))
    monkeypatch.setattr(SunlightPlugin, "fast_html", False)
    through_markdown = tree_digest(build(project, tmp_path / "markdown"))
    assert through_markdown == fast


def kept_shells(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The PageShells of each build to come (shells.py), to read what they did."""
    from builder.publish.shells import PageShells

    made: list[object] = []
    original = PageShells.__init__

    def remember(self: PageShells, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(PageShells, "__init__", remember)
    return made


def test_page_shells_give_materials_pages(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Material's page around a generated page, filled into a kept shell (shells.py), is the
    page Material renders for it, byte for byte; and most pages are filled so, one shell
    serving the months of every village of a town (their folders lie alike to every URL the
    theme links)."""
    from builder.publish.shells import FAILED, PageShells
    from builder.publish.site import GeneratedPage

    shells = kept_shells(monkeypatch)
    learnt: list[str] = []  # the page each shell was learnt from
    learn = PageShells.learn

    def learning(self: PageShells, template: Any, values: Any) -> Any:
        learnt.append(values["page"].url)
        return learn(self, template, values)

    monkeypatch.setattr(PageShells, "learn", learning)
    filled = tree_digest(build(project, tmp_path / "filled"))
    (used,) = shells
    assert FAILED not in used.kept.values()  # type: ignore[attr-defined]
    # every month's page but each town's first (rendered in full, then tried on the shell)
    months = list((tmp_path / "filled").glob("*/*/[0-9][0-9][0-9][0-9]-[0-9][0-9]/index.html"))
    villages = {page.parent.parent for page in months}
    towns = {village.parent for village in villages}
    assert len(villages) > len(towns)
    assert used.filled >= len(months) - len(towns) > 0  # type: ignore[attr-defined]
    # one shell for the months of a town's villages: learnt once a town, not once a village
    month_shells = [url for url in learnt if re.fullmatch(r"[^/]+/[^/]+/\d{4}-\d{2}/", url)]
    assert len(month_shells) == len(towns)
    monkeypatch.setattr(GeneratedPage, "shells", False)
    assert tree_digest(build(project, tmp_path / "rendered")) == filled


def test_a_word_filled_into_a_shell_is_one_the_filters_leave_as_it_is() -> None:
    """shells.UNSAFE lets through only words that Material's filters on them (e, striptags)
    would write unchanged, so filling one in gives what rendering it gives."""
    from markupsafe import Markup, escape

    from builder.publish.shells import UNSAFE

    characters = [chr(c) for c in range(0x20, 0x7F)] + list("\t\n\r\x0b\x0c\xa0\u3000\u2028·，（）")
    passed = 0
    for left in characters:
        for right in characters:
            for word in (f"东山村{left}{right}2026年", f"{left}村{right}", f"{left}{right}"):
                if UNSAFE.search(word):
                    continue
                passed += 1
                assert str(escape(word)) == word, word
                assert Markup(word).striptags() == word, word
    assert passed > 10_000  # most pairs pass: the test tries the filters, not only the pattern


def test_a_shell_that_leaves_out_part_of_a_page_is_not_used(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Material's feedback form writes each page's URL and URL-encoded title: a shell learnt
    from one page would give the others its URL. Tried on the first page, every such shell
    fails, and every page is rendered in full: the site is Material's."""
    from builder.publish.shells import FAILED
    from builder.publish.site import GeneratedPage

    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "\nextra:\n",
            "\n".join(
                [
                    "",
                    "extra:",
                    "  analytics:",
                    "    feedback:",
                    "      title: 这一页有用吗？",
                    "      ratings:",
                    "        - icon: material/thumb-up-outline",
                    "          name: 有用",
                    "          data: 1",
                    '          note: "谢谢：{url} {title}"',
                    "",
                ]
            ),
        ),
        encoding="utf-8",
    )
    shells = kept_shells(monkeypatch)
    tried = tree_digest(build(project, tmp_path / "tried"))
    (used,) = shells
    assert used.filled == 0 and set(used.kept.values()) == {FAILED}  # type: ignore[attr-defined]
    page = (tmp_path / "tried/chengguan/dongshan/2026-10/index.html").read_text(encoding="utf-8")
    assert "谢谢：/chengguan/dongshan/2026-10/" in page
    monkeypatch.setattr(GeneratedPage, "shells", False)
    assert tree_digest(build(project, tmp_path / "rendered")) == tried


@pytest.mark.parametrize(
    "text",
    [
        "东山村 2026年10月",
        'a "quoted" \\ path',
        "yes",
        "null",
        "1.0",
        "- x",
        "a: b",
        "#c",
        "[1]",
        "{a}",
        "&a *b",
        "!tag",
        "|",
        " lead ",
        "tab\there",
        "line\nbreak",
        "\r",
        "del\x7f",
        "nel\x85",
        "c1\x9f",
        "bom\ufeff",
        "ls\u2028ps\u2029",
        "\u3000全角",
        "\U0001f600",
        "\x00",
    ],
)
def test_front_matter_reads_back_as_mkdocs_reads_it(text: str) -> None:
    """What front_matter writes, MkDocs' YAML reader and the plugin's JSON reader
    (read_front_matter, for the generated pages) both read back as it was given."""
    from mkdocs.utils.meta import get_data

    from builder.publish.render import front_matter, read_front_matter

    page = front_matter(text, description=f"说明{text}", feed="../feed.xml") + "<p>body</p>\n"
    fields = {"title": text, "description": f"说明{text}", "feed": "../feed.xml"}
    assert get_data(page) == ("<p>body</p>\n", fields)
    assert read_front_matter(page) == ("<p>body</p>\n", fields)


def test_front_matter_it_did_not_write_is_left_to_mkdocs() -> None:
    from builder.publish.render import read_front_matter

    for text in (
        "# 标题\n",
        "---\ntitle: 标题\n---\n",
        '---\ntitle: "a"\ntitle: "b"\n---\n',
        '---\n"title": "a"\n---\n',
        '---\ntitle: "a"\n',
    ):
        assert read_front_matter(text) is None, text


def test_failed_build_leaves_previous_site_untouched(project: Path) -> None:
    site = build(project)
    before = tree_digest(site)
    ledger = project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace("11000.00", "11,000"), encoding="utf-8"
    )
    with pytest.raises(BuilderError):
        build_site(project / "mkdocs.yml", site)  # the plugin checks again and refuses
    assert tree_digest(site) == before
    leftovers = [p.name for p in project.glob(".site-*") if p.name != ".site-versions"]
    assert leftovers == [], "staging folders are cleaned up"


def test_failed_mkdocs_step_leaves_previous_site_untouched(project: Path) -> None:
    site = build(project)
    before = tree_digest(site)
    (project / "content/about.md").write_text("[broken](missing.md)\n", encoding="utf-8")
    with pytest.raises(BuilderError):
        build(project)  # strict mode: a broken link is a warning, and warnings abort
    assert tree_digest(site) == before


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[点我](javascript:alert(3))",
    "![图](http://evil.example/x.png)",
    "**粗体** _斜体_ `code`",
    '--8<-- "/etc/passwd"',
    "{{ config.site_name }} {% include 'x' %}",
    "<a href='http://evil.example'>链接</a>",
    "&lt;b&gt;实体&lt;/b&gt;",
]


def test_record_text_stays_inert(project: Path) -> None:
    ledger = project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    text = ledger.read_text(encoding="utf-8")
    for i, hostile in enumerate(HOSTILE):
        quoted = '"' + hostile.replace('"', '""') + '"'
        text = text.replace(
            "支付村道硬化工程尾款" if i == 0 else "\n", f"X{i}{quoted}" if i == 0 else "\n", 1
        )
    rows = [r for r in text.split("\n") if r]
    header, first = rows[0], rows[1]
    body = [first.replace('X0"<script>alert(1)</script>"', '"<script>alert(1)</script>"')]
    cells = first.split(",")
    for i, hostile in enumerate(HOSTILE[1:], start=1):
        quoted = '"' + hostile.replace('"', '""') + '"'
        body.append(
            ",".join(
                [
                    cells[0],
                    f"记-9{i:02d}",
                    quoted,
                    "513",
                    "",
                    "1.00",
                    quoted,
                    "转账",
                    "发票",
                    "张建国",
                    "",
                ]
            )
        )
    ledger.write_text("\n".join([header, *body, *rows[2:]]) + "\n", encoding="utf-8")
    disclosure = project / "villages/chengguan/dongshan/2026-10/disclosure.yml"
    d = disclosure.read_text(encoding="utf-8")
    d = d.replace(
        'closing: {cash: "800.00", bank: "341900.50"}',
        'closing: {cash: "800.00", bank: "341892.50"}',
    )
    d = d.replace("组织党员参加村道硬化义务劳动。", '"<script>alert(9)</script> [x](javascript:y)"')
    disclosure.write_text(d, encoding="utf-8")
    site = build(project)
    html = (site / "chengguan/dongshan/2026-10/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert 'href="javascript:' not in html and 'evil.example/x.png"' not in html
    assert "<strong>粗体" not in html and "<code>code" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[点我](javascript:alert(3))" in html
    assert "{{ config.site_name }}" in html
    assert "&amp;lt;b&amp;gt;" in html
    assert "root:" not in html


def test_supervision_pages(project: Path) -> None:
    contracts = project / "villages/chengguan/dongshan/contracts.csv"
    contracts.write_text(
        contracts.read_text(encoding="utf-8").replace(
            "东山果园12亩", "东山果园<script>alert(1)</script>"
        ),
        encoding="utf-8",
    )
    ledger = project / "villages/chengguan/dongshan/2026-09/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace(
            "10000.00,临沂市宏达路桥公司,转账", "10000.00,临沂市宏达路桥公司,现金"
        ),
        encoding="utf-8",
    )
    site = build(project)
    village = (site / "chengguan/dongshan/index.html").read_text(encoding="utf-8")
    assert 'id="flags"' in village and "R8 大额现金支付" in village
    assert 'href="2026-09/#flags"' in village
    assert 'href="contracts/"' in village and 'href="decisions/"' in village
    period = (site / "chengguan/dongshan/2026-09/index.html").read_text(encoding="utf-8")
    assert "R8 大额现金支付" in period and 'href="../contracts/#HT2026-01"' in period
    assert "R8" not in (site / "chengguan/dongshan/2026-10/index.html").read_text("utf-8")
    pages = {
        name: (site / f"chengguan/dongshan/{name}/index.html").read_text(encoding="utf-8")
        for name in ("contracts", "decisions", "topics")
    }
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["contracts"]
    assert "<script>alert(1)" not in pages["contracts"]
    assert 'href="../decisions/#JY2026-01"' in pages["contracts"]
    assert "31,000.00" in pages["contracts"]  # paid so far, added up in the model
    assert (
        "村民代表会议决议" in pages["decisions"] and "应到 32 人，实到 28 人" in pages["decisions"]
    )
    assert 'href="../2026-10/#topics"' in pages["topics"]  # the period that published the answer
    assert 'href="../contracts/#HT2026-01"' in pages["topics"]
    assert "村道硬化工程一共花了多少钱" in (
        site / "chengguan/dongshan/2026-10/index.html"
    ).read_text(encoding="utf-8")
    assert not (site / "chengguan/xiwan/contracts").exists()
    status = (site / "status/index.html").read_text(encoding="utf-8")
    assert status.index('id="chengguan"') < status.index("东山村") < status.index("西湾村")
    assert '<td class="sl-st-on-time" data-label="2026-10">按时</td>' in status
    assert '<td class="sl-st-missing">' not in status
    rules = (site / "rules/index.html").read_text(encoding="utf-8")
    assert all(f'id="{rule}"' in rules for rule in ("R1", "R11", "R29"))


def test_the_site_is_a_link_switched_in_one_step(project: Path) -> None:
    """site/ links to a version folder; a build makes a new version and replaces the link, so
    site/ is never missing or half-made. The version it replaced stays until the next build
    (a reader in the middle of a page keeps its files), then goes in the background."""
    import time

    site = build(project)
    assert site.is_symlink()
    first = site.resolve()
    build(project)
    second = site.resolve()
    assert second != first and first.is_dir()
    build(project)
    deadline = time.monotonic() + 30
    while first.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not first.exists() and second.exists() == (site.resolve() != second)
    leftovers = [p.name for p in project.glob(".site-*") if p.name != ".site-versions"]
    assert leftovers == []


def test_a_killed_build_never_leaves_the_site_missing(project: Path) -> None:
    """Whatever moment a build is killed, site/ is the last whole site (or the new one)."""
    import signal
    import subprocess
    import sys
    import time

    site = build(project)
    before = tree_digest(site)
    # as of the same day as the site above (the CLI's default is the wall clock's day), so a
    # build that finishes before it is killed makes the same site
    county = validate(project / "villages", project).county
    assert county is not None
    code = (
        "import sys; from pathlib import Path; "
        f"sys.argv = ['sunlight', 'build', '--no-cache', '--today', '{county.as_of}']; "
        "from builder.cli import main; main()"
    )
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, 1.6):
        (project / "villages/chengguan/dongshan/village.yml").touch()
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert (site / "index.html").is_file(), f"killed after {delay} s"
        assert tree_digest(site) == before, f"killed after {delay} s"
    build(project)  # and the next build clears what the killed ones left
    assert sorted(p.name for p in project.glob(".site-*")) == [".site-versions"]


def children_of(pid: int) -> set[int]:
    """The processes pid forked that are still running (its zombies left out)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            continue
    return {child for child in found if is_running(child)}


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def is_running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_a_killed_build_leaves_no_process_behind(project: Path) -> None:
    """Killed while its worker makes the print sheets, a build takes the worker with it
    (workers.die_with_parent): before, the worker went on writing into the killed build's
    staging folder, which the next build then could not always remove."""
    import signal
    import subprocess
    import sys
    import time

    # NOTE: each print sheet takes a minute, so the worker outlives the kill by far unless the
    # kill takes it along
    code = (
        "import sys, time; from builder.publish.render import Renderer; made = Renderer.sheet; "
        "Renderer.sheet = lambda *args: (time.sleep(60), made(*args))[1]; "
        "sys.argv = ['sunlight', 'build', '--no-cache']; "
        "from builder.cli import main; main()"
    )
    args = [sys.executable, "-c", code]
    proc = subprocess.Popen(args, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # NOTE: a forked process runs the build's own command line (git, which it also runs, not);
    # written out, not read from /proc at once: the child may not have started it yet
    command = b"".join(os.fsencode(arg) + b"\0" for arg in args)
    deadline = time.monotonic() + 60
    forked: set[int] = set()
    try:
        while not forked and proc.poll() is None and time.monotonic() < deadline:
            forked = {pid for pid in children_of(proc.pid) if cmdline(pid) == command}
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert forked, "the build forked no worker"
    deadline = time.monotonic() + 10
    while any(is_running(pid) for pid in forked) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in forked if is_running(pid)]
    for pid in left:  # NOTE: not to leave them running when this fails
        os.kill(pid, signal.SIGKILL)
    assert left == []


def test_preview_of_one_village_builds_only_it(project: Path, tmp_path: Path) -> None:
    """What `sunlight serve villages/TOWN/VILLAGE` builds on every save: one village."""
    import os

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    cwd = Path.cwd()
    os.chdir(project)
    try:
        config = load_config(
            "mkdocs.yml",
            site_dir=str(tmp_path / "preview"),
            plugins=[{"sunlight": {"only": ["villages/chengguan/xiwan"]}}],
        )
        mkdocs_build(config)
    finally:
        os.chdir(cwd)
    site = tmp_path / "preview"
    assert (site / "chengguan/xiwan/2026-09/index.html").is_file()
    assert not (site / "chengguan/dongshan").exists()
    assert "西湾村" in (site / "index.html").read_text(encoding="utf-8")


def test_a_hand_written_page_with_personal_data_is_not_published(project: Path) -> None:
    """content/ is published as it is: the build scans it like the records."""
    site = build(project)
    before = tree_digest(site)
    page = project / "content/about.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\n联系人手机 139-1234-5678，身份证 110101199003074514\n",
        encoding="utf-8",
    )
    with pytest.raises(BuilderError):
        build(project)
    assert tree_digest(site) == before
    assert "1101011990" not in (site / "about/index.html").read_text(encoding="utf-8")


def test_a_hand_written_page_may_name_the_declared_lines(project: Path) -> None:
    page = project / "content/about.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\n监督举报电话 12388，金额 12,500.00 元。\n",
        encoding="utf-8",
    )
    site = build(project)
    assert "12388" in (site / "about/index.html").read_text(encoding="utf-8")
