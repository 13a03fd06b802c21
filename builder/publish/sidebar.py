"""Material's navigation sidebar, rendered once for every page that shows the same one.

Material renders its nav partial (`partials/nav.html`, `nav-item.html`) anew for every page: a
fifth of MkDocs' time on a county's pages. For a page that is not in the nav (every generated
page of a county whose nav lists the hand-written pages) nothing in the nav is active, and the
partial's output depends on the page only through the relative URLs it writes (`| url`). MkDocs
writes those from two things: the depth of the page's folder, and how many leading segments
of it each target shares (mkdocs.utils.get_relative_url). A target has at most `reach`
segments, so the page's first `reach` segments and its depth decide every URL; with the nav's
titles and active states (the only parts MkDocs changes while it builds) they are the key.

The theme (publish/theme/main.html) wraps Material's include of the partial in
`{% call sunlight_nav(nav, page, config) %}`; a page in the nav, a nav with an active item, or
a county theme of its own for the partials renders as Material does, every time.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import jinja2

# what the nav partial includes; a county's custom_dir may replace any of them
MATERIAL_PARTIALS = (
    "partials/nav.html",
    "partials/nav-item.html",
    "partials/logo.html",
    "partials/source.html",
)


def parts_of(path: str) -> list[str]:
    """A URL's segments as MkDocs compares them (mkdocs.utils.get_relative_url): normalised,
    with no way above the root."""
    path = posixpath.normpath("/" + path)[1:]
    return path.split("/") if path else []


def folder_parts(url: str) -> list[str]:
    """The segments of a page's folder: its URL's, less a last one with a dot (a file)."""
    folder, _, last = url.rpartition("/")
    return parts_of(folder if "." in last else url)


def shared_segments(parts: Sequence[str], other: Sequence[str]) -> int:
    """How many leading segments two paths' segments share."""
    count = 0
    for mine, theirs in zip(parts, other, strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def is_absolute(url: str) -> bool:
    """Whether the `url` filter leaves url as it is (mkdocs.utils.normalize_url)."""
    parsed = urlsplit(url)
    return bool(parsed.scheme or parsed.netloc or url.startswith(("/", "#")))


def items_of(items: Iterable[Any]) -> list[Any]:
    """Every item of a nav, sections' children after their section."""
    out = []
    for item in items:
        out.append(item)
        out += items_of(item.children or ())
    return out


class SidebarNav:
    """`sunlight_nav(nav, page, config)` with a caller: the caller's output, kept by a key that
    decides it (see the module's docstring). One per build: MkDocs makes a new environment."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.kept: dict[Hashable, Any] = {}
        self.nav: Any = None
        self.items: list[Any] = []
        self.in_nav: set[str] = set()
        self.reach: int | None = 0  # None: a target no segment count bounds
        self.targets: list[str] = []  # every URL of the nav (and the home page and logo)

    def __call__(self, nav: Any, page: Any, config: Any, caller: Callable[[], Any]) -> Any:
        key = self.key(nav, page, config)
        if key is None:
            return caller()
        if key not in self.kept:
            self.kept[key] = caller()
        return self.kept[key]

    def key(self, nav: Any, page: Any, config: Any) -> Hashable | None:
        """What the partial's output depends on for this page; None: render it anew."""
        if nav is not self.nav:
            self.learn(nav, config)
        if self.reach is None or page is None or page.file.src_uri in self.in_nav:
            return None
        state = tuple(
            (item.title, item.active, repr(getattr(item, "meta", None))) for item in self.items
        )
        if any(active for _, active, _ in state):
            return None
        parts = folder_parts(page.url)
        return (tuple(parts[: self.reach]), len(parts), state)

    def learn(self, nav: Any, config: Any) -> None:
        """Read what stays the same for every page of the build: the nav's items, its pages,
        and the most segments any URL the partial writes has (None when one cannot be bound,
        or when a county's theme replaces a partial: those render every time)."""
        self.nav = nav
        self.kept.clear()
        self.items = items_of(nav.items)
        self.in_nav = {item.file.src_uri for item in self.items if item.is_page}
        targets = [url for item in self.items if (url := getattr(item, "url", None)) is not None]
        homepage = config.extra.get("homepage") or (nav.homepage.url if nav.homepage else "")
        targets += [str(homepage), str(config.theme.get("logo") or "")]
        self.targets = targets
        own = all(self.is_materials(name) for name in MATERIAL_PARTIALS)
        relative = [parts_of(t) for t in targets if not is_absolute(t)]
        self.reach = max((len(parts) for parts in relative), default=0) if own else None

    def is_materials(self, name: str) -> bool:
        """Whether the theme's template name is Material's own."""
        import material  # NOTE: here, not at the top: only a build with the theme reads this

        _, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        return filename is not None and filename.startswith(
            posixpath.dirname(material.__file__) + "/"
        )
