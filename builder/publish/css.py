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

import jinja2
import tinycss2
from jinja2 import meta
from tinycss2 import ast

# classes Material's templates name only for features this site leaves off (mkdocs.yml's
# theme.features is empty; no consent banner, no clipboard dialog, no page status)
UNUSED = frozenset(
    {
        "md-nav--lifted",
        "md-nav--integrated",
        "md-status",
        "md-status--",  # a prefix: md-status--new, --deprecated, --encrypted...
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
# on a page no Markdown writes: the document, and what Material's icons are drawn with
WRITTEN_TAGS = ("html", "body", "svg", "path")
# NOTE: no hand-written page quotes (> …) or rules off (---); add "blockquote"/"hr" if one does
TAG = re.compile(r"<([a-z][a-z0-9]*)\b|createElement\(\s*[\"']([a-z][a-z0-9]*)")


def used_words(paths: Iterable[Path]) -> set[str]:
    """Every identifier-like word of the given files (templates, scripts, pages)."""
    words: set[str] = set()
    for path in sorted(paths):
        words.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def used_tags(paths: Iterable[Path], given: Iterable[str] = MARKDOWN_TAGS) -> set[str]:
    """Every element the given files write (`<kbd`) or make (`createElement("mark")`), marked
    `<kbd` so that a word "mark" in a template does not keep Material's rules for <mark>;
    plus the given ones (what Markdown writes, which no source spells out)."""
    tags = {"<" + t for t in given}
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
    """css without the selectors (and rules) that name a class, id or attribute not in used.
    A used word ending in "-" is a prefix a template completes (`sl-flag-{{ f.severity }}`):
    every name it begins counts as used."""
    prefixes = tuple(sorted(word for word in used if word.endswith("-") and len(word) > 3))
    out: list[str] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            kept = [
                tinycss2.serialize(s).strip()
                for s in split_selectors(rule.prelude)
                if all(n in used or n.startswith(prefixes) for n in selector_names(s))
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


def site_stylesheet(
    material_templates: Path, sources: Iterable[Path], ours: bytes, *, markdown: bool = True
) -> bytes:
    """Material's stylesheet reduced to the used rules, followed by our own.

    markdown=False makes the stylesheet of one page type whose body no Markdown writes (a
    generated page is one HTML block from its template): only the tags its sources write
    count, and our own rules are reduced to the used ones as well."""
    css = material_stylesheet(material_templates).read_text(encoding="utf-8")
    css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)
    sources = list(sources)
    tags = used_tags(sources, MARKDOWN_TAGS if markdown else WRITTEN_TAGS)
    # the text direction Material writes from its language file: dir="ltr"
    used = (used_words(sources) | tags | {"ltr"}) - UNUSED
    own = minify(ours.decode("utf-8"))
    reduced = purge(css, used) + "\n" + (own if markdown else purge(own, used))
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


def page_sources(templates_dir: Path, template: str, assets_dir: Path) -> list[Path]:
    """The files whose words decide the stylesheet of one page type: its template, every
    template that one imports, includes or extends (in turn), and the scripts they load
    (`assets['verify.js']`)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=True)
    seen: set[str] = set()
    todo = [template]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = (templates_dir / name).read_text(encoding="utf-8")
        todo += [n for n in meta.find_referenced_templates(env.parse(source)) if n]
    files = [templates_dir / name for name in seen]
    scripts = {s for f in files for s in ASSET.findall(f.read_text(encoding="utf-8"))}
    return sorted(files + [assets_dir / s for s in scripts])


ASSET = re.compile(r"assets\[[\"']([A-Za-z0-9_.-]+\.js)[\"']\]")


def hashed_name(name: str, content: bytes) -> str:
    """name with the first 10 hex digits of content's SHA-256 before its extension."""
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:10]
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
