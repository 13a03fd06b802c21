"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, inclusion and consistency proofs.

Only the tree math lives here; the hash function is SHA-256 from hashlib. The definitions follow
RFC 9162 section 2.1 word for word:

    MTH({})      = SHA-256()
    MTH({d0})    = SHA-256(0x00 || d0)                      (a leaf)
    MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))   k: largest power of 2 < n

`inclusion_proof` / `consistency_proof` are PATH and PROOF of sections 2.1.3.1 and 2.1.4.1;
`verify_inclusion` / `verify_consistency` are the verification algorithms of 2.1.3.2 and
2.1.4.2. tests/test_merkle.py holds them to the Certificate Transparency reference vectors
(the same ones transparency-dev/merkle and Go's checksum database test against) and to the naive
recursive definitions for every tree up to 70 leaves.

Hashes are 32-byte `bytes`; leaves are the raw leaf data (`leaf_hash` adds the 0x00 prefix).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that does not verify, or a request for a proof that cannot exist."""


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaves given by their leaf hashes."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root(hashes[:k]), root(hashes[k:]))


def prefix_roots(hashes: Sequence[bytes]) -> list[bytes]:
    """The root of every prefix: out[i] = MTH(D[0:i+1]), in O(n log n) hashes.

    A stack of the perfect subtrees the prefix splits into (a compact range), folded from the
    right: exactly MTH's shape, because MTH splits off the largest power of two first.
    """
    out: list[bytes] = []
    stack: list[tuple[int, bytes]] = []  # (size, hash) of perfect subtrees, left to right
    for h in hashes:
        size, node = 1, h
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, node = left_size + size, node_hash(left, node)
        stack.append((size, node))
        acc = stack[-1][1]
        for _size, left in reversed(stack[:-1]):
            acc = node_hash(left, acc)
        out.append(acc)
    return out


class Tree:
    """One tree's leaves with every aligned perfect subtree hashed once, so that any MTH the
    RFC's recursions ask for costs O(log n) and proofs for thousands of leaves stay cheap."""

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(hashes)]
        while len(self.levels[-1]) >= 2:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )
        self._memo: dict[tuple[int, int], bytes] = {}

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self.levels[0])

    def root(self, lo: int = 0, hi: int | None = None) -> bytes:
        """MTH(D[lo:hi]) for the ranges MTH's own recursion produces (lo aligned to the split)."""
        hi = self.size if hi is None else hi
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self.levels[n.bit_length() - 1][lo // n]
        found = self._memo.get((lo, hi))
        if found is None:
            k = _split(n)
            found = node_hash(self.root(lo, lo + k), self.root(lo + k, hi))
            self._memo[(lo, hi)] = found
        return found

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[0:size])."""
        if not 0 <= index < size <= self.size:
            raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
        out: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                out.append(self.root(lo + k, hi))
                hi = lo + k
            else:
                out.append(self.root(lo, lo + k))
                lo = lo + k
        return out[::-1]

    def consistency_proof(self, m: int, size: int) -> list[bytes]:
        """PROOF(m, D[0:size])."""
        if not 0 < m <= size <= self.size:
            raise ProofError(f"no consistency proof from size {m} to size {size}")
        out: list[bytes] = []
        lo, hi, whole = 0, size, True
        while True:
            n = hi - lo
            if m == n:
                if not whole:
                    out.append(self.root(lo, hi))
                return out[::-1]
            k = _split(n)
            if m <= k:
                out.append(self.root(lo + k, hi))
                hi = lo + k
            else:
                out.append(self.root(lo, lo + k))
                lo, m, whole = lo + k, m - k, False


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index` in the tree of these leaves."""
    n = len(hashes)
    if not 0 <= index < n:
        raise ProofError(f"leaf {index} is not in a tree of {n} leaves")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, hashes[:k]), root(hashes[k:])]
    return [*inclusion_proof(index - k, hashes[k:]), root(hashes[:k])]


def consistency_proof(size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): proves the tree of the first `size` leaves is a prefix of this tree."""
    n = len(hashes)
    if not 0 < size <= n:
        raise ProofError(f"no consistency proof from size {size} to size {n}")
    return _subproof(size, hashes, True)


def _subproof(m: int, hashes: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if whole else [root(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], whole), root(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), root(hashes[:k])]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes
) -> None:
    """RFC 9162 2.1.3.2; raises ProofError unless the leaf hash is at index in that tree."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    if any(len(p) != HASH_SIZE for p in proof) or len(leaf) != HASH_SIZE:
        raise ProofError("a hash in the proof is not 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    if r != expected_root:
        raise ProofError("the inclusion proof does not lead to this root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2; raises ProofError unless tree size1 (root1) is a prefix of size2."""
    if size1 > size2:
        raise ProofError(f"size {size1} is larger than size {size2}")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("a hash in the proof is not 32 bytes")
    if size1 == size2:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes, different roots")
        return
    if size1 == 0:
        raise ProofError("a tree of size 0 has nothing to be consistent with")
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # an exact power of two: the old root is the first node
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != root1:
        raise ProofError("the old tree is not a prefix of the new one")
    if sr != root2:
        raise ProofError("the consistency proof does not lead to the new root")
