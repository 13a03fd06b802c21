"""Check every record and build the model from those that pass.

Three layers, all collected, never stopping at the first problem:
1. per field, from the declarations in `schema.py` (types, required, choices);
2. per file (voucher numbers, dates inside the period, notice periods);
3. across files (people named in records, balances carried month to month, power lists
   inherited county → town → village, personal data and invisible characters anywhere).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import model as M
from . import problems as P
from . import schema as S
from .accounts import CHARTS, account_name
from .cache import BuildCache, files_hash, stat_signature
from .load import (
    CsvTable,
    Layout,
    MapNode,
    Node,
    ScalarNode,
    SeqNode,
    TextFile,
    VillageFiles,
    parse_csv,
    parse_yaml,
    read_text,
    scan_layout,
)
from .privacy import phone_digits, scan_characters, scan_personal_data
from .problems import Location, Problem, Report

MISSING: Any = object()


@dataclass
class Rec:
    """A checked YAML mapping or CSV row: typed values, and the line of each key."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def at(self, key: str) -> int:
        return self.lines.get(key, self.line)


class Ctx:
    """Where problems go while one file is checked."""

    def __init__(self, rel: str, out: list[Problem]) -> None:
        self.rel = rel
        self.out = out

    def add(
        self, kind: P.Kind, line: int | None, fkey: str | None, flabel: str = "", **values: Any
    ) -> None:
        self.out.append(kind.at(Location(self.rel, line), fkey, field_zh=flabel, **values))


# --- layer 1: fields from the schema ---------------------------------------------------------
_SHAPES = {
    MapNode: ("键值对（字段: 值）", "a mapping (key: value)"),
    SeqNode: ("列表（每项以 - 开头）", "a list (items start with -)"),
    ScalarNode: ("单个值", "a single value"),
}


def _shape_of(typ: Any) -> type[Node]:
    if isinstance(typ, S.Obj):
        return MapNode
    if isinstance(typ, S.ListOf):
        return SeqNode
    return ScalarNode


def convert(node: Node, typ: Any, ctx: Ctx, key: str, label: str) -> Any:
    """Turn a YAML node into typed values per the schema; report and return MISSING if bad."""
    want = _shape_of(typ)
    if not isinstance(node, want):
        if isinstance(node, ScalarNode) and node.is_null:
            return MISSING
        ctx.add(
            P.WRONG_SHAPE,
            node.line,
            key,
            label,
            expected=_SHAPES[want][0],
            actual=_SHAPES[type(node)][0],
            expected_en=_SHAPES[want][1],
            actual_en=_SHAPES[type(node)][1],
        )
        return MISSING
    if isinstance(typ, S.Obj):
        assert isinstance(node, MapNode)
        return convert_map(node, typ, ctx, key, label)
    if isinstance(typ, S.ListOf):
        assert isinstance(node, SeqNode)
        items = []
        for item in node.items:
            value = convert(item, typ.item, ctx, key, label)
            if value is not MISSING:
                items.append(value)
        if len(node.items) < typ.min_items:
            ctx.add(P.MISSING_FIELD, node.line, key, label, label=label, key=key)
        return items
    assert isinstance(node, ScalarNode)
    if node.is_null:
        return MISSING
    return parse_scalar(node.text, typ, ctx, node.line, key, label)


def parse_scalar(text: str, typ: S.Scalar, ctx: Ctx, line: int, key: str, label: str) -> Any:
    """Parse one scalar or cell by its type; text is NFKC-normalised, numbers are not."""
    if isinstance(typ, S.Text):
        text = S.normalize_text(text)
    value = typ.parse(text)
    if isinstance(value, S.Invalid):
        shown = text if len(text) <= 40 else text[:40] + "…"
        values = {"value": shown, **value.values}
        ctx.add(value.kind, line, key, label, **values)
        return MISSING
    return value


