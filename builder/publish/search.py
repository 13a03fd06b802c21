"""Static full-text search for Chinese records: a sharded character-bigram index.

The index is a directory of small JSON files that ``assets/search.js`` fetches on demand:

* ``manifest.json``  version, build id, doc count, shard count, chunk size, client limits;
* ``s/<k>.json``     shard k: ``{bigram: posting}`` for the bigrams whose FNV-1a hash % shards == k;
* ``m/<c>.json``     docs c*chunk .. c*chunk+chunk-1 as ``[[url, title, subtitle], ...]``.

A posting is the sorted list of doc ids holding a bigram, written as maximal runs of consecutive
ids.  Each run becomes ``vlq(gap * 2 + (length > 1))`` followed by ``vlq(length - 2)`` when
longer than one, where ``gap`` is the run's start minus the end (exclusive) of the previous run
(0 before the first).  ``vlq`` writes 5 bits per character, least significant first, with bit 32
marking "more digits follow", using the alphabet ``A-Z a-z 0-9 - _`` (JSON-safe, no escaping).
A bigram on every page is therefore two characters, whatever the county's size.  A dense but
scattered posting (digit pairs of amounts) is instead a bitmap when that gzips smaller: ``~``
then one alphabet character per 6 docs, bit j of character k meaning doc 6k+j.

Text is NFKC-normalised and lower-cased, then split into tokens: maximal runs of "word"
characters (``WORD_RANGES``: digits, letters, CJK, ...).  A connector (``CONNECTORS``, e.g. the
``.`` of ``1200.00`` or the ``-`` of ``记-015``) stays inside a token when both neighbours are word
characters and at least one is an ASCII letter or digit.  Bigrams never span a token boundary,
so a query that occurs as a substring of a doc's normalised text yields only bigrams the doc has:
recall is 100 %; the results are a superset (all bigrams present, not necessarily adjacent).
"""

from __future__ import annotations

import gzip
import hashlib
import html
import itertools
import json
import math
import re
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from builder.pipeline.workers import parallel_map
from builder.publish.compress import written_with_copies

FORMAT_VERSION = 1
CHUNK_SIZE = 100  # docs per metadata chunk
PAGE_SIZE = 20  # results per page shown by the client
MAX_BIGRAMS = 10  # bigrams looked up per query (a subset keeps recall; bounds the download)
MIN_BIGRAMS = 3  # never cap below this, however big the shards
QUERY_BUDGET_GZIP = 60_000  # worst-case gzipped bytes one page of results may download
MAX_CHUNKS = 10  # metadata chunks fetched per page of results (bounds scattered results)
SHARD_TARGET_GZIP = 2_500  # gzipped postings aimed at per shard file
MAX_SHARDS = 4096
SCOPES_PER_FILE = 100  # url-prefix scopes per p/<k>.json file  # upper bound on shard files
GZIP_LEVEL = 6  # what static hosts typically use; for the byte figures only
MIN_CHARS_MESSAGE = "请至少输入两个字"
HELP_MESSAGE = (
    "输入要找的字词，例如：低保、修路、管理费用、1200.00。"
    "姓名中隐去的字用 * 代替，例如 刘*田。几个词用空格隔开，找同时含有它们的页面。"
)
# Villagers' words and the records' words for the same thing: a query term that is a key here
# finds pages with any of its words (one short list, shipped in manifest.json for search.js).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "修路": ("修路", "道路", "硬化", "维修"),
    "低保": ("低保", "最低生活保障"),
    "五保": ("五保", "特困"),
    "工资": ("工资", "报酬"),
    "补贴": ("补贴", "补助"),
    "租金": ("租金", "租赁", "发包"),
}
MAX_VARIANTS = 8  # queries one search may expand to (synonyms of several terms multiply)
WILDCARD = "*"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"

