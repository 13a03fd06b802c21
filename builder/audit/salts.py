"""Per-row salts for fingerprint v2: random letters in assistance.csv's `salt` column.

A recipient's full name enters the public fingerprint only as SHA-256 over its row's salt and
the name, so the hash changes when the name changes but cannot be matched against a list of
likely names without the salt, which stays in the repository (never on the site). `log update`
gives every row of a period a salt before the period's first log entry; letters only, so the
personal-data scan never mistakes one for a phone or card number.
"""

from __future__ import annotations

import csv
import io
import secrets
import string
from pathlib import Path

from builder import model

LENGTH = 24  # 24 letters ≈ 113 bits
HEADERS = ("salt", "校验码")


def new_salt() -> str:
    """A fresh salt: LENGTH random lower-case letters."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(LENGTH))


def add_salts(path: Path) -> bool:
    """Give every data row of an assistance.csv a salt (BOM and line ends kept); True if the
    file changed."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return False
    header = rows[0]
    col = next((i for i, h in enumerate(header) if h.strip() in HEADERS), None)
    if col is None:
        header.append("salt")
        col = len(header) - 1
    changed = False
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        row.extend([""] * (col + 1 - len(row)))
        if not row[col].strip():
            row[col] = new_salt()
            changed = True
    if not changed:
        return False
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    return True


def unsalted(village: model.Village, period: model.Period) -> bool:
    """Whether some assistance row of the period has no salt yet."""
    return any(not row.salt for row in period.assistance)
