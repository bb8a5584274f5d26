"""A staff member's life in an organization after the account is made (services/orgs.add_staff): the head sees
the staff with their groups, removes a teacher from a group, or deactivates a staff member. Either change ends
the person's open sessions at once, so a page kept open or a copied cookie stops working with the change.

Deactivating removes the person's memberships and group places in this organization (the audit log keeps who
had which role); an account that then belongs to no organization and to no child is locked for sign-in.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from .. import access
from ..models import Group, GroupTeacher, Guardianship, Membership, Organization, User
from ..models.base import utcnow
from ..models.enums import Role
from . import AccessDenied, NotFound, ServiceError
from .audit import record
from .auth import end_other_sessions


@dataclass
class StaffMember:
    user: User
    roles: list[str]
    groups: list[Group] = field(default_factory=list)
    is_me: bool = False


def _head(db: Session, head: User, org: Organization) -> None:
    if access.org_role(db, head, org.id) != Role.HEAD:
        raise AccessDenied()


def staff_list(db: Session, head: User, org: Organization) -> list[StaffMember]:
    """Everyone with a role in the organization, with the groups they teach there. Head only."""
    _head(db, head, org)
    members: dict[uuid.UUID, StaffMember] = {}
    rows = db.exec(select(User, Membership.role).join(Membership, Membership.user_id == User.id)
                   .where(Membership.org_id == org.id).order_by(User.full_name, Membership.role)).all()
    for user, role in rows:
        members.setdefault(user.id, StaffMember(user=user, roles=[], is_me=user.id == head.id)).roles.append(role)
    taught = db.exec(select(GroupTeacher.user_id, Group).join(Group, Group.id == GroupTeacher.group_id)
                     .where(Group.org_id == org.id).order_by(Group.academic_year.desc(), Group.name)).all()
    for user_id, group in taught:
        if user_id in members:
            members[user_id].groups.append(group)
    return list(members.values())


def member(db: Session, head: User, org: Organization, user_id: uuid.UUID) -> StaffMember:
    for item in staff_list(db, head, org):
        if item.user.id == user_id:
            return item
    raise NotFound()


def deactivate(db: Session, head: User, org: Organization, user_id: uuid.UUID) -> None:
    """Removes the person's roles and group places in `org` and ends their sessions. Commits.
    Refused for the head themself ('staff_self': an organization must not lose its last head by mistake)."""
    target = member(db, head, org, user_id)
    if target.is_me:
        raise ServiceError("staff_self")
    user = target.user
    group_ids = [g.id for g in target.groups]
    if group_ids:
        db.exec(sa.delete(GroupTeacher).where(GroupTeacher.user_id == user.id, GroupTeacher.group_id.in_(group_ids)))
    db.exec(sa.delete(Membership).where(Membership.user_id == user.id, Membership.org_id == org.id))
    elsewhere = db.exec(select(Membership.id).where(Membership.user_id == user.id)).first()
    a_parent = db.exec(select(Guardianship.child_id).where(Guardianship.user_id == user.id)).first()
    locked = elsewhere is None and a_parent is None and not user.is_admin
    if locked:
        user.deactivated_at = utcnow()
    sessions = end_other_sessions(db, user, None)
    record(db, head, "staff.deactivate", role=Role.HEAD, org_id=org.id, object_type="user", object_id=user.id,
           detail={"roles": target.roles, "groups": [str(g) for g in group_ids], "sessions_ended": sessions,
                   "account_locked": locked})
    db.commit()


def remove_from_group(db: Session, head: User, org: Organization, user_id: uuid.UUID, group_id: uuid.UUID) -> Group:
    """Takes a teacher off a group of `org` and ends their sessions. Commits."""
    target = member(db, head, org, user_id)
    group = next((g for g in target.groups if g.id == group_id), None)
    if group is None:
        raise NotFound()
    db.exec(sa.delete(GroupTeacher).where(GroupTeacher.user_id == target.user.id, GroupTeacher.group_id == group.id))
    sessions = end_other_sessions(db, target.user, None)
    record(db, head, "staff.group.remove", role=Role.HEAD, org_id=org.id, object_type="group", object_id=group.id,
           detail={"user": str(target.user.id), "sessions_ended": sessions})
    db.commit()
    return group
