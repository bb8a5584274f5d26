"""The card's handover through the API (scope transfer:write): a kindergarten's client exports a child's card as a
signed and encrypted .sdcard package to a school's key; a school's client imports .sdcard files (or the ZIP of a
group export). Both go through the web's own services (services.transfer.export and .batch), so the consent for
the school, the keys, the signature and every check of the package are the same as on the pages; each call is also
audited as the client (role "api_client", the client's id)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from ... import access
from ...crypto.keyring import Keyring
from ...models import User
from .. import AccessDenied, ServiceError, fetch
from ..audit import record
from ..transfer import batch
from ..transfer import export as export_svc
from ..transfer.importing import UPLOAD_LIMITS
from .clients import API_ROLE, Caller

SCOPE = "transfer:write"


def _audit(db: Session, user: User, caller: Caller, action: str, **kw) -> None:
    detail = {"client_id": str(caller.client_id), **(kw.pop("detail", None) or {})}
    record(db, user, action, role=API_ROLE, org_id=caller.org_id, detail=detail, **kw)


@dataclass(frozen=True)
class Exported:
    package_id: uuid.UUID
    sha256: str
    file_name: str
    data: bytes


def export_card(db: Session, keyring: Keyring, user: User, caller: Caller, child_id: uuid.UUID, *,
                to_org_id: uuid.UUID | None, recipient: str | None, school_name: str | None,
                school_bin: str | None, lang: str) -> Exported:
    """One child's .sdcard for a school: the school of this installation (`to_org_id`, its registered key) or a
    school of the directory with the age key it gave (`recipient`, `school_name`, `school_bin`). Raises
    AccessDenied without the scope or the head's right to the child, ServiceError export_<the export's refusal>
    (export_no_consent, export_no_iin, export_no_bin, export_no_signing_key, export_card_invalid) or the
    target's (not_a_school, bad_recipient...)."""
    from ...models import Child
    child = fetch(db, Child, child_id)
    if access.api_role(db, user, caller.scopes, SCOPE, child_id=child.id) is None:
        raise AccessDenied()
    result = export_svc.export_cards(db, keyring, user, [child.id], to_org_id=to_org_id, recipient=recipient,
                                     school_name=school_name, school_bin=school_bin, lang=lang)
    item = result.children[0]
    if item.refusal is not None or item.data is None or item.package_id is None:
        raise ServiceError(f"export_{item.refusal or 'card_invalid'}", field="child_id")
    _audit(db, user, caller, "api.export", object_type="child", object_id=child.id,
           detail={"package_id": str(item.package_id), "to_org_id": str(result.target.school.id)})
    db.commit()
    return Exported(package_id=item.package_id, sha256=item.sha256 or "", file_name=item.file_name or "card.sdcard",
                    data=item.data)


def import_files(db: Session, keyring: Keyring, user: User, caller: Caller, name: str, data: bytes) -> list[dict]:
    """A .sdcard file or a group export's ZIP into the client's school, with the web import's checks
    (services.transfer.batch.import_upload): one line per package. Raises AccessDenied without the scope or when
    the client's organization is not a school; ServiceError when the upload is over the web's own limits."""
    org_id = caller.org_id  # None: a region client, which imports nothing (access.api_role refuses it too)
    if org_id is None or access.api_role(db, user, caller.scopes, SCOPE, org_id=org_id) is None \
            or access.school_role(db, user, org_id) is None:
        raise AccessDenied()
    if not data:
        raise ServiceError("no_files", field="body")
    if len(data) > UPLOAD_LIMITS.max_total_bytes:
        raise ServiceError("upload_too_large", field="body", mib=UPLOAD_LIMITS.max_total_bytes // 2**20)
    lines = batch.import_upload(db, keyring, org_id, [(name, data)], user)
    out = [line.result.as_json(line.file) for line in lines]
    _audit(db, user, caller, "api.import", object_type="organization", object_id=org_id,
           detail={"results": [{"status": o["status"], "code": o["code"], "package_id": o["package_id"]}
                               for o in out]})
    db.commit()
    return out