def convert_map(node: MapNode, obj: S.Obj, ctx: Ctx, prefix: str, label: str) -> Rec:
    """Check a mapping's keys against the schema and convert each value."""
    rec = Rec(node.line)
    for key, (key_line, value_node) in node.items.items():
        f = obj.get(key)
        full = f"{prefix}.{key}" if prefix else key
        if f is None:
            ctx.add(
                P.UNKNOWN_FIELD,
                key_line,
                full,
                "",
                key=key,
                hint="这里可用的字段："
                + "、".join(f"{x.key}（{x.zh}）" for x in obj.fields)
                + "。",
                hint_en="Known keys here: " + ", ".join(x.key for x in obj.fields) + ".",
            )
            continue
        value = convert(value_node, f.type, ctx, full, _join(label, f.zh))
        rec.lines[key] = key_line
        if value is not MISSING:
            rec.values[key] = value
    for f in obj.fields:
        if f.required and f.key not in rec.values and not _reported_at(ctx, rec, f.key):
            line = rec.lines.get(f.key, node.line)
            full = f"{prefix}.{f.key}" if prefix else f.key
            ctx.add(
                P.MISSING_FIELD,
                line,
                full,
                _join(label, f.zh),
                label=f"“{_join(label, f.zh)}”（{full}）",
                key=full,
            )
    return rec


def _reported_at(ctx: Ctx, rec: Rec, key: str) -> bool:
    """A present-but-invalid value was already reported; do not also call it missing."""
    line = rec.lines.get(key)
    return line is not None and any(
        p.where.line is not None
        and p.where.line >= line
        and p.where.path == ctx.rel
        and (p.field or "").split(".")[-1] == key
        for p in ctx.out
    )


def _join(a: str, b: str) -> str:
    return f"{a}·{b}" if a else b


def check_row(row_values: dict[str, str], line: int, schema: S.RecordSchema, ctx: Ctx) -> Rec:
    """Type one CSV row; empty cells are absent, required ones are reported."""
    rec = Rec(line)
    for f in schema.fields:
        text = row_values.get(f.key, "")
        rec.lines[f.key] = line
        if text == "":
            if f.required:
                ctx.add(P.MISSING_FIELD, line, f.key, f.zh, label=f"“{f.zh}”（{f.key}）", key=f.key)
            continue
        value = parse_scalar(text, f.type, ctx, line, f.key, f.zh)
        if value is not MISSING:
            rec.values[f.key] = value
    return rec


# --- reading files ---------------------------------------------------------------------------
@dataclass
class Sources:
    """Every file read so far, kept for the text scans that run over all of them."""

    base: Path
    out: list[Problem]
    texts: list[tuple[TextFile, dict[int, str]]] = field(default_factory=list)

    def yaml(self, path: Path | None, schema: S.RecordSchema) -> Rec | None:
        if path is None:
            return None
        file, problems = read_text(path, self.base)
        self.out.extend(problems)
        if file is None:
            return None
        node, problems = parse_yaml(file)
        self.out.extend(problems)
        self.texts.append((file, _yaml_fields(node)))
        ctx = Ctx(file.rel, self.out)
        if node is None or (isinstance(node, ScalarNode) and node.is_null):
            ctx.add(P.EMPTY_FILE, 1, None)
            return None
        if not isinstance(node, MapNode):
            ctx.add(
                P.WRONG_SHAPE,
                node.line,
                None,
                expected=_SHAPES[MapNode][0],
                actual=_SHAPES[type(node)][0],
                expected_en=_SHAPES[MapNode][1],
                actual_en=_SHAPES[type(node)][1],
            )
            return None
        return convert_map(node, schema.obj, ctx, "", "")

    def csv(self, path: Path | None, schema: S.RecordSchema) -> tuple[str, list[Rec]] | None:
        if path is None:
            return None
        file, problems = read_text(path, self.base)
        self.out.extend(problems)
        if file is None:
            return None
        table, problems = parse_csv(file, schema)
        self.out.extend(problems)
        self.texts.append((file, _csv_fields(table)))
        if table is None:
            return file.rel, []
        ctx = Ctx(file.rel, self.out)
        return file.rel, [check_row(r.values, r.line, schema, ctx) for r in table.rows]

    def text_only(self, path: Path | None) -> None:
        """Files whose structure a later format version defines: scan their text only."""
        if path is None:
            return
        file, problems = read_text(path, self.base)
        self.out.extend(problems)
        if file is not None:
            self.texts.append((file, {}))


def _yaml_fields(node: Node | None) -> dict[int, str]:
    """Map each line to the key written on it, so text findings can name their field."""
    out: dict[int, str] = {}

    def walk(n: Node, key: str) -> None:
        if isinstance(n, MapNode):
            for k, (line, child) in n.items.items():
                full = f"{key}.{k}" if key else k
                out.setdefault(line, full)
                walk(child, full)
        elif isinstance(n, SeqNode):
            for child in n.items:
                walk(child, key)
        elif key:
            out.setdefault(n.line, key)

    if node is not None:
        walk(node, "")
    return out


