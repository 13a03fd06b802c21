"""The audit trail: fingerprints, semantic diffs, no silent edits, the publication log, paper
that matches the web — in real git repositories built from tests/data/good."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import itertools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from builder import model
from builder.audit import log
from builder.audit.fingerprint import (
    canonical,
    display,
    fingerprint,
    fingerprint_of,
    fingerprint_v1,
    known_fingerprints,
    normalize,
    short,
    versions,
)
from builder.cli import cli
from builder.pipeline.validate import validate
from builder.publish.build import build_site
from builder.read.convert import convert_to_utf8

try:
    from browser import browser_missing, chromium, phone_page, serve_directory
    from conftest import GOOD, make_project
except ImportError:  # tests/ became a package
    from tests.browser import (  # type: ignore[no-redef]
        browser_missing,
        chromium,
        phone_page,
        serve_directory,
    )
    from tests.conftest import GOOD, make_project  # type: ignore[no-redef]

DONGSHAN = "villages/chengguan/dongshan"
OCT = f"{DONGSHAN}/2026-10"
SITE_URL = "https://example.org/shifan/"


# --- known-answer vectors ------------------------------------------------------------------------
def _village(names_online: str = "masked") -> model.Village:
    return model.Village(
        slug="dongshan",
        town_slug="chengguan",
        name="东山村",
        code="371322101201",
        kind="行政村",
        households=None,
        population=None,
        people=(),
        channels=model.Channels(),
        power_list=model.PowerList(),
        periods=(),
        names_online=names_online,
    )


D = Decimal
V1 = model.Period(
    period="2026-10",
    opening=model.Balance(D("1000.00"), D("353100.00")),
    closing=model.Balance(D("800.00"), D("353180")),
    drafted_by="王丽",
    reviewed_by="李秀英",
    reviewed_at=dt.date(2026, 11, 3),
    published_at=dt.date(2026, 11, 5),
    ledger=(
        model.LedgerRow(
            2, dt.date(2026, 10, 20), "记-003", "支付保洁员10月工资", "51302", "管理费用",
            None, D("120"), "孙桂兰", "现金", "收据", "张建国", "",
        ),
        model.LedgerRow(3, dt.date(2026, 10, 25), "记-004", "收到租金", "501", "经营收入", D("100.00"), None),
    ),
)  # fmt: skip
V2 = model.Period(
    period="2026-09",
    opening=model.Balance(D("1200.00"), D("348300.00")),
    closing=model.Balance(D("1000.00"), D("353100.00")),
    drafted_by="王丽",
    reviewed_by="赵𠮷",
    reviewed_at=dt.date(2026, 10, 8),
    published_at=dt.date(2026, 10, 9),
    village_affairs=(
        model.Affair("低保对象民主评议结果", dt.date(2026, 9, 15), "经村民代表民主评议，拟新增低保户1户。\n公示7天。"),
    ),
    corrections=(model.Correction(dt.date(2026, 10, 20), "第3行金额录入错误，1200.00 改为 120.00", "李秀英"),),
    ledger=(
        model.LedgerRow(
            2, dt.date(2026, 9, 3), "记-001", "收到镇财政拨付运转经费", "503", "补助收入",
            D("15000.00"), None, "城关镇财政所", "转账", "财政票据", "", "",
        ),
    ),
    assistance=(
        model.AssistanceRow(
            2, "低保", "欧阳小明", "第一村民小组", D("580.00"), dt.date(2026, 9, 16),
            dt.date(2026, 9, 23), 3, "公示中",
        ),
    ),
)  # fmt: skip
C1 = '{"assistance":[],"closing":{"bank":"353180.00","cash":"800.00"},"corrections":[],"drafted_by":"王丽","ledger":[{"account_code":"51302","approver":"张建国","contract_id":"","counterparty":"孙桂兰","date":"2026-10-20","expense":"120.00","income":"","method":"现金","receipt":"收据","summary":"支付保洁员10月工资","voucher_no":"记-003"},{"account_code":"501","approver":"","contract_id":"","counterparty":"","date":"2026-10-25","expense":"","income":"100.00","method":"","receipt":"","summary":"收到租金","voucher_no":"记-004"}],"opening":{"bank":"353100.00","cash":"1000.00"},"party_affairs":[],"period":"2026-10","published_at":"2026-11-05","reviewed_at":"2026-11-03","reviewed_by":"李秀英","village":"371322101201","village_affairs":[]}'
C2 = '{"assistance":[{"amount":"580.00","category":"低保","group":"第一村民小组","household_size":"3","name":"欧**明","notice_end":"2026-09-23","notice_start":"2026-09-16","status":"公示中"}],"closing":{"bank":"353100.00","cash":"1000.00"},"corrections":[{"approved_by":"李秀英","date":"2026-10-20","reason":"第3行金额录入错误，1200.00 改为 120.00"}],"drafted_by":"王丽","ledger":[{"account_code":"503","approver":"","contract_id":"","counterparty":"城关镇财政所","date":"2026-09-03","expense":"","income":"15000.00","method":"转账","receipt":"财政票据","summary":"收到镇财政拨付运转经费","voucher_no":"记-001"}],"opening":{"bank":"348300.00","cash":"1200.00"},"party_affairs":[],"period":"2026-09","published_at":"2026-10-09","reviewed_at":"2026-10-08","reviewed_by":"赵𠮷","village":"371322101201","village_affairs":[{"body":"经村民代表民主评议，拟新增低保户1户。\\n公示7天。","date":"2026-09-15","title":"低保对象民主评议结果"}]}'
FP1 = "adfa2b1007222ca7609ec5d9158a2a34749df71faa3e7c655b3e7f4a83b3bc59"
FP2 = "f13b0f0bb40a85a7b6da74c8873133da98c8e0cae77a39cd46ca493651da6d0f"


def _county_of(count: int) -> list[model.Village]:
    """count villages of two periods each, every period its own object (as a county's are)."""
    return [
        dataclasses.replace(
            _village(),
            slug=f"v{i}",
            code=f"3713221012{i:02d}",
            periods=(dataclasses.replace(V1), dataclasses.replace(V2)),
            signature=f"signature-{i}",
        )
        for i in range(count)
    ]


def test_known_fingerprints_are_the_computed_ones_and_never_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log check's fingerprints are computed once, in two processes (45 villages: one half
    in a forked process), then looked up; a lookup never answers for a record that changed."""
    from builder.audit import fingerprint as fp_module

    villages = _county_of(45)
    want = {(v.code, p.period): fingerprint(v, p) for v in villages for p in v.periods}
    assert len(set(want.values())) == len(want)
    computed: list[str] = []
    real = fp_module.canonical_v2

    def counted(village: model.Village, period: model.Period) -> bytes:
        computed.append(period.period)
        return real(village, period)

    with known_fingerprints(villages):
        monkeypatch.setattr(fp_module, "canonical_v2", counted)
        assert {(v.code, p.period): fingerprint(v, p) for v in villages for p in v.periods} == want
        assert computed == []
        first = villages[0]
        # a period rebuilt (a correction), a village's register rebuilt, even with equal values,
        # another village code: fingerprinted afresh
        changed = dataclasses.replace(first.periods[0], drafted_by="张三")
        assert fingerprint(first, changed) != want[(first.code, "2026-10")]
        same_values = dataclasses.replace(first.periods[0])
        assert fingerprint(first, same_values) == want[(first.code, "2026-10")]
        moved = dataclasses.replace(first, code="371322101299")
        assert fingerprint(moved, first.periods[0]) == fingerprint_of(real(moved, first.periods[0]))
        regrown = dataclasses.replace(first, parameters=dataclasses.replace(first.parameters))
        fingerprint(regrown, first.periods[0])
        assert len(computed) == 4
    computed.clear()
    assert fingerprint(first, first.periods[0]) == want[(first.code, "2026-10")]
    assert computed == ["2026-10"]  # the block's end forgets them


def test_known_fingerprints_come_from_the_cache_by_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild computes only the fingerprints of villages whose signature changed, and the
    cache keeps only the county's present villages."""
    from builder.audit import fingerprint as fp_module
    from builder.pipeline.cache import BuildCache

    cache = BuildCache(tmp_path / "cache")
    villages = _county_of(3)
    with known_fingerprints(villages, cache):
        pass
    made: list[str] = []
    real = fp_module._fingerprints

    def counted(village: model.Village) -> fp_module.Fingerprints:
        made.append(village.signature)
        return real(village)

    monkeypatch.setattr(fp_module, "_fingerprints", counted)
    edited = [*villages[:2], dataclasses.replace(villages[2], signature="signature-2-edited")]
    with known_fingerprints(edited, BuildCache(tmp_path / "cache")):  # the next run's
        assert [fingerprint(v, p) for v in edited for p in v.periods] == [
            fingerprint_of(fp_module.canonical_v2(v, p)) for v in edited for p in v.periods
        ]
    assert made == ["signature-2-edited"]
    kept = sorted(p.name for p in (tmp_path / "cache" / fp_module.CACHE_KIND).rglob("*.pickle"))
    assert len(kept) == 3 and not any("signature-2." in name for name in kept)


