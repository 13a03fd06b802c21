"""RFC 9162 tree math against the Certificate Transparency reference vectors and the RFC's own
recursive definitions."""

from __future__ import annotations

import hashlib

import pytest

from builder.audit import merkle

# The eight leaves, the root of every prefix and the audit paths and consistency proofs of the
# Certificate Transparency reference implementation (merkle_tree_test.cc), as republished by
# transparency-dev/merkle's test data: fixed literals, independent of the code under test.
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, 0-based; tree size; audit path)
INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (size1, size2, proof)
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

HASHES = [merkle.leaf_hash(d) for d in LEAVES]


def _h(xs: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in xs]


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert merkle.root([]).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_roots_match_the_reference_vectors() -> None:
    for n in range(1, 9):
        assert merkle.root(HASHES[:n]).hex() == ROOTS[n - 1], n
    assert [r.hex() for r in merkle.prefix_roots(HASHES)] == ROOTS


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_reference_vectors(
    index: int, size: int, path: list[str]
) -> None:
    assert merkle.inclusion_proof(index, HASHES[:size]) == _h(path)
    root = bytes.fromhex(ROOTS[size - 1])
    merkle.verify_inclusion(HASHES[index], index, size, _h(path), root)
    bad = [
        (index + 1, size, _h(path), root),
        (index, size * 2, _h(path), root),
        (index, size, [*_h(path), root], root),
        (index, size, _h(path)[:-1], root) if path else (index, size, [root], root),
        (index, size, _h(path), merkle.EMPTY_ROOT),
    ]
    for i, s, p, r in bad:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(HASHES[index], i, s, p, r)


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_reference_vectors(
    size1: int, size2: int, proof: list[str]
) -> None:
    assert merkle.consistency_proof(size1, HASHES[:size2]) == _h(proof)
    r1, r2 = bytes.fromhex(ROOTS[size1 - 1]), bytes.fromhex(ROOTS[size2 - 1])
    merkle.verify_consistency(size1, size2, r1, r2, _h(proof))
    if not proof:
        return
    bad = [
        (size1 - 1 or 3, size2, r1, r2, _h(proof)),
        (size1, size2 * 2, r1, r2, _h(proof)),
        (size1, size2, r2, r1, _h(proof)),
        (size1, size2, r1, r2, []),
        (size1, size2, r1, r2, _h(proof)[:-1]),
        (size1, size2, r1, r2, [*_h(proof), r1]),
        (size1, size2, r1, r2, [r2, *_h(proof)]),
    ]
    for s1, s2, a, b, p in bad:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(s1, s2, a, b, p)


def _mth(data: list[bytes]) -> bytes:
    """RFC 9162's recursive definition, written from the text, on raw leaf data."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(data[:k]) + _mth(data[k:])).digest()


def test_every_proof_of_every_small_tree_verifies_and_a_flipped_bit_fails() -> None:
    data = [f"entry {i}".encode() for i in range(40)]
    hashes = [merkle.leaf_hash(d) for d in data]
    prefix = merkle.prefix_roots(hashes)
    tree = merkle.Tree(hashes)
    for n in range(1, len(data) + 1):
        assert tree.root(0, n) == prefix[n - 1]
        root = _mth(data[:n])
        assert merkle.root(hashes[:n]) == root == prefix[n - 1]
        for m in range(n):
            path = merkle.inclusion_proof(m, hashes[:n])
            merkle.verify_inclusion(hashes[m], m, n, path, root)
            assert tree.inclusion_proof(m, n) == path
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(hashes[(m + 1) % n], m, n, path, root) if n > 1 else (
                    merkle.verify_inclusion(merkle.leaf_hash(b"x"), m, n, path, root)
                )
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, hashes[:n])
            merkle.verify_consistency(m, n, prefix[m - 1], root, proof)
            assert tree.consistency_proof(m, n) == proof
            if m < n:
                forged = bytearray(proof[0])
                forged[0] ^= 1
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(
                        m, n, prefix[m - 1], root, [bytes(forged), *proof[1:]]
                    )
                with pytest.raises(merkle.ProofError):  # a different old tree
                    merkle.verify_consistency(m, n, merkle.leaf_hash(b"other"), root, proof)
