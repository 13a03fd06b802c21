"""What the audit commands do (`check --since`, `diff`, `log update`, `verify`); cli.py only
parses options and prints."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from builder import model
from builder.audit import checkpoint as cp
from builder.audit import log, merkle, migrations, registers, salts, tlog, witness
from builder.audit.diff import (
    DIFF_SCHEMA_VERSION,
    Change,
    Who,
    content_changes,
    diff_period,
    diff_village,
    period_changed,
)
from builder.audit.fingerprint import (
    display,
    fingerprint,
    is_logged_as,
    known_fingerprints,
    matches,
    normalize,
    short,
    versions,
)
from builder.audit.since import since_problems, site_log_problems
from builder.audit.snapshot import LOG_NAME, Repo, Snapshot, VillageCache, at_revision, worktree
from builder.errors import BuilderError
from builder.format import problems
from builder.format.problems import Location, Problem, format_problem
from builder.pipeline.cache import BuildCache
from builder.pipeline.validate import Result
from builder.read import git
from builder.read.files import display_path

WORKTREE = "."


def log_path(villages_dir: Path) -> Path:
    """Where the publication log lives: beside villages/."""
    return villages_dir.resolve().parent / LOG_NAME


def _repo(villages_dir: Path) -> Repo:
    repo = Repo.find(villages_dir)
    if repo is None:
        raise git.GitError(
            f"“{villages_dir}”不在 git 仓库中，无法比较版本。",
            f'"{villages_dir}" is not inside a git repository; there are no revisions to compare.',
        )
    return repo


def checkpoint_problems(villages_dir: Path, base: Path, entries: list[log.Entry]) -> list[Problem]:
    """A published key and checkpoint must verify, and the log must extend the checkpoint."""
    files = tlog_files(villages_dir)
    if not files.checkpoint.is_file():
        return []
    rel = display_path(files.checkpoint, base.resolve())
    try:
        state = tlog.status(files, tlog.entry_leaves(entries))
    except cp.NoteError as err:  # a malformed log-key.pub or log-witnesses.txt
        return [
            problems.LOG_CHECKPOINT.at(
                Location(rel), None, reason=f"{err}。", reason_en=f"{err}.", path=rel
            )
        ]
    if (state.signed is None and files.key.is_file()) or (
        state.signed is not None and state.problem.startswith("公开记录与已签名")
    ):
        reason = state.problem
    else:
        return []
    return [
        problems.LOG_CHECKPOINT.at(
            Location(rel),
            None,
            reason=reason,
            reason_en="The signature does not verify, or the log no longer extends it.",
            path=rel,
        )
    ]


# --- check ------------------------------------------------------------------------------------
def log_problems(
    villages_dir: Path,
    base: Path,
    result: Result,
    today: dt.date,
    cache: BuildCache | None = None,
) -> list[Problem]:
    """Plain `check`: the log, where there is one, is a sound chain and not behind the records.
    Every period's fingerprint is computed once, in two processes (or taken from the cache,
    given one that the whole county's run keeps: see known_fingerprints)."""
    path = log_path(villages_dir)
    if not path.is_file():
        return []
    rel = display_path(path, base.resolve())
    entries, found = log.parse(path.read_text(encoding="utf-8"), rel)
    if found:
        return found
    found = log.personal_data(entries, rel)
    if found:
        return found
    found = checkpoint_problems(villages_dir, base, entries)
    if found:
        return found
    towns = result.county.towns if result.county is not None else result.towns
    villages = [v for t in towns for v in t.villages]
    root = display_path(villages_dir.resolve(), base.resolve())
    moves = migrations.read(villages_dir)
    found = log.undeclared_migrations(entries, moves, rel)
    found += log.unlogged_migrations(entries, villages, moves, rel)
    with known_fingerprints(villages, cache):
        pending, changed = stale(entries, villages, today)
        refused = uncorrected(villages_dir, entries, changed, root)
        flagged = {p.where.path for p in refused}
        behind = {village.code for village, _period, _fp in pending}
        found += refused
        return found + [
            p
            for p in log.stale_problems(
                entries,
                [v for v in villages if v.code in behind],
                today,
                rel,
                problems.LOG_OUT_OF_DATE,
            )
            if p.where.path not in flagged
        ]


