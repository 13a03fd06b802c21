"""The publication log: every published period's fingerprint, in a hash chain.

`publication-log.jsonl` sits at the project root beside `villages/`. Each line is one entry in
canonical JSON (sorted keys, no spaces, UTF-8)::

    {"code":"371322101201","corrections":0,"fingerprint":"<64 hex>","hash":"<64 hex>",
     "period":"2026-10","prev":"<64 hex>","published_at":"2026-11-05","seq":7,
     "village":"chengguan/dongshan"}

`prev` is the previous entry's `hash` (64 zeros for the first), and
`hash = SHA-256(b"sunlight-log-v1\\0" || canonical JSON of the entry without "hash")`, so
changing, removing or reordering any line breaks every hash after it (Certificate
Transparency's idea, without the Merkle tree: the whole log is small enough to re-check). A
period gets a new entry when it is first published and again whenever a correction changes
its fingerprint; entries are only ever appended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from builder import model
from builder.audit.fingerprint import encode, fingerprint, is_logged_as
from builder.format import problems
from builder.format.privacy import scan_personal_data
from builder.format.problems import Location, Problem

DOMAIN = b"sunlight-log-v1\x00"
ZERO = "0" * 64
FIELDS = (
    "code",
    "corrections",
    "fingerprint",
    "hash",
    "period",
    "prev",
    "published_at",
    "seq",
    "village",
)


@dataclass(frozen=True)
class Entry:
    seq: int
    village: str  # town/village folder when logged (the code is what identifies the village)
    code: str
    period: str
    published_at: str
    corrections: int
    fingerprint: str
    prev: str
    hash: str = ""

    def body(self) -> dict[str, Any]:
        """Return the fields the entry's hash covers (all but the hash)."""
        data = asdict(self)
        del data["hash"]
        return data

    def line(self) -> str:
        """Return the entry as one line of the log."""
        return encode(asdict(self)).decode() + "\n"

    @property
    def key(self) -> tuple[str, str]:
        """Return the (village code, period) the entry is about."""
        return (self.code, self.period)


def entry_hash(entry: Entry) -> str:
    """The entry's hash over its fields (without the hash itself), domain-separated."""
    return hashlib.sha256(DOMAIN + encode(entry.body())).hexdigest()


def seal(entry: Entry) -> Entry:
    """Return the entry with its hash filled in."""
    return replace(entry, hash=entry_hash(entry))


def parse(text: str, rel: str) -> tuple[list[Entry], list[Problem]]:
    """Read the log; stop at the first line that is not a well-formed link of the chain."""
    entries: list[Entry] = []

    def broken(line_no: int, zh: str, en: str) -> tuple[list[Entry], list[Problem]]:
        return entries, [
            problems.LOG_BROKEN.at(Location(rel, line_no), None, reason=zh, reason_en=en)
        ]

    if text and not text.endswith("\n"):
        return broken(text.count("\n") + 1, "最后一行没有换行符。", "The last line has no newline.")
    for line_no, line in enumerate(text.splitlines(keepends=True), start=1):
        try:
            data = json.loads(line)
        except ValueError:
            return broken(line_no, "这一行不是 JSON。", "This line is not JSON.")
        if not isinstance(data, dict) or sorted(data) != sorted(FIELDS):
            return broken(line_no, "字段不对。", "The fields are wrong.")
        try:
            entry = Entry(**data)
        except TypeError:  # pragma: no cover - the fields were just checked
            return broken(line_no, "字段不对。", "The fields are wrong.")
        if not (
            isinstance(entry.seq, int)
            and isinstance(entry.corrections, int)
            and all(
                isinstance(getattr(entry, k), str)
                for k in FIELDS
                if k not in ("seq", "corrections")
            )
        ):
            return broken(line_no, "字段类型不对。", "A field has the wrong type.")
        if entry.line() != line:
            return broken(
                line_no,
                "格式不是规范写法（字段顺序、空格或转义）。",
                "The line is not in canonical form.",
            )
        if entry.seq != line_no:
            return broken(
                line_no,
                f"序号应为 {line_no}，实际是 {entry.seq}。",
                f"The seq should be {line_no}, not {entry.seq}.",
            )
        prev = entries[-1].hash if entries else ZERO
        if entry.prev != prev:
            return broken(
                line_no,
                "prev 与上一行的 hash 不符，链条断了。",
                "prev does not match the previous hash.",
            )
        if entry.hash != entry_hash(entry):
            return broken(
                line_no,
                "hash 与本行内容不符，本行被改过。",
                "hash does not match the line: it was edited.",
            )
        entries.append(entry)
    return entries, []


