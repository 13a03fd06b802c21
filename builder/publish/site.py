"""The MkDocs plugin: check the records (unless given them), render every page of this build's
villages and the county's own, and leave what the merge needs.

`mkdocs build` with this plugin builds a whole site by itself (the pages are plain Markdown
files with front matter, so another generator reading mkdocs.yml can build them too);
`build.py` is the safe build around it. Only `publish/` imports MkDocs.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import rjsmin
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.meta import get_data

from builder import model
from builder.audit.commands import log_problems
from builder.audit.snapshot import china_today
from builder.audit.tlog import read_versions
from builder.format.privacy import phone_digits
from builder.format.problems import Problem, Severity, format_problem
from builder.pipeline.cache import BuildCache, files_hash, pickled
from builder.pipeline.scan import scan_files
from builder.pipeline.validate import FREEZE_FROM, Result, validate
from builder.pipeline.workers import collector_paused, die_with_parent
from builder.publish import fragments
from builder.publish.cards import labelled_tables
from builder.publish.compress import COMPRESSED, StagingWriter, compact_html, precompress_tree
from builder.publish.css import hashed_name, page_sources, site_stylesheet, template_sources
from builder.publish.folders import VillageStore
from builder.publish.opendata import folder_paths
from builder.publish.preview import problem_files
from builder.publish.render import (
    PAGE_STYLESHEETS,
    TEMPLATES_DIR,
    Rendered,
    RenderedVillage,
    Renderer,
    read_front_matter,
)
from builder.publish.search import SearchDoc
from builder.publish.shards import (
    TEXT_KIND,
    Place,
    Shard,
    ShardManifest,
    finish_site,
    render_key,
    village_url,
)
from builder.publish.shells import SHELL_TEMPLATE, PageShells
from builder.publish.sidebar import SidebarNav
from builder.read.git import commit_day

log = logging.getLogger("mkdocs.plugins.sunlight")
# a file for the worker process to make: (site path, function, arguments); bytes are written
Job = tuple[str, Callable[..., object], tuple[Any, ...]]
ASSETS = Path(__file__).resolve().parent / "assets"
# NOTE: one stylesheet (Material's rules in use, ours, the search widget's) saves requests on
# every first visit; each asset's name carries a hash of its bytes, so a phone (or WeChat's
# cache) never keeps a stale copy, and a host may cache them for ever.
ASSET_FILES = {
    "sunlight.css": ("sunlight.css", "search.css"),
    "search.js": ("search.js",),
    "verify.js": ("verify.js",),
}
# Material's templates whose classes a page of this site can carry (publish/css.py)
MATERIAL_PARTS = (
    "base.html",
    *(
        f"partials/{name}.html"
        for name in ("header", "logo", "nav", "nav-item", "toc", "toc-item", "content")
    ),
)
# NOTE: Material's main.html less its JavaScript bundle, which fetches a polyfill from a public CDN
# on browsers without ResizeObserver; the bundle's files (and its search workers) are not shipped.
THEME_OVERRIDES = Path(__file__).resolve().parent / "theme"
# the parts of our pages written in Python: their words keep CSS rules as the templates' do
FRAGMENTS = fragments.SOURCE
MATERIAL_SCRIPTS = "assets/javascripts/"
MATERIAL_STYLES = "assets/stylesheets/"  # Material's, replaced by our reduced one


class SunlightConfig(base.Config):  # type: ignore[no-untyped-call]
    villages_dir = c.Dir(exists=True, default="villages")
    # village folders to build alone (a clerk's preview); empty: the whole county
    only = c.ListOfItems(c.Type(str), default=[])
    # a clerk's preview (sunlight serve): records with errors show a page of problems
    preview = c.Type(bool, default=False)
    # a .gz beside every page, chart and check file, for a host that serves them (nginx
    # gzip_static, Caddy precompressed); the stylesheet, scripts, search index and downloads
    # get theirs always. Off: GitHub Pages and most CDNs compress by themselves (compress.py)
    precompress = c.Type(bool, default=False)


class SunlightPlugin(BasePlugin[SunlightConfig]):  # type: ignore[no-untyped-call]
    """Check the records, then add every village's pages, QR images and the search index."""

    # NOTE: a generated page's body is one raw HTML block, which Markdown passes through
    # unchanged: it goes straight to the theme instead (see on_page_markdown, GeneratedPage);
    # False sends it through Markdown, which test_site proves gives the same site
    fast_html = True

    def __init__(self) -> None:
        self.preloaded: Result | None = None
        self.rendered: Rendered | None = None
        self.cache: BuildCache | None = None
        # a build without a cache: where its shards keep what another needs (each village's
        # download part, which shard 1 joins into the county's downloads), in its staging folder
        self.shared: BuildCache | None = None
        # where what depends on no record is kept (stylesheets, compiled templates): the build
        # cache, or beside it for a preview
        self.kept: BuildCache | None = None
        # with a store, each village's folder is one link to its stored copy (folders.py);
        # site_dir is where the finished site will be published (the links are relative to it)
        self.store: VillageStore | None = None
        self.site_dir: Path | None = None
        self.stored: dict[str, str] = {}  # village URL -> its folder's key in the store
        self.audit = Rendered()  # the history and log pages (they read git, not the records)
        self.site_key = ""
        self.deferred: list[Job] = []
        # the static files (QR codes, print sheets, charts, downloads) are made in a forked
        # worker while MkDocs renders the pages, when a core is free for it; False: in this
        # process, before the pages (build.build_site, when every core has a shard already)
        self.file_worker = True
        self.worker: Any = None
        self.writer: StagingWriter | None = None  # the pages' compressed copies (on_post_page)
        self.written: set[str] = set()  # the static files written with their copies
        self.pending: dict[str, str] = {}
        self.shard = Shard()
        self.partial = False  # True when build_shard runs it: the merge finishes the site
        self.selected: set[str] = set()  # URLs of the villages this shard renders
        self.assets: dict[str, tuple[str, bytes]] = {}  # name: (hashed site path, bytes)
        self.problems: list[Problem] = []  # a preview of records with errors shows these
        self.shells: PageShells | None = None
        # False: the build around it makes the county's download folder (build.build_site)
        self.county_downloads = True
        # where a shard leaves its manifest pickled for the build on the same machine that
        # merges it (build.build_site), instead of as JSON in its root: the JSON of a county's
        # search documents took half a second to write and as long to read back
        self.handover: Path | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        villages = Path(self.config.villages_dir)
        base_dir = Path(config.config_file_path or ".").resolve().parent
        only = [base_dir / path for path in self.config.only] or None
        result = self.preloaded or validate(villages, base_dir, only=only)
        if self.preloaded is None and result.county is not None:
            # drafts: marked 草稿 in a clerk's preview, left off any other build (as sunlight
            # build does before it preloads)
            from builder.audit.drafts import marked, public

            result = (marked if self.config.preview else public)(result, villages)
        errors = [p for p in result.report.sorted() if p.severity is Severity.ERROR]
        # NOTE: unless sunlight build checked them with the records, as of its day (see Result)
        if result.county is not None and result.published_checked is None:
            # the hand-written pages are published too
            found = [*scan_files([Path(config.docs_dir)], base_dir, lines(result.county))]
            # the publication log is published as it is, too
            found += log_problems(villages, base_dir, result, china_today())
            errors += sorted(
                (p for p in found if p.severity is Severity.ERROR), key=Problem.sort_key
            )
        self.problems = []
        if errors or result.county is None:
            # NOTE: a preview shows them on its page; logged as errors, strict mode would stop it
            for p in errors:
                (log.info if self.config.preview else log.error)(format_problem(p))
            if self.config.preview:
                self.problems = errors or result.report.sorted()
                config.nav = [{"记录有错误": "index.md"}]
                return config
            raise PluginError(
                f"记录或网站页面有 {len(errors)} 个错误，未生成网站。请按上面的提示修改。 / "
                f"{len(errors)} errors in the records or pages; nothing was built."
            )
        county = result.county
        # after a county's own custom_dir (its main.html wins), before Material's templates
        if str(THEME_OVERRIDES) not in config.theme.dirs:  # on_config may see a config twice
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_OVERRIDES))
        config.site_name = county.site_title
        config.site_url = county.site_url
        # NOTE: a clerk's preview has no build cache, but the stylesheets and compiled templates
        # depend on no record: kept beside the build's, they are not remade on every save
        if self.cache is not None:
            self.kept = self.cache
        elif self.config.only or self.config.preview:
            self.kept = BuildCache(base_dir / ".build" / "cache")
        self.assets = cached_site_assets(Path(config.docs_dir), self.kept)
        css_path = self.assets["sunlight.css"][0]
        # the theme links it (or a page type's own: the page's `stylesheet`), county's extras after
        config.extra["sunlight_stylesheet"] = css_path
        config.extra_css = [
            path for path in config.extra_css if path not in ("assets/sunlight.css", css_path)
        ]
        updated = last_commit_date(base_dir)
        self.site_key = site_key(base_dir, config, self.assets)
        self.selected = {
            v.url for position, v in enumerate(county.villages()) if self.shard.holds(position)
        }
        from builder.publish.audit_pages import add_audit_pages

        self.audit = Rendered(county=county)
        add_audit_pages(self.audit, county, villages, updated, self.is_selected, self.kept)
        renderer = Renderer(
            county,
            updated=updated,
            reuse=self.reusable,
            selected=self.is_selected,
            assets={name: path for name, (path, _) in self.assets.items()},
            county_files=self.shard.index == 1,
        )
        renderer.log = read_versions(villages.resolve().parent)
        renderer.county_downloads = self.county_downloads
        if self.kept is not None:
            renderer.env.bytecode_cache = self.compiled_templates()
        # the county's downloads join the villages' cached parts (see Renderer.render)
        renderer.cache = self.cache if self.cache is not None else self.shared
        if PARALLEL:
            renderer.deferred = []
        # NOTE: the collector paused while the pages are rendered: what they are made of lasts
        # until MkDocs has written them, so each collection only walked it all again (1,600
        # collections, 0.7 s of a 600-village county's shard; the peak memory is the same)
        with collector_paused():
            self.rendered = renderer.render()
        self.deferred = renderer.deferred or []
        return config

    def compiled_templates(self) -> jinja2.BytecodeCache:
        """Where compiled templates are kept between builds (beside the build cache): every
        shard of every build compiled Material's and our templates again, a second each."""
        assert self.kept is not None
        folder = self.kept.root / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        return jinja2.FileSystemBytecodeCache(str(folder))

    def on_env(
        self, env: jinja2.Environment, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment | None:
        if self.kept is not None:  # the theme's templates (see compiled_templates)
            env.bytecode_cache = self.compiled_templates()
        nav = env.globals["sunlight_nav"] = SidebarNav(env)  # theme/main.html: the nav, kept
        self.shells = env.globals["sunlight_page"] = PageShells(env, nav)  # sunlight-page.html
        env.globals["sunlight_translations"] = Translations(env)  # theme/partials/language.html
        return env

    def is_selected(self, village: model.Village) -> bool:
        """Whether this shard renders the village's pages."""
        return village.url in self.selected

    def reusable(self, village: model.Village) -> RenderedVillage | None:
        """A stored folder of this village's pages, if one shows exactly what they would."""
        if self.cache is None or self.store is None or not village.signature:
            return None
        key = self.store_key(village.url, village.signature)
        if not self.store.has(key):
            return None
        hit = self.cache.load("rendered", render_key(village.signature, self.site_key))
        if not isinstance(hit, RenderedVillage):
            return None
        self.stored[village.url] = key
        return hit

    def store_key(self, url: str, signature: str) -> str:
        """The key of a village's folder: what its pages are rendered from (records, flags,
        site), and its history page, which reads git."""
        history = self.audit.pages.get(f"{url}history/index.md", "")
        return hashlib.sha256(
            f"{render_key(signature, self.site_key)}\0{history}".encode()
        ).hexdigest()

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
        return labelled_tables(html) if body is None else body.strip("\n")

    # NOTE: last of every plugin's: the copies are of the bytes MkDocs then writes
    @event_priority(-100)
    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str | None:
        html = compact_html(output)
        if self.writer is not None and html.strip():  # MkDocs writes the page (if not empty)
            # NOTE: its copies from the bytes MkDocs is about to write, while they are in hand
            data = html.encode("utf-8", errors="xmlcharrefreplace")
            self.writer.write_copies(page.file.dest_uri, data)
        return html

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.problems:
            files = problem_files(files, config, self.problems)
            for name, parts in ASSET_FILES.items():
                content = b"".join((ASSETS / part).read_bytes() for part in parts)
                files.append(File.generated(config, f"assets/{name}", content=content))
            return files
        assert self.rendered is not None
        material = Path(material_templates_dir())
        for file in [f for f in files if is_material_asset(f, material)]:
            files.remove(file)
        for src_uri, markdown in self.audit.pages.items():  # history pages and the log's
            if src_uri.rsplit("/", 2)[0] + "/" in self.stored:  # a stored village's history
                self.rendered.reused_pages.append(src_uri)
            else:
                self.rendered.pages[src_uri] = markdown
        self.rendered.files.update(self.audit.files)
        # NOTE: a page the nav names gets its title there: MkDocs makes that one itself
        in_nav = nav_paths(config.nav)
        for src_uri, markdown in sorted(self.rendered.pages.items()):
            file = File.generated(config, src_uri, content=markdown)
            if self.fast_html and src_uri not in in_nav:
                GeneratedPage(None, file, config)  # MkDocs keeps a plugin's file.page
            files.append(file)
        self.writer = StagingWriter(Path(config.site_dir), every=self.config.precompress)
        self.written = set()
        deferred = {path for path, _, _ in self.deferred}
        for src_uri, data in sorted(self.rendered.files.items()):
            if src_uri in deferred:
                continue
            if self.deferred:  # NOTE: written with its copies by the worker too (see below)
                self.deferred.append(deferred_file(src_uri, data, self.rendered.files))
            else:
                files.append(File.generated(config, src_uri, content=data))
        # NOTE: what was rendered lasts as long as the shard: frozen out of the collector's way,
        # whose every full collection in MkDocs' page loop walked it all again (and in the
        # worker forked next, copying each page of memory it touched)
        if len(self.rendered.villages) >= FREEZE_FROM:  # a county's build, not a test's
            gc.freeze()
        if self.deferred:  # QR codes, print sheets, charts, downloads (see file_worker)
            self.written = {path for path, _, _ in self.deferred}
            # a job that fills a folder is a download folder's (Renderer.files)
            taken = {
                path
                for job in self.written
                for path in (folder_paths(job) if job.endswith("/") else (job,))
            }
            for file in written_over(files, taken):
                files.remove(file)
            site = Path(config.site_dir)
            if self.file_worker:
                self.worker = start_worker(self.deferred, site, every=self.config.precompress)
            else:
                make_files(self.deferred, site, every=self.config.precompress)
        for path, content in self.assets.values():
            files.append(File.generated(config, path, content=content))
        return files

    def on_build_error(self, error: Exception) -> None:
        # a failed build's staging folder is deleted: stop the worker writing into it first
        if self.worker is not None:
            self.worker.terminate()
            self.worker.join()
            self.worker = None

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.problems:
            return
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
        if self.shells is not None:
            log.debug(f"{self.shells.filled} pages filled into a kept shell")
        # NOTE: before storing: a stored folder keeps its copies; the pages' and the worker's
        # files have theirs already (the folder of a worker's files' job is no file: no matter)
        done = self.written | (self.writer.done if self.writer is not None else set())
        precompress_tree(site, done=done, every=self.config.precompress)
        if self.store is not None and self.site_dir is not None:
            self.store_villages(site, self.store, self.site_dir)
        self.write_manifest(config)

    def store_villages(self, site: Path, store: VillageStore, site_dir: Path) -> None:
        """Move each freshly rendered village's folder into the store, and make every village's
        folder a link to its stored copy."""
        assert self.rendered is not None
        for url, record in self.rendered.villages.items():
            if url in self.rendered.reused_villages or not record.signature:
                continue
            folder = site / url
            made = {output_path(p)[len(url) :] for p in record.pages} | {
                f[len(url) :] for f in record.files
            }
            history = f"{url}history/index.md"
            if history in self.rendered.pages:
                made.add(output_path(history)[len(url) :])
            found = {
                (Path(root) / name).relative_to(folder).as_posix()
                for root, _, names in os.walk(folder)
                for name in names
            }
            # NOTE: a folder holding anything else (a hand-written page) stays as it is
            key = self.store_key(url, record.signature)
            if without_copies(found) == without_copies(made) and store.put(folder, key):
                self.stored[url] = key
        for url in sorted(self.stored):
            store.link(self.stored[url], site, url.rstrip("/"), site_dir)
        reused = len(self.rendered.reused_villages)
        log.info(f"reused {reused} unchanged villages' folders; {len(self.stored)} linked")

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
                    key = render_key(record.signature, self.site_key)
                    self.cache.save(TEXT_KIND, key, [doc.text for doc in record.search_docs])
                    docs = [dataclasses.replace(doc, text="") for doc in record.search_docs]
                    kept = dataclasses.replace(record, search_docs=docs, text_apart=True)
                    self.cache.save("rendered", key, kept)
        manifest = ShardManifest(
            self.shard,
            config.site_url or "",
            self.site_key,
            tuple(sorted(pages)),
            tuple(search_places(self.rendered.county, self.rendered.search_docs)),
            {url: r.signature for url, r in sorted(self.rendered.villages.items())},
            dict(sorted(self.stored.items())),
            tuple(
                sorted(
                    url
                    for url in self.rendered.reused_villages
                    if self.rendered.villages[url].text_apart
                )
            ),
        )
        if self.handover is not None:  # NOTE: the build around it reads it (build.build_site)
            self.handover.write_bytes(pickled(manifest))
        elif self.partial:  # NOTE: for `sunlight merge`, perhaps elsewhere: the text goes along
            manifest.with_text(self.cache).write(Path(config.site_dir))
        else:  # plain `mkdocs build` or `serve`: a one-shard site, finished here
            finish_site(Path(config.site_dir), [manifest], self.cache)


class Translations:
    """Material's `lang.t(key)` (partials/language.html: the phrase in the site's language,
    else in English, else the key), each phrase asked of the language files once a build. The
    files take no context, so a phrase is the same on every page."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.kept: dict[tuple[str, str], str] = {}

    def __call__(self, language: str, key: str) -> str:
        found = self.kept.get((language, key))
        if found is None:
            ours = self.env.get_template(f"partials/languages/{language}.html").module
            english = self.env.get_template("partials/languages/en.html").module
            found = self.kept[language, key] = str(ours.t(key) or english.t(key) or key)  # type: ignore[attr-defined]
        return found


class GeneratedPage(Page):
    """A generated page, whose body (one raw HTML block) on_page_content puts in place: it
    skips the Markdown converter with every extension that MkDocs makes for each page (a few
    seconds of CPU at county scale) to convert the empty text on_page_markdown leaves."""

    # NOTE: the theme's page around it is filled into a shell kept for pages like it, where
    # one is proven (shells.py); False renders Material's template for it, as for any page:
    # test_site proves the output is identical
    shells = True

    def read_source(self, config: MkDocsConfig) -> None:
        # NOTE: its front matter (render.front_matter) read as the JSON it is: MkDocs' YAML
        # reader took 40 µs a page, a few seconds of a county's build
        source = config.plugins.on_page_read_source(page=self, config=config)
        if source is None:
            source = self.file.content_string
        self.markdown, self.meta = read_front_matter(source) or get_data(source)
        if self.shells and "template" not in self.meta:
            self.meta["template"] = SHELL_TEMPLATE

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        # what Page.render leaves from ""
        self.content, self.toc, self.present_anchor_ids = "", get_toc([]), set()


def written_over(files: Files, written: set[str]) -> list[File]:
    """The hand-written files (not pages) at a path the worker writes: the generated file wins,
    as it does over a file of the same path in Files; MkDocs copying one while the worker
    writes the other would leave either, build by build."""
    return [
        f
        for f in files
        if f.generated_by is None and f.src_uri in written and not f.is_documentation_page()
    ]


def nav_paths(nav: Any) -> set[str]:
    """Every page path the nav configuration names."""
    if isinstance(nav, str):
        return {nav.lstrip("/")}
    values = nav.values() if isinstance(nav, dict) else nav if isinstance(nav, list) else []
    return {path for value in values for path in nav_paths(value)}


# NOTE: the builder uses both cores: while MkDocs renders the pages, a forked process makes
# the static files (QR codes, print sheets), which inherits the model without pickling it.
PARALLEL = "fork" in multiprocessing.get_all_start_methods()


def lines(county: model.County) -> set[str]:
    """The digits of every phone line the county, its towns and villages declare."""
    contacts = [*county.contacts, *(c for town in county.towns for c in town.contacts)]
    phones = {phone_digits(c.phone) for c in contacts}
    for village in county.villages():
        phones |= {phone_digits(c.phone) for c in village.channels.hotlines}
        if village.channels.office_phone:
            phones.add(phone_digits(village.channels.office_phone))
    return phones


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
        url = village_url(doc.url)
        village = villages.get(url, -1)
        n = seen.get(url, 0) if village >= 0 else 0
        seen[url] = n + 1
        yield (town, village, n), doc


def without_copies(paths: set[str]) -> set[str]:
    """The paths but the precompressed copies of others among them (they go with their file)."""
    return {
        path
        for path in paths
        if not any(path.endswith(s) and path[: -len(s)] in paths for s in COMPRESSED)
    }


def start_worker(jobs: list[Job], site: Path, *, every: bool) -> Any:
    """Fork a process that makes and writes the static files (with their copies, of every
    text file when every: see compress.StagingWriter); join it before finishing."""
    process = multiprocessing.get_context("fork").Process(
        target=_make_files, args=(os.getpid(), jobs, site, every)
    )
    process.start()
    return process


def _make_files(parent: int, jobs: list[Job], site: Path, every: bool) -> None:
    die_with_parent(parent)
    make_files(jobs, site, every=every)


def make_files(jobs: list[Job], site: Path, *, every: bool) -> None:
    """Make each job's file and write it into site (with its copies: see StagingWriter)."""
    writer = StagingWriter(site, every=every)
    for path, make, args in jobs:
        data = make(*args)
        if isinstance(data, bytes):
            writer.write(path, data)  # NOTE: its .gz too, while MkDocs renders
        elif isinstance(data, dict):  # files with the copies they have (see deferred_file)
            for rel, content in data.items():
                writer.write(rel, content, copies=False)


def as_is(data: bytes) -> bytes:
    """A file made already, for the worker to write (with its copies)."""
    return data


def with_own_copies(path: str, data: bytes) -> dict[str, bytes]:
    """A file made already whose copies are made already too, for the worker to write as it is."""
    return {path: data}


def deferred_file(path: str, data: bytes, files: Mapping[str, bytes]) -> Job:
    """The worker's job of writing a file made already, one of files: with its copies, unless
    they are among files (a download's CSV and JSON: their .gz is joined from the village's
    cached parts, and gzipping the whole file again, only to be written over, was wasted)."""
    if any(f"{path}{suffix}" in files for suffix in COMPRESSED):
        return path, with_own_copies, (path, data)
    return path, as_is, (data,)


def last_commit_date(base_dir: Path) -> str:
    """The date the records last changed (YYYY-MM-DD), or "" when nothing says."""
    day = commit_day(base_dir)
    return day.isoformat() if day is not None else ""


def site_key(base_dir: Path, config: MkDocsConfig, assets: dict[str, tuple[str, bytes]]) -> str:
    """What every page's output depends on beyond its own records: theme, config, content."""
    inputs = site_inputs(
        Path(config.config_file_path or base_dir / "mkdocs.yml"),
        Path(config.docs_dir),
        publication_log(base_dir, config),  # period pages and sheets show its heads
    )
    versions = f"{config.site_url}" + "".join(f"\0{path}" for path, _ in sorted(assets.values()))
    return hashlib.sha256(f"{inputs}\0{versions}".encode()).hexdigest()


def site_inputs(config_file: Path, docs_dir: Path, log_file: Path | None) -> str:
    """The hash of the files every page depends on beyond the records (mkdocs.yml, the
    hand-written pages, the publication log), with the builder's code and the theme's
    versions: the part of site_key known before the configuration is loaded."""
    import material
    import mkdocs

    parts: list[Path | None] = [config_file]
    parts += sorted(p for p in docs_dir.rglob("*") if p.is_file())
    parts.append(log_file)
    return f"{mkdocs.__version__}\0{material.__version__}\0{files_hash(parts)}"


def is_material_asset(file: File, material: Path) -> bool:
    """Whether file is Material's JavaScript or stylesheet (not a county's own file there)."""
    source = file.abs_src_path
    if not file.src_uri.startswith((MATERIAL_SCRIPTS, MATERIAL_STYLES)) or source is None:
        return False
    return Path(source).is_relative_to(material)


def site_assets(docs_dir: Path) -> dict[str, tuple[str, bytes]]:
    """The site's stylesheet and search script: {name: (content-hashed site path, bytes)}."""
    material = Path(material_templates_dir())
    sources = [material / part for part in MATERIAL_PARTS]
    sources += template_sources([THEME_OVERRIDES, TEMPLATES_DIR, ASSETS, docs_dir])
    sources.append(FRAGMENTS)
    out: dict[str, tuple[str, bytes]] = {}
    for name, parts in ASSET_FILES.items():
        content = b"".join((ASSETS / part).read_bytes() for part in parts)
        if name.endswith(".css"):
            content = site_stylesheet(material, sources, content)
        elif name.endswith(".js"):  # comments and blanks off: a third of each script
            content = rjsmin.jsmin(content.decode("utf-8")).encode("utf-8")
        out[name] = (f"assets/{hashed_name(name, content)}", content)
    # a page type read first and often (the period page, from the QR code) gets a stylesheet of
    # the rules its own template, partials and scripts can use: a first visit's bytes
    ours = b"".join((ASSETS / part).read_bytes() for part in ASSET_FILES["sunlight.css"])
    for template, name in sorted(PAGE_STYLESHEETS.items()):
        own = [material / part for part in MATERIAL_PARTS] + template_sources([THEME_OVERRIDES])
        own += [*page_sources(TEMPLATES_DIR, template, ASSETS), FRAGMENTS]
        content = site_stylesheet(material, own, ours, markdown=False)
        out[name] = (f"assets/{hashed_name(name, content)}", content)
    return out


def cached_site_assets(docs_dir: Path, cache: BuildCache | None) -> dict[str, tuple[str, bytes]]:
    """site_assets(docs_dir), from the cache when none of the files it reads changed (reducing
    Material's stylesheet takes seconds, and every shard of every build needs it)."""
    if cache is None:
        return site_assets(docs_dir)
    material = Path(material_templates_dir())
    inputs = [material / part for part in MATERIAL_PARTS]
    inputs += template_sources([THEME_OVERRIDES, TEMPLATES_DIR, ASSETS, docs_dir])
    inputs.append(FRAGMENTS)
    inputs += sorted((material / "assets" / "stylesheets").glob("*.css"))
    inputs += sorted(p for p in ASSETS.rglob("*") if p.is_file())
    key = files_hash(inputs)  # NOTE: with the builder's own code (cache.code_hash)
    hit = cache.load("assets", key)
    if isinstance(hit, dict):
        return hit
    assets = site_assets(docs_dir)
    cache.save("assets", key, assets)
    return assets


def material_templates_dir() -> str:
    """Where Material's templates and static files are installed."""
    import material

    return str(Path(material.__file__).resolve().parent / "templates")


def output_path(src_uri: str) -> str:
    """Where MkDocs writes a generated page (directory URLs: a/b/index.md -> a/b/index.html)."""
    return src_uri[: -len(".md")] + ".html"


def publication_log(base_dir: Path, config: MkDocsConfig) -> Path | None:
    """The publication log the sunlight plugin's villages folder sits beside, if any."""
    plugin = config.plugins.get("sunlight")
    villages = Path(getattr(getattr(plugin, "config", None), "villages_dir", "villages"))
    path = (base_dir / villages).resolve().parent / "publication-log.jsonl"
    return path if path.is_file() else None
