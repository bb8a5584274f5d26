"""The parent's "who saw my child's data" (with a verifiable proof for each entry), and key-rotation events.

The log itself (writing, sequencing, proofs, verification) is in audit.py, audit_log.py, audit_verify.py and
audit_admin.py; see docs/audit.md.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from .. import access
from ..models import AuditEvent, Child, Organization, User
from ..models.enums import Role
from . import AccessDenied, NotFound
from .audit import record
from .audit_log import event_proof
from .child_rows import child_rows


def record_key_rotation(db: Session, kind: str, detail: dict) -> None:
    """`flask keys rotate` writes one event: which kind of key, counts; never key material."""
    record(db, None, "keys.rotate", role="system", detail={"kind": kind, **detail})
    db.commit()


# -- the parent's "who saw my child's card" -------------------------------------------------------

PAGE_SIZE = 25
# Events about a child that show who looked at or changed it (not the parent's own list views).
ACCESS_PREFIXES = ("child.", "screening.", "card.", "conclusion.", "export.", "transfer.", "enrollment.",
                   "consent.", "referral.", "monitoring.", "home_observation.", "data.", "audit.view_own",
                   "access.denied", "imported_card.", "job.download.child")


@dataclass
class AccessEntry:
    at: dt.datetime
    action: str
    role: str | None
    actor_name: str | None  # staff only; None for parents and the system
    is_me: bool
    org: Organization | None
    event_id: uuid.UUID | None = None  # for the entry's "check" link (its inclusion proof)
    provable: bool = False  # in the Merkle tree already (the sequencer adds events within a second or two)
    count: int = 1  # access.denied: the attempts this entry stands for (services.refusals: one event an hour)


@dataclass
class AccessPage:
    entries: list[AccessEntry]
    page: int
    pages: int
    total: int


def _child_object_ids(db: Session, child_id: uuid.UUID) -> list[uuid.UUID]:
    """The child and every row that belongs to it (screenings, card stages, consents, ...), as audit
    events name them: found through the foreign keys, so tables added later are covered too."""
    ids = {child_id}
    for name, row_ids in child_rows(db, child_id).items():
        if "#" not in name:
            ids |= row_ids
    return list(ids)


def _action_filter():
    return sa.or_(*[AuditEvent.action.startswith(p) if p.endswith(".") else AuditEvent.action == p
                    for p in ACCESS_PREFIXES])


def _count(detail) -> int:
    value = (detail or {}).get("count", 1)
    return value if isinstance(value, int) and value > 0 else 1


def access_log(db: Session, user: User, child_id: uuid.UUID, page: int = 1, include_mine: bool = False) -> AccessPage:
    """Who saw or changed this child's data, newest first; only for the child's guardian. Audited.
    The guardian's own actions are left out unless `include_mine` (the page's "show my own actions too")."""
    if db.get(Child, child_id) is None:
        raise NotFound()
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    where = sa.and_(AuditEvent.object_id.in_(_child_object_ids(db, child_id)), _action_filter())
    if not include_mine:
        where = sa.and_(where, sa.or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != user.id))
    total = db.exec(select(sa.func.count()).select_from(AuditEvent).where(where)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.exec(select(AuditEvent).where(where).order_by(AuditEvent.seq.desc())
                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    # Staff are named (a role not recorded is still a person: the page says "staff member", not "system").
    staff_ids = {r.actor_id for r in rows if r.actor_id and r.actor_role not in (Role.PARENT, "system")}
    names = {u.id: u.full_name for u in db.exec(select(User).where(User.id.in_(staff_ids))).all()} if staff_ids else {}
    org_ids = {r.org_id for r in rows if r.org_id}
    orgs = {o.id: o for o in db.exec(select(Organization).where(Organization.id.in_(org_ids))).all()} if org_ids else {}
    entries = [AccessEntry(at=r.at, action=r.action, role=r.actor_role, actor_name=names.get(r.actor_id),
                           is_me=r.actor_id == user.id, org=orgs.get(r.org_id), event_id=r.id,
                           provable=r.leaf_index is not None, count=_count(r.detail)) for r in rows]
    record(db, user, "audit.view_own", role=Role.PARENT, object_type="child", object_id=child_id,
           detail={"page": page, "mine": include_mine})
    db.commit()
    return AccessPage(entries, page, pages, total)



def entry_proof(db: Session, user: User, child_id: uuid.UUID, event_id: uuid.UUID, verifier_key) -> dict:
    """The inclusion proof of one entry of the child's access log, with its signed checkpoint, the event's
    own bytes and the log's public key (`verifier_key(note)` gives it): what scripts/verify_audit_proof.py checks.
    Only for the child's guardian and only for an entry of that child's log (else NotFound); audited. NotFound
    also while the event is not yet in a signed checkpoint (a second or two after it was written)."""
    if db.get(Child, child_id) is None:
        raise NotFound()
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    where = sa.and_(AuditEvent.id == event_id, AuditEvent.object_id.in_(_child_object_ids(db, child_id)),
                    _action_filter())
    if db.exec(select(AuditEvent.id).where(where)).first() is None:
        raise NotFound()
    proof = event_proof(db, event_id)
    data = proof.pop("_leaf_data")
    out = {**proof, "event": data.decode("utf-8"), "verifier_key": verifier_key(proof["checkpoint"])}
    record(db, user, "audit.proof_download", role=Role.PARENT, object_type="child", object_id=child_id,
           detail={"leaf_index": proof["leaf_index"]})
    db.commit()
    return out
