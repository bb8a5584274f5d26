"""Organizations, staff accounts and groups."""
from __future__ import annotations

import uuid

from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..models import Enrollment, Group, GroupTeacher, Membership, Organization, User
from ..models.base import utcnow
from ..models.enums import EnrollmentStatus, Role
from ..monitoring.academic_calendar import academic_year_of
from . import AccessDenied, ServiceError, fetch
from .analytics.changes import mark_changed
from .analytics.tables import PARTS
from .audit import record
from .auth import new_account
from .keys import create_data_key


def get_org(db: Session, org_id: uuid.UUID) -> Organization:
    org = fetch(db, Organization, org_id)
    return org


def create_org(db: Session, keyring: Keyring, admin: User | None, *, kind: str, name_kk: str, name_ru: str,
               region: str, bin: str | None) -> Organization:
    if admin is not None and not admin.is_admin:
        raise AccessDenied()
    if bin and db.exec(select(Organization.id).where(Organization.bin == bin)).first():
        raise ServiceError("bin_taken", field="bin")
    org = Organization(kind=kind, name_kk=name_kk.strip(), name_ru=name_ru.strip(), region=region.strip(),
                       bin=bin or None)
    db.add(org)
    db.flush()
    create_data_key(db, keyring, "org", org.id)
    from .transfer.keys import create_keys
    create_keys(db, keyring, org.id)  # age identity (receive) + minisign key (sign) for card transfers
    for part in PARTS:  # the district analytics list the new organization (with zeros) after the next refresh
        mark_changed(db, org.id, academic_year_of(utcnow().date()), part)
    record(db, admin, "org.create", role=Role.ADMIN, org_id=org.id, object_type="organization", object_id=org.id)
    return org


def add_staff(db: Session, actor: User | None, org: Organization, *, full_name: str, login: str, password: str,
              role: str, locale: str | None = None, specialist_kind: str | None = None) -> User:
    """A head (or the admin, for an organization's first head) creates a staff account."""
    if actor is not None and not actor.is_admin and access.org_role(db, actor, org.id) != Role.HEAD:
        raise AccessDenied()
    user = new_account(db, full_name=full_name, login=login, password=password, locale=locale)
    user.must_change_password = True  # the head chose this password: the first sign-in replaces it
    db.add(Membership(user_id=user.id, org_id=org.id, role=role,
                      specialist_kind=specialist_kind if role == Role.SPECIALIST else None))
    record(db, actor, "role.grant", org_id=org.id, object_type="user", object_id=user.id, detail={"role": role})
    return user


def create_org_with_head(db: Session, keyring: Keyring, admin: User, *, kind: str, name_kk: str, name_ru: str,
                         region: str, bin: str | None, head_name: str, head_login: str,
                         head_password: str) -> Organization:
    """The admin registers an organization and its first head in one transaction (both audited). Commits."""
    org = create_org(db, keyring, admin, kind=kind, name_kk=name_kk, name_ru=name_ru, region=region, bin=bin)
    add_staff(db, admin, org, full_name=head_name, login=head_login, password=head_password, role="head")
    db.commit()
    return org


def hire_staff(db: Session, head: User, org: Organization, *, full_name: str, login: str, password: str,
               role: str, specialist_kind: str | None = None) -> User:
    """The head creates a staff account (add_staff, audited). Commits."""
    user = add_staff(db, head, org, full_name=full_name, login=login, password=password, role=role,
                     specialist_kind=specialist_kind)
    db.commit()
    return user


def staff_of(db: Session, org: Organization) -> list[tuple[User, str]]:
    return list(db.exec(select(User, Membership.role).join(Membership, Membership.user_id == User.id)
                        .where(Membership.org_id == org.id).order_by(User.full_name)).all())


def teachers_of(db: Session, org: Organization) -> list[User]:
    return [u for u, role in staff_of(db, org) if role == Role.TEACHER]


