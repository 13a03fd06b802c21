"""Issue 12's byte budget for a period page of the example county (`villages/`), without a
browser: the bytes a phone fetches on a first visit are the page and what it references
eagerly (stylesheets, scripts with a src, icons, images that are not `loading="lazy"`); the
next page is the older month's page less what the first visit cached. "Gzipped" is what a
compressing host sends: the precompressed `.gz` beside a file where the build wrote one, else
the file gzipped at level 6 as a host compresses on the fly (GitHub Pages, nginx's `gzip on`;
pages get their `.gz` only with the plugin's `precompress`), or the file itself under
compress.MIN_BYTES. KB are KiB, as tools/bench.py counts them,
except the uncompressed budget: 60,000 bytes, the smaller reading of "60 KB".
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import ROOT, make_project

from builder.pipeline.validate import validate
from builder.publish.build import build_site
from builder.publish.compress import MIN_BYTES, TEXT

# one build for the module under `make test` (pytest -n 2 --dist loadgroup)
pytestmark = pytest.mark.xdist_group("bytes")
KB = 1024
FIRST_RAW = 60_000  # a host that sends files as they are (decimal KB: no argument)
FIRST_GZIP = 25 * KB
NEXT_GZIP = 10 * KB
QR_GZIP = 25 * KB  # a visit from a sheet's QR code on a compressing host: the check runs
EAGER = re.compile(
    r'<link\b[^>]*\brel="(?:stylesheet|icon)"[^>]*\bhref="([^"]+)"'
    r'|<script\b[^>]*\bsrc="([^"]+)"'
    r'|<img\b(?![^>]*\bloading="lazy")[^>]*\bsrc="([^"]+)"'
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = make_project(tmp_path_factory.mktemp("bytes") / "project", ROOT / "villages")
    result = validate(project / "villages", project)
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    yield project / "site"


def file_of(site: Path, url: str) -> Path:
    """The site's file for a site-relative URL (a folder's index.html)."""
    path = site / url.split("#")[0].split("?")[0]
    return path / "index.html" if url.endswith("/") or not url else path


def fetched(site: Path, page: str) -> list[str]:
    """The page's URL and every URL it fetches before the reader scrolls or taps."""
    html = file_of(site, page).read_text(encoding="utf-8")
    return [page] + [urljoin(page, next(g for g in m if g)) for m in EAGER.findall(html)]


def sizes(site: Path, url: str) -> tuple[int, int]:
    """(bytes as they are, bytes a compressing host sends) of one URL's file."""
    path = file_of(site, url)
    packed = path.with_name(path.name + ".gz")
    size = path.stat().st_size
    if packed.exists():
        return size, packed.stat().st_size
    if size < MIN_BYTES or path.suffix not in TEXT:
        return size, size
    return size, len(gzip.compress(path.read_bytes(), 6, mtime=0))


def period_pages(site: Path) -> list[str]:
    """Every period page of the example county, as site-relative URLs."""
    found = [p.parent for p in site.glob("*/*/[0-9][0-9][0-9][0-9]-[0-9][0-9]/index.html")]
    return sorted(p.relative_to(site).as_posix() + "/" for p in found)


def test_every_period_page_fits_the_gzipped_budget(site: Path) -> None:
    pages = period_pages(site)
    assert len(pages) > 20, pages  # the example county's months, all of them
    for page in pages:
        first = fetched(site, page)
        assert len(first) >= 3, first  # the page, the stylesheet, the icon
        gzip_first = sum(sizes(site, url)[1] for url in first)
        assert gzip_first <= FIRST_GZIP, (page, gzip_first)
        # a QR visit also fetches the check's script and the period's data file
        html = file_of(site, page).read_text(encoding="utf-8")
        check = re.findall(r'data-js="([^"]+)"|data-check="([^"]+)"', html)
        extra = [urljoin(page, a or b) for a, b in check]
        assert len(extra) == 2, extra
        qr = gzip_first + sum(sizes(site, url)[1] for url in extra)
        assert qr <= QR_GZIP, (page, qr)
        older = re.search(r'<nav class="sl-pager"><a href="([^"]+)"', html)
        if older:  # the next page a reader opens: the month before, with the cache warm
            second = urljoin(page, older.group(1))
            new = [url for url in fetched(site, second) if url not in first]
            gzip_next = sum(sizes(site, url)[1] for url in new)
            assert gzip_next <= NEXT_GZIP, (second, gzip_next)


def test_every_period_page_fits_the_raw_budget(site: Path) -> None:
    pages = period_pages(site)
    assert len(pages) > 20, pages
    for page in pages:
        first = fetched(site, page)
        assert any(url.endswith(".css") for url in first), first  # styled, not bare
        raw = sum(sizes(site, url)[0] for url in first)
        assert raw <= FIRST_RAW, (page, raw)


def test_charts_are_lazy_files_beside_the_page(site: Path) -> None:
    """The charts are not part of a first visit, and each one is a real file of the site."""
    page = "chengguan/dongshan/2026-09/"
    html = file_of(site, page).read_text(encoding="utf-8")
    charts = re.findall(r'<img src="(chart-[a-z]+\.[0-9a-f]{10}\.svg)" loading="lazy"', html)
    assert len(charts) == 3, charts
    for name in charts:
        assert name not in " ".join(fetched(site, page))
        body = file_of(site, page + name).read_bytes()
        assert body.startswith(b"<svg") and b"<script" not in body


def styled_classes(css: str) -> set[str]:
    """The classes a stylesheet's selectors name (declarations hold no .word outside urls)."""
    return set(re.findall(r"\.([A-Za-z_][A-Za-z0-9_-]*)(?=[^{}]*\{)", css))


def test_period_pages_load_their_own_smaller_stylesheet_missing_nothing(site: Path) -> None:
    """Period pages link a stylesheet of the rules their template can use; every class a period
    page carries that the site-wide stylesheet styles, theirs styles too (a class completed by
    the template, `sl-flag-{{ f.severity }}`, included)."""
    (general,) = (site / "assets").glob("sunlight.*.css")
    everywhere = styled_classes(general.read_text(encoding="utf-8"))
    sheets = set()
    carried: set[str] = set()
    for page in period_pages(site):
        html = file_of(site, page).read_text(encoding="utf-8")
        (sheet,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        sheets.add(urljoin(page, sheet))
        carried.update(c for attr in re.findall(r'class="([^"]+)"', html) for c in attr.split())
    (sheet,) = sheets
    assert re.fullmatch(r"assets/period\.[0-9a-f]{10}\.css", sheet), sheet
    own = file_of(site, sheet).read_text(encoding="utf-8")
    assert len(own) < general.stat().st_size - 5000
    assert {"sl-flag-warning", "sl-ledger", "md-nav__link"} <= carried
    assert sorted((carried & everywhere) - styled_classes(own)) == []
    # and the other pages keep the site-wide one
    assert general.name in file_of(site, "chengguan/dongshan/").read_text(encoding="utf-8")
