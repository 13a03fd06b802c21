"""Personal data planted through every route a clerk (or a prankster) might take is refused,
and the full number never appears in what the checker prints."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.check.privacy import scan_values
from builder.cli import cli
from builder.read.records import Rec, Table

ID = "110101199003074514"
MOBILE = "13812345678"
CARD = "6228480012345678903"
DONGSHAN = "villages/chengguan/dongshan"
DISCLOSURE = f"{DONGSHAN}/2026-10/disclosure.yml"
TITLE = "title: 村道硬化工程完工验收"


def _escaped(digits: str, form: str) -> str:
    return "".join(form.format(ord(d)) for d in digits)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check() -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check"])
    return result.exit_code, result.output


def _in_title(value: str) -> Callable[[Path], None]:
    return lambda root: _replace(root / DISCLOSURE, TITLE, f"title: {value}")


def _folder(root: Path) -> None:
    shutil.copytree(root / DONGSHAN / "2026-10", root / DONGSHAN / MOBILE)


def _village_folder(root: Path) -> None:
    shutil.copytree(root / DONGSHAN, root / f"villages/chengguan/{MOBILE}")


def _slug_folder(root: Path) -> None:
    shutil.copytree(root / DONGSHAN, root / "villages/chengguan/zhang-138-1234-5678")


ROUTES: dict[str, tuple[Callable[[Path], None], str]] = {
    "yaml-x-escape": (_in_title('"' + _escaped(ID, "\\x{:02x}") + '"'), ID),
    "yaml-u-escape": (_in_title('"' + _escaped(ID, "\\u{:04x}") + '"'), ID),
    "yaml-U-escape": (_in_title('"' + _escaped(MOBILE, "\\U{:08x}") + '"'), MOBILE),
    "line-continuation": (_in_title('"电话 1381234\\\n      5678"'), MOBILE),
    "folded-line": (_in_title('"卡号 622848001234\n      5678903"'), CARD),
    "zero-width": (_in_title("电话 138\u200b1234\u20605678"), MOBILE),
    "escaped-zero-width": (_in_title('"电话 138\\u200b1234\\u20605678"'), MOBILE),
    "combining-mark": (_in_title("证号 11010119900307451\u03014"), ID),
    "full-width": (_in_title("电话 １３８－１２３４－５６７８"), MOBILE),
    "en-dash": (_in_title("证号 110101\u201319900307\u20134514"), ID),
    "plus-86": (_in_title("电话 +86 138 1234 5678"), MOBILE),
    "yaml-key": (
        lambda root: _replace(root / DISCLOSURE, "drafted_by:", f'"{MOBILE}": 1\ndrafted_by:'),
        MOBILE,
    ),
    "escaped-yaml-key": (
        lambda root: _replace(
            root / DISCLOSURE,
            "drafted_by:",
            '"' + _escaped(ID, "\\x{:02x}") + '": 1\ndrafted_by:',
        ),
        ID,
    ),
    "csv-cell": (
        lambda root: _replace(
            root / f"{DONGSHAN}/2026-10/ledger.csv",
            "代发低保金",
            "代发低保金 １３８１２３４５６７８",
        ),
        MOBILE,
    ),
    "town-escape": (
        lambda root: _replace(
            root / "villages/chengguan/town.yml",
            "name: 城关镇纪委",
            'name: "城关镇 ' + _escaped(MOBILE, "\\x{:02x}") + '"',
        ),
        MOBILE,
    ),
    "escaped-count": (
        lambda root: _replace(
            root / f"{DONGSHAN}/village.yml",
            "households: 412",
            'households: "' + _escaped(MOBILE, "\\x{:02x}") + '"',
        ),
        MOBILE,
    ),
    "escaped-amount": (
        lambda root: _replace(
            root / DISCLOSURE,
            'cash: "1000.00"',
            'cash: "' + _escaped(MOBILE, "\\x{:02x}") + '"',
        ),
        MOBILE,
    ),
    "period-folder": (_folder, MOBILE),
    "village-folder": (_village_folder, MOBILE),
    "slug-folder": (_slug_folder, MOBILE),
    "arabic-indic-digits": (_in_title("电话 ١٣٨١٢٣٤٥٦٧٨"), MOBILE),
    "house-number": (  # an address below the village group, in the 救助公示's group column
        lambda root: _replace(
            root / f"{DONGSHAN}/2026-09/assistance.csv", "第三村民小组", "第三村民小组18号"
        ),
        "组18号",
    ),
    # a villager's home line: only the declared office and hotline lines may be published
    "landline": (_in_title("村民张三家 （0539）621-9876"), "05396219876"),
    "landline-from-abroad": (_in_title("村民张三家 +86 539 621 9876"), "5396219876"),
    # ... and written without its area code, after a word that names a phone
    "local-landline": (_in_title("联系村民张三家座机：621-9876"), "6219876"),
    "local-landline-in-a-ledger": (
        lambda root: _replace(
            root / f"{DONGSHAN}/2026-10/ledger.csv", "代发低保金", "代发低保金（户主电话62198765）"
        ),
        "62198765",
    ),
    # escapes a browser (or a program showing a download as a page) decodes
    "html-character-references": (_in_title('"' + _escaped(ID, "&#{};") + '"'), ID),
    "html-hex-references": (_in_title('"电话 ' + _escaped(MOBILE, "&#x{:x};") + '"'), MOBILE),
    "url-escapes": (_in_title('"电话 ' + _escaped(MOBILE, "%{:02X}") + '"'), MOBILE),
    "chinese-numerals": (_in_title("电话 一三八一二三四五六七八"), MOBILE),
    "capital-numerals": (_in_title("卡号 陆贰贰捌肆捌零零壹贰叁肆伍陆柒捌玖零叁"), CARD),
    "courtyard": (
        lambda root: _replace(
            root / f"{DONGSHAN}/2026-09/assistance.csv", "第三村民小组", "第三村民小组 住18号院"
        ),
        "住18号",
    ),
    "csv-multiline-cell": (
        lambda root: _replace(
            root / f"{DONGSHAN}/2026-10/ledger.csv", "代发低保金", '"代发低保金 1381234\n  5678"'
        ),
        MOBILE,
    ),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_is_refused_and_masked(in_project: Path, route: str) -> None:
    plant, digits = ROUTES[route]
    plant(in_project)
    code, out = _check()
    assert code == 1, out
    assert digits not in out
    assert digits not in out.replace(" ", "").replace("-", "")


def test_the_good_twins_pass(in_project: Path) -> None:
    _replace(
        in_project / DISCLOSURE,
        TITLE,
        'title: "办公电话 0539-6212345、（0539）6210000、+86 539 621 2345，热线 12388、12345，'
        '金额 12,500.00 元、1234567.89 元，凭证 记-015，日期 2026-10-05，代码 371398100202"',
    )
    _replace(
        in_project / DISCLOSURE,
        "title: 十月主题党日,",
        'title: "尾号 138****5678，370102********1232，座机 0539-***9876，完成率 98%，A&amp;B，'
        "二〇二六年十月，第一二三村民小组，住院12天，办公电话 6212345，电话费 1234567 元，"
        '联系日期 20261005，联系人数 2000000 人",',
    )
    code, out = _check()
    assert (code, out) == (0, "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n"), out


def test_a_decoded_value_is_reported_at_its_file_line_and_field() -> None:
    disclosure = Rec(1, {"village_affairs": [Rec(9, {"title": ID}, {"title": 9})]}, {})
    ledger = Table("l.csv", (Rec(3, {"summary": "电话 138\u200b1234 5678"}, {"summary": 3}),), True)
    twin = Table(
        "t.csv", (Rec(2, {"summary": "代发 0539-6212345 12,500.00"}, {"summary": 2}),), True
    )
    found = scan_values(
        [("d.yml", disclosure), ("l.csv", ledger), ("t.csv", twin)], {"05396212345"}
    )
    assert [(p.where.path, p.where.line, p.field, p.code) for p in found] == [
        ("d.yml", 9, "village_affairs.title", "resident-id"),
        ("l.csv", 3, "summary", "bad-character"),
        ("l.csv", 3, "summary", "mobile-number"),
    ]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county whose clean records are already published in site/."""
    from conftest import make_project

    project = make_project(tmp_path_factory.mktemp("published") / "project")
    code, out = _build(project)
    assert code == 0, out
    return project