def stale(
    entries: list[log.Entry], villages: list[model.Village], today: dt.date
) -> tuple[list[tuple[model.Village, model.Period, str]], list[tuple[model.Village, model.Period]]]:
    """The published periods the log lacks or holds otherwise (log.pending), and of those and of
    the logged periods now dated later (a backdated draft), the ones the log carries: each
    fingerprint computed once."""
    last = log.latest(entries)
    pending = log.pending(entries, villages, today)
    changed = [(v, p) for v, p, _fp in pending if (v.code, p.period) in last]
    for village in villages:
        for period in village.periods:
            entry = last.get((village.code, period.period))
            if (
                entry is not None
                and not log.is_published(period, today)
                and not is_logged_as(village, period, entry.fingerprint)
            ):
                changed.append((village, period))
    return pending, changed


def uncorrected(
    villages_dir: Path,
    entries: list[log.Entry],
    changed: list[tuple[model.Village, model.Period]],
    root: str,
    came: Sequence[log.Moved] = (),
) -> list[Problem]:
    """Logged periods whose records changed since the logged version without a new correction
    (what plain `check`, the hook, `log update` and `build` refuse, before any `--since`).

    The logged version is the village as committed with its log entry; a change of the display
    parameters or the rendering alone is no edit (the next `log update` records it)."""
    last = log.latest(entries)
    repo = Repo.find(villages_dir)
    cache = VillageCache(repo) if repo is not None else None
    out: list[Problem] = []
    todo = [(v, p, last[(v.code, p.period)], v) for v, p in changed]
    for m in came:  # moved by a declared migration: held to the entry under the old identity
        as_old = replace(m.village, code=m.was.code)
        if not is_logged_as(as_old, m.period, m.was.fingerprint):
            todo.append((m.village, m.period, m.was, as_old))
    for village, period, entry, compared in todo:
        # logged, and no longer with the logged fingerprint
        if len(period.corrections) > entry.corrections:
            continue  # a new correction: judged field by field by check --since
        before = logged_version(repo, cache, entry)
        if before is not None and not period_changed(before[0], before[1], compared, period):
            continue
        change = "指纹与公开记录不符"
        if before is None and any(not row.salt for row in period.assistance):
            change = "救助公示的校验码（salt 列）缺失，请把 sunlight log update 写入的 assistance.csv 一起提交"
        if before is not None:
            who = Who(
                village.code,
                village.name,
                f"{village.town_slug}/{village.slug}",
                village.names_online != "full",
            )
            found = content_changes(diff_period(who, before[1], period))
            if found:
                change = found[0].text.removeprefix(f"{village.name} {period.period} ")
        out.append(
            problems.SILENT_EDIT.at(
                Location(
                    f"{root}/{village.town_slug}/{village.slug}/{period.period}/disclosure.yml"
                ),
                "corrections",
                field_zh="更正记录",
                village=village.name,
                village_dir=f"{village.town_slug}/{village.slug}",
                period=period.period,
                published=entry.published_at,
                change=change,
                more="",
            )
        )
    return out


def logged_version(
    repo: Repo | None, cache: VillageCache | None, entry: log.Entry
) -> tuple[model.Village, model.Period] | None:
    """The village and period as committed with their newest log entry (or at HEAD, when the
    entry is not committed yet), if that version has the logged fingerprint."""
    if repo is None or cache is None:
        return None
    sha = git.added_in(repo.top, repo.log_rel, f'"hash":"{entry.hash}"') or "HEAD"
    try:
        at = cache.get(sha, entry.village, git.commit(repo.top, git.resolve(repo.top, sha)).day)
    except git.GitError:
        return None
    period = at.village.period(entry.period) if at.village is not None else None
    if at.village is None or period is None:
        return None
    if entry.fingerprint not in versions(at.village, period):
        return None
    return at.village, period


