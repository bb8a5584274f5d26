"""The one place that answers "may this user do this to this object?".

Rules: a parent sees only their own children; a teacher only children actively enrolled in the groups
they teach; a head everything of their own organization; nobody another organization's children.
The platform admin manages organizations but sees no child data.
A specialist sees a child only with an open referral and an active consent (see specialist_view_role).
Every function returns the role that grants access (for the audit log) or None.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import or_
from sqlmodel import Session, select

from .models import Child, Consent, Enrollment, Group, GroupTeacher, Guardianship, Membership, Referral, User
from .models.api import REGION_SCOPES
from .models.base import utcnow
from .models.enums import ConsentPurpose, EnrollmentStatus, ReferralStatus, Role, TransferStatus


def roles_in(db: Session, user: User, org_id: uuid.UUID) -> set[str]:
    rows = db.exec(select(Membership.role).where(Membership.user_id == user.id, Membership.org_id == org_id)).all()
    return set(rows)


def memberships(db: Session, user: User) -> list[Membership]:
    return list(db.exec(select(Membership).where(Membership.user_id == user.id)).all())


def is_guardian(db: Session, user: User, child_id: uuid.UUID) -> bool:
    return db.exec(select(Guardianship.id).where(Guardianship.user_id == user.id,
                                                 Guardianship.child_id == child_id)).first() is not None


def child_view_role(db: Session, user: User | None, child_id: uuid.UUID, part: str | None = None) -> str | None:
    """`part` ('screenings', 'card', 'conclusions'): what the caller is about to show; a specialist's consent
    must cover it (without `part` a specialist gets the child's name and age only)."""
    if user is None or is_department(db, user):
        return None
    if is_guardian(db, user, child_id):
        return Role.PARENT
    rows = db.exec(
        select(Group.id, Group.org_id).join(Enrollment, Enrollment.group_id == Group.id)
        .where(Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ACTIVE)).all()
    for group_id, org_id in rows:
        if monitoring_withdrawn(db, child_id, org_id):
            continue
        if Role.HEAD in roles_in(db, user, org_id):
            return Role.HEAD
        if db.get(GroupTeacher, (group_id, user.id)) is not None and Role.TEACHER in roles_in(db, user, org_id):
            return Role.TEACHER
    if former_kindergarten_role(db, user, child_id):
        return "former_kindergarten"
    return specialist_view_role(db, user, child_id, part)


def department_scope(db: Session, user: User | None):
    """The DepartmentScope of a district or regional education department user, or None. Such a user sees counts
    only (services/analytics/): every child, group and organization path refuses them (child_view_role,
    group_view_role, org_role answer None)."""
    from .models import DepartmentScope
    if user is None:
        return None
    return db.exec(select(DepartmentScope).where(DepartmentScope.user_id == user.id)).first()


def is_department(db: Session, user: User) -> bool:
    # Asked by every child, group and organization check: answered once per session (one request), not per check.
    known = db.info.setdefault("sabidamu.department_users", {})
    if user.id not in known:
        known[user.id] = department_scope(db, user) is not None
    return known[user.id]


def handover(db: Session, child_id: uuid.UUID, org_id: uuid.UUID, today: dt.date | None = None):
    """The transfer by which a school of this installation accepted (or imported) the child's card from this
    kindergarten and whose read-only retention (`kindergarten_access_until`, inclusive) has not passed, or None."""
    from .models import TransferPackage
    today = today or utcnow().date()
    row = db.exec(select(TransferPackage).where(
        TransferPackage.sender_org_id == org_id, TransferPackage.child_id == child_id,
        TransferPackage.status.in_((TransferStatus.ACCEPTED, TransferStatus.IMPORTED)),
        TransferPackage.kindergarten_access_until.is_not(None))
        .order_by(TransferPackage.kindergarten_access_until.desc())).first()
    return row if row is not None and today <= row.kindergarten_access_until else None


def former_kindergarten_role(db: Session, user: User, child_id: uuid.UUID) -> bool:
    """Read-only access of the kindergarten that handed the card to a school: its head, and the teachers of the
    group the child left, until `kindergarten_access_until`. The role 'former_kindergarten' is in no list of
    roles that may write, so every write path refuses it."""
    rows = db.exec(
        select(Group.id, Group.org_id).join(Enrollment, Enrollment.group_id == Group.id)
        .where(Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ENDED)).all()
    for group_id, org_id in rows:
        roles = roles_in(db, user, org_id)
        teaches = Role.TEACHER in roles and db.get(GroupTeacher, (group_id, user.id)) is not None
        if not (Role.HEAD in roles or teaches):
            continue
        if handover(db, child_id, org_id) is not None:
            return True
    return False


def withdrawn_children(db: Session, org_id: uuid.UUID, child_ids) -> set[uuid.UUID]:
    """THE rule of a withdrawn monitoring consent, for many children at once: those of `child_ids` that have
    'kindergarten_monitoring' consents for this kindergarten but none in force (revoked or expired). An active
    enrolment without any such record counts as consent (docs/privacy.md, Consent). Every path that shows or
    changes a child of a group (child page, grid, measures, saves, group report, group PDF, lists) uses it:
    such a child is left out of lists and refused one by one (403)."""
    ids = list(child_ids)
    if not ids:
        return set()
    rows = db.exec(select(Consent).where(Consent.child_id.in_(ids),
                                         Consent.purpose == ConsentPurpose.KINDERGARTEN_MONITORING,
                                         Consent.recipient_org_id == org_id)).all()
    seen: dict[uuid.UUID, bool] = {}
    for consent in rows:
        seen[consent.child_id] = seen.get(consent.child_id, False) or consent_is_active(consent)
    return {child_id for child_id, in_force in seen.items() if not in_force}


def monitoring_withdrawn(db: Session, child_id: uuid.UUID, org_id: uuid.UUID) -> bool:
    """True when the parent withdrew the kindergarten's monitoring consent (see withdrawn_children)."""
    return child_id in withdrawn_children(db, org_id, [child_id])


def visible_in_group(db: Session, group: Group, child_ids) -> list[uuid.UUID]:
    """`child_ids` without the children whose monitoring consent for the group's organization is withdrawn."""
    ids = list(child_ids)
    hidden = withdrawn_children(db, group.org_id, ids)
    return [child_id for child_id in ids if child_id not in hidden]


def specialist_orgs(db: Session, user: User) -> list[uuid.UUID]:
    return list(db.exec(select(Membership.org_id).where(Membership.user_id == user.id,
                                                        Membership.role == Role.SPECIALIST)).all())


def consent_is_active(consent: Consent, today: dt.date | None = None) -> bool:
    today = today or utcnow().date()
    return consent.revoked_at is None and (consent.valid_until is None or consent.valid_until >= today)


def active_consents_for_specialist(db: Session, child_id: uuid.UUID, user_id: uuid.UUID,
                                   org_ids: list[uuid.UUID]) -> list[Consent]:
    """Active 'specialist_access' consents naming this specialist, or their organization without naming a person."""
    rows = db.exec(select(Consent).where(
        Consent.child_id == child_id, Consent.purpose == ConsentPurpose.SPECIALIST_ACCESS, Consent.revoked_at.is_(None),
        or_(Consent.recipient_user_id == user_id,
            Consent.recipient_user_id.is_(None) & Consent.recipient_org_id.in_(org_ids)))).all()
    return [c for c in rows if consent_is_active(c)]


def specialist_view_role(db: Session, user: User | None, child_id: uuid.UUID, part: str | None = None) -> str | None:
    """'specialist' while the child has an open referral to this specialist (or to their organization) AND an
    active (unrevoked, unexpired) 'specialist_access' consent for them (or their organization) that covers
    `part` when one is named. Read on every request, so a revocation takes effect on the next one."""
    if user is None:
        return None
    orgs = specialist_orgs(db, user)
    if not orgs:
        return None
    referral = db.exec(select(Referral.id).where(
        Referral.child_id == child_id, Referral.status == ReferralStatus.OPEN,
        or_(Referral.to_user_id == user.id, (Referral.to_user_id.is_(None)) & Referral.to_org_id.in_(orgs)))).first()
    if referral is None:
        return None
    consents = active_consents_for_specialist(db, child_id, user.id, orgs)
    if not consents or (part is not None and not any(part in (c.parts or []) for c in consents)):
        return None
    return Role.SPECIALIST


def group_view_role(db: Session, user: User | None, group: Group) -> str | None:
    if user is None or is_department(db, user):
        return None
    roles = roles_in(db, user, group.org_id)
    if Role.HEAD in roles:
        return Role.HEAD
    if Role.TEACHER in roles and db.get(GroupTeacher, (group.id, user.id)) is not None:
        return Role.TEACHER
    return None


def org_role(db: Session, user: User | None, org_id: uuid.UUID) -> str | None:
    """'head' if the user heads the organization, else any staff role they hold there."""
    if user is None or is_department(db, user):
        return None
    roles = roles_in(db, user, org_id)
    for role in (Role.HEAD, Role.TEACHER, Role.SPECIALIST, Role.SCHOOL_TEACHER):
        if role in roles:
            return role
    return None


def child_exists(db: Session, child_id: uuid.UUID) -> bool:
    return db.get(Child, child_id) is not None


SCHOOL_ROLES = (Role.HEAD, Role.SCHOOL_TEACHER)


def school_role(db: Session, user: User | None, org_id: uuid.UUID) -> str | None:
    """'head' or 'school_teacher' when the user works at this organization and it is a school."""
    from .models import Organization
    if user is None:
        return None
    org = db.get(Organization, org_id)
    if org is None or org.kind != "school":
        return None
    roles = roles_in(db, user, org_id)
    return next((r for r in SCHOOL_ROLES if r in roles), None)


def school_view_role(db: Session, user: User | None, child_id: uuid.UUID, org_id: uuid.UUID) -> str | None:
    """School staff see a child whose card their school imported, or who is enrolled in its first-grade class."""
    from .models import ImportedCard
    role = school_role(db, user, org_id)
    if role is None:
        return None
    if db.exec(select(ImportedCard.id).where(ImportedCard.child_id == child_id,
                                             ImportedCard.school_org_id == org_id)).first() is not None:
        return role
    enrolled = db.exec(select(Enrollment.id).join(Group, Group.id == Enrollment.group_id).where(
        Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ACTIVE, Group.org_id == org_id,
        Group.age_group == "grade1")).first()
    return role if enrolled is not None else None


def api_role(db: Session, user: User, scopes, scope: str, *, child_id: uuid.UUID | None = None,
             group: Group | None = None, org_id: uuid.UUID | None = None) -> str | None:
    """An API client (issue 16) acting through its service account `user`: the token must carry `scope`, and the
    account must pass the rule a person passes: the head of the child's kindergarten (active enrolment, monitoring
    consent not withdrawn: child_view_role), of the group's organization, or of the organization itself (`org_id`:
    counts of its area, a school's import). Nothing else of a person's access (guardian, former kindergarten,
    specialist) applies to a client."""
    if scope not in scopes:
        return None
    if child_id is not None:
        return Role.HEAD if child_view_role(db, user, child_id, part="card") == Role.HEAD else None
    if group is not None:
        return Role.HEAD if group_view_role(db, user, group) == Role.HEAD else None
    if org_id is not None:
        return Role.HEAD if org_role(db, user, org_id) == Role.HEAD else None
    # Nothing named (a region client's call: it has no organization): refused. A region client's service account
    # holds no membership either, so every rule above refuses it by default as well.
    return None


def manages_region_clients(user: User) -> bool:
    """Only the platform admin registers, lists and revokes the API clients of a region: no organization's head
    answers for a whole region's counts (the operator at the command line acts with no user and is not asked)."""
    return bool(user.is_admin)


def api_area_allowed(scopes, scope: str, client_region: str | None, wanted_region: str | None) -> bool:
    """May an API client read the counts of `wanted_region` (a region code; a district is asked by its region)?
    `client_region` is the client's area: a region client's own region, or the region of an organization client's
    organization. Only the scopes of an area (models.api.REGION_SCOPES: counts, already small-number suppressed)
    are ever granted by area, never a child's, a group's or an organization's data: those stay with organization
    clients, registered by the organization's head, who answers for them (issue 16)."""
    if scope not in REGION_SCOPES or scope not in scopes:
        return False
    return client_region is not None and wanted_region is not None and client_region == wanted_region
