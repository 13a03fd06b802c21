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
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from typing import Any

from builder import model
from builder.audit import migrations
from builder.audit.fingerprint import encode, fingerprint, is_logged_as
from builder.format import problems
from builder.format.privacy import finds_any, scan_personal_data
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
#: Optional fields (v1.3): written only when set, so every line without them reads, hashes and
#: enters the Merkle tree exactly as before.
OPTIONAL = ("migrated_from", "upgraded_from")
#: What `migrated_from` holds: the identity the period was logged under before a declared
#: migration (migrations.yml), the migration's date and its reason.
MIGRATED_FIELDS = ("code", "date", "reason", "village")


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
    #: {code, village, date, reason} of the identity before a declared migration; empty if none
    migrated_from: dict[str, str] | None = None
    #: the v1 fingerprint this entry restates as v2 (`log update --upgrade`); empty if none
    upgraded_from: str = ""

    def fields(self) -> dict[str, Any]:
        """Return the entry's fields as written: an unset optional field is left out.

        NOTE: read one by one, not by dataclasses.asdict, whose deep copy of every value was
        half the time of reading a county's log (21,600 entries) on every check and build."""
        data = {name: getattr(self, name) for name in _NAMES}
        if self.migrated_from:
            data["migrated_from"] = dict(self.migrated_from)
        if self.upgraded_from:
            data["upgraded_from"] = self.upgraded_from
        return data

    def body(self) -> dict[str, Any]:
        """Return the fields the entry's hash covers (all but the hash)."""
        data = self.fields()
        del data["hash"]
        return data

    def line(self) -> str:
        """Return the entry as one line of the log."""
        return encode(self.fields()).decode() + "\n"

    @property
    def key(self) -> tuple[str, str]:
        """Return the (village code, period) the entry is about."""
        return (self.code, self.period)


_NAMES = tuple(f.name for f in dataclass_fields(Entry) if f.name not in OPTIONAL)


def _migrated_ok(value: object) -> bool:
    """`migrated_from`, when written: an object of the four strings, the old code not empty."""
    return (
        isinstance(value, dict)
        and sorted(value) == sorted(MIGRATED_FIELDS)
        and all(isinstance(v, str) for v in value.values())
        and bool(value["code"])
    )


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
        if not isinstance(data, dict) or sorted(k for k in data if k not in OPTIONAL) != sorted(
            FIELDS
        ):
            return broken(line_no, "字段不对。", "The fields are wrong.")
        if "upgraded_from" in data and not (
            isinstance(data["upgraded_from"], str)
            and len(data["upgraded_from"]) == 64
            and all(c in "0123456789abcdef" for c in data["upgraded_from"])
        ):
            return broken(
                line_no,
                "upgraded_from 应是 64 位十六进制的 v1 指纹。",
                "upgraded_from must be a 64-hex v1 fingerprint.",
            )
        if "migrated_from" in data and not _migrated_ok(data["migrated_from"]):
            return broken(
                line_no,
                "migrated_from 应写明原区划代码（code）、原文件夹（village）、迁移日期（date）和原因（reason）。",
                "migrated_from must hold code, village, date and reason.",
            )
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
        if entry.upgraded_from and entry.upgraded_from != next(
            (e.fingerprint for e in reversed(entries) if e.key == entry.key), None
        ):
            return broken(
                line_no,
                "upgraded_from 与这一期上一条的指纹不符。",
                "upgraded_from is not the period's previous fingerprint.",
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


@dataclass(frozen=True)
class Moved:
    """A logged period that a declared migration moved to a new code or folder."""

    village: model.Village  # as it is now
    period: model.Period
    was: Entry  # its newest entry under the old identity
    step: migrations.Migration  # the declared migration that brought it here

    def migrated_from(self) -> dict[str, str]:
        """The log entry's `migrated_from`: the old identity, the date and the reason."""
        return {
            "code": self.was.code,
            "village": self.was.village,
            "date": self.step.date.isoformat(),
            "reason": self.step.reason,
        }


def moved(
    entries: list[Entry],
    villages: Iterable[model.Village],
    moves: list[migrations.Migration],
) -> list[Moved]:
    """Logged periods a declared migration moved whose new identity (code and folder) the log
    does not carry yet: each needs an entry with `migrated_from` (what `log update` writes)."""
    if not moves:
        return []
    last = latest(entries)
    by_code = {v.code: v for v in villages}
    out: list[Moved] = []
    for (code, period_id), entry in last.items():
        steps = migrations.chain(moves, code, entry.village)
        if not steps:
            continue
        village = by_code.get(steps[-1].new_code)
        period = village.period(period_id) if village is not None else None
        if village is None or period is None:
            continue  # deleted: check --since reports it
        folder = f"{village.town_slug}/{village.slug}"
        if (village.code, folder) == (code, entry.village):
            continue
        if any(
            e.key == (village.code, period_id)
            and e.village == folder
            and e.migrated_from
            and e.seq > entry.seq
            for e in entries
        ):
            continue  # the log records the move
        out.append(Moved(village, period, entry, steps[-1]))
    out.sort(key=lambda m: (m.was.seq, m.village.code))
    return out


def unlogged_migrations(
    entries: list[Entry],
    villages: Iterable[model.Village],
    moves: list[migrations.Migration],
    rel: str,
    kind: problems.Kind = problems.MIGRATION_NOT_LOGGED,
) -> list[Problem]:
    """Declared migrations that moved logged periods the log has no migration entry for yet."""
    groups: dict[tuple[str, str, str, str], list[Moved]] = {}
    for m in moved(entries, villages, moves):
        folder = f"{m.village.town_slug}/{m.village.slug}"
        groups.setdefault((m.was.code, m.was.village, m.village.code, folder), []).append(m)
    out = []
    for (old_code, old_folder, new_code, folder), items in groups.items():
        periods = sorted(m.period.period for m in items)
        out.append(
            kind.at(
                Location(rel),
                None,
                date=items[0].step.date.isoformat(),
                village=items[0].village.name,
                old=f"{old_folder}（{old_code}）",
                new=f"{folder}（{new_code}）",
                periods="、".join(periods[:6])
                + (f" 等 {len(periods)} 期" if len(periods) > 6 else ""),
                path=rel,
            )
        )
    return out


def migration_text(entry: Entry, name: str) -> str:
    """An entry's migration in plain Chinese: "2026-12-12 起 西湾村 代码由 A 改为 B（原因）"."""
    was = entry.migrated_from or {}
    parts = []
    if was.get("code") and was["code"] != entry.code:
        parts.append(f"代码由 {was['code']} 改为 {entry.code}")
    if was.get("village") and was["village"] != entry.village:
        parts.append(f"文件夹（网址）由 {was['village']} 改为 {entry.village}")
    reason = f"（{was['reason']}）" if was.get("reason") else ""
    return f"{was.get('date', '')} 起 {name} {'、'.join(parts) or '迁移'}{reason}"


def migrations_of(entries: list[Entry]) -> list[Entry]:
    """One entry per recorded migration (the first of its periods), in log order."""
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for e in entries:
        if not e.migrated_from:
            continue
        key = (e.migrated_from["code"], e.migrated_from["village"], e.code, e.village)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def undeclared_migrations(
    entries: list[Entry], moves: list[migrations.Migration], rel: str, start: int = 0
) -> list[Problem]:
    """Entries (from index start) whose `migrated_from` no declared migration backs."""
    out = []
    for entry in entries[start:]:
        was = entry.migrated_from
        if not was:
            continue
        steps = migrations.chain(moves, was["code"], was["village"])
        if steps and steps[-1].new_code == entry.code:
            continue
        out.append(
            problems.MIGRATION_UNDECLARED.at(
                Location(rel, entry.seq),
                "migrated_from",
                village=entry.village,
                period=entry.period,
                old=f"{was['village']}（{was['code']}）",
                new=f"{entry.village}（{entry.code}）",
            )
        )
    return out


def append(
    entries: list[Entry],
    items: list[tuple[model.Village, model.Period, str]],
    moves: Iterable[Moved] = (),
    upgraded: Iterable[tuple[str, str]] = (),
) -> list[Entry]:
    """New entries for items, chained after entries; an item a declared migration moved
    carries `migrated_from`, one restated as v2 (upgraded: their keys) `upgraded_from`."""
    prev = entries[-1].hash if entries else ZERO
    seq = len(entries)
    out = []
    came = {(m.village.code, m.period.period): m.migrated_from() for m in moves}
    last = latest(entries)
    restated = set(upgraded)
    for village, period, fp in items:
        seq += 1
        key = (village.code, period.period)
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
                migrated_from=came.get(key),
                upgraded_from=last[key].fingerprint if key in restated and key in last else "",
            )
        )
        out.append(entry)
        prev = entry.hash
    return out


