"""Build the model from records that passed their checks.

`build_village(records, context)` is the third pure step of a village (after `read_village` and
`check_village`), called only when the checks found no error in the village: every required
value is present and valid, so nothing here judges, skips or adds up what a clerk must see.
"""

from __future__ import annotations

from typing import Any

from builder import model
from builder.check import powers
from builder.check.context import (
    VillageContext,
    county_chart,
    county_names_online,
    county_power_lists,
    parameters_of,
)
from builder.check.village import REQUIRED_SIGN_OFF, carries_balance
from builder.format import schema
from builder.format.accounts import account_name, plain_category
from builder.format.parameters import Parameters
from builder.read.records import Rec
from builder.read.village import CountyRecords, PeriodRecords, TownRecords, VillageRecords


def build_village(records: VillageRecords, context: VillageContext) -> model.Village:
    """The model of one village whose records have no errors."""
    village = records.village
    assert village is not None, "build_village is called only on records that passed"
    level, _ = powers.power_level(records.powers, f"{records.dir_rel}/powers.yml")
    resolved, _ = powers.resolve_powers(context.power_lists, level, "村", "")
    people: dict[str, model.Person] = {}
    for person in village.get("people", []):
        people.setdefault(
            person.get("name"),
            model.Person(
                person.get("name"),
                tuple(person.get("roles", [])),
                tuple(
                    model.Term(tuple(t.get("roles", [])), t.get("from"), t.get("to"))
                    for t in person.get("terms", [])
                ),
            ),
        )
    return model.Village(
        slug=records.slug,
        town_slug=records.town,
        name=village.get("name", ""),
        code=village.get("code", ""),
        kind=village.get("kind", ""),
        households=village.get("households"),
        population=village.get("population"),
        people=tuple(people.values()),
        channels=channels_of(village.get("channels")),
        power_list=power_list_of(resolved),
        # NOTE: a period folder without its disclosure.yml is a layout error (reported by
        # read.files.scan_layout, outside the village's own problems): it has no model.
        periods=tuple(
            build_period(p, context.chart) for p in records.periods if carries_balance(p)
        ),
        parameters=context.parameters,
        names_online=context.names_online,
        src_dir=records.dir_rel,
        contracts=tuple(_contract(r) for r in records.contracts.rows) if records.contracts else (),
        decisions=tuple(_decision(r) for r in _items(records.decisions, "decisions")),
        topics=tuple(_topic(r) for r in _items(records.topics, "topics")),
        cadre_pay=tuple(
            model.CadrePay(
                r.line, r.get("name"), r.get("annual"), r.get("year"), r.get("decision_id", "")
            )
            for r in village.get("cadre_pay", [])
        ),
        bank_accounts=tuple(_bank_account(r) for r in village.get("bank_accounts", [])),
        debts=tuple(_debt(r) for r in records.debts.rows) if records.debts else (),
        # NOTE: by values, not by the column: tools that write every column (the workbook
        # import) must not make a village "keep" acceptance it never wrote
        keeps_acceptance=any(
            r.get("accepted_at") is not None
            for r in (records.contracts.rows if records.contracts else ())
        ),
        register_corrections=tuple(
            model.RegisterCorrection(
                register,
                str(c.get("id", "")),
                c.get("date"),
                c.get("reason", ""),
                c.get("approved_by", ""),
                tuple(
                    model.CorrectionChange(
                        register,
                        None,
                        ch.get("field", ""),
                        ch.get("old") or "",
                        ch.get("new") or "",
                    )
                    for ch in c.get("changes", [])
                ),
            )
            for register in ("contracts", "decisions", "topics", "powers", "meetings")
            for c in _items(records.corrections, register)
        ),
        meetings=tuple(
            sorted(
                (_meeting(r) for r in _items(records.meetings, "meetings")),
                key=lambda m: (m.date, m.id),
            )
        ),
    )


def _bank_account(record: Rec) -> model.BankAccount:
    kind = record.get("kind")
    return model.BankAccount(
        record.line,
        record.get("id"),
        record.get("bank"),
        kind,
        record.get("designated", kind == "基本存款账户"),
        record.get("tail", ""),
        record.get("opened"),
        record.get("closed"),
    )


def _debt(record: Rec) -> model.Debt:
    return model.Debt(
        record.line,
        record.get("id"),
        record.get("kind"),
        record.get("party"),
        record.get("amount"),
        record.get("date"),
        record.get("end"),
        record.get("decision_id", ""),
        record.get("filed_at"),
        record.get("note", ""),
    )


