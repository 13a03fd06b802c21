"""`sunlight correct <village> <period>`: fix a published month the right way.

The clerk edits the month's files (or imports a workbook into it), then answers questions; this
module does the rest:

1. finds the version the publication log holds (the village as committed with its newest log
   entry), and carries a change of the month's closing balances into every later month's
   opening and closing balances;
2. lists what changed, month by month, field by field (`corrections.actual_changes`);
3. writes one correction entry into each changed month's disclosure.yml — the clerk's date,
   reason and approver for the month itself, a carried-balance reason for the later ones — each
   listing its changes, and judged by the same rules as `check --since` before anything is
   written;

then cli.py runs `log update`. Nothing here prints; the questions are cli.py's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from builder import model
from builder.audit import log
from builder.audit.commands import log_path, logged_version, update_log
from builder.audit.corrections import actual_changes, as_listed, judge
from builder.audit.diff import Change, Who
from builder.audit.fingerprint import is_logged_as
from builder.audit.snapshot import Repo, VillageCache
from builder.errors import BuilderError
from builder.format import problems
from builder.format.problems import Location, Problem
from builder.format.schema import SUPERVISOR_ROLES
from builder.format.values import money
from builder.pipeline.validate import Result, validate


class NothingToCorrect(BuilderError):
    """The period's records are as last logged: there is no change to correct."""


@dataclass
class MonthChange:
    """One logged month the correction changes: its versions and its changes."""

    period: str
    logged: model.Period
    now: model.Period
    changes: list[Change]
    path: Path  # its disclosure.yml
    carried: bool = False  # changed only by the balance carried from an earlier month


@dataclass
class Plan:
    village: model.Village
    logged_village: model.Village
    months: list[MonthChange] = field(default_factory=list)

    def supervisors(self, day: dt.date) -> list[str]:
        """Who may approve on a day (村务监督委员会 members then), drafters left out."""
        drafters = {m.now.drafted_by for m in self.months} | {
            m.logged.drafted_by for m in self.months
        }
        return [
            p.name
            for p in self.village.people
            if SUPERVISOR_ROLES & set(p.roles_on(day)) and p.name not in drafters
        ]


def _folder(villages_dir: Path, name: str) -> Path:
    """A village's folder from "town/village", "village" or its area code."""
    direct = villages_dir / name
    if (direct / "village.yml").is_file():
        return direct
    for found in sorted(villages_dir.glob("*/*/village.yml")):
        text = found.read_text(encoding="utf-8-sig")
        if found.parent.name == name or re.search(
            rf"^code:\s*[\"']?{re.escape(name)}[\"']?\s*$", text, re.M
        ):
            return found.parent
    raise BuilderError(
        f"找不到村“{name}”。请写成 镇/村 文件夹名（如 chengguan/dongshan）或村的区划代码。",
        f'No village "{name}". Give its town/village folder (e.g. chengguan/dongshan) or area code.',
    )


