"""The precompressed copies (builder.publish.compress): each .gz is an ordinary gzip file that
any reader (here the standard library's) unpacks to its file byte for byte, with nothing in it
that varies from build to build, and the county downloads' .gz joined from cached parts reads
back as the whole file."""

from __future__ import annotations

import gzip
import hashlib
import random
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from builder.publish import compress
from builder.publish.compress import deflated, gzip_joined, gzipped

PAGE = (
    "<!doctype html><html lang=zh><title>云溪县 东山村 2026-03</title>\n"
    + "".join(
        f"<tr><td>{i}</td><td>办公用品</td><td>{i * 37 % 1000}.50</td></tr>\n" for i in range(400)
    )
).encode("utf-8")
_rng = random.Random(8)
NOISE = bytes(_rng.randrange(256) for _ in range(70_000))  # incompressible, past the window
SAMPLES = {
    "empty": b"",
    "one byte": b"x",
    "page": PAGE,
    "long page": PAGE * 9,  # 150 KB: matches reach back across the 32 KB window
    "noise": NOISE,
    "runs": b"\x00" * 100_000 + b"\xff" * 3,
}


@pytest.mark.parametrize("name", SAMPLES)
def test_gzip_copy_reads_back_byte_for_byte(name: str) -> None:
    data = SAMPLES[name]
    packed = gzipped(data)
    assert gzip.decompress(packed) == data
    # one member, no name, no time, no extra fields: the header gzip.compress(…, mtime=0) writes
    assert packed[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    assert zlib.decompressobj(31).decompress(packed) == data  # and zlib's own gzip reader


def test_gzip_copy_is_the_same_bytes_every_time_and_in_every_process() -> None:
    """Same input, same bytes: in this process and in a fresh one (no state carried over)."""
    packed = [gzipped(data) for data in SAMPLES.values()]
    assert packed == [gzipped(data) for data in SAMPLES.values()]
    script = (
        "import hashlib, sys\n"
        "from builder.publish.compress import gzipped\n"
        "print(hashlib.sha256(gzipped(sys.stdin.buffer.read())).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], input=PAGE * 9, capture_output=True, check=True
    )
    assert out.stdout.decode().strip() == hashlib.sha256(gzipped(PAGE * 9)).hexdigest()


def test_gzip_copy_is_smaller_than_the_page() -> None:
    """A page's copy is worth serving: well under a third of the page."""
    assert len(gzipped(PAGE)) < len(PAGE) / 3
    assert len(gzipped(NOISE)) < len(NOISE) + 64  # incompressible data grows only by framing


def test_joined_parts_read_back_as_the_whole_file() -> None:
    """The county downloads' .gz: parts deflated on their own (in any order, some empty)
    join into one gzip file of the parts in turn."""
    parts = [b"id,name\n", PAGE, b"", NOISE[:5000], PAGE * 3, b"\n"]
    packed = {part: deflated(part) for part in reversed(parts)}  # made in another order
    joined = gzip_joined((part, packed[part]) for part in parts)
    assert gzip.decompress(joined) == b"".join(parts)
    assert joined == gzip_joined((part, deflated(part)) for part in parts)
    assert gzip.decompress(gzip_joined([])) == b""


@pytest.mark.parametrize("threshold", [10**12, 0], ids=["one process", "two processes"])
def test_files_written_with_copies_are_what_precompress_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    # the search index's files and their copies, written from the bytes in hand, in one
    # process or (past PARALLEL_COPIES_FROM) two, against copies made by reading them back
    monkeypatch.setattr(compress, "PARALLEL_COPIES_FROM", threshold)
    files = [(f"search/s/{i}.json", PAGE[: 200 + 97 * i]) for i in range(120)]
    files += [("search/manifest.json", b"{}"), ("data/x.csv", PAGE), ("a.png", PAGE)]
    made, expected = tmp_path / "made", tmp_path / "expected"
    for root in (made, expected):
        for folder in ("search/s", "data"):
            (root / folder).mkdir(parents=True)
    compress.written_with_copies(made, files)
    for rel, data in files:
        (expected / rel).write_bytes(data)
    compress.precompress_tree(expected, every=False)
    tree = {p.relative_to(made).as_posix(): p.read_bytes() for p in made.rglob("*") if p.is_file()}
    assert tree == {
        p.relative_to(expected).as_posix(): p.read_bytes()
        for p in expected.rglob("*")
        if p.is_file()
    }
    assert "search/s/100.json.br" in tree and "data/x.csv.gz" in tree
    assert "data/x.csv.br" not in tree and "a.png.gz" not in tree
    assert "search/manifest.json.gz" not in tree  # under MIN_BYTES: no copy


@pytest.mark.parametrize("every", [False, True], ids=["by default", "precompress: true"])
def test_pages_get_copies_only_when_asked_and_shared_files_always(
    tmp_path: Path, every: bool
) -> None:
    """What every visitor fetches (assets/, search/) and the downloads (the county's data/,
    each village's …/data/) get their copies whatever the plugin's precompress; a page, a
    chart or a check file only when it is true. The writer that makes them as it writes and
    the pass that reads the files back agree."""
    files = {
        "assets/sunlight.0123456789.css": PAGE,
        "search/s/1.json": PAGE,
        "data/datapackage.json": PAGE,
        "town/village/data/datapackage.json": PAGE,
        "town/village/2026-03/index.html": PAGE,
        "town/village/data/index.html": PAGE,  # the download folder's page is a page
        "search/index.html": PAGE,
        "town/village/2026-03/chart-months.0123456789.svg": PAGE,
        "town/village/2026-03/check.0123456789.json": PAGE,
        "town/database/index.html": PAGE,  # a folder named like one is not a download folder
        "index.html": PAGE,
    }
    written, walked = tmp_path / "written", tmp_path / "walked"
    writer = compress.StagingWriter(written, every=every)
    for rel, data in files.items():
        writer.write(rel, data)
        (walked / rel).parent.mkdir(parents=True, exist_ok=True)
        (walked / rel).write_bytes(data)
    compress.precompress_tree(walked, every=every)
    for root in (written, walked):
        copies = {p.relative_to(root).as_posix() for p in root.rglob("*.gz")}
        shared = {f"{rel}.gz" for rel in list(files)[:4]}
        pages = {f"{rel}.gz" for rel in list(files)[4:]}
        assert copies == (shared | pages if every else shared), root.name
        for copy in copies:
            assert gzip.decompress((root / copy).read_bytes()) == PAGE