def since(
    villages_dir: Path,
    base: Path,
    rev: str,
    result: Result,
    today: dt.date,
    site_log: Path | None = None,
) -> list[Problem]:
    """`check --since REV`: nothing published in REV (or in the live site's log, a copy saved
    at site_log) was changed or deleted without a correction, the publication log only grew,
    and the tool did not change together with published records."""
    repo = _repo(villages_dir)
    old = at_revision(repo, rev)
    new = worktree(villages_dir, base, result, today)
    root = display_path(villages_dir.resolve(), base.resolve())
    rel = display_path(log_path(villages_dir), base.resolve())
    live = (str(site_log), site_log.read_text(encoding="utf-8")) if site_log is not None else None
    changed: list[str] = []
    if old.commit and old.commit != git.EMPTY:
        for change in git.changed_files(repo.top, old.commit, None, "."):
            changed += [p for p in dict.fromkeys((change.old, change.new)) if p]
        changed += git.untracked(repo.top)
    return since_problems(
        old,
        new,
        root,
        rel,
        site_log=live,
        changed=changed,
        villages_rel=repo.villages_rel,
        moves=migrations.read(villages_dir),
    )


def live_log_problems(villages_dir: Path, base: Path, site_log: Path) -> list[Problem]:
    """`check --site-log FILE` with no published commit to compare with (its tag lost or
    deleted): the publication log must keep every line of the one the live site serves, so
    that the plain check, which holds the records to the log, holds them to what the site
    published."""
    path = log_path(villages_dir)
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    live = (str(site_log), site_log.read_text(encoding="utf-8"))
    return site_log_problems(live, current, display_path(path, base.resolve()))


# --- diff -------------------------------------------------------------------------------------
@dataclass
class DiffResult:
    old: Snapshot
    new: Snapshot
    changes: list[Change] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """Return the diff as JSON: both revisions and every change."""

        def side(snapshot: Snapshot) -> dict[str, object]:
            return {
                "rev": snapshot.label,
                "commit": snapshot.commit,
                "date": snapshot.as_of.isoformat(),
            }

        return {
            "version": DIFF_SCHEMA_VERSION,
            "from": side(self.old),
            "to": side(self.new),
            "changes": [c.as_json() for c in self.changes],
        }


def diff(villages_dir: Path, base: Path, old_rev: str | None, new_rev: str | None) -> DiffResult:
    """The semantic diff between two revisions (default: the last commit against its parent;
    "." stands for the working tree)."""
    repo = _repo(villages_dir)
    if old_rev is None:
        head = git.resolve(repo.top, "HEAD")
        old_rev, new_rev = git.parent(repo.top, head), head
        labels = ("HEAD~1" if old_rev else "（空）", "HEAD")
    else:
        new_rev = new_rev or "HEAD"
        labels = (old_rev, new_rev)
    old = at_revision(repo, old_rev, labels[0])
    if new_rev == WORKTREE:
        new = worktree(villages_dir, base)
        files = git.changed_files(repo.top, old.commit or git.EMPTY, None, repo.villages_rel)
    else:
        new = at_revision(repo, new_rev, labels[1])
        files = git.changed_files(repo.top, old.commit or git.EMPTY, new.commit, repo.villages_rel)
    touched: dict[str, list[str]] = {}
    prefix = repo.villages_rel + "/"
    for changed in files:
        if changed.same_bytes:
            continue
        for path in {changed.old, changed.new}:
            parts = path.removeprefix(prefix).split("/", 2)
            if path.startswith(prefix) and len(parts) == 3:
                touched.setdefault(f"{parts[0]}/{parts[1]}", []).append(parts[2])
    result = DiffResult(old, new)
    for code in sorted(old.villages.keys() | new.villages.keys()):
        old_village, new_village = old.villages.get(code), new.villages.get(code)
        paths = {f"{v.town_slug}/{v.slug}" for v in (old_village, new_village) if v is not None}
        if (
            old_village is None
            and new_village is not None
            and f"{new_village.town_slug}/{new_village.slug}" in old.dirs
        ):
            result.changes.append(_unreadable(new_village, old.label))
            continue
        if (
            new_village is None
            and old_village is not None
            and f"{old_village.town_slug}/{old_village.slug}" in new.dirs
        ):
            result.changes.append(_unreadable(old_village, new.label))
            continue
        mine = [rel for folder in sorted(paths) for rel in touched.get(folder, [])]
        result.changes += diff_village(old_village, new_village, touched=mine)
    # the county's and towns' own list items, which every village of theirs shows
    codes = {"": new.county.code if new.county else ""}
    codes |= {t.slug: t.code for t in (new.county.towns if new.county else ())}
    for owner, found in registers.shared_list_changes(old.county, new.county).items():
        result.changes += [c.as_change(codes.get(owner, "")) for c in found]
    return result


