"""A site built in shards and merged is byte for byte the site one machine builds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_golden import git
from test_site import tree_digest

from builder.cli import cli
from builder.errors import BuilderError
from builder.pipeline.validate import validate
from builder.publish import build as build_module
from builder.publish import site as site_module
from builder.publish.build import build_site
from builder.publish.shards import SHARD_MANIFEST, Shard

try:
    from conftest import ROOT, make_project
except ImportError:  # tests/ became a package
    from tests.conftest import ROOT, make_project  # type: ignore[no-redef]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example county (villages/ and its publication log), committed on a fixed day."""
    project = make_project(tmp_path_factory.mktemp("shards") / "project", ROOT / "villages")
    shutil.copy(ROOT / "publication-log.jsonl", project / "publication-log.jsonl")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "records")
    return project


def sunlight(project: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_three_shards_merge_into_the_one_machine_site(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = sunlight(
        example, "build", "--no-cache", "--site-dir", "one", monkeypatch=monkeypatch
    )
    assert code == 0, out
    for k in (1, 2, 3):
        code, out = sunlight(
            example,
            "build",
            "--shard",
            f"{k}/3",
            "--site-dir",
            f"parts/{k}",
            monkeypatch=monkeypatch,
        )
        assert code == 0, out
        assert (example / f"parts/{k}" / SHARD_MANIFEST).is_file()
    # each shard holds only its villages' pages (every third village, in code order)
    part_pages = [set(tree_digest(example / f"parts/{k}")) for k in (1, 2, 3)]
    village_pages = {p for p in tree_digest(example / "one") if p.count("/") >= 3}
    for pages in part_pages:
        assert 0 < len(pages & village_pages) < len(village_pages)
    # the county's downloads and feeds (the same in every shard) come from the first alone
    county_files = {p for p in part_pages[0] if p.startswith("data/") and "index.html" not in p} | {
        "feed.xml"
    }
    assert "data/datapackage.json" in county_files and "feed.xml" in part_pages[0]
    assert not county_files & (part_pages[1] | part_pages[2])
    assert "data/index.html" in part_pages[1]  # the pages links point at are in each
    code, out = sunlight(
        example,
        "merge",
        "parts/1",
        "parts/2",
        "parts/3",
        "--site-dir",
        "merged",
        monkeypatch=monkeypatch,
    )
    assert code == 0, out
    merged = tree_digest(example / "merged")
    assert SHARD_MANIFEST not in merged
    assert merged == tree_digest(example / "one")


def test_two_processes_build_the_one_process_site(example: Path, tmp_path: Path) -> None:
    result = validate(example / "villages", example)
    build_site(example / "mkdocs.yml", tmp_path / "one", preloaded=result, shards=1)
    build_site(example / "mkdocs.yml", tmp_path / "two", preloaded=result, shards=2)
    assert tree_digest(tmp_path / "two") == tree_digest(tmp_path / "one")


def test_a_shard_makes_its_static_files_itself_as_its_worker_would(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every core has a shard already, a shard makes its QR codes, print sheets, charts
    and downloads in its own process instead of a forked worker: the same bytes."""
    result = validate(example / "villages", example)
    started: list[int] = []
    real = site_module.start_worker

    def spied(*args: object, **kwargs: object) -> object:
        started.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(site_module, "start_worker", spied)
    monkeypatch.setattr(build_module, "file_worker_wanted", lambda shards: True)
    build_site(example / "mkdocs.yml", tmp_path / "worker", preloaded=result, shards=1)
    assert started == [1]
    monkeypatch.setattr(build_module, "file_worker_wanted", lambda shards: False)
    build_site(example / "mkdocs.yml", tmp_path / "here", preloaded=result, shards=1)
    assert started == [1]  # no worker the second time
    here = tree_digest(tmp_path / "here")
    assert any(path.endswith("print/index.html") for path in here)
    assert here == tree_digest(tmp_path / "worker")


def test_the_pages_are_rendered_with_the_collector_paused(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the pages are made of lasts until MkDocs writes them: no collection walks it while
    it grows; the collector is on again after."""
    import gc

    from builder.publish.render import Renderer

    seen: list[bool] = []
    real = Renderer.render

    def watched(self: Renderer) -> object:
        seen.append(gc.isenabled())
        return real(self)

    monkeypatch.setattr(Renderer, "render", watched)
    result = validate(example / "villages", example)
    assert gc.isenabled()
    build_site(example / "mkdocs.yml", tmp_path / "site", preloaded=result, shards=1)
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("cores", "shards", "wanted"),
    [(1, 1, False), (2, 1, True), (2, 2, False), (4, 2, True), (4, 3, False), (None, 1, False)],
)
def test_a_file_worker_only_where_a_core_is_free_for_it(
    cores: int | None, shards: int, wanted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module.os, "cpu_count", lambda: cores)
    assert build_module.file_worker_wanted(shards) is wanted


def test_the_county_s_downloads_fail_and_the_old_site_stays(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The county's download folder is made beside the merge, in a process of its own: when
    it fails, nothing is published."""
    result = validate(example / "villages", example)
    build_site(example / "mkdocs.yml", tmp_path / "site", preloaded=result, shards=1)
    before = tree_digest(tmp_path / "site")
    assert "data/ledger.csv" in before

    def broken(*args: object) -> dict[str, bytes]:
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "county_downloads", broken)
    with pytest.raises(BuilderError, match="county's downloads"):
        build_site(example / "mkdocs.yml", tmp_path / "site", preloaded=result, shards=2)
    assert tree_digest(tmp_path / "site") == before


def test_merge_refuses_a_missing_shard_and_keeps_the_old_site(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k in (1, 2):
        code, out = sunlight(
            example,
            "build",
            "--shard",
            f"{k}/3",
            "--site-dir",
            f"some/{k}",
            monkeypatch=monkeypatch,
        )
        assert code == 0, out
    (example / "kept").mkdir()
    (example / "kept/index.html").write_text("old", encoding="utf-8")
    code, out = sunlight(
        example, "merge", "some/1", "some/2", "--site-dir", "kept", monkeypatch=monkeypatch
    )
    assert code == 1
    assert "1/N" in out
    assert (example / "kept/index.html").read_text(encoding="utf-8") == "old"


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2"])
def test_a_bad_shard_is_a_usage_error(
    text: str, example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = sunlight(example, "build", "--shard", text, monkeypatch=monkeypatch)
    assert code == 2
    assert "K/N" in out
    with pytest.raises(ValueError):
        Shard.parse(text)


def test_shards_split_villages_round_robin() -> None:
    assert [p for p in range(7) if Shard(2, 3).holds(p)] == [1, 4]
    assert all(Shard(1, 1).holds(p) for p in range(7))


def test_linked_village_folders_leave_the_machine_as_files(example: Path, tmp_path: Path) -> None:
    """A cached build links each village's folder to its stored copy (.build/villages/); two
    such shards merged (what CI uploads) hold real files, the same bytes as a plain build."""
    import os

    from builder.pipeline.cache import BuildCache
    from builder.publish.build import build_shard, merge_site

    result = validate(example / "villages", example)
    build_site(example / "mkdocs.yml", tmp_path / "plain", preloaded=result, shards=1)
    cache = BuildCache(tmp_path / ".build" / "cache")
    build_site(example / "mkdocs.yml", tmp_path / "site", preloaded=result, cache=cache, shards=2)
    linked = [p for p in (tmp_path / "site").glob("*/*") if p.is_symlink()]
    assert linked and all(".build/villages/" in os.readlink(p) for p in linked)
    assert tree_digest(tmp_path / "site") == tree_digest(tmp_path / "plain")
    for k in (1, 2):  # shards built against the store, as a local build makes them
        build_shard(
            example / "mkdocs.yml",
            tmp_path / f"part-{k}",
            Shard(k, 2),
            result,
            True,
            cache,
            tmp_path / "site",
        )
    assert any(p.is_symlink() for p in (tmp_path / "part-2").glob("*/*"))
    merge_site([tmp_path / "part-1", tmp_path / "part-2"], tmp_path / "merged")
    merged = (tmp_path / "merged").resolve()
    assert [
        name
        for folder, dirs, names in os.walk(merged)
        for name in dirs + names
        if os.path.islink(os.path.join(folder, name))
    ] == []
    assert tree_digest(merged) == tree_digest(tmp_path / "plain")


def test_search_postings_assemble_from_each_village_s(tmp_path: Path) -> None:
    """The index's postings joined from each village's run of documents (cached by their
    text) are the postings of all the documents at once."""
    from builder.pipeline.cache import BuildCache
    from builder.publish.search import SearchDoc, doc_postings
    from builder.publish.shards import assembled_postings

    placed = [((-1, -1, 0), SearchDoc("", "县", "首页", "城关 东山"))]
    for v in range(3):
        placed += [
            ((0, v, n), SearchDoc(f"t/v{v}/{n}/", f"村{v}", "城关", f"管理费用 {v}{n} 低保金"))
            for n in range(4)
        ]
    docs = [doc for _, doc in placed]
    whole = {gram: list(ids) for gram, ids in doc_postings(docs).items()}
    cache = BuildCache(tmp_path / "cache")
    for _ in range(2):  # computed, then from the cache
        joined = assembled_postings(placed, cache)
        assert {gram: list(ids) for gram, ids in joined.items()} == whole
    assert len(list((tmp_path / "cache/search").glob("*/*.pickle"))) == 4
    assert whole["低保"] == list(range(1, 13))


def test_search_postings_of_a_stored_village_are_kept_by_its_folder_s_key(
    tmp_path: Path,
) -> None:
    """With the store's keys of the villages' folders (ShardManifest.stored), a village's
    postings are cached by that key, not by hashing its text; a village whose folder key
    changed gets its new documents' postings, never the old ones."""
    from builder.pipeline.cache import BuildCache
    from builder.publish.search import SearchDoc, doc_postings
    from builder.publish.shards import assembled_postings, postings_key

    def county(words: str) -> list[tuple[tuple[int, int, int], SearchDoc]]:
        placed = [((-1, -1, 0), SearchDoc("", "县", "首页", "城关 东山"))]
        for v in range(3):
            text = words if v == 1 else f"管理费用 {v} 低保金"
            placed += [
                ((0, v, n), SearchDoc(f"t/v{v}/{n}/", f"村{v}", "城关", f"{text} {n}"))
                for n in range(4)
            ]
        return placed

    def postings(placed: list[tuple[tuple[int, int, int], SearchDoc]]) -> dict[str, list[int]]:
        return {gram: list(ids) for gram, ids in doc_postings([d for _, d in placed]).items()}

    cache = BuildCache(tmp_path / "cache")
    stored = {"t/v0/": "a" * 64, "t/v1/": "b" * 64, "t/v2/": "c" * 64}
    before = county("修路工程")
    docs = [doc for place, doc in before if place[1] == 1]
    assert postings_key(docs, stored) != postings_key(docs, {})  # by the folder, not the text
    for _ in range(2):  # computed, then from the cache
        joined = assembled_postings(before, cache, stored)
        assert {gram: list(ids) for gram, ids in joined.items()} == postings(before)
    assert len(list((tmp_path / "cache/search").glob("*/*.pickle"))) == 4
    assert postings(before)["修路"] == [5, 6, 7, 8]
    after = county("水渠维修")  # village 1 re-rendered: a new folder key
    joined = assembled_postings(after, cache, {**stored, "t/v1/": "d" * 64})
    assert {gram: list(ids) for gram, ids in joined.items()} == postings(after)
    assert "修路" not in joined and list(joined["水渠"]) == [5, 6, 7, 8]


@pytest.mark.parametrize("width", [2, 3], ids=["bigrams", "longer grams"])
def test_joined_postings_place_each_run_s_ids_after_the_runs_before(width: int) -> None:
    """Runs' postings joined (numpy's path for bigrams, one by one for other grams): each
    gram's ids run after run, shifted by the documents of the runs before; a run without a
    gram, or without any, leaves the others' ids as they are."""
    from array import array

    from builder.publish.shards import joined_postings

    def part(postings: dict[str, list[int]]) -> tuple[str, array[int], array[int]]:
        grams = sorted(postings)
        ids = [i for gram in grams for i in postings[gram]]
        return "\0".join(grams), array("i", [len(postings[g]) for g in grams]), array("i", ids)

    a, b, c = ("低保" + "金")[:width], "村务"[:width], "合同"[:width]
    parts = [part({a: [0, 2], b: [1]}), part({}), part({b: [0], c: [0, 1]}), part({a: [1]})]
    joined = joined_postings([3, 4, 2, 5], parts)
    assert {gram: list(ids) for gram, ids in joined.items()} == {
        a: [0, 2, 10],
        b: [1, 7],
        c: [7, 8],
    }
