"""A school's upload: several .sdcard files and/or the ZIP the kindergarten downloaded after a group export.

Each package is imported in its own transaction (transfer_import.import_package commits or rolls back), so one
bad file never takes the others with it; each gets one line that says truthfully what happened to it: imported,
already imported, held for the sender's key, refused (with its reason), or failed inside the application (the
details go to the log and an audit event; nothing of that file was saved).
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ...crypto.bundle import BundleLimits, is_bundle, read_bundle
from ...crypto.keyring import Keyring
from ...crypto.package import PackageError
from ...models import User
from ..audit import record
from .importing import ImportResult, _already, _role, _school, import_package, message_for

log = logging.getLogger(__name__)
MAX_PACKAGES = BundleLimits().max_entries - 1


@dataclass
class UploadLine:
    file: str            # the uploaded file's name, or "cards.zip › card-….sdcard" for a package inside a ZIP
    result: ImportResult


def _refusal(db: Session, actor, role: str, org_id: uuid.UUID, data: bytes, code: str) -> ImportResult:
    record(db, actor, "card.import_rejected", role=role, org_id=org_id,
           detail={"school_org_id": str(org_id), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                   "code": code})
    db.commit()
    return ImportResult("rejected", code, message_for(code))


def _import_one(db: Session, keyring: Keyring, org_id: uuid.UUID, data: bytes, actor, role: str) -> ImportResult:
    try:
        return import_package(db, keyring, org_id, data, actor)
    except IntegrityError:
        # Another upload of the same package committed first: it is imported, this one changed nothing.
        db.rollback()
        try:
            opened_id = _package_id_of(db, keyring, org_id, data)
        except PackageError:
            opened_id = None
        done = _already(db, _school(db, org_id), opened_id) if opened_id else None
        if done is not None:
            return ImportResult("already_imported", "already_imported", message_for("already_imported"),
                                done.child_id, opened_id)
        return _failed(db, actor, role, org_id, data)
    except Exception:
        db.rollback()
        log.exception("importing an uploaded package failed")
        return _failed(db, actor, role, org_id, data)


def _package_id_of(db: Session, keyring: Keyring, org_id: uuid.UUID, data: bytes) -> uuid.UUID:
    from .importing import _open
    opened = _open(db, keyring, _school(db, org_id), data)
    return uuid.UUID(opened.manifest["package_id"])


def _failed(db: Session, actor, role: str, org_id: uuid.UUID, data: bytes) -> ImportResult:
    db.rollback()
    record(db, actor, "card.import_failed", role=role, org_id=org_id,
           detail={"school_org_id": str(org_id), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    db.commit()
    return ImportResult("failed", "import_failed", message_for("import_failed"))


def import_upload(db: Session, keyring: Keyring, school_org_id: uuid.UUID, files: list[tuple[str, bytes]],
                  actor: User | None) -> list[UploadLine]:
    """Every package of the upload, in order; a ZIP is opened and each package in it gets its own line.
    Raises AccessDenied/NotFound before anything is read when the actor may not import into this school."""
    org = _school(db, school_org_id)
    role = _role(db, actor, org)
    lines: list[UploadLine] = []
    count = 0
    for name, data in files:
        if not is_bundle(data):
            count += 1
            result = _import_one(db, keyring, org.id, data, actor, role) if count <= MAX_PACKAGES else \
                _refusal(db, actor, role, org.id, data, "too_many_packages")
            lines.append(UploadLine(name, result))
            continue
        try:
            entries = read_bundle(data)
        except PackageError as error:
            lines.append(UploadLine(name, _refusal(db, actor, role, org.id, data, f"bundle_{error.code}")))
            continue
        if not entries:
            lines.append(UploadLine(name, _refusal(db, actor, role, org.id, data, "empty_bundle")))
        for entry in entries:
            label = f"{name} › {entry.name}"
            if entry.code == "not_a_package":  # a photo or a document beside the packages: nothing to refuse
                lines.append(UploadLine(label, ImportResult("skipped", entry.code, message_for(entry.code))))
                continue
            if entry.data is None:
                lines.append(UploadLine(label, _refusal(db, actor, role, org.id, b"", entry.code)))
                continue
            count += 1
            result = _import_one(db, keyring, org.id, entry.data, actor, role) if count <= MAX_PACKAGES else \
                _refusal(db, actor, role, org.id, entry.data, "too_many_packages")
            lines.append(UploadLine(label, result))
    return lines


def waiting(db: Session, actor: User, org_id: uuid.UUID) -> list:
    """The inbox transfers still waiting for the school's decision (oldest first)."""
    from .inbox import inbox
    return sorted((r for r in inbox(db, actor, org_id) if r.status == "delivered"), key=lambda r: r.created_at)


def accept_all(db: Session, keyring: Keyring, actor: User, org_id: uuid.UUID, today=None) -> list[ImportResult]:
    """'Accept all' in the inbox: each transfer with every check of `accept`, in its own transaction; one that
    was decided meanwhile (by a colleague) is left out; a failure inside one does not stop the others."""
    from .. import ServiceError
    from .importing import school_role_or_deny
    from .inbox import accept
    _org, role = school_role_or_deny(db, actor, org_id)
    results = []
    for row_id in [r.id for r in waiting(db, actor, org_id)]:
        try:
            results.append(accept(db, keyring, actor, row_id, today))
        except ServiceError:
            db.rollback()  # decided meanwhile
        except Exception:
            db.rollback()
            log.exception("accepting an inbox transfer failed")
            results.append(_failed(db, actor, role, org_id, b""))
    return results