def extension_problems(
    old_text: str | None, new_text: str | None, rel: str, rev: str
) -> list[Problem]:
    """The new log must keep every line of the old one, unchanged and in place."""
    if not old_text:
        return []
    old_lines = old_text.splitlines(keepends=True)
    new_lines = (new_text or "").splitlines(keepends=True)
    values = {"rev": rev, "path": rel}
    if new_text is None:
        return [
            problems.LOG_REWRITTEN.at(
                Location(rel),
                None,
                reason="文件被删除了。",
                reason_en="the file was deleted.",
                **values,
            )
        ]
    for line_no, old_line in enumerate(old_lines, start=1):
        if line_no > len(new_lines):
            return [
                problems.LOG_REWRITTEN.at(
                    Location(rel, line_no),
                    None,
                    reason=f"从第 {line_no} 行起被截掉了（原有 {len(old_lines)} 行，现在 {len(new_lines)} 行）。",
                    reason_en=f"it was cut at line {line_no} ({len(old_lines)} lines before, {len(new_lines)} now).",
                    **values,
                )
            ]
        if new_lines[line_no - 1] != old_line:
            return [
                problems.LOG_REWRITTEN.at(
                    Location(rel, line_no),
                    None,
                    reason=f"第 {line_no} 行被改写了。",
                    reason_en=f"line {line_no} was rewritten.",
                    **values,
                )
            ]
    return []


def latest(entries: Iterable[Entry]) -> dict[tuple[str, str], Entry]:
    """The newest entry of every (village code, period)."""
    out: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        out[entry.key] = entry
    return out


def is_published(period: model.Period, today: dt.date) -> bool:
    """A period counts as published from its published_at."""
    return period.published_at <= today


def pending(
    entries: list[Entry], villages: Iterable[model.Village], today: dt.date
) -> list[tuple[model.Village, model.Period, str]]:
    """Published periods whose current fingerprint the log does not end with, oldest first."""
    last = latest(entries)
    out = []
    for village in villages:
        for period in village.periods:
            if not is_published(period, today):
                continue
            logged = last.get((village.code, period.period))
            # NOTE: a period logged under v1 whose records are unchanged stays as logged
            if logged is None or not is_logged_as(village, period, logged.fingerprint):
                out.append((village, period, fingerprint(village, period)))
    out.sort(key=lambda t: (t[1].published_at, t[0].code, t[1].period))
    return out


def append(
    entries: list[Entry], items: list[tuple[model.Village, model.Period, str]]
) -> list[Entry]:
    """New entries for items, chained after entries."""
    prev = entries[-1].hash if entries else ZERO
    seq = len(entries)
    out = []
    for village, period, fp in items:
        seq += 1
        entry = seal(
            Entry(
                seq,
                f"{village.town_slug}/{village.slug}",
                village.code,
                period.period,
                period.published_at.isoformat(),
                len(period.corrections),
                fp,
                prev,
            )
        )
        out.append(entry)
        prev = entry.hash
    return out


def render(entries: Iterable[Entry]) -> str:
    """Write entries as log lines."""
    return "".join(e.line() for e in entries)


def stale_problems(
    entries: list[Entry],
    villages: Iterable[model.Village],
    today: dt.date,
    rel: str,
    kind: problems.Kind,
) -> list[Problem]:
    """Published periods the log does not (yet) carry with their current fingerprint."""
    last = latest(entries)
    out = []
    for village, period, _fp in pending(entries, villages, today):
        logged = last.get((village.code, period.period))
        zh, en = (
            ("还没有记入公开记录。", "is not in the publication log yet.")
            if logged is None
            else ("的内容与公开记录中的指纹不一致。", "differs from its fingerprint in the log.")
        )
        out.append(
            kind.at(
                Location(f"{village.src_dir}/{period.period}/disclosure.yml"),
                None,
                village=village.name,
                period=period.period,
                published=period.published_at.isoformat(),
                reason=zh,
                reason_en=en,
                path=rel,
            )
        )
    return out


def personal_data(entries: list[Entry], rel: str) -> list[Problem]:
    """ID, card or phone numbers in an entry's written fields (the log is published as it is).

    NOTE: field by field, and never the hashes: hex digits look like a phone number now and then.
    """
    found = []
    for line, entry in enumerate(entries, start=1):
        for key in ("village", "code", "period", "published_at"):
            for finding in scan_personal_data(str(getattr(entry, key))):
                found.append(
                    problems.KINDS[finding.code].at(Location(rel, line), key, value=finding.value)
                )
    return found
