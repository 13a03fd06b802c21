"""Precompressed copies beside each text file of the site: page.html.gz and page.html.br.

A static host that serves them (nginx `gzip_static on;` and `brotli_static on;`, Caddy
`file_server { precompressed br gzip }`, GitHub Pages and most CDNs compress by themselves)
sends a phone a fifth of the bytes without compressing anything per request. Both are
deterministic: gzip without a name or time in its header, brotli has none.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import brotli

TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".jsonl", ".csv")
COMPRESSED = (".gz", ".br")
MIN_BYTES = 512  # below this a compressed copy saves less than a round trip's headers
BROTLI_QUALITY = 9  # 11 is a few % smaller and ten times slower, on 47,000 files


PRE = re.compile(r"(<(pre|textarea)[\s>].*?</\2>)", re.S)
INDENT = re.compile(r"\n[ \t]+")
BLANK = re.compile(r"\n{2,}")


def compact_html(html: str) -> str:
    """html without the indentation of the theme's templates (a fifth of a page's bytes): each
    line's leading blanks go, blank lines go, a line break stays a line break (so spacing and
    inline scripts read the same); <pre> and <textarea> stay exactly as written."""
    parts = PRE.split(html)
    out: list[str] = []
    for i, part in enumerate(parts):
        kind = i % 3
        if kind == 0:
            out.append(BLANK.sub("\n", INDENT.sub("\n", part)))
        elif kind == 1:
            out.append(part)
    return "".join(out)


def precompress(path: Path) -> None:
    """Write path.gz and path.br beside path (unless already there and newer)."""
    data = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    for suffix, pack in (
        (".gz", lambda b: gzip.compress(b, compresslevel=9, mtime=0)),
        (".br", lambda b: brotli.compress(b, quality=BROTLI_QUALITY)),
    ):
        target = path.with_name(path.name + suffix)
        try:
            if target.stat().st_mtime_ns >= mtime:
                continue
        except FileNotFoundError:
            pass
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(pack(data))
        os.replace(tmp, target)


def precompress_tree(root: Path, only: tuple[str, ...] = ()) -> int:
    """Precompress every text file of root (or of its sub-paths `only`); the count written."""
    count = 0
    starts = [root / sub for sub in only] if only else [root]
    for start in starts:
        files = [start] if start.is_file() else sorted(start.rglob("*"))
        for path in files:
            # NOTE: a shard's sitemap is not the site's: the merge writes it (and its .gz)
            if path.name.startswith("sitemap."):
                continue
            if path.suffix in TEXT and path.is_file() and path.stat().st_size >= MIN_BYTES:
                precompress(path)
                count += 1
    return count