# Word characters as inclusive code point ranges, ascending; search.js holds the same table.
WORD_RANGES: tuple[tuple[int, int], ...] = (
    (0x30, 0x39),  # 0-9
    (0x41, 0x5A),  # A-Z
    (0x61, 0x7A),  # a-z
    (0xC0, 0xD6),  # Latin-1 letters (without ×)
    (0xD8, 0xF6),  # (without ÷)
    (0xF8, 0x24F),  # Latin Extended-A/B (pinyin tones)
    (0x370, 0x3FF),  # Greek
    (0x400, 0x4FF),  # Cyrillic
    (0x620, 0x64A),  # Arabic letters (Uyghur)
    (0x660, 0x669),  # Arabic-Indic digits
    (0x671, 0x6D3),  # Arabic extended letters
    (0xF40, 0xFBC),  # Tibetan letters and signs
    (0x1820, 0x1878),  # Mongolian letters
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA000, 0xA48C),  # Yi syllables
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x3FFFF),  # CJK Extensions B-H
)
CONNECTORS = ".,-/:_"

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64_INDEX = {c: i for i, c in enumerate(_B64)}
_SEP = "\0"


def _class(ranges: Iterable[tuple[int, int]]) -> str:
    """Return a regex character-class body for code point ranges."""
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


_W = _class(WORD_RANGES)
_A = _class(r for r in WORD_RANGES if r[1] < 0x80)
_C = re.escape(CONNECTORS)
_NON_TOKEN = re.compile(f"[^{_W}{_C}]+")
# A connector not between two word characters of which one is ASCII ("." is the connector itself).
_LONE_CONNECTOR = re.compile(f"[{_C}](?:(?<![{_W}].)|(?![{_W}])|(?<![{_A}].)(?![{_A}]))")


@dataclass(frozen=True)
class SearchDoc:
    """One page to index: url relative to the site root, e.g. "chengguan/dongshan/2026-10/"."""

    url: str
    title: str
    subtitle: str
    text: str


@dataclass(frozen=True)
class IndexStats:
    """Figures about a written index (deterministic: no timings)."""

    docs: int
    bigrams: int
    shards: int
    chunks: int
    files: int
    raw_bytes: int
    gzip_bytes: int
    max_shard_gzip_bytes: int
    max_chunk_gzip_bytes: int
    build: str


@dataclass(frozen=True)
class QueryPlan:
    """What the JS client fetches and shows for one query, computed in Python."""

    query: str
    message: str | None  # shown instead of searching, e.g. 请至少输入两个字
    bigrams: tuple[str, ...]  # bigrams looked up (at most MAX_BIGRAMS)
    files: tuple[str, ...]  # paths relative to the index dir, in fetch order
    raw_bytes: int
    gzip_bytes: int
    ids: tuple[int, ...]  # every matching doc id in scope, ascending
    urls: tuple[str, ...]  # their urls
    shown: tuple[str, ...]  # urls rendered on the pages fetched

    @property
    def total(self) -> int:
        """Return the number of matching docs ("找到 N 个页面")."""
        return len(self.ids)


# The characters of Chinese text that NFKC changes: full-width forms (，：（）１Ａ…) and the
# ideographic space. NFKC is the canonical composition of the full compatibility decomposition
# (NFKD) of each character in turn, so writing one of them as its NFKD first changes nothing
# but the time: a text that still held one took the normaliser's slow path over every
# character (seven times slower on a county's pages; test_search proves the result the same).
_WIDE = {
    chr(code): unicodedata.normalize("NFKD", chr(code))
    for code in (0x3000, *range(0xFF01, 0xFFF0))
    if unicodedata.normalize("NFKD", chr(code)) != chr(code)
}
_WIDE_CHAR = re.compile(f"[{re.escape(''.join(_WIDE))}]")


def normalize(text: str) -> str:
    """Return text NFKC-normalised and lower-cased, as indexed and queried."""
    plain = _WIDE_CHAR.sub(lambda found: _WIDE[found.group()], text)
    return unicodedata.normalize("NFKC", plain).lower()


def _separated(text: str) -> str:
    """Return normalised text with every non-token character replaced by a separator."""
    return _LONE_CONNECTOR.sub(_SEP, _NON_TOKEN.sub(_SEP, normalize(text)))


