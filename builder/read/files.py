"""Read `villages/`: the folder layout, then each YAML or CSV file into raw records with lines.

Nothing here judges values: a YAML scalar stays text, a CSV cell stays text. What cannot be read
(bad encoding, bad syntax, a path that does not belong) becomes a Problem with its place. This is
the only module that reads `villages/`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from builder.format import privacy, problems, schema
from builder.format.problems import Location, Problem
from builder.format.schema import RecordSchema

try:  # the C parser is several times faster on a county's worth of files
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

SLUG_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PERIOD_DIR_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

VILLAGE_FILES = {
    "village.yml": True,
    "powers.yml": True,
    "contracts.csv": False,
    "decisions.yml": False,
    "topics.yml": False,
}
PERIOD_FILES = {"disclosure.yml": True, "ledger.csv": True, "assistance.csv": False}


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


@dataclass
class RawRow:
    """One CSV record: the line it starts on and its cells by column key."""

    line: int
    values: dict[str, str]


@dataclass
class TextFile:
    """A file decoded as UTF-8, with its display path."""

    rel: str
    text: str


# --- layout -------------------------------------------------------------------------------------
@dataclass
class PeriodFiles:
    period: str
    dir_rel: str
    files: dict[str, Path] = field(default_factory=dict)


@dataclass
class VillageFiles:
    town: str
    slug: str
    dir: Path
    dir_rel: str
    files: dict[str, Path] = field(default_factory=dict)
    periods: list[PeriodFiles] = field(default_factory=list)


@dataclass
class TownFiles:
    slug: str
    dir: Path
    dir_rel: str
    files: dict[str, Path] = field(default_factory=dict)
    villages: list[VillageFiles] = field(default_factory=list)


@dataclass
class Layout:
    root: Path
    files: dict[str, Path] = field(default_factory=dict)
    towns: list[TownFiles] = field(default_factory=list)

    def villages(self) -> Iterator[VillageFiles]:
        """Iterate over every village folder of every town."""
        for town in self.towns:
            yield from town.villages


def display_path(path: Path, base: Path) -> str:
    """Path as shown to clerks: relative to the project root, with forward slashes."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as scan:
        return sorted(scan, key=lambda e: e.name)


def _unknown(where: str, name: str, hint: str, hint_en: str) -> Problem:
    return problems.UNKNOWN_PATH.at(Location(where), None, name=name, hint=hint, hint_en=hint_en)


def _check_slugs(
    entries: list[os.DirEntry[str]],
    base: Path,
    out: list[Problem],
    reserved: frozenset[str],
    level: tuple[str, str],
) -> list[str]:
    """Return the sub-folder names that are good slugs; report bad, colliding and reserved ones
    (level names the folder's kind for the message: ("乡镇", "town") or ("村", "village"))."""
    good: list[str] = []
    seen: dict[str, str] = {}
    # NOTE: good slugs first, so that "DongShan" beside "dongshan" is named as a collision
    # with the folder the clerk meant, not only as a bad name.
    for entry in sorted(entries, key=lambda e: (not SLUG_RE.fullmatch(e.name), e.name)):
        rel = display_path(Path(entry.path), base)
        folded = entry.name.casefold()
        if folded in seen:
            out.append(
                problems.SLUG_COLLISION.at(Location(rel), None, name=entry.name, other=seen[folded])
            )
            continue
        seen[folded] = entry.name
        if not SLUG_RE.fullmatch(entry.name):
            out.append(problems.BAD_SLUG.at(Location(rel), None, name=entry.name))
            continue
        personal = next(privacy.scan_personal_data(entry.name), None)
        if personal is not None:  # NOTE: a folder name is a URL of the published site
            out.append(problems.KINDS[personal.code].at(Location(rel), None, value=personal.value))
            continue
        if entry.name in reserved:
            out.append(
                problems.RESERVED_SLUG.at(
                    Location(rel),
                    None,
                    name=entry.name,
                    reserved="、".join(sorted(reserved)),
                    level=level[0],
                    level_en=level[1],
                )
            )
            continue
        good.append(entry.name)
    good.sort()
    return good


