"""Checks of one village and its periods: people and sign-off, the ledger, assistance notices,
balances carried month to month (layers 2 and 3, within a village)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from builder import model
from builder.check.powers import _power_level, _power_list, resolve_powers
from builder.check.registers import check_registers
from builder.format import problems, schema
from builder.format.accounts import account_name
from builder.format.parameters import Parameters
from builder.format.privacy import phone_digits
from builder.format.problems import Problem
from builder.read.files import (
    VillageFiles,
)
from builder.read.records import Ctx, Rec, Sources, _contacts


def _next_month(period: str) -> str:
    y, m = int(period[:4]), int(period[5:7])
    return f"{y + m // 12}-{m % 12 + 1:02d}"


def _month_bounds(period: str) -> tuple[dt.date, dt.date]:
    start = dt.date.fromisoformat(period + "-01")
    end = dt.date.fromisoformat(_next_month(period) + "-01") - dt.timedelta(days=1)
    return start, end


@dataclass
class CountyContext:
    chart: str
    names_online: str
    parameters: Parameters
    power_lists: dict[str, dict[str, tuple[Rec, str]]]


def check_village(
    vf: VillageFiles, town_ctx: CountyContext, sources: Sources, phones: set[str]
) -> model.Village | None:
    """Check one village's files; return its model if its own records have no errors."""
    out = sources.out
    start = len(out)
    rec = sources.yaml(vf.files.get("village.yml"), schema.VILLAGE)
    powers_rec = sources.yaml(vf.files.get("powers.yml"), schema.POWERS)
    vrel = f"{vf.dir_rel}/village.yml"
    vctx = Ctx(vrel, out)
    people: dict[str, model.Person] = {}
    person_lines: dict[str, int] = {}
    if rec is not None:
        for p in rec.get("people", []):
            name = p.get("name")
            if name is None:
                continue
            if name in people:
                vctx.add(
                    problems.DUPLICATE_PERSON,
                    p.at("name"),
                    "people.name",
                    "姓名",
                    value=name,
                    other_line=person_lines[name],
                )
                continue
            roles = tuple(p.get("roles", []))
            people[name] = model.Person(name, roles)
            person_lines[name] = p.at("name")
            if schema.SUPERVISOR_ROLES & set(roles) and schema.TWO_COMMITTEE_ROLES & set(roles):
                clash = next(r for r in roles if r in schema.TWO_COMMITTEE_ROLES)
                vctx.add(
                    problems.SUPERVISOR_CONFLICT,
                    p.at("roles"),
                    "people.roles",
                    "职务",
                    value=name,
                    role=clash,
                )
        ch = rec.get("channels")
        if isinstance(ch, Rec):
            sup = ch.get("supervisor")
            if sup is not None and sup not in people:
                vctx.add(
                    problems.UNKNOWN_PERSON,
                    ch.at("supervisor"),
                    "channels.supervisor",
                    "监督员",
                    value=sup,
                )
            for phone in [ch.get("office_phone")] + [
                h.get("phone") for h in ch.get("hotlines", [])
            ]:
                if phone:
                    phones.add(phone_digits(phone))
    supervisors = {n for n, p in people.items() if schema.SUPERVISOR_ROLES & set(p.roles)}

    pctx = Ctx(f"{vf.dir_rel}/powers.yml", out)
    level = _power_level(powers_rec, pctx if powers_rec is not None else None)
    resolved = resolve_powers(town_ctx.power_lists, level, "村", pctx)

    periods: list[model.Period] = []
    previous: model.Period | None = None
    for pf in vf.periods:
        period = check_period(
            pf.files, pf.period, pf.dir_rel, town_ctx, sources, people, supervisors, previous
        )
        if period is not None:
            periods.append(period)
            previous = period

    registers = check_registers(
        vf, sources, [pf.period for pf in vf.periods], periods, town_ctx.parameters
    )
    if rec is None or any(p.severity is problems.Severity.ERROR for p in out[start:]):
        return None
    ch = rec.get("channels")
    channels = model.Channels()
    if isinstance(ch, Rec):
        channels = model.Channels(
            ch.get("office_phone", ""),
            _contacts(ch, "hotlines"),
            ch.get("box", ""),
            ch.get("supervisor", ""),
            ch.get("talk_day", ""),
        )
    return model.Village(
        slug=vf.slug,
        town_slug=vf.town,
        name=rec.get("name", ""),
        code=rec.get("code", ""),
        kind=rec.get("kind", ""),
        households=rec.get("households"),
        population=rec.get("population"),
        people=tuple(people.values()),
        channels=channels,
        power_list=_power_list(resolved),
        periods=tuple(periods),
        parameters=town_ctx.parameters,
        names_online=town_ctx.names_online,
        src_dir=vf.dir_rel,
        contracts=registers.contracts,
        decisions=registers.decisions,
        topics=registers.topics,
    )


