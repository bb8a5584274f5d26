"""Referrals to specialists and the specialists' conclusions.

A parent or a kindergarten teacher (or head) refers a child to a specialist or to an organization. A parent
gives the 'specialist_access' consent in the same step; a teacher's referral waits ('awaiting_consent')
until the parent consents in the app or a paper consent is recorded. The specialist sees only children with
an open referral and an active consent (sabidamu.access.specialist_view_role). The reason, the conclusion
and the recommendations are sealed with the child's data key.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..models import Child, Enrollment, Group, Membership, Organization, Referral, Screening, SpecialistConclusion, User
from ..models.base import utcnow
from ..models.enums import ConsentPurpose, EnrollmentStatus, ReferralStatus, Role
from . import AccessDenied, ServiceError, fetch
from .analytics.changes import mark_changed_at
from .audit import record
from .children import LIST_FIELDS, ChildView, open_child
from .consent import Recipient, active_consent, check_recipient, give_in_transaction

MAX_REASON = 1000
MAX_CONCLUSION = 4000
REFERRING_ROLES = (Role.PARENT, Role.TEACHER, Role.HEAD)


@dataclass
class ReferralView:
    referral: Referral
    org: Organization
    user: User | None
    created_by: User | None
    reason: str
    status: str  # 'awaiting_consent' | 'open' | 'closed'


@dataclass
class ConclusionView:
    id: uuid.UUID
    author: str
    specialist_kind: str | None
    org: Organization
    created_at: dt.datetime
    conclusion: str
    recommendations: str
    mine: bool


@dataclass
class ReferredChild:
    child: ChildView
    referrals: list[ReferralView]


def _child(db: Session, child_id: uuid.UUID) -> Child:
    child = fetch(db, Child, child_id)
    return child


def _kindergarten_of(db: Session, child_id: uuid.UUID) -> uuid.UUID | None:
    return db.exec(select(Group.org_id).join(Enrollment, Enrollment.group_id == Group.id)
                   .where(Enrollment.child_id == child_id, Enrollment.status == EnrollmentStatus.ACTIVE)).first()


def _text(value: str | None, limit: int, code: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(f"{code}_empty", field=field)
    if len(text) > limit:
        raise ServiceError(f"{code}_long", field=field, max=limit)
    return text


def _reason_view(db: Session, keyring: Keyring, ref: Referral) -> ReferralView:
    return ReferralView(referral=ref, org=db.get(Organization, ref.to_org_id),
                        user=db.get(User, ref.to_user_id) if ref.to_user_id else None,
                        created_by=db.get(User, ref.created_by),
                        reason=keyring.open("referral", ref.id, "reason", ref.reason_ct) or "", status=ref.status)


# -- referring -----------------------------------------------------------------------------------

def create_referral(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, *, recipient: Recipient,
                    reason: str, screening_id: uuid.UUID | None = None, consent: bool = False,
                    parts: list[str] | None = None) -> Referral:
    """A parent (who consents in the same step: `consent` must be True) or the child's teacher or head refers."""
    child = _child(db, child_id)
    role = access.child_view_role(db, user, child_id)
    if role not in REFERRING_ROLES:
        raise AccessDenied()
    check_recipient(db, ConsentPurpose.SPECIALIST_ACCESS, recipient)
    text = _text(reason, MAX_REASON, "reason", "reason")
    if screening_id is not None:
        screening = db.get(Screening, screening_id)
        if screening is None or screening.child_id != child_id:
            raise ServiceError("screening_not_of_child")
    if role == Role.PARENT and not consent:
        raise ServiceError("consent_required", field="consent")
    ref = Referral(id=uuid.uuid4(), child_id=child_id, to_org_id=recipient.org_id, to_user_id=recipient.user_id,
                   screening_id=screening_id, key_id=child.key_id, created_by=user.id, created_by_role=role)
    ref.reason_ct = keyring.seal(child.key_id, "referral", ref.id, "reason", text)
    db.add(ref)
    db.flush()
    mark_changed_at(db, ref.to_org_id, ref.created_at)  # the district analytics count referrals
    org_id = recipient.org_id if role == Role.PARENT else _kindergarten_of(db, child_id)
    record(db, user, "referral.create", role=role, org_id=org_id, object_type="referral", object_id=ref.id,
           detail={"child_id": str(child_id), "to_org_id": str(recipient.org_id),
                   "to_user_id": str(recipient.user_id) if recipient.user_id else None,
                   "screening_id": str(screening_id) if screening_id else None})
    if role == Role.PARENT:
        give_in_transaction(db, keyring, user, child_id, purpose=ConsentPurpose.SPECIALIST_ACCESS, recipient=recipient,
                            parts=parts or [])  # opens this referral (referral.consent)
    elif active_consent(db, child_id, ConsentPurpose.SPECIALIST_ACCESS, recipient) is not None:
        ref.status, ref.opened_at = "open", utcnow()
        record(db, user, "referral.consent", role=role, org_id=org_id, object_type="referral", object_id=ref.id,
               detail={"child_id": str(child_id), "existing_consent": True})
    db.commit()
    return ref


