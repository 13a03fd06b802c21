"""The MkDocs side: a plugin that adds the generated pages, and a safe build around MkDocs.

`mkdocs build` with this plugin builds the whole site by itself (so the generator can be
swapped: the pages are plain Markdown files with front matter). `build_site()` adds what a
publisher needs on top: build into a staging folder, replace `site/` only when every step
succeeded, and take dates from the last commit rather than the clock. Only this module imports
MkDocs.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from builder import model
from builder.errors import BuilderError
from builder.format.problems import Severity, format_problem
from builder.pipeline.cache import BuildCache, files_hash
from builder.pipeline.validate import Result, validate
from builder.publish.render import TEMPLATES_DIR, Rendered, RenderedVillage, Renderer
from builder.publish.search import SearchDoc
from builder.publish.shards import Place, Shard, ShardManifest, finish_site, merge_shards
from builder.read.git import commit_day, last_commit_time

log = logging.getLogger("mkdocs.plugins.sunlight")
# a file for the worker process to make: (site path, function, arguments); bytes are written
Job = tuple[str, Callable[..., object], tuple[Any, ...]]
ASSETS = Path(__file__).resolve().parent / "assets"
# NOTE: one stylesheet (ours + the search widget's) saves a request on every first visit.
ASSET_FILES = {"sunlight.css": ("sunlight.css", "search.css"), "search.js": ("search.js",)}
# NOTE: Material's main.html less its JavaScript bundle, which fetches a polyfill from a public CDN
# on browsers without ResizeObserver; the bundle's files (and its search workers) are not shipped.
THEME_OVERRIDES = Path(__file__).resolve().parent / "theme"
MATERIAL_SCRIPTS = "assets/javascripts/"


class SunlightConfig(base.Config):  # type: ignore[no-untyped-call]
    villages_dir = c.Dir(exists=True, default="villages")
    # village folders to build alone (a clerk's preview); empty: the whole county
    only = c.ListOfItems(c.Type(str), default=[])


class SunlightPlugin(BasePlugin[SunlightConfig]):  # type: ignore[no-untyped-call]
    """Check the records, then add every village's pages, QR images and the search index."""

    def __init__(self) -> None:
        self.preloaded: Result | None = None
        self.rendered: Rendered | None = None
        self.fast_html = True
        self.cache: BuildCache | None = None
        self.previous_site: Path | None = None
        self.manifest: dict[str, Any] = {}
        self.site_key = ""
        self.deferred: list[Job] = []
        self.worker: Any = None
        self.pending: dict[str, str] = {}
        self.shard = Shard()
        self.partial = False  # True when build_shard runs it: the merge finishes the site
        self.selected: set[str] = set()  # URLs of the villages this shard renders

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        villages = Path(self.config.villages_dir)
        base_dir = Path(config.config_file_path or ".").resolve().parent
        only = [base_dir / path for path in self.config.only] or None
        result = self.preloaded or validate(villages, base_dir, only=only)
        errors = [p for p in result.report.sorted() if p.severity is Severity.ERROR]
        if errors or result.county is None:
            for p in errors:
                log.error(format_problem(p))
            raise PluginError(
                f"记录有 {len(errors)} 个错误，未生成网站。请先运行 sunlight check。 / "
                f"{len(errors)} errors in the records; nothing was built."
            )
        county = result.county
        # after a county's own custom_dir (its main.html wins), before Material's templates
        if str(THEME_OVERRIDES) not in config.theme.dirs:  # on_config may see a config twice
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_OVERRIDES))
        config.site_name = county.site_title
        config.site_url = county.site_url
        updated = last_commit_date(base_dir)
        self.site_key = site_key(base_dir, config, updated)
        self.selected = {
            v.url for position, v in enumerate(county.villages()) if self.shard.holds(position)
        }
        renderer = Renderer(county, updated=updated, reuse=self.reusable, selected=self.is_selected)
        if PARALLEL:
            renderer.deferred = []
        self.rendered = renderer.render()
        self.deferred = renderer.deferred or []
        return config

    def is_selected(self, village: model.Village) -> bool:
        """Whether this shard renders the village's pages."""
        return village.url in self.selected

    def reusable(self, village: model.Village) -> RenderedVillage | None:
        """The last build's pages of this village, if nothing they show has changed."""
        if self.cache is None or self.previous_site is None or not village.signature:
            return None
        if self.manifest.get("site_key") != self.site_key:
            return None
        if self.manifest.get("villages", {}).get(village.url) != village.signature:
            return None
        hit = self.cache.load("rendered", render_key(village.signature, self.site_key))
        if not isinstance(hit, RenderedVillage):
            return None
        outputs = [output_path(p) for p in hit.pages] + hit.files
        if not all((self.previous_site / path).is_file() for path in outputs):
            return None
        return hit

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        # NOTE: a generated page's body is one raw HTML block, which Markdown passes through
        # unchanged; parsing it only to pass it through was 60 % of the build. So the body
        # skips Markdown and goes straight to the theme. The files stay plain Markdown (any
        # generator renders them the same); test_site proves the output is identical.
        if self.fast_html and self.rendered and page.file.src_uri in self.rendered.pages:
            self.pending[page.file.src_uri] = markdown
            return ""
        return None

    def on_page_content(
        self, html: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        body = self.pending.pop(page.file.src_uri, None)
        return html if body is None else body.strip("\n")

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.rendered is not None
        material = Path(material_templates_dir())
        for file in [f for f in files if is_material_script(f, material)]:
            files.remove(file)
        if self.rendered.county is not None:  # history and log pages: they read git, not cached
            from builder.publish.audit_pages import add_audit_pages

            base_dir = Path(config.config_file_path or ".").resolve().parent
            add_audit_pages(
                self.rendered,
                self.rendered.county,
                Path(self.config.villages_dir),
                last_commit_date(base_dir),
                self.is_selected,
            )
        for src_uri, markdown in sorted(self.rendered.pages.items()):
            files.append(File.generated(config, src_uri, content=markdown))
        deferred = {path for path, _, _ in self.deferred}
        for src_uri, data in sorted(self.rendered.files.items()):
            if src_uri not in deferred:
                files.append(File.generated(config, src_uri, content=data))
        if self.deferred:  # QR codes and print sheets: a second process, meanwhile
            self.worker = start_worker(self.deferred, Path(config.site_dir))
        for name, parts in ASSET_FILES.items():
            content = b"".join((ASSETS / part).read_bytes() for part in parts)
            files.append(File.generated(config, f"assets/{name}", content=content))
        return files

    def on_build_error(self, error: Exception) -> None:
        # a failed build's staging folder is deleted: stop the worker writing into it first
        if self.worker is not None:
            self.worker.terminate()
            self.worker.join()
            self.worker = None

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.rendered is not None
        site = Path(config.site_dir)
        if self.worker is not None:
            self.worker.join()
            if self.worker.exitcode != 0:
                raise PluginError(
                    "生成二维码和打印页的进程失败。 / The worker making QR codes "
                    f"and print sheets failed (exit {self.worker.exitcode})."
                )
            self.worker = None
        reused = [output_path(p) for p in self.rendered.reused_pages] + self.rendered.reused_files
        if reused:
            assert self.previous_site is not None
            made: set[Path] = set()
            for path in reused:
                link_or_copy(self.previous_site / path, site / path, made)
            log.info(f"reused {len(reused)} unchanged pages and files from the last build")
        self.write_manifest(config)

    def write_manifest(self, config: MkDocsConfig) -> None:
        """Leave what the merge needs (pages, search documents, villages) in the shard's root."""
        assert self.rendered is not None
        pages = {p[: -len("index.md")] for p in [*self.rendered.pages, *self.rendered.reused_pages]}
        for page in Path(config.docs_dir).rglob("*.md"):
            rel = page.relative_to(config.docs_dir).as_posix()
            pages.add(rel[: -len("index.md")] if rel.endswith("index.md") else rel[:-3] + "/")
        if self.cache is not None:
            for url, record in self.rendered.villages.items():
                if record.signature and url not in self.rendered.reused_villages:
                    self.cache.save("rendered", render_key(record.signature, self.site_key), record)
        manifest = ShardManifest(
            self.shard,
            config.site_url or "",
            self.site_key,
            tuple(sorted(pages)),
            tuple(search_places(self.rendered.county, self.rendered.search_docs)),
            {url: r.signature for url, r in sorted(self.rendered.villages.items())},
        )
        if self.partial:
            manifest.write(Path(config.site_dir))
        else:  # plain `mkdocs build` or `serve`: a one-shard site, finished here
            finish_site(Path(config.site_dir), [manifest])


# NOTE: the builder uses both cores: while MkDocs renders the pages, a forked process makes
# the static files (QR codes, print sheets), which inherits the model without pickling it.
PARALLEL = "fork" in multiprocessing.get_all_start_methods()


def search_places(
    county: model.County | None, docs: list[SearchDoc]
) -> Iterator[tuple[Place, SearchDoc]]:
    """Each document with its place in the county's order (see shards.ShardManifest)."""
    towns = {town.slug: i for i, town in enumerate(county.towns)} if county else {}
    villages = {
        village.url: i
        for town in (county.towns if county else ())
        for i, village in enumerate(town.villages)
    }
    seen: dict[str, int] = {}
    for doc in docs:
        parts = doc.url.split("/")
        town = towns.get(parts[0], -1) if len(parts) > 1 else -1
        village_url = "/".join(parts[:2]) + "/" if len(parts) > 2 else ""
        village = villages.get(village_url, -1)
        n = seen.get(village_url, 0) if village >= 0 else 0
        seen[village_url] = n + 1
        yield (town, village, n), doc


def start_worker(jobs: list[Job], site: Path) -> Any:
    """Fork a process that makes and writes the static files; join it before finishing."""
    process = multiprocessing.get_context("fork").Process(target=_make_files, args=(jobs, site))
    process.start()
    return process


def _make_files(jobs: list[Job], site: Path) -> None:
    for path, make, args in jobs:
        data = make(*args)
        if isinstance(data, bytes):
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def last_commit_date(base_dir: Path) -> str:
    """The date the records last changed (YYYY-MM-DD), or "" when nothing says."""
    day = commit_day(base_dir)
    return day.isoformat() if day is not None else ""


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
    try:
        count = shards or local_shard_count(preloaded)
        parts = [staging / f"shard-{k}" for k in range(1, count + 1)]
        previous = site_dir if cache is not None and site_dir.is_dir() else None
        jobs = [
            (config_file, part, Shard(k, count), preloaded, strict, cache, previous)
            for k, part in enumerate(parts, start=1)
        ]
        if count == 1:
            build_shard(*jobs[0])
        else:
            run_in_processes(jobs)
        merged = staging / "site"
        manifests = merge_shards(parts, merged)
        publish_version(merged, site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if cache is not None:
        remember_site(cache, manifests)


def local_shard_count(preloaded: Result | None) -> int:
    """Two shards when a second core and a large county make it worth it, else one."""
    if preloaded is None or preloaded.county is None:
        return 1
    villages = sum(len(town.villages) for town in preloaded.county.towns)
    cores = min(2, os.cpu_count() or 1)
    if cores < 2 or villages < PARALLEL_SHARDS_FROM or not PARALLEL:
        return 1
    return cores


ShardJob = tuple[Path, Path, Shard, Result | None, bool, BuildCache | None, Path | None]


def run_in_processes(jobs: list[ShardJob]) -> None:
    """Build each shard in a forked process (they inherit the checked records unpickled)."""
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_build_shard_process, args=job) for job in jobs]
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


