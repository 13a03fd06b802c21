"""The `sunlight` command as a clerk runs it: exit codes and the full output."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_check_clean(in_project: Path) -> None:
    code, out = run("check")
    assert code == 0
    assert out == "发现 0 个错误，0 个警告。 / Found 0 errors, 0 warnings.\n"


def test_check_reports_in_clerk_words(in_project: Path) -> None:
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace("11000.00", "12,5O0"), encoding="utf-8"
    )
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace("12,5O0", '"12,5O0"'), encoding="utf-8"
    )
    code, out = run("check")
    assert code == 1
    assert out == (
        "villages/chengguan/dongshan/2026-10/ledger.csv:2: 支出 expense: “12,5O0”不是有效金额。"
        "请只填数字，可带两位小数，例如 12500.50。\n"
        '    "12,5O0" is not a valid amount. Write digits only, up to two decimals, e.g. 12500.50.'
        " [invalid-amount]\n"
        "发现 1 个错误，0 个警告。 / Found 1 errors, 0 warnings.\n"
    )
    assert "Traceback" not in out and "Error" not in out


def test_personal_data_is_masked_in_messages(in_project: Path) -> None:
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace(
            "支付村道硬化工程尾款", "尾款 110101199003074514 13812345678"
        ),
        encoding="utf-8",
    )
    code, out = run("check")
    assert code == 1
    assert "110101199003074514" not in out and "13812345678" not in out
    assert "110101********4514" in out and "138****5678" in out


def test_many_problems_of_one_kind_are_folded(in_project: Path) -> None:
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    lines = ledger.read_text(encoding="utf-8").splitlines()
    row = lines[1].replace("2026-10-08", "2026-09-30")
    extra = [row.replace("记-001", f"记-1{i:02d}") for i in range(9)]
    ledger.write_text("\n".join([lines[0], *extra]) + "\n", encoding="utf-8")
    code, out = run("check")
    assert code == 1
    assert out.count("[date-outside-period]") == 6  # five shown, then one fold line
    assert "另有 4 处同样问题 / …and 4 more like this [date-outside-period]" in out


def test_check_paths_only(in_project: Path) -> None:
    disclosure = in_project / "villages/chengguan/xiwan/2026-10/disclosure.yml"
    disclosure.write_text(
        disclosure.read_text(encoding="utf-8").replace(
            "reviewed_by: 郑国庆", "reviewed_by: 周志强"
        ),
        encoding="utf-8",
    )
    assert run("check", "villages/chengguan/dongshan")[0] == 0
    assert run("check", "villages/chengguan/xiwan/2026-10/disclosure.yml")[0] == 1


def test_warnings_fail_only_when_strict(in_project: Path) -> None:
    import shutil

    shutil.rmtree(in_project / "villages/chengguan/xiwan/2026-09")
    disclosure = in_project / "villages/chengguan/xiwan/2026-10/disclosure.yml"
    assert run("check")[0] == 0
    (in_project / "villages/chengguan/dongshan/2026-09/ledger.csv").write_text(
        (in_project / "villages/chengguan/dongshan/2026-09/ledger.csv").read_text(encoding="utf-8")
        + ",,,,,,,,,,\n",
        encoding="utf-8",
    )
    code, out = run("check")
    assert code == 0 and "（警告 warning）" in out
    assert run("check", "--strict")[0] == 1
    assert disclosure.exists()


def test_wrong_usage_exits_2(in_project: Path) -> None:
    assert run("check", "--no-such-option")[0] == 2
    assert run("check", "no/such/path")[0] == 2
    assert run("frobnicate")[0] == 2


def test_missing_villages_folder_is_a_clear_error(tmp_path: Path) -> None:
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, out = run("check")
    finally:
        os.chdir(cwd)
    assert code == 1
    assert "找不到记录文件夹" in out and "Traceback" not in out


def test_convert_gbk_in_place_losslessly(in_project: Path) -> None:
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    original = ledger.read_text(encoding="utf-8")
    ledger.write_bytes(original.encode("gb18030"))
    assert run("check")[0] == 1
    code, out = run("convert", str(ledger))
    assert code == 0 and "已从 GBK/GB18030 转为 UTF-8" in out
    assert ledger.read_text(encoding="utf-8") == original
    assert run("check")[0] == 0
    code, out = run("convert", str(ledger))
    assert code == 0 and "已经是 UTF-8" in out


def test_convert_refuses_what_is_not_gbk(in_project: Path) -> None:
    path = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    path.write_bytes(b"\xff\xfe\x00\x00\x81")
    code, out = run("convert", str(path))
    assert code == 1 and "无法自动转换" in out
    assert path.read_bytes() == b"\xff\xfe\x00\x00\x81"


def test_build_refuses_bad_records_and_keeps_old_site(in_project: Path) -> None:
    code, out = run("build")
    assert code == 0, out
    index = (in_project / "site/index.html").read_bytes()
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("11000.00", "x"), encoding="utf-8")
    code, out = run("build")
    assert code == 1
    assert "[invalid-amount]" in out and "原有网站保持不变" in out
    assert (in_project / "site/index.html").read_bytes() == index


def test_flags_on_clean_records(in_project: Path) -> None:
    code, out = run("flags", "--today", "2026-11-20")
    assert code == 0
    assert out == (
        "截至 2026-11-20，共 0 条监督提示：错误 0，警告 0，提示 0。 / "
        "0 flags as of 2026-11-20: 0 errors, 0 warnings, 0 info.\n"
    )


def _cash_payment(project: Path) -> None:
    ledger = project / "villages/chengguan/dongshan/2026-09/ledger.csv"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(
        text.replace("10000.00,临沂市宏达路桥公司,转账", "10000.00,临沂市宏达路桥公司,现金")
    )


def test_flags_text_says_where_what_and_why(in_project: Path) -> None:
    _cash_payment(in_project)
    code, out = run("flags", "--today", "2026-11-20")
    assert code == 0
    assert out == (
        "villages/chengguan/dongshan/2026-09/ledger.csv:3: [R8 警告 warning] 大额现金支付 / "
        "Large cash payment\n"
        "    记-002“支付村道硬化工程进度款”以现金支付 10,000.00 元给“临沂市宏达路桥公司”，"
        "超过单笔现金限额 2,000.00 元。\n"
        "    记-002 paid 10,000.00 in cash to 临沂市宏达路桥公司, above the cash limit of 2,000.00.\n"
        "    为什么要看：超过结算起点的支出应当转账：现金支付难以追溯，是坐支、白条抵库的常见入口。 / "
        "Why: Payments above the cash-settlement point should go by transfer: cash is hard to "
        "trace.\n"
        "截至 2026-11-20，共 1 条监督提示：错误 0，警告 1，提示 0。 / "
        "1 flags as of 2026-11-20: 0 errors, 1 warnings, 0 info.\n"
    )
    code, out = run("flags", "--today", "2026-11-20", "--severity", "error")
    assert code == 0 and "[R8" not in out and "共 0 条" in out
    code, out = run("check", "--today", "2026-11-20")
    assert code == 0
    assert out.endswith(
        "运行 sunlight flags 查看。 / 1 more flags (warnings or info): run sunlight flags.\n"
    )


def test_flags_json_has_stable_keys(in_project: Path) -> None:
    import json

    _cash_payment(in_project)
    code, out = run("flags", "--json", "--today", "2026-11-20")
    assert code == 0
    doc = json.loads(out)
    assert list(doc) == ["as_of", "count", "by_severity", "flags"]
    assert (doc["as_of"], doc["count"], doc["by_severity"]) == (
        "2026-11-20",
        1,
        {"error": 0, "warning": 1, "info": 0},
    )
    (flag,) = doc["flags"]
    assert list(flag) == [
        "rule",
        "severity",
        "title",
        "title_en",
        "path",
        "line",
        "town",
        "village",
        "period",
        "ref",
        "seen",
        "seen_en",
        "why",
        "why_en",
        "detail",  # for supervisors: only R24 (with --relatives) fills it
    ]
    assert flag["detail"] is None
    assert (flag["rule"], flag["path"], flag["line"], flag["period"], flag["ref"]) == (
        "R8",
        "villages/chengguan/dongshan/2026-09/ledger.csv",
        3,
        "2026-09",
        None,
    )


def test_error_level_flag_fails_check_and_flags(in_project: Path) -> None:
    contracts = in_project / "villages/chengguan/dongshan/contracts.csv"
    contracts.write_text(contracts.read_text(encoding="utf-8").replace(",刘大海,", ",王丽,"))
    code, out = run("check", "--today", "2026-11-20")
    assert code == 1
    assert out == (
        "villages/chengguan/dongshan/contracts.csv:3: [R17] 干部与本村交易：合同 HT2024-03"
        "（东山果园12亩，12,000.00 元）的对方“王丽”是本村报账员。\n"
        "    [R17] Official on the other side: The other party of contract HT2024-03 (12,000.00), "
        "王丽, is a village official (报账员). [red-flag]\n"
        "发现 1 个错误，0 个警告。 / Found 1 errors, 0 warnings.\n"
    )
    code, out = run("flags", "--today", "2026-11-20")
    assert code == 1 and "[R17 错误 error]" in out


def test_flags_when_records_have_errors(in_project: Path) -> None:
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("11000.00", "x"))
    code, out = run("flags")
    assert code == 1
    assert "[invalid-amount]" in out and "无法计算监督提示" in out


PLANTED_ID = "110101199003074514"  # a valid GB 11643 check digit


def _assert_id_never_shown(out: str) -> None:
    assert PLANTED_ID not in out
    assert PLANTED_ID[:7] not in out  # not even cut in the middle: the mask shows 6 and 4
    assert "110101********4514" in out


def test_a_long_bad_value_is_masked_before_it_is_cut(in_project: Path) -> None:
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    # the ID straddles the 40th character, where a bad value is cut for the message
    bad = "共" * 30 + PLANTED_ID + "元"
    ledger.write_text(ledger.read_text(encoding="utf-8").replace("11000.00", bad), encoding="utf-8")
    code, out = run("check")
    assert code == 1
    assert "2026-10/ledger.csv:2: 支出 expense: “" + "共" * 30 + "110101****…”不是有效金额" in out
    _assert_id_never_shown(out)


def test_a_file_name_with_an_id_is_masked(in_project: Path) -> None:
    village = in_project / "villages/chengguan/dongshan"
    (village / f"{PLANTED_ID}.csv").write_text("x\n", encoding="utf-8")
    (village / f"身份证{PLANTED_ID}").mkdir()
    code, out = run("check")
    assert code == 1
    assert "villages/chengguan/dongshan/110101********4514.csv: 这里不应有" in out
    _assert_id_never_shown(out)


def test_a_yaml_key_with_an_id_is_masked(in_project: Path) -> None:
    village_yml = in_project / "villages/chengguan/dongshan/village.yml"
    village_yml.write_text(
        village_yml.read_text(encoding="utf-8") + f"{PLANTED_ID}: 张三\n", encoding="utf-8"
    )
    code, out = run("check")
    assert code == 1
    assert ": 110101********4514: 不认识字段“110101********4514”" in out
    _assert_id_never_shown(out)


@pytest.mark.parametrize(
    ("mistyped", "shown"),
    [
        (PLANTED_ID[:-1] + "5", "“110101********4515”像是居民身份证号码"),
        ("6228480012345678904", "“6228***********8904”像是银行卡号"),
    ],
)
def test_a_mistyped_id_or_card_is_withheld_like_a_correct_one(
    in_project: Path, mistyped: str, shown: str
) -> None:
    """A clerk's typo breaks the check digit, not the person's privacy: the other digits still
    name them, so the check stops the build and never shows the number."""
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    text = ledger.read_text(encoding="utf-8")
    assert "支付村道硬化工程尾款" in text
    ledger.write_text(text.replace("支付村道硬化工程尾款", f"退押金 {mistyped}"), encoding="utf-8")
    code, out = run("build")
    assert code == 1
    assert f"2026-10/ledger.csv:2: 摘要 summary: {shown}" in out
    assert mistyped not in out and mistyped[:7] not in out
    assert not (in_project / "site").exists()


def test_build_checks_the_log_and_pages_once_as_of_its_day(
    in_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sunlight build` checks the publication log and the hand-written pages with the records,
    as of its day (--today), and the site plugin it hands the result to does not check them
    again: every shard did, as of the clock's day, and a real county's log check computes the
    fingerprint of every period. A plugin not given such a result (mkdocs build alone) checks
    them itself."""
    from builder.audit import commands
    from builder.publish import site

    days: list[object] = []
    real = commands.log_problems

    def counted(*args: object) -> object:
        days.append(args[3])  # (villages_dir, base, result, today, …)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(commands, "log_problems", counted)
    monkeypatch.setattr(site, "log_problems", counted)
    code, out = run("build", "--today", "2026-11-30")
    assert code == 0, out
    assert days == [dt.date(2026, 11, 30)]

    days.clear()
    from builder.pipeline.validate import validate
    from builder.publish.build import build_site

    result = validate(in_project / "villages", in_project)
    build_site(in_project / "mkdocs.yml", in_project / "site", preloaded=result)
    assert len(days) == 1


