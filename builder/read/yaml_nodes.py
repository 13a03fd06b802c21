"""YAML read as nodes with the line of every key: never typed, never silently cut.

PyYAML's events are walked by hand, so that tags, anchors, aliases, duplicate keys and several
documents are problems rather than features, and so that text YAML would cut (a comment after
an unquoted value) or misread (a tag, a key without its space, a full-width colon) is reported
with the fix. Nothing here judges values: a scalar stays text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from builder.format import problems
from builder.format.problems import Location, Problem
from builder.read.files import TextFile

try:  # the C parser is several times faster on a county's worth of files
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

NULLS = frozenset({"", "~", "null", "Null", "NULL"})
MAX_DEPTH = 20  # lists and mappings inside one another: the format needs five at most


# --- raw YAML nodes ---------------------------------------------------------------------------
@dataclass
class Node:
    """A YAML node with the 1-based line it starts on."""

    line: int


@dataclass
class ScalarNode(Node):
    text: str
    plain: bool = True

    @property
    def is_null(self) -> bool:
        """Tell whether the scalar is written as YAML null (empty, ~ or null, unquoted)."""
        return self.plain and self.text in NULLS


@dataclass
class MapNode(Node):
    items: dict[str, tuple[int, Node]] = field(default_factory=dict)


@dataclass
class SeqNode(Node):
    items: list[Node] = field(default_factory=list)


# --- YAML -----------------------------------------------------------------------------------
class _YamlError(Exception):
    pass


@dataclass
class _Doc:
    """One YAML file being turned into nodes: its lines, for the source checks, and problems."""

    rel: str
    lines: list[str]
    out: list[Problem]
    anchors: set[str] = field(default_factory=set)  # the names of anchors (&) and aliases (*)
    aliases: set[str] = field(default_factory=set)

    def line(self, index: int) -> str:
        """Return the text of a 0-based line, or "" past the end (a mark may sit there)."""
        return self.lines[index] if 0 <= index < len(self.lines) else ""


# NOTE: these shapes are what a clerk's line looks like when a key was meant but YAML will read
# text: `name:东山村`, `名称：东山村`, or a non-breaking space (U+00A0, pasted from WeChat) in the
# indentation or after the colon. `[ \t]` and not `\s`, which would match U+00A0 too.
_ITEM = r"[ \t]*(?:-[ \t]+)?"
_ASCII_KEY = r"[A-Za-z_][A-Za-z0-9_.]*"
_KEY_LINE = re.compile(_ITEM + r"[^\s#'\"][^:]*:(?:[ \t]|$)")
_NO_SPACE = re.compile(_ITEM + r"(" + _ASCII_KEY + r"):([^\s/:])")
_FULLWIDTH = re.compile(_ITEM + r"([^\s:：#'\"!&*|>\-][^:：]{0,29}?)[ \t]*：[ \t]*(.*)")
_NBSP_INDENT = re.compile(r"[ \t]*\u00a0[ \t\u00a0]*")
_NBSP_COLON = re.compile(_ITEM + r"([^\s:#'\"]+):[ \t]*\u00a0")
# a value starting with a character YAML reserves: a tag, an anchor, an alias, or @ ` %
_INDICATOR_VALUE = re.compile(_ITEM + r"(?:([^\s#'\"][^:]*?):[ \t]+)?([!&*@`%].*)")
_INDICATOR_REASONS = {
    "!": ("会被当作 YAML 标签", "a tag"),
    "&": ("会被当作 YAML 锚点", "an anchor"),
    "*": ("会被当作 YAML 引用", "an alias"),
}
_COMMENT_AFTER = re.compile(r"[ \t]+#")
_YAML_TAGS = "tag:yaml.org,2002:"
# the line breaks YAML counts, so that a mark's line is an index into the same lines
_YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'" if '"' in text else f'"{text}"'


def _quote_problem(doc: _Doc, line: int, col: int, key: str, value: str, is_tag: bool) -> Problem:
    """Ask for quotes around text that YAML would cut at a ` #` or read as a mark of its own
    (`!` a tag, `&` an anchor, `*` an alias; `@`, a backquote and `%` are reserved)."""
    source = doc.line(line - 1)
    lead = source[:col].strip()
    example = f"{lead} {_quoted(value)}".strip()
    if is_tag:
        first = value[:1]
        zh, en = _INDICATOR_REASONS.get(first, ("是 YAML 的保留符号", "a reserved mark"))
        reason = f"以“{first}”开头，{zh}而不是文字。"
        reason_en = f'starts with "{first}", which YAML reads as {en}, not as text.'
    else:
        reason = "中“ #”及其后的文字会被当作注释而丢掉。"
        reason_en = 'would lose everything from " #" on: YAML reads it as a comment.'
    return problems.NEEDS_QUOTES.at(
        Location(doc.rel, line),
        key or None,
        value=value,
        reason=reason,
        reason_en=reason_en,
        example=example,
    )


def _covered_lines(events: list[yaml.Event]) -> set[int]:
    """The 1-based lines that continue a scalar begun on an earlier line (its text, not keys)."""
    covered: set[int] = set()
    for event in events:
        if isinstance(event, yaml.ScalarEvent) and event.end_mark.line > event.start_mark.line:
            last = event.end_mark.line + (0 if event.end_mark.column == 0 else 1)
            covered.update(range(event.start_mark.line + 2, last + 1))
    return covered


def _line_problems(doc: _Doc, events: list[yaml.Event], suspects: set[int]) -> list[Problem]:
    """Find lines shaped like a key that YAML reads as text: every line for the unambiguous
    shapes, and for a Chinese key with a full-width colon only the suspect lines (where the
    parser stopped, or a document that is one text)."""
    found: list[Problem] = []
    covered = _covered_lines(events)
    for number, text in enumerate(doc.lines, start=1):
        if number in covered or not text.strip() or text.lstrip(" \t").startswith("#"):
            continue
        where = Location(doc.rel, number)
        value = text.strip(" \t\u00a0")
        nbsp = "\u00a0" in text  # NOTE: both non-breaking-space shapes need one
        if nbsp and _NBSP_INDENT.match(text):
            key = value.split(":", 1)[0] if _KEY_LINE.match(value) else None
            found.append(
                problems.NON_BREAKING_SPACE.at(
                    where,
                    key,
                    place="行首的缩进里",
                    place_en="In the indentation at the start of the line",
                )
            )
            continue
        if nbsp and (match := _NBSP_COLON.match(text)):
            found.append(
                problems.NON_BREAKING_SPACE.at(
                    where, match.group(1), place="冒号后面", place_en="After the colon"
                )
            )
            continue
        if _KEY_LINE.match(text):
            continue  # a key is already there; a colon further on is the value's own
        if match := _NO_SPACE.match(text):
            key = match.group(1)
            found.append(
                problems.NO_SPACE_AFTER_COLON.at(
                    where, key, value=value, example=f"{key}: {text[match.end(1) + 1 :].strip()}"
                )
            )
            continue
        match = _FULLWIDTH.match(text)
        if match and (number in suspects or re.fullmatch(_ASCII_KEY, match.group(1))):
            key = match.group(1).strip()
            found.append(
                problems.FULLWIDTH_COLON.at(
                    where, key, value=value, example=f"{key}: {match.group(2).strip()}"
                )
            )
    return found


def parse_yaml(file: TextFile) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document into nodes, reporting tags, aliases and duplicate keys, and text
    that YAML would silently cut (a comment) or misread (a tag, a key without its space)."""
    doc = _Doc(file.rel, _YAML_BREAKS.split(file.text), [])
    events: list[yaml.Event] = []
    try:
        for event in yaml.parse(file.text, Loader=_YamlLoader):
            events.append(event)
    except yaml.YAMLError as exc:
        return None, _syntax_problems(exc, file, doc, events)
    too_deep = _too_deep(events)
    if too_deep is not None:
        doc.out.append(
            problems.YAML_TOO_DEEP.at(Location(file.rel, too_deep), None, depth=MAX_DEPTH)
        )
        return None, doc.out
    docs = [e for e in events if isinstance(e, yaml.DocumentStartEvent)]
    if len(docs) > 1:
        doc.out.append(problems.YAML_DOCUMENTS.at(Location(file.rel, docs[1].start_mark.line + 1)))
        return None, doc.out
    if not docs:
        return None, doc.out
    suspects = set()
    if isinstance(events[2], yaml.ScalarEvent):
        suspects.add(events[2].start_mark.line + 1)  # the whole document is one text
    found = _line_problems(doc, events, suspects)
    if found:
        return None, found  # NOTE: the structure is not what the clerk wrote: say only why
    for event in events:
        name = getattr(event, "anchor", None)
        if name is not None:
            (doc.aliases if isinstance(event, yaml.AliasEvent) else doc.anchors).add(name)
    rest = iter(events[2:-2])  # inside StreamStart, DocumentStart ... DocumentEnd, StreamEnd
    root = _node(next(rest), rest, doc, "", is_key=False)
    return root, doc.out


