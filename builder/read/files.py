"""Read `villages/`: the folder layout, and each file's text (UTF-8, or GBK named as such).

What cannot be read (bad encoding, a path that does not belong, a link) becomes a Problem with
its place. YAML and CSV text is parsed by `yaml_nodes.py` and `csv_rows.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from builder.format import privacy, problems, schema
from builder.format.problems import Location, Problem

SLUG_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PERIOD_DIR_RE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# NOTE: a period's dates, due dates and next month must be dates Python can hold (year 1 to
# 9999): "0000-10" or "9999-12" named as a period crashed the checks. Records start long after.
PERIOD_YEARS = range(1900, 3000)

VILLAGE_FILES = {
    "village.yml": True,
    "powers.yml": True,
    "contracts.csv": False,
    "decisions.yml": False,
    "topics.yml": False,
    "debts.csv": False,
    "corrections.yml": False,  # corrections of the registers (contracts, decisions, topics)
    "meetings.yml": False,
}
PERIOD_FILES = {"disclosure.yml": True, "ledger.csv": True, "assistance.csv": False}


@dataclass
class TextFile:
    """A file decoded as UTF-8, with its display path."""

    rel: str
    text: str


# --- layout -------------------------------------------------------------------------------------
@dataclass
class PeriodFiles:
    period: str
    dir_rel: str
    files: dict[str, Path] = field(default_factory=dict)


@dataclass
class VillageFiles:
    town: str
    slug: str
    dir: Path
    dir_rel: str
    files: dict[str, Path] = field(default_factory=dict)
    periods: list[PeriodFiles] = field(default_factory=list)


@dataclass
class TownFiles:
    slug: str
    dir: Path
    dir_rel: str
    files: dict[str, Path] = field(default_factory=dict)
    villages: list[VillageFiles] = field(default_factory=list)


@dataclass
class Layout:
    root: Path
    files: dict[str, Path] = field(default_factory=dict)
    towns: list[TownFiles] = field(default_factory=list)

    def villages(self) -> Iterator[VillageFiles]:
        """Iterate over every village folder of every town."""
        for town in self.towns:
            yield from town.villages


def display_path(path: Path, base: Path) -> str:
    """Path as shown to clerks: relative to the project root, with forward slashes."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _entries(folder: Path, base: Path, out: list[Problem]) -> list[os.DirEntry[str]]:
    """A folder's entries by name; none, and a problem, when it cannot be listed."""
    try:
        with os.scandir(folder) as scan:
            return sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        out.append(unreadable(display_path(folder, base), folder.name, exc))
        return []


def unreadable(rel: str, name: str, exc: OSError | None) -> Problem:
    """A file or folder the operating system would not read (exc None: not a regular file)."""
    if exc is None:
        reason, reason_en = "不是普通文件", "not a regular file"
    elif isinstance(exc, PermissionError):
        reason, reason_en = "没有读取权限", "permission denied"
    else:
        text = exc.strerror or type(exc).__name__
        reason, reason_en = f"系统错误：{text}", f"system error: {text}"
    return problems.UNREADABLE.at(
        Location(rel), None, name=name, reason=reason, reason_en=reason_en
    )


def _unknown(where: str, name: str, hint: str, hint_en: str) -> Problem:
    return problems.UNKNOWN_PATH.at(Location(where), None, name=name, hint=hint, hint_en=hint_en)


def _check_slugs(
    entries: list[os.DirEntry[str]],
    base: Path,
    out: list[Problem],
    reserved: frozenset[str],
    level: tuple[str, str],
) -> list[str]:
    """Return the sub-folder names that are good slugs; report bad, colliding and reserved ones
    (level names the folder's kind for the message: ("乡镇", "town") or ("村", "village"))."""
    good: list[str] = []
    seen: dict[str, str] = {}
    # NOTE: good slugs first, so that "DongShan" beside "dongshan" is named as a collision
    # with the folder the clerk meant, not only as a bad name.
    for entry in sorted(entries, key=lambda e: (not SLUG_RE.fullmatch(e.name), e.name)):
        rel = display_path(Path(entry.path), base)
        folded = entry.name.casefold()
        if folded in seen:
            out.append(
                problems.SLUG_COLLISION.at(Location(rel), None, name=entry.name, other=seen[folded])
            )
            continue
        seen[folded] = entry.name
        if not SLUG_RE.fullmatch(entry.name):
            out.append(problems.BAD_SLUG.at(Location(rel), None, name=entry.name))
            continue
        personal = next(privacy.scan_personal_data(entry.name), None)
        if personal is not None:  # NOTE: a folder name is a URL of the published site
            out.append(problems.KINDS[personal.code].at(Location(rel), None, value=personal.value))
            continue
        if entry.name in reserved:
            out.append(
                problems.RESERVED_SLUG.at(
                    Location(rel),
                    None,
                    name=entry.name,
                    reserved="、".join(sorted(reserved)),
                    level=level[0],
                    level_en=level[1],
                )
            )
            continue
        good.append(entry.name)
    good.sort()
    return good