def referrals_of_child(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> list[ReferralView]:
    """For the parent and the kindergarten (teacher, head): every referral of the child, newest first."""
    _child(db, child_id)
    if access.child_view_role(db, user, child_id) not in REFERRING_ROLES:
        raise AccessDenied()
    rows = db.exec(select(Referral).where(Referral.child_id == child_id).order_by(Referral.created_at.desc())).all()
    return [_reason_view(db, keyring, r) for r in rows]


def awaiting_for_parent(db: Session, parent: User) -> list[tuple[Referral, Organization, User | None]]:
    """Referrals of the parent's children that wait for the parent's consent (the dashboard asks)."""
    from ..models import Guardianship
    rows = db.exec(select(Referral, Organization).join(Organization, Organization.id == Referral.to_org_id)
                   .join(Guardianship, Guardianship.child_id == Referral.child_id)
                   .where(Guardianship.user_id == parent.id, Referral.status == ReferralStatus.AWAITING_CONSENT)).all()
    return [(r, o, db.get(User, r.to_user_id) if r.to_user_id else None) for r, o in rows]


# -- the specialist ------------------------------------------------------------------------------

def is_specialist(db: Session, user: User) -> bool:
    return bool(access.specialist_orgs(db, user))


def specialist_kind(db: Session, user: User, org_id: uuid.UUID) -> str | None:
    return db.exec(select(Membership.specialist_kind).where(Membership.user_id == user.id, Membership.org_id == org_id,
                                                            Membership.role == Role.SPECIALIST)).first()


def _my_referrals(db: Session, user: User, orgs: list[uuid.UUID], status: str) -> list[Referral]:
    rows = db.exec(select(Referral).where(Referral.to_org_id.in_(orgs), Referral.status == status)
                   .order_by(Referral.created_at.desc())).all()
    return [r for r in rows if r.to_user_id in (None, user.id)]


def referred_children(db: Session, keyring: Keyring, user: User) -> tuple[list[ReferredChild], int]:
    """The specialist's list: children with an open referral to them AND their consent; and how many referrals
    still wait for a consent (a count only: no name is shown before the parent agrees). Audited."""
    orgs = access.specialist_orgs(db, user)
    if not orgs:
        raise AccessDenied()
    by_child: dict[uuid.UUID, list[Referral]] = {}
    for ref in _my_referrals(db, user, orgs, "open"):
        by_child.setdefault(ref.child_id, []).append(ref)
    out = []
    for child_id, refs in by_child.items():
        if access.specialist_view_role(db, user, child_id) is None:
            continue
        out.append(ReferredChild(open_child(keyring, db.get(Child, child_id), LIST_FIELDS),
                                 [_reason_view(db, keyring, r) for r in refs]))
    out.sort(key=lambda rc: rc.child.name.casefold())
    waiting = len(_my_referrals(db, user, orgs, ReferralStatus.AWAITING_CONSENT))
    record(db, user, "referral.list", role=Role.SPECIALIST, org_id=orgs[0], detail={"children": len(out)})
    db.commit()
    return out, waiting


def referral_org(db: Session, user: User, child_id: uuid.UUID) -> uuid.UUID | None:
    """The organization of the specialist's open referral of this child (for the audit of what they read)."""
    refs = [r for r in _my_referrals(db, user, access.specialist_orgs(db, user), "open") if r.child_id == child_id]
    return refs[0].to_org_id if refs else None


def specialist_child(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> ReferredChild:
    """One referred child for the specialist: name, birth date and the referrals to them. Audited."""
    _child(db, child_id)
    if access.specialist_view_role(db, user, child_id) is None:
        raise AccessDenied()
    orgs = access.specialist_orgs(db, user)
    refs = [r for r in _my_referrals(db, user, orgs, "open") if r.child_id == child_id]
    view = open_child(keyring, db.get(Child, child_id), LIST_FIELDS)
    record(db, user, "child.view", role=Role.SPECIALIST, org_id=refs[0].to_org_id if refs else None,
           object_type="child", object_id=child_id)
    db.commit()
    return ReferredChild(view, [_reason_view(db, keyring, r) for r in refs])


def add_conclusion(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID, *, referral_id: uuid.UUID,
                   conclusion: str, recommendations: str) -> SpecialistConclusion:
    child = _child(db, child_id)
    if access.specialist_view_role(db, user, child_id) is None:
        raise AccessDenied()
    ref = db.get(Referral, referral_id)
    orgs = access.specialist_orgs(db, user)
    if (ref is None or ref.child_id != child_id or ref.status != "open" or ref.to_org_id not in orgs
            or ref.to_user_id not in (None, user.id)):
        raise ServiceError("referral_not_open", field="referral")
    conclusion_text = _text(conclusion, MAX_CONCLUSION, "conclusion", "conclusion")
    recommendations_text = _text(recommendations, MAX_CONCLUSION, "recommendations", "recommendations")
    row = SpecialistConclusion(id=uuid.uuid4(), child_id=child_id, referral_id=ref.id, org_id=ref.to_org_id,
                               author_id=user.id, specialist_kind=specialist_kind(db, user, ref.to_org_id),
                               key_id=child.key_id)
    row.conclusion_ct = keyring.seal(child.key_id, "specialistconclusion", row.id, "conclusion", conclusion_text)
    row.recommendations_ct = keyring.seal(child.key_id, "specialistconclusion", row.id, "recommendations",
                                          recommendations_text)
    db.add(row)
    db.flush()
    mark_changed_at(db, ref.to_org_id, ref.created_at)  # "seen": counted in the referral's year
    record(db, user, "conclusion.create", role=Role.SPECIALIST, org_id=ref.to_org_id, object_type="conclusion",
           object_id=row.id, detail={"child_id": str(child_id), "referral_id": str(ref.id)})
    db.commit()
    return row


# -- who sees conclusions ------------------------------------------------------------------------

def conclusions_for(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> list[ConclusionView]:
    """The conclusions a user may read, newest first: the parent and the child's kindergarten staff all of them;
    a specialist their own, and the others' only if their consent covers 'conclusions'. Reading is audited
    (conclusion.view) when there is anything to read; nobody else gets AccessDenied."""
    _child(db, child_id)
    role = access.child_view_role(db, user, child_id)
    if role is None:
        raise AccessDenied()
    if role not in REFERRING_ROLES and role != Role.SPECIALIST:
        raise AccessDenied()
    rows = db.exec(select(SpecialistConclusion).where(SpecialistConclusion.child_id == child_id)
                   .order_by(SpecialistConclusion.created_at.desc())).all()
    if role == Role.SPECIALIST and access.specialist_view_role(db, user, child_id, "conclusions") is None:
        rows = [r for r in rows if r.author_id == user.id]
    views = []
    for r in rows:
        author = db.get(User, r.author_id)
        views.append(ConclusionView(
            id=r.id, author=author.full_name if author else "", specialist_kind=r.specialist_kind,
            org=db.get(Organization, r.org_id), created_at=r.created_at,
            conclusion=keyring.open("specialistconclusion", r.id, "conclusion", r.conclusion_ct) or "",
            recommendations=keyring.open("specialistconclusion", r.id, "recommendations", r.recommendations_ct) or "",
            mine=r.author_id == user.id))
    if views:
        org_id = None if role == Role.PARENT else (_kindergarten_of(db, child_id) if role in (Role.TEACHER, Role.HEAD)
                                                 else views[0].org.id)
        record(db, user, "conclusion.view", role=role, org_id=org_id, object_type="child", object_id=child_id,
               detail={"conclusions": [str(v.id) for v in views]})
        db.commit()
    return views