def _too_deep(events: list[yaml.Event]) -> int | None:
    """The line where lists and mappings first nest past MAX_DEPTH, or None.

    NOTE: checked on the flat events before any node is made, so that no input can exhaust the
    recursion that turns events into nodes.
    """
    depth = 0
    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return int(event.start_mark.line) + 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return None


def _syntax_problems(
    exc: yaml.YAMLError, file: TextFile, doc: _Doc, events: list[yaml.Event]
) -> list[Problem]:
    """Explain a syntax error, by the clerk's likely slip on that line when there is one."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None)
    if context == "while scanning a simple key":
        # NOTE: a key without its colon is noticed a line later; point at the key itself
        mark = getattr(exc, "context_mark", None) or mark
    if mark is not None:
        line = mark.line + 1
    elif isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses to read
        line = file.text[: exc.position].count("\n") + 1
    else:
        line = 1
    stopped = getattr(exc, "problem_mark", None)
    for number in sorted({line, line if stopped is None else stopped.line + 1}):
        match = _INDICATOR_VALUE.fullmatch(doc.line(number - 1))
        if match:  # text starting with a character YAML reserves, where YAML gave up
            key, value = match.group(1) or "", match.group(2).rstrip()
            return [_quote_problem(doc, number, match.start(2), key, value, True)]
    found = _line_problems(doc, events, {line})
    # NOTE: a key written as text (name:东山村) is noticed where YAML gives up, on the next line
    if any(p.where.line in (line - 1, line) for p in found):
        return found
    detail = str(getattr(exc, "problem", "") or getattr(exc, "reason", "") or "").strip()
    syntax = problems.YAML_SYNTAX.at(
        Location(file.rel, line), None, detail=_yaml_detail_zh(detail), detail_en=detail
    )
    return [*found, syntax]


def _yaml_detail_zh(detail: str) -> str:
    table = {
        "mapping values are not allowed here": "这里不能有冒号（值里有冒号时请加引号）",
        "could not find expected ':'": "缺少冒号",
        "found character '\\t' that cannot start any token": "不能用 Tab 键缩进，请用空格",
        "expected <block end>, but found '-'": "列表的缩进不对齐",
        "found unexpected end of stream": "引号没有配对",
    }
    for key, zh in table.items():
        if key in detail:
            return zh
    return "缩进、冒号或引号有误"


def _scalar_problems(event: yaml.ScalarEvent, doc: _Doc, key: str) -> Iterator[Problem]:
    """Report a value whose text YAML cut at a comment or read as a tag."""
    line, col = event.start_mark.line, event.start_mark.column
    tag = event.tag
    if tag is not None and tag.startswith(_YAML_TAGS):  # "!!str", written on purpose
        yield problems.YAML_TAG.at(Location(doc.rel, line + 1), None, value=tag)
        return
    if tag is not None:  # NOTE: even "! text": the lone "!" is a tag too, and it is dropped
        source = doc.line(line)
        value = source[col:].split(" #", 1)[0].strip() if event.style in (None, "") else tag
        yield _quote_problem(doc, line + 1, col, key, value or tag, True)
        return
    if event.style not in (None, ""):
        return
    after = doc.line(event.end_mark.line)[event.end_mark.column :]
    if _COMMENT_AFTER.match(after):
        value = (event.value + after).strip()
        yield _quote_problem(doc, line + 1, col, key, value, False)


def _node(event: yaml.Event, rest: Iterator[yaml.Event], doc: _Doc, key: str, is_key: bool) -> Node:
    line = event.start_mark.line + 1
    if type(event) is yaml.ScalarEvent and event.anchor is None and event.tag is None:
        # NOTE: most nodes: a plain or quoted value with no anchor or tag, where the only thing
        # to look for is a comment after a plain value (see _scalar_problems)
        plain = event.style is None or event.style == ""
        if plain and not is_key:
            after = doc.line(event.end_mark.line)[event.end_mark.column : event.end_mark.column + 1]
            if after in (" ", "\t"):  # what _COMMENT_AFTER needs first
                doc.out.extend(_scalar_problems(event, doc, key))
        return ScalarNode(line, event.value, plain=plain and event.implicit[0])
    rel, out = doc.rel, doc.out
    anchor = getattr(event, "anchor", None)
    # NOTE: "&名单 见附件" or "*注" written as text is not a deliberate anchor or alias: an
    # alias to no anchor, or an anchor on a text no alias uses, asks for quotes instead.
    is_text = not is_key and (
        (isinstance(event, yaml.AliasEvent) and anchor not in doc.anchors)
        or (
            isinstance(event, yaml.ScalarEvent) and anchor is not None and anchor not in doc.aliases
        )
    )
    if is_text:
        col = event.start_mark.column
        written = doc.line(line - 1)[col:].split(" #", 1)[0].strip()
        out.append(_quote_problem(doc, line, col, key, written, True))
    elif isinstance(event, yaml.AliasEvent) or anchor is not None:
        out.append(problems.YAML_ALIAS.at(Location(rel, line)))
    if isinstance(event, yaml.AliasEvent):
        return ScalarNode(line, "", plain=True)
    if isinstance(event, yaml.ScalarEvent):
        if not is_key:
            out.extend(_scalar_problems(event, doc, key))
        elif event.tag is not None and event.tag != "!":
            out.append(problems.YAML_TAG.at(Location(rel, line), None, value=event.tag))
        plain = event.style is None or event.style == ""
        return ScalarNode(line, event.value, plain=plain and event.implicit[0])
    tag = getattr(event, "tag", None)
    if tag is not None:
        out.append(problems.YAML_TAG.at(Location(rel, line), None, value=tag))
    if isinstance(event, yaml.SequenceStartEvent):
        seq = SeqNode(line)
        for child in rest:
            if isinstance(child, yaml.SequenceEndEvent):
                return seq
            seq.items.append(_node(child, rest, doc, key, is_key=False))
        return seq
    if isinstance(event, yaml.MappingStartEvent):
        mapping = MapNode(line)
        for key_event in rest:
            if isinstance(key_event, yaml.MappingEndEvent):
                return mapping
            key_node = _node(key_event, rest, doc, key, is_key=True)
            name = key_node.text if isinstance(key_node, ScalarNode) else ""
            full = f"{key}.{name}" if key and name else name or key
            value = _node(next(rest), rest, doc, full, is_key=False)
            if not isinstance(key_node, ScalarNode):
                out.append(
                    problems.WRONG_SHAPE.at(
                        Location(rel, key_node.line),
                        None,
                        expected="字段名",
                        actual="复杂结构",
                        expected_en="a key",
                        actual_en="a structure",
                    )
                )
                continue
            if name in mapping.items:
                out.append(
                    problems.DUPLICATE_KEY.at(
                        Location(rel, key_node.line),
                        name,
                        key=name,
                        other_line=mapping.items[name][0],
                    )
                )
                continue
            mapping.items[name] = (key_node.line, value)
        return mapping
    raise _YamlError(type(event).__name__)  # pragma: no cover - PyYAML emits no other events
