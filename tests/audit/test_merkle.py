"""RFC 9162 Merkle tree: published test vectors, every tree size 1..64 against a reference built from the RFC's
recursive definitions, random larger trees, and tampering with proofs.

Vectors: transparency-dev/merkle (Apache-2.0),
  testonly/constants.go  (LeafInputs, NodeHashes, RootHashes, EmptyRootHash) and
  testonly/reference_test.go (TestRefInclusionProof, TestRefConsistencyProof)
  https://github.com/transparency-dev/merkle/tree/main/testonly
These are the RFC 6962 / RFC 9162 trees built from the same eight leaves that the Certificate Transparency
implementations use in their tests.
"""
from __future__ import annotations

import random

import pytest

from sabidamu.audit import merkle
from sabidamu.audit.merkle import ProofError

LEAF_INPUTS = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                           "606162636465666768696a6b6c6d6e6f")]
NODE_HASHES = [
    ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"],
    ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"],
    ["d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
ROOT_HASHES = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # empty tree
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
N = NODE_HASHES
INCLUSION = [  # (index, size, proof) from TestRefInclusionProof
    (0, 1, []),
    (0, 2, [N[0][1]]),
    (1, 2, [N[0][0]]),
    (2, 3, [N[1][0]]),
    (1, 5, [N[0][0], N[1][1], N[0][4]]),
    (0, 8, [N[0][1], N[1][1], N[2][1]]),
    (5, 8, [N[0][4], N[1][3], N[2][0]]),
]
CONSISTENCY = [  # (size1, size2, proof) from TestRefConsistencyProof
    (1, 1, []),
    (1, 8, [N[0][1], N[1][1], N[2][1]]),
    (2, 5, [N[1][1], N[0][4]]),
    (6, 8, [N[1][2], N[1][3], N[2][0]]),
]


def _store(leaf_hashes):
    nodes = {}
    cr = merkle.CompactRange()
    for h in leaf_hashes:
        for level, index, value in cr.append(h):
            nodes[(level, index)] = value
    return nodes, cr


def _h(values):
    return [bytes.fromhex(v) for v in values]


def test_published_node_and_root_hashes():
    leaves = [merkle.leaf_hash(x) for x in LEAF_INPUTS]
    nodes, _ = _store(leaves)
    for level, row in enumerate(NODE_HASHES):
        for index, value in enumerate(row):
            assert nodes[(level, index)].hex() == value
    for size, root in enumerate(ROOT_HASHES):
        assert merkle.root_of(leaves[:size]).hex() == root
        assert _store(leaves[:size])[1].root().hex() == root
    assert merkle.EMPTY_ROOT.hex() == ROOT_HASHES[0]


@pytest.mark.parametrize("index,size,expected", INCLUSION)
def test_published_inclusion_proofs(index, size, expected):
    leaves = [merkle.leaf_hash(x) for x in LEAF_INPUTS]
    nodes, _ = _store(leaves[:size])
    proof = merkle.inclusion_proof(index, size, lambda lv, i: nodes[(lv, i)])
    assert [p.hex() for p in proof] == expected
    merkle.verify_inclusion(index, size, leaves[index], _h(expected), bytes.fromhex(ROOT_HASHES[size]))


@pytest.mark.parametrize("size1,size2,expected", CONSISTENCY)
def test_published_consistency_proofs(size1, size2, expected):
    leaves = [merkle.leaf_hash(x) for x in LEAF_INPUTS]
    nodes, _ = _store(leaves[:size2])
    proof = [] if size1 == size2 else merkle.consistency_proof(size1, size2, lambda lv, i: nodes[(lv, i)])
    assert [p.hex() for p in proof] == expected
    merkle.verify_consistency(size1, size2, _h(expected), bytes.fromhex(ROOT_HASHES[size1]),
                              bytes.fromhex(ROOT_HASHES[size2]))


# -- a reference straight from RFC 9162 §2.1.3.1 / §2.1.4.1 (lists, no stored nodes) -----------------

def ref_path(m, d):
    n = len(d)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return ref_path(m, d[:k]) + [merkle.root_of(d[k:])]
    return ref_path(m - k, d[k:]) + [merkle.root_of(d[:k])]


def ref_subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [merkle.root_of(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return ref_subproof(m, d[:k], b) + [merkle.root_of(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [merkle.root_of(d[:k])]


def _leaves(n, seed=0):
    rng = random.Random(seed)
    return [merkle.leaf_hash(rng.randbytes(rng.randrange(0, 40))) for _ in range(n)]


def test_every_tree_size_up_to_64_all_proofs():
    leaves = _leaves(64)
    nodes, _ = _store(leaves)
    get = lambda lv, i: nodes[(lv, i)]  # noqa: E731
    for size in range(1, 65):
        root = merkle.root_of(leaves[:size])
        assert merkle.subtree_hash(0, size, get) == root
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, get)
            assert proof == ref_path(index, leaves[:size])
            merkle.verify_inclusion(index, size, leaves[index], proof, root)
        for size1 in range(1, size + 1):
            proof = [] if size1 == size else merkle.consistency_proof(size1, size, get)
            assert proof == ([] if size1 == size else ref_subproof(size1, leaves[:size], True))
            merkle.verify_consistency(size1, size, proof, merkle.root_of(leaves[:size1]), root)


def test_random_larger_trees():
    rng = random.Random(9162)
    leaves = _leaves(3000, seed=1)
    nodes, cr = _store(leaves)
    get = lambda lv, i: nodes[(lv, i)]  # noqa: E731
    assert cr.root() == merkle.root_of(leaves)
    for _ in range(40):
        size = rng.randrange(65, 3001)
        root = merkle.root_of(leaves[:size])
        index = rng.randrange(size)
        merkle.verify_inclusion(index, size, leaves[index], merkle.inclusion_proof(index, size, get), root)
        size1 = rng.randrange(1, size + 1)
        proof = [] if size1 == size else merkle.consistency_proof(size1, size, get)
        merkle.verify_consistency(size1, size, proof, merkle.root_of(leaves[:size1]), root)
        # A compact range rebuilt from stored nodes continues the tree exactly.
        assert merkle.CompactRange.load(size, get).root() == root


def test_tampered_proofs_fail():
    leaves = _leaves(37, seed=2)
    nodes, _ = _store(leaves)
    get = lambda lv, i: nodes[(lv, i)]  # noqa: E731
    root = merkle.root_of(leaves)
    proof = merkle.inclusion_proof(12, 37, get)
    for bad in (
        [proof[0][:-1] + bytes([proof[0][-1] ^ 1])] + proof[1:],  # a flipped bit
        proof[:-1],  # too short
        proof + [proof[0]],  # too long
        list(reversed(proof)),  # reordered
    ):
        with pytest.raises(ProofError):
            merkle.verify_inclusion(12, 37, leaves[12], bad, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(13, 37, leaves[12], proof, root)  # wrong position
    with pytest.raises(ProofError):
        merkle.verify_inclusion(12, 37, leaves[13], proof, root)  # another leaf
    with pytest.raises(ProofError):
        merkle.verify_inclusion(37, 37, leaves[12], proof, root)  # outside the tree
    cons = merkle.consistency_proof(20, 37, get)
    root20 = merkle.root_of(leaves[:20])
    with pytest.raises(ProofError):
        merkle.verify_consistency(20, 37, cons[:-1], root20, root)
    with pytest.raises(ProofError):
        merkle.verify_consistency(20, 37, cons, merkle.root_of(leaves[:19]), root)
    with pytest.raises(ProofError):
        merkle.verify_consistency(20, 37, [], root20, root)
    with pytest.raises(ProofError):  # a tree that changed a leaf is not an extension
        changed = leaves[:5] + [merkle.leaf_hash(b"x")] + leaves[6:]
        merkle.verify_consistency(20, 37, cons, merkle.root_of(changed[:20]), root)
