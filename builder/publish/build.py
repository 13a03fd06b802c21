"""A safe build around MkDocs: check, build the site's shards (in processes when worth it),
merge them, and switch the result in only when every step succeeded; and the clerk's preview.
Dates come from the last commit, never the clock."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.exceptions import Abort, PluginError

from builder import model
from builder.errors import BuilderError
from builder.pipeline.cache import BuildCache, unpickled
from builder.pipeline.validate import Result
from builder.pipeline.workers import die_with_parent
from builder.publish.compress import COMPRESSED, StagingWriter
from builder.publish.folders import (
    VillageStore,
    absolute,
    clear_leftovers,
    materialize,
    publish_version,
    swap_in,
)
from builder.publish.opendata import COUNTS_KIND, PART_KIND, county_downloads
from builder.publish.render import TEMPLATES_DIR
from builder.publish.shards import TEXT_KIND, Shard, ShardManifest, merge_shards, render_key
from builder.publish.site import PARALLEL, SunlightPlugin, log, site_inputs
from builder.read.git import last_commit_time

# NOTE: below this many villages, a second MkDocs process costs more than it saves.
PARALLEL_SHARDS_FROM = 40


def build_site(
    config_file: Path,
    site_dir: Path,
    *,
    preloaded: Result | None = None,
    strict: bool = True,
    cache: BuildCache | None = None,
    shards: int | None = None,
) -> None:
    """Build into a staging folder beside site_dir; swap it in only when all went well.

    The site is built as shards (two processes for a large county on two cores, else one),
    then merged: the same path whatever the number of shards.
    """
    site_dir = absolute(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(site_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-staging-", dir=site_dir.parent))
    inputs = build_inputs(config_file)
    try:
        count = shards or local_shard_count(preloaded, cache, inputs)
        parts = [staging / f"shard-{k}" for k in range(1, count + 1)]
        # NOTE: without a cache, the shards still keep their villages' download parts, which
        # the county's downloads join: a folder of the staging one, gone with it
        shared = BuildCache(staging / "shared") if cache is None else None
        # the county's download folder is made here, while the shards are merged, when the
        # county is known before they are built (see CountyDownloads)
        county = preloaded.county if preloaded is not None else None
        jobs = [
            (config_file, part, Shard(k, count), preloaded, strict, cache, site_dir, shared)
            for k, part in enumerate(parts, start=1)
        ]
        handovers = [part.with_name(f"{part.name}.manifest") for part in parts]
        file_worker = file_worker_wanted(count)
        if count == 1:
            build_shard(
                *jobs[0],
                county_downloads=county is None,
                handover=handovers[0],
                file_worker=file_worker,
            )
        else:
            run_in_processes(
                jobs, handovers, county_downloads=county is None, file_worker=file_worker
            )
        downloads = None
        if county is not None:
            downloads = CountyDownloads(county, cache or shared, staging / "downloads")
        merged = staging / "site"
        try:
            handed = [handed_over(path) for path in handovers]
            manifests = merge_shards(parts, merged, cache, handed)
            if downloads is not None:
                downloads.place(merged)
        finally:
            if downloads is not None:
                downloads.stop()
        publish_version(merged, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if cache is not None:
        remember_site(cache, manifests, inputs)


def local_shard_count(
    preloaded: Result | None, cache: BuildCache | None = None, inputs: str = ""
) -> int:
    """Two shards when a second core and a large county make it worth it, else one: also one
    when the site the cache remembers was built from the same inputs and few of the villages
    changed since (their folders are reused; a second shard would only render the county's
    pages again, and its manifest and files be merged)."""
    if preloaded is None or preloaded.county is None:
        return 1
    villages = list(preloaded.county.villages())
    cores = min(2, os.cpu_count() or 1)
    if cores < 2 or len(villages) < PARALLEL_SHARDS_FROM or not PARALLEL:
        return 1
    if cache is not None and inputs:
        last = cache.read_manifest()
        known = set(last.get("villages", {}).values()) if last.get("inputs") == inputs else set()
        if known and sum(v.signature not in known for v in villages) < PARALLEL_SHARDS_FROM:
            return 1
    return cores


def file_worker_wanted(shards: int) -> bool:
    """Whether each of this many shards built side by side makes its static files in a worker
    of its own while MkDocs renders its pages: only when a core is free for each worker.
    NOTE: on two cores with two shards, the two workers made four processes for two cores:
    each fork shared its shard's 1.8 GB, which both then wrote to (the kernel copying it page
    by page), for no core gained. Four pairs of 600-village builds in turn took 1.4-6.3 s
    longer with the workers (2.4-13 CPU-s; system time 10.8-22.3 s against 9.2-9.8 s)."""
    return 2 * shards <= (os.cpu_count() or 1)


def build_inputs(config_file: Path) -> str:
    """site.site_inputs before MkDocs reads the configuration: its docs_dir as mkdocs.yml
    writes it, the log beside it ("" when mkdocs.yml cannot be read: the build reports that,
    and no rebuild is judged from it)."""
    docs = docs_folder(config_file)
    if docs is None:
        return ""
    log_file = config_file.resolve().parent / "publication-log.jsonl"
    return site_inputs(config_file, docs, log_file if log_file.is_file() else None)


def docs_folder(config_file: Path) -> Path | None:
    """The folder of hand-written pages (docs_dir) as mkdocs.yml writes it, before MkDocs
    reads the configuration; None when mkdocs.yml cannot be read."""
    try:
        text = config_file.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r"(?m)^docs_dir:\s*['\"]?([^'\"#\s]+)", text)
    return config_file.resolve().parent / (found.group(1) if found else "docs")


ShardJob = tuple[Path, Path, Shard, Result | None, bool, BuildCache | None, Path, BuildCache | None]


def run_in_processes(
    jobs: list[ShardJob],
    handovers: list[Path],
    *,
    county_downloads: bool = True,
    file_worker: bool = True,
) -> None:
    """Build each shard in a forked process (they inherit the checked records unpickled),
    each leaving its manifest at its handover path; file_worker: see build_shard."""
    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    processes = [
        context.Process(
            target=_build_shard_process,
            args=(parent, *job),
            kwargs={
                "county_downloads": county_downloads,
                "handover": handover,
                "file_worker": file_worker,
            },
        )
        for job, handover in zip(jobs, handovers, strict=True)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [job[2] for job, process in zip(jobs, processes, strict=True) if process.exitcode]
    if failed:
        shards = ", ".join(f"{s.index}/{s.count}" for s in failed)
        raise BuilderError(
            f"分片 {shards} 生成失败，网站没有生成，原有网站保持不变。",
            f"Shard {shards} failed; the site was not built and the previous site is unchanged.",
        )


def _build_shard_process(parent: int, *job: Any, **options: Any) -> None:
    die_with_parent(parent)
    try:
        build_shard(*job, **options)
    except BuilderError as exc:
        log.error(str(exc))
        os._exit(1)
    except BaseException:
        log.exception("shard failed")
        os._exit(1)
    os._exit(0)


def build_shard(
    config_file: Path,
    dest: Path,
    shard: Shard,
    preloaded: Result | None = None,
    strict: bool = True,
    cache: BuildCache | None = None,
    site_dir: Path | None = None,
    shared: BuildCache | None = None,
    *,
    county_downloads: bool = True,
    handover: Path | None = None,
    file_worker: bool = True,
) -> None:
    """Build one shard's partial site into dest (which must not exist yet); with a cache and
    the site_dir it will be published as, its villages' folders are links into the store;
    shared: where a build without a cache keeps what its shards share; county_downloads
    False: the first shard leaves the county's download folder to the build around it;
    handover: where to leave the shard's manifest for it (handed_over), not in dest;
    file_worker False: the static files are made in the shard's own process (see
    file_worker_wanted), not in a worker forked beside MkDocs."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    base_dir = config_file.resolve().parent
    ts = last_commit_time(base_dir)
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if ts is not None:  # NOTE: MkDocs stamps its files (gzip headers) from this
        os.environ["SOURCE_DATE_EPOCH"] = str(ts)
    elif saved_epoch is None:
        os.environ["SOURCE_DATE_EPOCH"] = "0"
    cwd = Path.cwd()
    dest = dest.resolve()
    try:
        os.chdir(base_dir)
        config = load_config(str(config_file), strict=strict, site_dir=str(dest))
        plugin = config.plugins.get("sunlight")
        if isinstance(plugin, SunlightPlugin):
            plugin.preloaded, plugin.shard, plugin.partial = preloaded, shard, True
            plugin.cache, plugin.shared = cache, shared
            plugin.county_downloads, plugin.handover = county_downloads, handover
            plugin.file_worker = file_worker
            if cache is not None and site_dir is not None:
                plugin.store, plugin.site_dir = village_store(cache), site_dir
        build(config)
    except (Abort, PluginError) as exc:
        raise BuilderError(
            "网站没有生成，原有网站保持不变。",
            f"The site was not built ({exc}); the previous site is unchanged.",
        ) from None
    finally:
        os.chdir(cwd)
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch


