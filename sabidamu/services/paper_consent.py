"""Consents a guardian signed on paper, recorded by staff — with three defences (docs/threat_model.md):

* A paper form dated on or before the guardian's latest revocation for the same purpose and recipient
  organization is refused: an old signed form cannot bring back what the guardian took away.
* A form that names the recording staff member or their own organization as the recipient gives no access
  until a second person, a head of that organization other than the recorder, confirms it
  (PendingPaperConsent). A paper consent to transfer the card to a school names the school, not the recorder's
  kindergarten, and takes effect at once.
* Every paper consent that takes effect is a notice to each guardian of the child (in the app, and by e-mail
  when the address is known), in the guardian's language, with nothing of the child but the first name.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..models import Child, Consent, Enrollment, Group, Organization, Referral, User
from ..models.base import utcnow
from ..models.consent import PendingPaperConsent
from ..models.enums import ConsentPurpose, EnrollmentStatus, ReferralStatus, Role
from . import AccessDenied, ServiceError, fetch, notifications
from .audit import record
from .consent import (
    MAX_NAME,
    Recipient,
    _add,
    _child,
    _detail,
    _open_referrals,
    check_parts,
    check_recipient,
    check_until,
)

PENDING_TABLE = "pendingpaperconsent"
KZ_OFFSET = dt.timedelta(hours=5)  # Kazakhstan's time, UTC+5 all year: a paper form carries a local date


# -- checks --------------------------------------------------------------------------------------

def _child_is_theirs(db: Session, child_id: uuid.UUID, purpose: str, org_id: uuid.UUID,
                     user_id: uuid.UUID | None) -> bool:
    if purpose == ConsentPurpose.KINDERGARTEN_MONITORING:
        return db.exec(select(Enrollment.id).join(Group, Group.id == Enrollment.group_id).where(
            Enrollment.child_id == child_id, Group.org_id == org_id,
            Enrollment.status.in_((EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE)))).first() is not None
    refs = db.exec(select(Referral).where(
        Referral.child_id == child_id, Referral.to_org_id == org_id,
        Referral.status.in_((ReferralStatus.AWAITING_CONSENT, ReferralStatus.OPEN)))).all()
    return any(r.to_user_id is None or r.to_user_id == user_id for r in refs)


def _actively_enrolled(db: Session, child_id: uuid.UUID, org_id: uuid.UUID) -> bool:
    return db.exec(select(Enrollment.id).join(Group, Group.id == Enrollment.group_id).where(
        Enrollment.child_id == child_id, Group.org_id == org_id,
        Enrollment.status == EnrollmentStatus.ACTIVE)).first() is not None


def _check_paper(paper_date: dt.date, guardian_name: str) -> str:
    if paper_date > (utcnow() + KZ_OFFSET).date():  # the form carries Kazakhstan's date
        raise ServiceError("paper_date_future", field="paper_date")
    name = (guardian_name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ServiceError("guardian_name", field="guardian_name")
    return name


def latest_revocation(db: Session, child_id: uuid.UUID, purpose: str, org_id: uuid.UUID) -> dt.date | None:
    """The local date of the latest revocation (not a replacement by a newer consent) of a consent of this child
    for this purpose whose recipient is this organization or one of its specialists."""
    rows = db.exec(select(Consent).where(Consent.child_id == child_id, Consent.purpose == purpose,
                                         Consent.recipient_org_id == org_id, Consent.revoked_at.is_not(None))).all()
    replaced = set(db.exec(select(Consent.replaces_id).where(Consent.replaces_id.in_([r.id for r in rows]))).all()) \
        if rows else set()
    dates = [(r.revoked_at + KZ_OFFSET).date() for r in rows if r.id not in replaced]
    return max(dates) if dates else None


def lock_child(db: Session, child_id: uuid.UUID) -> None:
    """Serializes the revocation check with a concurrent revocation (consent.revoke takes the same lock): on
    PostgreSQL a row lock on the child; SQLite's writers are serialized already (BEGIN IMMEDIATE)."""
    db.exec(select(Child.id).where(Child.id == child_id).with_for_update()).first()


def check_not_before_revocation(db: Session, child_id: uuid.UUID, purpose: str, org_id: uuid.UUID,
                                paper_date: dt.date) -> None:
    revoked = latest_revocation(db, child_id, purpose, org_id)
    if revoked is not None and paper_date <= revoked:
        raise ServiceError("paper_before_revocation", field="paper_date", date=revoked)


# -- recording -----------------------------------------------------------------------------------

