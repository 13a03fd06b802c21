"""Clocks that move: `sunlight build` judges as of the day it runs (or --today), so a daily
rebuild moves "as of" dates and lateness on without a commit; one day always gives one site.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from builder.audit.snapshot import china_today
from builder.cli import cli


def build(*args: str) -> dict[str, str]:
    result = CliRunner().invoke(cli, ["build", *args])
    assert result.exit_code == 0, result.output
    site = Path("site").resolve()
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def page(path: str) -> str:
    return Path("site", path).read_text("utf-8")


def test_the_build_date_moves_the_clocks_and_one_date_gives_one_site(in_project: Path) -> None:
    first = build("--today", "2026-12-10")
    assert "截至 2026-12-10" in page("index.html") and "截至 2026-12-10" in page(
        "status/index.html"
    )
    # November is due on 12-15: not late on the 10th, missing on the 20th
    assert "R1 " not in page("chengguan/dongshan/index.html")
    later = build("--today", "2026-12-20")
    assert "截至 2026-12-20" in page("ontime/index.html")
    assert "2026-11 共 1 期财务公开" in page("chengguan/dongshan/index.html")
    assert later != first
    assert build("--today", "2026-12-10") == first
    build()  # no date: today in China
    assert f"截至 {china_today().isoformat()}" in page("index.html")


def test_the_example_county_publishes_whatever_the_day() -> None:
    """`make site` builds as of the day it runs: as the days pass with no new record, the
    example county's lateness grows (R1, R33, R34, R35 warnings) but never reaches an error that
    would stop the daily rebuild; and the records of today give the same flags twice."""
    import datetime as dt

    from builder.pipeline.validate import validate
    from builder.rules import village_flags

    root = Path(__file__).resolve().parent.parent
    result = validate(root / "villages", root)
    assert result.county is not None
    towns = result.county.towns
    day, counts = dt.date(2026, 12, 1), []
    while day <= dt.date(2028, 12, 31):
        flags = [f for t in towns for v in t.villages for f in village_flags(t, v, day)]
        assert [f for f in flags if f.severity == "error"] == [], day
        counts.append(len(flags))
        day += dt.timedelta(days=15)
    assert counts == sorted(counts) and counts[-1] > counts[0]  # lateness only grows
    today = china_today()
    once = [f for t in towns for v in t.villages for f in village_flags(t, v, today)]
    assert once == [f for t in towns for v in t.villages for f in village_flags(t, v, today)]
    assert {"R1", "R33", "R35"} <= {
        f.rule for t in towns for v in t.villages for f in village_flags(t, v, dt.date(2027, 1, 20))
    }
