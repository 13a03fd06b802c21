"""The site's one stylesheet: Material's, reduced to the rules our pages can use, then ours.

Material's main.css is 134 KiB, of which a page of this site uses a tenth (no code blocks,
admonitions, tabs, search dialog, palettes...). Like PurgeCSS, `purge` keeps a selector only
when every class, id and attribute it names at its top level occurs somewhere in the templates
that make the pages (Material's, ours, the search script, the hand-written pages); element
selectors are always kept. The parser is tinycss2 (a pinned, maintained library), the sources
are read in sorted order, so the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import tinycss2
from tinycss2 import ast

# classes Material's templates name only for features this site leaves off (mkdocs.yml's
# theme.features is empty; no consent banner, no clipboard dialog, no page status)
UNUSED = frozenset(
    {
        "md-nav--lifted",
        "md-nav--integrated",
        "md-status",
        "md-consent",
        "md-consent__overlay",
        "md-consent__inner",
        "md-dialog",
        "md-dialog__inner",
        "md-banner",  # only with an announcement block
        "md-banner--warning",
        "md-banner__inner",
        "md-banner__button",
        "md-header__source",  # only with a repo_url
        "md-nav__source",
        # navigation.sections / navigation.indexes / navigation.tabs.sticky are off too, and the
        # indeterminate nav toggle is set only by Material's JavaScript, which pages do not load
        "md-nav__item--section",
        "md-nav__container",
        "md-toggle--indeterminate",
        "md-header--lifted",
        "grid",  # Material's grid cards (attr_list + md_in_html), which no page writes
        # Material styles <details> as a collapsible admonition (its icons, 12.8 px text);
        # the power lists' <details> are styled by sunlight.css alone
        "<details",
        "<summary",
    }
)
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# at-rules whose block holds rules to purge in turn; any other at-rule is kept whole
NESTED = {"media", "supports", "layer", "container"}
# elements Markdown writes in the hand-written pages (their sources hold no tags)
MARKDOWN_TAGS = (
    *[
        "html",
        "body",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "a",
        "em",
        "strong",
        "code",
        "pre",
        "table",
    ],
    *["thead", "tbody", "tr", "th", "td", "img", "br"],
    # and what Material's icons (included .svg files, not scanned) are drawn with
    *["svg", "path"],
)
# NOTE: no hand-written page quotes (> …) or rules off (---); add "blockquote"/"hr" if one does
TAG = re.compile(r"<([a-z][a-z0-9]*)\b|createElement\(\s*[\"']([a-z][a-z0-9]*)")


def used_words(paths: Iterable[Path]) -> set[str]:
    """Every identifier-like word of the given files (templates, scripts, pages)."""
    words: set[str] = set()
    for path in sorted(paths):
        words.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def used_tags(paths: Iterable[Path]) -> set[str]:
    """Every element the given files write (`<kbd`) or make (`createElement("mark")`), marked
    `<kbd` so that a word "mark" in a template does not keep Material's rules for <mark>."""
    tags = {"<" + t for t in MARKDOWN_TAGS}
    for path in sorted(paths):
        for written, made in TAG.findall(path.read_text(encoding="utf-8", errors="replace")):
            tags.add("<" + (written or made))
    return tags


def selector_names(tokens: list[ast.Node]) -> list[str]:
    """The classes, ids, attribute names and values a selector names at its top level."""
    names: list[str] = []
    for i, token in enumerate(tokens):
        if token.type == "hash" or (token.type == "ident" and i > 0 and tokens[i - 1] == "."):
            names.append(token.value)
        elif token.type == "ident" and (i == 0 or tokens[i - 1] != ":"):
            names.append("<" + token.value.lower())  # an element: <kbd>, <mark>...
        elif token.type == "[] block":
            names += [t.value for t in token.content if t.type in ("ident", "string")]
    return names


