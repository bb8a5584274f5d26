"""The audit log's keys and files outside the database, `flask audit verify` and one sequencing round.

Files (paths from settings; see docs/audit.md):
  - the signing key (SABIDAMU_AUDIT_SIGNING_KEY_FILE): `key_id:private-key-hex`, mode 0600; in development
    made on first use under instance/keys/. It signs checkpoints under the key name = the log's origin;
  - the notes file `<checkpoint file stem>.notes`: every signed checkpoint, appended, never rewritten;
  - beside it `<notes file>.vkeys`: the verifier keys (`name+keyid+base64`), one a line, old ones kept;
  - the v1 checkpoint file (SABIDAMU_AUDIT_CHECKPOINTS, JSON lines) and its `.pubkeys`: read only, to
    verify the v1 hash chain written before the Merkle log.
"""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from ..audit.chain import AuditRecord, VerifyResult, verify_chain
from ..audit.checkpoint import CheckpointError, checkpoint_anchors, generate_keypair, read_checkpoints
from ..audit.event import v1_head_detail
from ..audit.note import NoteError, NoteSigner, Verifier, parse_vkey
from ..models import AuditEvent
from ..models.base import utcnow
from .audit import record
from .audit_log import V1_HEAD_ACTION, LogContext, SequencerError, sequence
from .audit_verify import TreeVerdict, verify_tree

_KEY_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,63})[: ]([0-9a-f]{64})$")
STREAM_BATCH = 5000


class AuditConfigError(RuntimeError):
    """Key or checkpoint files are missing or malformed (a usage/configuration problem)."""


def notes_path(settings) -> Path:
    return settings.audit_checkpoint_file.with_suffix(".notes")


def vkeys_path(settings) -> Path:
    notes = notes_path(settings)
    return notes.with_name(notes.name + ".vkeys")


def v1_pubkeys_path(checkpoint_file: Path) -> Path:
    return checkpoint_file.with_name(checkpoint_file.name + ".pubkeys")


def read_v1_public_keys(checkpoint_file: Path) -> dict[str, bytes]:
    path = v1_pubkeys_path(checkpoint_file)
    if not path.exists():
        raise AuditConfigError(f"public key file not found: {path}")
    keys: dict[str, bytes] = {}
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _KEY_LINE.match(line.strip())
        if not match:
            raise AuditConfigError(f"{path} line {line_no}: expected 'key_id public-key-hex'")
        keys[match.group(1)] = bytes.fromhex(match.group(2))
    return keys


def _private_key(key_file: Path | None, create: bool) -> bytes:
    if key_file is None:
        raise AuditConfigError("SABIDAMU_AUDIT_SIGNING_KEY_FILE is not set (required in production)")
    if not key_file.exists():
        if not create:
            raise AuditConfigError(f"audit signing key file not found: {key_file}")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        private, _public = generate_keypair()
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"audit-{utcnow():%Y%m%d}-{secrets.token_hex(3)}:{private.hex()}\n")
    match = _KEY_LINE.match(key_file.read_text().strip())
    if not match:
        raise AuditConfigError(f"{key_file}: expected 'key_id:private-key-hex'")
    return bytes.fromhex(match.group(2))


