"""The publication log as a transparency log: an RFC 9162 Merkle tree over its entries, signed
tree heads (checkpoints), the witnesses' cosignatures, and the proofs auditors ask for.

Leaf i is the log's line i as it is stored (the entry's canonical JSON, without the newline),
so the tree covers every field an entry has now or gains later (a new optional field is part
of the canonical line, never of a separate format). The hash chain (`prev`/`hash`) stays
inside each entry: the tree *wraps* it. Migrating an existing log is therefore nothing but
signing its first checkpoint — no line is rewritten, every fingerprint and entry hash that was
ever printed or saved stays verifiable as it was.

Files beside `villages/` (all public, all committed, all published under `log/` on the site):

- `publication-log.jsonl` — the entries (builder/audit/log.py);
- `log-key.pub` — the log's verifier key (`<origin>+<key ID>+<base64 key>`);
- `publication-checkpoint.txt` — the newest signed checkpoint, with any witness cosignatures
  appended as further signature lines;
- `log-witnesses.txt` — one witness per line: its verifier key, a space, who it is (Chinese).

The log's private key is never in the repository: `sunlight log update` reads it from the
environment variable SUNLIGHT_LOG_KEY (the key line) or from the file SUNLIGHT_LOG_KEY_FILE
names (a CI secret).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from builder.audit import checkpoint as cp
from builder.audit import merkle
from builder.audit.log import Entry

KEY_NAME = "log-key.pub"
CHECKPOINT_NAME = "publication-checkpoint.txt"
WITNESSES_NAME = "log-witnesses.txt"
KEY_ENV = "SUNLIGHT_LOG_KEY"
KEY_FILE_ENV = "SUNLIGHT_LOG_KEY_FILE"
SHORT_ROOT = 16  # hex digits of a root on paper and in QR codes (64 bits)


def leaf(line: str) -> bytes:
    """A log line's leaf data: the line's bytes without its newline."""
    return line.rstrip("\n").encode("utf-8")


def leaf_hashes(lines: list[str]) -> list[bytes]:
    """The leaf hash of every line."""
    return [merkle.leaf_hash(leaf(line)) for line in lines]


def entry_leaves(entries: list[Entry]) -> list[bytes]:
    """The leaf hash of every parsed entry (its canonical line)."""
    return leaf_hashes([e.line() for e in entries])


def short_root(root: bytes) -> str:
    """The first 64 bits of a root in hex: what a printed sheet carries."""
    return root.hex()[:SHORT_ROOT]


@dataclass(frozen=True)
class Head:
    """A tree head: the tree of the first `size` entries and its root."""

    size: int
    root: bytes

    @property
    def b64(self) -> str:
        """The root in base64, as checkpoints write it."""
        return base64.b64encode(self.root).decode()

    @property
    def short(self) -> str:
        """The root's first 64 bits in hex."""
        return short_root(self.root)


def origin_for(site_url: str) -> str:
    """The log's origin (and key name): the site's address without scheme, plus /log."""
    bare = site_url.split("://", 1)[-1].rstrip("/")
    return f"{bare}/log"


