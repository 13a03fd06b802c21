"""Publishing folders safely: the live site is a link to a version folder, switched in one
rename; what a build replaces or leaves behind is deleted in the background or next time."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


def swap_in(staging: Path, site_dir: Path) -> None:
    """Replace site_dir with staging using renames, so readers never see half a site."""
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
    staging.rename(site_dir)
    staging_mode = 0o755
    site_dir.chmod(staging_mode)
    if old is not None:
        discard(old)


def discard(folder: Path) -> None:
    """Delete a replaced site in the background: it is out of the way already, and deleting
    tens of thousands of files would hold up the command (a leftover is removed next time)."""
    if not hasattr(os, "fork"):
        shutil.rmtree(folder, ignore_errors=True)
        return
    child = os.fork()
    if child == 0:  # NOTE: fork twice, so the deleting process belongs to no one and is reaped
        try:
            if os.fork() == 0:
                os.setsid()
                # NOTE: at the lowest CPU priority: deleting the 300,000 files of a full
                # build may run beside the next command
                os.nice(19)
                shutil.rmtree(folder, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def absolute(path: Path) -> Path:
    """path made absolute without following its last part (site/ may be a link)."""
    return path.parent.resolve() / path.name


def versions_of(site_dir: Path) -> Path:
    """The folder that holds the published versions site_dir links to."""
    return site_dir.parent / f".{site_dir.name}-versions"


def publish_version(staging: Path, site_dir: Path) -> None:
    """Make staging the site: site_dir is a link to a version folder, replaced by another link
    in one rename, so that a reader (or a killed build) never finds it missing or half-made."""
    versions = versions_of(site_dir)
    versions.mkdir(exist_ok=True)
    version = Path(tempfile.mkdtemp(prefix="v-", dir=versions))
    version.rmdir()
    staging.rename(version)
    version.chmod(0o755)
    previous = site_dir.resolve() if site_dir.is_symlink() else None
    link = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-link-", dir=site_dir.parent))
    link.rmdir()
    link.symlink_to(version.relative_to(site_dir.parent), target_is_directory=True)
    if site_dir.exists() and not site_dir.is_symlink():
        # NOTE: once, from a site folder built before versions: it is briefly missing here
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
        previous = old
    os.replace(link, site_dir)
    if previous is not None and previous.parent != versions:
        discard(previous)
    # NOTE: the version replaced here stays until the next build, so that a reader in the
    # middle of a page never has its files deleted under it; the one before it goes now, once
    # this build has written its files, not while it writes them: on ext4 without a journal
    # the kernel passes over each inode freed in the last minutes when it makes a file, and
    # deleting a full version's 300,000 files beside a build made each of its files cost up to
    # 1 ms of system CPU instead of 50-70 µs
    for older in versions.iterdir():
        if older not in (version, previous):
            discard(older)


def clear_leftovers(site_dir: Path) -> None:
    """Remove what an interrupted or background step left beside site_dir: replaced sites,
    unused links and staging folders of killed builds. (The versions the site no longer links
    to go when the next version is published: publish_version.)"""
    for pattern in (f".{site_dir.name}-{kind}-*" for kind in ("old", "link", "staging")):
        for leftover in site_dir.parent.glob(pattern):
            if leftover.is_symlink():
                leftover.unlink()
            else:
                shutil.rmtree(leftover, ignore_errors=True)


# --- the store of rendered village folders ---------------------------------------------------
# A published version does not hold every village's files: each village whose folder is in the
# store is one relative link into it, so a build re-creates a few hundred links, not tens of
# thousands of folders. Store entries are never changed once made (a new content is a new key),
# so the previous version, which still links to its own entries, stays whole.


@dataclass(frozen=True)
class VillageStore:
    """Rendered village folders by key (`.build/villages/<key>/`), linked from site versions."""

    root: Path

    def path(self, key: str) -> Path:
        """Where the folder stored under key is (or would be)."""
        return self.root / key

    def has(self, key: str) -> bool:
        """Whether a whole folder is stored under key (it is renamed in only when complete)."""
        return self.path(key).is_dir()

    def put(self, folder: Path, key: str) -> bool:
        """Move a freshly rendered folder into the store; False when it cannot be (the folder
        then stays where it is, as plain files)."""
        target = self.path(key)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if target.is_dir():  # NOTE: a killed build stored it already: same key, same bytes
                shutil.rmtree(folder)
            else:
                os.rename(folder, target)
        except OSError:
            return False
        return True

    def link(self, key: str, site: Path, rel: str, site_dir: Path) -> None:
        """Make site/rel (in a site being built, which becomes a version that site_dir links
        to) a link to the folder stored under key, relative from where it will be published."""
        dest = site / rel
        published = versions_of(site_dir) / "v" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.symlink_to(os.path.relpath(self.path(key), published.parent), target_is_directory=True)

    def prune(self, keep: set[str]) -> None:
        """Delete the stored folders no kept version links to (in the background, at once)."""
        if not self.root.is_dir():
            return
        stale = [entry for entry in self.root.iterdir() if entry.name not in keep]
        if not stale:
            return
        trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=self.root))
        for entry in stale:
            entry.rename(trash / entry.name)
        discard(trash)


def materialize(site: Path) -> None:
    """Replace every link to a folder under site by a real copy of it: what leaves this
    machine (an artifact, an upload, a merge) holds files, never links into `.build/`."""
    for folder, dirs, _ in os.walk(site):
        for name in dirs:
            path = Path(folder) / name
            if path.is_symlink():
                target = path.resolve()
                path.unlink()
                shutil.copytree(target, path, symlinks=False)
