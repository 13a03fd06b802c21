"""Open data (builder/publish/opendata.py): each download round-trips against its published
Table Schema, read by frictionless-py as any data user would; CSV never runs as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import pytest
from frictionless import Package
from hypothesis import example as case
from hypothesis import given, settings
from hypothesis import strategies as st

from builder import model
from builder.format import opendata
from builder.pipeline.validate import validate
from builder.publish.render import Renderer

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "content"  # the published schemas, at their site paths under content/


def render(villages: Path, base: Path) -> tuple[model.County, dict[str, bytes]]:
    result = validate(villages, base, today=dt.date(2026, 11, 22))
    assert result.county is not None
    return result.county, Renderer(result.county).render().files


def package(files: dict[str, bytes], folder: str, site_url: str, tmp: Path) -> Package:
    """A download folder written out, its schemas read from the published files by URL."""
    out = tmp / (folder or "root")
    out.mkdir(parents=True)
    for path, data in files.items():
        if path.startswith(folder) and "/" not in path.removeprefix(folder):
            (out / path.removeprefix(folder)).write_bytes(data)
    desc = json.loads((out / "datapackage.json").read_text("utf-8"))
    for r in desc["resources"]:
        url = r["schema"]
        assert url.startswith(site_url + "schema/data/v" + opendata.VERSION + "/")
        r["schema"] = json.loads((SCHEMAS / url.removeprefix(site_url)).read_text("utf-8"))
    return Package.from_descriptor(desc, basepath=str(out))


@pytest.fixture(scope="module")
def example() -> tuple[model.County, dict[str, bytes]]:
    return render(ROOT / "villages", ROOT)


def test_every_download_round_trips_against_its_schema(
    example: tuple[model.County, dict[str, bytes]], tmp_path: Path
) -> None:
    county, files = example
    village = county.towns[1].villages[0]
    for folder in ("data/", f"{village.url}data/"):
        pkg = package(files, folder, county.site_url, tmp_path)
        report = pkg.validate()
        assert report.valid, report.flatten(["resource", "rowNumber", "fieldName", "note"])[:5]
        assert [r.name for r in pkg.resources] == [
            n for t in opendata.TABLES for n in (t.name, t.name + "-json")
        ]
        for table in opendata.TABLES:
            from_csv = [r.to_list() for r in pkg.get_resource(table.name).read_rows()]
            from_json = [r.to_list() for r in pkg.get_resource(table.name + "-json").read_rows()]
            assert from_csv == from_json, table.name
    # the county's ledger is every village's ledger.csv, row for row
    written = sum(
        len(list(csv.DictReader(p.read_text("utf-8").splitlines())))
        for p in ROOT.glob("villages/*/*/*/ledger.csv")
    )
    ledger = [r for r in pkg_rows(files, "data/ledger.csv")]
    assert len(ledger) == written
    assert sum(Decimal(r["expense"] or 0) for r in ledger) == sum(
        p.expense for v in county.villages() for p in v.periods
    )


def pkg_rows(files: dict[str, bytes], path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(files[path].decode("utf-8-sig").splitlines()))


def test_names_are_masked_as_on_the_site(example: tuple[model.County, dict[str, bytes]]) -> None:
    county, files = example
    assert county.names_online == "masked"
    names = {
        row["name"]
        for p in ROOT.glob("villages/*/*/*/assistance.csv")
        for row in csv.DictReader(p.read_text("utf-8").splitlines())
    }
    assert names
    shown = {r["name"] for r in pkg_rows(files, "data/assistance.csv")}
    assert shown == {model.mask_name(n) for n in names}
    for path, data in files.items():
        if path.endswith((".csv", ".json")):
            text = data.decode("utf-8-sig")
            assert not [n for n in names if n in text], path


Edit = Callable[[str, str, str], Path]


def test_formula_cells_are_inert_in_csv_and_as_written_in_json(
    project: Path, edit: Edit, tmp_path: Path
) -> None:
    ledger = "chengguan/dongshan/2026-10/ledger.csv"
    edit(ledger, "支付村道硬化工程尾款", "=HYPERLINK(1)")
    edit(ledger, "临沂市宏达路桥公司", "@SUM(A1)")
    edit(ledger, "代发低保金", "-2+3")
    county, files = render(project / "villages", project)
    rows = pkg_rows(files, "chengguan/dongshan/data/ledger.csv")
    assert {"'=HYPERLINK(1)", "'-2+3"} <= {r["summary"] for r in rows}
    assert "'@SUM(A1)" in {r["counterparty"] for r in rows}
    table = json.loads(files["chengguan/dongshan/data/ledger.json"])
    at = table[0].index("summary")
    assert {"=HYPERLINK(1)", "-2+3"} <= {r[at] for r in table[1:]}
    # negative numbers are numbers, not text: they stay as they are
    assert opendata.inert("\tx") == "'\tx" and opendata.inert("+1") == "'+1"
    assert opendata.inert("记-001") == "记-001"
    pkg = package(files, "chengguan/dongshan/data/", county.site_url, tmp_path)
    assert pkg.validate().valid


# cells as a clerk may write them: every character csv quotes for, every formula start
_CELL = st.text(alphabet=st.sampled_from(list('a记1.,"\n\r\t =+-@')), max_size=5)


@settings(max_examples=300, deadline=None)
@case(table=opendata.TABLES[0], seed=[['=1,2"'] + ["x"] * 19])  # the first cell, quoted
@case(table=opendata.TABLES[0], seed=[["x", "\rx"] + ["x"] * 18])  # \r: quoted
@given(
    table=st.sampled_from(opendata.TABLES),
    seed=st.lists(st.lists(_CELL, min_size=20, max_size=20), max_size=4),
)
def test_csv_text_cells_are_inert_wherever_they_start(
    table: opendata.Table, seed: list[list[str]]
) -> None:
    """csv_body asks the written lines at once whether a cell may start like a formula: never
    wrong against making each text cell inert one by one."""
    from builder.publish import opendata as publish

    width = len(table.columns)
    cells = [row[:width] + [""] * (width - len(row)) for row in seed]
    text = {i for i, c in enumerate(table.columns) if c.type == "string"}
    one_by_one = [
        [opendata.inert(v) if i in text else v for i, v in enumerate(row)] for row in cells
    ]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(one_by_one)
    assert publish.csv_body(table, cells) == expected.getvalue().encode("utf-8")


def test_published_table_schemas_are_current() -> None:
    for table in opendata.TABLES:
        path = SCHEMAS / table.schema_path
        assert json.loads(path.read_text("utf-8")) == opendata.table_schema(table), (
            "run: sunlight schema"
        )


def test_the_county_files_joined_from_cached_parts_are_the_bytes_made_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each village's part is kept by its signature: a warm build reads every part from the
    cache, a changed village's part is made again, and the county's files are always the bytes
    of writing every row at once."""
    from conftest import make_project

    from builder.pipeline.cache import BuildCache
    from builder.publish import opendata as publish

    project = make_project(tmp_path / "project", ROOT / "villages")
    cache = BuildCache(tmp_path / ".build" / "cache")

    def county() -> model.County:
        result = validate(project / "villages", project, today=dt.date(2026, 11, 22))
        assert result.county is not None
        return result.county

    def from_nothing(c: model.County) -> dict[str, bytes]:
        villages = [(town, v) for town in c.towns for v in town.villages]
        return written_at_once("data/", c.code, c.site_url, villages)

    def plain(files: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
        """The files but their .gz (joined from the parts: they decompress to these bytes)."""
        out = dict(files)
        for path in [p for p in out if p.endswith(".gz")]:
            assert gzip.decompress(out.pop(path)) == out[path.removesuffix(".gz")]
        return out

    def assembled(c: model.County) -> dict[str, bytes]:
        parts = publish.county_parts(c, cache)
        rows = {t.name: 0 for t in opendata.TABLES}
        for town in c.towns:
            for v in town.villages:
                for name, some in publish.village_rows(town, v).items():
                    rows[name] += len(some)
        assert publish.part_counts(parts) == rows
        # what a shard counts: from the parts it made, the cached parts or the rows
        some = {v.url: part for v, part in zip(c.villages(), parts, strict=True)}
        some.pop(next(iter(c.villages())).url)  # one village not made here: counted from rows
        assert publish.row_counts(c, cache) == publish.row_counts(c) == publish.part_counts(parts)
        assert publish.row_counts(c, None, some) == publish.part_counts(parts)
        return plain(publish.folder_files("data/", c.code, "t", c.site_url, parts))

    made: list[str] = []
    real = publish.village_part

    def counted(town: model.Town, village: model.Village) -> publish.Part:
        made.append(village.slug)
        return real(town, village)

    monkeypatch.setattr(publish, "village_part", counted)
    first = county()
    cold = assembled(first)
    assert len(made) == len(list(first.villages())) > 1
    assert (
        cold
        == from_nothing(first)
        == plain(
            publish.folder_files(
                "data/", first.code, "t", first.site_url, publish.county_parts(first)
            )
        )
    )
    made.clear()
    assert assembled(county()) == cold and made == []  # every part from the cache

    ledger = project / "villages/chengguan/dongshan/2026-03/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace("保洁员公益岗位补贴", "=保洁员补贴", 1),
        encoding="utf-8",
    )
    second = county()
    warm = assembled(second)
    assert made == ["dongshan"]  # only the changed village is written again
    assert warm == from_nothing(second) != cold
    assert "3月份=保洁员补贴" in warm["data/ledger.csv"].decode("utf-8-sig")


