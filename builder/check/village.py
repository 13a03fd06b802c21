"""Checks of one village and its periods: people and sign-off, the ledger, assistance notices,
balances carried month to month, its power list, registers and the text of every file.

`check_village(records, context)` is pure: it reads nothing but its arguments and returns every
problem, those found while reading included, so that the pipeline can cache it by signature.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from builder.check import powers
from builder.check.context import VillageContext
from builder.check.ids import repeats
from builder.check.privacy import (
    declared_phones,
    found_keys,
    scan_texts,
    scan_values,
    village_values,
)
from builder.check.registers import check_registers
from builder.format import problems, schema
from builder.format.accounts import account_name
from builder.format.privacy import name_key, phone_digits
from builder.format.problems import Location, Problem
from builder.format.values import money, month_bounds, next_month, previous_month
from builder.read.records import Ctx, Rec
from builder.read.village import PeriodRecords, VillageRecords

# What a period needs to be carried into the next one's opening balance.
REQUIRED_SIGN_OFF = ("period", "drafted_by", "reviewed_by", "reviewed_at", "published_at")


def check_village(records: VillageRecords, context: VillageContext) -> list[Problem]:
    """Every problem of one village's records, given what it inherits."""
    found = list(records.problems)
    found.extend(_check_people(records))
    # NOTE: with no readable village.yml there is no roster to hold names against: its own
    # problem says so, and "unknown person" on every page would bury it
    people = people_of(records.village) if records.village is not None else None
    supervisors = {n for n, roles in (people or {}).items() if schema.SUPERVISOR_ROLES & set(roles)}
    rel = f"{records.dir_rel}/powers.yml"
    level, level_found = powers.power_level(records.powers, rel)
    found.extend(level_found)
    if records.powers is not None and "versions" in records.powers.values:
        found.append(
            problems.POWER_VERSION_VILLAGE.at(
                Location(rel, records.powers.at("versions")), "versions", field_zh="年度调整记录"
            )
        )
    found.extend(powers.resolve_powers(context.power_lists, level, "村", rel)[1])
    previous: PeriodRecords | None = None
    for period in records.periods:
        found.extend(check_period(period, context, people, supervisors, previous))
        if carries_balance(period):
            previous = period
    found.extend(check_registers(records, context.parameters))
    phones = set(context.phones) | village_phones(records.village)
    in_lines = list(scan_texts(records.texts, phones))
    found.extend(in_lines)
    found.extend(scan_values(village_values(records), phones, found_keys(in_lines)))
    return found


def people_of(village: Rec | None) -> dict[str, tuple[str, ...]]:
    """Each person named in village.yml (first entry of a repeated name) with their roles.

    Keyed by name_key: names are compared without spaces or invisible characters, so that a
    reviewer written "李\u200d秀英" is still the person 李秀英 and cannot dodge the checks.
    """
    people: dict[str, tuple[str, ...]] = {}
    for person in village.get("people", []) if village is not None else []:
        name = person.get("name")
        if name is not None and is_unknown(name, people):
            people[name_key(name)] = tuple(person.get("roles", []))
    return people


def village_phones(village: Rec | None) -> set[str]:
    """The village's own declared lines: its office phone and hotlines."""
    channels = village.get("channels") if village is not None else None
    if not isinstance(channels, Rec):
        return set()
    phones = declared_phones(channels, "hotlines")
    if channels.get("office_phone"):
        phones.add(phone_digits(channels.get("office_phone")))
    return phones


def is_unknown(name: str, people: dict[str, tuple[str, ...]] | None) -> bool:
    """Whether a name is missing from the village's roster (never, when there is no roster)."""
    return people is not None and name_key(name) not in people


def carries_balance(period: PeriodRecords) -> bool:
    """The period's balances and sign-off were read, so the next period opens from it."""
    disclosure = period.disclosure
    return (
        disclosure is not None
        and _has_balances(disclosure)
        and all(disclosure.get(k) is not None for k in REQUIRED_SIGN_OFF)
    )


def _has_balances(disclosure: Rec) -> bool:
    opening, closing = disclosure.get("opening"), disclosure.get("closing")
    return (
        isinstance(opening, Rec)
        and isinstance(closing, Rec)
        and all(k in b.values for b in (opening, closing) for k in ("cash", "bank"))
    )


