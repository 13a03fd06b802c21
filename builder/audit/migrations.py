"""A village's identity is stable: a new area code or folder is a declared migration.

`migrations.yml` sits beside `villages/` and the publication log, committed with the change::

    - date: 2026-12-12
      reason: 区划代码调整，按县民政局2026年12月通知
      from: {code: "371322101201", folder: chengguan/dongshan}
      to: {code: "371322101299", folder: chengguan/dongshan-cun}

`check --since` then holds the new village to the old one's published periods (same records,
or corrections), and the site writes a redirect page at every old address — the village, its QR
page and each period with its print sheet — so printed QR codes keep working. A code or folder
that changes without a declaration counts as deleting the village's published periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path

import yaml

from builder import model

FILE_NAME = "migrations.yml"


@dataclass(frozen=True)
class Migration:
    date: dt.date
    reason: str
    old_code: str
    old_folder: str
    new_code: str
    new_folder: str


def parse(text: str | None) -> list[Migration]:
    """Read migrations.yml (entries that are not well-formed are left out; check reports them)."""
    if not text:
        return []
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    out = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        old, new = item.get("from") or {}, item.get("to") or {}
        day = item.get("date")
        if not isinstance(old, dict) or not isinstance(new, dict) or not isinstance(day, dt.date):
            continue
        out.append(
            Migration(
                day,
                str(item.get("reason", "")),
                str(old.get("code", "")),
                str(old.get("folder", "")).strip("/"),
                str(new.get("code", "")),
                str(new.get("folder", "")).strip("/"),
            )
        )
    return out


def read(villages_dir: Path) -> list[Migration]:
    """The migrations declared beside villages_dir."""
    path = villages_dir.resolve().parent / FILE_NAME
    return parse(path.read_text(encoding="utf-8") if path.is_file() else None)


def chain(migrations: list[Migration], code: str, folder: str) -> list[Migration]:
    """The declared migrations that lead on from a village (code, folder), in order."""
    seen = set()
    steps: list[Migration] = []
    while (code, folder) not in seen:
        seen.add((code, folder))
        step = next(
            (m for m in migrations if m.old_code == code and m.old_folder in ("", folder)), None
        )
        if step is None:
            break
        steps.append(step)
        code, folder = step.new_code, step.new_folder or folder
    return steps


def successor(migrations: list[Migration], code: str, folder: str) -> tuple[str, str] | None:
    """Where a village (code, folder) went, following a chain of migrations; None if nowhere."""
    steps = chain(migrations, code, folder)
    for step in steps:
        code, folder = step.new_code, step.new_folder or folder
    return (code, folder) if steps else None


def redirect_page(target: str, title: str) -> bytes:
    """A plain page that sends the browser on to target (relative), query string kept."""
    href = escape(target, quote=True)
    return (
        "<!doctype html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        '<meta name="sunlight-redirect" content="migration">\n'
        f"<title>{escape(title)}（已迁移）</title>\n"
        "<script>location.replace("
        + repr(target).replace("<", "\\u003c")
        + "+location.search+location.hash)</script>\n"
        "</head><body>\n"
        f'<p>{escape(title)}的公开页面已迁到新地址：<a href="{href}">{href}</a></p>\n'
        "</body></html>\n"
    ).encode()


def redirects(migrations: list[Migration], county: model.County) -> dict[str, bytes]:
    """The redirect pages at every old address of a migrated village: {site path: page}."""
    by_code = {v.code: v for v in county.villages()}
    out: dict[str, bytes] = {}
    for m in migrations:
        if not m.old_folder:
            continue
        village = by_code.get(m.new_code)
        if village is None or f"{village.town_slug}/{village.slug}" == m.old_folder:
            continue
        up = "../" * (m.old_folder.count("/") + 1)
        new = f"{village.town_slug}/{village.slug}/"
        out[f"{m.old_folder}/index.html"] = redirect_page(up + new, village.name)
        for sub in ["qr", "history", *(p.period for p in village.periods)]:
            deeper = up + "../"
            out[f"{m.old_folder}/{sub}/index.html"] = redirect_page(
                deeper + new + sub + "/", village.name
            )
        for p in village.periods:
            out[f"{m.old_folder}/{p.period}/print/index.html"] = redirect_page(
                up + "../../" + new + p.period + "/print/", village.name
            )
    return out
