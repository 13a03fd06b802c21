"""The checks are functions of values: records in, problems out, with no file on disk.

Each case builds the typed records a clerk's files would give (`read.records.Rec`) and asserts
the problems as (path, line, field, code), with a good twin that must give none.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from builder.check.context import VillageContext
from builder.check.ids import repeats
from builder.check.village import check_period, check_village
from builder.format import problems
from builder.format.parameters import Parameters
from builder.format.problems import Location, Problem
from builder.read.records import Rec, Table
from builder.read.village import PeriodRecords, VillageRecords

DIR = "villages/chengguan/dongshan"
CONTEXT = VillageContext("2023", "masked", Parameters(), {}, frozenset())
PEOPLE = {"王丽": ("村委会主任",), "李秀英": ("村务监督委员会主任",)}
SUPERVISORS = {"李秀英"}


def rec(line: int, invalid: tuple[str, ...] = (), **values: Any) -> Rec:
    """A typed record whose keys all sit on line (as a CSV row's do)."""
    return Rec(line, dict(values), {k: line for k in [*values, *invalid]}, set(invalid))


def row(line: int, voucher: str, day: int, *, income: str = "", expense: str = "") -> Rec:
    money = {"income": Decimal(income)} if income else {"expense": Decimal(expense)}
    return rec(
        line,
        date=dt.date(2026, 10, day),
        voucher_no=voucher,
        summary="保洁员工资",
        account_code="513",
        **money,
    )


def disclosure(opening: tuple[str, str], closing: tuple[str, str], **extra: Any) -> Rec:
    values = {
        "period": "2026-10",
        "opening": rec(2, cash=Decimal(opening[0]), bank=Decimal(opening[1])),
        "closing": rec(3, cash=Decimal(closing[0]), bank=Decimal(closing[1])),
        "drafted_by": "王丽",
        "reviewed_by": "李秀英",
        "reviewed_at": dt.date(2026, 11, 3),
        "published_at": dt.date(2026, 11, 5),
        **extra,
    }
    return Rec(1, values, {k: i + 1 for i, k in enumerate(values)})


def period(d: Rec, rows: list[Rec], name: str = "2026-10", read_ok: bool = True) -> PeriodRecords:
    folder = f"{DIR}/{name}"
    return PeriodRecords(name, folder, d, Table(f"{folder}/ledger.csv", tuple(rows), read_ok), None)


def places(found: list[Problem]) -> list[tuple[str, int | None, str | None, str]]:
    return sorted((p.where.path, p.where.line, p.field, p.code) for p in found)


def test_a_balanced_month_has_no_problem() -> None:
    month = period(
        disclosure(("100.00", "1000.00"), ("100.00", "1800.00")),
        [
            row(2, "记-001", 5, income="1000.00"),
            row(3, "记-002", 6, expense="200.00"),
        ],
    )
    assert check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None) == []


def test_closing_balance_must_add_up() -> None:
    month = period(
        disclosure(("100.00", "1000.00"), ("100.00", "1900.00")),
        [
            row(2, "记-001", 5, income="1000.00"),
            row(3, "记-002", 6, expense="200.00"),
        ],
    )
    assert places(check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None)) == [
        (f"{DIR}/2026-10/disclosure.yml", 3, "closing", "balance-mismatch"),
    ]


def test_a_ledger_that_did_not_read_cleanly_is_not_added_up() -> None:
    """A bad amount was reported while reading; a balance problem would only repeat it."""
    month = period(
        disclosure(("100.00", "1000.00"), ("100.00", "1900.00")),
        [row(2, "记-001", 5, income="1000.00")],
        read_ok=False,
    )
    assert check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None) == []


def test_repeated_voucher_and_date_outside_the_month() -> None:
    month = period(
        disclosure(("0.00", "0.00"), ("0.00", "0.00")),
        [
            row(2, "记-001", 5, income="10.00"),
            rec(
                3,
                date=dt.date(2026, 11, 1),
                voucher_no="记-001",
                summary="x",
                account_code="513",
                expense=Decimal("10.00"),
            ),
        ],
    )
    assert places(check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None)) == [
        (f"{DIR}/2026-10/ledger.csv", 3, "date", "date-outside-period"),
        (f"{DIR}/2026-10/ledger.csv", 3, "voucher_no", "duplicate-voucher"),
    ]


def test_an_invalid_amount_is_not_also_called_missing() -> None:
    """The value was written (and reported while reading): "one of income or expense" would
    tell the clerk something false."""
    bad = rec(
        2,
        ("expense",),
        date=dt.date(2026, 10, 5),
        voucher_no="记-001",
        summary="x",
        account_code="513",
    )
    empty = rec(3, date=dt.date(2026, 10, 6), voucher_no="记-002", summary="x", account_code="513")
    month = period(disclosure(("0.00", "0.00"), ("0.00", "0.00")), [bad, empty])
    assert places(check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None)) == [
        (f"{DIR}/2026-10/ledger.csv", 3, "income", "income-or-expense"),
    ]


