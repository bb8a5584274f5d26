"""An organization's transfer keys: made when the organization is created, rotated on demand.

Used by the export (sign with the active minisign key, encrypt to the school's active age recipient) and
the import (decrypt with any of the school's age identities, verify with the sender's known public key).
"""
from __future__ import annotations

import uuid

from sqlmodel import Session, select

from ...crypto import agekeys, minisign
from ...crypto.keyring import Keyring
from ...models.base import utcnow
from ...models.transfer import OrgTransferKey
from ..keys import active_key

TABLE = "orgtransferkey"


def _add(db: Session, keyring: Keyring, org_id: uuid.UUID, kind: str, public: str, fingerprint: str,
         secret: str) -> OrgTransferKey:
    data_key = active_key(db, keyring, "org", org_id)
    db.flush()
    row = OrgTransferKey(org_id=org_id, kind=kind, public=public, fingerprint=fingerprint, key_id=data_key.id)
    row.secret_ct = keyring.seal(data_key.id, TABLE, row.id, "secret", secret)
    db.add(row)
    return row


def create_keys(db: Session, keyring: Keyring, org_id: uuid.UUID) -> tuple[OrgTransferKey, OrgTransferKey]:
    """A new age identity and minisign key; earlier keys of the organization become inactive (kept)."""
    active = select(OrgTransferKey).where(OrgTransferKey.org_id == org_id, OrgTransferKey.active == True)  # noqa: E712
    for old in db.exec(active).all():
        old.active, old.retired_at = False, utcnow()
    pair = agekeys.generate_identity()
    age_row = _add(db, keyring, org_id, "age", pair.recipient, agekeys.recipient_fingerprint(pair.recipient),
                   pair.identity)
    secret, public = minisign.generate_keypair()
    sign_row = _add(db, keyring, org_id, "minisign", public.to_base64(), public.fingerprint, secret.to_bytes().hex())
    db.flush()
    return age_row, sign_row


def active(db: Session, org_id: uuid.UUID, kind: str) -> OrgTransferKey | None:
    return db.exec(select(OrgTransferKey).where(OrgTransferKey.org_id == org_id, OrgTransferKey.kind == kind,
                                                OrgTransferKey.active == True)).first()  # noqa: E712


def all_keys(db: Session, org_id: uuid.UUID) -> list[OrgTransferKey]:
    return list(db.exec(select(OrgTransferKey).where(OrgTransferKey.org_id == org_id)
                        .order_by(OrgTransferKey.created_at.desc())).all())


def identities_for(db: Session, keyring: Keyring, org_id: uuid.UUID) -> list[str]:
    """Every age identity the organization ever had (active first): older packages still open."""
    rows = sorted((k for k in all_keys(db, org_id) if k.kind == "age"), key=lambda k: not k.active)
    return [keyring.open(TABLE, k.id, "secret", k.secret_ct) for k in rows]


def signing_secret(db: Session, keyring: Keyring, org_id: uuid.UUID) -> minisign.SecretKey:
    row = active(db, org_id, "minisign")
    if row is None:
        raise LookupError("organization has no signing key")
    return minisign.SecretKey.from_bytes(bytes.fromhex(keyring.open(TABLE, row.id, "secret", row.secret_ct)))


def sender_public_key(db: Session, fingerprint: str) -> tuple[uuid.UUID, str] | None:
    """(organization id, minisign public key) of a sender known to this installation, by key fingerprint."""
    row = db.exec(select(OrgTransferKey).where(OrgTransferKey.kind == "minisign",
                                               OrgTransferKey.fingerprint == fingerprint.upper())).first()
    return (row.org_id, row.public) if row else None


def org_public_key(db: Session, org_id: uuid.UUID, fingerprint: str) -> str | None:
    """The minisign public key with this fingerprint among the organization's keys (current or replaced: a package
    signed before a rotation still verifies), or None."""
    row = db.exec(select(OrgTransferKey).where(OrgTransferKey.org_id == org_id, OrgTransferKey.kind == "minisign",
                                               OrgTransferKey.fingerprint == fingerprint.upper())).first()
    return row.public if row else None
