"""The school side of the card's transfer: import of one .sdcard file (the checks, the child, the sealed card).
The inbox of same-installation transfers and packages held for an unknown sender's key are in .inbox; what the
school sees (first-grade readiness) in .school_view.

Every check is sabidamu.crypto.package.open_package's; this module decides what to keep. A rejected file
writes nothing but its audit event; an accepted one writes the child (found by IIN or created under the
school's key), the sealed ImportedCard, the TransferPackage envelope and the audit event in one transaction.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from ... import access
from ...crypto.blind_index import iin_index
from ...crypto.keyring import Keyring
from ...crypto.package import Limits, OpenedPackage, PackageError, open_package
from ...crypto.package_format import ERROR_MESSAGES
from ...iin import IINError, parse_iin
from ...models import Child, Enrollment, Group, Organization, User
from ...models.base import utcnow
from ...models.enums import EnrollmentStatus, Role
from ...models.transfer_package import ImportedCard, TransferPackage, TrustedSenderKey
from ...observability import IMPORT_REJECTIONS
from .. import AccessDenied, ServiceError, fetch
from ..audit import record
from ..children import _seal_child, find_by_iin
from ..keys import active_key
from . import keys as transfer_keys

TABLE = "imported_card"
SKILL_GROUPS = ("physical", "communicative", "cognitive", "creative", "social_emotional")
STAGES = ("start", "intermediate", "final")


@dataclass(frozen=True)
class UploadLimits:
    """Checked on the raw upload, before any cryptography."""

    max_file_bytes: int = Limits().max_package_bytes
    max_files: int = 40
    max_total_bytes: int = 100 * 1024 * 1024


UPLOAD_LIMITS = UploadLimits()

# Codes beyond the package's own: what an upload or a decision can end with.
EXTRA_MESSAGES = {
    "already_imported": "This package has already been imported; nothing was changed.",
    "imported": "The card has been imported.",
    "held": "The sender's signing key is not known here. The package is kept until the school head confirms "
            "the key's fingerprint with the sender by phone.",
    "too_many_files": "Too many files in one upload.",
    "upload_too_large": "The files together are larger than one upload may be.",
    "not_a_school": "Only a school can import cards.",
    "not_a_package": "This file in the ZIP is not a card package (.sdcard) and was skipped.",
    "empty_bundle": "The ZIP holds no card packages.",
    "too_many_packages": "Too many card packages in one upload; this one was not imported.",
    "import_failed": "This file could not be imported because of an error in the application; nothing of it "
                     "was saved. Try again later or tell the administrator.",
}


def message_for(code: str) -> str:
    """English, for the command line and the logs (the web page has its own sentences)."""
    if code.startswith("bundle_"):
        return "The ZIP cannot be read safely: " + message_for(code[len("bundle_"):])
    return ERROR_MESSAGES.get(code) or EXTRA_MESSAGES.get(code, code)


@dataclass
class ImportResult:
    status: str                       # 'imported' | 'already_imported' | 'held' | 'rejected' | 'failed'
    code: str | None                  # a PackageError code (or 'already_imported', 'held' ...), None when imported
    message: str                      # English; the web maps `code` to a translated message
    child_id: uuid.UUID | None = None
    package_id: uuid.UUID | None = None

    def as_json(self, file: str) -> dict:
        return {"file": file, "status": self.status, "code": self.code, "message": self.message,
                "child_id": str(self.child_id) if self.child_id else None,
                "package_id": str(self.package_id) if self.package_id else None}


def retention_until(accepted_on: dt.date) -> dt.date:
    """The kindergarten keeps read-only access until 1 December of the academic year after the one in which the
    school accepted the card (accepted in June 2026 -> 1 December 2026; in October 2026 -> 1 December 2027)."""
    return dt.date(accepted_on.year if accepted_on.month < 9 else accepted_on.year + 1, 12, 1)


def kindergarten_may_read(db: Session, sender_org_id: uuid.UUID, child_id: uuid.UUID,
                          today: dt.date | None = None) -> bool:
    """For the export side: the sending kindergarten's read-only access after the school accepted the card."""
    return access.handover(db, child_id, sender_org_id, today) is not None


def _hand_over(db: Session, actor: User | None, role: str, row: TransferPackage, accepted_on: dt.date) -> None:
    """The school now holds the card. When the sender is a kindergarten of this installation (the package was
    signed with its registered key: `_resolver`), the kindergarten may read the card until the retention date
    after it ends the child's enrolment. The enrolment itself is NOT ended here (issue 9.2): the child stays in
    the group, and the January and May stages are entered, until the kindergarten ends it
    (services.enrolment_end: a leave date, or graduation), which also moves the retention date on."""
    sender = db.get(Organization, row.sender_org_id) if row.sender_org_id else None
    if sender is None or sender.kind != "kindergarten" or row.child_id is None:
        return
    until = retention_until(accepted_on)
    ended = db.exec(select(Enrollment.ended_on).join(Group, Group.id == Enrollment.group_id).where(
        Enrollment.child_id == row.child_id, Group.org_id == sender.id, Enrollment.status == EnrollmentStatus.ENDED,
        Enrollment.ended_on.is_not(None))).all()
    row.kindergarten_access_until = max([until] + [retention_until(day) for day in ended if day >= accepted_on])


