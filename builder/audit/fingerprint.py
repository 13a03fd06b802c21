"""The content fingerprint of one village's period: SHA-256 over a canonical form (v1).

The canonical form is built from the *validated* records, never from file bytes, so a BOM, CRLF
line ends, the order or Chinese aliases of CSV columns, YAML quoting, `120` vs `120.00`, or a
GBK file converted back to UTF-8 leave it unchanged; any change of a value changes it.

Canonical form v1 (FORMAT.md, "Audit trail"): a JSON object whose every scalar is a string
(money with two decimals, dates YYYY-MM-DD, absent values ""), keys sorted, no whitespace, UTF-8,
non-ASCII written as is — for such documents this is exactly RFC 8785 (JCS). Assistance names
enter masked (张*三) whatever `names_online` says, so the published fingerprint can never be
used to guess a masked name; a change hidden by the mask is still caught by `check --since`,
which compares the full records (`canonical(..., names="full")`).

    fingerprint = SHA-256(b"sunlight-period-v1\\0" || canonical bytes)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from typing import Any

from builder import model
from builder.format.values import money

DOMAIN = b"sunlight-period-v1\x00"
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


def fingerprint(village: model.Village, period: model.Period) -> str:
    """The period's fingerprint: 64 lower-case hex digits."""
    return hashlib.sha256(DOMAIN + canonical(village, period)).hexdigest()


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
