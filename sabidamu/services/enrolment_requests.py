"""Requests from another organization to enrol a child this organization holds (docs/threat_model.md, "Enrolment
by IIN"): a child known to the platform without a guardian account joins another kindergarten only when the head
of the organization where it is active (or that holds its record) confirms. Until then the asker sees nothing."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..models import Child, Enrollment, Group, Organization, User
from ..models.base import utcnow
from ..models.enums import EnrollmentStatus, Role
from . import AccessDenied, NotFound, ServiceError
from .audit import record
from .children import _move_to_org_key, open_child


@dataclass
class OrgRequest:
    enrollment_id: uuid.UUID
    child_id: uuid.UUID
    child_name: str
    asking_org: Organization
    group_name: str
    asked_at: object


def requests_for_org(db: Session, keyring: Keyring, head: User, org: Organization) -> list[OrgRequest]:
    """Pending requests this organization must answer (head only; names of its own children only)."""
    if access.org_role(db, head, org.id) != Role.HEAD:
        return []
    rows = db.exec(select(Enrollment, Group, Organization).join(Group, Group.id == Enrollment.group_id)
                   .join(Organization, Organization.id == Group.org_id)
                   .where(Enrollment.confirm_org_id == org.id, Enrollment.status == EnrollmentStatus.PENDING)
                   .order_by(Enrollment.created_at)).all()
    out = []
    for enrollment, group, asking in rows:
        child = db.get(Child, enrollment.child_id)
        out.append(OrgRequest(enrollment_id=enrollment.id, child_id=child.id,
                              child_name=open_child(keyring, child, ("name", "birth_date")).name,
                              asking_org=asking, group_name=group.name, asked_at=enrollment.created_at))
    if out:
        from .audit import record_many
        record_many(db, head, "child.list.requests", object_ids=[r.child_id for r in out], role=Role.HEAD,
                    org_id=org.id, object_type="child")
        db.commit()
    return out


def decide_by_org(db: Session, keyring: Keyring, head: User, enrollment_id: uuid.UUID, accept: bool) -> Enrollment:
    """The head of the confirming organization accepts (the child moves: its active enrolments end, its record
    moves to the new kindergarten's key) or declines."""
    enrollment = db.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.confirm_org_id is None:
        raise NotFound()
    if access.org_role(db, head, enrollment.confirm_org_id) != Role.HEAD:
        raise AccessDenied()
    if enrollment.status != EnrollmentStatus.PENDING:
        raise ServiceError("not_pending")
    group = db.get(Group, enrollment.group_id)
    now = utcnow()
    enrollment.status, enrollment.decided_at = (EnrollmentStatus.ACTIVE if accept else EnrollmentStatus.DECLINED), now
    if accept:
        for other in db.exec(select(Enrollment).where(Enrollment.child_id == enrollment.child_id,
                                                      Enrollment.status == EnrollmentStatus.ACTIVE,
                                                      Enrollment.id != enrollment.id)).all():
            other.status, other.decided_at = EnrollmentStatus.ENDED, now
            other.ended_on, other.end_reason = now.date(), "moved"
        _move_to_org_key(db, keyring, db.get(Child, enrollment.child_id), group.org_id)
    record(db, head, "enrollment.accept" if accept else "enrollment.decline", role=Role.HEAD,
           org_id=enrollment.confirm_org_id, object_type="child", object_id=enrollment.child_id,
           detail={"group_id": str(group.id), "to_org_id": str(group.org_id)})
    db.commit()
    return enrollment
