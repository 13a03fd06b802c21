"""The `sunlight` command: options in, exit code out; the work happens elsewhere."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from builder import __version__
from builder.errors import NoVillages
from builder.pipeline.cache import BuildCache

VILLAGES = click.option(
    "--villages",
    "villages_dir",
    default="villages",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="记录文件夹 / The records folder.",
)


def _villages(path: Path) -> Path:
    if not path.is_dir():
        raise NoVillages(str(path))
    return path


def _shown(path: object) -> str:
    """A path the clerk gave, as a message shows it: an ID, card or phone number in a file's
    name masked, as in every problem's location (problems.format_problem)."""
    from builder.format.privacy import mask_text

    return mask_text(str(path))


def _echo_report(report: object, fold: bool = True) -> None:
    from builder.format.problems import Report, format_report

    assert isinstance(report, Report)
    for line in format_report(report, fold):
        click.echo(line)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sunlight")
def cli() -> None:
    """阳光公开：检查村务记录并生成公开网站。 / Sunlight: check village records and publish them."""


NO_CACHE = click.option(
    "--no-cache",
    is_flag=True,
    help="不复用上次的结果（.build/cache），全部重新检查和生成 / Redo everything instead of "
    "reusing unchanged villages' work from .build/cache.",
)


def _cache(no_cache: bool) -> BuildCache | None:
    """The cache of checked villages and rendered pages under the current folder."""
    from builder.pipeline.cache import BuildCache

    return None if no_cache else BuildCache(Path.cwd() / ".build" / "cache")


TODAY = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="按此日期判断逾期、到期（默认：最后一次提交的日期） / Judge lateness as of this date "
    "(default: the last commit's date).",
)


RELATIVES = click.option(
    "--relatives",
    "relatives_file",
    envvar="SUNLIGHT_RELATIVES",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="干部亲属名单（个人信息，放在项目以外；也可用环境变量 SUNLIGHT_RELATIVES），供 R24 使用 / "
    "The relatives roster for R24 (personal data, kept outside the project; or "
    "SUNLIGHT_RELATIVES).",
)


def _roster(path: Path | None) -> tuple[Any, ...]:
    """Read the relatives roster, or stop with its problems (never its content)."""
    if path is None:
        return ()
    from builder.format.problems import Report
    from builder.read.roster import read_roster

    entries, found = read_roster(path, Path.cwd())
    if found:
        report = Report()
        report.extend(found)
        _echo_report(report)
        sys.exit(1)
    return entries


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@VILLAGES
@click.option("--strict", is_flag=True, help="警告也算错误 / Treat warnings as errors.")
@TODAY
@click.option(
    "--since",
    "since_rev",
    metavar="REV",
    default=None,
    help="并与上次发布的版本 REV（CI 用标签 sunlight-published）比较：已公开的内容没有不加更正地改动或删除、"
    "公开记录只在末尾追加、程序没有和已公开的记录一起改 / Also compare with REV, the last published "
    "commit (in CI the tag sunlight-published): nothing published was changed or deleted without a "
    "correction, the publication log only grew, the tool did not change with published records.",
)
@click.option(
    "--site-log",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="线上网站的公开记录（log/publication-log.jsonl 的副本）：本地的公开记录必须保留它的每一行、只在末尾追加"
    "（与 --since 同用；没有已发布的提交可比时也可单独用） / The live site's publication log (a saved "
    "copy): the log here must keep its every line and only grow (with --since, or alone when there "
    "is no published commit to compare with).",
)
@NO_CACHE
def check(
    paths: tuple[Path, ...],
    villages_dir: Path,
    strict: bool,
    today: dt.datetime | None,
    since_rev: str | None,
    site_log: Path | None,
    no_cache: bool,
) -> None:
    """检查全部记录（或只检查给定的村/文件）。 / Check every record, or only the given villages or files."""
    from builder.audit import commands as audit
    from builder.audit.snapshot import china_today
    from builder.pipeline.validate import validate

    if since_rev is not None and paths:
        raise click.UsageError(
            "--since 检查全部记录，不能与文件参数同时使用。 / --since checks every record; give no paths."
        )
    cache = _cache(no_cache)
    result = validate(
        _villages(villages_dir),
        Path.cwd(),
        only=list(paths) if paths else None,
        today=today.date() if today else None,
        cache=cache,
    )
    as_of = today.date() if today else china_today()
    if since_rev is not None:
        result.report.extend(
            audit.since(villages_dir, Path.cwd(), since_rev, result, as_of, site_log)
        )
    else:
        whole = None if paths else cache  # NOTE: the cache keeps only a whole county's
        result.report.extend(audit.log_problems(villages_dir, Path.cwd(), result, as_of, whole))
        if site_log is not None:
            result.report.extend(audit.live_log_problems(villages_dir, Path.cwd(), site_log))
    _echo_report(result.report)
    if result.county is not None:
        milder = [f for f in result.county.flags if f.severity != "error"]
        if milder:
            click.echo(
                f"另有 {len(milder)} 条监督提示（警告或提示，不影响发布），运行 sunlight flags 查看。"
                f" / {len(milder)} more flags (warnings or info): run sunlight flags."
            )
    sys.exit(result.report.exit_code(strict=strict))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=False, path_type=Path))