@pytest.mark.parametrize(("period", "text", "fp"), [(V1, C1, FP1), (V2, C2, FP2)])
def test_fingerprint_known_answer_vectors(period: model.Period, text: str, fp: str) -> None:
    assert canonical(_village(), period) == text.encode()
    # the vector holds for any implementation: SHA-256 over the domain tag and the bytes above
    assert hashlib.sha256(b"sunlight-period-v1\x00" + text.encode()).hexdigest() == fp
    assert fingerprint_v1(_village(), period) == fp
    assert fingerprint_v1(_village("full"), period) == fp  # names enter masked either way
    assert fp in versions(_village(), period)  # a v1 fingerprint on paper keeps verifying


def test_both_canonical_forms_from_one_reading_are_each_forms_own() -> None:
    """canonical_both (what a period's check file carries) gives the bytes canonical_v2 and
    canonical give apart: with names salted, masked or shown, corrections and no assistance."""
    from builder.audit.fingerprint import canonical_both, canonical_v2

    salted = dataclasses.replace(
        V2, assistance=tuple(dataclasses.replace(a, salt="0f" * 16) for a in V2.assistance)
    )
    for names_online in ("masked", "full"):
        village = _village(names_online)
        for period in (V1, V2, salted):
            both = canonical_both(village, period)
            assert both == (canonical_v2(village, period), canonical(village, period))
    assert canonical_both(_village(), V2)[1] == C2.encode()
    assert "欧阳小明".encode() not in b"".join(canonical_both(_village(), salted))
    # the ledger is encoded once and set in where a mark held its place: a record whose text
    # is that mark itself, in the ledger or beside it, still gets each form's own bytes
    row = dataclasses.replace(V2.ledger[0], summary="\0ledger\0")
    marked = dataclasses.replace(V2, ledger=(row, *V2.ledger[1:]), drafted_by="\0ledger\0")
    assert canonical_both(_village(), marked) == (
        canonical_v2(_village(), marked),
        canonical(_village(), marked),
    )


def test_fingerprint_display_link_and_reading_back() -> None:
    assert display(FP1) == "adfa 2b10 0722 2ca7 609e c5d9 158a 2a34"
    assert short(FP1) == FP1[:32] and len(short(FP1)) * 4 == 128
    assert normalize("ADFA 2B10-0722 2ca7 609e c5d9 158a 2a34") == FP1[:32]
    assert normalize("adfa 2b10") is None and normalize("zzzz" * 8) is None