def build_period(period: PeriodRecords, chart: str) -> model.Period:
    """The model of one period folder."""
    disclosure = period.disclosure
    assert disclosure is not None and all(disclosure.get(k) is not None for k in REQUIRED_SIGN_OFF)
    if period.period >= "2024-01":
        chart = "2023"
    opening, closing = disclosure.get("opening"), disclosure.get("closing")
    return model.Period(
        period=period.period,
        opening=model.Balance(opening.get("cash"), opening.get("bank")),
        closing=model.Balance(closing.get("cash"), closing.get("bank")),
        drafted_by=disclosure.get("drafted_by"),
        reviewed_by=disclosure.get("reviewed_by"),
        reviewed_at=disclosure.get("reviewed_at"),
        published_at=disclosure.get("published_at"),
        published_line=disclosure.at("published_at"),
        village_affairs=_affairs(disclosure, "village_affairs"),
        party_affairs=_affairs(disclosure, "party_affairs"),
        corrections=tuple(
            model.Correction(
                c.get("date"),
                c.get("reason"),
                c.get("approved_by"),
                tuple(
                    model.CorrectionChange(
                        ch.get("section"),
                        ch.get("line"),
                        ch.get("field"),
                        ch.get("old") or "",
                        ch.get("new") or "",
                    )
                    for ch in c.get("changes", [])
                ),
            )
            for c in disclosure.get("corrections", [])
        ),
        ledger=tuple(_ledger_row(r, chart) for r in period.ledger.rows) if period.ledger else (),
        assistance=tuple(_assistance_row(r) for r in period.assistance.rows)
        if period.assistance
        else (),
        deposits=tuple(
            model.Deposit(d.get("date"), d.get("amount"), d.line, d.get("note", ""))
            for d in disclosure.get("deposits", [])
        )
        if "deposits" in disclosure.values
        else None,
    )


def build_town(
    town: TownRecords, parameters: Parameters, villages: tuple[model.Village, ...]
) -> model.Town:
    """The model of one town, with the villages of it that passed."""
    assert town.town is not None
    return model.Town(
        town.slug,
        town.town.get("name", ""),
        town.town.get("code", ""),
        contacts_of(town.town),
        villages,
        parameters,
        power_versions_of(town.powers),
    )


def build_county(county: CountyRecords, towns: tuple[model.Town, ...]) -> model.County:
    """The model of the county (its supervision flags are added by the rules)."""
    assert county.county is not None
    site = county.county.get("site")
    return model.County(
        name=county.county.get("name"),
        code=county.county.get("code"),
        site_title=site.get("title"),
        site_url=site.get("url"),
        chart=county_chart(county),
        names_online=county_names_online(county),
        contacts=contacts_of(county.county),
        towns=towns,
        parameters=parameters_of(county.county, Parameters()),
        power_list=power_list_of(county_power_lists(county)),
        power_versions=power_versions_of(county.powers),
    )


def contacts_of(rec: Rec | None, key: str = "contacts") -> tuple[model.Contact, ...]:
    """The named phone lines a county, town or village declares under key."""
    if rec is None:
        return ()
    return tuple(
        model.Contact(c.get("name", ""), c.get("phone", ""))
        for c in rec.get(key, [])
        if isinstance(c, Rec)
    )


def channels_of(channels: Any) -> model.Channels:
    """How villagers reach the village: office phone, hotlines, box, supervisor, talk day."""
    if not isinstance(channels, Rec):
        return model.Channels()
    return model.Channels(
        channels.get("office_phone", ""),
        contacts_of(channels, "hotlines"),
        channels.get("box", ""),
        channels.get("supervisor", ""),
        channels.get("talk_day", ""),
    )


def _items(rec: Rec | None, key: str) -> list[Rec]:
    return list(rec.get(key, [])) if rec is not None else []


def _affairs(disclosure: Rec, key: str) -> tuple[model.Affair, ...]:
    return tuple(
        model.Affair(a.get("title", ""), a.get("date"), a.get("body", ""))
        for a in disclosure.get(key, [])
    )


def _ledger_row(record: Rec, chart: str) -> model.LedgerRow:
    code = record.get("account_code")
    return model.LedgerRow(
        record.line,
        record.get("date"),
        record.get("voucher_no"),
        record.get("summary", ""),
        code,
        account_name(chart, code) or "",
        record.get("income"),
        record.get("expense"),
        record.get("counterparty", ""),
        record.get("method", ""),
        record.get("receipt", ""),
        record.get("approver", ""),
        record.get("contract_id", ""),
        record.get("bank_account", ""),
        plain_category(chart, code),
    )


