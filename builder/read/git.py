"""Read git history and the records at any revision, without checking anything out.

The audit trail needs the records as they were at a commit: they are copied out of git's object
store (`git ls-tree` + `git cat-file --batch`) into a scratch folder, where `validate()` reads
them like any other `villages/`. Nothing here touches the working tree or the index.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import BuilderError

CHINA = dt.timezone(dt.timedelta(hours=8))
EMPTY = ""  # a revision standing for "no records at all" (before the first commit)


class GitError(BuilderError):
    """Git is missing, this is not a repository, or a revision does not exist."""

    exit_code = 2  # NOTE: a revision that does not exist is wrong usage, not bad records


def last_commit_time(path: Path) -> int | None:
    """Unix time of the last commit of the repository holding path, or None outside git."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
            env=_env(),
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return int(out) if out.strip() else None


def commit_day(path: Path) -> dt.date | None:
    """The day of the last commit (UTC+8, as villagers count days); SOURCE_DATE_EPOCH outside
    git; None when neither says."""
    timestamp = last_commit_time(path)
    if timestamp is None:
        env = os.environ.get("SOURCE_DATE_EPOCH", "")
        timestamp = int(env) if env.isdigit() and int(env) > 0 else None
    return dt.datetime.fromtimestamp(timestamp, CHINA).date() if timestamp is not None else None


def _env() -> dict[str, str]:
    # NOTE: a fixed locale and no pager or prompts, so the output parses the same everywhere
    return {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}


def run(top: Path, *args: str, data: bytes | None = None) -> bytes:
    """Run one git command in top; raise GitError (with git's own words) if it fails."""
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=top,
            input=data,
            capture_output=True,
            env=_env(),
            check=False,
        )
    except OSError as exc:
        raise GitError("找不到 git 命令。", f"git is not available ({exc}).") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError("git 命令失败。", f"git {args[0]} failed: {detail[-1] if detail else ''}")
    return proc.stdout