def _unreadable(village: model.Village, label: str) -> Change:
    return Change(
        village.code,
        village.name,
        f"{village.town_slug}/{village.slug}",
        "",
        "village",
        "unreadable",
        item=label,
    )


# --- log ------------------------------------------------------------------------------------------
def salt_new_periods(villages_dir: Path, result: Result, today: dt.date) -> list[Path]:
    """Before a period's first log entry, give its assistance rows their salts (v2)."""
    assert result.county is not None
    entries = _log_entries(villages_dir)
    logged = log.latest(entries)
    written = []
    for village, period, _fp in log.pending(entries, result.county.villages(), today):
        if (village.code, period.period) in logged or not salts.unsalted(village, period):
            continue
        path = villages_dir / village.town_slug / village.slug / period.period / "assistance.csv"
        if path.is_file() and salts.add_salts(path):
            written.append(path)
    return written


class UncorrectedEdit(Exception):
    """`log update` refuses to fingerprint published periods edited without a correction."""

    def __init__(self, found: list[Problem]) -> None:
        super().__init__(f"{len(found)} uncorrected edits")
        self.found = found


def update_log(
    villages_dir: Path, result: Result, today: dt.date, upgrade: bool = False
) -> list[log.Entry]:
    """Append an entry for every published period whose fingerprint the log lacks (with
    upgrade, also a v2 entry for every period logged only under its v1 fingerprint); return
    them."""
    assert result.county is not None
    path = log_path(villages_dir)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    entries, found = log.parse(text, LOG_NAME)
    if found:
        zh, en = format_problem(found[0]).split("\n", 1)
        raise BuilderError(zh, en.strip())
    root = display_path(villages_dir.resolve(), Path.cwd().resolve())
    villages = list(result.county.villages())
    _pending, changed = stale(entries, villages, today)
    came = log.moved(entries, villages, migrations.read(villages_dir))
    refused = uncorrected(villages_dir, entries, changed, root, came)
    if refused:
        raise UncorrectedEdit(refused)
    items = log.pending(entries, villages, today)
    have = {(v.code, p.period) for v, p, _fp in items}
    items += [
        (m.village, m.period, fingerprint(m.village, m.period))
        for m in came
        if (m.village.code, m.period.period) not in have
    ]
    items.sort(key=lambda t: (t[1].published_at, t[0].code, t[1].period))
    restated = log.upgrades(entries, villages, today) if upgrade else []
    have |= {(v.code, p.period) for v, p, _fp in items}
    restated = [t for t in restated if (t[0].code, t[1].period) not in have]
    new = log.append(
        entries, items + restated, came, [(v.code, p.period) for v, p, _fp in restated]
    )
    if new:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".publication-log-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text + log.render(new))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return new


# --- verify -----------------------------------------------------------------------------------------
@dataclass
class Verdict:
    ok: bool
    lines: list[str] = field(default_factory=list)


def _where(village: model.Village, period: model.Period) -> str:
    return f"{village.name}（{village.town_slug}/{village.slug}）{period.period}"


