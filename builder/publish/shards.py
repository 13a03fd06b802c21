"""Build a county's site in shards and join them: on two cores, or on many machines (a CI matrix).

Shard K of N renders the county's own pages (home, towns, status, log, the hand-written pages)
and the pages of every Nth village (villages in code order, those at positions K-1, K-1+N, …);
shard 1 alone writes the county's downloads and feeds.
It writes a partial site whose root holds `SHARD_MANIFEST`: the pages it rendered, its search
documents and its villages. `merge_shards` joins partial sites into one: a file written by
several shards must be byte-identical in each (the county's pages are), then the search index
and the sitemap are made from every shard's pages and documents. A one-shard build goes through
the same merge, so N shards give the same bytes as one (tests prove it).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import itertools
import json
import os
import re
import shutil
from array import array
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import numpy.typing as npt

from builder.errors import BuilderError
from builder.pipeline.cache import BuildCache
from builder.pipeline.workers import parallel_map
from builder.publish.search import (
    PackedPostings,
    SearchDoc,
    build_search_index,
    packed_postings,
)

SHARD_MANIFEST = ".sunlight-shard.json"
# the build cache's kind for the text of a village's search documents (see RenderedVillage)
TEXT_KIND = "search-text"
Place = tuple[int, int, int]
SHARD_RE = re.compile(r"([1-9][0-9]*)/([1-9][0-9]*)")
# Written once for the whole site by the merge, never by a shard.
MERGED_FILES = ("sitemap.xml", "sitemap.xml.gz")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Read "K/N" (1 ≤ K ≤ N), e.g. from `sunlight build --shard 2/3`."""
        match = SHARD_RE.fullmatch(text.strip())
        if match is None or not 1 <= int(match[1]) <= int(match[2]):
            raise ValueError(text)
        return cls(int(match[1]), int(match[2]))

    def holds(self, position: int) -> bool:
        """Whether the village at this position (0-based, in code order) is this shard's."""
        return position % self.count == self.index - 1


@dataclass(frozen=True)
class ShardManifest:
    """What a shard rendered, for the merge: page URLs, search documents, villages."""

    shard: Shard
    site_url: str
    site_key: str
    pages: tuple[str, ...]  # site URLs of every page, e.g. "chengguan/dongshan/2026-10/"
    # each search document with its place in the county's order: (town, village, n-th of it),
    # -1 for the county's and a town's own documents
    search_docs: tuple[tuple[Place, SearchDoc], ...]
    villages: dict[str, str]  # village URL -> the signature its pages were rendered from
    # village URL -> the key of its folder in this machine's store, for a folder that is a link
    # to it (folders.VillageStore); empty for a shard built to be copied elsewhere
    stored: dict[str, str] = field(default_factory=dict)
    # URLs of the villages whose search documents come without their text: their folders were
    # reused, and the build cache keeps the text apart (render.RenderedVillage.text_apart)
    text_apart: tuple[str, ...] = ()

    def write(self, site: Path) -> None:
        """Write the manifest into a shard's partial site."""
        data = {
            "shard": [self.shard.index, self.shard.count],
            "site_url": self.site_url,
            "site_key": self.site_key,
            "pages": list(self.pages),
            "search_docs": [
                [*place, d.url, d.title, d.subtitle, d.text] for place, d in self.search_docs
            ],
            "villages": self.villages,
            "stored": self.stored,
            "text_apart": list(self.text_apart),
        }
        (site / SHARD_MANIFEST).write_text(
            json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )

    def with_text(self, cache: BuildCache | None) -> ShardManifest:
        """This manifest with the text of every search document, its villages' in text_apart
        taken from the cache."""
        if not self.text_apart:
            return self
        docs: dict[str, list[tuple[Place, SearchDoc]]] = {}
        for place, doc in self.search_docs:
            docs.setdefault(village_url(doc.url), []).append((place, doc))
        for url in (url for url in self.text_apart if url in docs):
            texts = saved_text(cache, self.villages.get(url), self.site_key)
            filled = docs_with_text([doc for _, doc in docs[url]], texts)
            docs[url] = [(place, doc) for (place, _), doc in zip(docs[url], filled, strict=True)]
        placed = tuple(entry for run in docs.values() for entry in run)
        return dataclasses.replace(self, search_docs=placed, text_apart=())

    @classmethod
    def read(cls, site: Path) -> ShardManifest:
        """Read a shard's manifest; a folder without one is not a shard."""
        path = site / SHARD_MANIFEST
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                Shard(*data["shard"]),
                data["site_url"],
                data["site_key"],
                tuple(data["pages"]),
                tuple(((d[0], d[1], d[2]), SearchDoc(*d[3:])) for d in data["search_docs"]),
                dict(data["villages"]),
                dict(data.get("stored", {})),
                tuple(data.get("text_apart", ())),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BuilderError(
                f"{site} 不是 sunlight build --shard 生成的分片。",
                f"{site} is not a shard written by sunlight build --shard ({exc}).",
            ) from None


