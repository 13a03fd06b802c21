"""The MkDocs side: a plugin that adds the generated pages, and a safe build around MkDocs.

`mkdocs build` with this plugin builds the whole site by itself (so the generator can be
swapped: the pages are plain Markdown files with front matter). `build_site()` adds what a
publisher needs on top: build into a staging folder, replace `site/` only when every step
succeeded, and take dates from the last commit rather than the clock. Only this module imports
MkDocs.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .errors import BuilderError
from .problems import Severity, format_problem
from .render import Rendered, render_county
from .search import build_search_index
from .validate import Result, validate

log = logging.getLogger("mkdocs.plugins.sunlight")
ASSETS = Path(__file__).resolve().parent / "assets"
# NOTE: one stylesheet (ours + the search widget's) saves a request on every first visit.
ASSET_FILES = {"sunlight.css": ("sunlight.css", "search.css"), "search.js": ("search.js",)}


class SunlightConfig(base.Config):  # type: ignore[no-untyped-call]
    villages_dir = c.Dir(exists=True, default="villages")


class SunlightPlugin(BasePlugin[SunlightConfig]):  # type: ignore[no-untyped-call]
    """Check the records, then add every village's pages, QR images and the search index."""

    def __init__(self) -> None:
        self.preloaded: Result | None = None
        self.rendered: Rendered | None = None
        self.fast_html = True
        self.pending: dict[str, str] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        villages = Path(self.config.villages_dir)
        base_dir = Path(config.config_file_path or ".").resolve().parent
        result = self.preloaded or validate(villages, base_dir)
        errors = [p for p in result.report.sorted() if p.severity is Severity.ERROR]
        if errors or result.county is None:
            for p in errors:
                log.error(format_problem(p))
            raise PluginError(
                f"记录有 {len(errors)} 个错误，未生成网站。请先运行 sunlight check。 / "
                f"{len(errors)} errors in the records; nothing was built."
            )
        county = result.county
        config.site_name = county.site_title
        config.site_url = county.site_url
        self.rendered = render_county(county, updated=last_commit_date(base_dir))
        return config

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
        for src_uri, markdown in sorted(self.rendered.pages.items()):
            files.append(File.generated(config, src_uri, content=markdown))
        for src_uri, data in sorted(self.rendered.files.items()):
            files.append(File.generated(config, src_uri, content=data))
        for name, parts in ASSET_FILES.items():
            content = b"".join((ASSETS / part).read_bytes() for part in parts)
            files.append(File.generated(config, f"assets/{name}", content=content))
        return files

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.rendered is not None
        stats = build_search_index(self.rendered.search_docs, Path(config.site_dir) / "search")
        log.info(f"search index: {stats}")


def last_commit(base_dir: Path) -> int | None:
    """Unix time of the last commit, or None outside git."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=base_dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(out) if out else None


def last_commit_date(base_dir: Path) -> str:
    """The date the records last changed (YYYY-MM-DD, UTC+8 as villagers read it)."""
    import datetime as dt

    ts = last_commit(base_dir)
    if ts is None:
        env = os.environ.get("SOURCE_DATE_EPOCH")
        ts = int(env) if env and env.isdigit() else None
    if ts is None:
        return ""
    china = dt.timezone(dt.timedelta(hours=8))
    return dt.datetime.fromtimestamp(ts, china).date().isoformat()


def build_site(
    config_file: Path, site_dir: Path, *, preloaded: Result | None = None, strict: bool = True
) -> None:
    """Build into a staging folder beside site_dir; swap it in only when all went well."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    base_dir = config_file.resolve().parent
    ts = last_commit(base_dir)
    if ts is not None:  # NOTE: MkDocs stamps sitemap.xml and its gzip header from this
        os.environ["SOURCE_DATE_EPOCH"] = str(ts)
    elif "SOURCE_DATE_EPOCH" not in os.environ:
        os.environ["SOURCE_DATE_EPOCH"] = "0"
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-staging-", dir=site_dir.parent))
    cwd = Path.cwd()
    try:
        os.chdir(base_dir)
        config = load_config(str(config_file), strict=strict, site_dir=str(staging))
        plugin = config.plugins.get("sunlight")
        if isinstance(plugin, SunlightPlugin):
            plugin.preloaded = preloaded
        build(config)
    except (Abort, PluginError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuilderError(
            "网站没有生成，原有网站保持不变。",
            f"The site was not built ({exc}); the previous site is unchanged.",
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.chdir(cwd)
    swap_in(staging, site_dir)


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
        shutil.rmtree(old, ignore_errors=True)


def serve_site(config_file: Path, dev_addr: str) -> None:
    """Live preview for clerks: rebuilds on every change to records, templates or content."""
    from mkdocs.commands.serve import serve

    serve(
        str(config_file),
        dev_addr=dev_addr,
        livereload=True,
        watch=[str(config_file.parent / "villages"), str(config_file.parent / "site_templates")],
    )