# --- properties ---------------------------------------------------------------------------------------
def _mutations(v: model.Village, p: model.Period) -> list[tuple[str, Any]]:
    """(field path, current value) of every scalar a fingerprint must notice."""
    out: list[tuple[str, Any]] = [("village.code", v.code), ("period", p.period)]
    for key in ("drafted_by", "reviewed_by", "reviewed_at", "published_at"):
        out.append((key, getattr(p, key)))
    for side in ("opening", "closing"):
        out += [(f"{side}.cash", getattr(p, side).cash), (f"{side}.bank", getattr(p, side).bank)]
    for section in ("ledger", "assistance", "village_affairs", "party_affairs", "corrections"):
        for i, row in enumerate(getattr(p, section)):
            for f in dataclasses.fields(row):
                if f.name not in ("line", "account_name", "changes", "category"):
                    out.append((f"{section}.{i}.{f.name}", getattr(row, f.name)))
    return out


def _with(
    v: model.Village, p: model.Period, path: str, new: Any
) -> tuple[model.Village, model.Period]:
    parts = path.split(".")
    if parts[0] == "village":
        return dataclasses.replace(v, code=new), p
    if len(parts) == 1:
        return v, dataclasses.replace(p, **{parts[0]: new})
    if parts[0] in ("opening", "closing"):
        balance = dataclasses.replace(getattr(p, parts[0]), **{parts[1]: new})
        return v, dataclasses.replace(p, **{parts[0]: balance})
    rows = list(getattr(p, parts[0]))
    rows[int(parts[1])] = dataclasses.replace(rows[int(parts[1])], **{parts[2]: new})
    return v, dataclasses.replace(p, **{parts[0]: tuple(rows)})


def _other(old: Any, draw: Any) -> Any:
    if isinstance(old, Decimal):
        return draw(st.decimals(0, 10**9, places=2).filter(lambda d: f"{d:.2f}" != f"{old:.2f}"))
    if isinstance(old, dt.date):
        return draw(st.dates().filter(lambda d: d != old))
    if isinstance(old, int):
        return draw(st.integers(0, 99).filter(lambda n: n != old))
    if old is None:
        return draw(st.decimals(1, 10**6, places=2))
    text = draw(st.text(min_size=1, max_size=8).filter(lambda t: t != old))
    return text + old  # NOTE: a new first character, so a masked name changes too


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_field_change_alters_the_fingerprint(data: st.DataObject) -> None:
    v = _village()
    for p in (V1, V2):
        path, old = data.draw(st.sampled_from(_mutations(v, p)), label="field")
        nv, np_ = _with(v, p, path, _other(old, data.draw))
        assert fingerprint(nv, np_) != fingerprint(v, p), path
        if not path.endswith(".salt"):
            assert fingerprint_v1(nv, np_) != fingerprint_v1(v, p), path


def test_a_change_hidden_by_the_mask_is_still_a_change_of_the_records() -> None:
    from builder.audit.diff import period_changed

    v = _village()
    row = dataclasses.replace(V2.assistance[0], name="欧阳大明")
    p = dataclasses.replace(V2, assistance=(row,))
    assert fingerprint(v, p) == fingerprint(v, V2)  # 欧**明 either way: no name can be guessed
    assert period_changed(v, V2, v, p)  # but check --since compares the full records


def _rewrite(root: Path, bom: bool, crlf: bool, order: list[int], chinese: bool, gbk: bool) -> None:
    """Save dongshan's 2026-09 files differently without changing one value."""
    folder = root / "villages/chengguan/dongshan/2026-09"
    aliases = {"date": "日期", "voucher_no": "凭证号", "summary": "摘要", "income": "收入"}
    for name in ("ledger.csv", "assistance.csv", "disclosure.yml"):
        path = folder / name
        text = path.read_text(encoding="utf-8-sig")
        if name == "ledger.csv":
            lines = [line.split(",") for line in text.splitlines()]
            cols = [order[i] for i in range(len(order)) if order[i] < len(lines[0])]
            lines = [[cells[i] for i in cols] for cells in lines]
            if chinese:
                lines[0] = [aliases.get(h, h) for h in lines[0]]
            text = "\n".join(",".join(cells) for cells in lines).replace(".00,", ",") + "\n"
        if name == "disclosure.yml":
            text = text.replace("period: 2026-09", 'period: "2026-09"').replace(
                "reviewed_at: 2026-10-08", "reviewed_at: '2026-10-08'"
            )
        if crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("gb18030" if gbk else "utf-8")
        path.write_bytes((b"\xef\xbb\xbf" if bom and not gbk else b"") + data)
        if gbk:
            assert convert_to_utf8(path)  # what a clerk runs after Excel saved GBK