@VILLAGES
def scan(paths: tuple[Path, ...], villages_dir: Path) -> None:
    """只查个人信息（身份证、银行卡、手机号）和不可见字符，适用于任何文本文件，例如 content/
    里的页面；记录中登记的电话可以出现。 / Scan any text files (e.g. pages in content/) for
    personal data only; the phone numbers the records declare are allowed."""
    from builder.format.problems import Report
    from builder.pipeline.scan import declared_lines, scan_files

    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise click.BadParameter(
            f"找不到“{missing[0]}”。 / {missing[0]} does not exist.", param_hint="PATHS"
        )
    report = Report()
    base = Path.cwd()
    report.extend(scan_files(paths, base, declared_lines(villages_dir, base)))
    _echo_report(report)
    sys.exit(report.exit_code())


@cli.command()
@VILLAGES
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / Print JSON.")
@click.option(
    "--severity",
    type=click.Choice(["error", "warning", "info"]),
    default="info",
    show_default=True,
    help="只列出此级别及更严重的 / Only flags at this level or graver.",
)
@click.option(
    "--by",
    "by",
    type=click.Choice(["village"]),
    default=None,
    help="按村汇总：每个乡镇里各村的提示条数和规则，多的在前 / Count the flags per village and "
    "rule, town by town, most first.",
)
@TODAY
@NO_CACHE
@RELATIVES
def flags(
    villages_dir: Path,
    as_json: bool,
    severity: str,
    by: str | None,
    today: dt.datetime | None,
    no_cache: bool,
    relatives_file: Path | None,
) -> None:
    """列出全部监督提示（规则见网站“监督规则”页）。 / List every supervision flag.

    记录有错误时先列出错误；有错误级提示时退出码为 1。 / Exits 1 when records have errors or
    a flag is error-level.
    """
    from builder.pipeline.validate import validate
    from builder.rules import at_least, flags_json, format_by_village, format_flags

    roster = _roster(relatives_file)
    result = validate(
        _villages(villages_dir),
        Path.cwd(),
        today=today.date() if today else None,
        cache=_cache(no_cache),
        roster=roster,
    )
    if result.county is None:
        _echo_report(result.report)
        click.echo("记录有错误，无法计算监督提示。 / The records have errors; no flags computed.")
        sys.exit(1)
    county = result.county
    shown = at_least(county.flags, severity)
    if as_json:
        lines = [flags_json(shown, county.as_of)]
    elif by == "village":
        lines = format_by_village(county, shown, county.as_of)
    else:
        lines = format_flags(shown, county.as_of)
    for line in lines:
        click.echo(line)
    sys.exit(1 if any(f.severity == "error" for f in county.flags) else 0)