def _balances(path: Path) -> dict[str, dict[str, Decimal]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    out: dict[str, dict[str, Decimal]] = {}
    for side in ("opening", "closing"):
        values = data.get(side) or {}
        out[side] = {k: Decimal(str(values.get(k, "0"))) for k in ("cash", "bank")}
    return out


_NUMBER = r"[\"']?(-?[0-9][0-9,]*(?:\.[0-9]+)?)[\"']?"


def _shift(text: str, side: str, delta: dict[str, Decimal]) -> str:
    """Add delta to the side's (opening/closing) cash and bank, in flow or block style."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(rf"{side}:", line)), None)
    if start is None:
        raise BuilderError(f"disclosure.yml 里没有 {side}。", f"disclosure.yml has no {side}.")
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1
    block = "".join(lines[start:end])
    for key, add in delta.items():
        pattern = re.compile(rf"({key}:\s*){_NUMBER}")
        found = pattern.search(block)
        if found is None:
            raise BuilderError(
                f"disclosure.yml 的 {side} 里没有读到 {key}。", f"No {key} under {side}."
            )
        new = money(Decimal(found.group(2).replace(",", "")) + add)
        block = block[: found.start()] + f'{found.group(1)}"{new}"' + block[found.end() :]
    return "".join(lines[:start]) + block + "".join(lines[end:])


def carry_balances(villages_dir: Path, name: str, period: str, result: Result) -> list[Path]:
    """Carry the change of period's closing balances (against its logged version) into every
    later month's opening and closing; return the files rewritten."""
    folder = _folder(villages_dir, name)
    logged = _logged_period(villages_dir, folder, period, result)
    if logged is None:
        return []
    now = _balances(folder / period / "disclosure.yml")["closing"]
    delta = {k: now[k] - getattr(logged[1].closing, k) for k in ("cash", "bank")}
    if not any(delta.values()):
        return []
    written = []
    later = sorted(p.name for p in folder.iterdir() if re.fullmatch(r"[0-9]{4}-[0-9]{2}", p.name))
    for month in [m for m in later if m > period]:
        path = folder / month / "disclosure.yml"
        text = path.read_text(encoding="utf-8-sig")
        expected = _balances(path)["opening"]
        # NOTE: a later month the clerk already carried by hand is left as it is
        if all(expected[k] == getattr(logged[1].closing, k) + delta[k] for k in delta):
            continue
        text = _shift(_shift(text, "opening", delta), "closing", delta)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _logged_period(
    villages_dir: Path, folder: Path, period: str, result: Result | None
) -> tuple[model.Village, model.Period] | None:
    repo = Repo.find(villages_dir)
    entries = _entries(villages_dir)
    data = yaml.safe_load((folder / "village.yml").read_text(encoding="utf-8-sig")) or {}
    entry = log.latest(entries).get((str(data.get("code", "")), period))
    if entry is None or repo is None:
        return None
    return logged_version(repo, VillageCache(repo), entry)


def _entries(villages_dir: Path) -> list[log.Entry]:
    path = log_path(villages_dir)
    entries, _ = log.parse(path.read_text(encoding="utf-8") if path.is_file() else "", "")
    return entries


def plan(villages_dir: Path, name: str, period: str, result: Result) -> Plan:
    """What the correction changes, month by month (the records must be free of errors)."""
    assert result.county is not None
    folder = _folder(villages_dir, name)
    rel = folder.resolve().relative_to(villages_dir.resolve()).as_posix()
    village = next((v for v in result.county.villages() if f"{v.town_slug}/{v.slug}" == rel), None)
    if village is None or village.period(period) is None:
        raise BuilderError(f"{rel} 没有 {period} 这一期。", f"{rel} has no period {period}.")
    logged = _logged_period(villages_dir, folder, period, result)
    entry = log.latest(_entries(villages_dir)).get((village.code, period))
    current = village.period(period)
    assert current is not None
    if entry is not None and is_logged_as(village, current, entry.fingerprint):
        raise NothingToCorrect(
            f"{village.name} {period} 与公开记录中的最新版本相同，没有需要更正的改动。请先改好记录，再运行 sunlight correct。",
            f"{rel} {period} is as last logged: edit the records first, then run sunlight correct.",
        )
    if logged is None and entry is not None:
        raise BuilderError(
            f"公开记录中 {village.name} {period} 的最新版本还没有提交。请先提交（git commit），再运行 sunlight correct。",
            f"The last logged version of {rel} {period} is not committed yet: commit it first.",
        )
    if logged is None:
        raise BuilderError(
            f"{village.name} {period} 还没有公开（不在公开记录中），直接修改即可，不需要更正。",
            f"{rel} {period} is not published (not in the log): edit it directly.",
        )
    out = Plan(village, logged[0])
    who = Who(village.code, village.name, rel)
    for current in village.periods:
        if current.period < period:
            continue
        before = (
            logged
            if current.period == period
            else _logged_period(villages_dir, folder, current.period, result)
        )
        if before is None:
            continue
        changes = actual_changes(who, before[1], current)
        if not changes:
            continue
        carried = current.period != period and all(
            c.section == "header" and c.field.startswith(("opening.", "closing.")) for c in changes
        )
        out.months.append(
            MonthChange(
                current.period,
                before[1],
                current,
                changes,
                folder / current.period / "disclosure.yml",
                carried,
            )
        )
    if not out.months or out.months[0].period != period:
        raise NothingToCorrect(
            f"{village.name} {period} 的内容与公开时相同，没有需要更正的改动。请先改好记录，再运行 sunlight correct。",
            f"{rel} {period} is as published: edit the records first, then run sunlight correct.",
        )
    return out


def entries_for(plan_: Plan, date: dt.date, reason: str, approver: str) -> list[model.Correction]:
    """The correction entry of each changed month (the first month's reason is the clerk's)."""
    first = plan_.months[0].period
    out = []
    for month in plan_.months:
        text = reason
        if month.period != first and month.carried:
            text = f"因 {first} 更正，本期期初、期末余额随之结转调整。"
        elif month.period != first:
            text = f"{reason}（随 {first} 的更正一并改正）"
        out.append(
            model.Correction(date, text, approver, tuple(as_listed(c) for c in month.changes))
        )
    return out


def problems_of(plan_: Plan, entries: list[model.Correction]) -> list[Problem]:
    """What `check --since` would say about these entries, before anything is written."""
    found: list[Problem] = []
    for month, entry in zip(plan_.months, entries, strict=True):
        earliest = max([month.logged.published_at, *(c.date for c in month.logged.corrections)])
        new = dataclasses.replace(month.now, corrections=(*month.now.corrections, entry))
        where = Location(month.path.as_posix())
        if entry.date < earliest:
            found.append(
                problems.CORRECTION_DATE.at(
                    where,
                    "corrections.date",
                    field_zh="更正记录·更正日期",
                    date=entry.date.isoformat(),
                    earliest=earliest.isoformat(),
                    latest=entry.date.isoformat(),
                )
            )
        found += judge(plan_.logged_village, month.logged, plan_.village, new, [entry], where)
    return found


def _yaml_entry(entry: model.Correction) -> str:
    def q(text: object) -> str:
        return json.dumps("" if text is None else str(text), ensure_ascii=False)

    lines = [
        f"  - date: {entry.date.isoformat()}",
        f"    reason: {q(entry.reason)}",
        f"    approved_by: {q(entry.approved_by)}",
        "    changes:",
    ]
    for c in entry.changes:
        line = f", line: {c.line}" if c.line is not None else ""
        lines.append(
            f"      - {{section: {c.section}{line}, field: {q(c.field)}, old: {q(c.old)}, new: {q(c.new)}}}"
        )
    return "\n".join(lines) + "\n"


def write(plan_: Plan, entries: list[model.Correction]) -> list[Path]:
    """Append each entry to its month's corrections list (creating the list when needed)."""
    written = []
    for month, entry in zip(plan_.months, entries, strict=True):
        text = month.path.read_text(encoding="utf-8-sig")
        if not text.endswith("\n"):
            text += "\n"
        lines = text.splitlines(keepends=True)
        at = next((i for i, line in enumerate(lines) if re.match(r"corrections:", line)), None)
        item = _yaml_entry(entry)
        if at is None:
            text = text + "corrections:\n" + item
        else:
            rest = lines[at].split(":", 1)[1].strip()
            if rest not in ("", "[]"):
                raise BuilderError(
                    f"{month.path} 的 corrections 写在一行里，请改成每条一行的写法后再运行。",
                    f"{month.path}: write corrections as a block list, one entry per item.",
                )
            lines[at] = "corrections:\n"
            end = at + 1
            while end < len(lines) and (
                lines[end].startswith((" ", "-")) or not lines[end].strip()
            ):
                end += 1
            text = "".join(lines[:end]) + item + "".join(lines[end:])
        month.path.write_text(text, encoding="utf-8")
        written.append(month.path)
    return written


def is_logged(villages_dir: Path, code: str, period: str) -> bool:
    """Whether the publication log holds the village's (by area code) period."""
    return (code, period) in log.latest(_entries(villages_dir))


@dataclass
class Started:
    """The records checked after carrying the balances: the plan, or the errors found."""

    carried: list[Path]
    result: Result
    plan: Plan | None  # None: the records have errors (result.report)


def start(villages_dir: Path, base: Path, name: str, period: str) -> Started:
    """Carry the period's balance change into the later months, check, and plan the
    correction (raises BuilderError when there is nothing to correct)."""
    result = validate(villages_dir, base)
    carried = carry_balances(villages_dir, name, period, result)
    if carried:
        result = validate(villages_dir, base)
    if result.county is None or result.report.errors:
        return Started(carried, result, None)
    return Started(carried, result, plan(villages_dir, name, period, result))


@dataclass
class Finished:
    """The entries judged and, when they passed, the files written and the log entries added."""

    entries: list[model.Correction]
    problems: list[Problem] = field(default_factory=list)  # the entries' (nothing written)
    written: list[Path] = field(default_factory=list)
    result: Result | None = None  # the records checked with the entries in place
    added: list[log.Entry] = field(default_factory=list)


def finish(
    villages_dir: Path,
    base: Path,
    plan_: Plan,
    when: dt.date,
    reason: str,
    approver: str,
) -> Finished:
    """Judge the entries as `check --since` would; when they pass, write them, check the
    records again and append the log entries (not when that check finds errors)."""
    entries = entries_for(plan_, when, reason, approver)
    done = Finished(entries, problems_of(plan_, entries))
    if done.problems:
        return done
    done.written = write(plan_, entries)
    done.result = validate(villages_dir, base)
    if done.result.county is None or done.result.report.errors:
        return done
    done.added = update_log(villages_dir, done.result, when)
    return done