def _fingerprints(villages: Path) -> dict[tuple[str, str], str]:
    result = validate(villages, villages.parent)
    assert result.county is not None, result.report.rows("path", "line", "code")
    return {
        (v.code, p.period): fingerprint(v, p) for v in result.county.villages() for p in v.periods
    }


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bom=st.booleans(),
    crlf=st.booleans(),
    order=st.permutations(list(range(11))),
    chinese=st.booleans(),
    gbk=st.booleans(),
)
def test_re_encoding_and_reformatting_never_change_a_fingerprint(
    bom: bool, crlf: bool, order: list[int], chinese: bool, gbk: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(GOOD, root / "villages")
        before = _fingerprints(root / "villages")
        _rewrite(root, bom, crlf, order, chinese, gbk)
        assert _fingerprints(root / "villages") == before


# --- real git repositories -----------------------------------------------------------------------
def git(repo: Path, *args: str, date: str = "2026-11-10T10:00:00+08:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "王丽",
        "GIT_AUTHOR_EMAIL": "wl@example.org",
        "GIT_COMMITTER_NAME": "王丽",
        "GIT_COMMITTER_EMAIL": "wl@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def sunlight(repo: Path, *args: str) -> tuple[int, str]:
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(cwd)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def publish(repo: Path, day: str, message: str) -> None:
    """What a clerk does: update the log, then commit everything, on that day."""
    code, out = sunlight(repo, "log", "update", "--today", day)
    assert code == 0, out
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=f"{day}T10:00:00+08:00")


def check_since(repo: Path, rev: str, day: str) -> tuple[int, str]:
    return sunlight(repo, "check", "--since", rev, "--today", day)


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def codes(output: str) -> list[str]:
    return [
        line.rsplit("[", 1)[1].rstrip("]") for line in output.splitlines() if line.endswith("]")
    ]


NOV = f"{DONGSHAN}/2026-11"
NOVEMBER = {
    "disclosure.yml": (
        "period: 2026-11\n"
        'opening: {cash: "800.00", bank: "341900.50"}\n'
        'closing: {cash: "680.00", bank: "342900.50"}\n'
        "drafted_by: 王丽\nreviewed_by: 李秀英\nreviewed_at: 2026-12-03\npublished_at: 2026-12-05\n"
    ),
    "ledger.csv": (
        "date,voucher_no,summary,account_code,income,expense,counterparty,method,receipt,approver\n"
        "2026-11-03,记-001,收到镇财政拨付村级组织运转经费,503,1000.00,,城关镇财政所,转账,财政票据,张建国\n"
        "2026-11-20,记-002,支付保洁员11月工资,51302,,120.00,孙桂兰,现金,收据,张建国\n"
    ),
}


def add_november(repo: Path) -> None:
    (repo / NOV).mkdir()
    for name, text in NOVEMBER.items():
        (repo / NOV / name).write_text(text, encoding="utf-8")


def make_repo(project: Path) -> Path:
    """Month over month: everything to October published by 2026-11-10, then November (published
    2026-12-05) committed on 2026-12-06, each commit with its log entries."""
    git(project, "init", "-q", "-b", "main")
    publish(project, "2026-11-10", "八月至十月公开")
    add_november(project)
    publish(project, "2026-12-06", "东山村十一月公开")
    return project


@pytest.fixture
def repo(project: Path) -> Path:
    return make_repo(project)


def test_clean_month_over_month_history_passes(repo: Path) -> None:
    assert check_since(repo, "HEAD~1", "2026-12-06") == (
        0,
        "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n",
    )
    entries, problems = log.parse((repo / "publication-log.jsonl").read_text(), "log")
    assert problems == []
    assert [(e.village, e.period) for e in entries] == [
        ("chengguan/dongshan", "2026-08"),
        ("chengguan/xiwan", "2026-09"),
        ("chengguan/dongshan", "2026-09"),
        ("chengguan/dongshan", "2026-10"),
        ("chengguan/xiwan", "2026-10"),
        ("chengguan/dongshan", "2026-11"),
    ]
    assert entries[0].prev == "0" * 64 and all(
        b.prev == a.hash for a, b in itertools.pairwise(entries)
    )


def test_log_update_fingerprints_each_period_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`log update` salts, checks and appends with each period's fingerprint computed once (it
    computed every one three times, one after another), and leaves no cache in the county's
    folder (a repository without the example's .gitignore would commit it)."""
    from builder.audit import fingerprint as fp_module

    counted: list[str] = []
    real = fp_module.canonical_v2

    def canonical_v2(village: model.Village, period: model.Period) -> bytes:
        counted.append(f"{village.slug}/{period.period}")
        return real(village, period)

    monkeypatch.setattr(fp_module, "canonical_v2", canonical_v2)
    shutil.rmtree(repo / ".build", ignore_errors=True)
    periods = sorted(
        f"{p.parent.name}/{p.name}" for p in (repo / "villages").glob("*/*/20??-??") if p.is_dir()
    )
    assert sunlight(repo, "log", "update", "--today", "2026-12-10")[0] == 0
    assert sorted(counted) == periods
    assert not (repo / ".build").exists()


def _cut_cleaner_pay(repo: Path) -> None:
    edit(repo, f"{NOV}/ledger.csv", "120.00,孙桂兰", "12.00,孙桂兰")
    edit(repo, f"{NOV}/disclosure.yml", 'closing: {cash: "680.00"', 'closing: {cash: "788.00"')


def test_editing_a_published_amount_fails(repo: Path) -> None:
    _cut_cleaner_pay(repo)
    code, out = check_since(repo, "HEAD", "2026-12-10")
    assert code == 1
    assert codes(out) == ["log-out-of-date", "silent-edit"]
    assert (
        "villages/chengguan/dongshan/2026-11/disclosure.yml: 更正记录 corrections: 东山村 2026-11 "
        "已于 2026-12-05 公开，这次改动了公开内容（收支明细第3行 支出 120.00 → 12.00 等 4 处），"
        "但没有新的更正记录。"
    ) in out
    code, out = sunlight(repo, "log", "update", "--today", "2026-12-10")
    assert code == 1 and codes(out) == ["silent-edit"]  # the log refuses to fingerprint it
    assert "公开记录没有更新" in out


def test_deleting_a_row_fails(repo: Path) -> None:
    ledger = repo / f"{NOV}/ledger.csv"
    rows = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    ledger.write_text("".join(row for row in rows if "记-002" not in row), encoding="utf-8")
    edit(repo, f"{NOV}/disclosure.yml", 'closing: {cash: "680.00"', 'closing: {cash: "800.00"')
    assert sunlight(repo, "log", "update", "--today", "2026-12-10")[0] == 1
    code, out = check_since(repo, "HEAD", "2026-12-10")
    assert code == 1 and codes(out) == ["log-out-of-date", "silent-edit"]
    assert "收支明细原第3行 删除：2026-11-20 记-002 支付保洁员11月工资 支出 120.00 孙桂兰" in out


def test_deleting_a_published_period_fails(repo: Path) -> None:
    shutil.rmtree(repo / NOV)
    code, out = check_since(repo, "HEAD", "2026-12-10")
    assert code == 1 and codes(out) == ["published-period-deleted"]
    assert out.startswith(
        "villages/chengguan/dongshan/2026-11: 东山村 2026-11 已于 2026-12-05 公开，不能删除。"
    )


def test_a_draft_may_change_until_its_publication_day(repo: Path) -> None:
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    add_november(repo)
    publish(repo, "2026-12-04", "十一月公开稿（12月5日公开）")  # committed before published_at
    edit(repo, f"{NOV}/ledger.csv", "1000.00", "1500.00")
    edit(repo, f"{NOV}/disclosure.yml", 'bank: "342900.50"', 'bank: "343400.50"')  # +500
    publish(repo, "2026-12-05", "改正十一月补助收入")
    assert check_since(repo, "HEAD~1", "2026-12-05")[0] == 0


@pytest.mark.parametrize(
    ("how", "code"),
    [("rewrite", "log-rewritten"), ("truncate", "log-rewritten"), ("garble", "log-broken")],
)
def test_rewriting_the_log_fails(repo: Path, how: str, code: str) -> None:
    path = repo / "publication-log.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if how == "rewrite":  # a forger who recomputes every hash after the change
        entries, _ = log.parse("".join(lines), "log")
        entries[1] = dataclasses.replace(entries[1], published_at="2026-10-01")
        chain = [entries[0]]
        for e in entries[1:]:
            chain.append(log.seal(dataclasses.replace(e, prev=chain[-1].hash)))
        lines = log.render(chain).splitlines(keepends=True)
    elif how == "truncate":
        lines = lines[:-1]
    else:
        lines[2] = lines[2].replace('"corrections":0', '"corrections":1')
    path.write_text("".join(lines), encoding="utf-8")
    status, out = check_since(repo, "HEAD", "2026-12-10")
    assert status == 1 and code in codes(out)
    if how == "rewrite":
        assert "publication-log.jsonl:2: 公开记录与 HEAD 中的不同：第 2 行被改写了。" in out


CHANGES = (
    "    changes:\n"
    '      - {section: 收支明细, line: 3, field: 支出, old: "120.00", new: "12.00"}\n'
    '      - {section: header, field: closing.cash, old: "680.00", new: "788.00"}\n'
)
CORRECTION = (
    "  - date: 2026-12-10\n    reason: 第3行保洁员工资录入错误，120.00 应为 12.00\n"
    "    approved_by: 李秀英\n" + CHANGES
)


def correct(repo: Path) -> None:
    _cut_cleaner_pay(repo)
    correct_file(repo)


def correct_file(repo: Path, entry: str = CORRECTION) -> None:
    with (repo / f"{NOV}/disclosure.yml").open("a", encoding="utf-8") as f:
        f.write("corrections:\n" + entry)


def test_the_same_edit_with_a_correction_passes(repo: Path) -> None:
    correct(repo)
    sunlight(repo, "log", "update", "--today", "2026-12-10")
    assert check_since(repo, "HEAD", "2026-12-10")[0] == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "更正东山村十一月保洁员工资", date="2026-12-10T09:30:00+08:00")
    code, out = sunlight(repo, "diff")
    assert code == 0
    assert out == (
        "HEAD~1 → HEAD\n"
        "东山村 2026-11 收支明细第3行 支出 120.00 → 12.00\n"
        "东山村 2026-11 期末余额·库存现金 680.00 → 788.00\n"
        "东山村 2026-11 新增更正记录：2026-12-10 第3行保洁员工资录入错误，120.00 应为 12.00（批准：李秀英）\n"
        "东山村 2026-11 本期支出合计 120.00 → 12.00\n"
        "东山村 2026-11 科目 513 管理费用 支出合计 120.00 → 12.00\n"
        "共 5 处内容变化。 / 5 changes of content.\n"
    )
    code, out = sunlight(repo, "diff", "--json")
    first = json.loads(out)["changes"][0]
    assert (first["section"], first["field"], first["old"], first["new"]) == (
        "ledger",
        "expense",
        "120.00",
        "12.00",
    )
    assert (first["old_line"], first["new_line"]) == (3, 3)


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (CORRECTION.replace("2026-12-10", "2026-12-01"), "correction-date"),
        (CORRECTION.replace("2026-12-10", "2026-12-11"), "correction-date"),
    ],
)
def test_a_correction_is_dated_between_publication_and_today(
    repo: Path, entry: str, code: str
) -> None:
    _cut_cleaner_pay(repo)
    with (repo / f"{NOV}/disclosure.yml").open("a", encoding="utf-8") as f:
        f.write("corrections:\n" + entry)
    sunlight(repo, "log", "update", "--today", "2026-12-10")
    assert codes(check_since(repo, "HEAD", "2026-12-10")[1]) == [code]