def merge_shards(
    parts: Sequence[Path],
    dest: Path,
    cache: BuildCache | None = None,
    manifests: Sequence[ShardManifest] | None = None,
) -> list[ShardManifest]:
    """Join partial sites into dest (moving their files); return their manifests (as given,
    in the parts' order, else read from each part). With a cache, each village's part of the
    search index is taken from it where it is kept (see assembled_postings)."""
    if manifests is None:
        manifests = [ShardManifest.read(part) for part in parts]
    manifests = list(manifests)
    counts = {m.shard.count for m in manifests}
    indexes = sorted(m.shard.index for m in manifests)
    if len(counts) != 1 or indexes != list(range(1, len(parts) + 1)) or counts != {len(parts)}:
        found = ", ".join(f"{m.shard.index}/{m.shard.count}" for m in manifests)
        raise BuilderError(
            f"分片不完整或重复（{found}），需要 1/N 到 N/N 各一份。",
            f"The shards ({found}) are not exactly 1/N … N/N.",
        )
    if len({(m.site_url, m.site_key) for m in manifests}) != 1:
        raise BuilderError(
            "各分片不是由同一份记录和配置生成的。",
            "The shards were not built from the same records and configuration.",
        )
    first, *others = parts
    if dest.exists():
        _move_tree(first, dest)
    else:  # NOTE: one rename instead of one per file: the largest shard's files stay put
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(first, dest)
        (dest / SHARD_MANIFEST).unlink(missing_ok=True)
        for name in MERGED_FILES:
            (dest / name).unlink(missing_ok=True)
    for part in others:
        _move_tree(part, dest)
    finish_site(dest, manifests, cache)
    return manifests


def finish_site(
    site: Path, manifests: Sequence[ShardManifest], cache: BuildCache | None = None
) -> None:
    """Write what spans every shard: the search index and the sitemap."""
    pages = sorted({page for m in manifests for page in m.pages})
    # NOTE: in the county's order, as one process renders them: a village's documents stay
    # together (search scopes are id ranges) and postings of neighbours compress well.
    placed = sorted(
        {entry for m in manifests for entry in m.search_docs},
        key=lambda entry: (entry[0], entry[1].url, entry[1].title, entry[1].subtitle),
    )
    docs = [doc for _, doc in placed]
    write_sitemap(site, manifests[0].site_url, pages)
    stored = {url: key for m in manifests for url, key in m.stored.items()}
    apart = {url for m in manifests for url in m.text_apart}
    signatures = {url: sig for m in manifests for url, sig in m.villages.items()}

    def text_of(url: str) -> object:
        return saved_text(cache, signatures.get(url), manifests[0].site_key)

    postings = assembled_postings(placed, cache, stored, apart, text_of)
    build_search_index(docs, site / "search", postings=postings, site=site)