def test_clean_names_and_short_values_are_shown_as_written(in_project: Path) -> None:
    """Good twin: masking leaves ordinary places, keys and values alone."""
    ledger = in_project / "villages/chengguan/dongshan/2026-10/ledger.csv"
    ledger.write_text(
        ledger.read_text(encoding="utf-8").replace("11000.00", "一万一千元"), encoding="utf-8"
    )
    code, out = run("check")
    assert code == 1
    assert "villages/chengguan/dongshan/2026-10/ledger.csv:2: 支出 expense: “一万一千元”" in out
    assert "*" not in out


def test_a_hand_written_page_s_personal_data_is_told_once_like_a_record_s(
    in_project: Path,
) -> None:
    """The pages in content/ are published as they are: `sunlight build` names a number in one
    once, in a clerk's file:line form beside the records' problems, and publishes nothing (a
    county built in two shards printed it once a shard, then "分片 1/2, 2/2 生成失败")."""
    code, out = run("build")
    assert code == 0, out
    index = (in_project / "site/index.html").read_bytes()
    notice = in_project / "content/notice.md"
    notice.write_text("# 通知\n\n村民张三家座机 （0539）621-9876\n", encoding="utf-8")
    code, out = run("build")
    assert code == 1
    line = "content/notice.md:3: “0539-***9876”像是没有登记的座机号码。"
    assert out.count("0539-***9876”像是") == 1 and f"\n{line}" in f"\n{out}", out
    assert "记录有错误，网站没有生成，原有网站保持不变。" in out and "分片" not in out
    assert "6219876" not in out.replace("-", "")
    assert (in_project / "site/index.html").read_bytes() == index


def test_a_damaged_publication_log_is_told_once_like_a_record_s(in_project: Path) -> None:
    """Every problem of the publication log that stops a build is told by `sunlight build`
    with the records' and counted with them (it said "发现 0 个错误", then MkDocs printed the
    log's problem as `ERROR -`, once a shard, and the build failed as a MkDocs error)."""
    code, out = run("build")
    assert code == 0, out
    index = (in_project / "site/index.html").read_bytes()
    (in_project / "publication-log.jsonl").write_text("garbage\n", encoding="utf-8")
    code, out = run("build")
    assert code == 1
    assert out.count("这一行不是 JSON。") == 1, out
    assert "发现 1 个错误" in out and "ERROR" not in out and "MkDocs" not in out, out
    assert "记录有错误，网站没有生成，原有网站保持不变。" in out
    assert (in_project / "site/index.html").read_bytes() == index
