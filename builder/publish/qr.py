"""QR codes for village noticeboards: deterministic SVG and PNG renderings of a page URL."""

from __future__ import annotations

import bisect
import functools
import io
import operator
import re

import numpy as np
import numpy.typing as npt
import qrcode
import qrcode.base
import qrcode.constants
import qrcode.exceptions
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
    return [[bool(cell) for cell in row] for row in _symbol(url).tolist()]


def _symbol(url: str) -> npt.NDArray[np.bool_]:
    """The module matrix for url (True = dark) with its quiet zone, as a numpy array."""
    _check_url(url)
    # NOTE: the symbol qrcode's make(fit=True) draws, computed fifty times faster: every
    # period's printed sheet has a QR code, and qrcode places the data and scores its eight
    # masks in pure Python. test_qr proves the symbols identical, test_qr_frozen the files.
    code = qrcode.QRCode(
        version=None,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=1,
        border=BORDER,
    )
    code.add_data(url)
    version = _best_version(code.data_list, code.error_correction)
    data = _codewords(version, code.error_correction, code.data_list)
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).astype(bool)
    n = version * 4 + 17
    blank_lines, row_at, column_at, mask_bits = _packed_layout(version)
    lines = blank_lines.copy()  # the unmasked symbol's rows, then its columns
    k = min(bits.size, row_at.size)
    lines[row_at[:k]] = bits[:k]
    lines[column_at[:k]] = bits[:k]
    packed = np.packbits(lines, bitorder="little").tobytes()
    # the data under each of the eight masks: the lines' bits eight times over, XOR the masks'
    best = _best_mask(int.from_bytes(packed * 8, "little") ^ mask_bits, n)
    where, values = _type_modules(version, code.error_correction, best)
    masks = _layout(version)[3]
    symbol = lines.reshape(2 * n, -1)[:n, :n] ^ masks[best]
    symbol[where] = values
    framed = np.zeros((n + 2 * BORDER, n + 2 * BORDER), dtype=bool)
    framed[BORDER:-BORDER, BORDER:-BORDER] = symbol
    return framed


@functools.cache
def _type_modules(
    version: int, error_correction: int, mask: int
) -> tuple[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]], npt.NDArray[np.bool_]]:
    """The format (and, from version 7, version) modules qrcode's setup_type_info and
    setup_type_number write for a version, level and mask: where they are and their colour."""
    n = version * 4 + 17
    scratch = qrcode.QRCode(version=version, error_correction=error_correction)
    scratch.modules_count = n
    scratch.modules = [[None] * n for _ in range(n)]
    scratch.setup_type_info(False, mask)
    if version >= 7:
        scratch.setup_type_number(False)
    written = np.array([[cell is not None for cell in line] for line in scratch.modules])
    dark = np.array([[bool(cell) for cell in line] for line in scratch.modules])
    rows, cols = np.nonzero(written)
    colours: npt.NDArray[np.bool_] = dark[rows, cols]
    return (rows, cols), colours


class _Bits:
    """The bit buffer qrcode's segments write into, as one integer instead of a list of bits."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length

    def put_bit(self, bit: bool) -> None:
        self.put(int(bit), 1)

    def __len__(self) -> int:
        return self.length


def _write(bits: _Bits, segment: qrcode.util.QRData) -> None:
    """segment.write(bits): a byte segment's bytes in one go (qrcode puts them one at a time)."""
    if segment.mode == qrcode.util.MODE_8BIT_BYTE:
        bits.put(int.from_bytes(segment.data, "big"), 8 * len(segment.data))
    else:
        segment.write(bits)


def _best_version(data_list: list[qrcode.util.QRData], error_correction: int) -> int:
    """The smallest version that holds the data: what qrcode's best_fit() picks."""
    start = 1
    while True:
        sizes = qrcode.util.mode_sizes_for_version(start)
        bits = _Bits()
        for segment in data_list:
            bits.put(segment.mode, 4)
            bits.put(len(segment), sizes[segment.mode])
            _write(bits, segment)
        version = bisect.bisect_left(
            qrcode.util.BIT_LIMIT_TABLE[error_correction], bits.length, start
        )
        if version == 41:
            raise qrcode.exceptions.DataOverflowError()
        if sizes is qrcode.util.mode_sizes_for_version(version):
            return version
        start = version


