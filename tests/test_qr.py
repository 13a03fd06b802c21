"""Tests for builder.qr: the codes we print must scan back to exactly the page URL."""

from __future__ import annotations

import base64
import io
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
import zxingcpp
from browser import browser_missing, chromium
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from builder.publish.qr import BORDER, qr_png, qr_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
SHORT_URL = "https://example.org/"
LONG_URL = (
    "https://sunlight.example.gov.cn/villages/zhejiang/hangzhou/xihu/longjing-cun/"
    "finance/2024/q3/%E6%9D%91%E5%8A%A1%E5%85%AC%E5%BC%80/records.html"
    "?lang=zh-CN&view=full&page=12#expenditure-2024-09-30"
)
# The square runs the builder writes: M<x> <y>h<w>v1h-<w>z (absolute move, relative lines).
RUN_RE = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\3z")


def decode(image: Image.Image) -> zxingcpp.Barcode:
    """Decode the single QR code in image, failing if there is not exactly one."""
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    assert len(results) == 1, results
    return results[0]


def png_image(url: str, box_size: int = 10) -> Image.Image:
    """Render url with qr_png and load the result with Pillow."""
    image = Image.open(io.BytesIO(qr_png(url, box_size=box_size)))
    image.load()
    return image


def svg_root(url: str) -> ET.Element:
    """Render url with qr_svg and parse it as XML."""
    return ET.fromstring(qr_svg(url))


def svg_matrix(url: str) -> list[list[bool]]:
    """Parse the SVG path back into a module matrix (True = dark), quiet zone included."""
    root = svg_root(url)
    n = int(root.attrib["viewBox"].split()[2])
    path = root.find(f"{SVG_NS}path")
    assert path is not None
    d = path.attrib["d"]
    matrix = [[False] * n for _ in range(n)]
    pos = 0
    for m in RUN_RE.finditer(d):
        assert m.start() == pos, f"unparsed path data at {pos}: {d[pos : pos + 40]!r}"
        pos = m.end()
        x, y, w = (int(g) for g in m.groups())
        for col in range(x, x + w):
            assert not matrix[y][col], "overlapping runs"
            matrix[y][col] = True
    assert pos == len(d), f"unparsed path data at {pos}"
    return matrix


def raster(matrix: list[list[bool]], scale: int = 8) -> Image.Image:
    """Paint a module matrix as a grayscale image, scale pixels per module."""
    n = len(matrix)
    pixels = bytes(0 if cell else 255 for row in matrix for cell in row)
    image = Image.frombytes("L", (n, n), pixels)
    return image.resize((n * scale, n * scale), Image.Resampling.NEAREST)