def _check_people(records: VillageRecords) -> Iterator[Problem]:
    village = records.village
    if village is None:
        return
    ctx = Ctx(f"{records.dir_rel}/village.yml", [])
    entries = [person for person in village.get("people", []) if person.get("name") is not None]
    repeated: set[int] = set()
    written = {person.at("name"): person.get("name") for person in entries}
    for key, line, first in repeats(
        (name_key(person.get("name")), person.at("name")) for person in entries
    ):
        ctx.add(
            problems.DUPLICATE_PERSON,
            line,
            "people.name",
            "姓名",
            value=written.get(line, key),
            other_line=first,
        )
        repeated.add(line)
    for person in entries:
        if person.at("name") in repeated:
            continue
        roles = person.get("roles", [])
        if schema.SUPERVISOR_ROLES & set(roles) and schema.TWO_COMMITTEE_ROLES & set(roles):
            clash = next(role for role in roles if role in schema.TWO_COMMITTEE_ROLES)
            ctx.add(
                problems.SUPERVISOR_CONFLICT,
                person.at("roles"),
                "people.roles",
                "职务",
                value=person.get("name"),
                role=clash,
            )
    channels = village.get("channels")
    if isinstance(channels, Rec):
        supervisor = channels.get("supervisor")
        if supervisor is not None and name_key(supervisor) not in people_of(village):
            ctx.add(
                problems.UNKNOWN_PERSON,
                channels.at("supervisor"),
                "channels.supervisor",
                "监督员",
                value=supervisor,
            )
    yield from ctx.out


def check_period(
    period: PeriodRecords,
    context: VillageContext,
    people: dict[str, tuple[str, ...]] | None,
    supervisors: set[str],
    previous: PeriodRecords | None,
) -> list[Problem]:
    """Check one period folder: header, sign-off, ledger, assistance, balances."""
    found: list[Problem] = []
    chart = context.chart
    disclosure = period.disclosure
    dctx = Ctx(f"{period.dir_rel}/disclosure.yml", found)
    if disclosure is not None:
        chart = _check_sign_off(disclosure, period.period, chart, people, supervisors, dctx)
    ledger_found = _check_ledger(period, chart, people)
    found.extend(ledger_found)
    found.extend(_check_assistance(period, context))
    if disclosure is None or not _has_balances(disclosure):
        return found
    ledger = period.ledger
    ledger_ok = (
        ledger is not None
        and ledger.read_ok
        and not any(problem.severity is problems.Severity.ERROR for problem in ledger_found)
    )
    if ledger is not None and ledger_ok:
        opening, closing = disclosure.get("opening"), disclosure.get("closing")
        opening_total = opening.get("cash") + opening.get("bank")
        closing_total = closing.get("cash") + closing.get("bank")
        income = sum((r.get("income") for r in ledger.rows if "income" in r.values), Decimal(0))
        expense = sum((r.get("expense") for r in ledger.rows if "expense" in r.values), Decimal(0))
        expected = opening_total + income - expense
        if expected != closing_total:
            dctx.add(
                problems.BALANCE_MISMATCH,
                disclosure.at("closing"),
                "closing",
                "期末余额",
                closing=money(closing_total),
                opening=money(opening_total),
                income=money(income),
                expense=money(expense),
                expected=money(expected),
                diff=money(closing_total - expected),
            )
    if previous is not None and previous.disclosure is not None:
        _check_carried(disclosure, period.period, previous, context, dctx)
    return found


def _check_sign_off(
    disclosure: Rec,
    folder: str,
    chart: str,
    people: dict[str, tuple[str, ...]] | None,
    supervisors: set[str],
    dctx: Ctx,
) -> str:
    """Check the disclosure header; return the chart its ledger must use."""
    if disclosure.get("period") not in (None, folder):
        dctx.add(
            problems.PERIOD_MISMATCH,
            disclosure.at("period"),
            "period",
            "期间",
            value=disclosure.get("period"),
            folder=folder,
        )
    for key, zh in (("drafted_by", "拟稿人"), ("reviewed_by", "审核人")):
        name = disclosure.get(key)
        if name is not None and is_unknown(name, people):
            dctx.add(problems.UNKNOWN_PERSON, disclosure.at(key), key, zh, value=name)
    reviewer = disclosure.get("reviewed_by")
    if (
        reviewer is not None
        and people is not None
        and name_key(reviewer) in people
        and name_key(reviewer) not in supervisors
    ):
        dctx.add(
            problems.NOT_SUPERVISOR,
            disclosure.at("reviewed_by"),
            "reviewed_by",
            "审核人",
            value=reviewer,
        )
    reviewed, published = disclosure.get("reviewed_at"), disclosure.get("published_at")
    if reviewed is not None and published is not None and reviewed > published:
        dctx.add(
            problems.REVIEW_ORDER,
            disclosure.at("reviewed_at"),
            "reviewed_at",
            "审核日期",
            reviewed=reviewed.isoformat(),
            published=published.isoformat(),
        )
    for correction in disclosure.get("corrections", []):
        who = correction.get("approved_by")
        if who is not None and is_unknown(who, people):
            dctx.add(
                problems.UNKNOWN_PERSON,
                correction.at("approved_by"),
                "corrections.approved_by",
                "更正记录·批准人",
                value=who,
            )
    if chart != "2023" and folder >= "2024-01":
        dctx.add(
            problems.CHART_PERIOD,
            disclosure.at("period"),
            "period",
            "期间",
            period=folder,
            chart=chart,
        )
        return "2023"
    return chart


