"""`sunlight new`: a month's folder with what is already known filled in.

The period, the opening balances (the previous month's closing), the drafter and reviewer
(village.yml's 报账员 and 村务监督委员会主任) and an empty ledger with its header, written in
the canonical layout `sunlight import` writes too.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from builder.clerk.village import Village
from builder.clerk.workbook import sign_values
from builder.format import excel, layout, schema


class PeriodExists(Exception):
    """The month's folder is already there: `new` never overwrites."""


def scaffold_period(village: Village, period: str) -> list[Path]:
    """Create the period's folder with disclosure.yml and ledger.csv; return the files."""
    folder = village.dir / period
    if folder.exists():
        raise PeriodExists(str(folder))
    values = sign_values(village, period)
    header = {"period": period}
    for side in ("cash", "bank"):
        amount = values.get(f"opening.{side}")
        text = excel.money_text(amount) if isinstance(amount, Decimal) else "0.00"
        header[f"opening.{side}"] = text
        header[f"closing.{side}"] = text
    for key in ("drafted_by", "reviewed_by"):
        if values.get(key):
            header[key] = str(values[key])
    folder.mkdir(parents=True)
    disclosure = folder / "disclosure.yml"
    disclosure.write_text(layout.disclosure_text(header, {}).text, encoding="utf-8")
    ledger = folder / "ledger.csv"
    ledger.write_text(layout.csv_text(schema.LEDGER, []).text, encoding="utf-8")
    return [disclosure, ledger]
