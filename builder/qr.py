"""QR codes for village noticeboards: deterministic SVG and PNG renderings of a page URL."""

from __future__ import annotations

import io
import re

import qrcode
import qrcode.constants
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
    code = qrcode.QRCode(
        version=None,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=1,
        border=BORDER,
    )
    code.add_data(url)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


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