def _check_ledger(
    period: PeriodRecords, chart: str, people: dict[str, tuple[str, ...]] | None
) -> list[Problem]:
    found: list[Problem] = []
    if period.ledger is None:
        return found
    start, end = month_bounds(period.period)
    lctx = Ctx(period.ledger.rel, found)
    rows = period.ledger.rows
    for voucher, line, first in repeats((row.get("voucher_no"), row.line) for row in rows):
        lctx.add(
            problems.DUPLICATE_VOUCHER,
            line,
            "voucher_no",
            "凭证号",
            value=voucher,
            other_line=first,
        )
    for row in rows:
        date = row.get("date")
        if date is not None and not (start <= date <= end):
            lctx.add(
                problems.DATE_OUTSIDE_PERIOD,
                row.line,
                "date",
                "日期",
                value=date.isoformat(),
                period=period.period,
            )
        code = row.get("account_code")
        if code is not None and account_name(chart, code) is None:
            lctx.add(
                problems.UNKNOWN_ACCOUNT,
                row.line,
                "account_code",
                "科目代码",
                value=code,
                chart=chart,
            )
        filled = ("income" in row.values) + ("expense" in row.values)
        if filled != 1 and not {"income", "expense"} & row.invalid:
            both = filled == 2
            lctx.add(
                problems.ONE_OF_INCOME_EXPENSE,
                row.line,
                "income",
                "收入",
                detail="（这一行两个都填了）" if both else "（这一行两个都空着）",
                detail_en=" (both are filled)" if both else " (both are empty)",
            )
        for key, zh in (("income", "收入"), ("expense", "支出")):
            amount = row.get(key)
            if amount is not None and amount <= 0:
                lctx.add(problems.NOT_POSITIVE, row.line, key, zh, value=str(amount))
        approver = row.get("approver")
        if approver is not None and is_unknown(approver, people):
            lctx.add(problems.UNKNOWN_PERSON, row.line, "approver", "审批人", value=approver)
    return found


def _check_assistance(period: PeriodRecords, context: VillageContext) -> list[Problem]:
    found: list[Problem] = []
    if period.assistance is None:
        return found
    actx = Ctx(period.assistance.rel, found)
    required_days = context.parameters.notice_days
    for row in period.assistance.rows:
        start, end = row.get("notice_start"), row.get("notice_end")
        if start is not None and end is not None and (end - start).days < required_days:
            actx.add(
                problems.NOTICE_TOO_SHORT,
                row.line,
                "notice_end",
                "公示结束",
                start=start.isoformat(),
                end=end.isoformat(),
                days=(end - start).days,
                required=required_days,
            )
    return found


def _check_carried(
    disclosure: Rec, folder: str, previous: PeriodRecords, context: VillageContext, dctx: Ctx
) -> None:
    """A month follows the last one, and opens with its closing balances."""
    assert previous.disclosure is not None
    expected_period = next_month(previous.period)
    if context.parameters.finance_cadence == "monthly" and expected_period < folder:
        missing = (
            expected_period
            if next_month(expected_period) == folder
            else f"{expected_period} 至 {previous_month(folder)}"
        )
        dctx.add(
            problems.PERIOD_GAP,
            disclosure.at("period"),
            "period",
            "期间",
            previous=previous.period,
            period=folder,
            missing=missing,
        )
    opening, closed = disclosure.get("opening"), previous.disclosure.get("closing")
    for key, zh, en in (("cash", "库存现金", "cash"), ("bank", "银行存款", "bank")):
        if opening.get(key) != closed.get(key):
            dctx.add(
                problems.OPENING_MISMATCH,
                opening.at(key),
                f"opening.{key}",
                f"期初余额·{zh}",
                value=money(opening.get(key)),
                what=zh,
                what_en=en,
                expected=money(closed.get(key)),
                previous=previous.period,
            )
