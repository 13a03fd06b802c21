"""The 修订记录 page on a phone: a revision's changes grouped by period, a big group folded
behind a one-line summary, every change still on the page word for word."""

from __future__ import annotations

from builder.audit.diff import Change
from builder.publish.audit_pages import OPEN_GROUP, change_groups


def ledger(period: str, line: int, old: str, new: str) -> Change:
    return Change(
        "371302001001",
        "东山村",
        "chengguan/dongshan",
        period,
        "ledger",
        "changed",
        "expense",
        "支出",
        old,
        new,
        line,
        line,
    )


def test_a_big_revision_folds_by_period_and_keeps_every_change() -> None:
    changes = tuple(ledger("2026-10", n, "1.00", f"{n}.00") for n in range(2, 40))
    changes += (ledger("2026-09", 3, "120.00", "12.00"),)
    changes += (
        Change(
            "371302001001", "东山村", "chengguan/dongshan", "", "contracts", "added", item="GC1"
        ),
    )
    groups = change_groups(changes, "东山村")
    assert [g.period for g in groups] == ["2026-10", "2026-09", ""]
    big, small, registers = groups
    assert big.folded and not small.folded and not registers.folded
    assert big.summary == "2026-10：38 处改动（收支明细 38）"
    assert big.items[0] == "收支明细第2行 支出 1.00 → 2.00"  # the month is said once, above
    assert small.texts == ("2026-09 收支明细第3行 支出 120.00 → 12.00",)
    assert registers.texts == ("合同登记 新增“GC1”",)
    # nothing lost: every change, in its group, word for word (the village's name off)
    shown = [t for g in groups for t in g.texts]
    assert sorted(shown) == sorted(c.text.removeprefix("东山村 ") for c in changes)
    assert len(change_groups(changes[:OPEN_GROUP], "东山村")) == 1
    assert not change_groups(changes[:OPEN_GROUP], "东山村")[0].folded
