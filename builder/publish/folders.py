"""Publishing folders safely: the live site is a link to a version folder, switched in one
rename; what a build replaces or leaves behind is deleted in the background or next time."""

from __future__ import annotations

import os
import shutil
import tempfile
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
    # NOTE: the version replaced here stays until the next build (clear_leftovers), so that
    # a reader in the middle of a page never has its files deleted under it.


def clear_leftovers(site_dir: Path) -> None:
    """Remove what an interrupted or background step left beside site_dir: replaced sites,
    unused links, staging folders of killed builds, and versions the site no longer links to."""
    for pattern in (f".{site_dir.name}-{kind}-*" for kind in ("old", "link", "staging")):
        for leftover in site_dir.parent.glob(pattern):
            if leftover.is_symlink():
                leftover.unlink()
            else:
                shutil.rmtree(leftover, ignore_errors=True)
    current = site_dir.resolve() if site_dir.is_symlink() else None
    versions = versions_of(site_dir)
    if versions.is_dir():
        for version in versions.iterdir():
            if version != current:
                discard(version)