def tokens(text: str) -> list[str]:
    """Return the tokens of text (runs of word characters and joined connectors)."""
    return [t for t in _separated(text).split(_SEP) if t]


def query_bigrams(query: str, limit: int = MAX_BIGRAMS) -> tuple[str, ...] | None:
    """Return the bigrams a query looks up (≤ limit); () if empty; None if a token is short."""
    toks = tokens(query)
    if any(len(t) < 2 for t in toks):
        return None
    seen: dict[str, None] = {}
    for t in toks:
        for i in range(len(t) - 1):
            seen.setdefault(t[i : i + 2])
    grams = list(seen)
    return tuple((grams[0::2] + grams[1::2])[:limit])


def join_wildcards(text: str) -> str:
    """text with each `*` between two characters removed (刘*田 -> 刘田): a masked name is
    indexed that way too (see render.period_text), so `*` stands for the hidden characters."""
    return re.sub(r"(?<=[^\s*])\*+(?=[^\s*])", "", normalize(text)).replace(WILDCARD, " ")


def query_variants(query: str) -> list[str]:
    """The queries a search runs for query: wildcards joined, each synonym term replaced by each
    of its words in turn (at most MAX_VARIANTS); a page matching any variant is a result."""
    terms = join_wildcards(query).split()
    choices = [SYNONYMS.get(t, (t,)) for t in terms]
    variants = [" ".join(combo) for combo in itertools.product(*choices)]
    return variants[:MAX_VARIANTS]