def _log_entries(villages_dir: Path) -> list[log.Entry]:
    path = log_path(villages_dir)
    if not path.is_file():
        return []
    entries, _ = log.parse(path.read_text(encoding="utf-8"), LOG_NAME)
    return entries


def verify_fingerprint(county: model.County, villages_dir: Path, text: str) -> Verdict:
    """Does a fingerprint (≥128 bits, or a page link carrying one) name a published period?
    A sheet's link also carries its tree head (&t=SIZE-ROOT16): that is proved too."""
    verdict = _verify_fingerprint(county, villages_dir, text)
    head = (parse_qs(urlsplit(text).query).get("t") or [""])[0] if "://" in text else ""
    found = re.fullmatch(r"([0-9]+)-([0-9a-f]{16})", head)
    if not found:
        return verdict
    size, short = int(found.group(1)), bytes.fromhex(found.group(2))
    lines = _lines(villages_dir)
    given = normalize((parse_qs(urlsplit(text).query).get("fp") or [""])[0]) or ""
    own = lines[size - 1] if 0 < size <= len(lines) else ""
    proof = witness.check_old_head(lines, size, short)
    if proof.ok and given and f'"fingerprint":"{given}' in own:
        zh = (
            f"记录树头一致：这张纸质公示是公开记录第 {size} 条，记录树头 {size} · {found.group(2)} "
            f"仍是现在公开记录（{len(lines)} 条）的前缀。"
        )
        en = f"Tree head {size}-{found.group(2)} is a prefix of today's log ({len(lines)})."
        return Verdict(verdict.ok, [verdict.lines[0], zh, *verdict.lines[1:], en])
    zh = f"记录树头不一致：纸质公示上的记录树头 {size} · {found.group(2)} 不在现在的公开记录中，公开记录可能被改写过。"
    en = f"Tree head {size}-{found.group(2)} is not in today's log: it may have been rewritten."
    return Verdict(False, [verdict.lines[0], zh, *verdict.lines[1:], en])


def _migrations_of(entries: list[log.Entry], code: str, period: str) -> list[log.Entry]:
    """The migration entries that brought (code, period) where it is, oldest first."""
    out: list[log.Entry] = []
    seen = set()
    while (code, period) not in seen:
        seen.add((code, period))
        step = next(
            (e for e in reversed(entries) if e.key == (code, period) and e.migrated_from), None
        )
        if step is None or step.migrated_from is None:
            break
        out.insert(0, step)
        code = step.migrated_from["code"]
    return out


def _successor(entries: list[log.Entry], entry: log.Entry) -> tuple[str, list[log.Entry]]:
    """Where the log says an entry's period went by recorded migrations: the code it has now
    and the migration entries on the way (none when it never moved)."""
    code, seen = entry.code, set()
    moves: list[log.Entry] = []
    while code not in seen:
        seen.add(code)
        step = next(
            (
                e
                for e in entries
                if e.period == entry.period
                and e.seq > entry.seq
                and e.migrated_from
                and e.migrated_from["code"] == code
                and e.migrated_from["village"] in {entry.village, *(m.village for m in moves)}
            ),
            None,
        )
        if step is None:
            break
        moves.append(step)
        code = step.code
    return code, moves