def split_selectors(prelude: list[ast.Node]) -> list[list[ast.Node]]:
    """A rule's prelude split at its top-level commas."""
    parts: list[list[ast.Node]] = [[]]
    for token in prelude:
        if token == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def purge(css: str, used: set[str]) -> str:
    """css without the selectors (and rules) that name a class, id or attribute not in used."""
    out: list[str] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            kept = [
                tinycss2.serialize(s).strip()
                for s in split_selectors(rule.prelude)
                if all(name in used for name in selector_names(s))
            ]
            if kept:
                out.append(",".join(kept) + "{" + tinycss2.serialize(rule.content).strip() + "}")
        elif rule.type == "at-rule":
            prelude = tinycss2.serialize(rule.prelude).strip()
            if rule.lower_at_keyword in NESTED and rule.content is not None:
                inner = purge(tinycss2.serialize(rule.content), used)
                if inner:
                    out.append(f"@{rule.at_keyword} {prelude}{{{inner}}}")
            else:
                out.append(rule.serialize())
    return "".join(out)


VAR_USE = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)")


def drop_unused_variables(css: str) -> str:
    """css without the custom properties (--x: ...) that no var(--x) reads, until none is left."""
    while True:
        reduced = without_variables(css, set(VAR_USE.findall(css)))
        if reduced == css:
            return css
        css = reduced


def without_variables(css: str, used: set[str]) -> str:
    """css less the declarations of custom properties not in used."""
    out: list[str] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            decls = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True)
            kept = [
                d
                for d in decls
                if d.type != "declaration" or not d.name.startswith("--") or d.name in used
            ]
            if kept:
                body = ";".join(tinycss2.serialize([d]).strip().rstrip(";") for d in kept)
                out.append(tinycss2.serialize(rule.prelude).strip() + "{" + body + "}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in NESTED and rule.content:
            inner = without_variables(tinycss2.serialize(rule.content), used)
            if inner:
                prelude = tinycss2.serialize(rule.prelude).strip()
                out.append(f"@{rule.at_keyword} {prelude}{{{inner}}}")
        else:
            out.append(rule.serialize())
    return "".join(out)


def material_stylesheet(material_templates: Path) -> Path:
    """Material's main stylesheet (its name carries Material's own hash)."""
    found = sorted((material_templates / "assets" / "stylesheets").glob("main.*.min.css"))
    if not found:
        raise FileNotFoundError(f"no main.*.min.css in {material_templates}")
    return found[0]


def template_sources(dirs: Iterable[Path]) -> list[Path]:
    """The files whose words decide which of Material's rules stay."""
    suffixes = {".html", ".js", ".md"}
    return sorted(p for d in dirs for p in d.rglob("*") if p.suffix in suffixes and p.is_file())


def site_stylesheet(material_templates: Path, sources: Iterable[Path], ours: bytes) -> bytes:
    """Material's stylesheet reduced to the used rules, followed by our own."""
    css = material_stylesheet(material_templates).read_text(encoding="utf-8")
    css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)
    sources = list(sources)
    # the text direction Material writes from its language file: dir="ltr"
    used = (used_words(sources) | used_tags(sources) | {"ltr"}) - UNUSED
    reduced = purge(css, used) + "\n" + minify(ours.decode("utf-8"))
    return drop_unused_keyframes(drop_unused_variables(reduced)).encode("utf-8")


KEYFRAMES = re.compile(r"@keyframes\s+([A-Za-z0-9_-]+)\s*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")


def drop_unused_keyframes(css: str) -> str:
    """css without the @keyframes that no kept rule's animation names."""
    rest = KEYFRAMES.sub("", css)
    return KEYFRAMES.sub(
        lambda m: m.group(0) if re.search(rf"\b{re.escape(m.group(1))}\b", rest) else "", css
    )


def minify(css: str) -> str:
    """css without comments and the spaces that mean nothing (around { } ; , and newlines)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};,>])\s*", r"\1", css).replace(";}", "}").strip()


def hashed_name(name: str, content: bytes) -> str:
    """name with the first 10 hex digits of content's SHA-256 before its extension."""
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:10]
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