def record_paper(db: Session, keyring: Keyring, staff: User, child_id: uuid.UUID, *, org_id: uuid.UUID,
                 purpose: str, for_me: bool, parts: list[str], paper_date: dt.date, guardian_name: str,
                 valid_until: dt.date | None = None, school_id: uuid.UUID | None = None,
                 mailer: notifications.Mailer | None = None) -> Consent | PendingPaperConsent:
    """Staff of the recipient organization record a consent the guardian signed on paper, for a child of
    theirs: enrolled (or asked to be enrolled) in their kindergarten, or referred to them or their organization.
    A head records for the organization; a specialist for the organization or (`for_me`) for themselves. Such a
    record names the recorder or their organization, so it waits for a second person (PendingPaperConsent).

    'school_transfer' is the exception: the recipient is a school (`school_id`) of this installation's directory,
    and the head of the kindergarten (`org_id`) where the child is actively enrolled records the parent's form;
    it takes effect at once and the guardians are told."""
    role = access.org_role(db, staff, org_id)
    roles = access.roles_in(db, staff, org_id)
    if purpose == ConsentPurpose.SCHOOL_TRANSFER:
        return _record_paper_school(db, keyring, staff, child_id, org_id=org_id, roles=roles, for_me=for_me,
                                    parts=parts, paper_date=paper_date, guardian_name=guardian_name,
                                    valid_until=valid_until, school_id=school_id, mailer=mailer)
    if purpose == ConsentPurpose.KINDERGARTEN_MONITORING:
        if Role.HEAD not in roles:
            raise AccessDenied()
    elif purpose == ConsentPurpose.SPECIALIST_ACCESS:
        if not roles & {Role.HEAD, Role.SPECIALIST}:
            raise AccessDenied()
        role = Role.SPECIALIST if Role.SPECIALIST in roles else role
    else:
        raise ServiceError("paper_purpose", field="purpose")
    if for_me and Role.SPECIALIST not in roles:
        raise ServiceError("recipient_not_for_purpose", field="recipient")
    recipient = Recipient(org_id, staff.id if for_me else None)
    child = _child(db, child_id)
    check_recipient(db, purpose, recipient)
    if not _child_is_theirs(db, child_id, purpose, org_id, staff.id):
        raise ServiceError("not_your_child", field="iin")
    parts = check_parts(purpose, parts)
    check_until(valid_until)
    name = _check_paper(paper_date, guardian_name)
    lock_child(db, child_id)
    check_not_before_revocation(db, child_id, purpose, org_id, paper_date)
    row = PendingPaperConsent(id=uuid.uuid4(), child_id=child_id, purpose=purpose, recipient_org_id=org_id,
                              recipient_user_id=recipient.user_id, parts=parts, paper_date=paper_date,
                              valid_until=valid_until, key_id=child.key_id, recorded_by=staff.id,
                              recorded_role=role or "staff")
    row.guardian_name_ct = keyring.seal(child.key_id, PENDING_TABLE, row.id, "guardian_name", name)
    db.add(row)
    db.flush()
    record(db, staff, "consent.record_paper", role=role, org_id=org_id, object_type="pending_consent",
           object_id=row.id, detail={"child_id": str(child_id), "purpose": purpose, "parts": parts,
                                     "recipient_user_id": str(recipient.user_id) if recipient.user_id else None,
                                     "paper_date": paper_date.isoformat(), "awaiting_confirmation": True})
    db.commit()
    return row


def _record_paper_school(db: Session, keyring: Keyring, staff: User, child_id: uuid.UUID, *, org_id: uuid.UUID,
                         roles: set[str], for_me: bool, parts: list[str], paper_date: dt.date, guardian_name: str,
                         valid_until: dt.date | None, school_id: uuid.UUID | None,
                         mailer: notifications.Mailer | None) -> Consent:
    """The head of the child's kindergarten records the parent's paper consent to transfer the card to a school."""
    kindergarten = db.get(Organization, org_id)
    if kindergarten is None or kindergarten.kind != "kindergarten" or Role.HEAD not in roles:
        raise AccessDenied()
    if for_me:
        raise ServiceError("recipient_not_for_purpose", field="recipient")
    child = _child(db, child_id)
    if school_id is None:
        raise ServiceError("recipient_not_for_purpose", field="school")
    recipient = Recipient(school_id)
    try:
        check_recipient(db, ConsentPurpose.SCHOOL_TRANSFER, recipient)
    except ServiceError as exc:
        raise ServiceError(exc.code, field="school") from None
    if not _actively_enrolled(db, child_id, org_id):
        raise ServiceError("not_your_child", field="iin")
    parts = check_parts(ConsentPurpose.SCHOOL_TRANSFER, parts)
    check_until(valid_until)
    name = _check_paper(paper_date, guardian_name)
    lock_child(db, child_id)
    check_not_before_revocation(db, child_id, ConsentPurpose.SCHOOL_TRANSFER, school_id, paper_date)
    row = _add(db, keyring, child, staff, purpose=ConsentPurpose.SCHOOL_TRANSFER, recipient=recipient, parts=parts,
               method="paper", valid_until=valid_until, paper_date=paper_date, guardian_name=name)
    record(db, staff, "consent.record_paper", role=Role.HEAD, org_id=org_id, object_type="consent", object_id=row.id,
           detail={**_detail(row), "paper_date": paper_date.isoformat(), "school_org_id": str(school_id)})
    notices = _tell_guardians(db, row, org_id)
    db.commit()
    notifications.mail(db, keyring, mailer, notices)
    return row