def test_an_earlier_correction_cannot_be_rewritten(repo: Path) -> None:
    correct(repo)
    publish(repo, "2026-12-10", "更正")
    edit(repo, f"{NOV}/disclosure.yml", "应为 12.00", "应为 1.20")
    assert sunlight(repo, "log", "update", "--today", "2026-12-11")[0] == 1  # refused
    assert codes(check_since(repo, "HEAD", "2026-12-11")[1]) == [
        "log-out-of-date",
        "correction-rewritten",
    ]


def test_renamed_or_re_encoded_files_are_no_change(repo: Path) -> None:
    ledger = repo / f"{OCT}/ledger.csv"
    lines = ledger.read_text(encoding="utf-8").splitlines()
    swapped = [",".join([c.split(",")[1], c.split(",")[0], *c.split(",")[2:]]) for c in lines]
    ledger.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(swapped).encode() + b"\r\n")
    git(repo, "mv", "villages/chengguan/xiwan", "villages/chengguan/xiwan-cun")
    (repo / "migrations.yml").write_text(  # a new folder is a declared migration
        "- date: 2026-12-10\n  reason: 村名调整，按镇政府2026年12月通知\n"
        '  from: {code: "371322101202", folder: chengguan/xiwan}\n'
        '  to: {code: "371322101202", folder: chengguan/xiwan-cun}\n',
        encoding="utf-8",
    )
    code, out = sunlight(repo, "diff", "HEAD", ".")
    assert code == 0
    assert out == (
        "HEAD → 工作区\n"
        "东山村 2026-10 文件有改动（编码、换行、列的顺序或写法），记录内容无变化\n"
        "西湾村 文件夹 chengguan/xiwan → chengguan/xiwan-cun；记录内容无变化\n"
        "记录内容无变化。 / No change of content.\n"
    )
    sunlight(repo, "log", "update", "--today", "2026-12-10")
    assert check_since(repo, "HEAD", "2026-12-10")[0] == 0