def _verify_fingerprint(county: model.County, villages_dir: Path, text: str) -> Verdict:
    target: tuple[str, str] | None = None
    given = normalize(text)
    if given is None and "://" in text:
        parts = urlsplit(text)
        given = normalize((parse_qs(parts.query).get("fp") or [""])[0])
        found = re.search(r"([a-z0-9-]+)/([a-z0-9-]+)/([0-9]{4}-[0-9]{2})/?$", parts.path)
        target = (f"{found.group(1)}/{found.group(2)}", found.group(3)) if found else None
    if given is None:
        return Verdict(
            False,
            [
                "不一致：没有读到指纹。指纹是 32 至 64 位十六进制数字（0-9、a-f），可以带空格。",
                "Mismatch: no fingerprint found (32 to 64 hex digits, spaces allowed).",
            ],
        )
    entries = _log_entries(villages_dir)
    for village in county.villages():
        for period in village.periods:
            fp = next((f for f in versions(village, period) if matches(f, given)), "")
            moves = _migrations_of(entries, village.code, period.period)
            folders = {f"{village.town_slug}/{village.slug}"}
            folders |= {m.migrated_from["village"] for m in moves if m.migrated_from}
            if fp and (target is None or (target[0] in folders and target[1] == period.period)):
                return Verdict(
                    True,
                    [
                        f"一致：{_where(village, period)}，{period.published_at.isoformat()} 公开，"
                        f"指纹 {display(fp)}。",
                        *(f"迁移：{log.migration_text(m, village.name)}。" for m in moves),
                        f"Match: {village.town_slug}/{village.slug} {period.period}, "
                        f"fingerprint {short(fp)}.",
                    ],
                )
    by_code = {village.code: village for village in county.villages()}
    for entry in reversed(entries):
        if not matches(entry.fingerprint, given):
            continue
        code, moves = _successor(entries, entry)
        if code not in by_code:
            continue
        village = by_code[code]
        now = village.period(entry.period)
        if (
            moves
            and now is not None
            and entry.fingerprint in versions(replace(village, code=entry.code), now)
        ):
            return Verdict(
                True,
                [
                    f"一致：{_where(village, now)}，{now.published_at.isoformat()} 公开；这张纸质公示"
                    f"印于迁移之前（公开记录第 {entry.seq} 条，当时是 {entry.village}，代码 "
                    f"{entry.code}），内容与现在公开的相同，现行指纹是 {display(fingerprint(village, now))}。",
                    *(f"迁移：{log.migration_text(m, village.name)}。" for m in moves),
                    f"Match: {village.town_slug}/{village.slug} {entry.period}, as published "
                    f"before its migration from {entry.village} ({entry.code}); unchanged since.",
                ],
            )
        tail = (
            f"现行版本的指纹是 {display(fingerprint(village, now))}。"
            if now
            else "这一期已不在记录中。"
        )
        return Verdict(
            False,
            [
                f"不一致：这是 {village.name} {entry.period} 的旧版本（公开记录第 {entry.seq} 条），之后已更正。{tail}",
                *(f"迁移：{log.migration_text(m, village.name)}。" for m in moves),
                f"Mismatch: an earlier version of {village.town_slug}/{village.slug} "
                f"{entry.period} "
                f"(publication log entry {entry.seq}), since corrected.",
            ],
        )
    where = f"（{target[0]} {target[1]}）" if target else ""
    return Verdict(
        False,
        [
            f"不一致：没有哪一期已公开的记录{where}是这个指纹。纸质公示或链接可能被改动过。",
            "Mismatch: no published period has this fingerprint; the sheet or the link may have "
            "been altered.",
        ],
    )


def verify_log(villages_dir: Path, saved: Path) -> Verdict:
    """Is the log now a strict extension of a copy saved earlier (e.g. from the site)?"""
    current = log_path(villages_dir)
    now = current.read_text(encoding="utf-8") if current.is_file() else None
    old = saved.read_text(encoding="utf-8")
    found = log.extension_problems(old, now, LOG_NAME, str(saved))
    _entries, broken = log.parse(now or "", LOG_NAME)
    if found or broken:
        problem = (found or broken)[0]
        values = dict(problem.values)
        return Verdict(
            False,
            [
                f"不一致：{values.get('reason', '')}现在的公开记录不是您保存的那份的延续。",
                f"Mismatch: {values.get('reason_en', '')} The log does not extend the saved copy.",
            ],
        )
    n_old, n_new = old.count("\n"), (now or "").count("\n")
    return Verdict(
        True,
        [
            f"一致：现在的公开记录（{n_new} 条）完整保留了您保存的 {n_old} 条，只在其后追加。",
            f"Match: the log ({n_new} entries) keeps the saved {n_old} entries and only appends.",
        ],
    )