def _csv_fields(table: CsvTable | None) -> dict[int, str]:
    return {1: "header"} if table is not None else {}


def scan_texts(sources: Sources, allowed_phones: set[str]) -> Iterator[Problem]:
    """Personal data and invisible characters, line by line, in every file read."""
    for file, fields in sources.texts:
        for n, line in enumerate(file.text.split("\n"), start=1):
            if not line:
                continue
            findings = [*scan_characters(line), *scan_personal_data(line, allowed_phones)]
            for f in findings:
                key = fields.get(n)
                if file.rel.endswith(".csv") and n > 1:
                    key = _csv_column(file.text, n, f.column)
                yield f.kind.at(
                    Location(file.rel, n),
                    key,
                    field_zh=S.label_for(key) if key else "",
                    value=f.value,
                    column=f.column,
                    char=f.value,
                )


def _csv_column(text: str, line_no: int, column: int) -> str | None:
    """The header key of the cell at a character position (best effort, for messages)."""
    lines = text.split("\n")
    header = [h.strip() for h in lines[0].split(",")]
    cell = lines[line_no - 1][: column - 1].count(",")
    return header[cell] if cell < len(header) else None


# --- layer 2 and 3: records and their relations --------------------------------------------------
def _params(rec: Rec | None, base: M.Parameters) -> M.Parameters:
    if rec is None:
        return base
    p = rec.get("parameters")
    if not isinstance(p, Rec):
        return base
    values: dict[str, Any] = {k: v for k, v in p.values.items() if k != "tender_bands"}
    bands = p.get("tender_bands")
    if bands:
        parsed = []
        for band in bands:
            # NOTE: reading drops YAML nulls from lists, so [200000, null, 县…] arrives as two items
            if len(band) == 2:
                band = [band[0], "", band[1]]
            low = Decimal(band[0]) if len(band) > 0 and S.MONEY_RE.fullmatch(band[0]) else None
            high = Decimal(band[1]) if len(band) > 1 and S.MONEY_RE.fullmatch(band[1]) else None
            name = band[2] if len(band) > 2 else ""
            if low is not None and name:
                parsed.append((low, high, name))
        values["tender_bands"] = tuple(parsed)
    for key in ("open_methods", "payroll_accounts"):
        if key in values:
            values[key] = tuple(values[key])
    levels = p.get("severity")
    if isinstance(levels, Rec):  # a town changes the rules it names, keeps the county's others
        values["severity"] = tuple(sorted({**dict(base.severity), **levels.values}.items()))
    return M.Parameters(**{**base.__dict__, **values})


def _contacts(rec: Rec | None, key: str = "contacts") -> tuple[M.Contact, ...]:
    if rec is None:
        return ()
    return tuple(
        M.Contact(c.get("name", ""), c.get("phone", ""))
        for c in rec.get(key, [])
        if isinstance(c, Rec)
    )


@dataclass
class ListLevel:
    """One level of the power list as read: what it removes and what it defines."""

    inherit: bool
    remove: list[tuple[str, int]]
    items: dict[str, list[Rec]]


def _power_level(rec: Rec | None, ctx: Ctx | None) -> ListLevel:
    if rec is None or ctx is None:
        return ListLevel(True, [], {"powers": [], "negative": [], "services": []})
    seen: dict[str, int] = {}
    items: dict[str, list[Rec]] = {}
    for key in ("powers", "negative", "services"):
        items[key] = []
        for item in rec.get(key, []):
            pid = item.get("id")
            if pid is None:
                continue
            if pid in seen:
                ctx.add(
                    P.DUPLICATE_ID,
                    item.at("id"),
                    f"{key}.id",
                    "编号",
                    value=pid,
                    other_line=seen[pid],
                )
                continue
            seen[pid] = item.at("id")
            items[key].append(item)
    remove_line = rec.at("remove")
    remove = [(x, remove_line) for x in rec.get("remove", [])]
    for rid, line in remove:
        if rid in seen:
            ctx.add(P.REMOVE_AND_ADD, line, "remove", "删除的编号", value=rid)
    return ListLevel(rec.get("inherit", True), remove, items)