def check_period(
    files: dict[str, Path],
    folder: str,
    dir_rel: str,
    cc: CountyContext,
    sources: Sources,
    people: dict[str, model.Person],
    supervisors: set[str],
    previous: model.Period | None,
) -> model.Period | None:
    """Check one period folder: header, sign-off, ledger, assistance, balances."""
    out = sources.out
    drel = f"{dir_rel}/disclosure.yml"
    d = sources.yaml(files.get("disclosure.yml"), schema.DISCLOSURE)
    ledger = sources.csv(files.get("ledger.csv"), schema.LEDGER)
    assistance = sources.csv(files.get("assistance.csv"), schema.ASSISTANCE)
    dctx = Ctx(drel, out)
    start, end = _month_bounds(folder)
    chart = cc.chart
    if d is not None:
        if d.get("period") not in (None, folder):
            dctx.add(
                problems.PERIOD_MISMATCH,
                d.at("period"),
                "period",
                "期间",
                value=d.get("period"),
                folder=folder,
            )
        for key, zh in (("drafted_by", "拟稿人"), ("reviewed_by", "审核人")):
            name = d.get(key)
            if name is not None and name not in people:
                dctx.add(problems.UNKNOWN_PERSON, d.at(key), key, zh, value=name)
        reviewer = d.get("reviewed_by")
        if reviewer in people and reviewer not in supervisors:
            dctx.add(
                problems.NOT_SUPERVISOR,
                d.at("reviewed_by"),
                "reviewed_by",
                "审核人",
                value=reviewer,
            )
        rv, pb = d.get("reviewed_at"), d.get("published_at")
        if rv is not None and pb is not None and rv > pb:
            dctx.add(
                problems.REVIEW_ORDER,
                d.at("reviewed_at"),
                "reviewed_at",
                "审核日期",
                reviewed=rv.isoformat(),
                published=pb.isoformat(),
            )
        for c in d.get("corrections", []):
            who = c.get("approved_by")
            if who is not None and who not in people:
                dctx.add(
                    problems.UNKNOWN_PERSON,
                    c.at("approved_by"),
                    "corrections.approved_by",
                    "更正记录·批准人",
                    value=who,
                )
        if chart != "2023" and folder >= "2024-01":
            dctx.add(
                problems.CHART_PERIOD, d.at("period"), "period", "期间", period=folder, chart=chart
            )
            chart = "2023"

    rows: list[model.LedgerRow] = []
    if ledger is not None:
        lrel, recs = ledger
        lctx = Ctx(lrel, out)
        vouchers: dict[str, int] = {}
        for r in recs:
            date = r.get("date")
            if date is not None and not (start <= date <= end):
                lctx.add(
                    problems.DATE_OUTSIDE_PERIOD,
                    r.line,
                    "date",
                    "日期",
                    value=date.isoformat(),
                    period=folder,
                )
            v = r.get("voucher_no")
            if v is not None:
                if v in vouchers:
                    lctx.add(
                        problems.DUPLICATE_VOUCHER,
                        r.line,
                        "voucher_no",
                        "凭证号",
                        value=v,
                        other_line=vouchers[v],
                    )
                else:
                    vouchers[v] = r.line
            code = r.get("account_code")
            if code is not None and account_name(chart, code) is None:
                lctx.add(
                    problems.UNKNOWN_ACCOUNT,
                    r.line,
                    "account_code",
                    "科目代码",
                    value=code,
                    chart=chart,
                )
            inc, exp = r.get("income"), r.get("expense")
            raw_both = ("income" in r.values) + ("expense" in r.values)
            if raw_both != 1 and not _has_bad_amount(out, lrel, r.line):
                detail = "（这一行两个都填了）" if raw_both == 2 else "（这一行两个都空着）"
                lctx.add(
                    problems.ONE_OF_INCOME_EXPENSE,
                    r.line,
                    "income",
                    "收入",
                    detail=detail,
                    detail_en=" (both are filled)" if raw_both == 2 else " (both are empty)",
                )
            for key, zh, amount in (("income", "收入", inc), ("expense", "支出", exp)):
                if amount is not None and amount <= 0:
                    lctx.add(problems.NOT_POSITIVE, r.line, key, zh, value=str(amount))
            approver = r.get("approver")
            if approver is not None and approver not in people:
                lctx.add(problems.UNKNOWN_PERSON, r.line, "approver", "审批人", value=approver)
            if None not in (date, v, code) and raw_both == 1 and (inc or exp):
                rows.append(
                    model.LedgerRow(
                        r.line,
                        date,
                        v,
                        r.get("summary", ""),
                        code,
                        account_name(chart, code) or "",
                        inc,
                        exp,
                        r.get("counterparty", ""),
                        r.get("method", ""),
                        r.get("receipt", ""),
                        r.get("approver", ""),
                        r.get("contract_id", ""),
                    )
                )

    aid_rows: list[model.AssistanceRow] = []
    if assistance is not None:
        arel, recs = assistance
        actx = Ctx(arel, out)
        for r in recs:
            s, e = r.get("notice_start"), r.get("notice_end")
            if s is not None and e is not None and (e - s).days < cc.parameters.notice_days:
                actx.add(
                    problems.NOTICE_TOO_SHORT,
                    r.line,
                    "notice_end",
                    "公示结束",
                    start=s.isoformat(),
                    end=e.isoformat(),
                    days=(e - s).days,
                    required=cc.parameters.notice_days,
                )
            if all(
                r.get(k) is not None
                for k in ("category", "name", "group", "amount", "notice_start", "notice_end")
            ):
                aid_rows.append(
                    model.AssistanceRow(
                        r.line,
                        r.get("category"),
                        r.get("name"),
                        r.get("group"),
                        r.get("amount"),
                        s,
                        e,
                        r.get("household_size"),
                        r.get("status", ""),
                    )
                )

    if d is None:
        return None
    opening, closing = d.get("opening"), d.get("closing")
    if not (isinstance(opening, Rec) and isinstance(closing, Rec)):
        return None
    if not all(k in b.values for b in (opening, closing) for k in ("cash", "bank")):
        return None
    ob = model.Balance(opening.get("cash"), opening.get("bank"))
    cb = model.Balance(closing.get("cash"), closing.get("bank"))
    income = sum((r.income for r in rows if r.income), Decimal(0))
    expense = sum((r.expense for r in rows if r.expense), Decimal(0))
    ledger_ok = ledger is not None and not any(
        p.where.path == ledger[0] and p.severity is problems.Severity.ERROR for p in out
    )
    if ledger_ok and ob.total + income - expense != cb.total:
        expected = ob.total + income - expense
        dctx.add(
            problems.BALANCE_MISMATCH,
            d.at("closing"),
            "closing",
            "期末余额",
            closing=_yuan(cb.total),
            opening=_yuan(ob.total),
            income=_yuan(income),
            expense=_yuan(expense),
            expected=_yuan(expected),
            diff=_yuan(cb.total - expected),
        )
    if previous is not None:
        expected_period = _next_month(previous.period)
        if cc.parameters.finance_cadence == "monthly" and expected_period < folder:
            missing = (
                expected_period
                if _next_month(expected_period) == folder
                else f"{expected_period} 至 {_prev_month(folder)}"
            )
            dctx.add(
                problems.PERIOD_GAP,
                d.at("period"),
                "period",
                "期间",
                previous=previous.period,
                period=folder,
                missing=missing,
            )
        for key, zh, en in (("cash", "库存现金", "cash"), ("bank", "银行存款", "bank")):
            if getattr(ob, key) != getattr(previous.closing, key):
                dctx.add(
                    problems.OPENING_MISMATCH,
                    opening.at(key),
                    f"opening.{key}",
                    f"期初余额·{zh}",
                    value=_yuan(getattr(ob, key)),
                    what=zh,
                    what_en=en,
                    expected=_yuan(getattr(previous.closing, key)),
                    previous=previous.period,
                )
    required = ("period", "drafted_by", "reviewed_by", "reviewed_at", "published_at")
    if not all(d.get(k) is not None for k in required):
        return None

    def affairs(key: str) -> tuple[model.Affair, ...]:
        return tuple(
            model.Affair(a.get("title", ""), a.get("date"), a.get("body", ""))
            for a in d.get(key, [])
            if a.get("date") is not None
        )

    return model.Period(
        period=folder,
        opening=ob,
        closing=cb,
        drafted_by=d.get("drafted_by"),
        reviewed_by=d.get("reviewed_by"),
        reviewed_at=d.get("reviewed_at"),
        published_at=d.get("published_at"),
        published_line=d.at("published_at"),
        village_affairs=affairs("village_affairs"),
        party_affairs=affairs("party_affairs"),
        corrections=tuple(
            model.Correction(c.get("date"), c.get("reason"), c.get("approved_by"))
            for c in d.get("corrections", [])
            if None not in (c.get("date"), c.get("reason"), c.get("approved_by"))
        ),
        ledger=tuple(rows),
        assistance=tuple(aid_rows),
    )


def _prev_month(period: str) -> str:
    y, m = int(period[:4]), int(period[5:7])
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def _has_bad_amount(out: list[Problem], rel: str, line: int) -> bool:
    return any(
        p.where.path == rel and p.where.line == line and p.field in ("income", "expense")
        for p in out
    )


def _yuan(value: Decimal) -> str:
    return f"{value:.2f}"


# --- the county ------------------------------------------------------------------------------------