def fnv1a(text: str) -> int:
    """Return the 32-bit FNV-1a hash of text's UTF-8 bytes."""
    h = 0x811C9DC5
    for b in text.encode("utf-8", "surrogatepass"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def _vlq(out: list[str], value: int) -> None:
    """Append value as base-64 VLQ digits (5 bits each, low first, 32 = continue)."""
    while value >= 32:
        out.append(_B64[32 | (value & 31)])
        value >>= 5
    out.append(_B64[value])


# NOTE: postings of at least this many ids are encoded with numpy, to the same characters, 3–4×
# faster (a county's index holds millions of ids); below it the loops are faster
VECTOR_FROM = 256
_B64_BYTES = np.frombuffer(_B64.encode("ascii"), dtype=np.uint8)


def encode_posting(ids: Sequence[int]) -> str:
    """Return sorted, unique doc ids encoded as VLQ runs."""
    if len(ids) >= VECTOR_FROM:
        return _encode_posting_vector(np.asarray(ids, dtype=np.int64))
    out: list[str] = []
    prev_end = 0
    i, n = 0, len(ids)
    while i < n:
        start = ids[i]
        j = i + 1
        while j < n and ids[j] == ids[j - 1] + 1:
            j += 1
        length = j - i
        if start < prev_end:
            raise ValueError("posting ids must be sorted and unique")
        _vlq(out, (start - prev_end) * 2 + (length > 1))
        if length > 1:
            _vlq(out, length - 2)
        prev_end = start + length
        i = j
    return "".join(out)


def _encode_posting_vector(ids: npt.NDArray[np.int64]) -> str:
    """encode_posting of many ids, with numpy."""
    if ids[0] < 0 or (np.diff(ids) <= 0).any():
        raise ValueError("posting ids must be sorted and unique")
    breaks = np.flatnonzero(np.diff(ids) != 1) + 1
    first = np.concatenate(([0], breaks))
    lengths = np.concatenate((breaks, [len(ids)])) - first
    starts = ids[first]
    prev_end = np.concatenate(([0], (starts + lengths)[:-1]))
    multi = lengths > 1
    count = 1 + multi.astype(np.int64)
    at = np.cumsum(count) - count  # where each run's values go
    values = np.empty(int(count.sum()), dtype=np.int64)
    values[at] = (starts - prev_end) * 2 + multi
    values[at[multi] + 1] = lengths[multi] - 2
    return _vlq_vector(values)


def _vlq_vector(values: npt.NDArray[np.int64]) -> str:
    """The VLQ digits of every value in turn (see _vlq), with numpy."""
    digits = np.ones(len(values), dtype=np.int64)
    rest = values >> 5
    while rest.any():
        digits += rest > 0
        rest >>= 5
    at = np.cumsum(digits) - digits
    out = np.empty(int(digits.sum()), dtype=np.uint8)
    rest = values.copy()
    for k in range(int(digits.max())):
        has = digits > k
        more = (digits[has] > k + 1).astype(np.int64) << 5
        out[at[has] + k] = _B64_BYTES[(rest[has] & 31) | more]
        rest >>= 5
    return out.tobytes().decode("ascii")


def encode_bitmap(ids: Sequence[int]) -> str:
    """Return sorted doc ids encoded as a "~" bitmap (6 docs per character)."""
    if len(ids) >= VECTOR_FROM:
        at = np.asarray(ids, dtype=np.int64)
        packed = np.zeros(int(at[-1]) // 6 + 1, dtype=np.uint8)
        np.bitwise_or.at(packed, at // 6, (1 << (at % 6)).astype(np.uint8))
        return "~" + _B64_BYTES[packed].tobytes().decode("ascii")
    bits = bytearray(ids[-1] // 6 + 1 if ids else 0)
    for i in ids:
        bits[i // 6] |= 1 << (i % 6)
    return "~" + "".join(map(_B64.__getitem__, bits))


def _packed_size(text: str) -> int:
    """Return roughly what text adds to a gzipped shard."""
    return len(text) if len(text) < 64 else len(zlib.compress(text.encode(), GZIP_LEVEL)) - 6


def encode_best(ids: Sequence[int]) -> tuple[str, int]:
    """Return the smaller (once gzipped) of the run and bitmap encodings, and that size."""
    runs = encode_posting(ids)
    size = _packed_size(runs)
    if ids and ids[-1] // 6 + 2 < len(runs):
        bitmap = encode_bitmap(ids)
        bitmap_size = _packed_size(bitmap)
        if bitmap_size < size:
            return bitmap, bitmap_size
    return runs, size


def decode_posting(text: str) -> list[int]:
    """Return the doc ids of an encoded posting."""
    if text.startswith("~"):
        return [
            k * 6 + j for k, ch in enumerate(text[1:]) for j in range(6) if _B64_INDEX[ch] >> j & 1
        ]
    values: list[int] = []
    value = shift = 0
    for ch in text:
        d = _B64_INDEX[ch]
        value |= (d & 31) << shift
        if d & 32:
            shift += 5
        else:
            values.append(value)
            value = shift = 0
    ids: list[int] = []
    pos = k = 0
    while k < len(values):
        x = values[k]
        k += 1
        start = pos + (x >> 1)
        length = 1
        if x & 1:
            length = values[k] + 2
            k += 1
        ids.extend(range(start, start + length))
        pos = start + length
    return ids


def _json(value: object) -> bytes:
    """Return compact, key-sorted UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _gzip_size(data: bytes) -> int:
    """Return the gzipped size of data (mtime 0, as a static host would send it)."""
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def _check_url(url: str) -> None:
    """Reject urls that are not site-relative paths."""
    if url.startswith(("/", "\\")) or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url):
        raise ValueError(f"search doc url must be relative to the site root: {url!r}")


# a run of documents' postings, packed to load fast: every bigram in one string (NUL between
# them: a separator, never in a word), how many documents hold each, and those documents' ids
PackedPostings = tuple[str, "array[int]", "array[int]"]

_CODE_BITS = 21  # a code point (at most 0x10FFFF)
_RUN_IDS = 1 << 10  # documents packed at once (see packed_postings)
_ID_BITS = (_RUN_IDS - 1).bit_length()


def packed_postings(docs: Sequence[SearchDoc]) -> PackedPostings:
    """doc_postings(docs), packed (see PackedPostings), the bigrams in code point order.

    Each bigram is the number of its two code points, each document's bigrams those numbers
    with its id below them, and one sort of them gives each bigram's documents in order: no
    Python work for each bigram of each document (2.5 times faster on a county's pages)."""
    pairs: list[npt.NDArray[np.int64]] = []
    ids: list[npt.NDArray[np.int64]] = []
    for start in range(0, len(docs), _RUN_IDS):  # NOTE: runs, so that ids fit below the pair
        keys = [
            _doc_bigram_keys(doc, doc_id)
            for doc_id, doc in enumerate(docs[start : start + _RUN_IDS])
        ]
        found = _sorted_distinct(np.concatenate(keys))
        pairs.append(found >> _ID_BITS)
        ids.append((found & (_RUN_IDS - 1)) + start)
    every_pair = np.concatenate(pairs) if pairs else np.zeros(0, np.int64)
    every_id = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    if not every_pair.size:  # no document has two word characters in a row
        return "", array("i"), array("i")
    if len(pairs) > 1:  # each run in pair order: one stable sort keeps each pair's ids in order
        order = np.argsort(every_pair, kind="stable")
        every_pair, every_id = every_pair[order], every_id[order]
    firsts = np.flatnonzero(np.r_[True, every_pair[1:] != every_pair[:-1]])
    counts = np.diff(np.r_[firsts, every_pair.size])
    grams = "\0".join(map(_gram, every_pair[firsts].tolist()))
    return (
        grams,
        array("i", counts.astype(np.int32).tobytes()),
        array("i", every_id.astype(np.int32).tobytes()),
    )


def _sorted_distinct(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """np.unique(keys): the distinct keys in order (keys is sorted in place). NOTE: sorted,
    then each kept where it differs from the one before: numpy 2's unique hashes the keys
    before sorting what is left, six times slower on a village's 40,000 bigram keys
    (2.4 -> 0.4 ms)."""
    keys.sort()
    if not keys.size:
        return keys
    keep = np.empty(keys.size, dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _doc_bigram_keys(doc: SearchDoc, doc_id: int) -> npt.NDArray[np.int64]:
    """The numbers of a document's bigrams (see packed_postings), repeats included."""
    _check_url(doc.url)
    text = _separated(f"{doc.title}\n{doc.subtitle}\n{doc.text}")
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    first, second = codes[:-1].astype(np.int64), codes[1:].astype(np.int64)
    inside = (first != 0) & (second != 0)  # NOTE: 0 is _SEP, a token's edge
    keys: npt.NDArray[np.int64] = (
        ((first[inside] << _CODE_BITS) | second[inside]) << _ID_BITS
    ) | doc_id
    return keys


def _gram(pair: int) -> str:
    return chr(pair >> _CODE_BITS) + chr(pair & ((1 << _CODE_BITS) - 1))


def doc_postings(docs: Sequence[SearchDoc]) -> dict[str, array[int]]:
    """Return {bigram: ascending ids} for docs (ids 0, 1, … in their order); the postings of
    consecutive runs of docs, their ids shifted, join into the postings of all of them."""
    grams, counts, ids = packed_postings(docs)
    postings: dict[str, array[int]] = {}
    start = 0
    for gram, count in zip(grams.split("\0") if grams else (), counts, strict=True):
        postings[gram] = ids[start : start + count]
        start += count
    return postings


def render_index(
    docs: Sequence[SearchDoc],
    *,
    shard_target_gzip: int = SHARD_TARGET_GZIP,
    chunk_size: int = CHUNK_SIZE,
    postings: dict[str, array[int]] | None = None,
) -> tuple[dict[str, bytes], dict[str, int]]:
    """Return the index files (relative path -> bytes) for docs and their gzipped sizes;
    postings, when given, are doc_postings(docs) assembled by the caller (and consumed)."""
    if postings is None:
        postings = doc_postings(docs)
    grams = sorted(postings)
    encoded: dict[str, str] = {}
    packed_total = 0
    for gram, (text, size) in zip(grams, encoded_postings(grams, postings), strict=True):
        encoded[gram] = text
        packed_total += size + 8
    shards = max(1, min(MAX_SHARDS, math.ceil(packed_total / shard_target_gzip)))
    buckets: list[dict[str, str]] = [{} for _ in range(shards)]
    for gram, text in encoded.items():
        buckets[fnv1a(gram) % shards][gram] = text
    files: dict[str, bytes] = {f"s/{k}.json": _json(b) for k, b in enumerate(buckets)}
    # Scopes by url prefix ("town/village/" -> doc id range), so a page names its scope by a
    # stable prefix and stays the same when another village's doc ids move.
    try:
        ranges = scope_ranges(docs)
    except ValueError:
        ranges = {}
    n_scopes = math.ceil(len(ranges) / SCOPES_PER_FILE) if ranges else 0
    scope_buckets: list[dict[str, list[int]]] = [{} for _ in range(n_scopes)]
    for prefix, (start, end) in ranges.items():
        scope_buckets[fnv1a(prefix) % n_scopes][prefix] = [start, end]
    files.update({f"p/{k}.json": _json(b) for k, b in enumerate(scope_buckets)})
    for c in range(math.ceil(len(docs) / chunk_size)):
        part = docs[c * chunk_size : (c + 1) * chunk_size]
        files[f"m/{c}.json"] = _json([[d.url, d.title, d.subtitle] for d in part])
    gz = {path: _gzip_size(data) for path, data in files.items()}
    # Cap the bigrams per query so that even the biggest shards and chunks fit the budget.
    worst_chunks = MAX_CHUNKS * max((v for p, v in gz.items() if p.startswith("m/")), default=0)
    worst_shard = max(v for p, v in gz.items() if p.startswith("s/"))
    max_bigrams = (QUERY_BUDGET_GZIP - 1_000 - worst_chunks) // worst_shard
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path] + b"\0")
    files["manifest.json"] = _json(
        {
            "build": digest.hexdigest()[:12],
            "chunk": chunk_size,
            "docs": len(docs),
            "hash": "fnv1a32-utf8",
            "max_bigrams": max(MIN_BIGRAMS, min(MAX_BIGRAMS, max_bigrams)),
            "scopes": n_scopes,
            "max_chunks": MAX_CHUNKS,
            "page": PAGE_SIZE,
            "shards": shards,
            "synonyms": {key: list(words) for key, words in SYNONYMS.items()},
            "v": FORMAT_VERSION,
        }
    )
    gz["manifest.json"] = _gzip_size(files["manifest.json"])
    return files, gz


# NOTE: from this many ids in all the postings are encoded in two processes, in batches: the
# 600-village county's index holds 12.5 million in 5,571 bigrams: 0.64-0.74 s in two
# instead of 0.87-0.89 s in one (the sending of the ids to the second process costs the rest);
# a small county's, in one process
PARALLEL_IDS = 2_000_000
ENCODE_BATCHES = 64


def encoded_postings(
    grams: Sequence[str], postings: dict[str, array[int]]
) -> list[tuple[str, int]]:
    """encode_best of each gram's posting, in the grams' order (taken out of postings)."""
    if sum(len(postings[gram]) for gram in grams) < PARALLEL_IDS:
        return [encode_best(postings.pop(gram)) for gram in grams]
    size = -(-len(grams) // ENCODE_BATCHES)
    batches = [
        [postings.pop(gram) for gram in grams[start : start + size]]
        for start in range(0, len(grams), size)
    ]
    return [pair for batch in parallel_map(encode_batch, batches) for pair in batch]


def encode_batch(batch: list[array[int]]) -> list[tuple[str, int]]:
    """encode_best of each posting of a batch (in a worker process)."""
    return [encode_best(ids) for ids in batch]


def build_search_index(
    docs: Sequence[SearchDoc],
    out_dir: Path,
    *,
    shard_target_gzip: int = SHARD_TARGET_GZIP,
    chunk_size: int = CHUNK_SIZE,
    postings: dict[str, array[int]] | None = None,
    site: Path | None = None,
) -> IndexStats:
    """Write the search index for docs into out_dir (e.g. site/search/) and return its figures.
    site: the root of the site being staged that holds out_dir, when its files get their
    compressed copies too (compress.written_with_copies)."""
    files, gz = render_index(
        docs, shard_target_gzip=shard_target_gzip, chunk_size=chunk_size, postings=postings
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("s", "m", "p"):
        (out_dir / sub).mkdir(exist_ok=True)
        for old in (out_dir / sub).glob("*.json"):
            if f"{sub}/{old.name}" not in files:
                old.unlink()
    if site is not None:
        rel = out_dir.relative_to(site).as_posix()
        written_with_copies(site, [(f"{rel}/{path}", data) for path, data in files.items()])
    else:
        for path, data in files.items():
            target = out_dir / path
            if not target.is_file() or target.read_bytes() != data:
                target.write_bytes(data)
    manifest = json.loads(files["manifest.json"])
    return IndexStats(
        docs=len(docs),
        bigrams=sum(len(json.loads(d)) for p, d in files.items() if p.startswith("s/")),
        shards=int(manifest["shards"]),
        chunks=sum(1 for p in files if p.startswith("m/")),
        files=len(files),
        raw_bytes=sum(len(d) for d in files.values()),
        gzip_bytes=sum(gz.values()),
        max_shard_gzip_bytes=max(v for p, v in gz.items() if p.startswith("s/")),
        max_chunk_gzip_bytes=max((v for p, v in gz.items() if p.startswith("m/")), default=0),
        build=str(manifest["build"]),
    )


def _intersect(lists: list[list[int]]) -> list[int]:
    """Return the ascending ids present in every list."""
    if not lists:
        return []
    lists = sorted(lists, key=len)
    common = set(lists[0])
    for other in lists[1:]:
        common.intersection_update(other)
    return sorted(common)


def page_chunks(
    ids: Sequence[int], start: int, page: int, max_chunks: int, chunk: int
) -> tuple[int, list[int]]:
    """Return (end, chunks): the results start..end-1 shown next and the chunks they need."""
    chunks: list[int] = []
    end = start
    while end < len(ids) and end - start < page:
        c = ids[end] // chunk
        if c not in chunks:
            if len(chunks) == max_chunks:
                break
            chunks.append(c)
        end += 1
    return end, chunks


def plan_query(
    index_dir: Path, query: str, *, scope: tuple[int, int] | str | None = None, pages: int = 1
) -> QueryPlan:
    """Return what search.js fetches and finds for query (first `pages` pages, optional scope)."""
    variants = query_variants(query)
    checked = [query_bigrams(v, limit=1 << 30) for v in variants]
    if not any(checked):
        message = MIN_CHARS_MESSAGE if None in checked else HELP_MESSAGE
        return QueryPlan(query, message, (), (), 0, 0, (), (), ())
    fetched: dict[str, bytes] = {}

    def load(path: str) -> object:
        """Read one index file, recording it as fetched."""
        if path not in fetched:
            fetched[path] = (index_dir / path).read_bytes()
        return json.loads(fetched[path])

    manifest = load("manifest.json")
    assert isinstance(manifest, dict)
    if manifest.get("v") != FORMAT_VERSION:
        raise ValueError(f"unsupported search index version: {manifest.get('v')!r}")
    shards, chunk = int(manifest["shards"]), int(manifest["chunk"])
    usable = [v for v, g in zip(variants, checked, strict=True) if g]
    usable = usable[: max(1, int(manifest["max_bigrams"]))]  # within the download budget
    # the bigrams a query may fetch are shared by its variants (each keeps at least one)
    share = max(1, int(manifest["max_bigrams"]) // len(usable))
    all_grams: list[str] = []
    found: set[int] = set()
    for variant in usable:
        grams = query_bigrams(variant, limit=share) or ()
        lists: list[list[int]] = []
        for gram in grams:
            shard = load(f"s/{fnv1a(gram) % shards}.json")
            assert isinstance(shard, dict)
            lists.append(decode_posting(shard[gram]) if gram in shard else [])
        all_grams += [g for g in grams if g not in all_grams]
        found.update(_intersect(lists))
    grams = tuple(all_grams)
    lists = [sorted(found)]
    ids = _intersect(lists)
    if isinstance(scope, str):
        table = load(f"p/{fnv1a(scope) % int(manifest['scopes'])}.json")
        assert isinstance(table, dict)
        scope = (table[scope][0], table[scope][1])
    if scope is not None:
        ids = [i for i in ids if scope[0] <= i < scope[1]]
    shown_end = 0
    for _ in range(pages):
        shown_end, needed = page_chunks(
            ids, shown_end, int(manifest["page"]), int(manifest["max_chunks"]), chunk
        )
        for c in needed:
            load(f"m/{c}.json")
    files = tuple(fetched)
    meta: dict[int, list[list[str]]] = {}
    for c in sorted({i // chunk for i in ids}):
        rows = json.loads((index_dir / f"m/{c}.json").read_bytes())
        assert isinstance(rows, list)
        meta[c] = rows
    urls = tuple(meta[i // chunk][i % chunk][0] for i in ids)
    return QueryPlan(
        query=query,
        message=None,
        bigrams=grams,
        files=files,
        raw_bytes=sum(len(fetched[f]) for f in files),
        gzip_bytes=sum(_gzip_size(fetched[f]) for f in files),
        ids=tuple(ids),
        urls=urls,
        shown=urls[:shown_end],
    )


def doc_range(docs: Sequence[SearchDoc], url_prefix: str) -> tuple[int, int]:
    """Return the half-open doc id range of the docs under url_prefix (they must be contiguous)."""
    hits = [i for i, d in enumerate(docs) if d.url.startswith(url_prefix)]
    if not hits or hits[-1] - hits[0] + 1 != len(hits):
        raise ValueError(f"docs under {url_prefix!r} are missing or not contiguous")
    return hits[0], hits[-1] + 1


def scope_ranges(docs: Sequence[SearchDoc], depth: int = 2) -> dict[str, tuple[int, int]]:
    """Return {"town/": range, "town/village/": range, ...} for url prefixes up to depth segments."""
    ranges: dict[str, tuple[int, int]] = {}
    for i, doc in enumerate(docs):
        parts = doc.url.split("/")
        for n in range(1, min(depth, len(parts) - 1) + 1):
            prefix = "/".join(parts[:n]) + "/"
            start, end = ranges.get(prefix, (i, i))
            if end != i:
                raise ValueError(f"docs under {prefix!r} are not contiguous (doc {i}: {doc.url})")
            ranges[prefix] = (start, i + 1)
    return ranges


def mount_html(
    index_href: str,
    root_href: str,
    script_href: str,
    *,
    scope: tuple[int, int] | str | None = None,
    scope_label: str = "",
) -> str:
    """Return the HTML that mounts the search widget (works as a plain GET form without JS).

    scope is a url prefix ("town/village/", looked up in p/*.json) or a fixed id range.
    """
    attrs = f'data-index="{html.escape(index_href)}" data-root="{html.escape(root_href)}"'
    if scope is not None:
        value = scope if isinstance(scope, str) else f"{scope[0]}-{scope[1]}"
        attrs += f' data-scope="{html.escape(value)}" data-scope-label="{html.escape(scope_label)}"'

    return (
        f'<div id="sunlight-search" class="sunlight-search" {attrs}>\n'
        f'<form action="{html.escape(index_href)}" method="get" role="search">'
        '<input type="search" name="q" placeholder="搜索，如：低保" aria-label="搜索内容">'
        '<button type="submit">搜索</button></form>\n'
        "<noscript><p>搜索需要启用 JavaScript。</p></noscript>\n"
        "</div>\n"
        f'<script src="{html.escape(script_href)}" defer></script>\n'
    )
