"""An organization's transfer keys page (the head's): the public halves, their downloads, and rotation.
The keys themselves are made and looked up in .keys."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from ... import access
from ...crypto import minisign
from ...crypto.keyring import Keyring
from ...models import Organization, User
from ...models.enums import Role
from ...models.transfer import OrgTransferKey
from .. import AccessDenied, NotFound, fetch
from ..audit import record
from . import keys as transfer_keys


@dataclass
class KeysPage:
    org: Organization
    role: str
    age: OrgTransferKey | None
    signing: OrgTransferKey | None
    history: list[OrgTransferKey]


def grouped(fingerprint: str) -> str:
    """Hex digits in groups of four, for reading aloud on the phone."""
    digits = fingerprint.replace(" ", "").upper()
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def org_member(db: Session, user: User, org_id: uuid.UUID) -> tuple[Organization, str]:
    org = fetch(db, Organization, org_id)
    role = access.org_role(db, user, org.id)
    if role is None:
        raise AccessDenied()
    return org, role


def keys_page(db: Session, user: User, org_id: uuid.UUID) -> KeysPage:
    """The organization's transfer keys (public halves only): the head's page (issue 12)."""
    org, role = org_member(db, user, org_id)
    if role != Role.HEAD:
        raise AccessDenied()
    return KeysPage(org=org, role=role, age=transfer_keys.active(db, org.id, "age"),
                    signing=transfer_keys.active(db, org.id, "minisign"), history=transfer_keys.all_keys(db, org.id))


def key_file_stem(org: Organization) -> str:
    return org.bin or str(org.id)[:8]


def public_key_file(db: Session, user: User, org_id: uuid.UUID, kind: str) -> tuple[str, str]:
    """(file name, content) of the active public key: the age recipient line, or a minisign.pub file."""
    page = keys_page(db, user, org_id)
    row = page.age if kind == "age" else page.signing if kind == "minisign" else None
    if row is None:
        raise NotFound()
    if kind == "age":
        return f"{key_file_stem(page.org)}-age-recipient.txt", row.public + "\n"
    return f"{key_file_stem(page.org)}-minisign.pub", minisign.parse_public_key(row.public).to_file_text()


def rotate_keys(db: Session, keyring: Keyring, user: User, org_id: uuid.UUID) -> tuple[OrgTransferKey, OrgTransferKey]:
    """The head makes new keys; the old ones stay (inactive) so packages made before still open."""
    org, role = org_member(db, user, org_id)
    if role != Role.HEAD:
        raise AccessDenied()
    age_row, sign_row = transfer_keys.create_keys(db, keyring, org.id)
    record(db, user, "keys.rotate_transfer", role=role, org_id=org.id, object_type="organization", object_id=org.id,
           detail={"age_fingerprint": age_row.fingerprint, "minisign_fingerprint": sign_row.fingerprint})
    db.commit()
    return age_row, sign_row