def assembled_postings(
    placed: Sequence[tuple[Place, SearchDoc]],
    cache: BuildCache | None,
    stored: Mapping[str, str] | None = None,
    apart: Collection[str] = (),
    text_of: Callable[[str], object] = lambda url: None,
) -> dict[str, array[int]]:
    """The search postings of every document, assembled from each village's own (the same
    as computing them at once): from the cache by the village's text, or in two processes.
    stored: village URL -> the key of its folder in the store (ShardManifest.stored);
    apart: URLs of villages whose documents came without their text (ShardManifest.text_apart),
    which text_of(url) gives (the cache's list of texts, in order) when their postings must
    be made again."""
    stored = stored or {}
    runs: list[list[SearchDoc]] = []
    keys: list[str] = []
    textless: set[int] = set()  # NOTE: never the postings of documents without their text
    for (_, village), entries in itertools.groupby(placed, key=lambda entry: entry[0][:2]):
        docs = [doc for _, doc in entries]
        url = village_url(docs[0].url) if village >= 0 else ""
        if url in apart:
            if url not in stored:  # no key but their text's
                docs = docs_with_text(docs, text_of(url))
            else:
                textless.add(len(runs))
        runs.append(docs)
        keys.append(postings_key(docs, stored if village >= 0 else {}))
    found: list[object] = [cache.load("search", key) if cache else None for key in keys]
    todo = [i for i, hit in enumerate(found) if not isinstance(hit, tuple)]
    for i in todo:
        if i in textless:
            runs[i] = docs_with_text(runs[i], text_of(village_url(runs[i][0].url)))
    for i, fresh in zip(todo, parallel_map(packed_postings, [runs[i] for i in todo]), strict=True):
        found[i] = fresh
        if cache is not None:
            cache.save("search", keys[i], fresh)
    parts = [part for part in found if isinstance(part, tuple)]
    return joined_postings([len(run) for run in runs], parts)


def joined_postings(sizes: Sequence[int], parts: Sequence[PackedPostings]) -> dict[str, array[int]]:
    """The postings of runs of documents one after another (sizes: each run's number of
    documents), from each run's own: a gram's ids run after run, each run's shifted by the
    documents before it.

    Every id is placed by numpy at once: where its gram's postings start, and how many of
    its gram's ids the runs before it hold. A county's runs hold a million (gram, run)
    pairs and 12 million ids; copying each pair's ids in Python took 2 s of every build."""
    vocabulary, grams_of = _gram_numbers([part[0] for part in parts])
    unit = np.dtype(f"i{array('i').itemsize}")
    totals = np.zeros(len(vocabulary), dtype=np.int64)
    for grams, part in zip(grams_of, parts, strict=True):
        totals[grams] += np.frombuffer(part[1], dtype=f"i{part[1].itemsize}")
    starts = np.cumsum(totals) - totals
    filled = starts.copy()
    every = np.empty(int(totals.sum()), dtype=unit)
    offset = 0
    for size, grams, part in zip(sizes, grams_of, parts, strict=True):
        counts = np.frombuffer(part[1], dtype=f"i{part[1].itemsize}").astype(np.int64)
        ids = np.frombuffer(part[2], dtype=f"i{part[2].itemsize}")
        first = np.cumsum(counts) - counts  # where each gram's ids start in the run's
        every[np.repeat(filled[grams] - first, counts) + np.arange(ids.size)] = ids + offset
        filled[grams] += counts
        offset += size
    data = memoryview(every.tobytes())
    postings: dict[str, array[int]] = {}
    width = unit.itemsize
    for index, gram in enumerate(vocabulary):
        posting = postings[gram] = array("i")
        posting.frombytes(data[int(starts[index]) * width : int(filled[index]) * width])
    return postings


def _gram_numbers(texts: Sequence[str]) -> tuple[list[str], list[npt.NDArray[np.intp]]]:
    """Every gram of the runs' "\\0"-joined grams, once, and each run's grams as numbers into
    that list: by numpy where every gram is two characters (as packed_postings writes them)."""
    codes = [np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) for text in texts]
    if codes and all(c.size % 3 == 2 and not c[2::3].any() for c in codes if c.size):
        pairs = [(c[0::3].astype(np.int64) << 21) | c[1::3] for c in codes]
        every, numbers = np.unique(np.concatenate(pairs), return_inverse=True)
        grams = [chr(pair >> 21) + chr(pair & 0x1FFFFF) for pair in every.tolist()]
        bounds = np.cumsum([p.size for p in pairs])[:-1]
        return grams, list(np.split(numbers.astype(np.intp).ravel(), bounds))
    vocabulary: dict[str, int] = {}  # NOTE: not written by packed_postings: one by one
    found = [
        np.array(
            [vocabulary.setdefault(g, len(vocabulary)) for g in text.split("\0") if text],
            dtype=np.intp,
        )
        for text in texts
    ]
    return list(vocabulary), found


