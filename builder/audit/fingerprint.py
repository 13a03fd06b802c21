"""The content fingerprint of one village's period: SHA-256 over a canonical form (v2; v1 kept).

The canonical form is built from the *validated* records, never from file bytes, so a BOM, CRLF
line ends, the order or Chinese aliases of CSV columns, YAML quoting, `120` vs `120.00`, or a
GBK file converted back to UTF-8 leave it unchanged; any change of a value changes it.

Canonical form v1 (FORMAT.md, "Audit trail"): a JSON object whose every scalar is a string
(money with two decimals, dates YYYY-MM-DD, absent values ""), keys sorted, no whitespace, UTF-8,
non-ASCII written as is — for such documents this is exactly RFC 8785 (JCS). Assistance names
enter masked (张*三) whatever `names_online` says, so the published fingerprint can never be
used to guess a masked name; a change hidden by the mask is still caught by `check --since`,
which compares the full records (`canonical(..., names="full")`).

    fingerprint_v1 = SHA-256(b"sunlight-period-v1\\0" || canonical bytes)

Canonical form v2 covers everything the period's page shows, in the same JCS encoding:
`{"v": "2", "render": RENDER_VERSION, "record": <v1 form>, "registers": …, "people": …,
"parameters": …, "names_online": …}` where, in "record", each assistance recipient's name is
`SHA-256("sunlight-name-v2\\0" salt "\\0" full name)` when the row has a `salt` (random letters
kept in assistance.csv, written by `log update`), so the public hash changes when a name
changes but cannot be used to guess it (else the masked name, as in v1); the corrections carry
the changes they list; "registers" holds the contracts the ledger links, the 四议两公开
decisions those contracts cite and the 点题 topics answered in the period, and, only where the
period's month held any, the meetings of meetings.yml held in it ("meetings"); "people" the roles,
on the publication day, of everyone the period names; "parameters" the village's effective
parameters (masking mode, rule levels, limits). v1 fingerprints (on paper before v2) keep
verifying: `versions()` gives both, and the log and `verify` accept either.

    fingerprint = SHA-256(b"sunlight-period-v2\\0" || canonical v2 bytes)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from builder import model
from builder.format.values import money
from builder.pipeline.cache import BuildCache
from builder.pipeline.workers import split_map

DOMAIN = b"sunlight-period-v1\x00"
DOMAIN_V2 = b"sunlight-period-v2\x00"
NAME_DOMAIN = "sunlight-name-v2\x00"
#: Raise when the period page's template shows something new or shows it differently.
RENDER_VERSION = "1"
SHORT_HEX = 32  # 128 bits: what paper, links and QR codes carry
_HEX = re.compile(r"[0-9a-f]+")


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _written(key: str, value: str) -> dict[str, str]:
    """An optional v1.2 value, in the canonical form only when written (FORMAT.md): so every
    record kept without it has the fingerprint it always had, and writing or changing it shows."""
    return {key: value} if value else {}


def _affairs(items: tuple[model.Affair, ...]) -> list[dict[str, str]]:
    return [{"title": a.title, "date": _s(a.date), "body": a.body} for a in items]


def canonical_data(
    village: model.Village, period: model.Period, *, names: str = "masked"
) -> dict[str, Any]:
    """The canonical form as plain data (names: "masked" for fingerprints, "full" for checks)."""
    mask = model.mask_name if names == "masked" else str
    data: dict[str, Any] = {
        "village": village.code,
        "period": period.period,
        "opening": {"cash": _s(period.opening.cash), "bank": _s(period.opening.bank)},
        "closing": {"cash": _s(period.closing.cash), "bank": _s(period.closing.bank)},
        "drafted_by": period.drafted_by,
        "reviewed_by": period.reviewed_by,
        "reviewed_at": _s(period.reviewed_at),
        "published_at": _s(period.published_at),
        "village_affairs": _affairs(period.village_affairs),
        "party_affairs": _affairs(period.party_affairs),
        "corrections": [
            {"date": _s(c.date), "reason": c.reason, "approved_by": c.approved_by}
            for c in period.corrections
        ],
        "ledger": [
            {
                "date": _s(r.date),
                "voucher_no": r.voucher_no,
                "summary": r.summary,
                "account_code": r.account_code,
                "income": _s(r.income),
                "expense": _s(r.expense),
                "counterparty": r.counterparty,
                "method": r.method,
                "receipt": r.receipt,
                "approver": r.approver,
                "contract_id": r.contract_id,
                **_written("bank_account", r.bank_account),
            }
            for r in period.ledger
        ],
        "assistance": [
            {
                "category": a.category,
                "name": mask(a.name),
                "group": a.group,
                "household_size": _s(a.household_size),
                "amount": _s(a.amount),
                "notice_start": _s(a.notice_start),
                "notice_end": _s(a.notice_end),
                "status": a.status,
                **_written("cause", a.cause),
            }
            for a in period.assistance
        ],
    }
    if period.deposits is not None:  # v1.2, optional: only where the period records them
        data["deposits"] = [
            {"date": _s(d.date), "amount": _s(d.amount), "note": d.note} for d in period.deposits
        ]
    return data


def encode(data: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no whitespace, UTF-8 (JCS for string-only data)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def canonical(village: model.Village, period: model.Period, *, names: str = "masked") -> bytes:
    """The canonical bytes of a period (what the fingerprint hashes, after the domain)."""
    return encode(canonical_data(village, period, names=names))


def fingerprint_v1(village: model.Village, period: model.Period) -> str:
    """The period's v1 fingerprint (records only, names masked): 64 lower-case hex digits."""
    return hashlib.sha256(DOMAIN + canonical(village, period)).hexdigest()


