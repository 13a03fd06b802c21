"""Pages that prove themselves, in a real git repository: the site built from a commit passes
`verify --site` and the page's own check in Chromium; a page edited after the build (figures
only, fingerprint only, or both consistently) fails both, and the page tells the villager that
the posted sheet is the record. The printed sheet's QR code, now carrying the tree head,
decodes at its printed size."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zxingcpp
from click.testing import CliRunner
from PIL import Image, ImageFilter

from builder.audit import checkpoint as cp
from builder.audit import tlog
from builder.audit.fingerprint import DOMAIN, DOMAIN_V2
from builder.cli import cli
from builder.pipeline.validate import validate
from builder.publish.verify import rebuild, verify_site
from tests.browser import browser_missing, chromium, phone_page, serve_directory
from tests.conftest import make_project
from tests.test_audit import git, publish, sunlight

PAGE = "chengguan/dongshan/2026-10/index.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Path]]:
    """A committed county with a signed log, its site, and the site rebuilt from its commit."""
    root = tmp_path_factory.mktemp("selfcheck")
    project = make_project(root / "project")
    key = cp.generate("example.org/yunxi/log")
    (project / tlog.KEY_NAME).write_text(key.verifier().text() + "\n", encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv(tlog.KEY_ENV, key.text())
    git(project, "init", "-q", "-b", "main")
    publish(project, "2026-11-10", "八月至十月公开")
    mp.undo()
    code, out = sunlight(project, "build", "--site-dir", str(root / "site"))
    assert code == 0, out
    reference = rebuild(
        project / "villages", git(project, "rev-parse", "HEAD").strip(), root / "ref"
    )
    yield project, (root / "site").resolve(), reference


def _copy(site: Path, dest: Path) -> Path:
    shutil.copytree(site, dest, symlinks=False)
    return dest


def _figures(html: str) -> str:
    """Change one ledger amount, as a forger editing the page would."""
    rows = re.findall(r"<tr>.*?</tr>", html.split('class="sl-table sl-ledger', 1)[1])
    third = rows[3]  # the header row, then the ledger's third row
    assert '<td class="sl-num">200.00</td>' in third
    return html.replace(third, third.replace(">200.00<", ">20.00<"))


def _fingerprint(html: str) -> str:
    fp = re.search(r'data-fingerprint="([0-9a-f]{64})"', html)
    assert fp is not None
    forged = "0" * 64
    shown = " ".join(forged[i : i + 4] for i in range(0, 32, 4))
    html = html.replace(fp.group(1), forged)
    return re.sub(r'(id="sl-fp-shown">)[^<]*<', rf"\g<1>{shown}<", html)


def _both(html: str, folder: Path) -> str:
    """The careful forger: new figure, the page's data file edited to match, its fingerprint
    recomputed and shown — self-consistent, so only the sheet's fingerprint can tell."""
    html = _figures(html)
    name = re.search(r'data-check="([^"]+)"', html)
    assert name is not None
    file = json.loads((folder / name.group(1)).read_bytes())
    data = file["record"]
    record = data["record"]  # fingerprint v2: the records under "record"
    row = record["ledger"][2]
    assert row["expense"] == "200.00"
    row["expense"] = "20.00"
    record["closing"]["cash"] = f"{float(record['closing']['cash']) + 180:.2f}"
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def canonical(value: object) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    # the v1 record is left as it was: a sheet's v1 fingerprint must not vouch for the forgery
    (folder / name.group(1)).write_bytes(
        b'{"domain_v1":'
        + canonical(file["domain_v1"])
        + b',"logged":'
        + canonical(file["logged"])
        + b',"proofs":'
        + canonical(file["proofs"])
        + b',"record":'
        + raw
        + b',"record_v1":'
        + canonical(file["record_v1"])
        + b"}"
    )
    fp = hashlib.sha256(DOMAIN_V2 + raw).hexdigest()
    old = re.search(r'data-fingerprint="([0-9a-f]{64})"', html)
    assert old is not None
    html = html.replace(old.group(1), fp)
    html = re.sub(
        r'(id="sl-fp-shown">)[^<]*<',
        lambda _: 'id="sl-fp-shown">' + " ".join(fp[i : i + 4] for i in range(0, 32, 4)) + "<",
        html,
    )
    for key, delta in (("closing", 180), ("expense", -180)):
        cell = re.search(rf'data-sl="{key}">([^<]*)<', html)
        assert cell is not None
        total = float(cell.group(1).replace(",", "")) + delta
        html = html.replace(cell.group(0), f'data-sl="{key}">{total:,.2f}<')
    cash = re.search(r'data-sl="closing-split">现金 ([0-9,.]+) ', html)
    assert cash is not None
    total = float(cash.group(1).replace(",", "")) + 180
    return html.replace(cash.group(0), f'data-sl="closing-split">现金 {total:,.2f} ')