@dataclass(frozen=True)
class Files:
    """The transparency files of one repository (beside villages/)."""

    root: Path

    @property
    def key(self) -> Path:
        """The log's public key."""
        return self.root / KEY_NAME

    @property
    def checkpoint(self) -> Path:
        """The newest signed checkpoint."""
        return self.root / CHECKPOINT_NAME

    @property
    def witnesses(self) -> Path:
        """The witnesses the county knows."""
        return self.root / WITNESSES_NAME

    def log_key(self) -> cp.Verifier | None:
        """The log's verifier key, if published."""
        if not self.key.is_file():
            return None
        return cp.parse_verifier(self.key.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Witness:
    key: cp.Verifier
    label: str


def parse_witnesses(text: str) -> list[Witness]:
    """`log-witnesses.txt`: a verifier key, a space, who it is; # starts a comment."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, _, label = line.partition(" ")
        verifier = cp.parse_verifier(key)
        out.append(Witness(verifier, label.strip() or verifier.name))
    return out


def signer_from_env(environ: dict[str, str] | None = None) -> cp.Signer | None:
    """The log's private key from SUNLIGHT_LOG_KEY or the file SUNLIGHT_LOG_KEY_FILE names."""
    env = os.environ if environ is None else environ
    text = env.get(KEY_ENV, "").strip()
    if not text and env.get(KEY_FILE_ENV):
        text = Path(env[KEY_FILE_ENV]).read_text(encoding="utf-8").strip()
    return cp.parse_signer(text) if text else None


def head(hashes: list[bytes], size: int | None = None) -> Head:
    """The tree head of the first size leaves (default: all)."""
    n = len(hashes) if size is None else size
    return Head(n, merkle.root(hashes[:n]))


def sign_head(files: Files, hashes: list[bytes], signer: cp.Signer) -> str | None:
    """Write a checkpoint for the whole log, signed by signer; keep a current one (and its
    cosignatures) as it is. Returns the new note, or None if the file was already current."""
    current = head(hashes)
    if signer.verifier() != files.log_key():
        raise cp.NoteError(
            f"the signing key is not the one in {KEY_NAME} ({signer.verifier().text()})"
        )
    if files.checkpoint.is_file():
        old, _note = cp.open_checkpoint(
            files.checkpoint.read_text(encoding="utf-8"), signer.verifier()
        )
        if old.size == current.size and old.root == current.root:
            return None
        if old.size > current.size or (
            old.size and merkle.root(hashes[: old.size]) != old.root  # never sign a fork
        ):
            raise cp.NoteError(
                f"the log no longer extends its last checkpoint (size {old.size}); refusing to sign"
            )
    note = cp.sign_checkpoint(cp.Checkpoint(signer.name, current.size, current.root), signer)
    text = note.render()
    files.checkpoint.write_text(text, encoding="utf-8", newline="\n")
    return text


@dataclass(frozen=True)
class Status:
    """What the site and `check` say about the signed tree head."""

    head: Head
    signed: cp.Checkpoint | None
    problem: str  # Chinese, empty when the checkpoint is current and valid
    cosigners: tuple[tuple[str, int], ...]  # (label, timestamp) of valid cosignatures


def status(files: Files, hashes: list[bytes]) -> Status:
    """Check the checkpoint against the log and the log's key; list valid cosignatures."""
    current = head(hashes)
    key = files.log_key()
    if key is None:
        return Status(current, None, f"还没有公布公开记录的公钥（{KEY_NAME}）。", ())
    if not files.checkpoint.is_file():
        return Status(current, None, f"还没有签名的记录树头（{CHECKPOINT_NAME}）。", ())
    try:
        signed, note = cp.open_checkpoint(files.checkpoint.read_text(encoding="utf-8"), key)
    except cp.NoteError:
        return Status(
            current, None, "记录树头的签名无效（不是 log-key.pub 中的密钥所签，或内容被改过）。", ()
        )
    problem = ""
    if signed.size > current.size or merkle.root(hashes[: signed.size]) != signed.root:
        problem = f"公开记录与已签名的记录树头（{signed.size} 条）不一致。"
    elif signed.size < current.size:
        problem = f"已签名的记录树头只到第 {signed.size} 条，公开记录现有 {current.size} 条。"
    witnesses = (
        parse_witnesses(files.witnesses.read_text(encoding="utf-8"))
        if files.witnesses.is_file()
        else []
    )
    cosigners = []
    for w in witnesses:
        when = cp.verify_cosignature(note, w.key)
        if when is not None:
            cosigners.append((w.label, when))
    return Status(current, signed, problem, tuple(cosigners))


def add_cosignatures(files: Files, cosigned: str) -> list[str]:
    """Append to the checkpoint the valid cosignatures, by known witnesses, that a cosigned copy
    of the same checkpoint carries; return the labels of the witnesses added."""
    key = files.log_key()
    if key is None or not files.checkpoint.is_file():
        raise cp.NoteError("no log key or checkpoint to add cosignatures to")
    _signed, note = cp.open_checkpoint(files.checkpoint.read_text(encoding="utf-8"), key)
    theirs = cp.parse_note(cosigned)
    if theirs.text != note.text:
        raise cp.NoteError("the cosigned checkpoint is not the current one")
    witnesses = (
        parse_witnesses(files.witnesses.read_text(encoding="utf-8"))
        if files.witnesses.is_file()
        else []
    )
    sigs = list(note.signatures)
    added = []
    for w in witnesses:
        if cp.verify_cosignature(note, w.key) is not None:
            continue
        for s in theirs.signatures:
            if cp.verify_cosignature(cp.Note(note.text, (s,)), w.key) is not None:
                sigs.append(s)
                added.append(w.label)
                break
    if added:
        files.checkpoint.write_text(
            cp.Note(note.text, tuple(sigs)).render(), encoding="utf-8", newline="\n"
        )
    return added


@dataclass(frozen=True)
class Version:
    """One logged version of a period, with the tree head it was first included in."""

    seq: int
    published_at: str
    corrections: int
    fingerprint: str
    head: Head  # the tree of the first seq entries: its last leaf is this version
    line: str = ""  # the entry's line in the log: the leaf


def period_versions(entries: list[Entry]) -> dict[tuple[str, str], tuple[Version, ...]]:
    """Every (village code, period)'s logged versions, oldest first, each with its tree head."""
    roots = merkle.prefix_roots(entry_leaves(entries))
    out: dict[tuple[str, str], list[Version]] = {}
    for e, root in zip(entries, roots, strict=True):
        out.setdefault(e.key, []).append(
            Version(
                e.seq,
                e.published_at,
                e.corrections,
                e.fingerprint,
                Head(e.seq, root),
                e.line().rstrip("\n"),
            )
        )
    return {key: tuple(versions) for key, versions in out.items()}


@dataclass
class LogView:
    """What pages and sheets show of the log: each period's versions, and the head their
    proofs lead to (the signed checkpoint when it is valid and current, else the log's own)."""

    versions: dict[tuple[str, str], tuple[Version, ...]]
    target: Head
    signed: bool
    witnesses: tuple[str, ...]
    tree: merkle.Tree

    def evidence(self, versions: tuple[Version, ...]) -> str:
        """Base64 of the JSON a period page embeds so the browser can prove each version's
        inclusion: its leaf, its path in its own tree head, and the consistency proof from
        that head to the target head (RFC 9162)."""
        import json

        def b64(hashes: list[bytes]) -> list[str]:
            return [base64.b64encode(h).decode() for h in hashes]

        data = {
            "size": self.target.size,
            "root": self.target.b64,
            "signed": self.signed,
            "witnesses": list(self.witnesses),
            "versions": [
                {
                    "seq": v.seq,
                    "line": v.line,
                    "path": b64(self.tree.inclusion_proof(v.seq - 1, v.seq)),
                    "consistency": b64(self.tree.consistency_proof(v.seq, self.target.size)),
                }
                for v in versions
                if v.seq <= self.target.size
            ],
        }
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return base64.b64encode(raw.encode()).decode()


def read_versions(root: Path) -> LogView:
    """The log beside villages/ as pages see it (empty when there is none or it is broken:
    `check` reports a broken log, and the build refuses it)."""
    from builder.audit.log import parse

    path = root / "publication-log.jsonl"
    entries: list[Entry] = []
    if path.is_file():
        entries, _problems = parse(path.read_text(encoding="utf-8"), path.name)
    hashes = entry_leaves(entries)
    state = status(Files(root), hashes)
    signed = state.signed is not None and not state.problem
    target = Head(state.signed.size, state.signed.root) if signed and state.signed else state.head
    return LogView(
        period_versions(entries),
        target,
        signed,
        tuple(label for label, _ in state.cosigners) if signed else (),
        merkle.Tree(hashes),
    )
