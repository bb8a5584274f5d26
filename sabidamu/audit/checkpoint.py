"""Signed checkpoints of the audit chain head, kept in a file outside the database.

The hash chain alone shows that rows were changed *unless* the attacker recomputes every hash
after the change, which anyone with write access to the database can do. A checkpoint is the
chain head ``(seq, head_hash)`` signed with an Ed25519 key the database never sees, appended to a
text file that does not live in the database. Any rewrite, deletion or truncation of rows up to
the last checkpoint then shows: the recomputed chain no longer reaches the signed head.

File format: UTF-8, one JSON object per line, appended, never rewritten::

    {"at":"2025-09-01T08:00:00.000000Z","head_hash":"<64 hex>","key_id":"audit-2025",
     "seq":1234,"signature":"<128 hex>"}

The signature is Ed25519 over ``b"sabidamu-audit-checkpoint-v1\\x00"`` followed by the canonical JSON
(see :func:`sabidamu.audit.chain.canonical_json`) of ``{"at", "head_hash", "key_id", "seq"}``
(``head_hash`` as lowercase hex). The prefix keeps the key from ever signing a message that could
be read as anything else.

API::

    private_key, public_key = generate_keypair()            # raw 32-byte keys
    signer = CheckpointSigner(private_key, key_id="audit-2025")
    result = verify_chain(rows)                             # chain.VerifyResult, ok -> head
    append_checkpoint(path, signer, result.head_seq, result.head_hash, utcnow())

    checkpoints = read_checkpoints(path, {"audit-2025": public_key})   # CheckpointError if bad
    # one pass over the DB, checkpoints as anchors:
    result = verify_chain(rows, anchors=checkpoint_anchors(checkpoints))
    # or, having the stored hashes at hand (e.g. SELECT chain_hash WHERE seq = ?):
    result = check_against_checkpoints(stored_hash_at_seq, checkpoints)

Keys: the private key stays outside the database (a 0600 file or environment variable read by the
application / a cron job); only ``{key_id: public_key}`` is needed to verify. Old public keys stay
listed after rotation so old lines keep verifying.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sabidamu.audit.chain import (
    HASH_SIZE,
    PROBLEM_CHANGED,
    PROBLEM_TRUNCATED,
    AuditFormatError,
    VerifyResult,
    canonical_json,
    format_at,
    parse_at,
)

MESSAGE_PREFIX = b"sabidamu-audit-checkpoint-v1\x00"
KEY_SIZE = 32
SIGNATURE_SIZE = 64
# A checkpoint line is ~250 bytes; anything far longer is not ours and is refused before parsing.
MAX_LINE_BYTES = 1024
_FIELDS = frozenset({"seq", "head_hash", "at", "key_id", "signature"})
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_HEX = re.compile(r"[0-9a-f]*")


class CheckpointError(ValueError):
    """A checkpoint file or line is malformed, unsigned, wrongly signed or signed by an unknown key."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    head_hash: bytes
    at: datetime
    key_id: str
    signature: bytes
    line_no: int | None = None  # set when read from a file, for messages

    def to_line(self) -> str:
        data = {
            "at": format_at(self.at),
            "head_hash": self.head_hash.hex(),
            "key_id": self.key_id,
            "seq": self.seq,
            "signature": self.signature.hex(),
        }
        return canonical_json(data).decode("utf-8") + "\n"