def _codewords(version: int, error_correction: int, data_list: list[qrcode.util.QRData]) -> bytes:
    """The data and error-correction codewords qrcode.util.create_data gives, interleaved.

    NOTE: the same steps (segments, terminator, padding, Reed-Solomon per block, interleaving)
    with the bits kept in one integer and the remainders computed from log tables: qrcode's
    polynomial arithmetic is most of a QR code's time, and every period prints one.
    """
    bits = _Bits()
    for segment in data_list:
        bits.put(segment.mode, 4)
        bits.put(len(segment), qrcode.util.length_in_bits(segment.mode, version))
        _write(bits, segment)
    blocks = qrcode.base.rs_blocks(version, error_correction)
    limit = sum(block.data_count * 8 for block in blocks)
    if bits.length > limit:
        raise qrcode.exceptions.DataOverflowError(f"{bits.length} bits > {limit}")
    bits.put(0, min(limit - bits.length, 4))  # terminator
    bits.put(0, -bits.length % 8)
    pads = (limit - bits.length) // 8
    data = bits.value.to_bytes(bits.length // 8, "big") + bytes(
        qrcode.util.PAD0 if i % 2 == 0 else qrcode.util.PAD1 for i in range(pads)
    )
    data_blocks: list[bytes] = []
    ec_blocks: list[list[int]] = []
    offset = 0
    for block in blocks:
        chunk = data[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_remainder(chunk, block.total_count - block.data_count))
    return _interleave(data_blocks) + _interleave([bytes(e) for e in ec_blocks])


def _interleave(blocks: list[bytes]) -> bytes:
    """The first byte of each block, then the second of each, …; shorter blocks drop out."""
    common = min(len(b) for b in blocks)  # the columns every block has: strided slices
    out = bytearray(len(blocks) * common)
    for i, block in enumerate(blocks):
        out[i :: len(blocks)] = block[:common]
    for column in range(common, max(len(b) for b in blocks)):
        out += bytes(b[column] for b in blocks if len(b) > column)
    return bytes(out)


@functools.cache
def _generator_logs(count: int) -> tuple[int, ...]:
    """Logs of the Reed-Solomon generator's coefficients after the leading 1 (as qrcode's)."""
    poly = [1]
    for i in range(count):  # multiply by (x - a^i)
        nxt = [0] * (len(poly) + 1)
        for j, coefficient in enumerate(poly):
            nxt[j] ^= coefficient
            if coefficient:
                nxt[j + 1] ^= qrcode.base.gexp(qrcode.base.glog(coefficient) + i)
        poly = nxt
    return tuple(qrcode.base.glog(c) for c in poly[1:])


@functools.cache
def _remainder_table(count: int) -> tuple[int, ...]:
    """For each leading factor, the generator times it: count bytes held in one integer."""
    exp, log = qrcode.base.EXP_TABLE, qrcode.base.LOG_TABLE
    generator = _generator_logs(count)
    table = [0]
    for factor in range(1, 256):
        shift = log[factor]
        table.append(int.from_bytes(bytes(exp[(g + shift) % 255] for g in generator), "big"))
    return tuple(table)


def _remainder(data: bytes, count: int) -> list[int]:
    """The Reed-Solomon error-correction codewords of one block.

    NOTE: the remainder's count bytes are kept in one integer, so each data byte costs one
    shift and one XOR with the generator multiple looked up for its factor.
    """
    table = _remainder_table(count)
    top = 8 * (count - 1)
    keep = (1 << (8 * count)) - 1
    rem = 0
    for byte in data:
        factor = byte ^ (rem >> top)
        rem = ((rem << 8) & keep) ^ table[factor]
    return list(rem.to_bytes(count, "big"))


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


