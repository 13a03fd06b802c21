"""Signed tree heads: C2SP signed-note, tlog-checkpoint and tlog-cosignature (Ed25519).

The formats are the transparency-log ecosystem's (Go's checksum database, Sigstore, the
tlog-witness network), so existing witness software can cosign a county's log:

- a **checkpoint** is a note whose text is three lines: the log's origin, the tree size in
  decimal, the base64 RFC 9162 root hash; each ends in a newline (c2sp.org/tlog-checkpoint);
- a **signed note** is that text, a blank line, then signature lines
  ``— <key name> base64(key ID[4] || signature)`` (c2sp.org/signed-note), where
  ``key ID = SHA-256(key name || "\\n" || type || public key)[:4]``; type 0x01 is the log's
  Ed25519 signature over the note text;
- a **cosignature** (c2sp.org/tlog-cosignature, type 0x04) is a witness's signature line on
  the same note: ``base64(key ID[4] || timestamp[8, big-endian] || Ed25519 signature)`` over
  ``"cosignature/v1\\n" || "time <timestamp>\\n" || note text``.

Keys are written as Go's `note` package writes them: a verifier key
``<name>+<key ID hex>+base64(type || 32-byte public key)`` (public, one line), and a signer key
``PRIVATE+KEY+<name>+<key ID hex>+base64(type || 32-byte seed)`` (secret). Ed25519 itself is
`cryptography`'s; nothing here is crypto beyond encoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01  # signed-note: the log's own signature
COSIGNATURE_V1 = 0x04  # tlog-cosignature: a witness's timestamped Ed25519 cosignature
DASH = "\u2014"
_NAME = re.compile(r"[^\s+]+")


class NoteError(ValueError):
    """A key, note or checkpoint that is malformed or does not verify."""


def key_id(name: str, kind: int, public: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A public key that signs notes: its name, signature type and key ID."""

    name: str
    kind: int
    public: bytes

    @property
    def id(self) -> bytes:
        """The 4-byte key ID of signature lines by this key."""
        return key_id(self.name, self.kind, self.public)

    def text(self) -> str:
        """The verifier key as one line: name+hex ID+base64(type || key)."""
        raw = base64.b64encode(bytes([self.kind]) + self.public).decode()
        return f"{self.name}+{self.id.hex()}+{raw}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether signature is this key's Ed25519 signature over message."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A private key that signs notes (the log's, type 0x01, or a witness's, type 0x04)."""

    name: str
    kind: int
    seed: bytes

    def verifier(self) -> Verifier:
        """The matching public key."""
        return Verifier(self.name, self.kind, _raw(self._key().public_key()))

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature over message."""
        return self._key().sign(message)

    def text(self) -> str:
        """The signer key as one line (a secret: never commit it)."""
        raw = base64.b64encode(bytes([self.kind]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier().id.hex()}+{raw}"


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise NoteError(f"key name {name!r} is empty or holds a space or '+'")


def generate(name: str, kind: int = ED25519) -> Signer:
    """A new random key (for the log: ED25519; for a witness: COSIGNATURE_V1)."""
    _check_name(name)
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return Signer(name, kind, seed)


def parse_verifier(text: str) -> Verifier:
    """Read a verifier key line; raises NoteError if malformed or its ID does not match."""
    parts = text.strip().split("+", 2)  # base64 may itself hold "+"
    if len(parts) != 3:
        raise NoteError("a verifier key is name+keyid+base64")
    name, hexid, raw = parts
    _check_name(name)
    try:
        data = base64.b64decode(raw, validate=True)
    except binascii.Error as err:
        raise NoteError("the verifier key is not base64") from err
    if len(data) != 33 or data[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 keys (type 0x01 or 0x04) are supported")
    verifier = Verifier(name, data[0], data[1:])
    if verifier.id.hex() != hexid.lower():
        raise NoteError("the key ID does not match the key")
    return verifier


def parse_signer(text: str) -> Signer:
    """Read a signer key line (PRIVATE+KEY+name+keyid+base64(type || seed))."""
    parts = text.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a signer key is PRIVATE+KEY+name+keyid+base64")
    _, _, name, hexid, raw = parts
    _check_name(name)
    try:
        data = base64.b64decode(raw, validate=True)
    except binascii.Error as err:
        raise NoteError("the signer key is not base64") from err
    if len(data) != 33 or data[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 keys (type 0x01 or 0x04) are supported")
    signer = Signer(name, data[0], data[1:])
    if signer.verifier().id.hex() != hexid.lower():
        raise NoteError("the key ID does not match the key")
    return signer


# --- notes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signature:
    name: str
    id: bytes
    data: bytes  # after the key ID

    def line(self) -> str:
        """The signature line, with its newline."""
        return f"{DASH} {self.name} {base64.b64encode(self.id + self.data).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str  # ends in a newline
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        """The signed note: text, blank line, signature lines."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def parse_note(data: str) -> Note:
    """Split a signed note into its text and signature lines (nothing is verified here)."""
    if any(ord(c) < 0x20 and c != "\n" for c in data):
        raise NoteError("a note holds no control characters but newline")
    if not data.endswith("\n"):
        raise NoteError("a signed note ends in a newline")
    cut = data.rfind("\n\n")
    if cut < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    text, lines = data[: cut + 1], data[cut + 2 :].splitlines()
    if not lines:
        raise NoteError("the note has no signature")
    sigs = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"not a signature line: {line!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except binascii.Error as err:
            raise NoteError(f"a signature is not base64: {line!r}") from err
        if len(raw) < 5:
            raise NoteError(f"a signature is too short: {line!r}")
        sigs.append(Signature(parts[1], raw[:4], raw[4:]))
    return Note(text, tuple(sigs))


def sign_text(text: str, signer: Signer) -> Signature:
    """The log's signature (type 0x01) over a note text."""
    if signer.kind != ED25519:
        raise NoteError("the log signs with an Ed25519 (0x01) key")
    return Signature(signer.name, signer.verifier().id, signer.sign(text.encode()))


def verify_signature(note: Note, verifier: Verifier) -> bool:
    """Whether the note carries a valid 0x01 signature by verifier (other lines are ignored)."""
    found = [s for s in note.signatures if s.name == verifier.name and s.id == verifier.id]
    return bool(found) and all(verifier.verify(note.text.encode(), s.data) for s in found)


# --- checkpoints ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        """The checkpoint's note text (three lines, each ending in a newline)."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint's note text."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
        raise NoteError("a checkpoint is at least three non-empty lines")
    origin, size, root = lines[0], lines[1], lines[2]
    if not re.fullmatch(r"0|[1-9][0-9]*", size):
        raise NoteError("the tree size is not a decimal number without leading zeros")
    try:
        raw = base64.b64decode(root, validate=True)
    except binascii.Error as err:
        raise NoteError("the root hash is not base64") from err
    if len(raw) != 32:
        raise NoteError("the root hash is not 32 bytes")
    return Checkpoint(origin, int(size), raw)


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> Note:
    """The checkpoint as a note signed by the log's key."""
    text = checkpoint.text()
    return Note(text, (sign_text(text, signer),))


def open_checkpoint(data: str, log_key: Verifier) -> tuple[Checkpoint, Note]:
    """Read a signed checkpoint and verify the log's signature; raises NoteError."""
    note = parse_note(data)
    if not verify_signature(note, log_key):
        raise NoteError(f"the checkpoint carries no valid signature by {log_key.name}")
    checkpoint = parse_checkpoint(note.text)
    if checkpoint.origin != log_key.name:
        raise NoteError(f"the checkpoint's origin {checkpoint.origin!r} is not the log's name")
    return checkpoint, note


# --- cosignatures -----------------------------------------------------------------------------
def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a tlog-cosignature/v1 Ed25519 cosigner signs."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def cosign(text: str, signer: Signer, timestamp: int) -> Signature:
    """A witness's cosignature (type 0x04) over a checkpoint's note text at timestamp."""
    if signer.kind != COSIGNATURE_V1:
        raise NoteError("a witness cosigns with a 0x04 key")
    if not 0 <= timestamp < 2**63:
        raise NoteError("the timestamp is out of range")
    sig = signer.sign(cosigned_message(text, timestamp))
    return Signature(signer.name, signer.verifier().id, timestamp.to_bytes(8, "big") + sig)


def verify_cosignature(note: Note, witness: Verifier) -> int | None:
    """The timestamp of witness's valid cosignature on the note, or None."""
    for s in note.signatures:
        if s.name != witness.name or s.id != witness.id or len(s.data) != 72:
            continue
        timestamp = int.from_bytes(s.data[:8], "big")
        if timestamp < 2**63 and witness.verify(cosigned_message(note.text, timestamp), s.data[8:]):
            return timestamp
    return None