EDITS: dict[str, Callable[[str, Path], str]] = {
    "figures": lambda html, _: _figures(html),
    "fingerprint": lambda html, _: _fingerprint(html),
    "both": _both,
}


def _sheet_url(site: Path) -> str:
    sheet = (site / PAGE).parent.joinpath("print/index.html").read_text(encoding="utf-8")
    m = re.search(r'<p class="small">(https://[^<]+)</p>', sheet)
    assert m is not None
    return m.group(1).replace("&amp;", "&")


def test_the_built_site_verifies_byte_for_byte(built: tuple[Path, Path, Path]) -> None:
    project, site, reference = built
    result = validate(project / "villages", project)
    assert result.county is not None
    verdict = verify_site(result.county, project / "villages", site, reference)
    assert verdict.ok, verdict.lines
    # and the command line rebuilds it on its own
    runner = CliRunner()
    import os

    cwd = Path.cwd()
    os.chdir(project)
    try:
        out = runner.invoke(cli, ["verify", "--site", str(site)])
    finally:
        os.chdir(cwd)
    assert out.exit_code == 0, out.output
    assert "逐字节相同" in out.output


@pytest.mark.parametrize("how", list(EDITS))
def test_an_edited_page_fails_verify_site(
    built: tuple[Path, Path, Path], tmp_path: Path, how: str
) -> None:
    project, site, reference = built
    edited = _copy(site, tmp_path / "site")
    page = edited / PAGE
    page.write_text(EDITS[how](page.read_text(encoding="utf-8"), page.parent), encoding="utf-8")
    result = validate(project / "villages", project)
    assert result.county is not None
    verdict = verify_site(result.county, project / "villages", edited, reference)
    assert not verdict.ok
    want = {"figures": "数字被改动", "fingerprint": "指纹被改动", "both": "数字被改动、指纹被改动"}
    assert f"不一致：{PAGE}（{want[how]}）" in verdict.lines
    # the careful forger's data file differs from the rebuilt one too
    assert len(verdict.lines) == (3 if how == "both" else 2), verdict.lines


def test_the_sheets_qr_carries_the_tree_head_and_decodes_at_printed_size(
    built: tuple[Path, Path, Path],
) -> None:
    _project, site, _ = built
    url = _sheet_url(site)
    assert re.search(r"\?fp=[0-9a-f]{32}&t=[0-9]+-[0-9a-f]{16}$", url), url
    sheet = (site / PAGE).parent / "print/index.html"
    html = sheet.read_text(encoding="utf-8")
    size, short = re.findall(r"&amp;t=([0-9]+)-([0-9a-f]{16})", html)[0]
    assert f"公开记录第 {size} 条 · 记录树头" in html and f"{size} · {short}</span>" in html
    if browser_missing():
        pytest.skip(str(browser_missing()))
    with chromium() as browser:
        # CSS millimetres at 96 dpi: the QR code's printed 48 mm is ~181 px, coarser than any
        # printer; then blurred and shrunk as a phone camera at arm's length would see it.
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.goto(sheet.as_uri())
        shot = Image.open(io.BytesIO(page.locator(".verify svg").screenshot()))
    assert 170 <= shot.width <= 190, shot.size
    for image in (shot, shot.filter(ImageFilter.GaussianBlur(1)).resize((140, 140))):
        found = zxingcpp.read_barcodes(image)
        assert [b.text for b in found] == [url]


