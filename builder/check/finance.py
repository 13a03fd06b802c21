"""Check the v1.2 records the money rules read: change orders and acceptance on contracts,
loans and guarantees (debts.csv), cadres' pay standards and bank accounts (village.yml), cash
deposits (disclosure.yml) and the bank account a ledger row names.

Per file: unique ids, dates in order, a deposit inside its period. Across files: every decision,
person and bank account named must exist. What the records *mean* is judged in `rules/`.
"""

from __future__ import annotations

from collections.abc import Iterable

from builder.check.ids import repeats
from builder.format import problems
from builder.format.privacy import name_key
from builder.format.problems import Problem
from builder.read.records import Ctx, Rec
from builder.read.village import VillageRecords


def check_finance(records: VillageRecords, decision_ids: set[str]) -> list[Problem]:
    """Check one village's change orders, debts, pay standards, bank accounts and deposits."""
    found: list[Problem] = []
    decisions = ("本村 decisions.yml", "this village's decisions.yml")
    if records.contracts is not None:
        ctx = Ctx(records.contracts.rel, found)
        for row in records.contracts.rows:
            start = row.get("start")
            for day, _, ref in row.get("changes") or ():
                if ref and ref not in decision_ids:
                    _unknown(ctx, row.at("changes"), "changes", "合同变更", ref, decisions)
                if start is not None and day < start:
                    _early(ctx, row.at("changes"), "changes", "合同变更", day, start, "开始日期")
            accepted = row.get("accepted_at")
            if start is not None and accepted is not None and accepted < start:
                _early(
                    ctx,
                    row.at("accepted_at"),
                    "accepted_at",
                    "验收日期",
                    accepted,
                    start,
                    "开始日期",
                )
    if records.debts is not None:
        ctx = Ctx(records.debts.rel, found)
        _repeated(ctx, records.debts.rows, "id", "编号")
        for row in records.debts.rows:
            ref, day, end = row.get("decision_id"), row.get("date"), row.get("end")
            if ref is not None and ref not in decision_ids:
                _unknown(ctx, row.line, "decision_id", "决议编号", ref, decisions)
            if day is not None and end is not None and end < day:
                _early(ctx, row.line, "end", "到期日期", end, day, "日期")
    village = records.village
    accounts: set[str] = set()
    if village is not None:
        ctx = Ctx(f"{records.dir_rel}/village.yml", found)
        people = {name_key(p.get("name")) for p in village.get("people", []) if p.get("name")}
        for pay in village.get("cadre_pay", []):
            name, ref = pay.get("name"), pay.get("decision_id")
            if name is not None and name_key(name) not in people:
                ctx.add(
                    problems.UNKNOWN_PERSON, pay.at("name"), "cadre_pay.name", "姓名", value=name
                )
            if ref is not None and ref not in decision_ids:
                _unknown(
                    ctx, pay.at("decision_id"), "cadre_pay.decision_id", "决议编号", ref, decisions
                )
        banks = list(village.get("bank_accounts", []))
        accounts = {b.get("id") for b in banks if b.get("id") is not None}
        _repeated(ctx, banks, "bank_accounts.id", "账户编号")
        for bank in banks:
            opened, closed = bank.get("opened"), bank.get("closed")
            if opened is not None and closed is not None and closed < opened:
                _early(
                    ctx,
                    bank.at("closed"),
                    "bank_accounts.closed",
                    "销户日期",
                    closed,
                    opened,
                    "开户日期",
                )
    for period in records.periods:
        if period.disclosure is not None:
            ctx = Ctx(f"{period.dir_rel}/disclosure.yml", found)
            for deposit in period.disclosure.get("deposits", []):
                day = deposit.get("date")
                if day is not None and day.isoformat()[:7] != period.period:
                    ctx.add(
                        problems.DATE_OUTSIDE_PERIOD,
                        deposit.at("date"),
                        "deposits.date",
                        "送存日期",
                        value=day.isoformat(),
                        period=period.period,
                    )
        if period.ledger is None:
            continue
        ctx = Ctx(period.ledger.rel, found)
        for row in period.ledger.rows:
            account = row.get("bank_account")
            if account is not None and account not in accounts:
                _unknown(
                    ctx,
                    row.line,
                    "bank_account",
                    "银行账户",
                    account,
                    (
                        "本村 village.yml 的 bank_accounts",
                        "bank_accounts in this village's village.yml",
                    ),
                )
    return found


def _unknown(ctx: Ctx, line: int, key: str, zh: str, value: str, what: tuple[str, str]) -> None:
    ctx.add(problems.NAME_NOT_IN_MAP, line, key, zh, value=value, what=what[0], what_en=what[1])


OTHER_EN = {"开始日期": "the start", "日期": "the date", "开户日期": "the opening date"}


def _early(
    ctx: Ctx, line: int, key: str, zh: str, value: object, other: object, other_zh: str
) -> None:
    """Report a date earlier than the one it must follow."""
    ctx.add(
        problems.DATE_ORDER,
        line,
        key,
        zh,
        value=str(value),
        other=str(other),
        other_label=other_zh,
        other_label_en=OTHER_EN[other_zh],
    )


def _repeated(ctx: Ctx, recs: Iterable[Rec], key: str, label: str) -> None:
    for rid, line, first in repeats((r.get("id"), r.at("id")) for r in recs):
        ctx.add(problems.DUPLICATE_ID, line, key, label, value=rid, other_line=first)
