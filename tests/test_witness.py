"""Witnesses and auditors against real git histories: a log that grows passes every witness; a
rewritten history with a regenerated, self-consistent and freshly signed log fails every witness
that saw an earlier checkpoint, naming the first entry that differs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from builder.audit import checkpoint as cp
from builder.audit import commands, tlog
from tests.test_audit import NOV, OCT, add_november, git, publish, sunlight

LOG_KEY = cp.generate("example.org/yunxi/log")


@pytest.fixture
def county(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A county repository whose CI signs its checkpoints (the key in the environment)."""
    monkeypatch.setenv(tlog.KEY_ENV, LOG_KEY.text())
    (project / tlog.KEY_NAME).write_text(LOG_KEY.verifier().text() + "\n", encoding="utf-8")
    git(project, "init", "-q", "-b", "main")
    publish(project, "2026-11-10", "八月至十月公开")
    return project


def _witnesses(county: Path, tmp: Path) -> list[Path]:
    """Two witnesses (the town's 纪委 and the county's 三资 centre), known to the county."""
    dirs, lines = [], []
    for name, label in [
        ("chengguan.example/jiwei", "城关镇纪委"),
        ("yunxi.example/sanzi", "县三资中心"),
    ]:
        d = tmp / name.split("/")[0]
        code, out = _cli(county, "witness", "init", "--dir", str(d), "--name", name, tlog.KEY_NAME)
        assert code == 0, out
        lines.append(f"{out.strip().splitlines()[-1]} {label}")
        dirs.append(d)
    (county / tlog.WITNESSES_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dirs


def _cli(repo: Path, *args: str) -> tuple[int, str]:
    return sunlight(repo, *args)


def _witness_all(county: Path, dirs: list[Path]) -> list[tuple[int, str]]:
    results = []
    for d in dirs:
        code, out = _cli(county, "witness", "run", "--dir", str(d), str(county))
        results.append((code, out))
        if code == 0:
            cosigned = sorted(d.glob("cosigned-*.txt"))[-1]
            assert _cli(county, "log", "cosign", str(cosigned))[0] == 0
    return results


def test_a_growing_log_passes_every_witness_and_the_site_lists_them(
    county: Path, tmp_path: Path
) -> None:
    dirs = _witnesses(county, tmp_path)
    assert [code for code, _ in _witness_all(county, dirs)] == [0, 0]
    add_november(county)
    publish(county, "2026-12-06", "东山村十一月公开")
    results = _witness_all(county, dirs)
    assert [code for code, _ in results] == [0, 0], results
    assert "完整保留了上次见到的" in results[0][1]
    files = commands.tlog_files(county / "villages")
    lines = (county / "publication-log.jsonl").read_text(encoding="utf-8").splitlines()
    status = tlog.status(files, tlog.leaf_hashes(lines))
    assert status.problem == ""
    assert [label for label, _ in status.cosigners] == ["城关镇纪委", "县三资中心"]
    # the checkpoint is a C2SP checkpoint a Go verifier would read: origin, size, root, sigs
    text = files.checkpoint.read_text(encoding="utf-8")
    body, sigs = text.split("\n\n")
    assert body.split("\n") == [LOG_KEY.name, str(len(lines)), status.head.b64]
    assert [s.split(" ")[1] for s in sigs.splitlines()] == [
        LOG_KEY.name,
        "chengguan.example/jiwei",
        "yunxi.example/sanzi",
    ]


def test_a_rewritten_history_with_a_regenerated_log_fails_every_witness(
    county: Path, tmp_path: Path
) -> None:
    dirs = _witnesses(county, tmp_path)
    _witness_all(county, dirs)
    add_november(county)
    publish(county, "2026-12-06", "东山村十一月公开")
    _witness_all(county, dirs)
    git(county, "add", "-A")
    git(county, "commit", "-q", "-m", "见证签名")
    old_log = (county / "publication-log.jsonl").read_text(encoding="utf-8").splitlines()
    old_oct = next(
        (i, json.loads(line))
        for i, line in enumerate(old_log)
        if '"period":"2026-10"' in line and "dongshan" in line
    )
    # The forger rewrites October in every commit, drops the log and the checkpoint, then
    # regenerates both from the rewritten records and signs them with the county's own key.
    script = (
        f"sed -i 's/200.00,孙桂兰/20.00,孙桂兰/' {OCT}/ledger.csv && "
        f'sed -i \'s/closing: {{cash: "800.00"/closing: {{cash: "980.00"/\' {OCT}/disclosure.yml && '
        f'{{ sed -i \'s/opening: {{cash: "800.00"/opening: {{cash: "980.00"/; '
        f's/closing: {{cash: "680.00"/closing: {{cash: "860.00"/\' {NOV}/disclosure.yml || true; }} && '
        f"rm -f publication-log.jsonl {tlog.CHECKPOINT_NAME}"
    )
    env = {**os.environ, "FILTER_BRANCH_SQUELCH_WARNING": "1"}
    done = subprocess.run(
        ["git", "filter-branch", "-f", "--tree-filter", script, "--", "--all"],
        cwd=county,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "980.00" in (county / OCT / "disclosure.yml").read_text(encoding="utf-8")
    publish(county, "2026-12-07", "重新生成公开记录")
    new_log = (county / "publication-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(new_log) == len(old_log)  # as long as the old one, every hash self-consistent
    assert sunlight(county, "check")[0] == 0  # the repository alone cannot tell
    for code, out in _witness_all(county, dirs):
        assert code == 1
        assert "历史被改写了" in out
        assert f"第一处不同在第 {old_oct[0] + 1} 条" in out
        assert old_oct[1]["fingerprint"][:32] in out
        assert f"the first entry that differs is #{old_oct[0] + 1}" in out
    # and again on the next run: a witness never forgets what it saw
    assert [c for c, _ in _witness_all(county, dirs)] == [1, 1]


def test_an_auditor_with_only_an_old_head_or_a_printed_line_can_check(county: Path) -> None:
    lines = (county / "publication-log.jsonl").read_text(encoding="utf-8").splitlines()
    kept = tlog.head(tlog.leaf_hashes(lines))
    sheet_seq = next(
        i + 1 for i, line in enumerate(lines) if "dongshan" in line and '"period":"2026-10"' in line
    )
    printed = tlog.short_root(tlog.head(tlog.leaf_hashes(lines), sheet_seq).root)
    add_november(county)
    publish(county, "2026-12-06", "东山村十一月公开")
    code, out = _cli(
        county, "log", "show", "dongshan", "2026-10", "--since", f"{kept.size}:{kept.root.hex()}"
    )
    assert code == 0, out
    assert "首次公开：第" in out and "已包含在签名的记录树头" in out and "从未更正" in out
    assert f"记录树头 {sheet_seq} · {printed}" in out  # the line printed on the sheet
    # the printed sheet's head, proved a prefix of the later signed head
    assert (
        _cli(county, "log", "show", "dongshan", "2026-10", "--since", f"{sheet_seq}:{printed}")[0]
        == 0
    )
    assert (
        _cli(county, "log", "show", "dongshan", "2026-10", "--since", f"{sheet_seq}:{'0' * 16}")[0]
        == 1
    )
    # `sunlight verify` with the sheet's QR link proves the same, from the link alone
    fp = json.loads(lines[sheet_seq - 1])["fingerprint"][:32]
    link = f"https://example.org/shifan/chengguan/dongshan/2026-10/?fp={fp}&t={sheet_seq}-{printed}"
    code, out = _cli(county, "verify", link)
    assert code == 0 and f"记录树头一致：这张纸质公示是公开记录第 {sheet_seq} 条" in out, out
    code, out = _cli(county, "verify", link[:-1] + ("0" if link[-1] != "0" else "1"))
    assert code == 1 and "记录树头不一致" in out
    wrong = bytes(32).hex()
    code, out = _cli(
        county, "log", "show", "dongshan", "2026-10", "--since", f"{kept.size}:{wrong}"
    )
    assert code == 1 and "之前的记录被改写了" in out


def test_check_refuses_a_forged_checkpoint_or_a_log_that_left_it(county: Path) -> None:
    assert sunlight(county, "check")[0] == 0
    checkpoint = county / tlog.CHECKPOINT_NAME
    signed = checkpoint.read_text(encoding="utf-8")
    size = signed.split("\n")[1]
    checkpoint.write_text(
        signed.replace(f"\n{size}\n", f"\n{int(size) + 1}\n", 1), encoding="utf-8"
    )
    code, out = sunlight(county, "check")
    assert code == 1 and "[log-checkpoint]" in out and "签名无效" in out
    checkpoint.write_text(signed, encoding="utf-8")
    # a log re-chained after a silent edit: a sound chain, but not the signed tree
    path = county / "publication-log.jsonl"
    from builder.audit import log

    entries, _ = log.parse(path.read_text(encoding="utf-8"), "log")
    import dataclasses

    chain = [log.seal(dataclasses.replace(entries[0], published_at="2026-09-01"))]
    for e in entries[1:]:
        chain.append(log.seal(dataclasses.replace(e, prev=chain[-1].hash)))
    path.write_text(log.render(chain), encoding="utf-8")
    code, out = sunlight(county, "check")
    assert code == 1 and "[log-checkpoint]" in out and "公开记录与已签名的记录树头" in out
    assert sunlight(county, "build", "--site-dir", str(county / "site"))[0] == 1