@cli.command()
@VILLAGES
@click.option(
    "--site-dir",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="网站输出文件夹 / Where the site goes.",
)
@click.option(
    "--config-file",
    "-f",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@NO_CACHE
@RELATIVES
@click.option(
    "--shard",
    "shard_text",
    metavar="K/N",
    default=None,
    help="只生成第 K 个分片（共 N 个），之后用 sunlight merge 合并 / Build only shard K of N "
    "into --site-dir, to be joined by sunlight merge.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="网站上的“截至”日期，按此判断逾期（默认：今天，北京时间；同一天生成的网站相同） / "
    "The site's as-of date, for lateness (default: today, UTC+8; the same day gives the same site).",
)
def build(
    villages_dir: Path,
    site_dir: Path,
    config_file: Path,
    no_cache: bool,
    relatives_file: Path | None,
    shard_text: str | None,
    today: dt.datetime | None,
) -> None:
    """检查记录，然后生成网站（出错时原网站不变）。 / Check, then build the site (on failure the old site stays)."""
    import time

    from builder.pipeline.validate import validate
    from builder.publish.build import build_partial, build_site
    from builder.publish.shards import Shard

    try:
        shard = Shard.parse(shard_text) if shard_text is not None else None
    except ValueError:
        raise click.BadParameter(
            f"“{shard_text}”应写成 K/N，例如 2/3。 / Write it as K/N, e.g. 2/3.",
            param_hint="--shard",
        ) from None
    from builder.audit.snapshot import china_today

    started = time.perf_counter()
    cache = _cache(no_cache)
    # NOTE: as of the day the build runs (UTC+8), so a daily rebuild moves every clock on;
    # the same records and the same --today give the same site.
    as_of = today.date() if today else china_today()
    result = validate(
        _villages(villages_dir),
        Path.cwd(),
        cache=cache,
        roster=_roster(relatives_file),
        today=as_of,
    )
    if result.county is not None and not result.report.has_errors():
        from builder.audit import commands as audit
        from builder.format.problems import Severity

        # no path publishes a silent edit (an uncorrected change of a logged period) or a
        # damaged log: told here with the records' problems, once, as of the build's day (the
        # plugin, given the result, does not check again: see Result.published_checked)
        result.report.extend(
            p
            for p in audit.log_problems(_villages(villages_dir), Path.cwd(), result, as_of, cache)
            if p.severity is Severity.ERROR
        )
        # the hand-written pages are published as they are: scanned here, so that a problem in
        # one is told once, with the records' (a county built in two shards printed each twice
        # when every shard's plugin scanned them again)
        from builder.pipeline.scan import scan_files
        from builder.publish.build import docs_folder
        from builder.publish.site import lines

        docs = docs_folder(config_file)
        if docs is not None and docs.is_dir():
            base = config_file.resolve().parent
            result.report.extend(scan_files([docs], base, lines(result.county)))
        result = dataclasses.replace(result, published_checked=as_of)
    _echo_report(result.report)
    if result.report.has_errors():
        click.echo(
            "记录有错误，网站没有生成，原有网站保持不变。 / Errors found: nothing was published."
        )
        sys.exit(1)
    _log_to_terminal()
    from builder.audit.drafts import drafts, public

    if result.county is not None:
        for village, period in drafts(result.county, _villages(villages_dir)):
            click.echo(
                f"草稿（尚未记入公开记录，不上网站）：{village.name} {period.period} / "
                f"Draft, not on the site: {village.town_slug}/{village.slug} {period.period}"
            )
        result = public(result, _villages(villages_dir))
    if shard is not None:
        build_partial(config_file, site_dir, shard, preloaded=result)
        click.echo(
            f"分片 {shard.index}/{shard.count} 已生成：{site_dir}/，请用 sunlight merge 合并。 / "
            f"Shard {shard.index}/{shard.count} built in {site_dir}/: join with sunlight merge."
        )
        return
    build_site(config_file, site_dir, preloaded=result, cache=cache)
    seconds = time.perf_counter() - started
    click.echo(
        f"网站已生成：{site_dir}/index.html（{seconds:.1f} 秒） / Site built in {site_dir}/ "
        f"({seconds:.1f} s)."
    )


@cli.command()
@click.argument(
    "parts", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--site-dir",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="合并后的网站文件夹 / Where the joined site goes.",
)
def merge(parts: tuple[Path, ...], site_dir: Path) -> None:
    """合并 sunlight build --shard 生成的各分片（分片文件夹会被移空）。 / Join the shards
    that sunlight build --shard wrote (their folders are emptied)."""
    from builder.publish.build import merge_site

    merge_site(list(parts), site_dir)
    click.echo(
        f"网站已合并：{site_dir}/index.html（{len(parts)} 个分片） / Joined {len(parts)} shards "
        f"into {site_dir}/."
    )


@cli.command()
@click.option(
    "--config-file",
    "-f",
    default="mkdocs.yml",
    show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True)
@click.argument("villages", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
def serve(config_file: Path, dev_addr: str, villages: tuple[Path, ...]) -> None:
    """在本机预览网站，修改记录后自动刷新；给出村文件夹时只预览这些村（更快）。 / Preview the
    site locally; reloads on every change. Given village folders, only those villages (faster).
    """
    from builder.publish.build import serve_site

    _log_to_terminal()
    serve_site(config_file, dev_addr, list(villages) or None)


def _log_to_terminal() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@cli.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def convert(files: tuple[Path, ...]) -> None:
    """把 GBK/GB18030 编码的文件转成 UTF-8（原地，不丢内容）。 / Re-encode GBK files to UTF-8 in place."""
    from builder.read.convert import convert_to_utf8

    for path in files:
        if convert_to_utf8(path):
            click.echo(
                f"{_shown(path)}: 已从 GBK/GB18030 转为 UTF-8。 / converted from GBK/GB18030 to "
                "UTF-8."
            )
        else:
            click.echo(f"{_shown(path)}: 已经是 UTF-8，未改动。 / already UTF-8, left as it is.")


@cli.command()
@click.argument("old", metavar="[A]", required=False)
@click.argument("new", metavar="[B]", required=False)
@VILLAGES
@click.option(
    "--json", "as_json", is_flag=True, help="输出 JSON（供程序使用） / Print JSON for tools."
)
def diff(old: str | None, new: str | None, villages_dir: Path, as_json: bool) -> None:
    """逐项比较两个版本的记录（默认：最后一次提交）；B 写“.”表示未提交的工作区。 / Compare the
    records of two revisions field by field (default: the last commit; B "." is the working tree).
    """
    import json

    from builder.audit import commands as audit
    from builder.audit.diff import content_changes

    result = audit.diff(_villages(villages_dir), Path.cwd(), old, new)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.old.label} → {result.new.label}")
    for change in result.changes:
        click.echo(change.text)
    moved = content_changes(result.changes)
    click.echo(
        f"共 {len(moved)} 处内容变化。 / {len(moved)} changes of content."
        if moved
        else "记录内容无变化。 / No change of content."
    )


@cli.command()
@click.argument("target", required=False)
@VILLAGES
@click.option(
    "--site",
    "site_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="核对整个已生成的网站 / Check a whole built site against the records.",
)
@click.option(
    "--log",
    "saved_log",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="核对公开记录是否为保存的副本的延续 / Check the log still extends a saved copy.",
)
def verify(
    target: str | None, villages_dir: Path, site_dir: Path | None, saved_log: Path | None
) -> None:
    """离线核对：指纹（或二维码里的链接）、整个网站、公开记录是否与记录一致。 / Check offline
    that a fingerprint (or a QR code's link), a built site or the publication log matches the
    records.
    """
    from builder.audit import commands as audit
    from builder.pipeline.validate import validate
    from builder.publish.verify import verify_site

    if (target is None) + (site_dir is None) + (saved_log is None) != 2:
        raise click.UsageError(
            "请给出一个指纹或链接、--site 或 --log 其中之一。 / Give one of: a fingerprint or "
            "link, --site DIR, --log FILE."
        )
    villages_dir = _villages(villages_dir)
    if saved_log is not None:
        verdict = audit.verify_log(villages_dir, saved_log)
    else:
        result = validate(villages_dir, Path.cwd())
        if result.county is None:
            _echo_report(result.report)
            click.echo(
                "记录有错误，无法核对。 / The records have errors; nothing to verify against."
            )
            sys.exit(1)
        if site_dir is not None:
            verdict = verify_site(result.county, villages_dir, site_dir)
        else:
            assert target is not None
            verdict = audit.verify_fingerprint(result.county, villages_dir, target)
    for line in verdict.lines:
        click.echo(line)
    sys.exit(0 if verdict.ok else 1)


@cli.group("log")
def log_group() -> None:
    """公开记录（指纹链，publication-log.jsonl）。 / The publication log (a hash chain)."""


def _updated_log(villages_dir: Path, result: Any, day: dt.date, upgrade: bool) -> list[Any]:
    """`log update`'s entries appended, or its refusal told and the exit."""
    from builder.audit import commands as audit

    try:
        return audit.update_log(villages_dir, result, day, upgrade)
    except audit.UncorrectedEdit as refused:
        result.report.extend(refused.found)
        _echo_report(result.report)
        click.echo(
            "已公开的期间被改动但没有更正记录，公开记录没有更新。请运行 sunlight correct 记录更正。 / "
            'Published periods were edited without a correction: the log was not updated. Run "sunlight correct".'
        )
        sys.exit(1)


@log_group.command("update")
@VILLAGES
@TODAY
@click.option(
    "--upgrade",
    is_flag=True,
    help="也为只以 v1 指纹记入的期间追加 v2 条目（内容不变），此后打印的公示带记录树头。 / "
    "Also append v2 entries for periods logged only under fingerprint v1 (content unchanged), "
    "so their newly printed sheets carry a tree head.",
)
def log_update(villages_dir: Path, today: dt.datetime | None, upgrade: bool) -> None:
    """为新公开或新更正的期间在公开记录末尾追加条目。 / Append entries for newly published or
    corrected periods to the publication log."""
    from builder.audit import commands as audit
    from builder.audit.fingerprint import known_fingerprints
    from builder.audit.snapshot import china_today
    from builder.pipeline.validate import validate

    villages_dir = _villages(villages_dir)
    result = validate(villages_dir, Path.cwd())
    if result.county is None or result.report.errors:
        _echo_report(result.report)
        click.echo("记录有错误，公开记录没有更新。 / Errors found: the log was not updated.")
        sys.exit(1)
    day = today.date() if today else china_today()
    # NOTE: every period's fingerprint once, in two processes, for both steps; again only
    # where assistance rows were just salted (the files changed)
    with known_fingerprints(list(result.county.villages())):
        salted = audit.salt_new_periods(villages_dir, result, day)
        if not salted:
            added = _updated_log(villages_dir, result, day, upgrade)
    if salted:
        result = validate(villages_dir, Path.cwd())
        for salted_path in salted:
            click.echo(
                f"已为救助公示各行添加校验码：{salted_path} / Salted the rows of {salted_path}."
            )
        assert result.county is not None
        with known_fingerprints(list(result.county.villages())):
            added = _updated_log(villages_dir, result, day, upgrade)
    for e in added:
        why = "（v1 指纹升级为 v2 / restated as v2）" if e.upgraded_from else ""
        click.echo(f"{e.seq}: {e.village} {e.period} {e.fingerprint[:32]}{why}")
    path = audit.log_path(villages_dir).name
    click.echo(
        f"已追加 {len(added)} 条，请把 {path} 与记录一起提交。 / Appended {len(added)} entries; "
        f"commit {path} with the records."
        if added
        else f"{path} 已是最新。 / {path} is up to date."
    )
    _sign(villages_dir)


def _sign(villages_dir: Path) -> None:
    """Sign the log's tree head when the log's private key is in the environment."""
    from builder.audit import commands as audit
    from builder.audit import tlog
    from builder.audit.checkpoint import NoteError

    try:
        signer = tlog.signer_from_env()
        if signer is None:
            click.echo(
                f"没有设置 {tlog.KEY_ENV} 或 {tlog.KEY_FILE_ENV}，记录树头未签名（由 CI 签名）。 / "
                f"No {tlog.KEY_ENV} or {tlog.KEY_FILE_ENV}: the tree head was not signed."
            )
            return
        text = audit.sign_log(villages_dir, signer)
    except (NoteError, OSError) as err:
        click.echo(f"记录树头无法签名：{err} / The tree head was not signed: {err}")
        sys.exit(1)
    if text is None:
        click.echo(f"{tlog.CHECKPOINT_NAME} 已是最新。 / {tlog.CHECKPOINT_NAME} is up to date.")
    else:
        size = text.split("\n")[1]
        click.echo(
            f"已签名记录树头（{size} 条），请提交 {tlog.CHECKPOINT_NAME}。 / Signed the tree head "
            f"({size} entries); commit {tlog.CHECKPOINT_NAME}."
        )


@log_group.command("sign")
@VILLAGES
def log_sign(villages_dir: Path) -> None:
    """用 SUNLIGHT_LOG_KEY（或 SUNLIGHT_LOG_KEY_FILE）签名当前的记录树头；已有的哈希链第一次
    签名即完成迁移。 / Sign the current tree head with the log's key (the first signature is the
    whole migration of an existing hash-chained log)."""
    _sign(_villages(villages_dir))


@log_group.command("keygen")
@VILLAGES
@click.option(
    "--name", required=True, help="公开记录的名称（origin），如 sunlight.example.gov.cn/log"
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="私钥写到这里（仓库之外！） / Where to write the private key (outside the repository!).",
)
def log_keygen(villages_dir: Path, name: str, out: Path) -> None:
    """生成公开记录的签名密钥：公钥写入 log-key.pub，私钥写入 --out。 / Make the log's key pair."""
    from builder.audit import checkpoint as cp
    from builder.audit import commands as audit

    villages_dir = _villages(villages_dir)
    if out.exists():
        raise click.UsageError(f"{out} 已存在，不覆盖。 / {out} exists; not overwriting.")
    signer = cp.generate(name)
    out.touch(mode=0o600)
    out.write_text(signer.text() + "\n", encoding="utf-8")
    pub = audit.tlog_files(villages_dir).key
    pub.write_text(signer.verifier().text() + "\n", encoding="utf-8")
    click.echo(f"公钥 / public key: {pub}\n{signer.verifier().text()}")
    click.echo(
        f"私钥在 {out}：把它的内容存为 CI 的机密 SUNLIGHT_LOG_KEY，不要提交到仓库。 / The private "
        f"key is in {out}: store it as the CI secret SUNLIGHT_LOG_KEY; never commit it."
    )


@log_group.command("cosign")
@VILLAGES
@click.argument("cosigned", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def log_cosign(villages_dir: Path, cosigned: Path) -> None:
    """把见证人发来的见证签名加到记录树头上。 / Add the cosignatures a witness sent."""
    from builder.audit import commands as audit
    from builder.audit import tlog
    from builder.audit.checkpoint import NoteError

    try:
        added = tlog.add_cosignatures(
            audit.tlog_files(_villages(villages_dir)), cosigned.read_text(encoding="utf-8")
        )
    except (NoteError, ValueError) as err:
        click.echo(f"见证签名没有加上：{err} / Cosignatures not added: {err}")
        sys.exit(1)
    click.echo(
        f"已加上 {len(added)} 个见证签名：{'、'.join(added) or '无'}。 / Added {len(added)} "
        "cosignatures."
    )


@log_group.command("show")
@VILLAGES
@click.argument("village")
@click.argument("period")
@click.option(
    "--since",
    "since",
    default=None,
    metavar="CHECKPOINT|SIZE:ROOT",
    help="并核对现在的记录是您保存的记录树头（文件，或 条数:根哈希）的延续 / Also check the log "
    "extends a head you kept (a checkpoint file, or SIZE:ROOTHEX).",
)
def log_show(villages_dir: Path, village: str, period: str, since: str | None) -> None:
    """审计：这个村这一期公开过什么、何时公开、之后有没有改过——只凭公开记录回答。 / An auditor's
    answer from the log alone: what was published for VILLAGE and PERIOD, when, and whether any
    of it changed since."""
    from builder.audit import commands as audit

    verdict = audit.show_period(_villages(villages_dir), village, period, since)
    for line in verdict.lines:
        click.echo(line)
    sys.exit(0 if verdict.ok else 1)


@cli.group("witness")
def witness_group() -> None:
    """见证人：记下见过的记录树头，只为“只增不改”的公开记录签名。 / A witness: remember the
    log's checkpoints and cosign only a log that grew without rewriting."""


WITNESS_DIR = click.option(
    "--dir",
    "state_dir",
    default="sunlight-witness",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="见证人自己保管的文件夹（状态文件和私钥） / The witness's own folder (state and key).",
)


@witness_group.command("init")
@WITNESS_DIR
@click.option("--name", required=True, help="见证人名称，如 chengguan.jiwei.example/witness")
@click.argument("log_key")
def witness_init(state_dir: Path, name: str, log_key: str) -> None:
    """开始见证一个公开记录：LOG_KEY 是县里公布的 log-key.pub（文件或网址）。 / Start witnessing
    a log whose public key (file or URL) is LOG_KEY."""
    from builder.audit import commands as audit
    from builder.audit.checkpoint import NoteError

    try:
        vkey = audit.witness_init(state_dir, name, log_key)
    except (NoteError, OSError, ValueError) as err:
        click.echo(f"无法开始见证：{err} / Cannot start witnessing: {err}")
        sys.exit(1)
    click.echo(
        f"见证人公钥（发给县里，写进 log-witnesses.txt） / the witness's public key:\n{vkey}"
    )


@witness_group.command("run")
@WITNESS_DIR
@click.argument("source")
def witness_run(state_dir: Path, source: str) -> None:
    """核对 SOURCE（网站的 log/ 网址，或有公开记录的文件夹）并签名见证。 / Check the log at
    SOURCE (the site's log/ address or a folder) against what this witness saw; cosign it."""
    from builder.audit import commands as audit
    from builder.audit.checkpoint import NoteError

    try:
        outcome = audit.witness_run(state_dir, source)
    except (NoteError, OSError, ValueError) as err:
        click.echo(f"无法见证：{err} / Cannot witness: {err}")
        sys.exit(1)
    for line in outcome.lines:
        click.echo(line)
    sys.exit(0 if outcome.ok else 1)


def _village_of(villages_dir: Path, typed: str) -> object:
    from builder.clerk.village import VillageNotFound, find_village

    try:
        return find_village(_villages(villages_dir), Path.cwd(), typed)
    except VillageNotFound as exc:
        choices = "、".join(exc.choices[:20]) or "（无）"
        raise click.BadParameter(
            f"找不到村“{typed}”。可以写：{choices}。 / No village {typed!r}; one of: {choices}.",
            param_hint="VILLAGE",
        ) from None


def _period_arg(period: str) -> str:
    from builder.clerk.village import valid_period

    if not valid_period(period):
        raise click.BadParameter(
            f"“{period}”应写成 年-月，例如 2026-11。 / Write the period as YYYY-MM, e.g. 2026-11.",
            param_hint="PERIOD",
        )
    return period


@cli.command("new")
@click.argument("village")
@click.argument("period")
@VILLAGES
def new_period(village: str, period: str, villages_dir: Path) -> None:
    """新建一个月的公开文件夹：期初余额取上月期末，拟稿人、审核人取自 village.yml。 / Start
    a month: its folder, opening balances from last month, drafter and reviewer filled in."""
    from builder.clerk.scaffold import PeriodExists, scaffold_period
    from builder.clerk.village import Village

    found = _village_of(villages_dir, village)
    assert isinstance(found, Village)
    period = _period_arg(period)
    try:
        written = scaffold_period(found, period)
    except PeriodExists:
        click.echo(
            f"{found.rel} {period} 已经存在，没有改动。要填写它，请运行 sunlight workbook {found.rel} {period}。"
            f" / {period} already exists; nothing changed."
        )
        sys.exit(1)
    for path in written:
        click.echo(
            f"已创建 / created: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
        )
    click.echo(
        "下一步 / Next:\n"
        f"  1. sunlight workbook {found.rel} {period}      生成本月表格（Excel/WPS） / make the workbook\n"
        f"  2. 在 Excel 或 WPS 中填写表格并保存 / fill it in and save\n"
        f"  3. sunlight import workbooks/{found.files.slug}-{period}.xlsx   导入并检查 / import and check\n"
        f"  4. sunlight serve villages/{found.rel}        预览 / preview at http://127.0.0.1:8000\n"
        f'  5. git add villages/{found.rel}/{period} && git commit -m "{found.rel} {period}"   提交 / commit'
    )


@cli.command("workbook")
@click.argument("village")
@click.argument("period")
@VILLAGES
@click.option(
    "--out",
    "out_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="表格保存位置（默认 workbooks/村-年-月.xlsx） / Where to save the workbook.",
)
def workbook_cmd(village: str, period: str, villages_dir: Path, out_path: Path | None) -> None:
    """生成一个月的 Excel/WPS 表格（下拉列表、日期和金额格式、填写说明；已有记录会填入）。 /
    Write a month's workbook for Excel or WPS, with the month's records if it has any."""
    from builder.clerk.village import Village
    from builder.clerk.workbook import write_workbook

    found = _village_of(villages_dir, village)
    assert isinstance(found, Village)
    period = _period_arg(period)
    out = out_path or Path("workbooks") / f"{found.files.slug}-{period}.xlsx"
    write_workbook(found, period, out, out.as_posix())
    click.echo(
        f"已生成表格 / workbook written: {_shown(out)}\n"
        f"用 Excel 或 WPS 打开填写，保存后运行 / fill it in, save, then run:\n"
        f"  sunlight import {_shown(out.as_posix())}"
    )


@cli.command("import")
@click.argument("workbook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", nargs=-1)
@VILLAGES
@TODAY
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="已公开月份的更正日期（默认：表格“更正”表，或今天） / A published month's correction date.",
)
@click.option("--reason", default=None, help="已公开月份的更正原因 / A published month's reason.")
@click.option(
    "--approver", default=None, help="已公开月份的更正批准人 / Who approved the correction."
)
@click.option("--yes", is_flag=True, help="不提问、不确认 / Ask nothing, confirm nothing.")
def import_cmd(
    workbook: Path,
    target: tuple[str, ...],
    villages_dir: Path,
    today: dt.datetime | None,
    day: dt.datetime | None,
    reason: str | None,
    approver: str | None,
    yes: bool,
) -> None:
    """导入填好的表格（.xlsx，也可 .xls/.et）：逐格检查，计算期末余额，写入该月的记录文件；
    已公开的月份按更正处理（写更正记录、结转余额、更新公开记录）；有错误时不改动任何文件。
    收支明细的 CSV 文件要写明村和月份：sunlight import 明细.csv chengguan/dongshan 2026-11。 /
    Import a filled-in workbook: check every cell, compute the closing balances, write the
    month's files; a published month is corrected (entry, carried balances, log); on any error
    nothing changes. A ledger CSV needs the village and month after it."""
    from builder.clerk.imports import Answers, import_workbook
    from builder.format.problems import Report
    from builder.read.workbook import CSV_SUFFIXES

    is_csv = workbook.suffix.lower() in CSV_SUFFIXES
    if target and (not is_csv or len(target) != 2):
        raise click.UsageError(
            "只有 CSV 文件要在文件名后写村和月份（两项，例如 chengguan/dongshan 2026-11）；"
            "表格的“签字”表已写明。 / Only a CSV takes a village and a month after it."
        )

    given = Answers()
    for key, value in (
        ("date", day.date().isoformat() if day else None),
        ("reason", reason),
        ("approved_by", approver),
    ):
        if value:
            given.values[key] = value
    asked: list[bool] = []
    interactive = not yes and sys.stdin.isatty()
    result = import_workbook(
        workbook,
        _villages(villages_dir),
        Path.cwd(),
        today.date() if today else None,
        given,
        _ask_correction(asked, today) if interactive else None,
        (target[0], target[1]) if target else None,
    )
    if not asked:
        _echo_read(result)
    fix = result.correction
    if fix is not None and fix.changes and not asked:
        _echo_changes(fix.changes)
    report = Report()
    report.extend(result.problems)
    if result.problems:
        _echo_report(report, fold=False)  # every cell named: the clerk fixes them in one pass
    if not result.ok:
        fix_where = (
            "在表格中改正上面列出的格子"
            if any(p.where.cell for p in result.problems)
            else "按上面的说明改正"
        )
        click.echo(
            f"有错误，没有写入任何文件。请{fix_where}后重新导入。 / Nothing was written: fix the cells above and import again."
        )
        sys.exit(1)
    if fix is not None and fix.nothing:
        click.echo(
            f"{result.village} {result.period} 已公开，表格内容与公开记录中的版本相同：没有改动，"
            "没有写入任何文件。 / The month is as published: nothing changed, nothing written."
        )
        return
    if result.closing is not None:
        click.echo(
            f"期末余额（按结算方式计算） / closing: 库存现金 cash {result.closing[0]}，银行存款 bank {result.closing[1]}"
        )
    for rel in result.written:
        click.echo(f"已写入 / written: {rel}")
    for rel in result.unchanged:
        click.echo(f"未变 / unchanged: {rel}")
    if fix is not None:
        _echo_correction(result.village, result.period, fix)
        return
    # a register (contracts.csv, decisions.yml, topics.yml) lies beside the period's folder
    period_dir = f"villages/{result.village}/{result.period}"
    add = (
        period_dir
        if all(r.startswith(period_dir + "/") for r in result.written)
        else f"villages/{result.village}"
    )
    click.echo(
        f"检查通过。下一步：sunlight serve villages/{result.village} 预览，然后 git add {add} 并提交。"
        f" / Checked. Preview with sunlight serve, then commit."
    )


def _echo_read(result: Any) -> None:
    """What an import read: the workbook, what was converted, the rows in and out."""
    where = f"（{result.village} {result.period}）" if result.village else ""
    click.echo(f"读取 / reading {_shown(result.workbook)}{where}")
    if result.notes:
        click.echo("已自动转换 / converted:")
        for note in result.notes:
            click.echo(f"  {note}")
    for count in result.counts:
        skipped = f"；跳过 {'、'.join(count.skipped)}" if count.skipped else ""
        mark = "✓" if count.rows_in == count.rows_out else "✗"
        click.echo(
            f"  {mark} {count.sheet}：读入 {count.rows_in} 行 → {count.where} {count.rows_out} 行{skipped}"
            f" / {count.rows_in} rows in, {count.rows_out} out"
        )


def _echo_changes(changes: list[str]) -> None:
    click.echo(
        "本月已公开，导入按更正处理。与公开时相比的改动： / Published: changes since publication:"
    )
    for text in changes:
        click.echo(f"  {text}")


def _echo_correction(village: str, period: str, fix: Any) -> None:
    """What importing into a published month wrote: the entry, the carried months, the log."""
    from builder.clerk.imports import ANSWER_OPTIONS

    words = {"date": "日期", "reason": "原因", "approved_by": "批准人"}
    said = []
    for key in ANSWER_OPTIONS:
        origin = fix.answers.origin.get(key) or ("今天" if key == "date" else "回答")
        said.append(f"{words[key]} {fix.answers.values.get(key, '')}（{origin}）")
    click.echo(f"更正：{'，'.join(said)} / correction: date, reason, approver")
    for rel in fix.carried:
        click.echo(f"已把余额的变化结转到 / carried the balance change into: {rel}")
    for rel in fix.entries:
        click.echo(f"已写入更正记录 / correction entry written: {rel}")
    for line in fix.logged:
        click.echo(f"公开记录 / log: {line}")
    click.echo(
        f"检查通过，公开记录已追加 {len(fix.logged)} 条。下一步：sunlight check，然后 "
        f"git add villages/{village} publication-log.jsonl 并提交"
        f'（git commit -m "{village} {period} 更正"）。 / Checked and logged: commit the '
        "records with the log."
    )


def _ask_correction(asked: list[bool], today: dt.datetime | None) -> Any:
    """The questions of a correction, asked in the terminal for what is still missing."""
    from builder.audit.corrections import is_real_reason
    from builder.audit.snapshot import china_today
    from builder.clerk.imports import Answers

    def ask(plan: Any, answers: Answers, so_far: Any) -> Answers:
        asked.append(True)
        _echo_read(so_far)
        _echo_changes([c.text for month in plan.months for c in month.changes])
        if not click.confirm("这些改动都对吗？ / Are these the changes?", default=True):
            raise click.Abort()
        values, origin = dict(answers.values), dict(answers.origin)
        if not values.get("date"):
            default = (today.date() if today else china_today()).isoformat()
            day = click.prompt(
                "更正日期（年-月-日） / Date",
                default=default,
                type=click.DateTime(formats=["%Y-%m-%d"]),
            )
            values["date"], origin["date"] = day.date().isoformat(), "回答"
        while not values.get("reason"):
            typed = click.prompt("更正原因（一句完整的话，说清哪里错了、为什么改） / Reason")
            if is_real_reason(typed):
                values["reason"], origin["reason"] = typed, "回答"
            else:
                click.echo(
                    "请写清楚哪一行错了、原来是多少、应为多少，例如“第3行保洁员工资录入错误，120.00 应为 12.00”。"
                    " / Say which line was wrong, what it was and what it should be."
                )
        if not values.get("approved_by"):
            names = plan.supervisors(dt.date.fromisoformat(values["date"]))
            values["approved_by"] = click.prompt(
                f"批准人（{values['date']} 在任的村务监督委员会成员：{'、'.join(names) or '无'}） / Approver",
                type=click.Choice(names) if names else str,
            )
            origin["approved_by"] = "回答"
        return Answers(values, origin)

    return ask


@cli.command()
@click.argument("village")
@click.argument("period")
@VILLAGES
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="更正日期（默认今天） / The correction's date (default: today).",
)
@click.option("--reason", default=None, help="更正原因 / Why.")
@click.option("--approver", default=None, help="批准人（村务监督委员会成员） / Who approved it.")
@click.option("--yes", is_flag=True, help="不再确认 / Do not ask to confirm.")
def correct(
    village: str,
    period: str,
    villages_dir: Path,
    day: dt.datetime | None,
    reason: str | None,
    approver: str | None,
    yes: bool,
) -> None:
    """更正已公开的一期：先改好记录，再回答几个问题，自动写更正记录并更新公开记录。 /
    Correct a published month: edit the records, answer a few questions; the correction entry
    and the log are written for you."""
    from builder.audit import commands as audit
    from builder.audit import correct as flow
    from builder.audit.snapshot import china_today
    from builder.format.problems import Report

    villages_dir = _villages(villages_dir)
    started = flow.start(villages_dir, Path.cwd(), village, period)
    for path in started.carried:
        click.echo(f"已把余额的变化结转到：{path} / Carried the balance change into {path}.")
    if started.plan is None:
        _echo_report(started.result.report)
        click.echo("记录有错误，请先改正，再运行 sunlight correct。 / Fix the errors first.")
        sys.exit(1)
    plan = started.plan
    click.echo(f"{plan.village.name} 与公开时相比的改动： / Changes since publication:")
    for month in plan.months:
        for change in month.changes:
            click.echo(f"  {change.text}")
    if not yes and not click.confirm("这些改动都对吗？ / Are these the changes?", default=True):
        sys.exit(1)
    when = day.date() if day else china_today()
    from builder.audit.corrections import is_real_reason

    while reason is None:
        reason = click.prompt("更正原因（一句完整的话，说清哪里错了、为什么改） / Reason")
        if not is_real_reason(reason):
            click.echo(
                "请写清楚哪一行错了、原来是多少、应为多少，例如“第3行保洁员工资录入错误，120.00 应为 12.00”。"
                " / Say which line was wrong, what it was and what it should be."
            )
            reason = None
    if approver is None:
        names = plan.supervisors(when)
        approver = click.prompt(
            f"批准人（{when.isoformat()} 在任的村务监督委员会成员：{'、'.join(names) or '无'}） / Approver",
            type=click.Choice(names) if names else str,
        )
    done = flow.finish(villages_dir, Path.cwd(), plan, when, reason, approver)
    if done.problems:
        report = Report()
        report.extend(done.problems)
        _echo_report(report)
        click.echo("更正记录没有写入。 / Nothing was written.")
        sys.exit(1)
    for path in done.written:
        click.echo(f"已写入更正记录：{path} / Wrote the correction into {path}.")
    assert done.result is not None
    if done.result.county is None or done.result.report.errors:
        _echo_report(done.result.report)
        sys.exit(1)
    added = done.added
    click.echo(
        f"公开记录已追加 {len(added)} 条。请把改动和 {audit.log_path(villages_dir).name} 一起提交。 / "
        f"Appended {len(added)} log entries; commit them with the records."
    )


@cli.command("schema")
@click.option(
    "--out",
    "out_dir",
    default="content/schema",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
)
def schema_cmd(out_dir: Path) -> None:
    """导出 JSON Schema 与 Table Schema。 / Write the format as JSON Schema and Table Schema files."""
    import json

    from builder.audit.diff import diff_schema
    from builder.format.export import write_schemas

    for path in write_schemas(out_dir):
        click.echo(str(path))
    # the interface of `sunlight diff --json`, versioned like the format
    diff_path = out_dir / "diff.schema.json"
    diff_path.write_text(
        json.dumps(diff_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    click.echo(str(diff_path))


def main() -> None:
    """Run the CLI; usage errors exit 2, problems 1, success 0."""
    cli(prog_name="sunlight")