def resolve_powers(
    upstream: dict[str, dict[str, tuple[Rec, str]]], level: ListLevel, name: str, ctx: Ctx | None
) -> dict[str, dict[str, tuple[Rec, str]]]:
    """Apply one level's removals and definitions to the inherited lists."""
    result = (
        {k: dict(v) for k, v in upstream.items()}
        if level.inherit
        else {"powers": {}, "negative": {}, "services": {}}
    )
    all_ids = {pid for items in result.values() for pid in items}
    for rid, line in level.remove:
        if rid not in all_ids:
            if ctx is not None:
                ctx.add(P.UNKNOWN_POWER_ID, line, "remove", "删除的编号", value=rid)
            continue
        for items in result.values():
            items.pop(rid, None)
    for key, recs in level.items.items():
        for rec in recs:
            result[key][rec.get("id")] = (rec, name)
    return result


def _power_list(resolved: dict[str, dict[str, tuple[Rec, str]]]) -> M.PowerList:
    def tup(v: Any) -> tuple[str, ...]:
        return tuple(v or ())

    powers = tuple(
        M.Power(
            r.get("id"),
            r.get("category", ""),
            r.get("name", ""),
            r.get("basis", ""),
            r.get("responsible", ""),
            tup(r.get("steps")),
            r.get("time_limit", ""),
            tup(r.get("risks")),
            r.get("supervision", ""),
            lvl,
        )
        for r, lvl in sorted(resolved["powers"].values(), key=lambda x: x[0].get("id"))
    )
    negative = tuple(
        M.Negative(r.get("id"), r.get("text", ""), lvl)
        for r, lvl in sorted(resolved["negative"].values(), key=lambda x: x[0].get("id"))
    )
    services = tuple(
        M.Service(
            r.get("id"),
            r.get("name", ""),
            r.get("where", ""),
            tup(r.get("materials")),
            r.get("time_limit", ""),
            r.get("contact", ""),
            lvl,
        )
        for r, lvl in sorted(resolved["services"].values(), key=lambda x: x[0].get("id"))
    )
    return M.PowerList(powers, negative, services)


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
    parameters: M.Parameters
    power_lists: dict[str, dict[str, tuple[Rec, str]]]