def _build(project: Path) -> tuple[int, str]:
    """`sunlight build --no-cache` in project, as a clerk runs it there."""
    cwd = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(cli, ["build", "--no-cache"])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.output


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_no_route_reaches_a_file_of_the_site(published: Path, tmp_path: Path, route: str) -> None:
    """The build refuses, the published site stays as it was, and no file of it (page, search
    index, sitemap, QR code) holds the number, however its digits are grouped."""
    project = tmp_path / "project"
    shutil.copytree(published, project, symlinks=True)
    plant, digits = ROUTES[route]
    plant(project)
    code, out = _build(project)
    assert code == 1, out
    site = project / "site"
    assert (site / "index.html").is_file()
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            assert digits not in text and digits not in "".join(filter(str.isdigit, text)), path


@pytest.mark.parametrize("sealed", [False, True], ids=["edited-line", "chain-rebuilt"])
def test_a_number_in_the_publication_log_is_not_published(
    published: Path, tmp_path: Path, sealed: bool
) -> None:
    """The log is published as it is: a number typed into it stops the build, whether the line
    was edited by hand or the chain rebuilt around it so that it reads as sound."""
    from dataclasses import replace

    from builder.audit import log

    project = tmp_path / "project"
    shutil.copytree(published, project, symlinks=True)
    path = project / "publication-log.jsonl"
    if not path.is_file():  # the fixture county starts without one: publish it first
        os.chdir(project)
        try:
            assert (
                CliRunner().invoke(cli, ["log", "update", "--today", "2026-12-10"]).exit_code == 0
            )
        finally:
            os.chdir(Path(__file__).resolve().parent.parent)
    entries, found = log.parse(path.read_text(encoding="utf-8"), "log")
    assert entries and not found
    planted = replace(entries[-1], village=f"{entries[-1].village}-{ID}")
    if sealed:
        entries[-1] = log.seal(planted)
        path.write_text(log.render(entries), encoding="utf-8")
    else:
        path.write_text(log.render(entries[:-1]) + planted.line(), encoding="utf-8")
    code, out = _build(project)
    assert code == 1, out
    assert ID not in out
    assert ID not in (project / "site/log/publication-log.jsonl").read_text(encoding="utf-8")
