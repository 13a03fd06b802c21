"""Material's page around a generated page's body, rendered once for the pages it is the same for.

MkDocs renders the theme's whole page template (Material's base.html: head, header, sidebars)
for every page, a tenth of a county's build. Around a generated page's body (a GeneratedPage:
not in the nav, no table of contents, no previous or next page) what that template writes
depends on the page only through a few words — its title, description, feed and feed title,
canonical URL and body — and, through the relative URLs it writes, on where the page's folder
is: its depth, and how many leading segments it shares with each URL the theme links. So for
the pages whose folders lie alike to those URLs, with the same fields besides those words (the
months of a town's villages, say), the template is rendered once with a mark in place of each
word, and each page fills in its own words (`PageShells`).

Why the filled page is Material's: Material's templates (its pinned version) write these words
as they are, escaped (`e`), without tags (`striptags`), with a default (`d`) or URL-encoded (the
feedback form). A mark is two private-use characters around a letter, which the first three
leave as they are, and a page's word is filled in only where they would leave it as it is too
(no markup character, no doubled, edge or other blank than a space); the body is written raw,
and whether it holds an <h1> (Material adds one where it does not) is part of the key. No shell
is trusted untried: the first page of a key is rendered in full; the shell is learnt from the
second, and used for it and every later page only if, filled with the first page's words, it
gives the first page's output byte for byte. Anything else of a page the template writes (the
feedback form's URL-encoded title and URL, a relative URL that differs) makes the two differ,
and that key's pages are all rendered in full. A county's own theme folder (custom_dir), a page
that a nav item, stylesheet, script or logo lies under, a page in the nav: rendered in full.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Hashable, Mapping
from typing import Any

import jinja2

from builder.publish.sidebar import (
    SidebarNav,
    folder_parts,
    is_absolute,
    parts_of,
    shared_segments,
)

# what MkDocs renders a generated page with (page.meta["template"]): theme/sunlight-page.html
SHELL_TEMPLATE = "sunlight-page.html"
PAGE_TEMPLATE = "main.html"
# a page's words in its front matter, by the letter of their mark; U (the canonical URL) and C
# (the body) are read from the page itself (words_of)
WORDS = {
    "T": "title",
    "D": "description",
    "F": "feed",
    "L": "feed_title",
}
MARK = "\ue000{}\ue001"
MARKS = re.compile("\ue000([TDFLUC])(<h1)?\ue001")
# characters a filter of the templates could change (escape, striptags) and the marks' own
UNSAFE = re.compile("[<>&\"'\ue000\ue001]|\\s\\s|^\\s|\\s$|[^\\S ]")

Shell = tuple[str, ...]  # text, word letter, text, word letter, …, text
FAILED: Shell = ()


class PageShells:
    """`sunlight_page()` (theme/sunlight-page.html): the page template's output for the page
    being built, filled into a kept shell where one is proven for it. One per build."""

    def __init__(self, env: jinja2.Environment, nav: SidebarNav) -> None:
        self.env = env
        self.nav = nav
        self.kept: dict[Hashable, Shell] = {}
        # each key's first page: its words and a digest of its output, to try the shell on
        self.first: dict[Hashable, tuple[dict[str, str], bytes]] = {}
        self.targets: list[list[str]] | None = None  # the segments of every URL the theme links
        self.filled = 0  # pages filled into a shell (for the log, and tests)

    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context) -> str:
        values = context.get_all()
        template = self.env.get_template(PAGE_TEMPLATE)
        page = values.get("page")
        words = words_of(page) if page is not None else {}
        key = self.key(values, words)
        if key is None:
            return template.render(values)
        shell = self.kept.get(key)
        if shell is None:
            if key not in self.first:
                output = template.render(values)
                self.first[key] = (words, digest(output))
                return output
            first_words, first_output = self.first.pop(key)
            shell = self.learn(template, values)
            if shell is FAILED or digest(fill(shell, first_words)) != first_output:
                shell = FAILED
            self.kept[key] = shell
        if shell is FAILED:
            return template.render(values)
        self.filled += 1
        return fill(shell, words)

    def key(self, values: Mapping[str, Any], words: Mapping[str, str]) -> Hashable | None:
        """What the template's output depends on for this page besides its words (words_of);
        None: the page is rendered in full."""
        page, config = values.get("page"), values.get("config")
        if page is None or config is None or config.theme.custom_dir:
            return None
        if page.toc.items or page.previous_page or page.next_page or page.ancestors:
            return None
        if "title" in vars(page):  # a title given (MkDocs reads it before the front matter's)
            return None
        nav_key = self.nav.key(values.get("nav"), page, config)
        if nav_key is None:
            return None
        if not words["T"] or any(UNSAFE.search(words[k]) for k in (*WORDS, "U")):
            return None
        parts = folder_parts(page.url)
        targets = self.linked(config)
        if any(target[: len(parts)] == parts for target in targets):
            return None  # NOTE: a link into the page's own folder is relative to it alone
        # NOTE: a relative URL depends on the page's folder only through its depth and how many
        # leading segments it shares with the target: so the pages of every folder that
        # shares as much with each target (a town's villages' months, say) share a shell
        shared = tuple(shared_segments(parts, target) for target in targets)
        fields = tuple(
            sorted(
                (name, repr(value))
                for name, value in page.meta.items()
                if name not in WORDS.values() and name != "template"
            )
        )
        present = tuple(letter for letter, word in words.items() if word)
        return (
            nav_key,
            shared,
            len(parts),
            fields,
            present,
            "<h1" in words["C"],
            page.is_homepage,
            page.edit_url,
            str(values.get("base_url")),
        )

    def linked(self, config: Any) -> list[list[str]]:
        """The segments of every site URL the theme may link besides a page's words: the nav's
        pages (the sidebar's targets), the stylesheets and scripts, the logo and favicon."""
        if self.targets is None:
            urls = [*self.nav.targets, *config.extra_css, *map(str, config.extra_javascript)]
            urls += [str(config.theme.get(name) or "") for name in ("logo", "favicon")]
            self.targets = [parts_of(url) for url in urls if url and not is_absolute(url)]
        return self.targets

    def learn(self, template: jinja2.Template, values: Mapping[str, Any]) -> Shell:
        """The template's output for this page with a mark in place of each word, cut at the
        marks; FAILED if a mark came out changed."""
        page = values["page"]
        has_h1 = "<h1" if "<h1" in page.content else ""
        saved = page.meta, page.content, page.canonical_url
        marked = {**page.meta}
        for letter, name in WORDS.items():
            if marked.get(name):
                marked[name] = MARK.format(letter)
        page.meta = marked
        page.content = MARK.format("C" + has_h1)
        page.canonical_url = MARK.format("U") if page.canonical_url else page.canonical_url
        try:
            output = template.render(values)
        finally:
            page.meta, page.content, page.canonical_url = saved
        pieces = MARKS.split(output)  # text, letter, "<h1" or None, text, …
        shell = tuple(piece for i, piece in enumerate(pieces) if i % 3 != 2)
        if any("\ue000" in text or "\ue001" in text for text in shell[::2]):
            return FAILED
        # NOTE: only the body's mark carries "<h1", as it went in
        for letter, h1 in zip(pieces[1::3], pieces[2::3], strict=True):
            if h1 != ((has_h1 or None) if letter == "C" else None):
                return FAILED
        return shell


def words_of(page: Any) -> dict[str, str]:
    """A page's words by the letter of their mark ("" for one it has not)."""
    words = {letter: str(page.meta.get(name) or "") for letter, name in WORDS.items()}
    words["U"] = str(page.canonical_url or "")
    words["C"] = page.content or ""
    return words


def digest(output: str) -> bytes:
    return hashlib.sha256(output.encode("utf-8", errors="surrogatepass")).digest()


def fill(shell: Shell, words: Mapping[str, str]) -> str:
    """The shell with each mark replaced by the page's word."""
    out = list(shell)
    for i in range(1, len(out), 2):
        out[i] = words[out[i]]
    return "".join(out)
