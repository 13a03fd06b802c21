"""QR codes for village noticeboards: deterministic SVG and PNG renderings of a page URL."""

from __future__ import annotations

import functools
import io
import re

import numpy as np
import numpy.typing as npt
import qrcode
import qrcode.constants
import qrcode.util
from PIL import Image

__all__ = ["BORDER", "qr_png", "qr_svg"]

#: Quiet zone around the symbol, in modules (ISO/IEC 18004 asks for at least 4).
BORDER = 4

# Printable ASCII only: no spaces or control characters, and no non-ASCII text, which QR byte
# mode carries without a declared charset, so phones may guess the wrong one. Percent-encode.
_URL_RE = re.compile(r"https?://[!-~]+")


def _check_url(url: str) -> None:
    """Raise ValueError unless url is an absolute http(s) URL in printable ASCII."""
    if not isinstance(url, str):
        raise TypeError(f"QR url must be a str, not {type(url).__name__}: {url!r}")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"QR url must be absolute (start with http:// or https://): {url!r}")
    if _URL_RE.fullmatch(url) is None:
        raise ValueError(
            "QR url must be printable ASCII without spaces (percent-encode other "
            f"characters, e.g. with urllib.parse.quote): {url!r}"
        )
    host = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not host:
        raise ValueError(f"QR url has no host: {url!r}")


def _matrix(url: str) -> list[list[bool]]:
    """Return the module matrix for url (True = dark), including the quiet zone."""
    _check_url(url)
    # NOTE: the symbol qrcode's make(fit=True) draws, computed with numpy five times faster:
    # every period's printed sheet has a QR code, and qrcode places the data and scores its
    # eight masks in pure Python. test_qr proves the symbols identical.
    code = qrcode.QRCode(
        version=None,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=1,
        border=BORDER,
    )
    code.add_data(url)
    version = code.best_fit()
    blank, rows, cols, masks = _layout(version)
    data = qrcode.util.create_data(version, code.error_correction, code.data_list)
    bits = np.unpackbits(np.frombuffer(bytes(data), dtype=np.uint8)).astype(bool)
    plain = blank.copy()
    k = min(bits.size, rows.size)
    plain[rows[:k], cols[:k]] = bits[:k]
    symbols = plain[None, :, :] ^ masks  # the data under each of the eight masks
    best = _best_mask(symbols)
    code.modules_count = blank.shape[0]
    code.modules = symbols[best].tolist()
    code.setup_type_info(False, best)
    if version >= 7:
        code.setup_type_number(False)
    framed = np.pad(np.array(code.modules, dtype=bool), BORDER)
    return [[bool(cell) for cell in row] for row in framed]


_Layout = tuple[
    npt.NDArray[np.bool_], npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.bool_]
]


@functools.cache
def _layout(version: int) -> _Layout:
    """A version's function patterns (format and version modules light, as qrcode scores
    masks), the data modules in qrcode's placement order, and the eight masks on them."""
    n = version * 4 + 17
    scratch = qrcode.QRCode(version=version)
    scratch.modules_count = n
    scratch.modules = [[None] * n for _ in range(n)]
    scratch.setup_position_probe_pattern(0, 0)
    scratch.setup_position_probe_pattern(n - 7, 0)
    scratch.setup_position_probe_pattern(0, n - 7)
    scratch.setup_position_adjust_pattern()
    scratch.setup_timing_pattern()
    scratch.setup_type_info(True, 0)
    if version >= 7:
        scratch.setup_type_number(True)
    modules = scratch.modules
    order: list[tuple[int, int]] = []
    inc, row = -1, n - 1
    for col in range(n - 1, 0, -2):  # the zigzag of qrcode's map_data
        if col <= 6:
            col -= 1
        while True:
            order += [(row, c) for c in (col, col - 1) if modules[row][c] is None]
            row += inc
            if row < 0 or row >= n:
                row -= inc
                inc = -inc
                break
    data = np.array([[cell is None for cell in line] for line in modules])
    blank = np.array([[bool(cell) for cell in line] for line in modules])
    i, j = np.indices((n, n))
    patterns = [
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i * j) % 3 + (i + j) % 2) % 2 == 0,
    ]
    at = np.array(order, dtype=np.intp).reshape(-1, 2)
    return blank, at[:, 0], at[:, 1], np.stack([p & data for p in patterns])


