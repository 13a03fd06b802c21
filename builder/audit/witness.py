"""A witness: an independent party that remembers the log's checkpoints and cosigns only growth.

The witness keeps one file (its *state*, JSON): the log's public key it trusts, every checkpoint
it accepted (size, root, when), and the log lines up to the last one — public data, kept so that
a rewrite can be named entry by entry, not only detected. Its private key is a separate file.

`observe` is what `sunlight witness run` does with a new log and checkpoint:

1. the checkpoint must carry the log's valid signature, and the log's first `size` lines must
   hash (RFC 9162) to its root;
2. it must not be smaller than the last checkpoint the witness accepted, and the RFC 9162
   consistency proof from that checkpoint to the new one must verify against the root the
   witness remembers (a regenerated, self-consistent log fails here, whoever signed it);
3. then, and only then, the witness records it and cosigns (c2sp.org/tlog-cosignature v1).

On failure the state is left as it was, so every later run against the rewritten log fails too.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from builder.audit import checkpoint as cp
from builder.audit import merkle, tlog

STATE_VERSION = 1
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass
class State:
    log_key: cp.Verifier
    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def dump(self) -> str:
        """The state file's text."""
        return (
            json.dumps(
                {
                    "version": STATE_VERSION,
                    "log_key": self.log_key.text(),
                    "checkpoints": self.checkpoints,
                    "entries": self.lines,
                },
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        )

    @property
    def last(self) -> tlog.Head | None:
        """The last checkpoint the witness accepted."""
        if not self.checkpoints:
            return None
        c = self.checkpoints[-1]
        return tlog.Head(int(c["size"]), base64.b64decode(c["root"]))


def load(text: str) -> State:
    """Read a state file."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise cp.NoteError("not a witness state file of this version")
    return State(
        cp.parse_verifier(data["log_key"]), list(data["checkpoints"]), list(data["entries"])
    )


def describe(line: str) -> str:
    """One log line for people: entry number, village, period, date, fingerprint."""
    try:
        e = json.loads(line)
        return (
            f"第 {e.get('seq', '?')} 条 {e.get('village', '?')} {e.get('period', '?')}，"
            f"{e.get('published_at', '?')} 公开，指纹 {str(e.get('fingerprint', ''))[:32]}"
        )
    except (ValueError, AttributeError):
        return f"无法读取的一行：{line[:60]}"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    lines: list[str]
    cosigned: str = ""  # the checkpoint with this witness's cosignature appended


def first_difference(old: list[str], new: list[str]) -> int | None:
    """The index of the first old line that the new log does not hold unchanged."""
    for i, line in enumerate(old):
        if i >= len(new) or new[i].rstrip("\n") != line.rstrip("\n"):
            return i
    return None


def _fail(*lines: str) -> Outcome:
    return Outcome(False, list(lines))


def observe(
    state: State, log_text: str, checkpoint_text: str, signer: cp.Signer, now: dt.datetime
) -> Outcome:
    """Check a new checkpoint against the log and the witness's memory; cosign if consistent.

    Updates state in place only on success."""
    try:
        new, note = cp.open_checkpoint(checkpoint_text, state.log_key)
    except cp.NoteError as err:
        return _fail(
            f"拒绝：记录树头没有公开记录公钥 {state.log_key.name} 的有效签名（{err}）。",
            f"Refused: the checkpoint is not validly signed by {state.log_key.name} ({err}).",
        )
    lines = log_text.splitlines()
    if len(lines) < new.size:
        return _fail(
            f"拒绝：记录树头有 {new.size} 条，公开记录只有 {len(lines)} 条。",
            f"Refused: the checkpoint has {new.size} entries, the log only {len(lines)}.",
        )
    hashes = tlog.leaf_hashes(lines[: new.size])
    if merkle.root(hashes) != new.root:
        return _fail(
            f"拒绝：公开记录的前 {new.size} 条与签名的记录树头不符。",
            f"Refused: the log's first {new.size} entries do not match the signed root.",
        )
    old = state.last
    if old is not None:
        if new.size < old.size:
            return _fail(
                f"拒绝：记录树头从 {old.size} 条倒退到 {new.size} 条，公开记录被截短了。",
                f"Refused: the tree went back from {old.size} to {new.size} entries.",
            )
        index = first_difference(state.lines[: old.size], lines)
        try:
            proof = merkle.consistency_proof(old.size, hashes) if old.size else []
            if old.size:
                merkle.verify_consistency(old.size, new.size, old.root, new.root, proof)
        except merkle.ProofError as err:
            where = (
                [
                    f"第一处不同在第 {index + 1} 条：",
                    f"  见证人 {dt.date.fromisoformat(state.checkpoints[-1]['seen_at'][:10])} "
                    f"见过的：{describe(state.lines[index])}",
                    "  现在的："
                    + (describe(lines[index]) if index < len(lines) else "（已被删除）"),
                ]
                if index is not None
                else []
            )
            return _fail(
                f"不一致：现在的公开记录不是见证人上次见到的 {old.size} 条记录的延续——历史被改写了。",
                *where,
                f"Inconsistent: the log does not extend the {old.size} entries this witness "
                f"saw ({err}); "
                + (
                    f"the first entry that differs is #{index + 1}."
                    if index is not None
                    else "the witness kept no entries to compare."
                ),
            )
    stamp = int(now.timestamp())
    now = now.astimezone(CHINA)  # what the officer reads and the state file keeps
    signature = cp.cosign(note.text, signer, stamp)
    cosigned = cp.Note(note.text, (*note.signatures, signature)).render()
    state.checkpoints.append(
        {
            "size": new.size,
            "root": base64.b64encode(new.root).decode(),
            "seen_at": now.isoformat(timespec="seconds"),
        }
    )
    state.lines = [line.rstrip("\n") for line in lines[: new.size]]
    grown = new.size - (old.size if old else 0)
    return Outcome(
        True,
        [
            f"一致：公开记录现有 {new.size} 条"
            + (
                f"，完整保留了上次见到的 {old.size} 条，新增 {grown} 条（一致性证明已核对）。"
                if old
                else "（首次见证，已记下）。"
            ),
            f"已加上见证签名 {signer.name}，时间 {now.isoformat(timespec='seconds')}。",
            f"Consistent: {new.size} entries"
            + (f", extending the {old.size} seen before" if old else " (first sighting)")
            + f"; cosigned as {signer.name}.",
        ],
        cosigned,
    )


def check_old_head(lines: list[str], size: int, root: bytes) -> Outcome:
    """An auditor's check: is a tree head they kept (size and root, or its first 16+ hex
    digits) the head of the current log's first `size` entries, by a consistency proof?"""
    hashes = tlog.leaf_hashes(lines)
    if size > len(hashes):
        return _fail(
            f"不一致：您保存的记录树头有 {size} 条，现在的公开记录只有 {len(hashes)} 条。",
            f"Mismatch: your head has {size} entries, the log only {len(hashes)}.",
        )
    now_root = merkle.root(hashes)
    if len(root) < 32:  # a short root from paper: compare the prefix of the recomputed root
        ok = merkle.root(hashes[:size]).startswith(root)
    else:
        try:
            proof = merkle.consistency_proof(size, hashes) if size else []
            merkle.verify_consistency(size, len(hashes), root, now_root, proof)
            ok = True
        except merkle.ProofError:
            ok = False
    if not ok:
        return _fail(
            f"不一致：现在的公开记录的前 {size} 条不再是您保存的记录树头——之前的记录被改写了。",
            f"Mismatch: the log's first {size} entries no longer hash to the head you kept.",
        )
    return Outcome(
        True,
        [
            f"一致：您保存的记录树头（{size} 条，{root.hex()[:16]}）是现在公开记录（{len(hashes)} 条）"
            "的前缀，之后只有追加。",
            f"Match: the head you kept ({size} entries) is a prefix of the current log "
            f"({len(hashes)} entries).",
        ],
    )
