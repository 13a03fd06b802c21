"""Reusing unchanged work between builds gives exactly the site a build from nothing gives."""

from __future__ import annotations

import gc
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from test_site import tree_digest

from builder.model import Village
from builder.pipeline.cache import BuildCache
from builder.pipeline.validate import Result, VillageOutcome, validate
from builder.publish.build import build_site
from tools.bench import add_month


def build(project: Path, cache: BuildCache | None) -> Path:
    result = validate(project / "villages", project, cache=cache)
    assert result.county is not None, result.report.rows("path", "line", "code")
    build_site(project / "mkdocs.yml", project / "site", preloaded=result, cache=cache)
    return project / "site"


def test_validation_cache_gives_the_same_report(project: Path) -> None:
    cache = BuildCache(project / ".build" / "cache")
    ledger = project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace("记-002", "记-001"), encoding="utf-8"
    )
    first = validate(project / "villages", project, cache=cache).report.rows("path", "line", "code")
    again = validate(project / "villages", project, cache=cache).report.rows("path", "line", "code")
    assert (
        first
        == again
        == [("villages/chengguan/dongshan/2026-10/ledger.csv", 3, "duplicate-voucher")]
    )
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace(",记-001,代发", ",记-002,代发"), encoding="utf-8"
    )
    assert validate(project / "villages", project, cache=cache).report.rows("code") == []


def test_an_edit_with_its_size_and_mtime_kept_is_checked_again(project: Path) -> None:
    """A record edited to the same size, its mtime set back as it was (touch -d), is read
    again: the cached outcome of the unedited file is not taken for it."""
    import os

    cache = BuildCache(project / ".build" / "cache")
    assert not validate(project / "villages", project, cache=cache).report.errors
    ledger = project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    before = ledger.stat()
    text = ledger.read_text(encoding="utf-8")
    assert text.count("199.50") == 1
    ledger.write_text(text.replace("199.50", "919.50"), encoding="utf-8")
    os.utime(ledger, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = ledger.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    cache.used.clear()  # a new process, as every `sunlight check` is
    report = validate(project / "villages", project, cache=cache).report
    assert report.errors == 1
    assert [p.code for p in report.problems] == ["balance-mismatch"]


def test_incremental_build_equals_a_build_from_nothing(project: Path, tmp_path: Path) -> None:
    cache = BuildCache(project / ".build" / "cache")
    site = build(project, cache)
    unchanged = site / "chengguan/xiwan/2026-09/index.html"
    inode = unchanged.stat().st_ino
    add_month(project / "villages/chengguan/dongshan")
    cache.used.clear()  # a new process, as every `sunlight build` is
    site = build(project, cache)
    assert (site / "chengguan/dongshan/2026-11/index.html").is_file()
    assert unchanged.stat().st_ino == inode, "an unchanged village's page was reused"
    # the county's downloads keep one part per village: the changed village's old part is gone
    parts = list((cache.root / "downloads").glob("*/*.pickle"))
    assert len(parts) == sum(1 for _ in (project / "villages").glob("*/*/village.yml"))
    incremental = tree_digest(site)

    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".site-*", ".build"))
    assert tree_digest(build(fresh, None)) == incremental


def test_a_rebuild_reads_no_reused_village_s_search_text_yet_indexes_it(
    project: Path, tmp_path: Path
) -> None:
    """A reused village's search documents reach the merge without their text (the cache
    keeps it apart); where its postings are gone from the cache, the merge takes the text
    from there, and with that gone too the build stops and the site stays as it was."""
    from builder.errors import BuilderError

    cache = BuildCache(project / ".build" / "cache")
    build(project, cache)
    assert list((cache.root / "search-text").glob("*/*.pickle"))
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("site", ".site-*", ".build"))
    from_nothing = tree_digest(build(fresh, None))

    shutil.rmtree(cache.root / "search")  # every village's postings made again, from the text
    cache.used.clear()
    assert tree_digest(build(project, cache)) == from_nothing

    before = tree_digest(project / "site")
    shutil.rmtree(cache.root / "search")
    shutil.rmtree(cache.root / "search-text")
    cache.used.clear()
    with pytest.raises(BuilderError, match="sunlight build --no-cache"):
        build(project, cache)
    assert tree_digest(project / "site") == before