def _files_in(
    folder: Path, allowed: dict[str, bool], base: Path, out: list[Problem], hint: str, hint_en: str
) -> tuple[dict[str, Path], list[os.DirEntry[str]]]:
    """Split a folder into its allowed files and its sub-folders; report links and strangers."""
    files: dict[str, Path] = {}
    dirs: list[os.DirEntry[str]] = []
    refused: set[str] = set()
    for entry in _entries(folder, base, out):
        # NOTE: a problem's path only: made for every one of a county's ~100,000 files it
        # was a tenth of a rebuild's check
        def rel(entry: os.DirEntry[str] = entry) -> str:
            return display_path(Path(entry.path), base)

        try:
            link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=False)
        except OSError as exc:
            out.append(unreadable(rel(), entry.name, exc))
            refused.add(entry.name)
            continue
        if link:
            out.append(problems.LINK.at(Location(rel()), None, name=entry.name))
        elif entry.name in allowed and not is_file:
            # NOTE: a folder, a pipe or a device where the file is expected: reading it would
            # fail or block, and "missing" or "unknown" would send the clerk looking elsewhere
            out.append(unreadable(rel(), entry.name, None))
            refused.add(entry.name)
        elif is_dir:
            dirs.append(entry)
        elif entry.name in allowed:
            files[entry.name] = folder / entry.name
        else:
            out.append(_unknown(rel(), entry.name, hint, hint_en))
    for name, required in allowed.items():
        if required and name not in files and name not in refused:
            out.append(
                problems.MISSING_FILE.at(
                    Location(display_path(folder / name, base)),
                    None,
                    name=name,
                    hint="",
                    hint_en="",
                )
            )
    return files, dirs


def scan_layout(
    villages_dir: Path, base: Path, wanted: Callable[[str, str], bool] | None = None
) -> tuple[Layout, list[Problem]]:
    """Walk villages/ and return its files by role, with every layout problem; with wanted,
    only the villages it accepts (town slug, village slug) are walked into."""
    out: list[Problem] = []
    layout = Layout(villages_dir)
    files, town_dirs = _files_in(
        villages_dir,
        {"county.yml": True, "powers.yml": False},
        base,
        out,
        "这里只能放 county.yml、powers.yml 和各乡镇的文件夹。",
        "Only county.yml, powers.yml and one folder per town belong here.",
    )
    layout.files = files
    for town_name in _check_slugs(
        town_dirs, base, out, schema.RESERVED_TOWN_SLUGS, ("乡镇", "town")
    ):
        town_dir = villages_dir / town_name
        town = TownFiles(town_name, town_dir, display_path(town_dir, base))
        town.files, village_dirs = _files_in(
            town_dir,
            {"town.yml": True, "powers.yml": False},
            base,
            out,
            "乡镇文件夹里只能放 town.yml、powers.yml 和各村的文件夹。",
            "A town folder holds only town.yml, powers.yml and one folder per village.",
        )
        for village_name in _check_slugs(
            village_dirs, base, out, schema.RESERVED_VILLAGE_SLUGS, ("村", "village")
        ):
            village_dir = town_dir / village_name
            village = VillageFiles(
                town_name, village_name, village_dir, display_path(village_dir, base)
            )
            if wanted is not None and not wanted(town_name, village_name):
                town.villages.append(village)  # NOTE: named, not read: nothing selects it
                continue
            village.files, period_dirs = _files_in(
                village_dir,
                VILLAGE_FILES,
                base,
                out,
                "村文件夹里只能放 village.yml、powers.yml、contracts.csv、decisions.yml、topics.yml、"
                "debts.csv、corrections.yml、meetings.yml 和“年-月”公开期文件夹（如 2026-10）。",
                "A village folder holds village.yml, powers.yml, contracts.csv, decisions.yml, "
                "topics.yml, debts.csv, corrections.yml, meetings.yml and period folders named "
                "YYYY-MM (e.g. 2026-10).",
            )
            for entry in period_dirs:
                # NOTE: the village's path and the name, not pathlib's relative_to: a county
                # has 20,000 period folders, and every check and build walks them all
                rel = f"{village.dir_rel}/{entry.name}"
                if not PERIOD_DIR_RE.fullmatch(entry.name):
                    out.append(
                        _unknown(
                            rel,
                            entry.name,
                            "公开期文件夹须按“年-月”命名，例如 2026-10。",
                            "Period folders are named YYYY-MM, e.g. 2026-10.",
                        )
                    )
                    continue
                if int(entry.name[:4]) not in PERIOD_YEARS:
                    out.append(
                        _unknown(
                            rel,
                            entry.name,
                            "公开期的年份须在 1900 到 2999 之间，例如 2026-10。",
                            "A period's year is between 1900 and 2999, e.g. 2026-10.",
                        )
                    )
                    continue
                period = PeriodFiles(entry.name, rel)
                period.files, extra = _files_in(
                    village_dir / entry.name,
                    PERIOD_FILES,
                    base,
                    out,
                    "公开期文件夹里只能放 disclosure.yml、ledger.csv 和 assistance.csv。",
                    "A period folder holds only disclosure.yml, ledger.csv and assistance.csv.",
                )
                for sub in extra:
                    out.append(
                        _unknown(
                            display_path(Path(sub.path), base),
                            sub.name,
                            "公开期文件夹里不能再有文件夹。",
                            "A period folder has no sub-folders.",
                        )
                    )
                village.periods.append(period)
            town.villages.append(village)
        layout.towns.append(town)
    return layout, out


# --- decoding ---------------------------------------------------------------------------------
def decode(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (a BOM is fine); name GBK when that is what it is, never guess silently."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess, guess_en = "", ""
        try:
            data.decode("gb18030")
            guess, guess_en = (
                "（可能是 GBK/GB18030，Excel 默认的“CSV”格式）",
                " (probably GBK/GB18030)",
            )
        except UnicodeDecodeError:
            pass
        return None, [
            problems.NOT_UTF8.at(
                Location(rel, line), None, path=rel, guess=guess, guess_en=guess_en
            )
        ]


def read_text(path: Path, base: Path) -> tuple[TextFile | None, list[Problem]]:
    """Read and decode one file."""
    rel = display_path(path, base)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [unreadable(rel, path.name, exc)]
    text, found = decode(data, rel)
    if text is None:
        return None, found
    return TextFile(rel, text.replace("\r\n", "\n").replace("\r", "\n")), found
