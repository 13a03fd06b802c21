"""Precompressed copies beside the text files of the site: for the files every visitor
fetches (the stylesheet, the search script and index) a .gz and a .br, whatever the host; and
with the plugin's `precompress: true` a .gz beside every page, chart and check file too.

A static host that serves them (nginx `gzip_static on;` and `brotli_static on;`, Caddy
`file_server { precompressed br gzip }`) sends a phone a fifth of the bytes without
compressing anything per request. GitHub Pages (where the site workflow publishes), Gitee
Pages and most CDNs compress by themselves and never read them: there a page's copy is only a
cost, which is why the pages' copies are asked for, not made by default (on a 600-village
county they are 146,000 of its 297,000 files, and a fifth of a from-nothing build's CPU).
Both are deterministic: gzip without a name or time in its header, brotli has none.

Cost, measured on the example county's pages (20 KB each): gzip level 5 ≈ 1–2 ms a file,
brotli quality 11 ≈ 150 ms (quality 5 ≈ 1.5 ms, only 10 % smaller than gzip), so pages get
gzip only: 47,000 of them add about a minute of CPU to a county's from-nothing build, shared
by the shards; a rebuild links the unchanged pages' copies with the pages.

The deflate is zlib-ng's (the `zlib-ng` package, which bundles the library): on 1,500 files of a
built county it took a third less CPU than the system zlib at the same level for 2 % more
bytes. Its output is fixed by its pinned version, not by the CPU: the same files compressed
with its SSE2, SSSE3, SSE4.2, AVX2 and AVX-512 code (qemu-x86_64 -cpu …) gave the same bytes,
so shards built on different x86-64 machines merge into the one-machine site. (It does not
promise the same bytes on another architecture, such as arm64: run a county's shards on one.)
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import partial
from pathlib import Path

import brotli
from zlib_ng import zlib_ng

from builder.pipeline.workers import parallel_map

TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".jsonl", ".csv")
COMPRESSED = (".gz", ".br")
MIN_BYTES = 512  # below this a compressed copy saves less than a round trip's headers
# the files every visitor fetches (the stylesheet and scripts, the search index) and the
# downloads, copied whatever the host (the downloads' CSV and JSON get a .gz joined from their
# villages' parts: opendata.folder_files; the sitemap's is written with it)
SHARED = ("assets/", "search/")
DOWNLOADS = "data"  # a download folder's name (opendata.COUNTY_FOLDER, village_folder)
# NOTE: zlib-ng's level 5 and 6 differ where zlib's do not: on 15,000 files of a built
# 600-village county, level 5 took 6 % less CPU for pages, 12-14 % less for JSON and CSV
# (the check files, the downloads) for 0.3-0.7 % more bytes; 4 is 5 % larger again
GZIP_LEVEL = 5
# brotli's quality for the files every visitor fetches: the assets change only with the
# theme, so they get its best; the search index is written anew by every build, and its
# quality 11 (measured on a 120-village index, 1.5 MB) took 1.4 s of CPU where 8 takes 0.03 s
# for 7 % more bytes (still a sixth smaller than gzip)
BROTLI_QUALITY = {"assets": 11, "search": 8}
# the bytes from which written_with_copies makes the copies in two processes: the search index
# of a 600-village county (1,100 files, 7 MB) took a second of the merge in one, with the
# other core idle; forking for a small county's index would cost more than it saves
PARALLEL_COPIES_FROM = 2_000_000
COPY_BATCHES = 64


PRE = re.compile(r"(<(pre|textarea)[\s>].*?</\2>)", re.S)
# a line break and the blanks and blank lines after it: the indentation of the next line
# NOTE: at least one blank after it, so a line break alone (three in five of a page's) is left
# where it is rather than replaced by itself: a fifth less time, the same text
BREAK = re.compile(r"\n[ \t\n]+")


def compact_html(html: str) -> str:
    """html without the indentation of the theme's templates (a fifth of a page's bytes): each
    line's leading blanks go, blank lines go, a line break stays a line break (so spacing and
    inline scripts read the same); <pre> and <textarea> stay exactly as written.

    One pass of one pattern, and no split where no page has a <pre> (every generated page):
    a fifth of the time of the two passes it replaced, with the same output."""
    if "<pre" not in html and "<textarea" not in html:
        return BREAK.sub("\n", html)
    parts = PRE.split(html)  # text, then each <pre>…</pre> and its tag name, in turn
    return "".join(
        BREAK.sub("\n", part) if i % 3 == 0 else part for i, part in enumerate(parts) if i % 3 != 2
    )


def gzipped(data: bytes) -> bytes:
    """data as a gzip file with no name or time in its header (as gzip.compress(…, mtime=0))."""
    trailer = struct.pack("<II", zlib_ng.crc32(data), len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + zlib_ng.compress(data, GZIP_LEVEL, -15) + trailer


def deflated(data: bytes) -> bytes:
    """data as raw deflate blocks that end on a full flush: such pieces, each made on its own,
    join into one gzip stream (gzip_joined), so a large file assembled from cached parts is
    compressed from cached parts too."""
    packer = zlib_ng.compressobj(GZIP_LEVEL, zlib_ng.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib_ng.Z_FULL_FLUSH)


_LAST_BLOCK = zlib_ng.compressobj(GZIP_LEVEL, zlib_ng.DEFLATED, -15).flush()  # empty, final
# RFC 1952: deflate, no name or time, "unknown" system, as gzip.compress(…, mtime=0) writes
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def gzip_joined(pieces: Iterable[tuple[bytes, bytes]]) -> bytes:
    """One gzip file of the pieces' data in turn, from (data, deflated(data)) pairs."""
    crc, size, body = 0, 0, [_GZIP_HEADER]
    for data, packed in pieces:
        crc = zlib_ng.crc32(data, crc)
        size += len(data)
        body.append(packed)
    body.append(_LAST_BLOCK + struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(body)


def brotlied(data: bytes, quality: int = 11) -> bytes:
    return bytes(brotli.compress(data, quality=quality))


def _brotli_quality(rel: str) -> int:
    """The brotli quality of a file of the site at rel, 0 for none."""
    return BROTLI_QUALITY.get(rel.split("/", 1)[0], 0)


def precompress(path: Path, *, br: int = 0) -> None:
    """Write path.gz (and path.br at quality br, when given) beside path, unless already there
    and newer."""
    mtime = path.stat().st_mtime_ns
    stale = []
    for suffix, pack in _packers(br):
        target = path.with_name(path.name + suffix)
        try:
            if target.stat().st_mtime_ns >= mtime:
                continue
        except FileNotFoundError:
            pass
        stale.append((target, pack))
    if stale:
        _write_copies(path.read_bytes(), stale)


def _write_copies(data: bytes, copies: Sequence[tuple[Path, Callable[[bytes], bytes]]]) -> None:
    for target, pack in copies:
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(pack(data))
        os.replace(tmp, target)


def _wanted(rel: str, size: int, every: bool) -> bool:
    """Whether the file at rel (relative to the site) gets precompressed copies: a text file
    large enough among the shared ones, or among all of them when every (`precompress`)."""
    if not every and not always_copied(rel):
        return False
    # NOTE: a shard's sitemap is not the site's: the merge writes it (and its .gz)
    name = rel.rsplit("/", 1)[-1]
    return not name.startswith("sitemap.") and Path(name).suffix in TEXT and size >= MIN_BYTES


def always_copied(rel: str) -> bool:
    """Whether the file at rel gets its copies whatever the plugin's `precompress`: a file of
    the shared folders or a download, not a page (the search page and each download folder's
    page are pages like the others)."""
    if rel.endswith(".html"):
        return False
    folder = rel.rpartition("/")[0]
    return rel.startswith(SHARED) or folder == DOWNLOADS or folder.endswith(f"/{DOWNLOADS}")


class StagingWriter:
    """Writes the files of a site being built, each with its compressed copies made from the
    bytes in hand (precompress_tree then skips them unread, see `done`).

    Only for a folder no reader sees until it is published (a staging folder, or a preview's):
    each file and copy is written in place, not to a temporary name and renamed, and each
    folder is made once, not looked up again for every file in it; the pages MkDocs writes get
    their copies from the bytes on their way (SunlightPlugin.on_post_page), not read back.
    On a 24-village county that took a build from 180,000 system calls to 131,000 (renames
    3,904 to 170, stats 61,699 to 38,895); a county has 300,000 files.
    every: copies of every text file (the plugin's `precompress`), else of the shared ones."""

    def __init__(self, root: Path, *, every: bool) -> None:
        self.root = str(root)
        self.every = every
        self.folders: set[str] = set()
        self.done: set[str] = set()  # rel of each file whose copies are made (or not wanted)

    def write(self, rel: str, data: bytes, *, copies: bool = True) -> None:
        """data to root/rel and, when wanted (and copies), its compressed copies beside it."""
        self.folder(rel)
        _write_new(f"{self.root}/{rel}", data)
        if copies:
            self.write_copies(rel, data)

    def write_copies(self, rel: str, data: bytes) -> None:
        """Only the compressed copies of root/rel (which holds data, or soon will)."""
        if _wanted(rel, len(data), self.every):
            self.folder(rel)
            for suffix, pack in _packers(_brotli_quality(rel)):
                _write_new(f"{self.root}/{rel}{suffix}", pack(data))
        self.done.add(rel)

    def folder(self, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if parent not in self.folders:
            os.makedirs(f"{self.root}/{parent}", exist_ok=True)
            self.folders.add(parent)


def written_with_copies(root: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Write files (paths relative to root, and their bytes) and the compressed copies of
    those that get them, made from the bytes in hand: in two processes when they are many.
    Only for a folder no reader sees yet (see StagingWriter); root's sub-folders must exist.
    For the shared files (the search index): a page's copies are StagingWriter's."""
    wanted = [(rel, data) for rel, data in files if _wanted(rel, len(data), every=False)]
    if sum(len(data) for _, data in wanted) < PARALLEL_COPIES_FROM:
        made = _copies_of(wanted)
    else:
        size = -(-len(wanted) // COPY_BATCHES)
        batches = [wanted[start : start + size] for start in range(0, len(wanted), size)]
        made = [copies for batch in parallel_map(_copies_of, batches) for copies in batch]
    base = str(root)
    for rel, data in files:
        _write_new(f"{base}/{rel}", data)
    for (rel, _), copies in zip(wanted, made, strict=True):
        for suffix, packed in copies:
            _write_new(f"{base}/{rel}{suffix}", packed)


def _copies_of(files: Sequence[tuple[str, bytes]]) -> list[list[tuple[str, bytes]]]:
    """Each file's compressed copies, as (suffix, bytes)."""
    return [
        [(suffix, pack(data)) for suffix, pack in _packers(_brotli_quality(rel))]
        for rel, data in files
    ]


# NOTE: a built site is 300,000 files; os.open skips what open() adds for each (a stat for the
# buffer size, a terminal test, a seek): 20-23 µs a file instead of 28-36 on a memory disk
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def _write_new(path: str, data: bytes) -> None:
    handle = os.open(path, _NEW_FILE, 0o666)
    try:
        left = memoryview(data)
        while left:
            left = left[os.write(handle, left) :]
    finally:
        os.close(handle)


def _packers(br: int) -> list[tuple[str, Callable[[bytes], bytes]]]:
    """A file's compressed copies: (suffix, how to make it); .br only at a quality above 0."""
    packers: list[tuple[str, Callable[[bytes], bytes]]] = [(".gz", gzipped)]
    return packers + ([(".br", partial(brotlied, quality=br))] if br else [])


def precompress_tree(
    root: Path,
    only: tuple[str, ...] = (),
    done: Collection[str] = frozenset(),
    *,
    every: bool,
) -> int:
    """Precompress every text file of root that gets copies (see _wanted: every) in root or
    its sub-paths `only`, but those in done (paths relative to root, whose copies were made as
    they were written); the count written."""
    count = 0
    starts = [root / sub for sub in only] if only else [root]
    for start in starts:
        if start.is_file():
            found = [start.relative_to(root).as_posix()]
        else:
            base = root.as_posix()
            found = sorted(
                f"{folder[len(base) + 1 :]}/{name}".lstrip("/")
                for folder, _, names in os.walk(start)
                for name in names
                if os.path.splitext(name)[1] in TEXT
            )
        for rel in found:
            if rel in done:
                continue
            path = root / rel
            if path.is_file() and _wanted(rel, path.stat().st_size, every):
                precompress(path, br=_brotli_quality(rel))
                count += 1
    return count