# ------------------------------------------------------------------------------------------- access

def _school(db: Session, org_id: uuid.UUID) -> Organization:
    org = fetch(db, Organization, org_id)
    return org


def _role(db: Session, actor: User | None, org: Organization, head_only: bool = False) -> str:
    """The acting role; None as actor is the operator at the command line (the CLI has no web session)."""
    if actor is None:
        if org.kind != "school":
            raise ServiceError("not_a_school")
        return "cli"
    role = access.school_role(db, actor, org.id)
    if role is None or (head_only and role != Role.HEAD):
        raise AccessDenied()
    return role


def school_role_or_deny(db: Session, actor: User, org_id: uuid.UUID,
                        head_only: bool = False) -> tuple[Organization, str]:
    org = _school(db, org_id)
    return org, _role(db, actor, org, head_only)


# ------------------------------------------------------------------------------------------- import

def local_sender(db: Session, sender: dict) -> Organization | None:
    """The organization of this installation a manifest's sender names (by id or by BIN), or None.
    An id and a BIN naming two different organizations of this installation is a forgery."""
    org_id = _uuid_or_none(sender.get("org_id"))
    by_id = db.get(Organization, org_id) if org_id is not None else None
    by_bin = db.exec(select(Organization).where(Organization.bin == sender.get("bin"))).first() \
        if sender.get("bin") else None
    if by_id is not None and by_bin is not None and by_id.id != by_bin.id:
        raise PackageError("sender_not_verified", "the sender's id and BIN name two organizations")
    return by_id or by_bin


def _resolver(db: Session, school_id: uuid.UUID, extra: tuple[str, str] | None = None):
    """The sender's key (issue 10.2). A sender that names an organization of this installation is verified only
    with that organization's registered keys, never held for a phone confirmation; a registered key never speaks
    for anyone else; a key the school confirmed by phone speaks only for a sender of another installation."""
    def resolve(manifest: dict) -> str | None:
        sender = manifest["sender"]
        fingerprint = sender["signing_key_fingerprint"].upper()
        local = local_sender(db, sender)
        if local is not None:
            key = transfer_keys.org_public_key(db, local.id, fingerprint)
            if key is None:
                raise PackageError("sender_not_verified", f"key {fingerprint} is not {local.id}'s")
            return key
        if transfer_keys.sender_public_key(db, fingerprint) is not None:
            raise PackageError("sender_not_verified", "a registered key names another sender")
        if extra is not None and extra[0] == fingerprint:
            return extra[1]
        trusted = db.exec(select(TrustedSenderKey).where(TrustedSenderKey.school_org_id == school_id,
                                                         TrustedSenderKey.fingerprint == fingerprint)).first()
        if trusted is not None and (str(trusted.sender_org_id) == sender["org_id"]
                                    or trusted.sender_bin == sender["bin"]):
            return trusted.public_key
        return None
    return resolve


def _open(db: Session, keyring: Keyring, org: Organization, data: bytes, extra=None) -> OpenedPackage:
    opened = open_package(data, identities=transfer_keys.identities_for(db, keyring, org.id),
                          resolve_sender_key=_resolver(db, org.id, extra))
    recipient_org = opened.manifest["recipient"].get("org_id")
    if not opened.addressed_to_us or (recipient_org is not None and recipient_org != str(org.id)):
        raise PackageError("wrong_recipient", "the signed manifest names another recipient")
    return opened


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _find_or_create_child(db: Session, keyring: Keyring, org: Organization, manifest_child: dict,
                          actor: User | None, role: str) -> Child:
    child = find_by_iin(db, keyring, manifest_child["iin"])
    if child is not None:
        return child  # a known child: nothing of its record is overwritten
    birth = dt.date.fromisoformat(manifest_child["birth_date"])
    try:
        sex = parse_iin(manifest_child["iin"], birth).sex
    except IINError:
        sex = None
    key = active_key(db, keyring, "org", org.id)
    db.flush()
    child = Child(key_id=key.id, created_by=getattr(actor, "id", None),
                  iin_index=iin_index(keyring.blind_index_key, manifest_child["iin"]))
    _seal_child(keyring, child, {"name": manifest_child["full_name"].strip(), "birth_date": birth.isoformat(),
                                 "iin": manifest_child["iin"], "sex": sex, "gestational_weeks": None, "notes": None})
    db.add(child)
    db.flush()
    record(db, actor, "child.create", role=role, org_id=org.id, object_type="child", object_id=child.id,
           detail={"source": "card.import"})
    return child