def test_a_change_of_template_context_rebuilds_everything(project: Path) -> None:
    cache = BuildCache(project / ".build" / "cache")
    site = build(project, cache)
    page = site / "chengguan/xiwan/2026-09/index.html"
    town = project / "villages/chengguan/town.yml"
    town.write_text(
        town.read_text(encoding="utf-8").replace("城关镇纪委", "城关镇纪委监督室"), encoding="utf-8"
    )
    inode = page.stat().st_ino
    build(project, cache)
    assert page.stat().st_ino != inode  # the town's contacts show on its villages' pages


def test_parallel_check_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two forked processes check a large county exactly as one process does."""
    from tools.demo import generate_county

    generate_county(tmp_path / "villages", towns=2, villages_per_town=6, months=3)
    ledger = sorted((tmp_path / "villages").glob("town-02/*/*/ledger.csv"))[0]
    ledger.write_text(ledger.read_text(encoding="utf-8").replace(".", ",", 1), encoding="utf-8")
    monkeypatch.setattr("builder.pipeline.workers.PARALLEL_FROM", 10**6)
    one = validate(tmp_path / "villages", tmp_path)
    monkeypatch.setattr("builder.pipeline.workers.PARALLEL_FROM", 2)
    cache = BuildCache(tmp_path / ".build")
    two = validate(tmp_path / "villages", tmp_path, cache=cache)
    assert one.report.rows("path", "line", "field", "code") != []
    assert two.report.rows("path", "line", "field", "code") == one.report.rows(
        "path", "line", "field", "code"
    )

    def unsigned(result: Result) -> list[tuple[Village, ...]]:
        return [tuple(replace(v, signature="") for v in t.villages) for t in result.towns]

    assert unsigned(two) == unsigned(one)
    assert sum(len(t) for t in unsigned(two)) == 11  # the twelfth village has an error
    assert len(cache.used) == 12  # every village's entry, so prune keeps them all
    # the workers stored them (each its own villages'): all twelve are there to reuse
    assert len(list((tmp_path / ".build" / "villages").glob("*/*.pickle"))) == 12


def test_flags_judged_by_two_processes_reach_the_parent_and_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the date given, each worker judges its villages' flags and sends its stored bytes
    on: the parent's county and flags are one process's, and the cache holds each outcome
    (without flags) and each village's flags apart, as the next run finds them."""
    import datetime as dt

    from tools.demo import generate_county

    generate_county(tmp_path / "villages", towns=2, villages_per_town=6, months=3)
    day = dt.date(2027, 3, 1)  # past the months' deadlines: dated flags too
    monkeypatch.setattr("builder.pipeline.workers.PARALLEL_FROM", 10**6)
    one = validate(tmp_path / "villages", tmp_path, today=day)
    monkeypatch.setattr("builder.pipeline.workers.PARALLEL_FROM", 2)
    cache = BuildCache(tmp_path / ".build")
    two = validate(tmp_path / "villages", tmp_path, today=day, cache=cache)
    again = validate(tmp_path / "villages", tmp_path, today=day, cache=cache)
    assert one.county is not None and two.county is not None and again.county is not None
    assert one.county.flags and two.county.flags == one.county.flags == again.county.flags
    assert two.county == again.county
    stored = [cache.load("villages", v.signature) for t in two.towns for v in t.villages]
    assert len(stored) == 12 and all(isinstance(o, VillageOutcome) for o in stored)
    assert all(o.flags is None and o.village is not None for o in stored)
    assert len(list((tmp_path / ".build" / "flags").glob("*/*.pickle"))) == 12


def test_a_commit_on_a_later_day_reuses_every_village(project: Path) -> None:
    """Only the home page shows the day of the last commit: a new day's commit (a draft, a
    hand-written page's neighbour, anything the villages' pages do not show) keeps every
    village's stored pages, and the home page moves with the day."""
    from test_audit import git

    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "records", date="2026-11-22T10:00:00+08:00")
    cache = BuildCache(project / ".build" / "cache")
    site = build(project, cache)
    page = site / "chengguan/xiwan/2026-09/index.html"
    inode = page.stat().st_ino
    assert "数据更新于 2026-11-22" in (site / "index.html").read_text(encoding="utf-8")
    git(
        project, "commit", "-q", "--allow-empty", "-m", "next day", date="2026-11-23T10:00:00+08:00"
    )
    cache.used.clear()
    site = build(project, cache)
    assert "数据更新于 2026-11-23" in (site / "index.html").read_text(encoding="utf-8")
    assert page.stat().st_ino == inode, "a village's stored pages were rendered again"


