"""Reuse work between builds: checked villages, rendered pages and their published output.

A county has hundreds of villages; a commit usually touches one. Each village gets a
signature: a hash of its files' (path, size, mtime) — as git and make do — together with the
county and town files it inherits from and the builder's own source. A village whose
signature is unchanged is not checked again (its problems and model come from the cache), and
its pages, which depend only on its own records and the county and town files (NOTE: keep it
so), are not rendered again: their output is linked from the previous site. The signature of
the whole site (templates, mkdocs.yml, content/, versions) guards that reuse. Tests build the
same records with and without the cache and compare the sites byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from builder import __version__
from builder.pipeline.workers import collector_paused

PACKAGE_DIR = Path(__file__).resolve().parents[1]
CACHE_FORMAT = "1"


@cache
def code_hash() -> str:
    """Hash of the builder's own source and templates: new code never reuses old results."""
    digest = hashlib.sha256(f"{__version__}\0{CACHE_FORMAT}\0".encode())
    # rglob does not follow the templates' symlink (repository), so they are a root of their own
    roots = [PACKAGE_DIR, PACKAGE_DIR / "site_templates"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def files_hash(paths: Iterable[Path | None]) -> str:
    """Hash of some files' contents (missing or unreadable ones count as absent: reading them
    reports the problem, and a village inheriting one has an error and no model to reuse)."""
    digest = hashlib.sha256(code_hash().encode())
    for path in paths:
        try:
            data = path.read_bytes() if path is not None and path.is_file() else None
        except OSError:
            data = None
        if path is not None and data is not None:
            digest.update(path.as_posix().encode() + b"\0" + data + b"\0")
        else:
            digest.update(b"-\0")
    return digest.hexdigest()


def stat_signature(paths: Iterable[Path], context: str) -> str:
    """A village's signature: its files' paths, sizes, mtimes and ctimes, and its context.

    The ctime because an mtime can be set back (`touch -d`, or a copy tool keeping times): an
    edit of the same size with its mtime restored left the signature as it was, and `sunlight
    check` and `build` used the cached, unedited record. The ctime is the kernel's, moved by
    every write and by setting the mtime itself; nothing but the system clock sets it back."""
    digest = hashlib.sha256(context.encode())
    # NOTE: sorted and statted as text: pathlib's comparisons and stat took a third of the
    # time of signing a county's 50,000 files (any fixed order serves a hash)
    for name in sorted(path.as_posix() for path in paths):
        try:
            st = os.stat(name)
        except OSError:  # gone or unreadable since the scan: never the same as last time
            digest.update(f"{name}\0?\0{os.urandom(8).hex()}\0".encode())
            continue
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0".encode())
    return digest.hexdigest()


def pickled(value: Any) -> bytes:
    """value as the cache stores it."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def unpickled(data: bytes) -> Any:
    """The value of pickled(value), made with the garbage collector paused (see load)."""
    with collector_paused():
        return pickle.loads(data)


@dataclass
class BuildCache:
    """The cache folder (.build/cache under the project root)."""

    root: Path
    used: set[str] = field(default_factory=set)

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.pickle"

    def load(self, kind: str, key: str) -> Any | None:
        """Return what was stored under key, or None (a damaged entry counts as missing)."""
        self.used.add(f"{kind}/{key}")
        # NOTE: a village's model is hundreds of thousands of objects; the garbage collector,
        # woken again and again while they are made, more than doubled the time to load them
        try:
            with collector_paused(), self._path(kind, key).open("rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def save(self, kind: str, key: str, value: Any) -> None:
        """Store value under key, atomically."""
        self.save_pickled(kind, key, pickled(value))

    def save_pickled(self, kind: str, key: str, data: bytes) -> None:
        """Store under key the value data is the pickle of (pickled(value)), atomically."""
        self.used.add(f"{kind}/{key}")
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def prune(self, kind: str) -> None:
        """Delete entries of a kind that this run did not use."""
        for path in (self.root / kind).glob("*/*.pickle"):
            if f"{kind}/{path.stem}" not in self.used:
                path.unlink(missing_ok=True)

    # the manifest of the site currently published in site/
    def read_manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.root / "site.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "site.json").write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