def _files_in(
    folder: Path, allowed: dict[str, bool], base: Path, out: list[Problem], hint: str, hint_en: str
) -> tuple[dict[str, Path], list[os.DirEntry[str]]]:
    """Split a folder into its allowed files and its sub-folders; report links and strangers."""
    files: dict[str, Path] = {}
    dirs: list[os.DirEntry[str]] = []
    for entry in _entries(folder):
        if entry.is_symlink():
            rel = display_path(Path(entry.path), base)
            out.append(problems.LINK.at(Location(rel), None, name=entry.name))
        elif entry.is_dir(follow_symlinks=False):
            dirs.append(entry)
        elif entry.name in allowed and entry.is_file(follow_symlinks=False):
            files[entry.name] = folder / entry.name
        else:
            out.append(_unknown(display_path(Path(entry.path), base), entry.name, hint, hint_en))
    for name, required in allowed.items():
        if required and name not in files:
            out.append(
                problems.MISSING_FILE.at(
                    Location(display_path(folder / name, base)),
                    None,
                    name=name,
                    hint="",
                    hint_en="",
                )
            )
    return files, dirs


def scan_layout(
    villages_dir: Path, base: Path, wanted: Callable[[str, str], bool] | None = None
) -> tuple[Layout, list[Problem]]:
    """Walk villages/ and return its files by role, with every layout problem; with wanted,
    only the villages it accepts (town slug, village slug) are walked into."""
    out: list[Problem] = []
    layout = Layout(villages_dir)
    files, town_dirs = _files_in(
        villages_dir,
        {"county.yml": True, "powers.yml": False},
        base,
        out,
        "这里只能放 county.yml、powers.yml 和各乡镇的文件夹。",
        "Only county.yml, powers.yml and one folder per town belong here.",
    )
    layout.files = files
    for town_name in _check_slugs(
        town_dirs, base, out, schema.RESERVED_TOWN_SLUGS, ("乡镇", "town")
    ):
        town_dir = villages_dir / town_name
        town = TownFiles(town_name, town_dir, display_path(town_dir, base))
        town.files, village_dirs = _files_in(
            town_dir,
            {"town.yml": True, "powers.yml": False},
            base,
            out,
            "乡镇文件夹里只能放 town.yml、powers.yml 和各村的文件夹。",
            "A town folder holds only town.yml, powers.yml and one folder per village.",
        )
        for village_name in _check_slugs(
            village_dirs, base, out, schema.RESERVED_VILLAGE_SLUGS, ("村", "village")
        ):
            village_dir = town_dir / village_name
            village = VillageFiles(
                town_name, village_name, village_dir, display_path(village_dir, base)
            )
            if wanted is not None and not wanted(town_name, village_name):
                town.villages.append(village)  # NOTE: named, not read: nothing selects it
                continue
            village.files, period_dirs = _files_in(
                village_dir,
                VILLAGE_FILES,
                base,
                out,
                "村文件夹里只能放 village.yml、powers.yml、contracts.csv、decisions.yml、topics.yml"
                " 和“年-月”公开期文件夹（如 2026-10）。",
                "A village folder holds village.yml, powers.yml, contracts.csv, decisions.yml, "
                "topics.yml and period folders named YYYY-MM (e.g. 2026-10).",
            )
            for entry in period_dirs:
                rel = display_path(Path(entry.path), base)
                if not PERIOD_DIR_RE.fullmatch(entry.name):
                    out.append(
                        _unknown(
                            rel,
                            entry.name,
                            "公开期文件夹须按“年-月”命名，例如 2026-10。",
                            "Period folders are named YYYY-MM, e.g. 2026-10.",
                        )
                    )
                    continue
                period = PeriodFiles(entry.name, rel)
                period.files, extra = _files_in(
                    Path(entry.path),
                    PERIOD_FILES,
                    base,
                    out,
                    "公开期文件夹里只能放 disclosure.yml、ledger.csv 和 assistance.csv。",
                    "A period folder holds only disclosure.yml, ledger.csv and assistance.csv.",
                )
                for sub in extra:
                    out.append(
                        _unknown(
                            display_path(Path(sub.path), base),
                            sub.name,
                            "公开期文件夹里不能再有文件夹。",
                            "A period folder has no sub-folders.",
                        )
                    )
                village.periods.append(period)
            town.villages.append(village)
        layout.towns.append(town)
    return layout, out


