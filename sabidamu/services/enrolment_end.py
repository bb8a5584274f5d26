"""Ending a child's enrolment in a kindergarten group: a leave date the head enters, or graduation of the group at
the end of the academic year.

Handing the card to a school does NOT end the enrolment (issue 9.2): the child stays in the group, and the
January and May stages are entered as usual, until the kindergarten ends the enrolment here. From then on the
kindergarten writes nothing for the child; when a school of this installation holds the child's card, the
kindergarten keeps reading it until the retention date (transfer.importing.retention_until of the end date).
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from .. import access
from ..models import Enrollment, Group, Organization, TransferPackage, User
from ..models.base import utcnow
from ..models.enums import EnrollmentStatus, Role, TransferStatus
from ..monitoring import academic_year_bounds, stage_window
from . import AccessDenied, NotFound, ServiceError, fetch
from .audit import record
from .children import group_children, open_child
from .monitoring import org_windows

END_REASONS = ("left", "graduated", "moved")


def _head_group(db: Session, head: User, group_id: uuid.UUID) -> tuple[Group, Organization]:
    group = fetch(db, Group, group_id)
    if access.org_role(db, head, group.org_id) != Role.HEAD:
        raise AccessDenied()
    return group, db.get(Organization, group.org_id)


def _active(db: Session, group: Group, child_id: uuid.UUID) -> Enrollment | None:
    return db.exec(select(Enrollment).where(Enrollment.group_id == group.id, Enrollment.child_id == child_id,
                                            Enrollment.status == EnrollmentStatus.ACTIVE)).first()


def earliest_leave_date(group: Group, enrolment: Enrollment) -> dt.date:
    """Not before the group's academic year began, nor before the child joined the group."""
    year_start, _end = academic_year_bounds(group.academic_year)
    return max(year_start, enrolment.created_at.date())


def _extend_retention(db: Session, org_id: uuid.UUID, child_id: uuid.UUID, ended_on: dt.date) -> dt.date | None:
    """A school of this installation holds the card: the read-only period runs from the enrolment's end."""
    from .transfer.importing import retention_until
    until = retention_until(ended_on)
    latest = None
    for row in db.exec(select(TransferPackage).where(
            TransferPackage.sender_org_id == org_id, TransferPackage.child_id == child_id,
            TransferPackage.status.in_((TransferStatus.ACCEPTED, TransferStatus.IMPORTED)),
            TransferPackage.kindergarten_access_until.is_not(None))).all():
        if row.kindergarten_access_until < until:
            row.kindergarten_access_until = until
        latest = max(latest or row.kindergarten_access_until, row.kindergarten_access_until)
    return latest


def _end(db: Session, head: User, group: Group, enrolment: Enrollment, ended_on: dt.date, reason: str) -> None:
    enrolment.status, enrolment.ended_on, enrolment.end_reason = EnrollmentStatus.ENDED, ended_on, reason
    enrolment.decided_at = enrolment.decided_at or utcnow()
    until = _extend_retention(db, group.org_id, enrolment.child_id, ended_on)
    detail = {"group_id": str(group.id), "reason": reason, "ended_on": ended_on.isoformat()}
    if until is not None:
        detail["kindergarten_access_until"] = until.isoformat()
    record(db, head, "enrollment.end", role=Role.HEAD, org_id=group.org_id, object_type="child",
           object_id=enrolment.child_id, detail=detail)


def end_enrolment(db: Session, head: User, group_id: uuid.UUID, child_id: uuid.UUID, *, leave_date: dt.date,
                  today: dt.date | None = None) -> Enrollment:
    """The head enters the day the child left the group (today or earlier); commits."""
    group, _org = _head_group(db, head, group_id)
    enrolment = _active(db, group, child_id)
    if enrolment is None:
        raise ServiceError("not_enrolled", field="leave_date")
    today = today or utcnow().date()
    if leave_date > today:
        raise ServiceError("leave_date_future", field="leave_date")
    earliest = earliest_leave_date(group, enrolment)
    if leave_date < earliest:
        raise ServiceError("leave_date_too_early", field="leave_date", date=earliest)
    _end(db, head, group, enrolment, leave_date, "left")
    db.commit()
    return enrolment


def graduation_opens(db: Session, group: Group) -> dt.date:
    """Graduation is possible from the first day of the group's final stage (the May stage is entered first)."""
    first, _last = stage_window(org_windows(db.get(Organization, group.org_id)), group.academic_year, "final")
    return first


def graduate_group(db: Session, head: User, group_id: uuid.UUID, today: dt.date | None = None) -> int:
    """Every active enrolment of the group ends today (reason 'graduated'); returns how many. Commits."""
    group, _org = _head_group(db, head, group_id)
    today = today or utcnow().date()
    opens = graduation_opens(db, group)
    if today < opens:
        raise ServiceError("graduation_too_early", date=opens)
    rows = db.exec(select(Enrollment).where(Enrollment.group_id == group.id,
                                            Enrollment.status == EnrollmentStatus.ACTIVE)).all()
    record(db, head, "group.graduate", role=Role.HEAD, org_id=group.org_id, object_type="group", object_id=group.id,
           detail={"children": len(rows), "ended_on": today.isoformat()})
    for enrolment in rows:
        _end(db, head, group, enrolment, today, "graduated")
    db.commit()
    return len(rows)


# -- what the head's pages show (read only; nothing is written) ------------------------------------------------

@dataclass
class LeavePage:
    group: Group
    org: Organization
    child_name: str
    earliest: dt.date
    schools: list[Organization]  # schools of this installation that accepted the child's card from this kindergarten


def _schools_holding(db: Session, org_id: uuid.UUID, child_id: uuid.UUID) -> list[Organization]:
    rows = db.exec(select(Organization).join(TransferPackage, TransferPackage.recipient_org_id == Organization.id)
                   .where(TransferPackage.sender_org_id == org_id, TransferPackage.child_id == child_id,
                          TransferPackage.status.in_((TransferStatus.ACCEPTED, TransferStatus.IMPORTED)))).all()
    return list({org.id: org for org in rows}.values())


def leave_page(db: Session, keyring, head: User, group_id: uuid.UUID, child_id: uuid.UUID) -> LeavePage:
    from ..models import Child
    group, org = _head_group(db, head, group_id)
    enrolment = _active(db, group, child_id)
    if enrolment is None:
        raise NotFound()
    name = open_child(keyring, db.get(Child, child_id), ("name", "birth_date")).name
    return LeavePage(group=group, org=org, child_name=name, earliest=earliest_leave_date(group, enrolment),
                     schools=_schools_holding(db, org.id, child_id))


@dataclass
class GraduationPage:
    group: Group
    org: Organization
    children: list  # services.children.ChildView
    opens: dt.date
    handed: int  # children whose card a school of this installation holds


def graduation_page(db: Session, keyring, head: User, group_id: uuid.UUID) -> GraduationPage:
    group, org = _head_group(db, head, group_id)
    children = group_children(db, keyring, group)
    handed = sum(1 for c in children if _schools_holding(db, org.id, c.id))
    return GraduationPage(group=group, org=org, children=children, opens=graduation_opens(db, group), handed=handed)
