"""The one place that answers "may this user do this to this object?".

Rules: a parent sees only their own children; a teacher only children actively enrolled in the groups
they teach; a head everything of their own organization; nobody another organization's children.
The platform admin manages organizations but sees no child data.
Every function returns the role that grants access (for the audit log) or None.
"""
from __future__ import annotations

import uuid

from sqlmodel import Session, select

from .models import Child, Enrollment, Group, GroupTeacher, Guardianship, Membership, User


def roles_in(db: Session, user: User, org_id: uuid.UUID) -> set[str]:
    rows = db.exec(select(Membership.role).where(Membership.user_id == user.id, Membership.org_id == org_id)).all()
    return set(rows)


def memberships(db: Session, user: User) -> list[Membership]:
    return list(db.exec(select(Membership).where(Membership.user_id == user.id)).all())


def is_guardian(db: Session, user: User, child_id: uuid.UUID) -> bool:
    return db.exec(select(Guardianship.id).where(Guardianship.user_id == user.id,
                                                 Guardianship.child_id == child_id)).first() is not None


def child_view_role(db: Session, user: User | None, child_id: uuid.UUID) -> str | None:
    if user is None:
        return None
    if is_guardian(db, user, child_id):
        return "parent"
    rows = db.exec(
        select(Group.id, Group.org_id).join(Enrollment, Enrollment.group_id == Group.id)
        .where(Enrollment.child_id == child_id, Enrollment.status == "active")).all()
    for group_id, org_id in rows:
        if "head" in roles_in(db, user, org_id):
            return "head"
        if db.get(GroupTeacher, (group_id, user.id)) is not None and "teacher" in roles_in(db, user, org_id):
            return "teacher"
    return None


def group_view_role(db: Session, user: User | None, group: Group) -> str | None:
    if user is None:
        return None
    roles = roles_in(db, user, group.org_id)
    if "head" in roles:
        return "head"
    if "teacher" in roles and db.get(GroupTeacher, (group.id, user.id)) is not None:
        return "teacher"
    return None


def org_role(db: Session, user: User | None, org_id: uuid.UUID) -> str | None:
    """'head' if the user heads the organization, else any staff role they hold there."""
    if user is None:
        return None
    roles = roles_in(db, user, org_id)
    for role in ("head", "teacher", "specialist", "school_teacher"):
        if role in roles:
            return role
    return None


def child_exists(db: Session, child_id: uuid.UUID) -> bool:
    return db.get(Child, child_id) is not None
