"""Compare a built site with the records: what `sunlight verify --site DIR` answers.

Builds are reproducible (same input, same bytes), so the honest check is to rebuild: the
records are checked out at the commit the site says it was built from (`log/site-commit.txt`,
else HEAD) into a temporary git worktree, built there, and every file of the two sites is
compared byte for byte. Nothing the site declares about itself is trusted: a page edited after
the build — in its figures, its fingerprint, or both consistently — differs from the rebuild.
For a period page that differs, the verdict says what was touched.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from builder import model
from builder.audit.commands import Verdict
from builder.audit.snapshot import Repo
from builder.read import git

COMMIT_FILE = "log/site-commit.txt"
AS_OF_FILE = "log/site-as-of.txt"  # the day the site judged lateness as of (sunlight build --today)
# a figure the page's check compares (data-sl), or any amount cell (a ledger row's, by position)
_CELL = re.compile(r'(?:data-sl="([^"]+)"|class="sl-num")>([^<]*)')
_FP = re.compile(r'data-fingerprint="([0-9a-f]*)"|id="sl-fp-shown">([^<]*)<')


def site_commit(villages_dir: Path) -> str:
    """What `log/site-commit.txt` holds for a build of villages_dir: the commit, and "+changes"
    when the records or the log differ from it (such a site cannot be rebuilt from git)."""
    repo = Repo.find(villages_dir)
    if repo is None:
        return ""
    try:
        head = git.resolve(repo.top, "HEAD")
        dirty = git.run(
            repo.top, "status", "--porcelain", "--", repo.villages_rel, repo.log_rel
        ).strip()
    except git.GitError:
        return ""
    return f"{head}{'+changes' if dirty else ''}\n"


def _files(root: Path) -> dict[str, Path]:
    # NOTE: through links: a local build's village folders link to their stored copies
    found = (
        Path(folder) / name
        for folder, _, names in os.walk(root, followlinks=True)
        for name in names
    )
    return {p.relative_to(root).as_posix(): p for p in sorted(found) if p.is_file()}


def rebuild(villages_dir: Path, commit: str, dest: Path, as_of: str = "") -> Path:
    """Build the site of the records at commit into dest/site (a temporary git worktree), as
    of the day the site was built (its as-of file) when it says."""
    repo = Repo.find(villages_dir)
    if repo is None:
        raise git.GitError(
            "记录不在 git 仓库中，无法按提交重新生成网站。",
            "The records are not in a git repository: nothing to rebuild from.",
        )
    tree = dest / "tree"
    git.run(repo.top, "worktree", "add", "--detach", "--force", str(tree), commit)
    try:
        project = tree / Path(repo.villages_rel).parent
        site = dest / "site"
        proc = subprocess.run(
            [sys.executable, "-m", "builder", "build", "--no-cache", "--site-dir", str(site)]
            + (["--today", as_of] if as_of else []),
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise git.GitError(
                f"提交 {commit[:12]} 的记录无法生成网站：{proc.stdout[-300:]}",
                f"The records at {commit[:12]} do not build.",
            )
        return site.resolve()
    finally:
        git.run(repo.top, "worktree", "remove", "--force", str(tree))


def _what(edited: str, built: str) -> str:
    """What differs between an edited period page and the rebuilt one."""
    parts = []
    if _CELL.findall(edited) != _CELL.findall(built):
        parts.append("数字被改动")
    if _FP.findall(edited) != _FP.findall(built):
        parts.append("指纹被改动")
    return "、".join(parts) or "内容被改动"


def verify_site(
    county: model.County, villages_dir: Path, site_dir: Path, reference: Path | None = None
) -> Verdict:
    """Rebuild the site at its commit (or take an already rebuilt reference) and compare every
    file's bytes."""
    site_dir = site_dir.resolve()
    recorded = site_dir / COMMIT_FILE
    commit = recorded.read_text(encoding="utf-8").strip() if recorded.is_file() else "HEAD"
    if commit.endswith("+changes"):
        return Verdict(
            False,
            [
                "不一致：这个网站是用尚未提交的记录生成的，无法按提交重新生成来核对。",
                "Mismatch: this site was built from uncommitted records; it cannot be rebuilt.",
            ],
        )
    if reference is None:
        with tempfile.TemporaryDirectory(prefix="sunlight-verify-") as tmp:
            day = site_dir / AS_OF_FILE
            as_of = day.read_text(encoding="utf-8").strip() if day.is_file() else ""
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of):
                as_of = ""
            built = rebuild(villages_dir, commit, Path(tmp), as_of)
            return _compare(county, site_dir, built, commit)
    return _compare(county, site_dir, reference, commit)


def _compare(county: model.County, site_dir: Path, built_dir: Path, commit: str) -> Verdict:
    mine, built = _files(site_dir), _files(built_dir)
    bad = []
    for rel in sorted(mine.keys() | built.keys()):
        if rel not in built:
            bad.append(f"{rel}（重新生成的网站中没有 / not in the rebuilt site）")
        elif rel not in mine:
            bad.append(f"{rel}（缺失 / missing）")
        elif mine[rel].read_bytes() != built[rel].read_bytes():
            if re.search(r"/\d{4}-\d{2}/index\.html$", rel):
                edited = mine[rel].read_text(encoding="utf-8", errors="replace")
                rebuilt = built[rel].read_text(encoding="utf-8")
                bad.append(f"{rel}（{_what(edited, rebuilt)}）")
            else:
                bad.append(rel)
    periods = sum(len(v.periods) for v in county.villages())
    if bad:
        return Verdict(
            False,
            [f"不一致：{line}" for line in bad]
            + [
                f"Mismatch: {len(bad)} files differ from the site rebuilt from commit "
                f"{commit[:12]}."
            ],
        )
    return Verdict(
        True,
        [
            f"一致：按提交 {commit[:12]} 重新生成的网站与这个网站的 {len(mine)} 个文件逐字节相同"
            f"（{periods} 个期间的网页、张贴版和二维码）。",
            f"Match: all {len(mine)} files equal the site rebuilt from commit {commit[:12]}.",
        ],
    )
