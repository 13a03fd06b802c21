"""Open data: every record kind as CSV and JSON, per village and for the county, with a
Frictionless Data Package (`datapackage.json`) that points at the published Table Schemas.

The rows are what the site shows, masked the same way (an assistance name is masked online
unless the county publishes full names); the columns are declared in `format/opendata.py`.
CSV: UTF-8 with a byte-order mark (so Excel and WPS read the Chinese), text cells made inert.
JSON: an array of rows headed by the column names, numbers as numbers, the text as written.

Every folder is assembled from parts: a village's part is its rows of every table, written as
CSV and JSON text and deflated (each piece ending on a full flush), kept in the build cache under
the village's signature. A village's folder is its one part; the county's CSV is the header
then every village's part in the county's order (the JSON likewise), the same bytes as writing
all the rows at once (tests/test_opendata.py), and each .gz is joined from the deflated pieces,
so no row is written or compressed twice in a build.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring

from builder import model
from builder.format import schema
from builder.format.opendata import FORMULA_START, TABLES, VERSION, Table, inert
from builder.pipeline.cache import BuildCache
from builder.publish.compress import DOWNLOADS, MIN_BYTES, deflated, gzip_joined

Cell = str | Decimal | int | dt.date | None
Rows = dict[str, list[tuple[Cell, ...]]]


def village_rows(town: model.Town, village: model.Village) -> Rows:
    """Every table's rows for one village, in the tables' order."""
    who: tuple[Cell, ...] = (town.name, village.name, village.code)
    masked = village.names_online != "full"
    out: Rows = {t.name: [] for t in TABLES}
    for p in village.periods:
        out["periods"].append(
            (
                *who,
                p.period,
                p.opening.cash,
                p.opening.bank,
                p.closing.cash,
                p.closing.bank,
                p.income,
                p.expense,
                p.drafted_by,
                p.reviewed_by,
                p.reviewed_at,
                p.published_at,
                len(p.corrections),
            )
        )
        for r in p.ledger:
            out["ledger"].append(
                (
                    *who,
                    p.period,
                    r.date,
                    r.voucher_no,
                    r.summary,
                    r.account_code,
                    r.account_name,
                    r.category if r.is_expense else "",
                    r.income,
                    r.expense,
                    r.counterparty,
                    r.method,
                    r.receipt,
                    r.approver,
                    r.contract_id,
                )
            )
        for a in p.assistance:
            out["assistance"].append(
                (
                    *who,
                    p.period,
                    a.category,
                    model.mask_name(a.name) if masked else a.name,
                    a.group,
                    a.household_size,
                    a.amount,
                    a.notice_start,
                    a.notice_end,
                    a.status,
                )
            )
        for kind, affairs in (("村务", p.village_affairs), ("党务", p.party_affairs)):
            for f in affairs:
                out["affairs"].append((*who, p.period, kind, f.title, f.date, f.body))
        for c in p.corrections:
            out["corrections"].append((*who, p.period, c.date, c.reason, c.approved_by))
    for k in village.contracts:
        plan = "；".join(f"{s.due.isoformat()} {s.amount:.2f}" for s in k.schedule)
        out["contracts"].append(
            (
                *who,
                k.id,
                k.type,
                k.object,
                k.counterparty,
                k.method,
                k.platform,
                k.amount,
                k.start,
                k.end,
                k.decision_id,
                plan,
            )
        )
    for d in village.decisions:
        for s in d.steps:
            out["decisions"].append(
                (
                    *who,
                    d.id,
                    d.matter,
                    d.category,
                    d.amount,
                    s.index,
                    s.name,
                    s.date,
                    s.due,
                    s.attended,
                    s.agreed,
                    s.result,
                    s.note,
                )
            )
    for t in village.topics:
        out["topics"].append(
            (*who, t.id, t.asked_at, t.question, t.answered_at, t.answer, t.period, t.ref)
        )
    for m in village.meetings:
        qa = "；".join(f"问：{q} 答：{a}" for q, a in m.questions)
        out["meetings"].append(
            (
                *who,
                m.id,
                m.kind,
                m.date,
                m.chaired_by,
                m.due,
                m.attended,
                "；".join(m.agenda),
                qa,
                m.note,
            )
        )
    pl = village.power_list
    for pw in pl.powers:
        detail = "；".join(
            x
            for x in (
                pw.basis and f"依据：{pw.basis}",
                pw.responsible and f"责任主体：{pw.responsible}",
                pw.steps and "流程：" + " → ".join(pw.steps),
                pw.time_limit and f"时限：{pw.time_limit}",
                pw.risks and "风险点：" + "、".join(pw.risks),
                pw.supervision and f"监督：{pw.supervision}",
                pw.conditions and "办理条件：" + "、".join(pw.conditions),
                pw.department and f"主管部门：{pw.department}",
                pw.accountability and f"责任追究：{pw.accountability}",
            )
            if x
        )
        out["powers"].append((*who, "权力", pw.id, pw.name, pw.category, pw.level, detail))
    for n in pl.negative:
        out["powers"].append((*who, "负面", n.id, n.text, "", n.level, ""))
    for sv in pl.services:
        detail = "；".join(
            x
            for x in (
                sv.where and f"办理地点：{sv.where}",
                sv.materials and "所需材料：" + "、".join(sv.materials),
                sv.time_limit and f"办理时限：{sv.time_limit}",
                sv.contact and f"联系人：{sv.contact}",
            )
            if x
        )
        out["powers"].append((*who, "服务", sv.id, sv.name, "", sv.level, detail))
    for duty in pl.duties:
        detail = "；".join(
            x
            for x in (
                "责任事项：" + "、".join(duty.duties),
                duty.department and f"监督部门：{duty.department}",
                duty.accountability and f"责任追究：{duty.accountability}",
            )
            if x
        )
        out["powers"].append((*who, "责任", duty.id, duty.who, "", duty.level, detail))
    return out


def _text(value: Cell) -> str:
    """A cell as the CSV writes it: dates ISO, money with two decimals, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def cells(table: Table, rows: Iterable[tuple[Cell, ...]]) -> list[list[str]]:
    """Every cell as text, once, for both the CSV and the JSON."""
    # NOTE: most cells are text already: kept as they are without a call (a county's parts
    # hold ten million cells)
    return [[v if type(v) is str else _text(v) for v in row] for row in rows]