def written_at_once(
    folder: str, name: str, site_url: str, villages: list[tuple[model.Town, model.Village]]
) -> dict[str, bytes]:
    """A download folder as the format describes it, written from all its rows at once."""
    from builder.publish import opendata as publish

    rows: publish.Rows = {t.name: [] for t in opendata.TABLES}
    for town, village in villages:
        for kind, some in publish.village_rows(town, village).items():
            rows[kind].extend(some)
    out = {}
    for table in opendata.TABLES:
        cells = publish.cells(table, rows[table.name])
        out[f"{folder}{table.name}.csv"] = publish.csv_head(table) + publish.csv_body(table, cells)
        out[f"{folder}{table.name}.json"] = publish.json_doc(
            table, [publish.json_rows(table, cells)]
        )
    out[f"{folder}datapackage.json"] = publish.datapackage(name, "t", site_url)
    return out


def test_a_village_s_folder_is_its_part_and_the_bytes_of_its_rows_at_once(
    example: tuple[model.County, dict[str, bytes]],
) -> None:
    """A village's download folder comes from the part the county's files join: the same
    bytes as writing its rows at once, and each .gz (joined from the part's deflated pieces)
    reads back as its file."""
    county, files = example
    for town in county.towns:
        for village in town.villages:
            folder = f"{village.url}data/"
            mine = {p: d for p, d in files.items() if p.startswith(folder) and p.count("/") == 3}
            packed = {p: mine.pop(p) for p in [p for p in mine if p.endswith(".gz")]}
            want = written_at_once(folder, village.code, county.site_url, [(town, village)])
            title = f"{town.name}{village.name}三务公开数据"
            want[f"{folder}datapackage.json"] = files[f"{folder}datapackage.json"]
            assert b'"title": "' + title.encode() + b'"' in want[f"{folder}datapackage.json"]
            assert mine == want
            assert packed and all(gzip.decompress(packed[p]) == mine[p[:-3]] for p in packed)


