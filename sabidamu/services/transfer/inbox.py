"""Packages waiting at a school for a decision: the inbox of same-installation transfers (accept, decline) and
packages held for an unknown sender's signing key (the head confirms the key by phone, then it is imported).

Every check of an import is .importing's; this module decides the package's fate and writes its audit event in
the same transaction.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from ...crypto import minisign
from ...crypto.keyring import Keyring
from ...crypto.package import PackageError
from ...models import Organization, User
from ...models.base import utcnow
from ...models.enums import TransferStatus
from ...models.transfer import OrgTransferKey
from ...models.transfer_package import TransferPackage, TrustedSenderKey
from ...observability import IMPORT_REJECTIONS
from .. import NotFound, ServiceError
from ..audit import record
from . import keys as transfer_keys
from .importing import (
    ImportResult,
    _already,
    _audit_detail,
    _hand_over,
    _open,
    _role,
    _school,
    _store_card,
    local_sender,
    message_for,
    retention_until,
    school_role_or_deny,
)

# ------------------------------------------------------------------------------------ held packages

def held_packages(db: Session, actor: User, org_id: uuid.UUID) -> list[TransferPackage]:
    org, _role_ = school_role_or_deny(db, actor, org_id)
    return list(db.exec(select(TransferPackage).where(
        TransferPackage.recipient_org_id == org.id, TransferPackage.status == TransferStatus.HELD)
        .order_by(TransferPackage.created_at)).all())


def _transfer(db: Session, transfer_id: uuid.UUID) -> TransferPackage:
    row = db.get(TransferPackage, transfer_id)
    if row is None or row.recipient_org_id is None:
        raise NotFound()
    return row


@dataclass
class KnownKey:
    fingerprint: str
    registered: bool            # an organization of this installation's own key (else: confirmed by phone)
    since: dt.datetime | None


def known_keys_for(db: Session, row: TransferPackage) -> list[KnownKey]:
    """Keys this school already knows for the sender a held package claims (same org id or BIN) whose fingerprint
    differs from the package's: the confirmation page shows them beside the new one (a rotation, or a forgery)."""
    out: list[KnownKey] = []
    same = (row.sender_fingerprint or "").upper()
    claims = [c for c in (TrustedSenderKey.sender_org_id == row.sender_org_id if row.sender_org_id else None,
                          TrustedSenderKey.sender_bin == row.sender_bin if row.sender_bin else None) if c is not None]
    if claims:
        for key in db.exec(select(TrustedSenderKey).where(TrustedSenderKey.school_org_id == row.recipient_org_id,
                                                          or_(*claims))).all():
            if key.fingerprint != same:
                out.append(KnownKey(key.fingerprint, False, key.confirmed_at))
    try:
        local = local_sender(db, {"org_id": str(row.sender_org_id) if row.sender_org_id else None,
                                  "bin": row.sender_bin})
    except PackageError:
        local = None
    if local is not None:
        for key in db.exec(select(OrgTransferKey).where(OrgTransferKey.org_id == local.id,
                                                        OrgTransferKey.kind == "minisign")).all():
            if key.fingerprint != same:
                out.append(KnownKey(key.fingerprint, True, key.created_at))
    return out


def confirm_sender_key(db: Session, keyring: Keyring, actor: User, transfer_id: uuid.UUID,
                       public_key_text: str) -> ImportResult:
    """The head confirmed the sender's fingerprint by phone and entered the sender's public key: the package is
    imported with every check, and the key is remembered for that sender (org id / BIN) at this school."""
    row = _transfer(db, transfer_id)
    org = _school(db, row.recipient_org_id)
    role = _role(db, actor, org, head_only=True)
    if row.status != TransferStatus.HELD or row.package_bytes is None:
        raise ServiceError("not_held")
    try:
        local = local_sender(db, {"org_id": str(row.sender_org_id) if row.sender_org_id else None,
                                  "bin": row.sender_bin})
    except PackageError:
        local = True
    if local is not None:  # a phone call never binds a key to an organization of this installation
        raise ServiceError("sender_is_local")
    try:
        public = minisign.parse_public_key(public_key_text.strip())
    except minisign.MinisignError as error:
        raise ServiceError("bad_public_key", field="public_key") from error
    if public.fingerprint.upper() != (row.sender_fingerprint or "").upper():
        raise ServiceError("fingerprint_mismatch", field="public_key")
    data = row.package_bytes
    try:
        opened = _open(db, keyring, org, data, extra=(public.fingerprint.upper(), public.to_base64()))
    except PackageError as error:
        IMPORT_REJECTIONS.labels(error.code).inc()
        raise ServiceError(f"package_{error.code}") from error
    db.add(TrustedSenderKey(school_org_id=org.id, sender_org_id=row.sender_org_id, sender_bin=row.sender_bin,
                            sender_name=row.sender_name, fingerprint=public.fingerprint.upper(),
                            public_key=public.to_base64(), confirmed_by=actor.id))
    record(db, actor, "transfer.key_confirmed", role=role, org_id=org.id,
           detail={"fingerprint": public.fingerprint.upper(), "sender_org_id": str(row.sender_org_id),
                   "sender_bin": row.sender_bin, "package_id": str(row.package_id)})
    done = _already(db, org, row.package_id)
    card = done or _store_card(db, keyring, org, opened, actor, role)
    row.status, row.package_bytes, row.child_id = TransferStatus.IMPORTED, None, card.child_id
    row.reason_code, row.decided_at, row.actor_id = None, utcnow(), actor.id
    record(db, actor, "card.import", role=role, org_id=org.id, object_type="child", object_id=card.child_id,
           detail=_audit_detail(org, opened.manifest, data, confirmed_key=True))
    db.commit()
    return ImportResult("imported", None, message_for("imported"), card.child_id, row.package_id)