def _store_card(db: Session, keyring: Keyring, org: Organization, opened: OpenedPackage, actor: User | None,
                role: str) -> ImportedCard:
    child = _find_or_create_child(db, keyring, org, opened.manifest["child"], actor, role)
    key = active_key(db, keyring, "org", org.id)
    db.flush()
    card = ImportedCard(child_id=child.id, school_org_id=org.id, package_id=uuid.UUID(opened.manifest["package_id"]),
                        key_id=key.id, imported_by=getattr(actor, "id", None),
                        academic_years=sorted(y["academic_year"] for y in opened.card["years"]))
    card.card_json_ct = keyring.seal(key.id, TABLE, card.id, "card_json",
                                     json.dumps(opened.card, ensure_ascii=False, sort_keys=True))
    card.card_pdf_ct = keyring.seal(key.id, TABLE, card.id, "card_pdf", base64.b64encode(opened.card_pdf).decode())
    db.add(card)
    db.flush()
    return card


def _already(db: Session, org: Organization, package_id: uuid.UUID) -> ImportedCard | None:
    return db.exec(select(ImportedCard).where(ImportedCard.school_org_id == org.id,
                                              ImportedCard.package_id == package_id)).first()


def _envelope(manifest: dict, org: Organization, data: bytes, direction: str, status: str, **extra) -> TransferPackage:
    sender = manifest["sender"]
    return TransferPackage(package_id=uuid.UUID(manifest["package_id"]), direction=direction,
                           sender_org_id=_uuid_or_none(sender["org_id"]), sender_name=sender["name"][:300],
                           sender_bin=sender["bin"], sender_fingerprint=sender["signing_key_fingerprint"].upper(),
                           recipient_org_id=org.id, status=status, sha256=hashlib.sha256(data).hexdigest(),
                           size=len(data), **extra)


def _audit_detail(org: Organization, manifest: dict | None, data: bytes, **more) -> dict:
    detail = {"school_org_id": str(org.id), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if manifest is not None:
        detail.update(package_id=manifest.get("package_id"), sender_org_id=manifest["sender"].get("org_id"),
                      sender_bin=manifest["sender"].get("bin"))
    detail.update(more)
    return detail


def _reject(db: Session, actor, role: str, org: Organization, data: bytes, error: PackageError,
            manifest: dict | None = None) -> ImportResult:
    db.rollback()
    IMPORT_REJECTIONS.labels(error.code).inc()  # the code only (a fixed list), never the file or the child
    record(db, actor, "card.import_rejected", role=role, org_id=org.id,
           detail=_audit_detail(org, manifest, data, code=error.code))
    db.commit()
    return ImportResult("rejected", error.code, message_for(error.code))


def _hold(db: Session, actor, role: str, org: Organization, data: bytes, error: PackageError) -> ImportResult:
    manifest = error.manifest or {}
    package_id = uuid.UUID(manifest["package_id"])
    existing = db.exec(select(TransferPackage).where(
        TransferPackage.package_id == package_id, TransferPackage.direction == "import",
        TransferPackage.recipient_org_id == org.id)).first()
    if existing is None:
        db.add(_envelope(manifest, org, data, "import", "held", reason_code="unknown_sender", package_bytes=data,
                         actor_id=getattr(actor, "id", None)))
        record(db, actor, "card.import_held", role=role, org_id=org.id,
               detail=_audit_detail(org, manifest, data, fingerprint=error.fingerprint))
        db.commit()
    elif existing.status == "imported":
        return ImportResult("already_imported", "already_imported", message_for("already_imported"),
                            existing.child_id, package_id)
    return ImportResult("held", "unknown_sender", message_for("held"), None, package_id)


def import_package(db: Session, keyring: Keyring, school_org_id: uuid.UUID, data: bytes,
                   actor: User | None) -> ImportResult:
    """Import one .sdcard file into a school. Commits; a rejection writes only its audit event."""
    org = _school(db, school_org_id)
    role = _role(db, actor, org)
    try:
        opened = _open(db, keyring, org, data)
    except PackageError as error:
        if error.code == "unknown_sender" and error.manifest is not None:
            return _hold(db, actor, role, org, data, error)
        return _reject(db, actor, role, org, data, error)
    package_id = uuid.UUID(opened.manifest["package_id"])
    done = _already(db, org, package_id)
    if done is not None:
        return ImportResult("already_imported", "already_imported", message_for("already_imported"),
                            done.child_id, package_id)
    try:
        card = _store_card(db, keyring, org, opened, actor, role)
        envelope = _envelope(opened.manifest, org, data, "import", "imported", child_id=card.child_id,
                             actor_id=getattr(actor, "id", None), decided_at=utcnow())
        db.add(envelope)
        _hand_over(db, actor, role, envelope, utcnow().date())
        record(db, actor, "card.import", role=role, org_id=org.id, object_type="child", object_id=card.child_id,
               detail=_audit_detail(org, opened.manifest, data))
        db.commit()
    except Exception:
        db.rollback()
        raise
    return ImportResult("imported", None, message_for("imported"), card.child_id, package_id)


def check_upload(sizes: list[int], limits: UploadLimits = UPLOAD_LIMITS) -> str | None:
    """The whole upload's limits (count, total); each file's own limit is checked per file."""
    if len(sizes) > limits.max_files:
        return "too_many_files"
    if sum(sizes) > limits.max_total_bytes:
        return "upload_too_large"
    return None
