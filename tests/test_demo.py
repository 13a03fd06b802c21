"""The synthetic-county generator (tools/demo.py): deterministic, arithmetically sound, private,
in the FORMAT.md layout, and clean for `sunlight check`."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.pipeline.validate import validate
from tools.demo import GenerateStats, generate_county, main

LEDGER_COLUMNS = [
    "date",
    "voucher_no",
    "summary",
    "account_code",
    "income",
    "expense",
    "counterparty",
    "method",
    "receipt",
    "approver",
    "contract_id",
]
OPTIONAL_COLUMNS = {"bank_account", "cause", "changes", "accepted_at"}  # FORMAT.md v1.2
ASSISTANCE_COLUMNS = [
    "category",
    "name",
    "group",
    "household_size",
    "amount",
    "notice_start",
    "notice_end",
    "status",
]
CONTRACT_COLUMNS = [
    "id",
    "type",
    "object",
    "counterparty",
    "method",
    "platform",
    "amount",
    "start",
    "end",
    "schedule",
    "decision_id",
]
MONEY = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TWO_COMMITTEES = {
    "党支部书记",
    "党支部副书记",
    "党支部委员",
    "村委会主任",
    "村委会副主任",
    "村委会委员",
}
SUPERVISORS = {"村务监督委员会主任", "村务监督委员会委员"}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic county whose 14 months cross a year end."""
    out = tmp_path_factory.mktemp("small") / "villages"
    generate_county(out, towns=2, villages_per_town=3, months=14, end_period="2026-02", seed=7)
    return out


