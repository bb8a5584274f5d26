"""The audit log in operation: verifying the chain against signed checkpoints, signing new checkpoints,
and the parent's "who saw my child's card" (see docs/audit.md).

Files outside the database (paths from settings):
  - the checkpoint file (SABIDAMU_AUDIT_CHECKPOINTS): one signed line per checkpoint, append-only;
  - beside it, `<checkpoint file>.pubkeys`: one `key_id public-key-hex` line per signing key ever used
    (public, needed to verify; old keys stay listed after a rotation);
  - the private signing key (SABIDAMU_AUDIT_SIGNING_KEY_FILE): `key_id:private-key-hex`, mode 0600;
    in development created on first use under instance/keys/.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from .. import access
from ..audit.chain import AuditRecord, VerifyResult, verify_chain
from ..audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    CheckpointSigner,
    append_checkpoint,
    checkpoint_anchors,
    generate_keypair,
    public_key_from_private,
    read_checkpoints,
)
from ..models import AuditEvent, Child, Organization, User
from ..models.base import utcnow
from . import AccessDenied, NotFound
from .audit import record

STREAM_BATCH = 2000
_KEY_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,63})[: ]([0-9a-f]{64})$")


class AuditConfigError(RuntimeError):
    """The checkpoint or key files are missing or malformed (a usage/configuration problem)."""


# -- keys ----------------------------------------------------------------------------------------

def pubkeys_path(checkpoint_file: Path) -> Path:
    return checkpoint_file.with_name(checkpoint_file.name + ".pubkeys")


def read_public_keys(checkpoint_file: Path) -> dict[str, bytes]:
    path = pubkeys_path(checkpoint_file)
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


def load_signer(key_file: Path | None, checkpoint_file: Path, create: bool) -> CheckpointSigner:
    """The signing key (made on first use when `create`), its public key listed beside the checkpoints."""
    if key_file is None:
        raise AuditConfigError("SABIDAMU_AUDIT_SIGNING_KEY_FILE is not set (required in production)")
    if not key_file.exists():
        if not create:
            raise AuditConfigError(f"audit signing key file not found: {key_file}")
        key_file.parent.mkdir(parents=True, exist_ok=True)
        private, _public = generate_keypair()
        key_id = f"audit-{utcnow():%Y%m%d}-{secrets.token_hex(3)}"
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{key_id}:{private.hex()}\n")
    match = _KEY_LINE.match(key_file.read_text().strip())
    if not match:
        raise AuditConfigError(f"{key_file}: expected 'key_id:private-key-hex'")
    key_id, private = match.group(1), bytes.fromhex(match.group(2))
    signer = CheckpointSigner(private, key_id)
    _list_public_key(checkpoint_file, key_id, public_key_from_private(private))
    return signer


def _list_public_key(checkpoint_file: Path, key_id: str, public: bytes) -> None:
    path = pubkeys_path(checkpoint_file)
    known = read_public_keys(checkpoint_file) if path.exists() else {}
    if key_id in known:
        if known[key_id] != public:
            raise AuditConfigError(f"{path}: key id {key_id} is listed with another public key")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    with os.fdopen(fd, "a") as fh:
        fh.write(f"{key_id} {public.hex()}\n")
        fh.flush()
        os.fsync(fh.fileno())


# -- verification --------------------------------------------------------------------------------

def _str(value) -> str | None:
    return None if value is None else str(value)


def stream_records(db: Session):
    """(record, stored chain hash) in seq order, read in batches (constant memory, no ORM objects)."""
    cols = (AuditEvent.seq, AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_role,
            AuditEvent.org_id, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
            AuditEvent.detail, AuditEvent.chain_hash)
    result = db.connection().execution_options(yield_per=STREAM_BATCH).execute(
        sa.select(*cols).order_by(AuditEvent.seq))
    for seq, event_id, at, actor_id, role, org_id, action, otype, oid, detail, stored in result:
        yield AuditRecord(seq=seq, event_id=str(event_id), at=at, actor_id=_str(actor_id), actor_role=role,
                          org_id=_str(org_id), action=action, object_type=otype, object_id=_str(oid),
                          detail=dict(detail or {})), stored


@dataclass
class Verdict:
    exit_code: int  # 0 intact, 1 tampered, 2 cannot verify (checkpoints unreadable)
    line: str
    chain: VerifyResult | None = None
    checkpoints: list[Checkpoint] | None = None


def verify(db: Session, checkpoint_file: Path, *, chain_only: bool = False) -> Verdict:
    """One pass over the chain with the signed checkpoints as anchors; a one-line verdict."""
    checkpoints: list[Checkpoint] | None = None
    cp_error = None
    if not chain_only and not checkpoint_file.exists() and not pubkeys_path(checkpoint_file).exists():
        cp_error, anchors = (f"no checkpoints yet ({checkpoint_file} does not exist): run `flask audit checkpoint`",
                             {})
    elif not chain_only:
        try:
            checkpoints = read_checkpoints(checkpoint_file, read_public_keys(checkpoint_file))
            anchors = checkpoint_anchors(checkpoints)
        except (CheckpointError, AuditConfigError) as exc:
            cp_error, anchors = str(exc), {}
    else:
        anchors = {}
    result = verify_chain(stream_records(db), anchors=anchors)
    if not result.ok:
        event = f" (event {result.first_bad_event_id})" if result.first_bad_event_id else ""
        return Verdict(1, f"TAMPERED: {result.problem} at seq {result.first_bad_seq}{event}: {result.message}",
                       result, checkpoints)
    head = f"chain head seq {result.head_seq} ({result.head_hash.hex()[:12]}…)"
    if cp_error is not None:
        return Verdict(2, f"CANNOT VERIFY: {cp_error}; the chain alone is consistent ({result.checked} events, "
                          f"{head}) but unanchored checks cannot exclude a rewrite", result, None)
    if chain_only:
        return Verdict(0, f"OK (chain only, no checkpoints checked: weaker): {result.checked} events verified, {head}",
                       result, None)
    last = checkpoints[-1] if checkpoints else None
    where = f", last at seq {last.seq} ({last.at:%Y-%m-%d %H:%M} UTC)" if last else ""
    return Verdict(0, f"OK: {result.checked} events verified, {head}; {len(checkpoints)} checkpoints match{where}",
                   result, checkpoints)


def record_verify(db: Session, verdict: Verdict) -> None:
    problem = verdict.chain.problem if verdict.chain is not None else None
    record(db, None, "audit.verify", role="system",
           detail={"exit_code": verdict.exit_code, "problem": problem,
                   "first_bad_seq": verdict.chain.first_bad_seq if verdict.chain else None})
    db.commit()


@dataclass
class CheckpointOutcome:
    exit_code: int
    line: str
    checkpoint: Checkpoint | None = None


def checkpoint(db: Session, checkpoint_file: Path, key_file: Path | None, *, create_key: bool) -> CheckpointOutcome:
    """Verify the chain against every earlier checkpoint, then sign and append its head.

    Never signs a chain that does not verify. Skips when nothing was appended since the last line.
    """
    try:
        signer = load_signer(key_file, checkpoint_file, create_key)
    except (AuditConfigError, ValueError) as exc:
        return CheckpointOutcome(2, f"CANNOT CHECKPOINT: {exc}")
    first = not checkpoint_file.exists()
    if first:
        verdict = verify(db, checkpoint_file, chain_only=True)
    else:
        verdict = verify(db, checkpoint_file)
    if verdict.exit_code != 0:
        return CheckpointOutcome(verdict.exit_code, f"NOT SIGNED: {verdict.line}")
    head_seq, head_hash = verdict.chain.head_seq, verdict.chain.head_hash
    if head_seq == 0:
        return CheckpointOutcome(0, "nothing to checkpoint: the audit log is empty")
    last = verdict.checkpoints[-1] if verdict.checkpoints else None
    if last is not None and last.seq >= head_seq:
        return CheckpointOutcome(0, f"up to date: last checkpoint at seq {last.seq}")
    signed = append_checkpoint(checkpoint_file, signer, head_seq, head_hash, utcnow())
    db.rollback()  # end the read transaction before the write (SQLite)
    record(db, None, "audit.checkpoint", role="system", detail={"seq": head_seq, "key_id": signer.key_id})
    db.commit()
    return CheckpointOutcome(0, f"signed checkpoint at seq {head_seq} ({head_hash.hex()[:12]}…) "
                                f"with key {signer.key_id}", signed)


def record_key_rotation(db: Session, kind: str, detail: dict) -> None:
    """`flask keys rotate` writes one event: which kind of key, counts; never key material."""
    record(db, None, "keys.rotate", role="system", detail={"kind": kind, **detail})
    db.commit()


# -- the parent's "who saw my child's card" -------------------------------------------------------

PAGE_SIZE = 25
# Events about a child that show who looked at or changed it (not the parent's own list views).
ACCESS_PREFIXES = ("child.", "screening.", "card.", "conclusion.", "export.", "transfer.", "enrollment.",
                   "consent.", "referral.", "monitoring.", "home_observation.", "data.", "audit.view_own",
                   "access.denied")


@dataclass
class AccessEntry:
    at: dt.datetime
    action: str
    role: str | None
    actor_name: str | None  # staff only; None for parents and the system
    is_me: bool
    org: Organization | None


@dataclass
class AccessPage:
    entries: list[AccessEntry]
    page: int
    pages: int
    total: int


def _child_object_ids(db: Session, child_id: uuid.UUID) -> list[uuid.UUID]:
    """The child and every row that belongs to it (screenings, card stages, consents, ...), as audit
    events name them: found through the foreign keys, so tables added later are covered too."""
    from .data_rights import child_rows
    ids = {child_id}
    for name, row_ids in child_rows(db, child_id).items():
        if "#" not in name:
            ids |= row_ids
    return list(ids)


def _action_filter():
    return sa.or_(*[AuditEvent.action.startswith(p) if p.endswith(".") else AuditEvent.action == p
                    for p in ACCESS_PREFIXES])


def access_log(db: Session, user: User, child_id: uuid.UUID, page: int = 1) -> AccessPage:
    """Who saw or changed this child's data, newest first; only for the child's guardian. Audited."""
    if db.get(Child, child_id) is None:
        raise NotFound()
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    where = sa.and_(AuditEvent.object_id.in_(_child_object_ids(db, child_id)), _action_filter())
    total = db.exec(select(sa.func.count()).select_from(AuditEvent).where(where)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.exec(select(AuditEvent).where(where).order_by(AuditEvent.seq.desc())
                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    staff_ids = {r.actor_id for r in rows if r.actor_id and r.actor_role not in (None, "parent", "system")}
    names = {u.id: u.full_name for u in db.exec(select(User).where(User.id.in_(staff_ids))).all()} if staff_ids else {}
    org_ids = {r.org_id for r in rows if r.org_id}
    orgs = {o.id: o for o in db.exec(select(Organization).where(Organization.id.in_(org_ids))).all()} if org_ids else {}
    entries = [AccessEntry(at=r.at, action=r.action, role=r.actor_role, actor_name=names.get(r.actor_id),
                           is_me=r.actor_id == user.id, org=orgs.get(r.org_id)) for r in rows]
    record(db, user, "audit.view_own", role="parent", object_type="child", object_id=child_id,
           detail={"page": page})
    db.commit()
    return AccessPage(entries, page, pages, total)