def create_group(db: Session, head: User, org: Organization, *, name: str, age_group: str, academic_year: int,
                 teacher_ids: list[uuid.UUID]) -> Group:
    if access.org_role(db, head, org.id) != Role.HEAD:
        raise AccessDenied()
    allowed = {u.id for u in teachers_of(db, org)}
    if any(t not in allowed for t in teacher_ids):
        raise ServiceError("teacher_not_in_org", field="teachers")
    group = Group(org_id=org.id, name=name.strip(), age_group=age_group, academic_year=academic_year)
    db.add(group)
    db.flush()
    for teacher_id in teacher_ids:
        db.add(GroupTeacher(group_id=group.id, user_id=teacher_id))
    record(db, head, "group.create", role=Role.HEAD, org_id=org.id, object_type="group", object_id=group.id)
    db.commit()
    return group


def get_group(db: Session, user: User, group_id: uuid.UUID) -> tuple[Group, str]:
    group = fetch(db, Group, group_id)
    role = access.group_view_role(db, user, group)
    if role is None:
        raise AccessDenied()
    return group, role


def groups_for(db: Session, user: User, org: Organization) -> list[Group]:
    role = access.org_role(db, user, org.id)
    query = select(Group).where(Group.org_id == org.id)
    if role == Role.HEAD:
        pass
    elif role == Role.TEACHER:
        query = query.join(GroupTeacher, GroupTeacher.group_id == Group.id).where(GroupTeacher.user_id == user.id)
    else:
        return []
    return list(db.exec(query.order_by(Group.academic_year.desc(), Group.name)).all())


def group_sizes(db: Session, group_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    from sqlalchemy import func
    rows = db.exec(select(Enrollment.group_id, func.count()).where(Enrollment.group_id.in_(group_ids),
                                                                    Enrollment.status == EnrollmentStatus.ACTIVE)
                   .group_by(Enrollment.group_id)).all()
    return dict(rows)


def group_teachers(db: Session, group: Group) -> list[User]:
    return list(db.exec(select(User).join(GroupTeacher, GroupTeacher.user_id == User.id)
                        .where(GroupTeacher.group_id == group.id)).all())


def orgs_of(db: Session, user: User) -> list[tuple[Organization, str]]:
    return list(db.exec(select(Organization, Membership.role).join(Membership, Membership.org_id == Organization.id)
                        .where(Membership.user_id == user.id)).all())


def all_orgs(db: Session, admin: User) -> list[Organization]:
    if not admin.is_admin:
        raise AccessDenied()
    return list(db.exec(select(Organization).order_by(Organization.created_at)).all())


def handed_to_school(db: Session, keyring, head: User, org: Organization, today=None) -> list[dict]:
    """Children whose card this kindergarten handed to a school, still in the read-only retention period
    (their pages stay readable for the head until `kindergarten_access_until`). Head only."""
    import datetime as dt

    from ..models import Child, TransferPackage
    from .children import LIST_FIELDS, open_child
    if access.org_role(db, head, org.id) != Role.HEAD:
        return []
    today = today or dt.date.today()
    rows = db.exec(select(TransferPackage, Organization.name_kk, Organization.name_ru)
                   .join(Organization, Organization.id == TransferPackage.recipient_org_id)
                   .where(TransferPackage.sender_org_id == org.id, TransferPackage.child_id.is_not(None),
                          TransferPackage.status.in_(("accepted", "imported")),
                          TransferPackage.kindergarten_access_until >= today)
                   .order_by(TransferPackage.decided_at.desc())).all()
    out, seen = [], set()
    for package, school_kk, school_ru in rows:
        if package.child_id in seen:
            continue
        seen.add(package.child_id)
        child = db.get(Child, package.child_id)
        if child is None:
            continue
        out.append({"child": open_child(keyring, child, LIST_FIELDS), "school_kk": school_kk, "school_ru": school_ru,
                    "until": package.kindergarten_access_until})
    if out:  # one event per child shown (one insert), so each parent sees this list in the access log
        from .audit import record_many
        record_many(db, head, "child.list.handed", object_ids=[item["child"].id for item in out], role=Role.HEAD,
                    org_id=org.id, object_type="child")
        db.commit()
    return out
