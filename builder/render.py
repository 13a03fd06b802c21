"""Render the model into pages: {page path: Markdown}, plus search documents and QR images.

Every page is Markdown whose body is one block of HTML written by Jinja2 with autoescaping on,
so record text is always text: it can never become a tag, a link, an image or Markdown.
Templates never check and never add up: totals come from `model.py`.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import model as M
from .search import SearchDoc, mount_html

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "site_templates"


@dataclass
class Rendered:
    """What the renderer gives the site: pages, binary files and search documents."""

    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    search_docs: list[SearchDoc] = field(default_factory=list)


def yuan(value: Decimal | None) -> str:
    """Money for people: thousands separators and two decimals (12,500.00)."""
    if value is None:
        return ""
    return f"{value:,.2f}"


def relative(from_url: str, to_url: str) -> str:
    """A link from one page (directory URL) to another path, relative so any subpath works."""
    start = posixpath.dirname(from_url.rstrip("/") + "/index.html") if from_url else "."
    target = to_url or "."
    rel = posixpath.relpath(target, start or ".")
    if (to_url.endswith("/") or to_url == "") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel in (".", "./") else rel


def make_env(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja2 environment: autoescape everywhere, undefined names fail loudly."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["yuan"] = yuan
    env.filters["masked"] = M.mask_name
    return env


def front_matter(title: str, **extra: Any) -> str:
    """YAML front matter written as JSON values, which YAML reads back exactly."""
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    for key, value in extra.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


class Renderer:
    """Render one county; `page` renders one template for one URL."""

    def __init__(
        self, county: M.County, *, updated: str = "", templates_dir: Path = TEMPLATES_DIR
    ) -> None:
        self.county = county
        self.updated = updated
        self.env = make_env(templates_dir)
        self.out = Rendered()

    def page(self, url: str, template: str, title: str, **context: Any) -> None:
        def link(to: str) -> str:
            return relative(url, to)

        body = self.env.get_template(template).render(
            county=self.county,
            url=url,
            link=link,
            root=relative(url, ""),
            updated=self.updated,
            **context,
        )
        body = "\n".join(line for line in body.split("\n") if line.strip())
        self.out.pages[url + "index.md"] = front_matter(title) + body + "\n"

    def search_box(self, url: str, scope: str | None = None, label: str = "") -> Markup:
        """The search form for a page; scoped to a village's pages where given."""
        return Markup(
            mount_html(
                relative(url, "search/"),
                relative(url, ""),
                relative(url, "assets/search.js"),
                scope=scope,
                scope_label=label,
            )
        )

    def render(self) -> Rendered:
        county = self.county
        self.page(
            "", "home.html", county.site_title, towns=county.towns, search=self.search_box("")
        )
        self.out.search_docs.append(SearchDoc("", county.site_title, "首页", county.name))
        self.page("search/", "search.html", "搜索", search=self.search_box("search/"))
        for town in county.towns:
            self.render_town(town)
        return self.out

    def render_town(self, town: M.Town) -> None:
        url = f"{town.slug}/"
        self.page(url, "town.html", town.name, town=town)
        self.out.search_docs.append(
            SearchDoc(
                url,
                town.name,
                self.county.name,
                " ".join([town.name] + [v.name for v in town.villages]),
            )
        )
        for village in town.villages:
            self.render_village(town, village)

    def render_village(self, town: M.Town, village: M.Village) -> None:
        from .qr import qr_png, qr_svg

        url = village.url
        abs_url = self.county.site_url + url
        self.page(
            url,
            "village.html",
            f"{village.name}（{town.name}）",
            town=town,
            village=village,
            abs_url=abs_url,
            search=self.search_box(url, url, village.name),
        )
        self.page(
            url + "qr/",
            "qr.html",
            f"{village.name}二维码",
            town=town,
            village=village,
            abs_url=abs_url,
        )
        self.out.files[url + "qr/qr.svg"] = qr_svg(abs_url)
        self.out.files[url + "qr/qr.png"] = qr_png(abs_url)
        pl = village.power_list
        self.out.search_docs.append(
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
        for i, period in enumerate(periods):
            newer = periods[i - 1] if i > 0 else None
            older = periods[i + 1] if i + 1 < len(periods) else None
            purl = f"{url}{period.period}/"
            self.page(
                purl,
                "period.html",
                f"{village.name} {period.period} 三务公开",
                town=town,
                village=village,
                p=period,
                newer=newer,
                older=older,
            )
            self.out.search_docs.append(
                SearchDoc(
                    purl,
                    f"{village.name} {period.period}",
                    f"{town.name} · 公开于 {period.published_at.isoformat()}",
                    period_text(village, period),
                )
            )


def period_text(village: M.Village, period: M.Period) -> str:
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
        parts += [row.category, M.mask_name(row.name) if masked else row.name, row.group]
    for c in period.corrections:
        parts += ["已更正", c.reason]
    return "\n".join(p for p in parts if p)


def iter_pages(rendered: Rendered) -> Iterator[tuple[str, str]]:
    """Pages in a stable order."""
    yield from sorted(rendered.pages.items())


def render_county(county: M.County, *, updated: str = "") -> Rendered:
    """Render the whole county's pages, QR images and search documents."""
    return Renderer(county, updated=updated).render()