def generate_keypair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as raw bytes ``(private_32, public_32)``."""
    private = Ed25519PrivateKey.generate()
    return _raw_private(private), _raw_public(private.public_key())


def public_key_from_private(private_key_bytes: bytes) -> bytes:
    return _raw_public(_load_private(private_key_bytes).public_key())


def checkpoint_message(seq: int, head_hash: bytes, at: datetime, key_id: str) -> bytes:
    """The exact bytes that are signed for a checkpoint."""
    body = {"at": format_at(at), "head_hash": head_hash.hex(), "key_id": key_id, "seq": seq}
    return MESSAGE_PREFIX + canonical_json(body)


class CheckpointSigner:
    """Signs chain heads with one Ed25519 key identified by ``key_id``."""

    def __init__(self, private_key_bytes: bytes, key_id: str) -> None:
        _check_key_id(key_id)
        self._key = _load_private(private_key_bytes)
        self.key_id = key_id
        self.public_key = _raw_public(self._key.public_key())

    def sign(self, seq: int, head_hash: bytes, at: datetime) -> Checkpoint:
        head_hash = bytes(head_hash)
        _check_head(seq, head_hash)
        message = checkpoint_message(seq, head_hash, at, self.key_id)
        return Checkpoint(seq, head_hash, at, self.key_id, self._key.sign(message))


def append_checkpoint(path: str | os.PathLike[str], signer: CheckpointSigner, seq: int,
                      head_hash: bytes, at: datetime) -> Checkpoint:
    """Sign the head and append it as one line; fsync before returning. New files get mode 0600."""
    checkpoint = signer.sign(seq, head_hash, at)
    path = Path(path)
    created = not path.exists()
    # O_APPEND: one write() of a short line lands whole at the end, never over earlier lines.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, checkpoint.to_line().encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # make the new directory entry durable too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return checkpoint


def read_checkpoints(path: str | os.PathLike[str],
                     public_keys: Mapping[str, bytes]) -> list[Checkpoint]:
    """Read and verify every line; the first bad line raises CheckpointError naming its number."""
    keys = {key_id: _load_public(raw) for key_id, raw in public_keys.items()}
    try:
        with open(path, "rb") as handle:
            return [_parse_line(raw, line_no, keys) for line_no, raw in enumerate(handle, start=1)]
    except FileNotFoundError as exc:
        # A missing file is not "no checkpoints": it may have been deleted. The caller decides.
        raise CheckpointError(f"checkpoint file not found: {path}") from exc


def checkpoint_anchors(checkpoints: Iterable[Checkpoint]) -> dict[int, bytes]:
    """``{seq: head_hash}`` for ``verify_chain(..., anchors=...)``.

    Two validly signed checkpoints with one seq and different heads mean the chain was rewritten
    and re-signed (the signing key is compromised, or the chain was reset): refuse.
    """
    anchors: dict[int, bytes] = {}
    for cp in checkpoints:
        known = anchors.setdefault(cp.seq, cp.head_hash)
        if known != cp.head_hash:
            raise CheckpointError(f"{_where(cp)}: two signed checkpoints for seq {cp.seq} "
                                  "disagree on the head hash")
    return anchors


def check_against_checkpoints(stored_hash_at_seq: Callable[[int], bytes | None],
                              checkpoints: Iterable[Checkpoint]) -> VerifyResult:
    """Compare the database's stored chain hash at each checkpointed seq with the signed head.

    ``stored_hash_at_seq(seq)`` returns the chain hash stored with that seq, or None when no such
    row exists. Run :func:`~sabidamu.audit.chain.verify_chain` first: it proves the stored hashes
    follow from the records and that seqs are gapless, so a missing seq here means the newest rows
    were removed ('truncated'), and a different hash means rows up to that seq were rewritten
    ('changed'). Checkpoints are checked in seq order; the lowest failing seq is reported.
    """
    ordered = sorted(checkpoints, key=lambda cp: cp.seq)
    for checked, cp in enumerate(ordered, start=1):
        stored = stored_hash_at_seq(cp.seq)
        if stored is None:
            return VerifyResult(ok=False, checked=checked, first_bad_seq=cp.seq,
                                problem=PROBLEM_TRUNCATED,
                                message=f"{_where(cp)}: signed checkpoint covers seq {cp.seq}, "
                                        "which is not in the database")
        if bytes(stored) != cp.head_hash:
            return VerifyResult(ok=False, checked=checked, first_bad_seq=cp.seq,
                                problem=PROBLEM_CHANGED,
                                message=f"{_where(cp)}: chain hash at seq {cp.seq} differs from "
                                        "the signed checkpoint (rows at or before it rewritten)")
    last = ordered[-1] if ordered else None
    return VerifyResult(ok=True, checked=len(ordered),
                        message=f"{len(ordered)} checkpoints match",
                        head_seq=last.seq if last else 0,
                        head_hash=last.head_hash if last else bytes(HASH_SIZE))


def _parse_line(raw: bytes, line_no: int, keys: Mapping[str, Ed25519PublicKey]) -> Checkpoint:
    def bad(reason: str) -> CheckpointError:
        return CheckpointError(f"checkpoint line {line_no}: {reason}")

    if len(raw) > MAX_LINE_BYTES:
        raise bad("line too long")
    if not raw.endswith(b"\n"):
        raise bad("incomplete line (no newline; interrupted write or edited file)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad("not valid JSON") from exc
    if not isinstance(data, dict) or set(data) != _FIELDS:
        raise bad(f"expected exactly the fields {sorted(_FIELDS)}")
    seq, head_hex, at_text, key_id, sig_hex = (
        data["seq"], data["head_hash"], data["at"], data["key_id"], data["signature"])
    if type(seq) is not int or seq < 1:
        raise bad("seq must be a positive integer")
    head_hash = _strict_hex(head_hex, HASH_SIZE)
    signature = _strict_hex(sig_hex, SIGNATURE_SIZE)
    if head_hash is None or signature is None:
        raise bad("head_hash/signature must be lowercase hex of the right length")
    if not isinstance(key_id, str):
        raise bad("key_id must be a string")
    try:
        at = parse_at(at_text)
    except AuditFormatError as exc:
        raise bad(str(exc)) from exc
    key = keys.get(key_id)
    if key is None:
        raise bad(f"unknown key id {key_id!r}")
    try:
        key.verify(signature, checkpoint_message(seq, head_hash, at, key_id))
    except InvalidSignature as exc:
        raise bad("signature does not verify (line altered or forged)") from exc
    checkpoint = Checkpoint(seq, head_hash, at, key_id, signature, line_no)
    # Only the form we write is accepted (no duplicate keys, extra spaces, other spellings).
    if checkpoint.to_line().encode("utf-8") != raw:
        raise bad("not in canonical form")
    return checkpoint


def _strict_hex(value: object, size: int) -> bytes | None:
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX.fullmatch(value):
        return None
    return bytes.fromhex(value)


def _check_head(seq: int, head_hash: bytes) -> None:
    # seq 0 (empty chain) has nothing to protect; the caller skips the checkpoint.
    if type(seq) is not int or seq < 1:
        raise ValueError("seq must be a positive int (nothing to checkpoint in an empty chain)")
    if len(head_hash) != HASH_SIZE:
        raise ValueError("head_hash must be 32 bytes")


def _check_key_id(key_id: str) -> None:
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise ValueError("key_id must be 1-64 of [A-Za-z0-9._-], starting with a letter or digit")


def _where(cp: Checkpoint) -> str:
    return f"checkpoint line {cp.line_no}" if cp.line_no is not None else "checkpoint"


def _load_private(raw: bytes) -> Ed25519PrivateKey:
    if len(raw) != KEY_SIZE:
        raise ValueError("an Ed25519 private key is 32 raw bytes")
    return Ed25519PrivateKey.from_private_bytes(bytes(raw))


def _load_public(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != KEY_SIZE:
        raise ValueError("an Ed25519 public key is 32 raw bytes")
    return Ed25519PublicKey.from_public_bytes(bytes(raw))


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