def test_a_month_opens_with_the_last_months_closing() -> None:
    october = period(disclosure(("0.00", "0.00"), ("50.00", "950.00")), [])
    november = period(
        disclosure(("50.00", "900.00"), ("50.00", "900.00"), period="2026-11"), [], "2026-11"
    )
    assert places(check_period(november, CONTEXT, PEOPLE, SUPERVISORS, october)) == [
        (f"{DIR}/2026-11/disclosure.yml", 2, "opening.bank", "opening-mismatch"),
    ]


def test_the_reviewer_must_be_a_supervisor() -> None:
    month = period(disclosure(("0.00", "0.00"), ("0.00", "0.00"), reviewed_by="王丽"), [])
    assert places(check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None)) == [
        (f"{DIR}/2026-10/disclosure.yml", 5, "reviewed_by", "reviewer-not-supervisor"),
    ]


def test_a_village_reports_what_reading_found_and_nothing_twice() -> None:
    read_problem = problems.EMPTY_FILE.at(Location(f"{DIR}/powers.yml", 1), None)
    records = VillageRecords(
        town="chengguan",
        slug="dongshan",
        dir_rel=DIR,
        village=Rec(
            1,
            {
                "name": "东山村",
                "people": [
                    rec(5, name="王丽", roles=["村委会主任"]),
                    rec(7, name="王丽", roles=["村委会委员"]),
                ],
            },
            {"name": 1, "people": 4},
        ),
        powers=None,
        periods=(),
        contracts=None,
        decisions=None,
        topics=None,
        texts=(),
        problems=(read_problem,),
    )
    found = check_village(records, CONTEXT)
    assert found[0] is read_problem
    assert places(found[1:]) == [(f"{DIR}/village.yml", 7, "people.name", "duplicate-person")]


def test_repeats_names_every_later_copy_with_the_first_line() -> None:
    assert list(repeats([("a", 1), ("b", 2), (None, 3), ("a", 4), ("a", 5)])) == [
        ("a", 4, 1),
        ("a", 5, 1),
    ]


@pytest.mark.parametrize(
    "hidden", ["王\u200d丽", "王\u2060丽", "王\u3164丽", "王 丽", "王\ufe0f丽"]
)
def test_an_invisible_character_does_not_dodge_the_supervisor_check(hidden: str) -> None:
    month = period(disclosure(("0.00", "0.00"), ("0.00", "0.00"), reviewed_by=hidden), [])
    assert places(check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None)) == [
        (f"{DIR}/2026-10/disclosure.yml", 5, "reviewed_by", "reviewer-not-supervisor"),
    ]


def test_a_supervisor_written_with_spaces_is_still_the_supervisor() -> None:
    month = period(disclosure(("0.00", "0.00"), ("0.00", "0.00"), reviewed_by="李 秀英"), [])
    assert places(check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None)) == []


def test_no_roster_means_no_unknown_person_on_every_page() -> None:
    """When village.yml could not be read, its own problem says so; names are not judged."""
    month = period(
        disclosure(("0.00", "0.00"), ("0.00", "0.00"), drafted_by="张建国", reviewed_by="某人"),
        [
            rec(
                2,
                date=dt.date(2026, 10, 5),
                voucher_no="记-001",
                summary="x",
                account_code="513",
                expense=Decimal("1.00"),
                approver="谁",
            )
        ],
    )
    assert [p.code for p in check_period(month, CONTEXT, None, set(), None)] == ["balance-mismatch"]
    # with a roster, the three names are unknown (and the ledger is not added up)
    assert [p.code for p in check_period(month, CONTEXT, PEOPLE, SUPERVISORS, None)] == [
        "unknown-person"
    ] * 3


def test_a_report_orders_problems_at_one_place_by_what_they_say() -> None:
    """Problems are gathered in sets, whose order changes from run to run: two problems of one
    kind at one file, line and field still come out in one order, whatever order they came in
    (and so the same ones are folded past a file's first five)."""
    where = Location("villages/chengguan/dongshan/2026-10/ledger.csv", 4)
    made = [
        problems.DUPLICATE_KEY.at(where, "voucher_no", key=key, other_line=str(line))
        for key, line in (("记-03", 2), ("记-01", 3), ("记-02", 2))
    ]
    orders = {tuple(problems.Report(list(p)).sorted()) for p in itertools.permutations(made)}
    assert len(orders) == 1
    assert [dict(p.values)["key"] for p in orders.pop()] == ["记-01", "记-02", "记-03"]
