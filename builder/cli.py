"""The `sunlight` command: options in, exit code out; the work happens elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import NoVillages

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


def _echo_report(report: object) -> None:
    from .problems import Report, format_report

    assert isinstance(report, Report)
    for line in format_report(report):
        click.echo(line)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sunlight")
def cli() -> None:
    """阳光公开：检查村务记录并生成公开网站。 / Sunlight: check village records and publish them."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@VILLAGES
@click.option("--strict", is_flag=True, help="警告也算错误 / Treat warnings as errors.")
def check(paths: tuple[Path, ...], villages_dir: Path, strict: bool) -> None:
    """检查全部记录（或只检查给定的村/文件）。 / Check every record, or only the given villages or files."""
    from .validate import validate

    result = validate(_villages(villages_dir), Path.cwd(), only=list(paths) if paths else None)
    _echo_report(result.report)
    sys.exit(result.report.exit_code(strict=strict))


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
def build(villages_dir: Path, site_dir: Path, config_file: Path) -> None:
    """检查记录，然后生成网站（出错时原网站不变）。 / Check, then build the site (on failure the old site stays)."""
    import time

    from .site import build_site
    from .validate import validate

    started = time.perf_counter()
    result = validate(_villages(villages_dir), Path.cwd())
    _echo_report(result.report)
    if result.report.has_errors():
        click.echo(
            "记录有错误，网站没有生成，原有网站保持不变。 / Errors found: nothing was published."
        )
        sys.exit(1)
    _log_to_terminal()
    build_site(config_file, site_dir, preloaded=result)
    seconds = time.perf_counter() - started
    click.echo(
        f"网站已生成：{site_dir}/index.html（{seconds:.1f} 秒） / Site built in {site_dir}/ "
        f"({seconds:.1f} s)."
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
def serve(config_file: Path, dev_addr: str) -> None:
    """在本机预览网站，修改记录后自动刷新。 / Preview the site locally; reloads on every change."""
    from .site import serve_site

    _log_to_terminal()
    serve_site(config_file, dev_addr)


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
    from .convert import convert_to_utf8

    for path in files:
        if convert_to_utf8(path):
            click.echo(
                f"{path}: 已从 GBK/GB18030 转为 UTF-8。 / converted from GBK/GB18030 to UTF-8."
            )
        else:
            click.echo(f"{path}: 已经是 UTF-8，未改动。 / already UTF-8, left as it is.")


@cli.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="输出文件夹 / Where to write the records.",
)
@click.option("--villages", "villages", default=600, show_default=True, help="村数 / villages")
@click.option("--months", default=36, show_default=True, help="月数 / months per village")
@click.option("--seed", default=1, show_default=True)
def demo(out_dir: Path, villages: int, months: int, seed: int) -> None:
    """生成一个模拟县的记录，用于测试和压测。 / Generate a synthetic county for tests and benchmarks."""
    from .demo import generate_county

    per_town = 30 if villages >= 30 else villages
    towns = max(1, -(-villages // per_town))
    stats = generate_county(
        out_dir, towns=towns, villages_per_town=per_town, months=months, seed=seed
    )
    click.echo(
        f"已生成 {stats.villages} 个村、{stats.periods} 个公开期。 / "
        f"Wrote {stats.villages} villages, {stats.periods} periods to {out_dir}."
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
    from .export import write_schemas

    for path in write_schemas(out_dir):
        click.echo(str(path))


def main() -> None:
    """Run the CLI; usage errors exit 2, problems 1, success 0."""
    cli(prog_name="sunlight")