# --- the transparency log: signing, witnesses, auditors ----------------------------------------
def tlog_files(villages_dir: Path) -> tlog.Files:
    """The log's key, checkpoint and witness list, beside villages/."""
    return tlog.Files(villages_dir.resolve().parent)


def _lines(villages_dir: Path) -> list[str]:
    path = log_path(villages_dir)
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def sign_log(villages_dir: Path, signer: cp.Signer) -> str | None:
    """Sign the whole log's tree head (None if the checkpoint is already current)."""
    path = log_path(villages_dir)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    _entries, found = log.parse(text, LOG_NAME)
    if found:
        zh, en = format_problem(found[0]).split("\n", 1)
        raise BuilderError(zh, en.strip())
    return tlog.sign_head(tlog_files(villages_dir), tlog.leaf_hashes(text.splitlines()), signer)


def _read_source(source: str, name: str) -> str:
    """A file of the log from a folder or from the site's log/ address."""
    if source.startswith(("http://", "https://")):
        from urllib.request import urlopen

        url = source.rstrip("/") + "/" + name
        with urlopen(url, timeout=30) as response:
            return bytes(response.read()).decode("utf-8")
    folder = Path(source)
    for candidate in (folder / name, folder / "log" / name):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise OSError(f"{folder} 中没有 {name} / no {name} in {folder}")


WITNESS_STATE = "state.json"
WITNESS_KEY = "witness.key"


def witness_init(state_dir: Path, name: str, log_key: str) -> str:
    """Create the witness's folder: a new key (0x04), the state trusting log_key."""
    if (state_dir / WITNESS_STATE).exists():
        raise ValueError(f"{state_dir / WITNESS_STATE} 已存在 / already exists")
    key_text = (
        _read_source(log_key.rsplit("/", 1)[0], log_key.rsplit("/", 1)[1])
        if log_key.startswith(("http://", "https://"))
        else Path(log_key).read_text(encoding="utf-8")
    )
    state = witness.State(cp.parse_verifier(key_text))
    signer = cp.generate(name, cp.COSIGNATURE_V1)
    state_dir.mkdir(parents=True, exist_ok=True)
    key_file = state_dir / WITNESS_KEY
    key_file.touch(mode=0o600)
    key_file.write_text(signer.text() + "\n", encoding="utf-8")
    (state_dir / WITNESS_STATE).write_text(state.dump(), encoding="utf-8")
    return signer.verifier().text()