def test_folder_paths_name_every_file_a_download_folder_holds(
    example: tuple[model.County, dict[str, bytes]],
) -> None:
    """folder_paths (what the build keeps a hand-written file from) names every file of the
    county's and each village's download folder, and nothing outside it."""
    from builder.publish.opendata import folder_paths

    county, files = example
    for folder in ["data/", *(f"{v.url}data/" for v in county.villages())]:
        made = {p for p in files if p.startswith(folder) and "/" not in p[len(folder) :]}
        named = folder_paths(folder)
        assert made and made <= named, made - named
        assert all(p.startswith(folder) and "/" not in p[len(folder) :] for p in named)


def test_the_county_files_gzip_is_joined_from_the_parts_and_reads_back(
    example: tuple[model.County, dict[str, bytes]],
) -> None:
    from builder.publish.compress import MIN_BYTES

    _, files = example
    big = [p for p, data in files.items() if p.startswith("data/") and len(data) >= MIN_BYTES]
    packed = [p for p in big if p.endswith((".csv", ".json")) and p + ".gz" in files]
    assert len(packed) >= 10  # every table's CSV and JSON that has rows
    for path in packed:
        assert gzip.decompress(files[path + ".gz"]) == files[path], path
    small = [p for p in files if p.startswith("data/") and len(files[p]) < MIN_BYTES]
    assert small and not any(p + ".gz" in files for p in small)