def _tell_guardians(db: Session, consent: Consent, recorded_by_org: uuid.UUID) -> list[uuid.UUID]:
    return [n.id for n in notifications.notify_guardians(
        db, consent.child_id, "paper_consent", org_id=recorded_by_org, purpose=consent.purpose,
        recipient_org_id=consent.recipient_org_id, paper_date=consent.paper_date.isoformat(),
        consent_id=consent.id)]


# -- the second person ---------------------------------------------------------------------------

@dataclass
class PendingView:
    row: PendingPaperConsent
    child_name: str
    guardian_name: str
    recorded_by: User | None
    recipient_user: User | None
    mine: bool  # recorded by the reader: someone else must confirm


def _may_decide(db: Session, head: User, row: PendingPaperConsent) -> None:
    if Role.HEAD not in access.roles_in(db, head, row.recipient_org_id):
        raise AccessDenied()
    if row.decision is not None:
        raise ServiceError("paper_already_decided")
    if row.recorded_by == head.id:
        raise ServiceError("paper_second_person")


def pending_for_head(db: Session, keyring: Keyring, head: User, org_id: uuid.UUID) -> list[PendingView]:
    """Paper consents of the organization that wait for a head's confirmation (its heads only); audited when the
    list shows any child."""
    from .children import open_child
    if Role.HEAD not in access.roles_in(db, head, org_id):
        raise AccessDenied()
    rows = db.exec(select(PendingPaperConsent).where(PendingPaperConsent.recipient_org_id == org_id,
                                                     PendingPaperConsent.decision.is_(None))
                   .order_by(PendingPaperConsent.recorded_at)).all()
    views = []
    for r in rows:
        child = db.get(Child, r.child_id)
        views.append(PendingView(row=r, child_name=open_child(keyring, child, ("name", "birth_date")).name,
                                 guardian_name=keyring.open(PENDING_TABLE, r.id, "guardian_name",
                                                            r.guardian_name_ct) or "",
                                 recorded_by=db.get(User, r.recorded_by),
                                 recipient_user=db.get(User, r.recipient_user_id) if r.recipient_user_id else None,
                                 mine=r.recorded_by == head.id))
    if views:
        record(db, head, "consent.pending_list", role=Role.HEAD, org_id=org_id,
               detail={"pending": [str(v.row.id) for v in views]})
        db.commit()
    return views


def confirm_paper(db: Session, keyring: Keyring, head: User, pending_id: uuid.UUID, *,
                  mailer: notifications.Mailer | None = None) -> Consent:
    """A head of the recipient organization, not the recorder, confirms: the consent takes effect (checked again
    against revocations made meanwhile), waiting referrals open, and the guardians are told."""
    row = fetch(db, PendingPaperConsent, pending_id)
    _may_decide(db, head, row)
    child = _child(db, row.child_id)
    recorder = db.get(User, row.recorded_by)
    if not _child_is_theirs(db, row.child_id, row.purpose, row.recipient_org_id, row.recipient_user_id):
        raise ServiceError("not_your_child")
    lock_child(db, row.child_id)
    check_not_before_revocation(db, row.child_id, row.purpose, row.recipient_org_id, row.paper_date)
    name = keyring.open(PENDING_TABLE, row.id, "guardian_name", row.guardian_name_ct)
    consent = _add(db, keyring, child, recorder, purpose=row.purpose,
                   recipient=Recipient(row.recipient_org_id, row.recipient_user_id), parts=list(row.parts or []),
                   method="paper", valid_until=row.valid_until, paper_date=row.paper_date, guardian_name=name)
    row.decision, row.decided_by, row.decided_at, row.consent_id = "confirmed", head.id, utcnow(), consent.id
    record(db, head, "consent.confirm_paper", role=Role.HEAD, org_id=row.recipient_org_id, object_type="consent",
           object_id=consent.id, detail={**_detail(consent), "paper_date": row.paper_date.isoformat(),
                                         "pending_id": str(row.id), "recorded_by": str(row.recorded_by)})
    _open_referrals(db, head, Role.HEAD, consent)
    notices = _tell_guardians(db, consent, row.recipient_org_id)
    db.commit()
    notifications.mail(db, keyring, mailer, notices)
    return consent


def reject_paper(db: Session, head: User, pending_id: uuid.UUID) -> PendingPaperConsent:
    """A head (not the recorder) turns the record down: it never gives access."""
    row = fetch(db, PendingPaperConsent, pending_id)
    _may_decide(db, head, row)
    row.decision, row.decided_by, row.decided_at = "rejected", head.id, utcnow()
    record(db, head, "consent.reject_paper", role=Role.HEAD, org_id=row.recipient_org_id,
           object_type="pending_consent", object_id=row.id, detail={"child_id": str(row.child_id)})
    db.commit()
    return row