# -------------------------------------------------------------------------------------------- inbox

def deliver_to_inbox(db: Session, package_bytes: bytes, sender_org_id: uuid.UUID, recipient_org_id: uuid.UUID,
                     package_id: uuid.UUID, child_id: uuid.UUID | None, actor: User | None) -> TransferPackage:
    """A same-installation transfer lands in the school's inbox (status 'delivered') until the school decides.

    Called by the export inside its own transaction: this adds the row and flushes; the caller writes its
    audit event and commits. The bytes are the .sdcard file, already age-encrypted to the school."""
    sender = db.get(Organization, sender_org_id)
    if sender is None or db.get(Organization, recipient_org_id) is None:
        raise NotFound()
    signing = transfer_keys.active(db, sender_org_id, "minisign")
    row = TransferPackage(package_id=package_id, direction="inbox", sender_org_id=sender_org_id,
                          sender_name=sender.name_kk[:300], sender_bin=sender.bin,
                          sender_fingerprint=signing.fingerprint if signing else None,
                          recipient_org_id=recipient_org_id, child_id=child_id, status="delivered",
                          sha256=hashlib.sha256(package_bytes).hexdigest(), size=len(package_bytes),
                          package_bytes=package_bytes, actor_id=getattr(actor, "id", None))
    db.add(row)
    db.flush()
    from ..reminders import card_received  # the school's heads are told (issue 15)
    card_received(db, recipient_org_id, sender_org_id, row.id)
    return row


def inbox(db: Session, actor: User, org_id: uuid.UUID) -> list[TransferPackage]:
    org, _role_ = school_role_or_deny(db, actor, org_id)
    return list(db.exec(select(TransferPackage).where(
        TransferPackage.recipient_org_id == org.id, TransferPackage.direction == "inbox")
        .order_by(TransferPackage.created_at.desc())).all())


def _inbox_row(db: Session, actor: User, transfer_id: uuid.UUID) -> tuple[TransferPackage, Organization, str]:
    row = _transfer(db, transfer_id)
    if row.direction != "inbox":
        raise NotFound()
    org = _school(db, row.recipient_org_id)
    role = _role(db, actor, org)
    if row.status != TransferStatus.DELIVERED:
        raise ServiceError("not_delivered")
    return row, org, role


def _transfer_detail(row: TransferPackage) -> dict:
    return {"package_id": str(row.package_id), "sender_org_id": str(row.sender_org_id),
            "school_org_id": str(row.recipient_org_id), "child_id": str(row.child_id) if row.child_id else None}


def accept(db: Session, keyring: Keyring, actor: User, transfer_id: uuid.UUID,
           today: dt.date | None = None) -> ImportResult:
    """The school takes the card: every check of an import, then the ImportedCard; the kindergarten keeps
    read-only access until `kindergarten_access_until`. A package failing a check is marked 'rejected'."""
    row, org, role = _inbox_row(db, actor, transfer_id)
    data = row.package_bytes or b""
    try:
        opened = _open(db, keyring, org, data)
        if uuid.UUID(opened.manifest["package_id"]) != row.package_id:
            raise PackageError("bad_manifest", "package id differs from the delivery")
    except PackageError as error:
        row.status, row.reason_code, row.package_bytes = TransferStatus.REJECTED, error.code, None
        row.decided_at, row.actor_id = utcnow(), actor.id
        record(db, actor, "card.import_rejected", role=role, org_id=org.id,
               detail={**_transfer_detail(row), "code": error.code})
        db.commit()
        return ImportResult("rejected", error.code, message_for(error.code), None, row.package_id)
    card = _already(db, org, row.package_id) or _store_card(db, keyring, org, opened, actor, role)
    row.status, row.package_bytes, row.child_id = TransferStatus.ACCEPTED, None, card.child_id
    row.decided_at, row.actor_id = utcnow(), actor.id
    row.kindergarten_access_until = retention_until(today or utcnow().date())
    _hand_over(db, actor, role, row, today or utcnow().date())
    record(db, actor, "transfer.accept", role=role, org_id=org.id, object_type="child", object_id=card.child_id,
           detail={**_transfer_detail(row), "kindergarten_access_until": row.kindergarten_access_until.isoformat()})
    db.commit()
    return ImportResult("imported", None, message_for("imported"), card.child_id, row.package_id)


def decline(db: Session, actor: User, transfer_id: uuid.UUID) -> TransferPackage:
    row, org, role = _inbox_row(db, actor, transfer_id)
    row.status, row.package_bytes, row.decided_at, row.actor_id = TransferStatus.DECLINED, None, utcnow(), actor.id
    record(db, actor, "transfer.decline", role=role, org_id=org.id, object_type="child", object_id=row.child_id,
           detail=_transfer_detail(row))
    db.commit()
    return row
