"""contracts.csv, decisions.yml and topics.yml: each check by a small bad edit of the good records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from builder.pipeline.validate import validate

DV = "villages/chengguan/dongshan"
Edit = Callable[[str, str, str], Path]

C = "chengguan/dongshan/contracts.csv"
D = "chengguan/dongshan/decisions.yml"
T = "chengguan/dongshan/topics.yml"

# (file under villages/, old text, new text, expected problem)
CASES = [
    # contracts.csv
    (C, "HT2024-03,发包", "HT2026-01,发包", (f"{DV}/contracts.csv", 3, "id", "duplicate-id")),
    (C, "HT2024-03,发包", "HT2024-03,转包", (f"{DV}/contracts.csv", 3, "type", "invalid-choice")),
    (
        C,
        "2024-08-01,2029-07-31",
        "2024-08-01,2024-07-31",
        (f"{DV}/contracts.csv", 3, "end", "date-order"),
    ),
    (
        C,
        "竞价拍卖,村级简易招标",
        "竞价拍卖,村委会",
        (f"{DV}/contracts.csv", 3, "platform", "invalid-choice"),
    ),
    (
        C,
        "2024-08-31:2400;",
        "2024-08-31 2400;",
        (f"{DV}/contracts.csv", 3, "schedule", "invalid-schedule"),
    ),
    (
        C,
        "2024-08-31:2400;",
        "2024-08-31:2400.001;",
        (f"{DV}/contracts.csv", 3, "schedule", "invalid-schedule"),
    ),
    (
        C,
        "2028-08-31:2400",
        "2028-08-31:2401",
        (f"{DV}/contracts.csv", 3, "schedule", "schedule-over-amount"),
    ),
    (
        C,
        "11000,JY2026-01",
        "11000,JY2026-09",
        (f"{DV}/contracts.csv", 2, "decision_id", "invalid-reference"),
    ),
    (C, "amount,start", "amount,begin", (f"{DV}/contracts.csv", 1, None, "unknown-column")),
    (
        "chengguan/dongshan/2026-09/ledger.csv",
        "张建国,HT2026-01",
        "张建国,HT2026-02",
        (f"{DV}/2026-09/ledger.csv", 3, "contract_id", "invalid-reference"),
    ),
    # decisions.yml
    (
        D,
        "{step: 决议公开, date: 2026-07-13}",
        "{step: 决议公开, date: 2026-07-13}\n      - {step: 决议公开, date: 2026-07-14}",
        (f"{DV}/decisions.yml", 12, "decisions.steps.step", "duplicate-step"),
    ),
    (
        D,
        "{step: 决议公开, date: 2026-07-13}",
        "{step: 村民会议决议, date: 2026-07-13}",
        (f"{DV}/decisions.yml", 11, "decisions.steps.step", "duplicate-step"),
    ),
    (
        D,
        "{step: 决议公开,",
        "{step: 决议公示,",
        (f"{DV}/decisions.yml", 11, "decisions.steps.step", "invalid-choice"),
    ),
    (
        D,
        "due: 32, attended: 28",
        "due: 32, attended: 33",
        (f"{DV}/decisions.yml", 9, "decisions.steps.attended", "attendance-count"),
    ),
    (
        D,
        "attended: 26, agreed: 24",
        "attended: 26, agreed: 27",
        (f"{DV}/decisions.yml", 10, "decisions.steps.agreed", "attendance-count"),
    ),
    (
        D,
        "date: 2026-07-02",
        "date: 2026-7-2",
        (f"{DV}/decisions.yml", 7, "decisions.steps.date", "invalid-date"),
    ),
    (
        D,
        "    steps:\n",
        "    merged: yes\n    steps:\n",
        (f"{DV}/decisions.yml", 6, "decisions.merged", "invalid-choice"),
    ),
    (
        D,
        "  - id: JY2026-01\n",
        "  - id: JY2026-01\n    seal: true\n",
        (f"{DV}/decisions.yml", 3, "decisions.seal", "unknown-field"),
    ),
    # topics.yml
    (
        T,
        "answered_at: 2026-10-15",
        "answered_at: 2026-10-08",
        (f"{DV}/topics.yml", 6, "topics.answered_at", "date-order"),
    ),
    (
        T,
        "    answer: 合同价31000元，分三次付清，明细见2026年8月至10月的收支明细。\n",
        "",
        (f"{DV}/topics.yml", 2, "topics.answer", "missing-field"),
    ),
    (
        T,
        "period: 2026-10",
        "period: 2026-11",
        (f"{DV}/topics.yml", 8, "topics.period", "invalid-reference"),
    ),
    (
        T,
        "ref: HT2026-01",
        "ref: HT2030-01",
        (f"{DV}/topics.yml", 9, "topics.ref", "invalid-reference"),
    ),
    (
        T,
        "question: 村道硬化工程一共花了多少钱？",
        "question: 村道硬化工程一共花了多少钱？\n  - id: DT2026-01\n    asked_at: 2026-10-10\n    question: 再问一次",
        (f"{DV}/topics.yml", 6, "topics.id", "duplicate-id"),
    ),
]


@pytest.mark.parametrize(
    ("rel", "old", "new", "expected"), CASES, ids=[f"{c[3][3]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_register_edit_is_reported(
    project: Path, edit: Edit, rel: str, old: str, new: str, expected: tuple[object, ...]
) -> None:
    edit(rel, old, new)
    result = validate(project / "villages", project)
    assert expected in result.report.rows("path", "line", "field", "code")
    assert result.county is None


TWINS = [
    (C, "2024-08-31:2400;2025-08-31:2400", "2024-08-31：2400；2025-08-31:2400.00"),  # full width
    (C, "11000,JY2026-01", "11000,"),  # a contract below the threshold needs no decision
    (D, "result: 通过", "result: 通过, note: 镇包村干部列席"),
    (D, "    steps:\n", "    merged: false\n    steps:\n"),
    (T, "    period: 2026-10\n    ref: HT2026-01\n", ""),  # period and ref are optional
    (T, "ref: HT2026-01", "ref: JY2026-01"),  # a decision is a record too
    (
        T,
        "    answered_at: 2026-10-15\n    answer: 合同价31000元，分三次付清，明细见2026年8月至10月的收支明细。\n"
        "    period: 2026-10\n",
        "",
    ),  # an open topic
]


@pytest.mark.parametrize(("rel", "old", "new"), TWINS)
def test_good_register_twin_is_not_reported(
    project: Path, edit: Edit, rel: str, old: str, new: str
) -> None:
    edit(rel, old, new)
    result = validate(project / "villages", project, today=dt.date(2026, 10, 20))
    assert result.report.rows("path", "line", "field", "code") == []


def test_registers_enter_the_model(project: Path) -> None:
    county = validate(project / "villages", project).county
    assert county is not None
    dongshan = next(v for v in county.villages() if v.slug == "dongshan")
    road, lease = dongshan.contracts
    assert (road.id, road.amount, road.decision_id, road.is_income) == (
        "HT2026-01",
        Decimal("31000.00"),
        "JY2026-01",
        False,
    )
    assert [s.due.isoformat() for s in lease.schedule][:2] == ["2024-08-31", "2025-08-31"]
    assert dongshan.contract_totals["HT2026-01"] == (Decimal(0), Decimal("31000.00"))
    assert [p for p, _ in dongshan.contract_rows["HT2026-01"]] == ["2026-08", "2026-09", "2026-10"]
    (decision,) = dongshan.decisions
    assert [s.index for s in decision.steps] == [1, 2, 3, 4, 5, 6] and decision.passed
    assert dongshan.contracts_of("JY2026-01") == (road,)
    (topic,) = dongshan.topics
    assert (topic.period, topic.ref, topic.asker) == ("2026-10", "HT2026-01", "第三村民小组村民")


def test_personal_data_in_a_register_is_an_error(project: Path, edit: Edit) -> None:
    edit(T, "asker: 第三村民小组村民", "asker: 村民 13812345678")
    rows = validate(project / "villages", project).report.rows("path", "line", "field", "code")
    assert (f"{DV}/topics.yml", 4, "topics.asker", "mobile-number") in rows


def test_a_tender_band_without_upper_bound_is_read(project: Path) -> None:
    county = validate(project / "villages", project).county
    assert county is not None
    assert county.parameters.tender_bands[-1] == (Decimal(200000), None, "县农村产权交易中心")