def test_a_base_with_errors_is_held_to_its_logged_fingerprints(repo: Path) -> None:
    edit(repo, f"{NOV}/ledger.csv", "1000.00", "1,000")  # a commit that should not have passed
    git(repo, "commit", "-qam", "坏提交", date="2026-12-07T10:00:00+08:00")
    edit(repo, f"{NOV}/ledger.csv", "1,000", "1000.00")
    code, out = check_since(repo, "HEAD", "2026-12-08")
    assert code == 0 and codes(out) == ["since-unchecked"]  # fixing it passes, with a note
    edit(repo, f"{OCT}/ledger.csv", "支付村道硬化工程尾款", "支付村道工程尾款")
    assert sunlight(repo, "log", "update", "--today", "2026-12-08")[0] == 1  # refused
    code, out = check_since(repo, "HEAD", "2026-12-08")
    assert code == 1 and codes(out) == ["since-unchecked", "log-out-of-date", "silent-edit"]


def test_the_rule_starts_with_the_publication_log(project: Path) -> None:
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "采用本工具之前的记录", date="2026-11-10T10:00:00+08:00")
    _shift_oct_voucher(project)
    sunlight(project, "log", "update", "--today", "2026-12-10")  # adopting the audit trail
    assert check_since(project, "HEAD", "2026-12-10")[0] == 0
    publish(project, "2026-12-10", "开始记公开记录")
    _shift_oct_voucher(project, back=True)
    assert sunlight(project, "log", "update", "--today", "2026-12-11")[0] == 1  # refused
    assert codes(check_since(project, "HEAD", "2026-12-11")[1]) == [
        "log-out-of-date",
        "silent-edit",
    ]


def _shift_oct_voucher(repo: Path, back: bool = False) -> None:
    old, new = "支付村道硬化工程尾款", "支付村道硬化工程尾款（第二期）"
    edit(repo, f"{OCT}/ledger.csv", *((new, old) if back else (old, new)))


def test_plain_check_refuses_an_uncorrected_edit_and_warns_when_the_log_lags(
    repo: Path,
) -> None:
    _cut_cleaner_pay(repo)
    code, out = sunlight(repo, "check", "--today", "2026-12-10")  # what the hook runs
    assert code == 1 and codes(out) == ["silent-edit"]
    assert "收支明细第3行 支出 120.00 → 12.00" in out
    correct_file(repo)
    code, out = sunlight(repo, "check", "--today", "2026-12-10")
    assert code == 0 and codes(out) == ["log-out-of-date"]


def test_unknown_revision_is_a_usage_error(repo: Path) -> None:
    code, out = check_since(repo, "no-such-branch", "2026-12-10")
    assert code == 2 and "找不到版本“no-such-branch”" in out


# --- the site, the printed sheet and verify ----------------------------------------------------
@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The repo after a published correction, and its built site."""
    project = make_repo(make_project(tmp_path_factory.mktemp("corrected") / "project"))
    correct(project)
    publish(project, "2026-12-10", "更正东山村十一月保洁员工资")
    result = validate(project / "villages", project)
    assert result.county is not None
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    yield project, project / "site"


@pytest.mark.slow
def test_a_correction_shows_on_the_site(corrected: tuple[Path, Path]) -> None:
    project, site = corrected
    period = (site / "chengguan/dongshan/2026-11/index.html").read_text(encoding="utf-8")
    assert "已更正" in period and "第3行保洁员工资录入错误" in period
    assert 'href="../history/#c2026-11"' in period
    history = (site / "chengguan/dongshan/history/index.html").read_text(encoding="utf-8")
    corrections = history[history.index('id="corrections"') : history.index('id="log"')]
    assert "收支明细第3行 支出 120.00 → 12.00" in corrections
    # villagers see structured changes, never git's metadata (messages, ids)
    assert "更正东山村十一月保洁员工资" not in history and "东山村十一月公开" not in history
    head = git(project, "rev-parse", "HEAD").strip()
    assert head[:7] not in history
    log_page = (site / "log/index.html").read_text(encoding="utf-8")
    assert log_page.count("更正</td>") == 1 and log_page.count("首次公开</td>") == 6
    assert (site / "log/publication-log.jsonl").read_bytes() == (
        project / "publication-log.jsonl"
    ).read_bytes()
    code, out = sunlight(project, "verify", "--site", "site")
    assert code == 0, out


@pytest.mark.slow
def test_histories_check_each_past_version_once_for_good_and_a_shards_villages_only(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history pages check each village's past versions. With the build cache, each
    version is checked once for good (a county's history grows by a revision a village a
    month, and every build checked all of it again: a 20-village county with a year of monthly
    commits rebuilt in 13.1 s, 3.6 s now); a shard checks only its own villages'."""
    from builder.audit import snapshot
    from builder.audit.history import VillageHistory, histories
    from builder.pipeline.cache import BuildCache

    result = validate(repo / "villages", repo)
    assert result.county is not None
    county = result.county
    found = snapshot.Repo.find(repo / "villages")
    checked: list[Path] = []
    real = snapshot.validate

    def counted(*args: Any, **kwargs: Any) -> Any:
        checked.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(snapshot, "validate", counted)
    plain = histories(found, county)
    everyone = len(checked)
    assert everyone > 0 and any(h.revisions for h in plain.values())
    store = BuildCache(tmp_path / "cache")
    for _ in range(2):  # checked and kept, then every version from the store
        checked.clear()
        assert histories(found, county, store=store) == plain
        assert len(checked) == (everyone if _ == 0 else 0)
    checked.clear()
    nobody = histories(found, county, lambda v: False)
    assert checked == [] and all(h == VillageHistory() for h in nobody.values())
    for village in county.villages():
        alone = histories(found, county, lambda v, code=village.code: v.code == code)
        assert alone[village.code] == plain[village.code]
        assert all(h == VillageHistory() for c, h in alone.items() if c != village.code)