def png_chunks(data: bytes) -> list[bytes]:
    """Return the chunk types of a PNG file, in order."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    types, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        types.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    assert pos == len(data)
    return types


@pytest.mark.parametrize("url", [SHORT_URL, "http://example.org/a/b", LONG_URL])
def test_png_decodes_to_url(url: str) -> None:
    result = decode(png_image(url))
    assert result.text == url
    assert result.ec_level == "M"


def version(result: zxingcpp.Barcode) -> int:
    """Return the QR version (symbol size class) zxing reports for a decoded code."""
    extra = result.extra
    assert isinstance(extra, dict)
    return int(extra["Version"])


def test_version_is_chosen_to_fit() -> None:
    assert version(decode(png_image(LONG_URL))) > version(decode(png_image(SHORT_URL)))


@pytest.mark.parametrize("box_size", [1, 3, 10])
def test_png_box_size_and_quiet_zone(box_size: int) -> None:
    image = png_image(LONG_URL, box_size=box_size)
    modules = len(svg_matrix(LONG_URL))
    assert image.mode == "1"
    assert image.size == (modules * box_size, modules * box_size)
    quiet = BORDER * box_size
    width = image.size[0]
    gray = image.convert("L")
    for box in [
        (0, 0, width, quiet),
        (0, width - quiet, width, width),
        (0, 0, quiet, width),
        (width - quiet, 0, width, width),
    ]:
        assert gray.crop(box).getextrema() == (255, 255), box
    # The top-left finder pattern starts right after the quiet zone.
    assert gray.getpixel((quiet, quiet)) == 0
    if box_size >= 3:
        assert decode(image).text == LONG_URL


def test_png_has_no_variable_metadata() -> None:
    assert png_chunks(qr_png(LONG_URL)) == [b"IHDR", b"IDAT", b"IEND"]


def test_svg_is_standalone_path_based_xml() -> None:
    data = qr_svg(LONG_URL)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    min_x, min_y, w, h = root.attrib["viewBox"].split()
    assert (min_x, min_y) == ("0", "0")
    assert w == h and int(w) == len(svg_matrix(LONG_URL))
    # Sized by viewBox alone, so any CSS width scales it without distortion.
    assert "width" not in root.attrib and "height" not in root.attrib
    assert root.attrib["shape-rendering"] == "crispEdges"
    children = list(root)
    assert [child.tag for child in children] == [f"{SVG_NS}rect", f"{SVG_NS}path"]
    assert all(len(child) == 0 for child in children)
    rect, path = children
    assert rect.attrib == {"width": w, "height": h, "fill": "#ffffff"}
    assert path.attrib["fill"] == "#000000"
    assert {el.tag for el in root.iter()} <= {f"{SVG_NS}{t}" for t in ("svg", "rect", "path")}


def test_svg_quiet_zone_is_empty() -> None:
    matrix = svg_matrix(LONG_URL)
    n = len(matrix)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if min(x, y, n - 1 - x, n - 1 - y) < BORDER:
                assert not dark, (x, y)
    assert matrix[BORDER][BORDER]


@pytest.mark.parametrize("url", [SHORT_URL, LONG_URL])
def test_svg_decodes_to_url(url: str) -> None:
    matrix = svg_matrix(url)
    assert decode(raster(matrix)).text == url
    # Both formats draw the very same symbol.
    assert raster(matrix, scale=10).tobytes() == png_image(url).convert("L").tobytes()


@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_svg_decodes_when_rendered_by_chromium() -> None:
    src = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(LONG_URL)).decode()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 600, "height": 600})
        # An odd CSS size, so modules land on fractional pixels.
        page.set_content(f'<body style="margin:0"><img id="qr" style="width:457px" src="{src}">')
        shot = page.locator("#qr").screenshot()
    assert decode(Image.open(io.BytesIO(shot))).text == LONG_URL


@pytest.mark.parametrize("url", [SHORT_URL, LONG_URL])
def test_output_is_deterministic(url: str) -> None:
    assert qr_svg(url) == qr_svg(url)
    assert qr_png(url) == qr_png(url)
    assert qr_png(url, box_size=4) == qr_png(url, box_size=4)
    assert qr_png(url) != qr_png(url + "x")
    assert qr_svg(url) != qr_svg(url + "x")


_label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
_segment = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%", max_size=16
)
_urls = st.builds(
    lambda labels, tld, segments, query: (
        "https://" + ".".join([*labels, tld]) + "/" + "/".join(segments) + query
    ),
    st.lists(_label, min_size=1, max_size=3),
    st.sampled_from(["cn", "org", "gov.cn"]),
    st.lists(_segment, max_size=6),
    st.one_of(st.just(""), _segment.map(lambda s: f"?q={s}")),
)


@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(_urls)
def test_random_https_urls_round_trip(url: str) -> None:
    assert decode(png_image(url, box_size=4)).text == url
    assert decode(raster(svg_matrix(url), scale=4)).text == url
    assert qr_png(url, box_size=4) == qr_png(url, box_size=4)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.org",
        "www.example.org/villages/",
        "/villages/longjing/",
        "villages/longjing/index.html",
        "//example.org/",
        "ftp://example.org/",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "https:///villages/",
        " https://example.org/",
        "https://example.org/a b",
        "https://example.org/\n",
        "https://例子.中国/",
        "https://example.org/村务公开",
    ],
)
@pytest.mark.parametrize("render", [qr_svg, qr_png])
def test_bad_url_raises_naming_it(render: Callable[[str], bytes], url: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(url))):
        render(url)


@pytest.mark.parametrize("box_size", [0, -1])
def test_bad_box_size_raises(box_size: int) -> None:
    with pytest.raises(ValueError, match="box_size"):
        qr_png(SHORT_URL, box_size=box_size)


def _reference_matrix(url: str) -> list[list[bool]]:
    """The symbol as qrcode itself draws it (make(fit=True): pure Python, slow)."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(
        version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=BORDER
    )
    code.add_data(url)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


@settings(max_examples=150, deadline=None)
@given(path=st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-._~%/?=&#", max_size=700))
def test_fast_mask_choice_draws_exactly_qrcodes_symbol(path: str) -> None:
    from builder.publish.qr import _matrix

    url = "https://example.org/" + path
    assert _matrix(url) == _reference_matrix(url)


@settings(max_examples=60, deadline=None)
@given(
    size=st.sampled_from([21, 25, 45, 57]),
    seed=st.integers(0, 2**32 - 1),
    dark=st.floats(0.05, 0.95),
    stretch=st.integers(1, 6),
)
def test_mask_penalties_are_qrcodes_lost_points(
    size: int, seed: int, dark: float, stretch: int
) -> None:
    """The numpy scoring counts each penalty exactly as qrcode's lost_point does, long runs and
    finder-like patterns included (stretching columns makes runs of every length)."""
    import numpy as np
    import qrcode.util

    from builder.publish.qr import _packed, _penalties

    rng = np.random.default_rng(seed)
    columns = rng.random((8, size, -(-size // stretch))) < dark
    symbols = np.repeat(columns, stretch, axis=2)[:, :, :size]
    expected = [qrcode.util.lost_point(symbol.tolist()) for symbol in symbols]
    lines = np.concatenate([symbols, symbols.transpose(0, 2, 1)], axis=1)  # rows, columns
    assert _penalties(_packed(lines), size) == expected