def digest(root: Path) -> str:
    """One hash over every path and every byte under root."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_file():
            h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def load_yaml(path: Path) -> Any:
    """YAML with every scalar kept as text, as the builder reads it."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def load_csv(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """A CSV file whose header is exactly columns, then any of the v1.2 optional columns."""
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), strict=True)
    header, *rows = list(reader)
    assert header[: len(columns)] == columns, path
    assert set(header[len(columns) :]) <= OPTIONAL_COLUMNS, path
    assert all(len(r) == len(header) for r in rows), path
    return [dict(zip(header, r, strict=True)) for r in rows]


@dataclass
class Village:
    """One generated village, parsed."""

    dir: Path
    profile: dict[str, Any]
    periods: list[tuple[str, dict[str, Any], list[dict[str, str]], list[dict[str, str]]]]

    @property
    def roles(self) -> dict[str, set[str]]:
        return {p["name"]: set(p["roles"]) for p in self.profile["people"]}


def villages(root: Path) -> Iterator[Village]:
    """Every village under a county folder, with its periods in order."""
    for vfile in sorted(root.glob("*/*/village.yml")):
        periods = []
        for pdir in sorted(p for p in vfile.parent.iterdir() if p.is_dir()):
            aid = pdir / "assistance.csv"
            periods.append(
                (
                    pdir.name,
                    load_yaml(pdir / "disclosure.yml"),
                    load_csv(pdir / "ledger.csv", LEDGER_COLUMNS),
                    load_csv(aid, ASSISTANCE_COLUMNS) if aid.exists() else [],
                )
            )
        yield Village(vfile.parent, load_yaml(vfile), periods)


def next_period(period: str) -> str:
    y, m = int(period[:4]), int(period[5:])
    return f"{y + 1}-01" if m == 12 else f"{y}-{m + 1:02d}"


# --- determinism ------------------------------------------------------------------------------
def test_generate_county_is_byte_identical_for_the_same_arguments(tmp_path: Path) -> None:
    args: dict[str, Any] = {"towns": 2, "villages_per_town": 2, "months": 5, "seed": 3}
    a = generate_county(tmp_path / "a", **args)
    b = generate_county(tmp_path / "b", **args)
    generate_county(tmp_path / "c", **{**args, "seed": 4})
    assert a == b
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_rewriting_clears_an_earlier_county_but_not_other_folders(tmp_path: Path) -> None:
    out = tmp_path / "villages"
    generate_county(out, towns=1, villages_per_town=3, months=2)
    generate_county(out, towns=1, villages_per_town=1, months=1)
    assert len(list(out.glob("*/*/village.yml"))) == 1
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError):
        generate_county(other, towns=1, villages_per_town=1, months=1)
    assert (other / "keep.txt").exists()


def test_stats_count_what_was_written(tmp_path: Path) -> None:
    stats = generate_county(tmp_path / "v", towns=2, villages_per_town=3, months=4)
    files = [p for p in (tmp_path / "v").rglob("*") if p.is_file()]
    rows = sum(len(r) for v in villages(tmp_path / "v") for _, _, r, _ in v.periods)
    assert stats == GenerateStats(villages=6, periods=24, ledger_rows=rows, files=len(files))
    assert all(15 <= len(r) <= 40 for v in villages(tmp_path / "v") for _, _, r, _ in v.periods)


@pytest.mark.parametrize("kwargs", [{"end_period": "2026-13"}, {"months": 0}, {"towns": 0}])
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"towns": 1, "villages_per_town": 1, "months": 2, **kwargs}
    with pytest.raises(ValueError):
        generate_county(tmp_path / "v", **args)


# --- arithmetic and sign-off -------------------------------------------------------------------
def check_books(root: Path) -> int:
    """Assert every rule the ledgers must keep; return how many rows were checked."""
    checked = 0
    for v in villages(root):
        roles = v.roles
        contracts = v.dir / "contracts.csv"
        contract_ids = (
            {r["id"] for r in load_csv(contracts, CONTRACT_COLUMNS)}
            if contracts.exists()
            else set()
        )
        previous: dict[str, Any] | None = None
        last_period = None
        for period, d, rows, aid in v.periods:
            assert PERIOD.fullmatch(period) and d["period"] == period
            if last_period is not None:
                assert period == next_period(last_period), "periods are consecutive"
            if previous is not None:
                assert d["opening"] == previous["closing"], f"{v.dir.name} {period} opening"
            cash, bank = Decimal(d["opening"]["cash"]), Decimal(d["opening"]["bank"])
            vouchers = []
            for row in rows:
                assert row["date"][:7] == period and DATE.fullmatch(row["date"])
                assert re.fullmatch(r"[0-9]{3}([0-9]{2})*", row["account_code"])
                assert (row["income"] == "") != (row["expense"] == ""), row
                amount = row["income"] or row["expense"]
                assert MONEY.fullmatch(amount) and Decimal(amount) > 0, row
                assert row["method"] in {"现金", "转账", "其他"}
                assert row["receipt"] in {"", "发票", "收据", "财政票据", "白条"}
                assert row["approver"] == "" or row["approver"] in roles
                assert row["contract_id"] == "" or row["contract_id"] in contract_ids
                sign = 1 if row["income"] else -1
                if row["method"] == "现金":
                    cash += sign * Decimal(amount)
                else:
                    bank += sign * Decimal(amount)
                assert cash >= 0 and bank >= 0, f"{v.dir.name} {period} {row['voucher_no']}"
                vouchers.append(row["voucher_no"])
            assert vouchers == [f"记-{i:03d}" for i in range(1, len(rows) + 1)]
            assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
            assert (Decimal(d["closing"]["cash"]), Decimal(d["closing"]["bank"])) == (cash, bank)
            assert MONEY.fullmatch(d["closing"]["cash"]) and MONEY.fullmatch(d["closing"]["bank"])
            assert "报账员" in roles[d["drafted_by"]]
            assert roles[d["reviewed_by"]] & SUPERVISORS
            after = next_period(period)
            assert d["reviewed_at"][:7] == after and d["published_at"][:7] == after
            assert d["reviewed_at"] <= d["published_at"] <= f"{after}-25"
            for key in ("village_affairs", "party_affairs"):
                for item in d.get(key, []):
                    assert item["date"][:7] == period and item["title"] and item["body"]
            for a in aid:
                assert a["category"] in {"低保", "特困", "临时救助", "危房改造"}
                assert re.fullmatch(r"第[一二三四五六七八九十]+村民小组", a["group"])
                assert a["name"] not in roles, "no official is listed for assistance"
                assert MONEY.fullmatch(a["amount"])
                start, end = (dt.date.fromisoformat(a[k]) for k in ("notice_start", "notice_end"))
                assert (end - start).days >= 7, a
            checked += len(rows)
            previous, last_period = d, period
    return checked


def test_synthetic_books_balance_and_carry_over(small: Path) -> None:
    assert check_books(small) > 1000


def test_unrealistic_mode_keeps_the_same_format_and_arithmetic(tmp_path: Path) -> None:
    generate_county(tmp_path / "v", towns=1, villages_per_town=2, months=13, realistic=False)
    assert check_books(tmp_path / "v") > 400
    assert not list((tmp_path / "v").rglob("assistance.csv"))


def test_synthetic_county_passes_the_validator(small: Path) -> None:
    result = validate(small, small.parent)
    assert [str(p) for p in result.report.problems] == []
    assert result.county is not None


def test_command_line_writes_a_county(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--villages", "2", "--months", "2", "--seed", "3", "--out", str(tmp_path / "v")])
    assert "Wrote 2 villages, 4 periods" in capsys.readouterr().out
    assert len(list((tmp_path / "v").glob("*/*/20??-??/ledger.csv"))) == 4


# --- privacy, text and layout -------------------------------------------------------------------
BAD_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}


def assert_private_plain_text(root: Path) -> None:
    """No BOM, CR, ID, bank or phone number, or invisible character in any file under root."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data, path
        text = data.decode("utf-8")
        assert text.endswith("\n")
        assert re.search(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", text) is None, path
        assert re.search(r"(?<![0-9])[0-9]{16,19}(?![0-9])", text) is None, path
        assert re.search(r"1[3-9][0-9]{9}", text) is None, path  # even inside longer runs
        assert re.search(r"[0-9]{13,}", text) is None, path
        bad = [c for c in text if c != "\n" and unicodedata.category(c) in BAD_CATEGORIES]
        assert not bad, (path, bad)


def assert_format_layout(root: Path) -> None:
    """Only the files and folders FORMAT.md names, where it names them."""
    for path in root.rglob("*"):
        assert not path.is_symlink()
        parts = path.relative_to(root).parts
        if path.is_file():
            allowed = {
                1: {"county.yml", "powers.yml"},
                2: {"town.yml", "powers.yml"},
                3: {
                    "village.yml",
                    "powers.yml",
                    "contracts.csv",
                    "decisions.yml",
                    "topics.yml",
                    "debts.csv",
                    "meetings.yml",
                },
                4: {"disclosure.yml", "ledger.csv", "assistance.csv"},
            }[len(parts)]
            assert parts[-1] in allowed, path
        else:
            assert len(parts) <= 3
            if len(parts) <= 2:
                assert SLUG.fullmatch(parts[-1]), path
                assert (path / ("town.yml" if len(parts) == 1 else "village.yml")).is_file()
            else:
                assert PERIOD.fullmatch(parts[-1]), path
                assert (path / "disclosure.yml").is_file() and (path / "ledger.csv").is_file()
    assert (root / "county.yml").is_file()


def test_no_personal_data_or_invisible_characters(small: Path) -> None:
    assert_private_plain_text(small)


def test_layout_has_only_format_files(small: Path) -> None:
    assert_format_layout(small)


def test_quoted_scalars_survive_a_typing_yaml_loader(small: Path) -> None:
    county = yaml.safe_load((small / "county.yml").read_text(encoding="utf-8"))
    assert county["code"] == "371398000000" and county["chart"] == "2023"
    assert county["contacts"][0]["phone"] == "12388"
    d = yaml.safe_load(next(small.glob("*/*/2026-02/disclosure.yml")).read_text("utf-8"))
    for value in (d["period"], d["reviewed_at"], d["opening"]["cash"], d["closing"]["bank"]):
        assert isinstance(value, str)
    v = yaml.safe_load(next(small.glob("*/*/village.yml")).read_text("utf-8"))
    assert isinstance(v["code"], str) and isinstance(v["channels"]["office_phone"], str)