def upgrades(
    entries: list[Entry], villages: Iterable[model.Village], today: dt.date
) -> list[tuple[model.Village, model.Period, str]]:
    """Published periods whose newest entry holds their v1 fingerprint (logged before v2): what
    `log update --upgrade` restates as v2, so their printed sheets can carry a tree head."""
    from builder.audit.fingerprint import fingerprint_v1

    last = latest(entries)
    out = []
    for village in villages:
        for period in village.periods:
            entry = last.get((village.code, period.period))
            if entry is None or not is_published(period, today):
                continue
            v2 = fingerprint(village, period)
            if entry.fingerprint != v2 and entry.fingerprint == fingerprint_v1(village, period):
                out.append((village, period, v2))
    out.sort(key=lambda t: (t[1].published_at, t[0].code, t[1].period))
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


def _written(entry: Entry) -> list[tuple[str, str]]:
    """(field, text) of what a person wrote or could write in an entry (personal_data)."""
    written = [(key, str(getattr(entry, key))) for key in ("village", "code", "period")]
    written += [("published_at", entry.published_at)]
    return written + [
        (f"migrated_from.{k}", v) for k, v in sorted((entry.migrated_from or {}).items())
    ]


def personal_data(entries: list[Entry], rel: str) -> list[Problem]:
    """ID, card or phone numbers in an entry's written fields (the log is published as it is).

    NOTE: field by field, and never the hashes: hex digits look like a phone number now and then.
    All the fields joined by commas are looked at in one pass first (finds_any: exactly "one of
    them holds something"), and scanned one by one only when that pass finds something.
    """
    written = [_written(entry) for entry in entries]
    if not finds_any(",".join(text for fields in written for _, text in fields)):
        return []
    found = []
    for line, fields in enumerate(written, start=1):
        for key, text in fields:
            for finding in scan_personal_data(text):
                found.append(
                    problems.KINDS[finding.code].at(Location(rel, line), key, value=finding.value)
                )
    return found