def _held(folder: Path) -> dict[str, str]:
    """Every file, link and folder under folder, with a file's content and a link's target."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = f"link -> {os.readlink(path)}"
        elif path.is_dir():
            out[rel] = "folder"
        else:
            out[rel] = path.read_text(encoding="utf-8")
    return out


def test_a_tree_copy_moved_from_revision_to_revision_holds_what_each_one_holds(
    tmp_path: Path,
) -> None:
    """A village's versions are copied into one scratch folder moved from one to the next
    (git.TreeCopy): after each move it holds exactly what copying that revision afresh gives —
    changed and new files, no file or emptied folder the revision lacks, a file become a
    folder, a link become a file — whichever way the revisions are walked."""
    from builder.read import git as git_read

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    steps: list[dict[str, str | None]] = [
        {"v/a.txt": "一", "v/2026-01/x.csv": "x1", "v/2026-02/y.csv": "y1", "v/c": "文件"},
        {"v/a.txt": "二", "v/2026-02/y.csv": None, "v/2026-03/z.csv": "z1"},
        {"v/c": None, "v/c/inner.yml": "夹里", "v/link": "->a.txt"},
        {"v/link": None, "v/2026-01/x.csv": None, "other/skip.txt": "不要"},
        {"v/link": "成了文件", "v/2026-01/x.csv": "x2"},
    ]
    revisions = []
    for step in steps:
        for rel, text in step.items():
            target = repo / rel
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir() and text is not None:
                shutil.rmtree(target)
            if text is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if text.startswith("->"):
                target.symlink_to(text[2:])
            else:
                target.write_text(text, encoding="utf-8")
        for folder in sorted(repo.glob("v/**"), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "step", "--no-verify")
        revisions.append(git(repo, "rev-parse", "HEAD").strip())
    expected = {}
    for rev in revisions:
        fresh = tmp_path / f"fresh-{rev}"
        git_read.materialize(repo, rev, ["v"], fresh)
        expected[rev] = _held(fresh)
    assert len({json.dumps(e) for e in expected.values()}) == len(revisions)
    assert (
        "v/c/inner.yml" in expected[revisions[2]] and "other/skip.txt" not in expected[revisions[3]]
    )
    moved = tmp_path / "moved"
    with git_read.Objects(repo) as objects:
        copy = git_read.TreeCopy(repo, moved, objects)
        order = [*revisions, *reversed(revisions), revisions[0], revisions[3], revisions[1]]
        for rev in order:
            copy.move_to(rev, ["v"])
            assert _held(moved) == expected[rev], rev
            # what it read of git's folders lists the files as `git ls-tree -r` does
            listed = git(repo, "ls-tree", "-r", "--full-tree", rev, "--", "v", "other")
            assert {line.split("\t")[1] for line in listed.splitlines()} == set(
                objects.files_at(rev, ["v", "other"])
            )
        copy.move_to(git_read.EMPTY, ["v"])
        assert _held(moved) == {}


def test_a_long_history_is_checked_in_two_processes_as_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A county's history, a commit a month: the past versions its history pages diff are
    checked in two processes (VillageCache.check_ahead), each village's in one scratch folder
    moved from version to version with each file read once (kept_versions), and the histories
    are exactly the ones checking them one by one, each copied out and read afresh, gives."""
    from builder.audit import snapshot
    from builder.audit.history import histories
    from builder.pipeline import workers
    from tools.demo import commit_monthly, generate_county

    root = tmp_path / "county"
    generate_county(root / "villages", towns=1, villages_per_town=4, months=12)
    months = sorted({p.name for p in root.glob("villages/*/*/20??-??")})
    assert commit_monthly(root / "villages") == len(months) + 1
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "log", "-1", "--format=%cI %s").strip() == (
        f"2026-11-05T10:00:00+08:00 {months[-1]} 公开"
    )
    result = validate(root / "villages", root)
    assert result.county is not None
    found = snapshot.Repo.find(root / "villages")
    asked: list[tuple[int, int]] = []
    real = snapshot.parallel_map

    def watched(function: Any, items: Any, **options: Any) -> Any:
        asked.append((len(items), sum(len(chain) for chain in items)))
        assert options.get("worth") == 2  # a village's versions are many versions' work
        return real(function, items, **options)

    monkeypatch.setattr(snapshot, "parallel_map", watched)
    together = histories(found, result.county)
    # one chain of versions a village, the chains in two processes
    assert asked == [(4, asked[0][1])] and asked[0][1] >= workers.PARALLEL_FROM
    assert all(len(h.revisions) == len(months) + 1 for h in together.values())
    monkeypatch.setattr(snapshot, "parallel_map", real)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 10**9)  # one by one
    assert histories(found, result.county) == together
    # with the memory folder refused (a file, not a folder): on disk, the same
    refused = tmp_path / "not-a-folder"
    refused.write_text("", encoding="utf-8")
    monkeypatch.setattr(snapshot, "in_memory", lambda: str(refused))
    assert histories(found, result.county) == together
    # and each version copied out of git into a folder of its own and read afresh, as a
    # single version is (no moved copy, no files kept from the version before)
    monkeypatch.setattr(
        snapshot, "kept_versions", lambda jobs: [snapshot.kept_village(job) for job in jobs]
    )
    assert histories(found, result.county) == together


def test_history_page_shows_no_commit_message_or_author(tmp_path: Path) -> None:
    """A commit message or author name is whatever a clerk typed: it may hold personal data."""
    project = make_repo(make_project(tmp_path / "project"))
    (project / "villages/chengguan/dongshan/2026-10/ledger.csv").write_text(
        (project / "villages/chengguan/dongshan/2026-10/ledger.csv").read_text(encoding="utf-8")
        + "\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "报账员赵有才",
        "GIT_AUTHOR_EMAIL": "zyc@example.org",
        "GIT_COMMITTER_NAME": "赵有才",
        "GIT_COMMITTER_EMAIL": "zyc@example.org",
    }
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    subprocess.run(
        ["git", "commit", "-q", "-m", "补录 赵有才 13812345678 110101199003074514"],
        cwd=project,
        check=True,
        env=env,
    )
    result = validate(project / "villages", project)
    assert result.county is not None
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    history = (project / "site/chengguan/dongshan/history/index.html").read_text(encoding="utf-8")
    for secret in ("赵有才", "13812345678", "110101199003074514", "补录"):
        assert secret not in history