def _assistance_row(record: Rec) -> model.AssistanceRow:
    return model.AssistanceRow(
        record.line,
        record.get("category"),
        record.get("name"),
        record.get("group"),
        record.get("amount"),
        record.get("notice_start"),
        record.get("notice_end"),
        record.get("household_size"),
        record.get("status", ""),
        record.get("cause", ""),
        record.get("salt", ""),
    )


def _contract(record: Rec) -> model.Contract:
    return model.Contract(
        record.line,
        record.get("id"),
        record.get("type"),
        record.get("object"),
        record.get("counterparty"),
        record.get("method"),
        record.get("platform"),
        record.get("amount"),
        record.get("start"),
        record.get("end"),
        tuple(sorted(model.ScheduleItem(d, a) for d, a in record.get("schedule") or ())),
        record.get("decision_id", ""),
        tuple(model.ChangeOrder(d, a, ref) for d, a, ref in record.get("changes") or ()),
        record.get("accepted_at"),
    )


def _decision(record: Rec) -> model.Decision:
    steps = sorted(
        (
            model.Step(
                schema.STEP_INDEX[step.get("step")],
                step.get("step"),
                step.get("date"),
                step.at("step"),
                step.get("due"),
                step.get("attended"),
                step.get("agreed"),
                step.get("result", ""),
                step.get("note", ""),
            )
            for step in record.get("steps", [])
        ),
        key=lambda step: step.index,
    )
    return model.Decision(
        record.line,
        record.get("id"),
        record.get("matter"),
        tuple(steps),
        record.get("amount"),
        record.get("category", ""),
        record.get("merged", False),
    )


def _meeting(record: Rec) -> model.Meeting:
    return model.Meeting(
        record.line,
        record.get("id"),
        record.get("kind"),
        record.get("date"),
        record.get("chaired_by", ""),
        record.get("due"),
        record.get("attended"),
        tuple(record.get("agenda", [])),
        tuple((q.get("question"), q.get("answer") or "") for q in record.get("questions", [])),
        record.get("note", ""),
    )


def _topic(record: Rec) -> model.Topic:
    return model.Topic(
        record.line,
        record.get("id"),
        record.get("asked_at"),
        record.get("question"),
        record.get("asker", ""),
        record.get("answered_at"),
        record.get("answer") or "",
        record.get("period", ""),
        record.get("ref", ""),
    )


def power_versions_of(rec: Rec | None) -> tuple[model.PowerVersion, ...]:
    """The yearly versions a county's or town's powers.yml records, in the order written."""
    if rec is None:
        return ()
    return tuple(
        model.PowerVersion(
            str(v.get("year", "")),
            v.get("date"),
            v.get("reason", ""),
            v.get("basis", ""),
            tuple(
                model.PowerVersionChange(
                    c.get("id", ""),
                    c.get("change", ""),
                    c.get("field", "") or "",
                    c.get("old", "") or "",
                    c.get("new", "") or "",
                )
                for c in v.get("changes", [])
            ),
        )
        for v in rec.get("versions", [])
        if v.get("date") is not None
    )


def power_list_of(resolved: powers.PowerLists) -> model.PowerList:
    """The lists a village (or the county) shows, sorted by id."""

    def tup(value: Any) -> tuple[str, ...]:
        return tuple(value or ())

    power_items = tuple(
        model.Power(
            record.get("id"),
            record.get("category", ""),
            record.get("name", ""),
            record.get("basis", ""),
            record.get("responsible", ""),
            tup(record.get("steps")),
            record.get("time_limit", ""),
            tup(record.get("risks")),
            record.get("supervision", ""),
            level,
            tup(record.get("conditions")),
            record.get("accountability", ""),
            record.get("department", ""),
        )
        for record, level in sorted(resolved["powers"].values(), key=lambda x: x[0].get("id"))
    )
    negative = tuple(
        model.Negative(record.get("id"), record.get("text", ""), level)
        for record, level in sorted(resolved["negative"].values(), key=lambda x: x[0].get("id"))
    )
    services = tuple(
        model.Service(
            record.get("id"),
            record.get("name", ""),
            record.get("where", ""),
            tup(record.get("materials")),
            record.get("time_limit", ""),
            record.get("contact", ""),
            level,
        )
        for record, level in sorted(resolved["services"].values(), key=lambda x: x[0].get("id"))
    )
    duties = tuple(
        model.Duty(
            record.get("id"),
            record.get("who", ""),
            tup(record.get("duties")),
            record.get("accountability", ""),
            record.get("department", ""),
            level,
        )
        for record, level in sorted(resolved["duties"].values(), key=lambda x: x[0].get("id"))
    )
    return model.PowerList(power_items, negative, services, duties)
