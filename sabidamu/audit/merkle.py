"""RFC 9162 (Certificate Transparency 2.0) Merkle tree: hashes, proofs, verification, compact ranges.

Pure module (no database). Hashes, exactly as RFC 9162 §2.1.1 (and RFC 6962 §2.1)::

    MTH({})      = SHA-256()                          (empty tree)
    leaf hash    = SHA-256(0x00 || leaf bytes)
    node hash    = SHA-256(0x01 || left || right)
    MTH(D[n])    = node(MTH(D[0:k]), MTH(D[k:n]))     k = largest power of two < n

Nodes are named ``(level, index)``: level 0 are the leaf hashes, the node ``(level, index)`` is the root
of the full subtree over leaves ``[index * 2**level, (index + 1) * 2**level)``. Only full subtrees are
ever stored; any other subtree hash is computed from them (:func:`subtree_hash`). A stored node never
changes once written, so storage is append-only.

Proof generation takes ``get(level, index) -> bytes`` (a lookup of a stored full-subtree hash);
verification needs nothing but the proof. The verification algorithms are the ones written out in
RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), step by step.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

GetNode = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof does not verify, or a request for one is out of range."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def node_key(level: int, index: int) -> int:
    """The last leaf index covered by node (level, index): nodes sort by (last leaf, level) in the order
    an appending tree creates them, which is how they are stored and streamed."""
    return ((index + 1) << level) - 1


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over a list of leaf hashes, straight from the definition (reference and small trees)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


def subtree_hash(start: int, end: int, get: GetNode) -> bytes:
    """MTH(D[start:end]) from stored full subtrees: one lookup when the range is a full aligned subtree,
    else split as the RFC does (at most about 2 log n lookups)."""
    n = end - start
    if n <= 0:
        raise ProofError("empty range")
    if n & (n - 1) == 0 and start % n == 0:
        return get(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(subtree_hash(start, start + k, get), subtree_hash(start + k, end, get))


def inclusion_proof(index: int, size: int, get: GetNode) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 for leaf ``index`` in the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:  # walk down from the root, collecting the sibling of each step bottom-up
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(start + k, end, get))
            end = start + k
        else:
            path.append(subtree_hash(start, start + k, get))
            start += k
    path.reverse()
    return path


def consistency_proof(size1: int, size2: int, get: GetNode) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1."""
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    proof: list[bytes] = []
    start, end, m, complete = 0, size2, size1, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree_hash(start + k, end, get))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, get))
            start += k
            m -= k
            complete = False
    if not complete:
        proof.append(subtree_hash(start, end, get))
    proof.reverse()
    return proof


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2 steps 1-3; returns the root the proof leads to (ProofError if malformed)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} outside tree size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p)
        if sn == 0:
            raise ProofError("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raises ProofError unless ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree with ``root``."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """RFC 9162 §2.1.4.2: raises ProofError unless the tree of ``size2`` extends the tree of ``size1``."""
    if not 0 <= size1 <= size2:
        raise ProofError(f"size1 {size1} must not exceed size2 {size2}")
    if size1 == size2 or size1 == 0:  # nothing to prove; the proof must be empty
        if proof:
            raise ProofError("consistency proof must be empty")
        if size1 == size2 and root1 != root2:
            raise ProofError("equal sizes with different roots")
        return
    if not proof:  # step 1
        raise ProofError("empty consistency proof")
    for c in proof:
        _check_hash(c)
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # step 2
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofError("consistency proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != root1 or sr != root2:  # step 7
        raise ProofError("consistency proof does not match the two roots")


class CompactRange:
    """The right edge of a growing tree: the roots of its full subtrees, largest first.

    ``append`` returns every full-subtree node the new leaf completes, as ``(level, index, hash)``,
    level 0 first: exactly the nodes to store.
    """

    __slots__ = ("size", "hashes")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != bin(size).count("1"):
            raise ValueError("a compact range of size n holds one hash per set bit of n")
        self.size = size
        self.hashes = list(hashes)

    @classmethod
    def load(cls, size: int, get: GetNode) -> CompactRange:
        return cls(size, [get(level, index) for level, index in frontier(size)])

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        index, level, h = self.size, 0, leaf
        made = [(0, index, h)]
        while index & 1:
            h = node_hash(self.hashes.pop(), h)
            index >>= 1
            level += 1
            made.append((level, index, h))
        self.hashes.append(h)
        self.size += 1
        return made

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r


def frontier(size: int) -> list[tuple[int, int]]:
    """(level, index) of the full subtrees that make up a tree of ``size`` leaves, left to right."""
    nodes, offset = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, offset >> level))
            offset += 1 << level
    return nodes


def _check_hash(value: object) -> None:
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        raise ProofError("a proof element is not a 32-byte hash")