@pytest.mark.slow
def test_a_number_removed_from_history_is_never_republished(tmp_path: Path) -> None:
    """A commit (made past the hook) held an ID, a bank card, a mobile, a landline, a mobile in URL
    escapes and one in Chinese numerals; the next one removed them. The records are clean again and the site builds: no file of it may hold the digits,
    however they are grouped, on the history page or anywhere else."""
    project = make_repo(make_project(tmp_path / "project"))
    ledger = "villages/chengguan/dongshan/2026-10/ledger.csv"
    planted = {
        "110101199003074514": "身份证 110101 19900307 4514",
        "6228480012345678903": "卡号 6228-4800-1234-5678-903",
        "13912345678": "电话 139 1234 5678",
        "05396219876": "座机 （0539）621-9876",
        "%31%33%37%31%32%33%34%35%36%37%38": "网址 %31%33%37%31%32%33%34%35%36%37%38",
        "一三六一二三四五六七八": "电话 一三六一二三四五六七八",
    }
    original = (project / ledger).read_text(encoding="utf-8")
    edit(project, ledger, "代发低保金", "代发低保金 " + " ".join(planted.values()))
    git(project, "add", "-A")
    git(project, "commit", "-q", "--no-verify", "-m", "补录", date="2026-12-07T10:00:00+08:00")
    (project / ledger).write_text(original, encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "删除个人信息", date="2026-12-07T11:00:00+08:00")
    result = validate(project / "villages", project)
    assert result.county is not None, result.report.rows("path", "line", "code")
    build_site(project / "mkdocs.yml", project / "site", preloaded=result)
    site = project / "site"
    assert (site / "chengguan/dongshan/history/index.html").is_file()
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            digits = "".join(ch for ch in text if ch.isdigit())
            for number in planted:
                assert number not in text and number not in digits, (number, path)


@pytest.mark.slow
def test_verify_reads_fingerprints_links_and_saved_logs(corrected: tuple[Path, Path]) -> None:
    project, _site = corrected
    entries, _ = log.parse((project / "publication-log.jsonl").read_text(), "log")
    old, new = [
        e.fingerprint for e in entries if e.period == "2026-11" and e.village.endswith("dongshan")
    ]
    code, out = sunlight(project, "verify", display(new))
    assert code == 0 and out.startswith("一致：东山村（chengguan/dongshan）2026-11")
    code, out = sunlight(project, "verify", f"{SITE_URL}chengguan/dongshan/2026-11/?fp={old[:32]}")
    assert code == 1 and out.startswith(
        "不一致：这是 东山村 2026-11 的旧版本（公开记录第 6 条），之后已更正。"
    )
    code, out = sunlight(project, "verify", "0" * 32)
    assert code == 1 and out.startswith("不一致：没有哪一期已公开的记录是这个指纹。")
    saved = project.parent / "saved-log.jsonl"
    saved.write_text("".join(e.line() for e in entries[:3]), encoding="utf-8")
    assert sunlight(project, "verify", "--log", str(saved))[0] == 0
    saved.write_text(entries[0].line().replace("2026-09-05", "2026-09-06"), encoding="utf-8")
    code, out = sunlight(project, "verify", "--log", str(saved))
    assert code == 1 and out.startswith("不一致：第 1 行被改写了。")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_printed_sheet_scans_to_its_page_which_says_whether_it_matches(
    corrected: tuple[Path, Path],
) -> None:
    _project, site = corrected
    with serve_directory(site) as base, chromium() as browser:
        sheet = browser.new_page(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
        sheet.goto(base + "chengguan/dongshan/2026-11/print/")
        sheet.emulate_media(media="print")
        shot = Image.open(io.BytesIO(sheet.screenshot(full_page=True)))
        codes_found = zxingcpp.read_barcodes(
            shot, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
        assert len(codes_found) == 1
        url = codes_found[0].text
        assert url.startswith(SITE_URL + "chengguan/dongshan/2026-11/?fp=")
        fp = parse_qs(urlsplit(url).query)["fp"][0]  # the link also carries the tree head (&t=)
        assert display(fp) in sheet.content()  # the same fingerprint, printed for people

        page = phone_page(browser)
        verdicts = {}
        tampered = fp[:-1] + ("0" if fp[-1] != "0" else "1")
        for name, query in [("scanned", fp), ("tampered", tampered), ("none", None)]:
            target = url.replace(SITE_URL, base)
            if query != fp:
                target = target.split("?")[0] + (f"?fp={query}" if query else "")
            page.goto(target)
            if query is None:  # opened without a sheet's link: the check runs when asked
                page.click("#sl-check")
            page.wait_for_selector("#sl-verify-result[data-state]")  # the page hashes itself
            result = page.locator("#sl-verify-result")
            verdicts[name] = (
                result.is_visible(),
                result.get_attribute("data-state"),
                result.inner_text() if result.is_visible() else "",
            )
        assert verdicts["scanned"][:2] == (True, "match")
        assert verdicts["scanned"][2].startswith("一致")
        assert verdicts["tampered"][:2] == (True, "mismatch")
        assert verdicts["tampered"][2].startswith("不一致")
        # without a scanned link the page checks itself on a tap, and asks for the sheet
        assert verdicts["none"][:2] == (True, "match")
        assert verdicts["none"][2].startswith("本页自检一致")
        page.goto(base + "chengguan/dongshan/2026-11/")
        assert display(fp) in page.locator(".sl-fp").inner_text()  # no JS needed to compare by eye
