"""The audit trail on the site: each village's 修订记录 page and the publication log page.

They depend on git history and the log, not only on the records, so the plugin adds them in
`on_files` after the village pages (which depend on the records alone) are rendered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder import model
from builder.audit import log, migrations, registers, tlog
from builder.audit.diff import SECTIONS, Change
from builder.audit.fingerprint import display
from builder.audit.history import histories
from builder.audit.snapshot import LOG_NAME, Repo
from builder.pipeline.cache import BuildCache
from builder.publish.render import Rendered, Renderer
from builder.publish.verify import AS_OF_FILE, COMMIT_FILE, site_commit
from builder.read.git import CHINA

LOG_PAGE_ROWS = 500  # the newest entries on the page; the whole log is a download
OPEN_GROUP = 2  # a period's changes up to this many are listed as they are; more fold away


@dataclass(frozen=True)
class ChangeGroup:
    """One revision's changes to one period (or to the village's registers and lists): a
    one-line summary for a phone, and each change without the village and period it repeats."""

    period: str
    summary: str
    items: tuple[str, ...]  # without "东山村 2026-10 "
    texts: tuple[str, ...]  # as the change says it, village name off ("2026-10 收支明细…")
    folded: bool


def change_groups(changes: tuple[Change, ...], village: str) -> list[ChangeGroup]:
    """A revision's changes grouped by period, in the order they come; a group of more than
    OPEN_GROUP changes is folded behind its summary (“2026-10：175 处（收支明细 173 · 救助公示
    2）”). Every change stays on the page, word for word."""
    by_period: dict[str, list[Change]] = {}
    for c in changes:
        by_period.setdefault(c.period, []).append(c)
    groups = []
    for period, group in by_period.items():
        counts: dict[str, int] = {}
        for c in group:
            part = SECTIONS.get(c.section, "基本情况" if c.section != "format" else "文件格式")
            counts[part] = counts.get(part, 0) + 1
        parts = " · ".join(f"{part} {n}" for part, n in counts.items())
        where = period or "本村登记簿和基本情况"
        head = f"{village} {period} " if period else f"{village} "
        groups.append(
            ChangeGroup(
                period,
                f"{where}：{len(group)} 处改动（{parts}）",
                tuple(c.text.removeprefix(head) for c in group),
                tuple(c.text.removeprefix(f"{village} ") for c in group),
                len(group) > OPEN_GROUP,
            )
        )
    return groups


@dataclass(frozen=True)
class _Entry:
    seq: int
    name: str
    url: str
    period: str
    first: bool
    published_at: str
    fp: str
    hash: str
    moved: str = ""  # the migration this entry records, in plain Chinese
    upgraded: bool = False  # a v1 fingerprint restated as v2 (content unchanged)


def _when(at: Any) -> str:
    from builder.read.git import CHINA

    return str(at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"))


def add_audit_pages(
    rendered: Rendered,
    county: model.County,
    villages_dir: Path,
    updated: str,
    selected: Callable[[model.Village], bool],
    store: BuildCache | None = None,
) -> None:
    """Add the selected villages' history pages, the log page and the log file; store: the
    build cache, which keeps the villages' past revisions checked (history.histories)."""
    repo = Repo.find(villages_dir)
    history = histories(repo, county, selected, store)
    log_file = villages_dir.resolve().parent / LOG_NAME
    text = log_file.read_text(encoding="utf-8") if log_file.is_file() else ""
    entries, problems = log.parse(text, LOG_NAME)
    villages = {v.code: v for v in county.villages()}
    now_code = {}  # a code the log recorded a migration away from → the code it went to
    for e in log.migrations_of(entries):
        if e.migrated_from and e.migrated_from["code"] != e.code:
            now_code[e.migrated_from["code"]] = e.code

    def current(code: str) -> str:
        seen_codes = {code}
        while code in now_code and now_code[code] not in seen_codes:
            code = now_code[code]
            seen_codes.add(code)
        return code

    seen: set[tuple[str, str]] = set()
    views: list[_Entry] = []
    for e in entries:
        v = villages.get(current(e.code))
        name = v.name if v else e.village
        views.append(
            _Entry(
                e.seq,
                name,
                v.url if v else "",
                e.period,
                e.key not in seen,
                e.published_at,
                display(e.fingerprint),
                e.hash[:16],
                log.migration_text(e, name) if e.migrated_from else "",
                bool(e.upgraded_from),
            )
        )
        seen.add(e.key)
    by_code: dict[str, list[_Entry]] = {}
    for e, view in zip(entries, views, strict=True):
        by_code.setdefault(current(e.code), []).append(view)
    moved = [view.moved for view in views if view.moved]

    renderer = Renderer(county, updated=updated)
    for town in county.towns:
        for v in town.villages:
            if not selected(v):
                continue
            h = history[v.code]
            anchored: set[str] = set()
            corrections = []
            for d in h.corrections:
                corrections.append(
                    {
                        "period": d.period,
                        "anchor": d.period not in anchored,
                        "correction": d.correction,
                        "changes": [
                            c.text.removeprefix(f"{v.name} {d.period} ") for c in d.changes
                        ],
                        "commit": d.commit,
                        "when": _when(d.commit.authored) if d.commit else "",
                    }
                )
                anchored.add(d.period)
            revisions = [
                {
                    "commit": r.commit,
                    "when": _when(r.commit.authored),
                    "periods": r.periods,
                    "changes": [c.text.removeprefix(f"{v.name} ") for c in r.changes],
                    "groups": change_groups(r.changes, v.name),
                    "uncorrected": r.uncorrected,
                }
                for r in h.revisions
            ]
            warned = sorted({p for r in h.revisions for p in r.uncorrected})
            renderer.page(
                renderer.out,
                f"{v.url}history/",
                "history.html",
                f"{v.name}修订记录",
                description=f"{v.name}公开内容的每一次改动和更正：哪一天、改了什么。",
                town=town,
                village=v,
                corrections=corrections,
                revisions=revisions,
                warned=warned,
                register_corrections=registers.correction_rows(v),
                migrations=list(dict.fromkeys(e.moved for e in by_code.get(v.code, []) if e.moved)),
                entries=list(reversed(by_code.get(v.code, []))),
            )
    problem = ""
    if problems:
        problem = "公开记录文件有损坏（{}），以下只列出损坏之前的条目。".format(
            dict(problems[0].values).get("reason", "")
        )
    newest = list(reversed(views))
    files = tlog.Files(log_file.parent)
    tree = tlog.status(files, tlog.entry_leaves(entries))
    renderer.page(
        renderer.out,
        "log/",
        "log.html",
        "公开记录",
        description="各村每一期公开和更正时的内容指纹，按时间串成的指纹链，供核对。",
        count=len(entries),
        shown=min(len(newest), LOG_PAGE_ROWS),
        head=entries[-1].hash if entries else "",
        entries=newest[:LOG_PAGE_ROWS],
        migrations=list(dict.fromkeys(moved)),
        problem=problem,
        tree=tree,
        cosigners=[
            (
                label,
                dt.datetime.fromtimestamp(when, dt.UTC)
                .astimezone(CHINA)
                .strftime("%Y-%m-%d %H:%M"),
            )
            for label, when in tree.cosigners
        ],
        key_text=files.key.read_text(encoding="utf-8").strip() if files.key.is_file() else "",
    )
    rendered.pages.update(renderer.out.pages)
    rendered.files[f"log/{LOG_NAME}"] = text.encode("utf-8")
    # old addresses of migrated villages (printed QR codes) lead to the new ones
    rendered.files.update(migrations.redirects(migrations.read(villages_dir), county))
    commit = site_commit(villages_dir)
    if commit:  # what `sunlight verify --site` rebuilds the site from
        rendered.files[COMMIT_FILE] = commit.encode()
        if county.as_of is not None:  # and the day it judged lateness as of
            rendered.files[AS_OF_FILE] = (county.as_of.isoformat() + "\n").encode()
    for path in (files.key, files.checkpoint, files.witnesses):
        if path.is_file():
            rendered.files[f"log/{path.name}"] = path.read_bytes()