def toplevel(path: Path) -> Path | None:
    """The repository's top folder, or None when path is not inside a git work tree."""
    try:
        out = run(path, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(out.decode().strip()).resolve()


def resolve(top: Path, rev: str) -> str:
    """The full commit id of rev, or GitError naming it."""
    try:
        return run(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(
            f"找不到版本“{rev}”。请写提交号、分支名或 HEAD~1 这样的写法。",
            f'No revision "{rev}": give a commit id, a branch name or e.g. HEAD~1.',
        ) from None


def parent(top: Path, sha: str) -> str:
    """The first parent of a commit, or EMPTY for a root commit."""
    out = run(top, "rev-list", "--parents", "-n", "1", sha).decode().split()
    return out[1] if len(out) > 1 else EMPTY


@dataclass(frozen=True)
class FileChange:
    """One file in a commit: status (A, M, D, R100, …) and its path before and after."""

    status: str
    old: str
    new: str

    @property
    def same_bytes(self) -> bool:
        """A pure rename: the file moved and not one byte changed."""
        return self.status == "R100"


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    authored: dt.datetime
    committed: dt.datetime
    subject: str
    files: tuple[FileChange, ...] = field(default=())

    @property
    def short(self) -> str:
        """Return the abbreviated commit id."""
        return self.sha[:10]

    @property
    def parent(self) -> str:
        """Return the first parent's id (the empty tree for a root commit)."""
        return self.parents[0] if self.parents else EMPTY

    @property
    def day(self) -> dt.date:
        """The day the commit entered the records, as villagers count days (UTC+8)."""
        return self.committed.astimezone(CHINA).date()


_SEP = "\x1f"
_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%aI%x1f%cI%x1f%s"


def _files(text: str) -> tuple[FileChange, ...]:
    """Parse `--name-status` lines: "M<TAB>path" or "R100<TAB>old<TAB>new"."""
    files = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0]:
            continue
        files.append(FileChange(parts[0], parts[1], parts[2] if len(parts) > 2 else parts[1]))
    return tuple(files)


def _commits(raw: str) -> list[Commit]:
    out = []
    for chunk in raw.split("\x1e")[1:]:
        head, _, rest = chunk.partition("\n")
        sha, parents, author, authored, committed, subject = head.split(_SEP, 5)
        out.append(
            Commit(
                sha,
                tuple(parents.split()),
                author,
                dt.datetime.fromisoformat(authored),
                dt.datetime.fromisoformat(committed),
                subject,
                _files(rest),
            )
        )
    return out


def commit(top: Path, sha: str) -> Commit:
    """One commit's metadata (no file list)."""
    raw = run(top, "log", "-1", f"--format={_FORMAT}", sha)
    return _commits(raw.decode("utf-8", "replace"))[0]


def history(top: Path, pathspec: str) -> list[Commit]:
    """Every commit on the first-parent line that touched pathspec, newest first, with its files
    (renames found); a merge counts as one change, against its first parent, so work merged from
    a branch is shown when it arrived."""
    try:
        run(top, "rev-parse", "--verify", "--quiet", "HEAD")
    except GitError:
        return []  # a repository without commits
    raw = run(
        top,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "-M",
        "--name-status",
        f"--format={_FORMAT}",
        "--",
        pathspec,
    )
    return _commits(raw.decode("utf-8", "replace"))


def changed_files(top: Path, old_rev: str, new_rev: str | None, pathspec: str) -> list[FileChange]:
    """Files that differ between revisions a and b (b None: the working tree), renames found."""
    if old_rev == EMPTY:
        return []
    args = (
        ["diff", "-M", "--name-status", old_rev] + ([new_rev] if new_rev else []) + ["--", pathspec]
    )
    return list(_files(run(top, *args).decode("utf-8", "replace")))


def object_ids(top: Path, specs: Sequence[str]) -> list[str]:
    """Object ids for "rev:path" specs ('' where the path does not exist at that revision)."""
    if not specs:
        return []
    out = run(top, "cat-file", "--batch-check", data="".join(s + "\n" for s in specs).encode())
    ids = []
    for line in out.decode("utf-8", "replace").splitlines():
        parts = line.split()
        ids.append(parts[0] if len(parts) == 3 and parts[1] in ("blob", "tree") else "")
    return ids


def show(top: Path, rev: str, path: str) -> bytes | None:
    """One file's bytes at a revision, or None when it is not there."""
    if rev == EMPTY:
        return None
    (oid,) = object_ids(top, [f"{rev}:{path}"])
    if not oid:
        return None
    return run(top, "cat-file", "blob", oid)


def dirty_paths(top: Path, pathspec: str) -> set[str]:
    """Paths under pathspec whose working-tree file differs from HEAD (changed, new, deleted)."""
    out = run(top, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", pathspec)
    paths: set[str] = set()
    items = out.split(b"\0")
    i = 0
    while i < len(items):
        item = items[i].decode("utf-8", "replace")
        i += 1
        if len(item) < 4:
            continue
        paths.add(item[3:])
        if item[0] in "RC":  # a rename or copy is followed by its source path
            paths.add(items[i].decode("utf-8", "replace"))
            i += 1
    return paths


def materialize(top: Path, rev: str, paths: Iterable[str], dest: Path) -> int:
    """Copy the files under paths at rev into dest (same relative paths); return how many."""
    if rev == EMPTY:
        return 0
    copy = TreeCopy(top, dest)  # NOTE: a whole county: one listing, one batch of files
    copy.move_to(rev, paths)
    return len(copy.held)


def tree_files(top: Path, rev: str, paths: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The files under paths at rev: {path: (mode, content id)}."""
    listing = run(top, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths)
    files: dict[str, tuple[str, str]] = {}
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, raw_path = item.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        if kind == "blob":
            files[raw_path.decode("utf-8", "surrogateescape")] = (mode, oid)
    return files


def blobs(top: Path, oids: Sequence[str]) -> list[bytes]:
    """The content of each blob, in order."""
    if not oids:
        return []
    out = run(top, "cat-file", "--batch", data="".join(oid + "\n" for oid in oids).encode())
    contents = []
    pos = 0
    for _ in oids:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].split()[2])
        contents.append(out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1
    return contents


TREE_MODE = "40000"  # a folder's mode as a tree object writes it (ls-tree shows "040000")
LINK_MODE = "120000"
SUBMODULE_MODE = "160000"  # another repository's commit: no file (ls-tree's "commit")
BATCH_FROM = 32  # changed files a TreeCopy asks git for in one batch, not one by one


class Objects:
    """One `git cat-file --batch` process, asked for one object after another, and the folders
    (trees) it has read, kept by content id: a village's versions read through it start no
    process each and read only the folders that changed (two git commands a version were a
    third of a history's time)."""

    def __init__(self, top: Path) -> None:
        try:
            self.process = subprocess.Popen(
                ["git", "-c", "core.quotepath=off", "cat-file", "--batch"],
                cwd=top,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_env(),
            )
        except OSError as exc:
            raise GitError("找不到 git 命令。", f"git is not available ({exc}).") from None
        self.trees: dict[str, dict[str, tuple[str, str]]] = {}

    def __enter__(self) -> Objects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the process."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process.wait()

    def read(self, name: str) -> tuple[str, str, bytes] | None:
        """(content id, type, content) of the object name names ("rev:path", "rev^{tree}", an
        id), or None where there is none."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            stdin.flush()
            header = stdout.readline()
        except OSError:
            header = b""
        if not header:
            raise GitError("git 命令失败。", f"git cat-file stopped at {name}.")
        if header.endswith((b" missing\n", b" ambiguous\n")):
            return None
        oid, kind, size = header.decode("ascii").split()
        data = stdout.read(int(size) + 1)[:-1]
        return oid, kind, data

    def entries(self, oid: str) -> dict[str, tuple[str, str]]:
        """A folder's entries: {name: (mode, content id)}."""
        kept = self.trees.get(oid)
        if kept is None:
            found = self.read(oid)
            if found is None or found[1] != "tree":
                raise GitError("git 命令失败。", f"git has no folder {oid}.")
            kept = self.trees[oid] = _tree_entries(found[2], len(oid) // 2)
        return kept

    def files_at(self, rev: str, paths: Iterable[str]) -> dict[str, tuple[str, str]]:
        """The files under paths at rev: {path: (mode, content id)} (`git ls-tree -r`)."""
        root = self.read(f"{rev}^{{tree}}")
        if root is None:
            raise GitError(f"找不到版本“{rev}”。", f'No revision "{rev}".')
        files: dict[str, tuple[str, str]] = {}
        for path in paths:
            entry: tuple[str, str] | None = (TREE_MODE, root[0])
            for part in path.split("/"):
                if entry is None or entry[0] != TREE_MODE:
                    entry = None
                    break
                entry = self.entries(entry[1]).get(part)
            if entry is not None:
                self._add(path, entry, files)
        return files

    def _add(self, path: str, entry: tuple[str, str], files: dict[str, tuple[str, str]]) -> None:
        mode, oid = entry
        if mode == TREE_MODE:
            for name, child in self.entries(oid).items():
                self._add(f"{path}/{name}", child, files)
        elif mode != SUBMODULE_MODE:
            files[path] = entry


def _tree_entries(data: bytes, width: int) -> dict[str, tuple[str, str]]:
    """A tree object's entries: mode, a space, name, a zero byte, then the id (width bytes)."""
    out: dict[str, tuple[str, str]] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
        out[name] = (data[pos:space].decode("ascii"), data[nul + 1 : nul + 1 + width].hex())
        pos = nul + 1 + width
    return out


class TreeCopy:
    """A folder holding the files under some paths at one revision, then at another: moving
    it writes only the files that differ from those it holds (by content id and mode) and
    removes those the new revision lacks, so a village's versions one after another cost a
    month's files each, not every file again."""

    def __init__(self, top: Path, dest: Path, objects: Objects | None = None) -> None:
        self.top = top
        self.dest = dest
        self.objects = objects  # moved many times: through one process (see Objects)
        self.held: dict[str, tuple[str, str]] = {}

    def move_to(self, rev: str, paths: Iterable[str]) -> None:
        """Hold the files under paths at rev (nothing at EMPTY)."""
        if rev == EMPTY:
            wanted = {}
        elif self.objects is None:
            wanted = tree_files(self.top, rev, paths)
        else:
            wanted = self.objects.files_at(rev, paths)
        try:
            self._update(wanted)
        except OSError:
            if not self.held:
                raise
            # NOTE: what it holds is not what it thinks (a file become a folder or the like):
            # start again from nothing
            shutil.rmtree(self.dest, ignore_errors=True)
            self.held = {}
            self._update(wanted)

    def _update(self, wanted: dict[str, tuple[str, str]]) -> None:
        for rel in sorted(self.held.keys() - wanted.keys(), reverse=True):
            target = self.dest / rel
            target.unlink()
            self.held.pop(rel)
            for folder in target.parents:  # the folders it leaves empty go too
                if folder == self.dest or any(folder.iterdir()):
                    break
                folder.rmdir()
        changed = [(rel, entry) for rel, entry in wanted.items() if self.held.get(rel) != entry]
        for (rel, (mode, oid)), content in zip(changed, self._contents(changed), strict=True):
            target = self.dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel in self.held:
                target.unlink()
            if mode == LINK_MODE:  # NOTE: kept as a link, so the checks report it as they would
                os.symlink(content.decode("utf-8", "surrogateescape"), target)
            else:
                target.write_bytes(content)
            self.held[rel] = (mode, oid)

    def _contents(self, changed: list[tuple[str, tuple[str, str]]]) -> list[bytes]:
        """The changed files' bytes: one by one through the process when they are a month's,
        else in one batch (a round trip a file made copying a whole county twice as slow)."""
        if self.objects is None or len(changed) > BATCH_FROM:
            return blobs(self.top, [oid for _, (_, oid) in changed])
        out = []
        for rel, (_, oid) in changed:
            found = self.objects.read(oid)
            if found is None:
                raise GitError("git 命令失败。", f"git has no file {oid} ({rel}).")
            out.append(found[2])
        return out


def added_in(top: Path, path: str, text: str) -> str | None:
    """The newest commit that added a line holding text to path (None: not committed yet)."""
    try:
        out = run(top, "log", "-1", "--format=%H", "-F", "-S", text, "--", path)
    except GitError:
        return None
    sha = out.decode("ascii", "replace").strip()
    return sha or None


def untracked(top: Path) -> list[str]:
    """Files in the working tree that git does not track (nor ignore), relative to top."""
    out = run(top, "ls-files", "--others", "--exclude-standard", "-z")
    return [p for p in out.decode("utf-8", "replace").split("\0") if p]