def salted_name(salt: str, name: str) -> str:
    """A recipient's full name bound to its row's salt (hex): changes with the name, hides it."""
    return hashlib.sha256(f"{NAME_DOMAIN}{salt}\x00{name}".encode()).hexdigest()


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and scalars as string-only JSON data (row line numbers left out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "line"
        }
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return _s(value)


@functools.lru_cache(maxsize=16384)
def _plain_entry(entry: Any) -> Any:
    """_plain of one frozen register entry or parameter set, computed once (entries repeat on
    every period that shows them); the result is only ever encoded, never changed."""
    return _plain(entry)


def named_people(period: model.Period) -> list[str]:
    """Everyone the period's page names as an official, in order of first mention."""
    names = [period.drafted_by, period.reviewed_by]
    names += [row.approver for row in period.ledger]
    names += [c.approved_by for c in period.corrections]
    return [n for n in dict.fromkeys(names) if n]


def period_meetings(village: model.Village, period: model.Period) -> list[model.Meeting]:
    """The meetings held in the period's month (what its page lists), by date."""
    return [m for m in village.meetings if m.date.isoformat()[:7] == period.period]


def shown_registers(village: model.Village, period: model.Period) -> dict[str, Any]:
    """The register entries the period's page shows or links."""
    ids = list(dict.fromkeys(r.contract_id for r in period.ledger if r.contract_id))
    contracts = [c for c in village.contracts if c.id in ids]
    decision_ids = {c.decision_id for c in contracts if c.decision_id}
    shown = {
        "contracts": [_plain_entry(c) for c in contracts],
        "decisions": [_plain_entry(d) for d in village.decisions if d.id in decision_ids],
        "topics": [_plain_entry(t) for t in village.topics if t.period == period.period],
    }
    # NOTE: only where written, so a period whose month held no meeting keeps its fingerprint
    meetings = period_meetings(village, period)
    if meetings:
        shown["meetings"] = [_plain_entry(m) for m in meetings]
    return shown