def _best_mask(symbols: npt.NDArray[np.bool_]) -> int:
    """The mask qrcode's best_mask_pattern() picks: the lowest ISO 18004 penalty, first wins."""
    n = symbols.shape[1]
    lines = np.concatenate([symbols, symbols.transpose(0, 2, 1)], axis=1)  # rows, then columns
    # 1. runs of five or more modules of one colour: length - 2 each
    flat = np.concatenate(  # every line ends in a 2, so no run crosses into the next
        [lines.astype(np.int8), np.full((8, 2 * n, 1), 2, dtype=np.int8)], axis=2
    ).reshape(-1)
    change = np.empty(flat.size, dtype=bool)
    change[0] = True
    change[1:] = flat[1:] != flat[:-1]
    starts = np.flatnonzero(change)
    lengths = np.diff(np.append(starts, flat.size))
    long = (flat[starts] != 2) & (lengths >= 5)
    level1 = np.bincount(
        starts[long] // (2 * n * (n + 1)), weights=lengths[long] - 2, minlength=8
    ).astype(np.int64)
    # 2. 2×2 blocks of one colour: 3 each
    a = symbols[:, :-1, :-1]
    same = (a == symbols[:, :-1, 1:]) & (a == symbols[:, 1:, :-1]) & (a == symbols[:, 1:, 1:])
    level2 = 3 * same.sum(axis=(1, 2))
    # 3. finder-like 1:1:3:1:1 patterns with four light modules on one side: 40 each
    w = [lines[:, :, k : k + n - 10] for k in range(11)]  # w[k]: module k of each window
    both = ~w[1] & w[4] & ~w[5] & w[6] & ~w[9]  # 1011101 0000 and 0000 1011101 share these
    first = w[0] & w[2] & w[3] & ~w[7] & ~w[8] & ~w[10]
    second = ~w[0] & ~w[2] & ~w[3] & w[7] & w[8] & w[10]
    level3 = 40 * (both & (first | second)).sum(axis=(1, 2))
    # 4. dark modules away from half: 10 per 5 %
    dark = symbols.sum(axis=(1, 2))
    level4 = [int(abs(float(d) / (n * n) * 100 - 50) / 5) * 10 for d in dark]
    total = [int(t) for t in level1 + level2 + level3 + np.array(level4)]
    return total.index(min(total))


def qr_svg(url: str) -> bytes:
    """Return a standalone, byte-reproducible SVG QR code for url, sized by its viewBox."""
    matrix = _matrix(url)
    n = len(matrix)
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < n and row[x]:
                x += 1
            # One closed unit-high rectangle per horizontal run of dark modules.
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    # No width/height: the viewBox alone lets CSS or the print layout scale it without blur.
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" '
        'shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#ffffff"/>'
        f'<path fill="#000000" d="{"".join(runs)}"/>'
        "</svg>\n"
    )
    return svg.encode("ascii")


def qr_png(url: str, *, box_size: int = 10) -> bytes:
    """Return a byte-reproducible 1-bit PNG QR code for url, box_size pixels per module."""
    if isinstance(box_size, bool) or not isinstance(box_size, int) or box_size < 1:
        raise ValueError(f"box_size must be a positive int: {box_size!r}")
    matrix = _matrix(url)
    n = len(matrix)
    pixels = bytes(0 if cell else 255 for row in matrix for cell in row)
    image = Image.frombytes("L", (n, n), pixels)
    image = image.resize((n * box_size, n * box_size), Image.Resampling.NEAREST)
    image = image.convert("1", dither=Image.Dither.NONE)
    out = io.BytesIO()
    # Pillow writes only IHDR/IDAT/IEND here: no tIME, text or pHYs chunks that could vary.
    image.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()