def _csv_text(rows: Iterable[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue()


def csv_head(table: Table) -> bytes:
    """The start of the table's CSV: the byte-order mark and the header of column names."""
    return ("\ufeff" + _csv_text([[c.name for c in table.columns]])).encode("utf-8")


def csv_body(table: Table, cells: list[list[str]]) -> bytes:
    """The table's rows as CSV lines (UTF-8), text cells made inert."""
    text = [i for i, c in enumerate(table.columns) if c.type == "string"]
    body = _csv_text(cells)
    # NOTE: asked of the written lines at once, in C, not of each cell in Python (a county's
    # parts hold ten million): a cell inert would change starts a field, so it follows the
    # text's start, a comma or a line's end, quoted or not; a yes from any other place (a
    # negative amount, a comma or line break inside a quoted cell) only makes every text cell
    # inert one by one, as without this test
    if text and _may_start_formula(body):
        out = []
        for row in cells:
            row = list(row)
            for i in text:
                row[i] = inert(row[i])
            out.append(row)
        body = _csv_text(out)
    return body.encode("utf-8")


# where a field starts (after a comma or a line's end; the text's start is asked apart): a
# cell starting with \r is quoted, as is one holding a comma, a quote or a line break
_STARTS = re.escape("".join(s for s in FORMULA_START if s != "\r"))
_FIELD_MAY_START_FORMULA = re.compile(f'[,\\n](?:[{_STARTS}]|"[{_STARTS}\\r])')


def _may_start_formula(body: str) -> bool:
    """Whether a field of the CSV text body may start like a formula (see csv_body)."""
    return (
        body.startswith(FORMULA_START)
        or body.startswith(tuple('"' + start for start in FORMULA_START))
        or _FIELD_MAY_START_FORMULA.search(body) is not None
    )


def json_rows(table: Table, cells: list[list[str]]) -> str:
    """The table's rows as JSON arrays, one a line, joined by ",\\n" ("" for no row).

    Numbers are written as the CSV writes them (valid JSON numbers), text and dates as
    strings, an empty number or date as null.
    """
    quote = encode_basestring  # NOTE: json's C encoder itself, not JSONEncoder.encode around it
    numbers = [c.type in ("number", "integer") for c in table.columns]
    dates = [c.type == "date" for c in table.columns]
    lines = []
    for row in cells:
        parts = [
            (v or "null") if number else quote(v) if v or not date else "null"
            for v, number, date in zip(row, numbers, dates, strict=True)
        ]
        lines.append("[" + ",".join(parts) + "]")
    return ",\n".join(lines)


def json_doc(table: Table, parts: Iterable[str]) -> bytes:
    """The table as JSON from parts of json_rows: an array of rows, the first the column names
    (tabular JSON)."""
    lines = [_json_head(table)]
    lines += [p for p in parts if p]
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")


def _json_head(table: Table) -> str:
    return json.dumps([c.name for c in table.columns], ensure_ascii=False)


def datapackage(name: str, title: str, site_url: str) -> bytes:
    """The Frictionless Data Package describing one folder's files, schemas by versioned URL."""
    resources = []
    for table in TABLES:
        schema_url = site_url + table.schema_path
        common = {"title": table.title, "schema": schema_url}
        resources.append(
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "profile": "tabular-data-resource",
                **common,
            }
        )
        resources.append(
            {
                "name": f"{table.name}-json",
                "path": f"{table.name}.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "profile": "tabular-data-resource",
                **common,
            }
        )
    doc = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "version": f"{VERSION}.0.0",
        "description": f"三务公开数据（格式第 {schema.FORMAT_VERSION} 版，下载表第 {VERSION} 版）。"
        "CSV 中以 = + - @ 或制表符开头的文字前加了一个英文单引号（'），防止电子表格当作公式；"
        "JSON 是按行排列的数组，第一行是列名，文字是原文。姓名按网站的方式打码。",
        "resources": resources,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


PART_KIND = "downloads"  # the build cache's folder for the villages' parts
COUNTS_KIND = "download-counts"  # and for their row counts alone (a few bytes each)


@dataclass(frozen=True)
class Part:
    """One village's share of the county's files: per table (in TABLES' order) its number of
    rows, its CSV lines and its JSON rows, as written."""

    counts: tuple[int, ...]
    csv: tuple[bytes, ...]
    json: tuple[str, ...]
    # each table's CSV lines and JSON rows (after the ",\n" that joins them), deflated: the
    # pieces of the county files' .gz (compress.gzip_joined)
    csv_packed: tuple[bytes, ...] = ()
    json_packed: tuple[bytes, ...] = ()


def village_part(town: model.Town, village: model.Village) -> Part:
    """A village's part of its own and the county's download files, from its records."""
    rows = village_rows(town, village)
    written = [cells(table, rows[table.name]) for table in TABLES]
    csvs = tuple(csv_body(table, c) for table, c in zip(TABLES, written, strict=True))
    jsons = tuple(json_rows(table, c) for table, c in zip(TABLES, written, strict=True))
    return Part(
        tuple(len(c) for c in written),
        csvs,
        jsons,
        tuple(deflated(data) for data in csvs),
        tuple(deflated(_json_piece(rows)) for rows in jsons),
    )


def _json_piece(rows: str) -> bytes:
    """A part's JSON rows as they follow the lines before them in json_doc."""
    return (",\n" + rows).encode("utf-8") if rows else b""


def county_parts(
    county: model.County, cache: BuildCache | None = None, made: dict[str, Part] | None = None
) -> list[Part]:
    """Every village's part in the county's order: made already (by village URL), else see
    kept_part."""
    made = made or {}
    return [
        made.get(village.url) or kept_part(town, village, cache)
        for town in county.towns
        for village in town.villages
    ]


def kept_part(town: model.Town, village: model.Village, cache: BuildCache | None) -> Part:
    """The village's part: from the cache where its signature is stored (kind "downloads"),
    else made and stored, with its row counts beside it (kind "download-counts")."""
    part = cached_part(village, cache)
    if part is None:
        part = village_part(town, village)
        if cache is not None and village.signature:
            cache.save(PART_KIND, village.signature, part)
            cache.save(COUNTS_KIND, village.signature, part.counts)
    return part


def cached_part(village: model.Village, cache: BuildCache | None) -> Part | None:
    """The village's part as the cache holds it by the village's signature, if it does."""
    part = cache.load(PART_KIND, village.signature) if cache and village.signature else None
    return part if isinstance(part, Part) else None


def row_counts(
    county: model.County, cache: BuildCache | None = None, made: dict[str, Part] | None = None
) -> dict[str, int]:
    """The county's number of rows per table, without writing them (part_counts' figures):
    a village's from its part made already (by village URL), else as the cache holds them by
    its signature (kind "download-counts", stored with its part), else by counting its rows."""
    counts = dict.fromkeys((t.name for t in TABLES), 0)
    made = made or {}
    for town in county.towns:
        for village in town.villages:
            part = made.get(village.url)
            if part is not None:
                known: object = part.counts
            elif cache and village.signature:
                known = cache.load(COUNTS_KIND, village.signature)
            else:
                known = None
            if isinstance(known, tuple) and len(known) == len(TABLES):
                for table, count in zip(TABLES, known, strict=True):
                    counts[table.name] += count
                continue
            for name, rows in village_rows(town, village).items():
                counts[name] += len(rows)
    return counts


def part_counts(parts: list[Part]) -> dict[str, int]:
    """The county's number of rows per table."""
    return {t.name: sum(p.counts[i] for p in parts) for i, t in enumerate(TABLES)}


def folder_files(
    folder: str, name: str, title: str, site_url: str, parts: list[Part]
) -> Iterator[tuple[str, bytes]]:
    """Every file of a download folder, assembled from the parts of its villages (one for a
    village's folder), the .gz of each CSV and JSON of 512 bytes or more among them."""
    for i, table in enumerate(TABLES):
        head = csv_head(table)
        data = head + b"".join(p.csv[i] for p in parts)
        yield f"{folder}{table.name}.csv", data
        if len(data) >= MIN_BYTES:  # its .gz, joined from the parts' (see precompress_tree)
            pieces = [(p.csv[i], p.csv_packed[i]) for p in parts if p.csv[i]]
            yield f"{folder}{table.name}.csv.gz", gzip_joined([(head, deflated(head)), *pieces])
        doc = json_doc(table, (p.json[i] for p in parts))
        yield f"{folder}{table.name}.json", doc
        if len(doc) >= MIN_BYTES:
            start = ("[\n" + _json_head(table)).encode("utf-8")
            end = b"\n]\n"
            pieces = [(_json_piece(p.json[i]), p.json_packed[i]) for p in parts if p.json[i]]
            yield (
                f"{folder}{table.name}.json.gz",
                gzip_joined([(start, deflated(start)), *pieces, (end, deflated(end))]),
            )
    yield f"{folder}datapackage.json", datapackage(name, title, site_url)


COUNTY_FOLDER = f"{DOWNLOADS}/"  # and each village's, in its own folder (village_folder)


def village_folder(url: str) -> str:
    """A village's download folder, for its folder's URL."""
    return f"{url}{COUNTY_FOLDER}"


def folder_paths(folder: str) -> set[str]:
    """Every path folder_files may write in a download folder, and their compressed copies
    (a .gz only where its file is large enough; datapackage.json's is precompress_tree's)."""
    names = [f"{t.name}{kind}" for t in TABLES for kind in (".csv", ".json")] + ["datapackage.json"]
    return {f"{folder}{name}{copy}" for name in names for copy in ("", ".gz")}


def county_downloads(
    county: model.County, cache: BuildCache | None, made: dict[str, Part] | None = None
) -> dict[str, bytes]:
    """The county's download folder (COUNTY_FOLDER), joined from every village's part (made
    already, cached or made now): {site path: bytes}, the .gz copies it has among them."""
    parts = county_parts(county, cache, made)
    title = f"{county.name}三务公开数据"
    return dict(folder_files(COUNTY_FOLDER, county.code, title, county.site_url, parts))