def records_data(
    village: model.Village, period: model.Period, record: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a correction must account for: the records (full names), the register entries
    and the people the page shows — everything but the display parameters and the salts.
    record: the period's canonical_data with full names, made already (it is changed here)."""
    if record is None:
        record = canonical_data(village, period, names="full")
    record["corrections"] = _plain(period.corrections)
    by_name = {p.name: p for p in village.people}
    people = [
        {"name": name, "roles": list(by_name[name].roles_on(period.published_at))}
        for name in named_people(period)
        if name in by_name
    ]
    return {"record": record, "registers": shown_registers(village, period), "people": people}


def canonical_v2_data(
    village: model.Village, period: model.Period, record: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The canonical form v2 as plain data (the public hash: no full name in it). record: see
    records_data."""
    data = records_data(village, period, record)
    record = data["record"]
    record["assistance"] = [
        {
            **row,
            "name": salted_name(a.salt, a.name) if a.salt else model.mask_name(a.name),
        }
        for row, a in zip(record["assistance"], period.assistance, strict=True)
    ]
    return {
        "v": "2",
        "render": RENDER_VERSION,
        **data,
        "parameters": _plain_entry(village.parameters),
        "names_online": village.names_online,
    }


def canonical_v2(village: model.Village, period: model.Period) -> bytes:
    """The canonical v2 bytes (what the v2 fingerprint hashes, after the domain)."""
    return encode(canonical_v2_data(village, period))


def canonical_both(village: model.Village, period: model.Period) -> tuple[bytes, bytes]:
    """(canonical_v2, canonical) of a period — what its check file carries — from one reading
    of its records: v1's form is v2's record before the names and corrections change in it."""
    full = canonical_data(village, period, names="full")
    masked = [
        {**row, "name": model.mask_name(a.name)}
        for row, a in zip(full["assistance"], period.assistance, strict=True)
    ]
    # NOTE: the ledger is four fifths of both forms' bytes: encoded once and set into each
    # form where a mark held its place (JSON is written piece by piece, so the bytes are the
    # same); a form holding the mark other than once (a record's text the mark itself) is
    # encoded whole instead
    ledger = encode(full["ledger"])
    full["ledger"] = _LEDGER_MARK
    v1 = _ledger_set(encode({**full, "assistance": masked}), ledger)
    v2 = _ledger_set(encode(canonical_v2_data(village, period, full)), ledger)
    if v1 is None or v2 is None:
        return canonical_v2(village, period), canonical(village, period)
    return v2, v1


_LEDGER_MARK = "\0ledger\0"  # where canonical_both sets the ledger encoded apart
_LEDGER_MARK_BYTES = encode(_LEDGER_MARK)


def _ledger_set(form: bytes, ledger: bytes) -> bytes | None:
    """form with the ledger's bytes in place of the mark; None unless it holds the mark once."""
    if form.count(_LEDGER_MARK_BYTES) != 1:
        return None
    return form.replace(_LEDGER_MARK_BYTES, ledger)


def fingerprint(village: model.Village, period: model.Period) -> str:
    """The period's fingerprint (v2): 64 lower-case hex digits (looked up where
    known_fingerprints knows it)."""
    known = _KNOWN.get(id(period))
    if known is not None and known[0] is period and _same(known[1], _inputs(village)):
        return known[2]
    return fingerprint_of(canonical_v2(village, period))


# While known_fingerprints is in force: id(period) -> (the period, what of its village its
# canonical form reads, its fingerprint). NOTE: the objects are held, so no id is reused.
_KNOWN: dict[int, tuple[model.Period, tuple[object, ...], str]] = {}
CACHE_KIND = "fingerprints"  # the build cache's: a village's, by its signature
Fingerprints = tuple[tuple[str, str], ...]  # (period, fingerprint) of a village's periods


@contextmanager
def known_fingerprints(
    villages: Sequence[model.Village], cache: BuildCache | None = None
) -> Iterator[None]:
    """Within the block, the fingerprint of each of these villages' periods is looked up, not
    computed again: computed as the block starts, in two processes, or taken from the cache
    where it holds them by the village's signature (its files, what it inherits, the builder's
    code: everything its canonical form is made of; given a cache, the villages must be the
    whole county's, as its other entries are deleted). A lookup is by identity — the very period,
    and the very objects of its village that its canonical form reads (_inputs) — so a changed
    record, even one rebuilt with the same values, is fingerprinted afresh."""
    villages = list(villages)
    found = [_cached(cache, village) for village in villages]
    todo = [i for i, fps in enumerate(found) if fps is None]
    for i, made in zip(todo, split_map(_fingerprints, [villages[i] for i in todo]), strict=True):
        found[i] = made
        if cache is not None and villages[i].signature:
            cache.save(CACHE_KIND, villages[i].signature, made)
    if cache is not None:
        cache.prune(CACHE_KIND)  # NOTE: what no village of the county now is
    try:
        for village, fps in zip(villages, found, strict=True):
            inputs, by_period = _inputs(village), dict(fps or ())
            for period in village.periods:
                _KNOWN[id(period)] = (period, inputs, by_period[period.period])
        yield
    finally:
        _KNOWN.clear()


def _fingerprints(village: model.Village) -> Fingerprints:
    """(period, fingerprint) of each of the village's periods."""
    return tuple((p.period, fingerprint_of(canonical_v2(village, p))) for p in village.periods)


def _cached(cache: BuildCache | None, village: model.Village) -> Fingerprints | None:
    """The village's fingerprints as the cache holds them by its signature: one for each of
    its periods, else None."""
    if cache is None or not village.signature:
        return None
    fps = cache.load(CACHE_KIND, village.signature)
    if not isinstance(fps, tuple) or not all(
        isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        for pair in fps
    ):
        return None
    held = dict(fps)
    return fps if all(p.period in held for p in village.periods) else None


def _inputs(village: model.Village) -> tuple[object, ...]:
    """What of a village canonical_v2_data reads besides the period."""
    return (
        village.code,
        village.names_online,
        village.contracts,
        village.decisions,
        village.topics,
        village.meetings,
        village.people,
        village.parameters,
    )


def _same(known: tuple[object, ...], now: tuple[object, ...]) -> bool:
    return all(a is b or (isinstance(a, str) and a == b) for a, b in zip(known, now, strict=True))


def fingerprint_of(record: bytes) -> str:
    """The v2 fingerprint of a period's canonical v2 bytes (for a caller that needs the bytes
    too, as the period page's check file does: encoding them is most of the fingerprint's
    cost)."""
    return hashlib.sha256(DOMAIN_V2 + record).hexdigest()


def versions(village: model.Village, period: model.Period) -> tuple[str, str]:
    """Both fingerprints of a period, newest first: (v2, v1)."""
    return fingerprint(village, period), fingerprint_v1(village, period)


def is_logged_as(village: model.Village, period: model.Period, logged: str) -> bool:
    """Whether a logged fingerprint names the period as it is now (v2, else v1: computed only
    when v2 does not match)."""
    return fingerprint(village, period) == logged or fingerprint_v1(village, period) == logged


def short(fp: str) -> str:
    """The first 128 bits: what links, QR codes and printed sheets carry."""
    return fp[:SHORT_HEX]


def display(fp: str) -> str:
    """The 128-bit form for people: eight groups of four hex digits."""
    short_fp = short(fp)
    return " ".join(short_fp[i : i + 4] for i in range(0, len(short_fp), 4))


def normalize(text: str) -> str | None:
    """Read a fingerprint as people write it (spaces, dashes, capitals); None if it is not one."""
    hexed = re.sub(r"[\s\-:]", "", text).lower()
    if len(hexed) < SHORT_HEX or len(hexed) > 64 or not _HEX.fullmatch(hexed):
        return None
    return hexed


def matches(fp: str, given: str) -> bool:
    """Whether a (normalised, possibly shortened to ≥128 bits) fingerprint names fp."""
    return len(given) >= SHORT_HEX and fp.startswith(given)


def period_url(county: model.County, village: model.Village, period: model.Period, fp: str) -> str:
    """The link a printed sheet's QR code carries: the period's page and its fingerprint."""
    return f"{county.site_url}{village.url}{period.period}/?fp={short(fp)}"