@functools.cache
def _packed_layout(
    version: int,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp], npt.NDArray[np.intp], int]:
    """_layout as _penalties reads it: the blank symbol's rows, then its columns, each padded
    to whole bytes, as one flat array; where each data module falls in its row and in its
    column there; and the eight masks' rows and columns packed the same way (_packed)."""
    blank, rows, cols, masks = _layout(version)
    n = blank.shape[0]
    width = -(-n // 8) * 8
    lines = np.zeros((2 * n, width), dtype=bool)
    lines[:n, :n] = blank
    lines[n:, :n] = blank.T
    mask_lines = np.concatenate([masks, masks.transpose(0, 2, 1)], axis=1)
    return lines.ravel(), rows * width + cols, (n + cols) * width + rows, _packed(mask_lines)


def _packed(lines: npt.NDArray[np.bool_]) -> int:
    """Lines of modules (modules on the last axis) as the bits of one integer: module j of
    line i is bit i * width + j, each line padded with light bits to whole bytes (width)."""
    return int.from_bytes(np.packbits(lines, axis=-1, bitorder="little").tobytes(), "little")


def _best_mask(masked: int, n: int) -> int:
    """The mask qrcode's best_mask_pattern() picks: the lowest ISO 18004 penalty, first wins."""
    total = _penalties(masked, n)
    return total.index(min(total))


def _penalties(x: int, n: int) -> list[int]:
    """The ISO 18004 penalty of each of eight n-module symbols, as qrcode's lost_point()
    counts it, from their rows, then their columns, packed into x (_packed).

    NOTE: every rule is a few shifts, ANDs and ORs over all lines of all eight symbols at
    once, where boolean arrays took a byte and a numpy pass per module and rule (three times
    slower): module j of a line is bit j of its span, so `x >> k` lines up each module with
    the k-th after it, and `x >> width` each row with the next.
    """
    width = -(-n // 8) * 8  # bits a line spans
    same_ok, five_ok, block_ok, eleven_ok = _valid_starts(n)
    # 1. runs of five or more modules of one colour: length - 2 each, that is 1 for each five
    # in a row of one colour, and 2 more where such a run starts
    same = ~(x ^ (x >> 1)) & same_ok  # bit j: modules j and j + 1 match
    five = same & (same >> 1) & (same >> 2) & (same >> 3) & five_ok
    starts = five & ~(same << 1)  # the line's first bit sees the padding: never the same
    # 2. 2×2 blocks of one colour: 3 each
    block = same & (same >> width) & ~(x ^ (x >> width)) & block_ok
    # 3. finder-like 1:1:3:1:1 patterns with four light modules on one side: 40 each
    w = [x >> k for k in range(11)]  # w[k]: module k of each window
    both = w[4] & w[6] & ~(w[1] | w[5] | w[9])  # 1011101 0000 and 0000 1011101 share these
    first = w[0] & w[2] & w[3] & ~(w[7] | w[8] | w[10])
    second = w[7] & w[8] & w[10] & ~(w[0] | w[2] | w[3])
    finder = both & (first | second) & eleven_ok
    # 4. dark modules away from half: 10 per 5 %
    size = 2 * n * width  # bytes: eight symbols, 2n lines each
    counts = np.bitwise_count(
        np.frombuffer(
            b"".join(v.to_bytes(size, "little") for v in (five, starts, block, finder, x)),
            dtype=np.uint8,
        ).reshape(5, 8, 2, -1)
    ).sum(axis=3, dtype=np.int64)  # [rule, mask, rows or columns]
    level1 = counts[0].sum(axis=1) + 2 * counts[1].sum(axis=1)
    level2 = 3 * counts[2, :, 0]
    level3 = 40 * counts[3].sum(axis=1)
    level4 = [int(abs(float(d) / (n * n) * 100 - 50) / 5) * 10 for d in counts[4, :, 0]]
    return [int(t) for t in level1 + level2 + level3 + np.array(level4)]


@functools.cache
def _valid_starts(n: int) -> tuple[int, int, int, int]:
    """Where _penalties' rules may start in the packed lines of an n-module symbol's eight
    masks: a pair (j ≤ n - 2), five (j ≤ n - 5), a 2×2 block (rows but the last, j ≤ n - 2)
    and eleven modules (j ≤ n - 11), so no window reaches into the padding or the next line."""
    j = np.arange(n)
    row = np.arange(2 * n)[:, None] < n - 1
    wanted = [j <= n - 2, j <= n - 5, row & (j <= n - 2), j <= n - 11]
    pair, five, block, eleven = (_packed(np.broadcast_to(ok, (8, 2 * n, n))) for ok in wanted)
    return pair, five, block, eleven


@functools.cache
def _svg_words(n: int) -> tuple[str, ...]:
    """The pieces of a run's path in an n-module symbol: "M{x} " for each x, "{y}" for each y,
    then "h{length}v1h-{length}z" for each length."""
    return (
        *(f"M{x} " for x in range(n)),
        *(f"{y}" for y in range(n)),
        *(f"h{length}v1h-{length}z" for length in range(n + 1)),
    )


def qr_svg(url: str) -> bytes:
    """Return a standalone, byte-reproducible SVG QR code for url, sized by its viewBox."""
    matrix = _symbol(url)
    n = matrix.shape[0]
    # One closed unit-high rectangle per horizontal run of dark modules: where a row, framed
    # by light modules, turns dark and light again.
    framed = np.zeros((n, n + 2), dtype=bool)
    framed[:, 1:-1] = matrix
    edges = np.flatnonzero(framed[:, 1:] != framed[:, :-1])  # each run's start, then end
    ys, xs = np.divmod(edges, n + 1)
    picks = np.empty((edges.size // 2, 3), dtype=np.intp)  # each run's three words
    picks[:, 0] = xs[::2]
    picks[:, 1] = n + ys[::2]
    picks[:, 2] = 2 * n + xs[1::2] - xs[::2]
    words = _svg_words(n)
    runs = operator.itemgetter(*picks.ravel().tolist())(words)  # NOTE: many runs: a tuple
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
    matrix = _symbol(url)
    n = matrix.shape[0]
    pixels = np.where(matrix, 0, 255).astype(np.uint8).tobytes()
    image = Image.frombytes("L", (n, n), pixels)
    image = image.resize((n * box_size, n * box_size), Image.Resampling.NEAREST)
    image = image.convert("1", dither=Image.Dither.NONE)
    out = io.BytesIO()
    # Pillow writes only IHDR/IDAT/IEND here: no tIME, text or pHYs chunks that could vary.
    image.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()