def witness_run(state_dir: Path, source: str, now: dt.datetime | None = None) -> witness.Outcome:
    """Check the log at source against the witness's memory; cosign and remember on success.

    The cosigned checkpoint is written to <dir>/cosigned-<size>.txt, for the county's
    `sunlight log cosign`."""
    state = witness.load((state_dir / WITNESS_STATE).read_text(encoding="utf-8"))
    signer = cp.parse_signer((state_dir / WITNESS_KEY).read_text(encoding="utf-8"))
    outcome = witness.observe(
        state,
        _read_source(source, LOG_NAME),
        _read_source(source, tlog.CHECKPOINT_NAME),
        signer,
        now or dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    if outcome.ok:
        (state_dir / WITNESS_STATE).write_text(state.dump(), encoding="utf-8")
        size = state.checkpoints[-1]["size"]
        out = state_dir / f"cosigned-{size}.txt"
        out.write_text(outcome.cosigned, encoding="utf-8")
        outcome.lines.insert(-1, f"见证签名已写入 {out}，请发给县里（sunlight log cosign）。")
    return outcome


def _old_head(since: str) -> tuple[int, bytes]:
    """A kept tree head: a checkpoint file (its note text) or SIZE:ROOT (hex or base64)."""
    path = Path(since)
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        body = cp.parse_note(text).text if "\n\n" in text else text
        kept = cp.parse_checkpoint(body)
        return kept.size, kept.root
    size, _, root = since.partition(":")
    if not size.isdigit() or not root:
        raise ValueError("--since 要么是记录树头文件，要么是 条数:根哈希 / a file or SIZE:ROOT")
    try:
        raw = bytes.fromhex(root.replace(" ", ""))
    except ValueError:
        raw = base64.b64decode(root)
    return int(size), raw


def _folder_name(villages_dir: Path, folder: str) -> str:
    """The village's name from its village.yml (the folder itself if it cannot be read)."""
    import yaml

    path = villages_dir / folder / "village.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return folder
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else folder


def show_period(villages_dir: Path, village: str, period: str, since: str | None) -> Verdict:
    """Every logged version of one village's period, with its tree head, inclusion proof in the
    signed head, and the signed head's witnesses; optionally the log checked against a head the
    auditor kept."""
    lines = _lines(villages_dir)
    entries, found = log.parse("".join(line + "\n" for line in lines), LOG_NAME)
    out: list[str] = []
    ok = not found
    if found:
        out.append(format_problem(found[0]).split("\n", 1)[0])
    hashes = tlog.leaf_hashes(lines[: len(entries)])
    prefix = merkle.prefix_roots(hashes)
    files = tlog_files(villages_dir)
    state = tlog.status(files, hashes)
    signed = state.signed
    names = {village}
    for e in reversed(entries):  # a migrated village's earlier identities, newest first
        if e.period == period and e.migrated_from and names & {e.code, e.village}:
            names |= {e.migrated_from["code"], e.migrated_from["village"]}
    mine = [
        e
        for e in entries
        if e.period == period and names & {e.code, e.village, e.village.split("/")[-1]}
    ]
    if not mine:
        out.append(f"公开记录中没有 {village} {period}。 / The log has no {village} {period}.")
        ok = False
    fixes = -1
    for e in mine:
        if e.upgraded_from:
            kind = "指纹升级为 v2（内容未变）"
        elif e.migrated_from:
            kind = "迁移"
            out.append(f"迁移：{log.migration_text(e, _folder_name(villages_dir, e.village))}。")
        else:
            fixes += 1
            kind = "首次公开" if fixes == 0 else f"第 {fixes} 次更正"
        root = prefix[e.seq - 1]
        line = (
            f"{kind}：第 {e.seq} 条，{e.village}（{e.code}）{e.period}，{e.published_at} 公开，"
            f"更正 {e.corrections} 次，指纹 {display(e.fingerprint)}；记录树头 {e.seq} · "
            f"{tlog.short_root(root)}"
        )
        if signed is not None and e.seq <= signed.size:
            try:
                merkle.verify_inclusion(
                    hashes[e.seq - 1],
                    e.seq - 1,
                    signed.size,
                    merkle.inclusion_proof(e.seq - 1, hashes[: signed.size]),
                    signed.root,
                )
                line += f"；已包含在签名的记录树头（{signed.size} 条）中。"
            except merkle.ProofError:
                line += "；不在签名的记录树头中！"
                ok = False
        out.append(line)
    if mine:
        last = mine[-1]
        out.append(
            f"之后有无改动：共 {len(mine)} 个版本"
            + (
                "，从未更正。"
                if fixes <= 0
                else f"，最新的是第 {last.seq} 条（{last.published_at}）。"
            )
        )
    if signed is None or state.problem:
        out.append(f"记录树头：{state.problem}")
        ok = ok and signed is not None and not state.problem
    else:
        witnesses = "、".join(label for label, _ in state.cosigners) or "还没有见证人签名"
        out.append(
            f"记录树头：{signed.size} 条，根哈希 {signed.root.hex()[:16]}，公钥签名有效；见证：{witnesses}。"
        )
    if since:
        size, root = _old_head(since)
        verdict = witness.check_old_head(lines[: len(entries)], size, root)
        out += verdict.lines[:1]
        ok = ok and verdict.ok
    out.append(
        f"{'OK' if ok else 'PROBLEM'}: {len(mine)} logged versions of {village} {period}; "
        f"log of {len(entries)} entries."
    )
    return Verdict(ok, out)
