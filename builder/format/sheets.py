"""The monthly workbook's layout: its sheets, their columns and the sign-off rows.

Declared once for `sunlight workbook` (which writes it) and `sunlight import` (which reads
it); the columns are the format's own fields (`schema.py`), so a header is the field's
Chinese name, with （元） after amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.format import schema


@dataclass(frozen=True)
class SheetSpec:
    """One table sheet: its name, the part of the period it fills, its columns."""

    name: str
    part: str  # ledger | assistance | village_affairs | party_affairs | contracts
    fields: tuple[schema.Field, ...]
    what: str  # where it goes, for the import's summary

    def column(self, header: str) -> schema.Field | None:
        """The field a header cell (already folded by excel.header_text) names."""
        for field_spec in self.fields:
            if header in (field_spec.key, field_spec.zh, *field_spec.aliases):
                return field_spec
        return None


def kind_of(field_spec: schema.Field) -> str:
    """How a column's cells are read: date, money, code, integer or text."""
    typ = field_spec.type
    if isinstance(typ, schema.Date):
        return "date"
    if isinstance(typ, schema.Money):
        return "money"
    if typ is schema.ACCOUNT_CODE:
        return "code"
    if isinstance(typ, schema.Integer):
        return "integer"
    return "text"


def header_label(field_spec: schema.Field) -> str:
    """The header a workbook shows for a field: its Chinese name, （元） after amounts."""
    return field_spec.zh + ("（元）" if kind_of(field_spec) == "money" else "")


LEDGER = SheetSpec("收支明细", "ledger", schema.LEDGER.fields, "ledger.csv")
VILLAGE_AFFAIRS = SheetSpec(
    "村务公开", "village_affairs", schema.AFFAIR.fields, "disclosure.yml village_affairs"
)
PARTY_AFFAIRS = SheetSpec(
    "党务公开", "party_affairs", schema.AFFAIR.fields, "disclosure.yml party_affairs"
)
ASSISTANCE = SheetSpec("救助公示", "assistance", schema.ASSISTANCE.fields, "assistance.csv")
# the contract register spans periods: the import rewrites contracts.csv only when it changed
CONTRACTS = SheetSpec("合同登记", "contracts", schema.CONTRACTS.fields, "contracts.csv")
# decisions.yml: one row per step; the decision's own columns are filled on its first row
DECISION_FIELDS = tuple(f for f in schema.DECISION.fields if f.key != "steps")
DECISIONS = SheetSpec(
    "四议两公开", "decisions", DECISION_FIELDS + schema.STEP.fields, "decisions.yml"
)
TOPICS = SheetSpec("点题公开", "topics", schema.TOPIC.fields, "topics.yml")
TABLES = (LEDGER, VILLAGE_AFFAIRS, PARTY_AFFAIRS, ASSISTANCE, CONTRACTS, DECISIONS, TOPICS)
# the registers beside the period folders (rewritten only when their rows changed)
REGISTERS = (CONTRACTS, DECISIONS, TOPICS)
# how the workbook writes a true/false field (一肩挑合并), and what it reads as one
YES_NO = {"是": "true", "否": "false", "true": "true", "false": "false"}

INSTRUCTIONS = "说明"
SIGN_OFF = "签字"
OPTIONS = "选项"  # the drop-down lists, a hidden sheet

# the sign-off sheet: label in column A, value in column B, one row each
SIGN_ROWS = (
    ("village", "村（文件夹）", "text"),
    ("period", "期间", "period"),
    ("opening.cash", "期初库存现金（元）", "money"),
    ("opening.bank", "期初银行存款（元）", "money"),
    ("drafted_by", "拟稿人", "text"),
    ("reviewed_by", "审核人", "text"),
    ("reviewed_at", "审核日期", "date"),
    ("published_at", "公开日期", "date"),
)

# a published month's workbook: the correction an import writes (label in A, value in B)
CORRECTION = "更正"
CORRECTION_ROWS = (
    ("date", "更正日期", "date"),
    ("reason", "更正原因", "text"),
    ("approved_by", "批准人", "text"),
)