def load_note_signer(settings, create: bool) -> NoteSigner:
    """The checkpoint signer; its verifier key is listed in the vkeys file (added on first use)."""
    signer = NoteSigner(settings.audit_origin, _private_key(settings.audit_signing_key_file, create))
    path = vkeys_path(settings)
    if signer.vkey not in (path.read_text().split() if path.exists() else []):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        with os.fdopen(fd, "a") as fh:
            fh.write(signer.vkey + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return signer


def read_verifiers(settings) -> list[Verifier]:
    path = vkeys_path(settings)
    if not path.exists():
        raise AuditConfigError(f"verifier key file not found: {path}")
    try:
        return [parse_vkey(line) for line in path.read_text().split() if line]
    except NoteError as exc:
        raise AuditConfigError(f"{path}: {exc}") from exc


def log_context(settings, create_key: bool) -> LogContext:
    return LogContext(signer=load_note_signer(settings, create_key), mac_key=settings.audit_mac_key,
                      notes_file=notes_path(settings),
                      v1_head=lambda db: _v1_head(db, settings.audit_checkpoint_file))


# -- the v1 hash chain (before the Merkle log) ---------------------------------------------------------

def _str(value) -> str | None:
    return None if value is None else str(value)


def stream_v1(db: Session):
    """(record, stored chain hash) of the v1 rows in seq order, in batches."""
    c = AuditEvent.__table__.c
    result = db.connection().execute(
        sa.select(c.seq, c.id, c.at, c.actor_id, c.actor_role, c.org_id, c.action, c.object_type, c.object_id,
                  c.detail, c.chain_hash).where(c.chain_hash.is_not(None)).order_by(c.seq)
        .execution_options(yield_per=STREAM_BATCH))
    try:
        for seq, event_id, at, actor_id, role, org_id, action, otype, oid, detail, stored in result:
            yield AuditRecord(seq=seq, event_id=str(event_id), at=at, actor_id=_str(actor_id), actor_role=role,
                              org_id=_str(org_id), action=action, object_type=otype, object_id=_str(oid),
                              detail=dict(detail or {})), stored
    finally:
        result.close()  # the server-side cursor, also when the verifier stops at the first problem


def verify_v1(db: Session, checkpoint_file: Path) -> VerifyResult:
    """The v1 chain, anchored on the v1 signed checkpoints when their file is there."""
    anchors = {}
    if checkpoint_file.exists():
        anchors = checkpoint_anchors(read_checkpoints(checkpoint_file, read_v1_public_keys(checkpoint_file)))
    rows = stream_v1(db)
    try:
        return verify_chain(rows, anchors=anchors)
    finally:
        rows.close()


def _v1_head(db: Session, checkpoint_file: Path) -> tuple[int, bytes] | None:
    try:
        result = verify_v1(db, checkpoint_file)
    except (CheckpointError, AuditConfigError):
        return None
    return (result.head_seq, result.head_hash) if result.ok and result.head_seq else None


# -- verification ----------------------------------------------------------------------------------

@dataclass
class Verdict:
    exit_code: int  # 0 intact, 1 tampered, 2 cannot verify (keys or checkpoints unreadable)
    line: str
    tree: TreeVerdict | None = None
    v1: VerifyResult | None = None


def verify(db: Session, settings) -> Verdict:
    """The v1 chain (if any), the Merkle tree, every checkpoint, and the link between the two logs."""
    v1 = None
    has_v1 = db.execute(sa.select(AuditEvent.id).where(AuditEvent.chain_hash.is_not(None)).limit(1)).first()
    if has_v1:
        try:
            v1 = verify_v1(db, settings.audit_checkpoint_file)
        except (CheckpointError, AuditConfigError) as exc:
            return Verdict(2, f"CANNOT VERIFY: v1 checkpoints: {exc}")
        if not v1.ok:
            event = f" (event {v1.first_bad_event_id})" if v1.first_bad_event_id else ""
            return Verdict(1, f"TAMPERED: v1 chain {v1.problem} at seq {v1.first_bad_seq}{event}: {v1.message}",
                           None, v1)
    try:
        verifiers = read_verifiers(settings)
    except AuditConfigError as exc:
        any_cp = notes_path(settings).exists() or db.execute(sa.text("SELECT 1 FROM auditcheckpoint LIMIT 1")).first()
        if any_cp:
            return Verdict(2, f"CANNOT VERIFY: {exc}", None, v1)
        verifiers = []
    tree = verify_tree(db, mac_key=settings.audit_mac_key, verifiers=verifiers, origin=settings.audit_origin,
                       notes_file=notes_path(settings))
    if not tree.ok:
        where = f" at leaf {tree.leaf_index}" if tree.leaf_index is not None else ""
        event = f" (event {tree.event_id})" if tree.event_id else ""
        return Verdict(1, f"TAMPERED: {tree.problem}{where}{event}: {tree.message}", tree, v1)
    link = ""
    if v1 is not None and tree.size:
        row = tree.first_leaf
        if row.action != V1_HEAD_ACTION or dict(row.detail or {}) != v1_head_detail(v1.head_seq, v1.head_hash):
            return Verdict(1, "TAMPERED: bridge at leaf 0: leaf 0 does not hold the final head of the v1 chain",
                           tree, v1)
        link = f"; v1 chain: {v1.checked} events verified, its head is leaf 0"
    return Verdict(0, f"OK: {tree.message}{link}", tree, v1)


def record_verify(db: Session, verdict: Verdict) -> None:
    tree = verdict.tree
    record(db, None, "audit.verify", role="system",
           detail={"exit_code": verdict.exit_code, "problem": tree.problem if tree else None,
                   "first_bad_leaf": tree.leaf_index if tree else None})
    db.commit()


def sequence_once(engine, settings, *, create_key: bool) -> tuple[int, str]:
    """One sequencing round; (exit code, one line)."""
    try:
        context = log_context(settings, create_key)
    except (AuditConfigError, ValueError) as exc:
        return 2, f"CANNOT SEQUENCE: {exc}"
    try:
        return 0, sequence(engine, context).line
    except SequencerError as exc:
        return 1, f"NOT SIGNED: {exc}"


def verifier_key_for(settings, note: str) -> str:
    """The listed verifier key (vkey form) whose signature is on `note` (for a downloaded proof)."""
    from ..audit.note import open_note, vkey
    for verifier in read_verifiers(settings):
        try:
            open_note(note, [verifier])
        except NoteError:
            continue
        return vkey(verifier.name, verifier.public_key)
    raise AuditConfigError("no listed verifier key signed this checkpoint")