def handed_over(path: Path) -> ShardManifest:
    """The manifest a shard built by build_site left at path (SunlightPlugin.handover)."""
    manifest = unpickled(path.read_bytes())
    assert isinstance(manifest, ShardManifest)
    return manifest


class CountyDownloads:
    """The county's download folder (300 MB at county scale), joined from its villages'
    parts, which the shards keep in the cache as they render, by a forked process while the
    shards are merged (in a shard, its worker made them last of its files, and the shard
    waited for them); then moved into the merged site."""

    def __init__(self, county: model.County, cache: BuildCache | None, folder: Path) -> None:
        self.folder = folder
        context = multiprocessing.get_context("fork")
        self.process: Any = context.Process(
            target=_write_county_downloads, args=(os.getpid(), county, cache, folder)
        )
        self.process.start()

    def place(self, site: Path) -> None:
        """Wait for the folder, then move its files into the site (over any file there)."""
        self.process.join()
        if self.process.exitcode != 0:
            raise BuilderError(
                "生成全县数据下载文件的进程失败，网站没有生成，原有网站保持不变。",
                f"The process making the county's downloads failed (exit "
                f"{self.process.exitcode}); the site was not built and the previous site is "
                "unchanged.",
            )
        for folder, _, names in os.walk(self.folder):
            target = site / Path(folder).relative_to(self.folder)
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                os.replace(Path(folder) / name, target / name)

    def stop(self) -> None:
        """Stop the process if it still runs (a build that failed before placing it)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


def _write_county_downloads(
    parent: int, county: model.County, cache: BuildCache | None, folder: Path
) -> None:
    die_with_parent(parent)
    try:
        files = county_downloads(county, cache)
        # NOTE: downloads get their copies whatever the plugin's precompress (compress.always_copied)
        writer = StagingWriter(folder, every=False)
        for rel, data in files.items():
            # NOTE: a CSV's and JSON's .gz is joined from the parts' own; the rest get theirs
            own = any(f"{rel}{suffix}" in files for suffix in COMPRESSED)
            writer.write(rel, data, copies=not own)
    except BaseException:
        log.exception("county downloads failed")
        os._exit(1)
    os._exit(0)


def build_partial(
    config_file: Path, dest: Path, shard: Shard, *, preloaded: Result | None = None
) -> None:
    """`sunlight build --shard K/N`: one shard's partial site into dest, for a later merge."""
    dest = dest.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-staging-", dir=dest.parent))
    try:
        build_shard(config_file, staging / "shard", shard, preloaded)
        swap_in(staging / "shard", dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def merge_site(parts: list[Path], site_dir: Path) -> None:
    """`sunlight merge`: join shards' partial sites (moving their files) into site_dir."""
    site_dir = absolute(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(site_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-staging-", dir=site_dir.parent))
    try:
        merge_shards(parts, staging / "site")
        materialize(staging / "site")  # NOTE: what CI uploads holds files, not links
        publish_version(staging / "site", site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def village_store(cache: BuildCache) -> VillageStore:
    """The store of rendered village folders, beside the cache (`.build/villages/`)."""
    return VillageStore(cache.root.parent / "villages")


def remember_site(cache: BuildCache, manifests: list[ShardManifest], inputs: str = "") -> None:
    """Record what the site now in place was built from, for the next build to reuse; keep
    the stored folders it and the version before it (still readable until the next build)
    link to."""
    key = manifests[0].site_key
    villages = {url: sig for m in manifests for url, sig in m.villages.items() if sig}
    for kind in ("rendered", TEXT_KIND):
        cache.used |= {f"{kind}/{render_key(sig, key)}" for sig in villages.values()}
        cache.prune(kind)
    cache.prune("search")
    for kind in (PART_KIND, COUNTS_KIND):  # loaded in the shards and their workers
        cache.used |= {f"{kind}/{sig}" for sig in villages.values()}
        cache.prune(kind)
    stored = sorted({k for m in manifests for k in m.stored.values()})
    previous = cache.read_manifest().get("stored", [])
    village_store(cache).prune({*stored, *previous})
    cache.write_manifest(
        {
            "site_key": key,
            "inputs": inputs,
            "villages": dict(sorted(villages.items())),
            "stored": stored,
        }
    )


def serve_site(config_file: Path, dev_addr: str, only: list[Path] | None = None) -> None:
    """Live preview for clerks: rebuilds on every change to records, templates or content;
    with `only` (village folders), just those villages and the county's own pages."""
    from mkdocs.commands.serve import serve

    overrides, watch = preview_options(config_file, only)
    serve(str(config_file), dev_addr=dev_addr, livereload=True, watch=watch, **overrides)


def preview_options(
    config_file: Path, only: list[Path] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """What a clerk's preview gives MkDocs' configuration (the sunlight plugin in preview
    mode, scoped to `only`), and the paths it watches for a save."""
    from mkdocs.utils.yaml import yaml_load

    base_dir = config_file.resolve().parent
    villages = base_dir / "villages"
    watch = [str(villages), str(TEMPLATES_DIR.resolve())]
    with config_file.open("rb") as f:
        raw = yaml_load(f) or {}
    # NOTE: a mapping, not a list: MkDocs empties a list's entries as it reads them, so every
    # rebuild after a save failed with "Invalid Plugins configuration"
    plugins: dict[str, Any] = {}
    for entry in raw.get("plugins") or []:
        name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        if name == "sunlight":
            # records with errors show a page of problems instead of stopping the preview
            options = {**(options or {}), "preview": True}
            if only:
                options["only"] = [p.resolve().relative_to(base_dir).as_posix() for p in only]
            villages = base_dir / options.get("villages_dir", "villages")
        plugins[name] = options or {}
    if only:
        # NOTE: a county has tens of thousands of folders; watch only what the preview shows
        watch = [str(p.resolve()) for p in only]
        watch += [str(f) for f in sorted(villages.glob("*.yml")) + sorted(villages.glob("*/*.yml"))]
        watch.append(str(TEMPLATES_DIR.resolve()))
    return {"plugins": plugins}, watch