def check_village(
    vf: VillageFiles, town_ctx: CountyContext, sources: Sources, phones: set[str]
) -> M.Village | None:
    """Check one village's files; return its model if its own records have no errors."""
    out = sources.out
    start = len(out)
    rec = sources.yaml(vf.files.get("village.yml"), S.VILLAGE)
    powers_rec = sources.yaml(vf.files.get("powers.yml"), S.POWERS)
    vrel = f"{vf.dir_rel}/village.yml"
    vctx = Ctx(vrel, out)
    people: dict[str, M.Person] = {}
    person_lines: dict[str, int] = {}
    if rec is not None:
        for p in rec.get("people", []):
            name = p.get("name")
            if name is None:
                continue
            if name in people:
                vctx.add(
                    P.DUPLICATE_PERSON,
                    p.at("name"),
                    "people.name",
                    "姓名",
                    value=name,
                    other_line=person_lines[name],
                )
                continue
            roles = tuple(p.get("roles", []))
            people[name] = M.Person(name, roles)
            person_lines[name] = p.at("name")
            if S.SUPERVISOR_ROLES & set(roles) and S.TWO_COMMITTEE_ROLES & set(roles):
                clash = next(r for r in roles if r in S.TWO_COMMITTEE_ROLES)
                vctx.add(
                    P.SUPERVISOR_CONFLICT,
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
                    P.UNKNOWN_PERSON,
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
    supervisors = {n for n, p in people.items() if S.SUPERVISOR_ROLES & set(p.roles)}

    pctx = Ctx(f"{vf.dir_rel}/powers.yml", out)
    level = _power_level(powers_rec, pctx if powers_rec is not None else None)
    resolved = resolve_powers(town_ctx.power_lists, level, "村", pctx)

    periods: list[M.Period] = []
    previous: M.Period | None = None
    for pf in vf.periods:
        period = check_period(
            pf.files, pf.period, pf.dir_rel, town_ctx, sources, people, supervisors, previous
        )
        if period is not None:
            periods.append(period)
            previous = period
    from .registers import check_registers  # registers builds on this module's readers

    registers = check_registers(
        vf, sources, [pf.period for pf in vf.periods], periods, town_ctx.parameters
    )
    if rec is None or any(p.severity is P.Severity.ERROR for p in out[start:]):
        return None
    ch = rec.get("channels")
    channels = M.Channels()
    if isinstance(ch, Rec):
        channels = M.Channels(
            ch.get("office_phone", ""),
            _contacts(ch, "hotlines"),
            ch.get("box", ""),
            ch.get("supervisor", ""),
            ch.get("talk_day", ""),
        )
    return M.Village(
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
    people: dict[str, M.Person],
    supervisors: set[str],
    previous: M.Period | None,
) -> M.Period | None:
    """Check one period folder: header, sign-off, ledger, assistance, balances."""
    out = sources.out
    drel = f"{dir_rel}/disclosure.yml"
    d = sources.yaml(files.get("disclosure.yml"), S.DISCLOSURE)
    ledger = sources.csv(files.get("ledger.csv"), S.LEDGER)
    assistance = sources.csv(files.get("assistance.csv"), S.ASSISTANCE)
    dctx = Ctx(drel, out)
    start, end = _month_bounds(folder)
    chart = cc.chart
    if d is not None:
        if d.get("period") not in (None, folder):
            dctx.add(
                P.PERIOD_MISMATCH,
                d.at("period"),
                "period",
                "期间",
                value=d.get("period"),
                folder=folder,
            )
        for key, zh in (("drafted_by", "拟稿人"), ("reviewed_by", "审核人")):
            name = d.get(key)
            if name is not None and name not in people:
                dctx.add(P.UNKNOWN_PERSON, d.at(key), key, zh, value=name)
        reviewer = d.get("reviewed_by")
        if reviewer in people and reviewer not in supervisors:
            dctx.add(P.NOT_SUPERVISOR, d.at("reviewed_by"), "reviewed_by", "审核人", value=reviewer)
        rv, pb = d.get("reviewed_at"), d.get("published_at")
        if rv is not None and pb is not None and rv > pb:
            dctx.add(
                P.REVIEW_ORDER,
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
                    P.UNKNOWN_PERSON,
                    c.at("approved_by"),
                    "corrections.approved_by",
                    "更正记录·批准人",
                    value=who,
                )
        if chart != "2023" and folder >= "2024-01":
            dctx.add(P.CHART_PERIOD, d.at("period"), "period", "期间", period=folder, chart=chart)
            chart = "2023"

    rows: list[M.LedgerRow] = []
    if ledger is not None:
        lrel, recs = ledger
        lctx = Ctx(lrel, out)
        vouchers: dict[str, int] = {}
        for r in recs:
            date = r.get("date")
            if date is not None and not (start <= date <= end):
                lctx.add(
                    P.DATE_OUTSIDE_PERIOD,
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
                        P.DUPLICATE_VOUCHER,
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
                    P.UNKNOWN_ACCOUNT, r.line, "account_code", "科目代码", value=code, chart=chart
                )
            inc, exp = r.get("income"), r.get("expense")
            raw_both = ("income" in r.values) + ("expense" in r.values)
            if raw_both != 1 and not _has_bad_amount(out, lrel, r.line):
                detail = "（这一行两个都填了）" if raw_both == 2 else "（这一行两个都空着）"
                lctx.add(
                    P.ONE_OF_INCOME_EXPENSE,
                    r.line,
                    "income",
                    "收入",
                    detail=detail,
                    detail_en=" (both are filled)" if raw_both == 2 else " (both are empty)",
                )
            for key, zh, amount in (("income", "收入", inc), ("expense", "支出", exp)):
                if amount is not None and amount <= 0:
                    lctx.add(P.NOT_POSITIVE, r.line, key, zh, value=str(amount))
            approver = r.get("approver")
            if approver is not None and approver not in people:
                lctx.add(P.UNKNOWN_PERSON, r.line, "approver", "审批人", value=approver)
            if None not in (date, v, code) and raw_both == 1 and (inc or exp):
                rows.append(
                    M.LedgerRow(
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

    aid_rows: list[M.AssistanceRow] = []
    if assistance is not None:
        arel, recs = assistance
        actx = Ctx(arel, out)
        for r in recs:
            s, e = r.get("notice_start"), r.get("notice_end")
            if s is not None and e is not None and (e - s).days < cc.parameters.notice_days:
                actx.add(
                    P.NOTICE_TOO_SHORT,
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
                    M.AssistanceRow(
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
    ob = M.Balance(opening.get("cash"), opening.get("bank"))
    cb = M.Balance(closing.get("cash"), closing.get("bank"))
    income = sum((r.income for r in rows if r.income), Decimal(0))
    expense = sum((r.expense for r in rows if r.expense), Decimal(0))
    ledger_ok = ledger is not None and not any(
        p.where.path == ledger[0] and p.severity is P.Severity.ERROR for p in out
    )
    if ledger_ok and ob.total + income - expense != cb.total:
        expected = ob.total + income - expense
        dctx.add(
            P.BALANCE_MISMATCH,
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
                P.PERIOD_GAP,
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
                    P.OPENING_MISMATCH,
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

    def affairs(key: str) -> tuple[M.Affair, ...]:
        return tuple(
            M.Affair(a.get("title", ""), a.get("date"), a.get("body", ""))
            for a in d.get(key, [])
            if a.get("date") is not None
        )

    return M.Period(
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
            M.Correction(c.get("date"), c.get("reason"), c.get("approved_by"))
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
@dataclass
class Result:
    """What validation gives: the report, and the model when there are no errors."""

    report: Report
    county: M.County | None
    layout: Layout | None = None
    # Every village whose own records passed, even when others failed: the audit trail
    # compares what it can of a revision that had errors.
    towns: tuple[M.Town, ...] = ()


def validate(
    villages_dir: Path,
    base: Path | None = None,
    only: Iterable[Path] | None = None,
    today: dt.date | None = None,
    cache: BuildCache | None = None,
) -> Result:
    """Check every record under villages_dir (or only the villages holding the given paths).

    The supervision rules run on the model too: error-level flags join the report, and every
    flag is kept in `county.flags`, computed as of `today` (default: the last commit's date).
    """
    base = base if base is not None else villages_dir.parent
    report = Report()
    layout, problems = scan_layout(villages_dir, base)
    selected = _select(layout, only)
    if only is not None:
        problems = [p for p in problems if _under_selection(p.where.path, layout, selected, base)]
    report.extend(problems)
    sources = Sources(base, report.problems)
    county = sources.yaml(layout.files.get("county.yml"), S.COUNTY)
    county_powers = sources.yaml(layout.files.get("powers.yml"), S.POWERS)
    phones: set[str] = set()
    for c in _contacts(county):
        phones.add(phone_digits(c.phone))
    chart = county.get("chart", "2023") if county else "2023"
    names_online = county.get("names_online", "masked") if county else "masked"
    county_params = _params(county, M.Parameters())
    cp_rel = f"{display_path_of(layout.root, base)}/powers.yml"
    county_level = _power_level(
        county_powers, Ctx(cp_rel, report.problems) if county_powers is not None else None
    )
    county_level.inherit = False
    county_lists = resolve_powers(
        {"powers": {}, "negative": {}, "services": {}}, county_level, "县", None
    )
    towns: list[M.Town] = []
    for tf in layout.towns:
        trec = sources.yaml(tf.files.get("town.yml"), S.TOWN)
        tpowers = sources.yaml(tf.files.get("powers.yml"), S.POWERS)
        for c in _contacts(trec):
            phones.add(phone_digits(c.phone))
        tctx = Ctx(f"{tf.dir_rel}/powers.yml", report.problems)
        tlevel = _power_level(tpowers, tctx if tpowers is not None else None)
        town_lists = resolve_powers(county_lists, tlevel, "镇", tctx)
        cc = CountyContext(
            chart,
            (trec.get("names_online") if trec else None) or names_online,
            _params(trec, county_params),
            town_lists,
        )
        villages = []
        context = files_hash(
            [
                layout.files.get("county.yml"),
                layout.files.get("powers.yml"),
                tf.files.get("town.yml"),
                tf.files.get("powers.yml"),
            ]
        )
        for vf in tf.villages:
            if selected is not None and (vf.town, vf.slug) not in selected:
                continue
            v = _village_cached(vf, cc, sources, set(phones), cache, context)
            if v is not None:
                villages.append(v)
        if trec is not None:
            towns.append(
                M.Town(
                    tf.slug,
                    trec.get("name", ""),
                    trec.get("code", ""),
                    _contacts(trec),
                    tuple(villages),
                    cc.parameters,
                )
            )
    report.extend(scan_texts(sources, phones))
    report.extend(_check_codes(county, towns, layout, base))
    if cache is not None and only is None:
        cache.prune("villages")
    if county is None or report.errors:
        return Result(report, None, layout, tuple(towns))
    site = county.get("site")
    model = M.County(
        name=county.get("name"),
        code=county.get("code"),
        site_title=site.get("title"),
        site_url=site.get("url"),
        chart=chart,
        names_online=names_online,
        contacts=_contacts(county),
        towns=tuple(towns),
        parameters=county_params,
        power_list=_power_list(county_lists),
    )
    from .rules import apply_rules

    model = apply_rules(model, report, base, today)
    return Result(report, model, layout, tuple(towns))


def _village_cached(
    vf: VillageFiles,
    cc: CountyContext,
    sources: Sources,
    phones: set[str],
    cache: BuildCache | None,
    context: str,
) -> M.Village | None:
    """Check one village, or take its problems and model from the cache when unchanged.

    Its text is scanned here, with the phone numbers declared for it (county, town and its
    own), so that the result depends on nothing outside the village and its context.
    """
    key = ""
    if cache is not None:
        key = stat_signature(_village_paths(vf), context)
        hit = cache.load("villages", key)
        if hit is not None:
            cached_problems, cached_village = hit
            sources.out.extend(cached_problems)
            return cached_village  # type: ignore[no-any-return]
    start, mark = len(sources.out), len(sources.texts)
    village: M.Village | None = check_village(vf, cc, sources, phones)
    text_sources = Sources(sources.base, sources.out, sources.texts[mark:])
    sources.out.extend(scan_texts(text_sources, phones))
    del sources.texts[mark:]
    if village is not None and key:
        village = replace(village, signature=key)
    if cache is not None:
        cache.save("villages", key, (sources.out[start:], village))
    return village


def _village_paths(vf: VillageFiles) -> list[Path]:
    paths = list(vf.files.values())
    for period in vf.periods:
        paths.extend(period.files.values())
    return paths


def display_path_of(path: Path, base: Path) -> str:
    from .load import display_path

    return display_path(path, base)


def _check_codes(
    county: Rec | None, towns: list[M.Town], layout: Layout, base: Path
) -> Iterator[Problem]:
    """Area codes are unique, and a village's code starts with its town's (as does a town's)."""
    seen: dict[str, str] = {}
    county_code = county.get("code", "") if county else ""
    for town in towns:
        town_rel = f"{display_path_of(layout.root, base)}/{town.slug}/town.yml"
        if county_code and town.code and not town.code.startswith(county_code[:6]):
            yield P.CODE_PREFIX.at(
                Location(town_rel),
                "code",
                field_zh="区划代码",
                value=town.code,
                prefix=county_code[:6],
            )
        for village in town.villages:
            rel = f"{village.src_dir}/village.yml"
            if village.code in seen:
                yield P.DUPLICATE_CODE.at(
                    Location(rel),
                    "code",
                    field_zh="区划代码",
                    value=village.code,
                    other=seen[village.code],
                )
            seen.setdefault(village.code, rel)
            if town.code and not village.code.startswith(town.code[:9]):
                yield P.CODE_PREFIX.at(
                    Location(rel),
                    "code",
                    field_zh="区划代码",
                    value=village.code,
                    prefix=town.code[:9],
                )


def _select(layout: Layout, only: Iterable[Path] | None) -> set[tuple[str, str]] | None:
    if only is None:
        return None
    root = layout.root.resolve()
    chosen: set[tuple[str, str]] = set()
    for path in only:
        try:
            parts = path.resolve().relative_to(root).parts
        except ValueError:
            continue
        if len(parts) >= 2:
            chosen.add((parts[0], parts[1]))
        else:  # a county or town file touches every village below it
            for v in layout.villages():
                if not parts or v.town == parts[0]:
                    chosen.add((v.town, v.slug))
    return chosen


def _under_selection(
    rel: str, layout: Layout, selected: set[tuple[str, str]] | None, base: Path
) -> bool:
    if selected is None:
        return True
    root = display_path_of(layout.root, base)
    parts = rel[len(root) + 1 :].split("/") if rel.startswith(root + "/") else []
    if len(parts) < 3:
        return True
    return (parts[0], parts[1]) in selected


__all__ = ["CHARTS", "Result", "validate"]