def _build_shard_process(*job: Any) -> None:
    try:
        build_shard(*job)
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
    previous_site: Path | None = None,
) -> None:
    """Build one shard's partial site into dest (which must not exist yet)."""
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
            plugin.cache, plugin.previous_site = cache, previous_site
            if cache is not None and previous_site is not None:
                plugin.manifest = cache.read_manifest()
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
        publish_version(staging / "site", site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remember_site(cache: BuildCache, manifests: list[ShardManifest]) -> None:
    """Record what the site now in place was built from, for the next build to reuse."""
    key = manifests[0].site_key
    villages = {url: sig for m in manifests for url, sig in m.villages.items() if sig}
    cache.used |= {f"rendered/{render_key(sig, key)}" for sig in villages.values()}
    cache.prune("rendered")
    cache.write_manifest({"site_key": key, "villages": dict(sorted(villages.items()))})


def render_key(signature: str, key: str) -> str:
    return hashlib.sha256(f"{signature}\0{key}".encode()).hexdigest()


def site_key(base_dir: Path, config: MkDocsConfig, updated: str) -> str:
    """What every page's output depends on beyond its own records: theme, config, content."""
    import material
    import mkdocs

    parts: list[Path | None] = [Path(config.config_file_path or base_dir / "mkdocs.yml")]
    parts += sorted(p for p in Path(config.docs_dir).rglob("*") if p.is_file())
    versions = f"{mkdocs.__version__}\0{material.__version__}\0{updated}\0{config.site_url}"
    return hashlib.sha256((versions + files_hash(parts)).encode()).hexdigest()


def is_material_script(file: File, material: Path) -> bool:
    """Whether file is Material's JavaScript (not a county's own file under the same path)."""
    source = file.abs_src_path
    if not file.src_uri.startswith(MATERIAL_SCRIPTS) or source is None:
        return False
    return Path(source).is_relative_to(material)


def material_templates_dir() -> str:
    """Where Material's templates and static files are installed."""
    import material

    return str(Path(material.__file__).resolve().parent / "templates")


def output_path(src_uri: str) -> str:
    """Where MkDocs writes a generated page (directory URLs: a/b/index.md -> a/b/index.html)."""
    return src_uri[: -len(".md")] + ".html"


def link_or_copy(src: Path, dest: Path, made: set[Path]) -> None:
    """Put an unchanged file from the last build into the new one (a hard link when possible);
    made holds the folders already created (a failing mkdir costs as much as a real one)."""
    if dest.parent not in made:
        dest.parent.mkdir(parents=True, exist_ok=True)
        made.add(dest.parent)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


def swap_in(staging: Path, site_dir: Path) -> None:
    """Replace site_dir with staging using renames, so readers never see half a site."""
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
    staging.rename(site_dir)
    staging_mode = 0o755
    site_dir.chmod(staging_mode)
    if old is not None:
        discard(old)


def discard(folder: Path) -> None:
    """Delete a replaced site in the background: it is out of the way already, and deleting
    tens of thousands of files would hold up the command (a leftover is removed next time)."""
    if not hasattr(os, "fork"):
        shutil.rmtree(folder, ignore_errors=True)
        return
    child = os.fork()
    if child == 0:  # NOTE: fork twice, so the deleting process belongs to no one and is reaped
        try:
            if os.fork() == 0:
                os.setsid()
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def absolute(path: Path) -> Path:
    """path made absolute without following its last part (site/ may be a link)."""
    return path.parent.resolve() / path.name


def versions_of(site_dir: Path) -> Path:
    """The folder that holds the published versions site_dir links to."""
    return site_dir.parent / f".{site_dir.name}-versions"


def publish_version(staging: Path, site_dir: Path) -> None:
    """Make staging the site: site_dir is a link to a version folder, replaced by another link
    in one rename, so that a reader (or a killed build) never finds it missing or half-made."""
    versions = versions_of(site_dir)
    versions.mkdir(exist_ok=True)
    version = Path(tempfile.mkdtemp(prefix="v-", dir=versions))
    version.rmdir()
    staging.rename(version)
    version.chmod(0o755)
    previous = site_dir.resolve() if site_dir.is_symlink() else None
    link = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-link-", dir=site_dir.parent))
    link.rmdir()
    link.symlink_to(version.relative_to(site_dir.parent), target_is_directory=True)
    if site_dir.exists() and not site_dir.is_symlink():
        # NOTE: once, from a site folder built before versions: it is briefly missing here
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
        previous = old
    os.replace(link, site_dir)
    if previous is not None and previous.parent != versions:
        discard(previous)
    # NOTE: the version replaced here stays until the next build (clear_leftovers), so that
    # a reader in the middle of a page never has its files deleted under it.


def clear_leftovers(site_dir: Path) -> None:
    """Remove what an interrupted or background step left beside site_dir: replaced sites,
    unused links, staging folders of killed builds, and versions the site no longer links to."""
    for pattern in (f".{site_dir.name}-{kind}-*" for kind in ("old", "link", "staging")):
        for leftover in site_dir.parent.glob(pattern):
            if leftover.is_symlink():
                leftover.unlink()
            else:
                shutil.rmtree(leftover, ignore_errors=True)
    current = site_dir.resolve() if site_dir.is_symlink() else None
    versions = versions_of(site_dir)
    if versions.is_dir():
        for version in versions.iterdir():
            if version != current:
                discard(version)


def serve_site(config_file: Path, dev_addr: str, only: list[Path] | None = None) -> None:
    """Live preview for clerks: rebuilds on every change to records, templates or content;
    with `only` (village folders), just those villages and the county's own pages."""
    from mkdocs.commands.serve import serve
    from mkdocs.utils.yaml import yaml_load

    base_dir = config_file.resolve().parent
    villages = base_dir / "villages"
    watch = [str(villages), str(TEMPLATES_DIR.resolve())]
    overrides: dict[str, Any] = {}
    if only:
        with config_file.open("rb") as f:
            raw = yaml_load(f) or {}
        plugins = []
        for entry in raw.get("plugins") or []:
            name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
            if name == "sunlight":
                options = {
                    **(options or {}),
                    "only": [p.resolve().relative_to(base_dir).as_posix() for p in only],
                }
                villages = base_dir / options.get("villages_dir", "villages")
            plugins.append({name: options})
        overrides["plugins"] = plugins
        # NOTE: a county has tens of thousands of folders; watch only what the preview shows
        watch = [str(p.resolve()) for p in only]
        watch += [str(f) for f in sorted(villages.glob("*.yml")) + sorted(villages.glob("*/*.yml"))]
        watch.append(str(TEMPLATES_DIR.resolve()))
    serve(str(config_file), dev_addr=dev_addr, livereload=True, watch=watch, **overrides)