def test_a_rebuild_of_few_changed_villages_takes_one_shard(tmp_path: Path) -> None:
    """Two local shards for a large county, but one when the remembered site was built from the
    same inputs and fewer than PARALLEL_SHARDS_FROM villages changed since (the others' folders
    are reused: a second shard would only repeat the county's pages)."""
    import os

    from builder.publish import build as publish_build
    from tools.demo import generate_county

    if (os.cpu_count() or 1) < 2 or not publish_build.PARALLEL:
        pytest.skip("one core: always one shard")
    generate_county(tmp_path / "villages", towns=3, villages_per_town=15, months=1)
    result = validate(tmp_path / "villages", tmp_path)
    assert result.county is not None
    villages = list(result.county.villages())
    cache = BuildCache(tmp_path / ".build" / "cache")
    count = publish_build.local_shard_count
    assert count(result, cache, "inputs") == 2  # nothing remembered
    signatures = {v.url: v.signature for v in villages}
    cache.write_manifest({"inputs": "inputs", "villages": signatures})
    assert count(result, cache, "inputs") == 1
    assert count(result, cache, "other inputs") == 2  # theme, content or log changed
    few = dict(list(signatures.items())[: len(villages) - 39])  # 39 villages changed
    cache.write_manifest({"inputs": "inputs", "villages": few})
    assert count(result, cache, "inputs") == 1
    fewer = dict(list(signatures.items())[: len(villages) - 40])  # 40 changed
    cache.write_manifest({"inputs": "inputs", "villages": fewer})
    assert count(result, cache, "inputs") == 2
    config = tmp_path / "mkdocs.yml"
    shutil.copy(Path(__file__).resolve().parent.parent / "mkdocs.yml", config)
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "about.md").write_text("# 使用说明\n", encoding="utf-8")
    before = publish_build.build_inputs(config)
    (tmp_path / "content" / "about.md").write_text("# 使用说明。\n", encoding="utf-8")
    assert publish_build.build_inputs(config) != before  # a hand-written page is an input


def _odd_square(n: int) -> int:
    if n == 41:
        raise ValueError("the forked half fails")
    return n * n


@pytest.mark.parametrize("count", [3, 40, 41])
def test_split_map_gives_every_result_in_order(count: int) -> None:
    """40 items or more: every other one in a forked process (which reads them through the
    fork), and the results interleaved back in the items' order."""
    from builder.pipeline.workers import split_map

    items = list(range(count))
    assert split_map(_odd_square, items) == [n * n for n in items]


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


@pytest.mark.parametrize("count", [39, 40, 64, 65, 1000])
def test_parallel_map_gives_every_result_in_order_from_both_workers(count: int) -> None:
    """However the items are cut into chunks (many small ones, so that the workers end
    together), each result comes back once, in the items' order; from 40 items, from the
    two worker processes, not this one."""
    from builder.pipeline.workers import parallel_map

    made = parallel_map(_square_and_pid, list(range(count)))
    assert [square for square, _ in made] == [n * n for n in range(count)]
    pids = {pid for _, pid in made}
    if count >= 40 and (os.cpu_count() or 1) >= 2:
        assert os.getpid() not in pids and len(pids) <= 2
    else:
        assert pids == {os.getpid()}


def _frozen(_: int) -> int:
    return gc.get_freeze_count()


def test_parallel_map_s_workers_leave_what_they_inherit_to_the_parent() -> None:
    """A worker's full collections would walk every object it inherited (copying the parent's
    memory page by page): it freezes them first, and collects what it makes itself."""
    from builder.pipeline.workers import parallel_map

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no workers")
    gc.unfreeze()  # whatever an earlier test froze here: the workers must freeze it themselves
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert all(frozen > 0 for frozen in parallel_map(_frozen, list(range(40))))
    assert gc.get_freeze_count() == 0  # the parent's own objects are not frozen


def test_split_map_stops_when_the_forked_half_fails() -> None:
    from builder.pipeline.workers import split_map

    with pytest.raises(RuntimeError, match="forked process failed"):
        split_map(_odd_square, list(range(44)))  # 41 is odd: the forked half's