# --- decoding ---------------------------------------------------------------------------------
def decode(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (a BOM is fine); name GBK when that is what it is, never guess silently."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess, guess_en = "", ""
        try:
            data.decode("gb18030")
            guess, guess_en = (
                "（可能是 GBK/GB18030，Excel 默认的“CSV”格式）",
                " (probably GBK/GB18030)",
            )
        except UnicodeDecodeError:
            pass
        return None, [
            problems.NOT_UTF8.at(
                Location(rel, line), None, path=rel, guess=guess, guess_en=guess_en
            )
        ]


def read_text(path: Path, base: Path) -> tuple[TextFile | None, list[Problem]]:
    """Read and decode one file."""
    rel = display_path(path, base)
    text, found = decode(path.read_bytes(), rel)
    if text is None:
        return None, found
    return TextFile(rel, text.replace("\r\n", "\n").replace("\r", "\n")), found


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
        if _NBSP_INDENT.match(text):
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
        if match := _NBSP_COLON.match(text):
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
    if any(p.where.line == line for p in found):
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
    rel, out = doc.rel, doc.out
    line = event.start_mark.line + 1
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


# --- CSV --------------------------------------------------------------------------------------
@dataclass
class CsvTable:
    rel: str
    columns: list[str]
    rows: list[RawRow]


def parse_csv(file: TextFile, schema: RecordSchema) -> tuple[CsvTable | None, list[Problem]]:
    """Read a CSV with a header of keys or Chinese aliases; every cell stays text."""
    out: list[Problem] = []
    reader = csv.reader(io.StringIO(file.text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        out.append(problems.CSV_SYNTAX.at(Location(file.rel, start), None, detail=str(exc)))
        return None, out
    while records and not records[-1][1]:
        records.pop()  # trailing empty lines are not rows
    if not records:
        out.append(problems.EMPTY_FILE.at(Location(file.rel, 1)))
        return None, out
    header_line, header = records[0]
    columns: list[str] = []
    seen: set[str] = set()
    header_ok = True
    for cell in header:
        name = unicodedata.normalize("NFKC", cell).strip()
        field_spec = schema.column(name)
        if field_spec is None:
            out.append(
                problems.UNKNOWN_COLUMN.at(
                    Location(file.rel, header_line),
                    None,
                    value=name,
                    hint="本表的列："
                    + "、".join(f"{c.key}（{c.zh}）" for c in schema.fields)
                    + "。",
                    hint_en="Columns: " + ", ".join(c.key for c in schema.fields) + ".",
                )
            )
            header_ok = False
            columns.append("")
        elif field_spec.key in seen:
            out.append(
                problems.DUPLICATE_COLUMN.at(
                    Location(file.rel, header_line), field_spec.key, value=name
                )
            )
            header_ok = False
            columns.append("")
        else:
            seen.add(field_spec.key)
            columns.append(field_spec.key)
    for field_spec in schema.fields:
        if field_spec.required and field_spec.key not in seen:
            out.append(
                problems.MISSING_COLUMN.at(
                    Location(file.rel, header_line),
                    field_spec.key,
                    label=f"{field_spec.zh}（{field_spec.key}）",
                )
            )
            header_ok = False
    if not header_ok:
        return None, out
    rows: list[RawRow] = []
    for line, cells in records[1:]:
        if not any(c.strip() for c in cells):
            out.append(problems.BLANK_ROW.at(Location(file.rel, line)))
            continue
        if len(cells) != len(columns):
            out.append(
                problems.RAGGED_ROW.at(
                    Location(file.rel, line), None, count=len(cells), expected=len(columns)
                )
            )
            continue
        rows.append(RawRow(line, {k: v.strip() for k, v in zip(columns, cells, strict=True)}))
    return CsvTable(file.rel, columns, rows), out