def village_url(url: str) -> str:
    """The URL of the village a page is of ("" for the county's and a town's own pages)."""
    parts = url.split("/")
    return "/".join(parts[:2]) + "/" if len(parts) > 2 else ""


def saved_text(cache: BuildCache | None, signature: str | None, site_key: str) -> object:
    """The text of a village's search documents as the cache keeps it apart (TEXT_KIND), by
    the signature its pages were rendered from: a list of str, else what stands in its
    place (docs_with_text judges it)."""
    if cache is None or not signature:
        return None
    return cache.load(TEXT_KIND, render_key(signature, site_key))


def docs_with_text(docs: list[SearchDoc], texts: object) -> list[SearchDoc]:
    """A village's documents with their text from the cache (kind TEXT_KIND); a missing or
    damaged entry stops the build, which would otherwise index them without it."""
    if not docs:
        return docs
    if not (
        isinstance(texts, list)
        and len(texts) == len(docs)
        and all(isinstance(text, str) for text in texts)
    ):
        raise BuilderError(
            f"生成缓存不完整（{village_url(docs[0].url)} 的搜索文字缺失），网站没有生成，"
            "原有网站保持不变。请运行 sunlight build --no-cache。",
            f"The build cache is incomplete (the search text of {village_url(docs[0].url)} "
            "is missing); the site was not built and the previous site is unchanged. "
            "Run sunlight build --no-cache.",
        )
    return [dataclasses.replace(doc, text=text) for doc, text in zip(docs, texts, strict=True)]


def render_key(signature: str, key: str) -> str:
    """The build cache's key of what a village with this signature rendered on a site whose
    own key (SunlightPlugin.site_key) is key."""
    return hashlib.sha256(f"{signature}\0{key}".encode()).hexdigest()


def postings_key(docs: Sequence[SearchDoc], stored: Mapping[str, str]) -> str:
    """The cache key of the postings of one village's documents (or the county's, or a
    town's): by the village folder's key in the store when it has one, since its documents
    are rendered from what its pages are; else by their text (hashing a county's 35 million
    characters of it was half a second of every rebuild's merge)."""
    folder = stored.get(village_url(docs[0].url)) if docs else None
    if folder is not None:
        return hashlib.sha256(f"{folder}\0search".encode()).hexdigest()
    text = [[d.url, d.title, d.subtitle, d.text] for d in docs]
    return hashlib.sha256(json.dumps(text, ensure_ascii=False).encode()).hexdigest()


def _move_tree(src: Path, dest: Path) -> None:
    """Move every file of src into dest; a file already there must have the same bytes.
    A folder (or a link to one) that dest lacks moves whole, in one rename."""
    for folder, dirs, names in os.walk(src):
        rel = Path(folder).relative_to(src)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in sorted(dirs):
            source, target = Path(folder) / name, dest / rel / name
            if not os.path.lexists(target):
                os.rename(source, target)
            elif source.is_symlink() or target.is_symlink():
                raise BuilderError(
                    f"两个分片都生成了 {rel / name}。",
                    f"Two shards both wrote {rel / name}.",
                )
        dirs[:] = sorted(name for name in dirs if (Path(folder) / name).is_dir())
        for name in sorted(names):
            if rel == Path(".") and (name == SHARD_MANIFEST or name in MERGED_FILES):
                continue
            source, target = Path(folder) / name, dest / rel / name
            if target.exists():
                if target.read_bytes() != source.read_bytes():
                    raise BuilderError(
                        f"两个分片生成的 {rel / name} 不一致。",
                        f"Two shards wrote different versions of {rel / name}.",
                    )
                continue
            os.replace(source, target)
    shutil.rmtree(src, ignore_errors=True)


def write_sitemap(site: Path, site_url: str, pages: Sequence[str]) -> None:
    """sitemap.xml (and .gz) listing every page in a fixed order."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [f"<url><loc>{escape(site_url + url)}</loc></url>" for url in sorted(pages)]
    lines.append("</urlset>\n")
    data = "\n".join(lines).encode("utf-8")
    (site / "sitemap.xml").write_bytes(data)
    with (
        (site / "sitemap.xml.gz").open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz,
    ):
        gz.write(data)
