"""Render the model into pages: {page path: Markdown}, plus search documents and QR images.

Every page is Markdown whose body is one block of HTML written by Jinja2 with autoescaping on,
so record text is always text: it can never become a tag, a link, an image or Markdown.
Templates never check and never add up: totals come from `model.py`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from builder import model
from builder.audit import tlog
from builder.audit.fingerprint import (
    DOMAIN,
    DOMAIN_V2,
    canonical_both,
    display,
    encode,
    fingerprint_of,
    period_meetings,
    period_url,
)
from builder.format import schema
from builder.format.opendata import TABLES
from builder.format.values import yuan
from builder.pipeline.cache import BuildCache
from builder.publish import feeds, fragments, opendata
from builder.publish.charts import Chart, Timeline, period_charts
from builder.publish.rollup import (
    ONTIME_KINDS,
    cadence_text,
    county_rollup,
    ontime_table,
    town_rollup,
)
from builder.publish.search import SearchDoc, mount_html
from builder.publish.sidebar import shared_segments
from builder.rules import LEVEL_ZH, LEVELS, RULES, STATUS_ZH, Unit, publication_units

# NOTE: builder/site_templates: a symlink to the top-level site_templates/ in the repository,
# real files in the wheel.
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "site_templates"


@dataclass
class RenderedVillage:
    """What a village contributed to the last build: page and file paths, search documents."""

    pages: list[str]
    files: list[str]
    search_docs: list[Any]
    signature: str = ""
    # NOTE: as the build cache keeps it, its documents' text is apart (kind "search-text"):
    # a county's 35 million characters, loaded again by every rebuild, for a search index
    # whose villages' postings are cached anyway (shards.assembled_postings)
    text_apart: bool = False


@dataclass
class Rendered:
    """What the renderer gives the site: pages, binary files and search documents."""

    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    search_docs: list[SearchDoc] = field(default_factory=list)
    # pages and files left as the last build wrote them (see cache.py), by site path
    reused_pages: list[str] = field(default_factory=list)
    reused_files: list[str] = field(default_factory=list)
    villages: dict[str, RenderedVillage] = field(default_factory=dict)
    reused_villages: set[str] = field(default_factory=set)  # URLs of villages taken as they were
    county: model.County | None = None  # what was rendered (the audit pages need it too)


def relative(from_url: str, to_url: str) -> str:
    """A link from one page (directory URL) to another path, relative so any subpath works."""
    start = posixpath.dirname(from_url.rstrip("/") + "/index.html") if from_url else "."
    target = to_url or "."
    rel = relpath(target, start or ".")
    if (to_url.endswith("/") or to_url == "") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel


def relpath(path: str, start: str) -> str:
    """posixpath.relpath(path, start) for two relative paths, without its two calls for the
    working directory (a page's links made a tenth of its rendering time); paths that
    climb (..) or start at the root go to posixpath.relpath itself."""
    if path.startswith("/") or start.startswith("/"):
        return posixpath.relpath(path, start)
    to = [part for part in path.split("/") if part and part != "."]
    here = [part for part in start.split("/") if part and part != "."]
    if ".." in to or ".." in here:
        return posixpath.relpath(path, start)
    common = shared_segments(to, here)
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def make_env(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja2 environment: autoescape everywhere, undefined names fail loudly."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # NOTE: a renderer lives for one build, which never sees a template change: no stat
        # of the template's file on every page (a preview makes a new renderer on each save)
        auto_reload=False,
    )
    env.filters["yuan"] = yuan
    env.filters["masked"] = model.mask_name
    env.filters["css_string"] = css_string
    env.filters["plain_where"] = plain_where
    # the long, repeated parts of period pages and print sheets (publish/fragments.py)
    env.globals.update(
        {
            name: getattr(fragments, name)
            for name in (
                "ledger_rows",
                "account_rows",
                "assistance_rows",
                "affair_sections",
                "sheet_ledger_rows",
                "sheet_account_rows",
                "sheet_assistance_rows",
                "sheet_affair_sections",
                "chart_figures",
            )
        }
    )
    return env


# the site's scripts a page may load, by name (site.py gives their content-hashed paths)
ASSET_NAMES = ("search.js", "verify.js")
# page types with a stylesheet of their own (publish/css.py: the rules that template can use)
PAGE_STYLESHEETS = {"period.html": "period.css"}
# what a record file is called on villagers' pages (never its path)
RECORD_NAMES = {
    "ledger.csv": "收支明细",
    "assistance.csv": "救助公示",
    "disclosure.yml": "公开信息",
    "contracts.csv": "合同登记",
    "decisions.yml": "四议两公开记录",
    "topics.yml": "点题记录",
    "village.yml": "村基本情况",
    "powers.yml": "小微权力清单",
    "meetings.yml": "会议记录",
}


def plain_where(where: Any) -> str:
    """A flag's place in plain words: "2026-10 收支明细第 3 笔" for ledger.csv line 4, not a
    clerk's file path (which stays in `sunlight check`, for the clerk)."""
    path = str(getattr(where, "path", where))
    line = getattr(where, "line", None)
    parts = path.split("/")
    name = RECORD_NAMES.get(parts[-1], "记录")
    period = parts[-2] if len(parts) > 1 and parts[-2][:4].isdigit() else ""
    unit = "笔" if parts[-1] == "ledger.csv" else "条"
    row = f"第 {line - 1} {unit}" if line and line > 1 and parts[-1].endswith(".csv") else ""
    return " ".join(p for p in (period, name + row) if p)


def css_string(text: str) -> Markup:
    """text as the inside of a CSS string in a <style> block: every character that could end
    the string, the block or the rule is written as a CSS escape."""
    return Markup("".join(c if c.isalnum() or c in " -" else f"\\{ord(c):x} " for c in text))


def front_matter(title: str, **extra: Any) -> str:
    """YAML front matter written as JSON values, which YAML reads back exactly; none at all
    when there is nothing to say (an empty `---` pair is not front matter to MkDocs: it
    printed "--- ---" above the home page's title)."""
    fields = {"title": title, **extra}
    lines = [f"{key}: {_json_value(value)}" for key, value in fields.items() if value]
    return "\n".join(["---", *lines, "---"]) + "\n\n" if lines else ""


# characters YAML does not read back raw in a quoted value (DEL and C1 controls, NEL among
# them, which it folded into a space; the byte-order mark): JSON's escapes for them, which
# YAML reads as the same characters (JSON escapes C0 controls by itself)
_RAW_TO_YAML = re.compile("[\x7f-\x9f\ufeff]")
# a field's name as front_matter writes it (a Python keyword argument's)
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _json_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return _RAW_TO_YAML.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def read_front_matter(text: str) -> tuple[str, dict[str, Any]] | None:
    """(body, fields) of a page front_matter began, as MkDocs' YAML reader gives them, read as
    the JSON each line holds (a fiftieth of the time); None for a text front_matter did not
    write, which that reader is left to read."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end < 0:
        return None
    fields: dict[str, Any] = {}
    for line in text[4:end].split("\n"):
        key, colon, value = line.partition(": ")
        if not colon or not _FIELD.fullmatch(key) or key in fields:
            return None
        try:
            fields[key] = json.loads(value)
        except ValueError:
            return None
    return text[end + 5 :].lstrip("\n"), fields


class Renderer:
    """Render one county; `page` renders one template for one URL."""

    def __init__(
        self,
        county: model.County,
        *,
        updated: str = "",
        templates_dir: Path = TEMPLATES_DIR,
        reuse: Callable[[model.Village], RenderedVillage | None] | None = None,
        selected: Callable[[model.Village], bool] | None = None,
        assets: dict[str, str] | None = None,
        county_files: bool = True,
    ) -> None:
        self.county = county
        # NOTE: False in every shard but the first: the county's downloads and feeds are the
        # same in each shard and the largest files of a site, so one shard writes them (every
        # shard still renders the county's pages, which the navigation and links point at)
        self.county_files = county_files
        # False: the county's download folder is not made here (build.build_site makes it)
        self.county_downloads = True
        # logical asset name -> its content-hashed site path (site.py); plain names otherwise
        self.assets = assets or {}
        self.reuse = reuse
        # the villages whose pages this build renders (a shard's); None: every village
        self.selected = selected
        # (path, function, args) of static files left for a worker process (see site.py)
        self.deferred: list[tuple[str, Callable[..., object], tuple[Any, ...]]] | None = None
        self.updated = updated
        self.env = make_env(templates_dir)
        self.out = Rendered(county=county)
        self.flags = flags_by_village(county)
        # each period's logged versions and tree heads (publication log), for sheets and pages
        self.log: tlog.LogView | None = None
        # where the county's downloads find each village's part (opendata.county_parts): the
        # parts of the villages rendered here, by URL, then the cache
        self.parts: dict[str, opendata.Part] = {}
        self.cache: BuildCache | None = None

    def page(
        self,
        out: Rendered,
        url: str,
        template: str,
        title: str,
        description: str = "",
        feed: tuple[str, str] | None = None,
        **context: Any,
    ) -> None:
        """Render one template as the page at url, into out; description: what a link shared
        in WeChat shows under the title (<meta name="description">); feed: (site path, title)
        of the Atom feed the page's head links (<link rel="alternate">)."""

        def link(to: str) -> str:
            return relative(url, to)

        body = self.env.get_template(template).render(
            county=self.county,
            url=url,
            link=link,
            root=relative(url, ""),
            assets={**{name: f"assets/{name}" for name in ASSET_NAMES}, **self.assets},
            # NOTE: the home page alone shows it: a village's stored pages do not depend on the
            # day of the last commit (site.site_key leaves it out)
            updated=self.updated if url == "" else "",
            **context,
        )
        body = "\n".join(line for line in body.split("\n") if line.strip())
        stylesheet = self.assets.get(PAGE_STYLESHEETS.get(template, ""), "")
        extra = {"feed": relative(url, feed[0]), "feed_title": feed[1]} if feed else {}
        matter = front_matter(title, description=description, stylesheet=stylesheet, **extra)
        out.pages[url + "index.md"] = matter + body + "\n"

    def search_box(self, url: str, scope: str | None = None, label: str = "") -> Markup:
        """The search form for a page; scoped to a village's pages where given."""
        return Markup(
            mount_html(
                relative(url, "search/"),
                relative(url, ""),
                relative(url, self.assets.get("search.js", "assets/search.js")),
                scope=scope,
                scope_label=label,
            )
        )

    def render(self) -> Rendered:
        county = self.county
        # NOTE: no title of its own: the theme then titles the home page with the site's name
        rows, total = county_rollup(county, self.flags)
        self.page(
            self.out,
            "",
            "home.html",
            "",
            feed=("feed.xml", feeds.title(county)),
            towns=county.towns,
            search=self.search_box(""),
            rollup_rows=rows,
            rollup_sum=total,
            description=f"{county.name}各村（社区）的党务、村务、财务公开。扫村里公开栏上的二维码，"
            "或在这里找到本村，查看每月收支明细。",
        )
        self.out.search_docs.append(SearchDoc("", county.site_title, "首页", county.name))
        self.page(
            self.out,
            "search/",
            "search.html",
            "搜索",
            search=self.search_box("search/"),
            description=f"在{county.name}各村的公开内容中查找：收支、低保、合同、村务。",
        )
        self.page(
            self.out,
            "status/",
            "status.html",
            "公开情况和监督提示",
            description=f"{county.name}各村是否按时公开，以及从记录中算出的监督提示。",
            as_of=county.as_of,
            table=status_table(county, self.flags),
            status_zh=STATUS_ZH,
            recent=RECENT_UNITS,
        )
        towns, on_time = ontime_table(county, self.flags)
        self.page(
            self.out,
            "ontime/",
            "ontime.html",
            "三务按时公开",
            as_of=county.as_of,
            towns=towns,
            on_time=on_time,
            kinds=ONTIME_KINDS,
            county_cadence=cadence_text(county.parameters),
            villages=sum(len(t.villages) for t in county.towns),
            zip=zip,
        )
        if self.county_files:
            self.county_feeds()
        for town in county.towns:
            self.render_town(town)
        # after the villages: the counts of this shard's come from the parts they made
        self.page(
            self.out,
            opendata.COUNTY_FOLDER,
            "data.html",
            "数据下载",
            tables=TABLES,
            counts=opendata.row_counts(county, self.cache, self.parts),
            folder=opendata.COUNTY_FOLDER,
            village=None,
            town=None,
        )
        # NOTE: 300 MB at county scale: joined and written by the worker while MkDocs renders,
        # last of its jobs. It joins the parts this shard's villages made (self.parts) and the
        # other shards' from self.cache, where they keep theirs as they render: by the time the
        # worker gets here they have; a part not found is made again (the same bytes). A
        # build on one machine makes them itself while it merges (county_downloads False).
        if self.county_files and self.county_downloads:
            self.files(
                self.out,
                opendata.COUNTY_FOLDER,
                opendata.county_downloads,
                county,
                self.cache,
                self.parts,
            )
        return self.out

    def county_feeds(self) -> None:
        """The county's feed and each town's."""
        county = self.county
        for town in county.towns:
            self.out.files[f"{town.slug}/feed.xml"] = feeds.atom(
                f"{county.site_url}{town.slug}/feed.xml",
                f"{county.site_url}{town.slug}/",
                feeds.title(county, town),
                feeds.newest_entries(
                    county.site_url, ((town, v) for v in town.villages), feeds.TOWN_ENTRIES
                ),
            )
        self.out.files["feed.xml"] = feeds.atom(
            f"{county.site_url}feed.xml",
            county.site_url,
            feeds.title(county),
            feeds.newest_entries(
                county.site_url,
                ((town, v) for town in county.towns for v in town.villages),
                feeds.COUNTY_ENTRIES,
            ),
        )

    def render_town(self, town: model.Town) -> None:
        url = f"{town.slug}/"
        rows, total = town_rollup(town, self.flags)
        self.page(
            self.out,
            url,
            "town.html",
            town.name,
            feed=(f"{town.slug}/feed.xml", feeds.title(self.county, town)),
            town=town,
            rollup_rows=rows,
            rollup_sum=total,
            description=f"{town.name}各村（社区）的三务公开：最新一期和公开日期。",
            flag_rows=town_flag_rows(town, self.flags),
            levels=LEVEL_ZH,
            rule_titles={rid: r.title for rid, r in RULES.items()},
        )
        self.out.search_docs.append(
            SearchDoc(
                url,
                town.name,
                self.county.name,
                " ".join([town.name] + [v.name for v in town.villages]),
            )
        )
        for village in town.villages:
            if self.selected is None or self.selected(village):
                self.render_village(town, village)

    def render_village(self, town: model.Town, village: model.Village) -> None:
        """Render a village's pages, or reuse the last build's when nothing they show changed."""
        hit = self.reuse(village) if self.reuse is not None else None
        if hit is not None:
            self.out.reused_pages.extend(hit.pages)
            self.out.reused_files.extend(hit.files)
            self.out.search_docs.extend(hit.search_docs)
            self.out.villages[village.url] = hit
            self.out.reused_villages.add(village.url)
            return
        rendered = self.village_pages(town, village)
        self.out.pages.update(rendered.pages)
        self.out.files.update(rendered.files)
        self.out.search_docs.extend(rendered.search_docs)
        self.out.villages[village.url] = RenderedVillage(
            list(rendered.pages), list(rendered.files), rendered.search_docs, village.signature
        )

    def village_pages(self, town: model.Town, village: model.Village) -> Rendered:
        """Render one village's pages, files and search documents."""
        out = Rendered(county=self.county)
        from builder.publish.qr import qr_png, qr_svg

        url = village.url
        abs_url = self.county.site_url + url
        self.page(
            out,
            url,
            "village.html",
            f"{village.name}（{town.name}）",
            feed=(f"{url}feed.xml", feeds.title(self.county, town, village)),
            town=town,
            village=village,
            abs_url=abs_url,
            search=self.search_box(url, url, village.name),
            chart_list=period_charts(village, village.latest) if village.latest else [],
            households=current_households(village),
            phone_lines=list(dict.fromkeys(village.channels.hotlines + self.county.contacts)),
            description=village_description(town, village),
            **self.supervision(village),
        )
        for name, title, items in (
            ("contracts", "合同", village.contracts),
            ("decisions", "四议两公开", village.decisions),
            ("topics", "点题公开", village.topics),
            ("meetings", "会议记录", village.meetings),
        ):
            if items:
                out.search_docs.append(
                    SearchDoc(
                        f"{url}{name}/",
                        f"{village.name} {title}",
                        town.name,
                        register_text(village, name),
                    )
                )
                self.page(
                    out,
                    f"{url}{name}/",
                    f"{name}.html",
                    f"{village.name}{title}",
                    description=f"{town.name}{village.name}的{title}，共 {len(items)} 项。",
                    town=town,
                    village=village,
                    step_names=schema.STEP_NAMES,
                    **self.supervision(village),
                )
        self.page(
            out,
            url + "qr/",
            "qr.html",
            f"{village.name}二维码",
            description=f"{village.name}三务公开的二维码和公开栏海报。",
            town=town,
            village=village,
            abs_url=abs_url,
            contacts=list(dict.fromkeys(village.channels.hotlines + self.county.contacts)),
        )
        part = self.parts[url] = opendata.kept_part(town, village, self.cache)
        title = f"{town.name}{village.name}三务公开数据"
        folder = opendata.village_folder(url)
        out.files.update(
            opendata.folder_files(folder, village.code, title, self.county.site_url, [part])
        )
        self.page(
            out,
            folder,
            "data.html",
            f"{village.name}数据下载",
            tables=TABLES,
            counts={table.name: n for table, n in zip(TABLES, part.counts, strict=True)},
            folder=folder,
            village=village,
            town=town,
        )
        self.file(out, url + "feed.xml", self.village_feed, town, village)
        self.file(out, url + "card/index.html", self.card, town, village, abs_url)
        self.file(out, url + "qr/qr.svg", qr_svg, abs_url)
        self.file(out, url + "qr/qr.png", qr_png, abs_url)
        pl = village.power_list
        out.search_docs.append(
            SearchDoc(
                url,
                village.name,
                town.name,
                " ".join(
                    [village.name, town.name]
                    + [p.name + " " + p.category for p in pl.powers]
                    + [n.text for n in pl.negative]
                    + [s.name for s in pl.services]
                ),
            )
        )
        periods = list(village.newest_first())
        timeline = Timeline.of(village)
        for i, period in enumerate(periods):
            newer = periods[i - 1] if i > 0 else None
            older = periods[i + 1] if i + 1 < len(periods) else None
            purl = f"{url}{period.period}/"
            # NOTE: once, both forms from one reading: the fingerprint and the check file
            record, record_v1 = canonical_both(village, period)
            fp = fingerprint_of(record)
            check = self.check_file(out, purl, village, period, record, record_v1)
            self.page(
                out,
                purl,
                "period.html",
                f"{village.name} {period.period} 三务公开",
                town=town,
                village=village,
                p=period,
                newer=newer,
                older=older,
                fp=fp,
                fp_display=display(fp),
                check=check,
                domain=DOMAIN_V2.rstrip(b"\0").decode(),
                versions=self._versions(village, period),
                contacts=list(dict.fromkeys(village.channels.hotlines + self.county.contacts)),
                topics=[t for t in village.topics if t.period == period.period],
                meetings=period_meetings(village, period),
                chart_list=self.chart_files(out, purl, period_charts(village, period, timeline)),
                description=period_description(village, period),
                **self.supervision(village, period.period),
            )
            self.file(out, purl + "print/index.html", self.sheet, town, village, period, fp)
            out.search_docs.append(
                SearchDoc(
                    purl,
                    f"{village.name} {period.period}",
                    f"{town.name} · 公开于 {period.published_at.isoformat()}",
                    period_text(village, period),
                )
            )
        return out

    def check_file(
        self,
        out: Rendered,
        purl: str,
        village: model.Village,
        period: model.Period,
        record: bytes,
        record_v1: bytes,
    ) -> str:
        """The data the period page's check (assets/verify.js) fetches when it runs, kept out of
        the page so a first visit stays light:
        `{"domain_v1":…,"logged":…,"proofs":…,"record":…,"record_v1":…}` in canonical JSON: the
        period's logged versions (what a mismatch lists), the RFC 9162 proofs of their inclusion,
        the v2 record's bytes verbatim (what the fingerprint hashes, after the page's
        data-domain) and the v1 record's bytes verbatim with their domain, so that a sheet
        printed with a v1 fingerprint keeps verifying. Named by a hash of its bytes, so a phone
        never keeps a stale copy; the file's name, relative to the page. record, record_v1: the
        period's canonical v2 and v1 bytes (fingerprint.canonical_both)."""
        versions = self._versions(village, period)
        proofs = base64.b64decode(self.log.evidence(versions)) if self.log else b"null"
        # the logged versions the mismatch message lists (the page keeps only the hotlines)
        logged = [
            {
                "fp": v.fingerprint,
                "seq": v.seq,
                "when": v.published_at,
                "what": "首次公开" if i == 0 else f"更正后重新公开（第 {v.corrections} 次更正）",
            }
            for i, v in enumerate(versions)
        ]
        data = (
            b'{"domain_v1":'
            + encode(DOMAIN.rstrip(b"\0").decode())
            + b',"logged":'
            + encode(logged)
            + b',"proofs":'
            + proofs
            + b',"record":'
            + record
            + b',"record_v1":'
            + record_v1
            + b"}"
        )
        name = f"check.{hashlib.sha256(data).hexdigest()[:10]}.json"
        out.files[purl + name] = data
        return name

    def chart_files(self, out: Rendered, purl: str, chart_list: list[Chart]) -> list[Chart]:
        """Each chart as its own static .svg beside the period page (the page shows it with a
        lazy `<img>` and keeps the same figures as a table), so the first visit stays light."""
        for chart in chart_list:
            out.files[purl + chart.file_name] = chart.svg.encode()
        return chart_list

    def _versions(self, village: model.Village, period: model.Period) -> tuple[tlog.Version, ...]:
        """The period's logged versions, oldest first."""
        return self.log.versions.get((village.code, period.period), ()) if self.log else ()

    def file(self, out: Rendered, path: str, make: Callable[..., bytes], *args: Any) -> None:
        """A static file (QR code, print sheet): made now, or listed for a worker to make."""
        if self.deferred is None:
            out.files[path] = make(*args)
        else:
            out.files[path] = b""  # NOTE: placeholder; site.py writes the real bytes
            self.deferred.append((path, make, args))

    def files(
        self, out: Rendered, folder: str, make: Callable[..., dict[str, bytes]], *args: Any
    ) -> None:
        """Static files under folder, each with its compressed copies where it has any
        ({path: bytes}, the copies among them): made now, or listed for a worker to make."""
        if self.deferred is None:
            out.files.update(make(*args))
        else:
            self.deferred.append((folder, make, args))

    def card(self, town: model.Town, village: model.Village, abs_url: str) -> bytes:
        """The village's 明白卡: one A4 sheet for every household, folding to A5."""
        from builder.publish.qr import qr_svg

        svg = qr_svg(abs_url).decode("ascii").split("\n", 1)[1].strip()
        pl = village.power_list
        # the fuller panel decides the type size: services left, powers, bans and phones right
        lines = max(7 + 2.2 * len(pl.services), 12 + 1.3 * len(pl.powers) + len(pl.negative))
        size = next((s for s in (11, 10, 9, 8) if lines * s * 1.4 * 0.353 <= 190), 7)
        html = self.env.get_template("card.html").render(
            county=self.county,
            town=town,
            village=village,
            qr=Markup(svg),
            size=size,
            contacts=list(dict.fromkeys(village.channels.hotlines + self.county.contacts)),
        )
        return html.encode("utf-8")

    def village_feed(self, town: model.Town, village: model.Village) -> bytes:
        """The village's Atom feed of new and corrected periods."""
        site = self.county.site_url
        return feeds.atom(
            f"{site}{village.url}feed.xml",
            f"{site}{village.url}",
            feeds.title(self.county, town, village),
            feeds.village_entries(site, town, village),
        )

    def supervision(self, village: model.Village, period: str | None = None) -> dict[str, Any]:
        """What a page needs to show a village's (or one period's) flags."""
        flags = self.flags.get((village.town_slug, village.slug), [])
        if period is not None:
            flags = [f for f in flags if f.period == period]
        here = f"{village.url}{period}/" if period else ""

        def target(f: model.Flag) -> str:
            to = flag_target(village, f)
            return "" if here and to.startswith(here) else to  # no link to the page itself

        return {"flags": flags, "rules": RULES, "levels": LEVEL_ZH, "target": target}

    def sheet(
        self, town: model.Town, village: model.Village, period: model.Period, fp: str
    ) -> bytes:
        """The period's printable noticeboard sheet: a standalone page with its QR code."""
        from builder.publish.qr import qr_svg

        url = period_url(self.county, village, period, fp)
        logged = [v for v in self._versions(village, period) if v.fingerprint == fp]
        head = logged[-1].head if logged else None
        if head is not None:  # the tree head the sheet's version was included in
            url += f"&t={head.size}-{head.short}"
        svg = qr_svg(url).decode("ascii").split("\n", 1)[1].strip()  # inline: no XML prolog
        html = self.env.get_template("sheet.html").render(
            county=self.county,
            town=town,
            village=village,
            p=period,
            fp_display=display(fp),
            qr=Markup(svg),
            verify_url=url,
            head=head,
            contacts=list(dict.fromkeys(village.channels.hotlines + self.county.contacts)),
            topics=[t for t in village.topics if t.period == period.period],
            running=f"{town.name} {village.name} {period.year}年{period.month}月 三务公开",
        )
        return html.encode("utf-8")


RECENT_UNITS = 6  # periods shown per village on the county status page
MONTHLY_AID = ("低保", "特困")  # paid every month: the village page lists who receives them now
STOPPED = "已停发"


def current_households(village: model.Village) -> list[tuple[str, model.AssistanceRow]]:
    """The 低保 and 特困 households a village pays now: each one's latest notice (period, row),
    unless that notice says the payment stopped; newest notice first."""
    latest: dict[tuple[str, str, str], tuple[str, model.AssistanceRow]] = {}
    for period in village.newest_first():
        for row in period.assistance:
            key = (row.category, row.name, row.group)
            if row.category in MONTHLY_AID and key not in latest:
                latest[key] = (period.period, row)
    return [entry for entry in latest.values() if entry[1].status != STOPPED]


def village_description(town: model.Town, village: model.Village) -> str:
    """What a shared link to the village's page says (<meta name="description">)."""
    latest = f"最新：{village.latest.year}年{village.latest.month}月。" if village.latest else ""
    return (
        f"{town.name}{village.name}的三务公开：每月收支明细、村务和党务、救助公示、"
        f"小微权力清单和投诉电话。{latest}"
    )


def period_description(village: model.Village, period: model.Period) -> str:
    """What a shared link to a month's page says: the month's totals in plain words."""
    return (
        f"{village.name}{period.year}年{period.month}月三务公开：本月收入 {yuan(period.income)} 元，"
        f"支出 {yuan(period.expense)} 元，月末余额 {yuan(period.closing.total)} 元，"
        f"收支明细 {len(period.ledger)} 笔。"
    )


def flags_by_village(county: model.County) -> dict[tuple[str, str], list[model.Flag]]:
    """The county's flags by (town, village), in report order.

    R24's flags (the relatives roster) appear only where the county or town turned
    `relatives_on_site` on, and then only in their neutral wording (rules/relief.py).
    """
    shown = {
        (town.slug, v.slug)
        for town in county.towns
        for v in town.villages
        if v.parameters.relatives_on_site
    }
    out: dict[tuple[str, str], list[model.Flag]] = {}
    for f in county.flags:
        if f.rule == "R24" and (f.town, f.village) not in shown:
            continue
        out.setdefault((f.town, f.village), []).append(f)
    return out


TownFlagRow = tuple[model.Village, int, dict[str, int], list[tuple[str, int]]]


def town_flag_rows(
    town: model.Town, flags: dict[tuple[str, str], list[model.Flag]]
) -> list[TownFlagRow]:
    """A town's villages by open flags, where to look first: the most errors, then the most
    flags; each with its count per level and per rule (rules in number order)."""
    rows: list[TownFlagRow] = []
    for village in town.villages:
        mine = flags.get((town.slug, village.slug), [])
        levels = {lv: sum(1 for f in mine if f.severity == lv) for lv in LEVELS}
        per: dict[str, int] = {}
        for f in mine:
            per[f.rule] = per.get(f.rule, 0) + 1
        rules = sorted(per.items(), key=lambda item: int(item[0][1:]))
        rows.append((village, len(mine), levels, rules))
    rows.sort(key=lambda row: (-row[2]["error"], -row[1]))
    return rows


def flag_target(village: model.Village, f: model.Flag) -> str:
    """Where a flag's record is shown: a contract, decision or topic, or the period page."""
    if f.ref:
        for name, found in (
            ("contracts", village.contract(f.ref)),
            ("decisions", village.decision(f.ref)),
            ("topics", next((t for t in village.topics if t.id == f.ref), None)),
            ("meetings", next((m for m in village.meetings if m.id == f.ref), None)),
        ):
            if found is not None:
                return f"{village.url}{name}/#{f.ref}"
    return f"{village.url}{f.period}/#flags" if f.period else ""


StatusRow = tuple[model.Village, list[Unit], dict[str, int]]


def status_table(
    county: model.County, flags: dict[tuple[str, str], list[model.Flag]]
) -> list[tuple[model.Town, list[str], list[StatusRow]]]:
    """Per town: the recent period labels, and each village's publication status and flags."""
    table = []
    as_of = county.as_of
    for town in county.towns:
        rows: list[StatusRow] = []
        for v in town.villages:
            units = publication_units(v, as_of, recent=RECENT_UNITS) if as_of else []
            mine = flags.get((town.slug, v.slug), [])
            rows.append((v, units, {lv: sum(1 for f in mine if f.severity == lv) for lv in LEVELS}))
        labels = [u.label for u in rows[0][1]] if rows else []
        table.append((town, labels, rows))
    return table


def register_text(village: model.Village, name: str) -> str:
    """What search sees of a village's contracts, decisions or topics page."""
    parts: list[str] = [village.name]
    if name == "contracts":
        for c in village.contracts:
            parts += [c.id, c.type, c.object, c.counterparty, c.method, c.platform, yuan(c.amount)]
    elif name == "decisions":
        for d in village.decisions:
            parts += [d.id, d.matter, d.category or ""]
            parts += [st.result or "" for i in range(1, 7) if (st := d.step(i)) is not None]
    else:
        for t in village.topics:
            parts += [t.id, t.question, t.answer]
    return "\n".join(p for p in parts if p)


def period_text(village: model.Village, period: model.Period) -> str:
    """What search sees of a period: the words people look for, names masked as online."""
    masked = village.names_online != "full"
    parts: list[str] = [village.name, period.period]
    for r in period.ledger:
        parts += [
            r.summary,
            r.account_name,
            r.counterparty,
            r.voucher_no,
            yuan(r.amount),
            f"{r.amount:.2f}",
        ]
    for a in period.village_affairs + period.party_affairs:
        parts += [a.title, a.body]
    for row in period.assistance:
        name = model.mask_name(row.name) if masked else row.name
        # the masked name also without its stars (刘*田 -> 刘田): a query's * joins the same way
        parts += [row.category, name, name.replace("*", ""), row.group]
    for c in period.corrections:
        parts += ["已更正", c.reason]
    return "\n".join(p for p in parts if p)