@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_pages_check_themselves_in_chromium(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _project, site, _ = built
    query = _sheet_url(site).split("/2026-10/", 1)[1]
    # what a sheet printed before fingerprint v2 carries: v1, of the same records
    check = re.search(r'data-check="([^"]+)"', (site / PAGE).read_text(encoding="utf-8"))
    assert check is not None
    v1_record = json.loads((site / PAGE).parent.joinpath(check.group(1)).read_bytes())["record_v1"]
    v1 = hashlib.sha256(
        DOMAIN
        + json.dumps(v1_record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    sites = {"clean": site}
    for how, edit in EDITS.items():
        edited = _copy(site, tmp_path / how)
        page = edited / PAGE
        page.write_text(edit(page.read_text(encoding="utf-8"), page.parent), encoding="utf-8")
        sites[how] = edited
    results = {}
    with serve_directory(site) as base, chromium() as browser:
        page = phone_page(browser)
        wrong = query[:-1] + ("0" if query[-1] != "0" else "1")  # a tree head not in the log
        page.goto(base + "chengguan/dongshan/2026-10/" + wrong)
        page.wait_for_selector("#sl-head-result[data-state]")
        results["wrong head"] = (
            page.locator("#sl-head-result").get_attribute("data-state"),
            page.locator("#sl-mismatch").is_visible(),
        )
        # a plain visit downloads neither the check nor its data; a tap on 核对本页 runs it
        asked: list[str] = []
        page = phone_page(browser)
        page.on("request", lambda r: asked.append(r.url.rsplit("/", 1)[-1]))
        page.goto(base + "chengguan/dongshan/2026-10/", wait_until="networkidle")
        before = [name for name in asked if name.startswith(("check.", "verify."))]
        assert page.locator("#sl-verify-result").is_hidden()
        page.click("#sl-check")
        page.wait_for_selector("#sl-verify-result[data-state]")
        results["tapped"] = page.locator("#sl-verify-result").get_attribute("data-state")
        results["tapped text"] = page.locator("#sl-verify-result").inner_text()
    assert results["wrong head"] == ("mismatch", True)
    assert before == []
    assert [n.split(".")[0] for n in asked if n.startswith(("check.", "verify."))] == [
        "verify",
        "check",
    ]
    assert results["tapped"] == "match" and "本页自检一致" in results["tapped text"]
    for how, root in sites.items():
        with serve_directory(root) as base, chromium() as browser:
            page = phone_page(browser)
            page.goto(base + "chengguan/dongshan/2026-10/" + query)
            page.wait_for_selector("#sl-verify-result[data-state]")
            if how == "clean":
                page.wait_for_selector("#sl-head-result[data-state]")
                results["head"] = page.locator("#sl-head-result").get_attribute("data-state")
                results["head text"] = page.locator("#sl-head-result").inner_text()
            results[how] = (
                page.locator("#sl-verify-result").get_attribute("data-state"),
                page.locator("#sl-verify-result").inner_text(),
                page.locator("#sl-mismatch").is_visible(),
                page.locator("#sl-mismatch").inner_text() if how != "clean" else "",
            )
            shots = Path("/work/scratch/shots/14")
            if shots.is_dir():
                page.screenshot(path=str(shots / f"page-{how}.png"))
            if how in ("clean", "both"):  # a v1 sheet: the page's v1 bytes, if its records
                page.goto(base + f"chengguan/dongshan/2026-10/?fp={v1[:32]}")
                page.wait_for_selector("#sl-verify-result[data-state]")
                results[how + " v1"] = (
                    page.locator("#sl-verify-result").get_attribute("data-state"),
                    page.locator("#sl-verify-result").inner_text(),
                )
    assert results["clean"][:3] == ("match", results["clean"][1], False)
    assert results["head"] == "match"
    # proved from the proofs in the page, against the head the county signed
    assert "仍包含在县里签名的记录树头" in results["head text"]
    for how in EDITS:
        state, verdict, visible, truth = results[how]
        assert state == "mismatch" and visible, (how, verdict)
        assert verdict.startswith("不一致")
        assert "纸质公示是正式记录，请以纸质公示为准" in truth
        assert "12388" in truth  # the hotlines
        assert "首次公开" in truth and "公开记录第" in truth  # the logged versions
        assert "以本页为准" not in truth.replace("不要以本页为准", "")
    assert "数字" in results["figures"][1]
    assert "指纹" in results["fingerprint"][1]
    # the consistent forgery passes its own arithmetic; the sheet's fingerprint catches it
    assert "纸质公示上的指纹与本页的内容不符" in results["both"][1]
    # a v1 sheet matches the page it was printed for, and not a forgery that kept the v1 bytes
    assert results["clean v1"][0] == "match" and "第一版指纹" in results["clean v1"][1]
    assert results["both v1"][0] == "mismatch"
    assert "纸质公示上的指纹与本页的内容不符" in results["both v1"][1]


def test_a_planted_compressed_copy_fails_verify_site(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """With the default precompress: false a page has no .gz; a host with nginx's gzip_static
    would send a phone one planted beside it instead of the page. The forged figures in a
    planted copy (the page itself untouched) fail the verification, named by the copy."""
    project, site, reference = built
    assert not (site / f"{PAGE}.gz").exists()
    planted = _copy(site, tmp_path / "site")
    page = planted / PAGE
    forged = EDITS["figures"](page.read_text(encoding="utf-8"), page.parent)
    (planted / f"{PAGE}.gz").write_bytes(gzip.compress(forged.encode("utf-8"), mtime=0))
    result = validate(project / "villages", project)
    assert result.county is not None
    verdict = verify_site(result.county, project / "villages", planted, reference)
    assert not verdict.ok
    assert f"不一致：{PAGE}.gz（重新生成的网站中没有 / not in the rebuilt site）" in verdict.lines
    assert len(verdict.lines) == 2, verdict.lines
