"""Consents of a child's legal representative, per purpose and recipient: giving, recording a paper form,
revoking, and the history. Nothing is ever deleted: a revocation sets `revoked_at`, a change is a new
consent that replaces the old one (revoked at the same moment).

Access (sabidamu.access) reads the consents on every request, so a revocation takes effect at once.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from .. import access
from ..crypto.keyring import Keyring
from ..models import Child, Consent, Membership, Organization, Referral, User
from ..models.base import utcnow
from ..models.consent import CONSENT_PARTS, CONSENT_PURPOSES
from ..models.enums import ConsentPurpose, ReferralStatus, Role
from . import AccessDenied, ServiceError, fetch
from .audit import record

TABLE = "consent"
MAX_NAME = 200
SPECIALIST_ORG_KINDS = ("kindergarten", "correction_room", "pmpk")
RECIPIENT_ORG_KINDS = {
    ConsentPurpose.KINDERGARTEN_MONITORING: ("kindergarten",),
    ConsentPurpose.SPECIALIST_ACCESS: SPECIALIST_ORG_KINDS,
    ConsentPurpose.SCHOOL_TRANSFER: ("school",),
}


@dataclass(frozen=True)
class Recipient:
    """Who a consent (or a referral) names: an organization, and within it optionally one specialist."""

    org_id: uuid.UUID
    user_id: uuid.UUID | None = None

    def encode(self) -> str:
        return f"user:{self.user_id}" if self.user_id else f"org:{self.org_id}"


@dataclass
class ConsentView:
    consent: Consent
    org: Organization | None
    user: User | None
    given_by: User | None
    guardian_name: str | None
    active: bool
    replaced: bool  # revoked because a newer consent replaced it


@dataclass
class HistoryEvent:
    at: dt.datetime
    action: str  # 'given' | 'paper' | 'changed' | 'revoked'
    view: ConsentView


# -- reading -------------------------------------------------------------------------------------

def _child(db: Session, child_id: uuid.UUID) -> Child:
    child = fetch(db, Child, child_id)
    return child


def _matches(consent: Consent, recipient: Recipient) -> bool:
    if consent.recipient_user_id is not None:
        return consent.recipient_user_id == recipient.user_id
    return consent.recipient_org_id == recipient.org_id


def active_consent(db: Session, child_id: uuid.UUID, purpose: str, recipient: Recipient) -> Consent | None:
    """The consent in force for this child, purpose and recipient (a consent to an organization covers its
    specialists; a consent naming a specialist covers only them), or None."""
    rows = db.exec(select(Consent).where(Consent.child_id == child_id, Consent.purpose == purpose,
                                         Consent.revoked_at.is_(None)).order_by(Consent.given_at.desc())).all()
    for row in rows:
        if access.consent_is_active(row) and _matches(row, recipient):
            return row
    return None


def _view(db: Session, keyring: Keyring, row: Consent) -> ConsentView:
    replaced = row.revoked_at is not None and db.exec(
        select(Consent.id).where(Consent.replaces_id == row.id)).first() is not None
    return ConsentView(
        consent=row, org=db.get(Organization, row.recipient_org_id) if row.recipient_org_id else None,
        user=db.get(User, row.recipient_user_id) if row.recipient_user_id else None,
        given_by=db.get(User, row.given_by),
        guardian_name=keyring.open(TABLE, row.id, "guardian_name", row.guardian_name_ct),
        active=access.consent_is_active(row), replaced=replaced)


def consents_of_child(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> list[ConsentView]:
    """Every consent of a child, newest first (the guardian only)."""
    _child(db, child_id)
    if not access.is_guardian(db, user, child_id):
        raise AccessDenied()
    rows = db.exec(select(Consent).where(Consent.child_id == child_id).order_by(Consent.given_at.desc())).all()
    return [_view(db, keyring, r) for r in rows]


def history(db: Session, keyring: Keyring, user: User, child_id: uuid.UUID) -> list[HistoryEvent]:
    """Given, recorded on paper, changed and revoked, newest first (the guardian only)."""
    events = []
    for view in consents_of_child(db, keyring, user, child_id):
        c = view.consent
        action = "changed" if c.replaces_id else ("paper" if c.method == "paper" else "given")
        events.append(HistoryEvent(c.given_at, action, view))
        if c.revoked_at is not None and not view.replaced:
            events.append(HistoryEvent(c.revoked_at, "revoked", view))
    events.sort(key=lambda e: (e.at, e.action == "revoked"), reverse=True)
    return events


# -- checking input ------------------------------------------------------------------------------

def check_recipient(db: Session, purpose: str, recipient: Recipient) -> Organization:
    if purpose not in CONSENT_PURPOSES:
        raise ServiceError("bad_purpose", field="purpose")
    org = db.get(Organization, recipient.org_id)
    if org is None or org.kind not in RECIPIENT_ORG_KINDS[purpose]:
        raise ServiceError("recipient_not_for_purpose", field="recipient")
    if recipient.user_id is not None:
        member = db.exec(select(Membership.id).where(Membership.user_id == recipient.user_id,
                                                     Membership.org_id == org.id,
                                                     Membership.role == Role.SPECIALIST)).first()
        if purpose != ConsentPurpose.SPECIALIST_ACCESS or member is None:
            raise ServiceError("recipient_not_for_purpose", field="recipient")
    return org


def check_parts(purpose: str, parts: list[str]) -> list[str]:
    allowed = CONSENT_PARTS.get(purpose, ())
    if any(p not in allowed for p in parts):
        raise ServiceError("parts_not_for_purpose", field="parts")
    return [p for p in allowed if p in parts]  # a stable order


def check_until(valid_until: dt.date | None) -> None:
    if valid_until is not None and valid_until < utcnow().date():
        raise ServiceError("until_in_past", field="valid_until")


# -- writing -------------------------------------------------------------------------------------

def _open_referrals(db: Session, actor: User, role: str, consent: Consent) -> int:
    """Referrals of the child waiting for exactly this consent become open (audited one by one)."""
    if consent.purpose != ConsentPurpose.SPECIALIST_ACCESS:
        return 0
    waiting = db.exec(select(Referral).where(Referral.child_id == consent.child_id,
                                             Referral.status == ReferralStatus.AWAITING_CONSENT)).all()
    opened = 0
    for ref in waiting:
        if ref.to_org_id == consent.recipient_org_id and (
                consent.recipient_user_id is None or ref.to_user_id in (None, consent.recipient_user_id)):
            ref.status, ref.opened_at = "open", utcnow()
            record(db, actor, "referral.consent", role=role, org_id=ref.to_org_id, object_type="referral",
                   object_id=ref.id, detail={"child_id": str(ref.child_id), "consent_id": str(consent.id)})
            opened += 1
    return opened


def _add(db: Session, keyring: Keyring, child: Child, actor: User, *, purpose: str, recipient: Recipient,
         parts: list[str], method: str, valid_until: dt.date | None, paper_date: dt.date | None = None,
         guardian_name: str | None = None) -> Consent:
    previous = active_consent(db, child.id, purpose, recipient)
    if previous is not None and previous.recipient_user_id != recipient.user_id:
        previous = None  # an organization-wide consent is not replaced by one naming a person
    now = utcnow()
    row = Consent(id=uuid.uuid4(), child_id=child.id, purpose=purpose, recipient_org_id=recipient.org_id,
                  recipient_user_id=recipient.user_id, parts=parts, method=method, given_by=actor.id,
                  paper_date=paper_date, key_id=child.key_id, given_at=now, valid_until=valid_until,
                  replaces_id=previous.id if previous else None)
    row.guardian_name_ct = keyring.seal(child.key_id, TABLE, row.id, "guardian_name", guardian_name)
    if previous is not None:
        previous.revoked_at, previous.revoked_by = now, actor.id
    db.add(row)
    db.flush()
    return row


def _detail(row: Consent) -> dict:
    return {"child_id": str(row.child_id), "purpose": row.purpose, "parts": list(row.parts or []),
            "recipient_user_id": str(row.recipient_user_id) if row.recipient_user_id else None,
            "replaces_id": str(row.replaces_id) if row.replaces_id else None,
            "valid_until": row.valid_until.isoformat() if row.valid_until else None}


def give_in_transaction(db: Session, keyring: Keyring, guardian: User, child_id: uuid.UUID, *, purpose: str,
                        recipient: Recipient, parts: list[str], valid_until: dt.date | None = None) -> Consent:
    """`give` without the commit, for a use case that gives a consent as one step of a larger change."""
    child = _child(db, child_id)
    if not access.is_guardian(db, guardian, child_id):
        raise ServiceError("not_guardian")
    check_recipient(db, purpose, recipient)
    parts = check_parts(purpose, parts)
    check_until(valid_until)
    row = _add(db, keyring, child, guardian, purpose=purpose, recipient=recipient, parts=parts, method="in_app",
               valid_until=valid_until)
    record(db, guardian, "consent.give", role=Role.PARENT, org_id=recipient.org_id, object_type="consent",
           object_id=row.id, detail=_detail(row))
    _open_referrals(db, guardian, Role.PARENT, row)
    return row


def give(db: Session, keyring: Keyring, guardian: User, child_id: uuid.UUID, *, purpose: str, recipient: Recipient,
         parts: list[str], valid_until: dt.date | None = None) -> Consent:
    """The guardian, signed in, consents (a consent already in force for the same recipient is replaced)."""
    row = give_in_transaction(db, keyring, guardian, child_id, purpose=purpose, recipient=recipient, parts=parts,
                              valid_until=valid_until)
    db.commit()
    return row


def revoke(db: Session, guardian: User, consent_id: uuid.UUID) -> Consent:
    """The guardian withdraws a consent; open referrals that no other consent covers wait again."""
    row = fetch(db, Consent, consent_id)
    if not access.is_guardian(db, guardian, row.child_id):
        raise AccessDenied()
    if row.revoked_at is not None:
        raise ServiceError("already_revoked")
    # The same lock as a paper consent's check against revocations (services/paper_consent.py).
    db.exec(select(Child.id).where(Child.id == row.child_id).with_for_update()).first()
    row.revoked_at, row.revoked_by = utcnow(), guardian.id
    db.flush()
    if row.purpose == ConsentPurpose.SPECIALIST_ACCESS:
        open_referrals = select(Referral).where(Referral.child_id == row.child_id,
                                                Referral.status == ReferralStatus.OPEN)
        for ref in db.exec(open_referrals).all():
            recipient = Recipient(ref.to_org_id, ref.to_user_id)
            if active_consent(db, row.child_id, ConsentPurpose.SPECIALIST_ACCESS, recipient) is None:
                ref.status = ReferralStatus.AWAITING_CONSENT
    record(db, guardian, "consent.revoke", role=Role.PARENT, org_id=row.recipient_org_id, object_type="consent",
           object_id=row.id, detail={"child_id": str(row.child_id), "purpose": row.purpose})
    db.commit()
    return row


# -- choices for forms ---------------------------------------------------------------------------

def specialist_choices(db: Session) -> list[tuple[User, Membership, Organization]]:
    return list(db.exec(select(User, Membership, Organization).join(Membership, Membership.user_id == User.id)
                        .join(Organization, Organization.id == Membership.org_id)
                        .where(Membership.role == Role.SPECIALIST)
                        .order_by(Organization.name_ru, User.full_name)).all())


def org_choices(db: Session, kinds: tuple[str, ...]) -> list[Organization]:
    return list(db.exec(select(Organization).where(Organization.kind.in_(kinds))
                        .order_by(Organization.kind, Organization.name_ru)).all())


def parse_recipient(db: Session, value: str | None) -> Recipient:
    """'org:<uuid>' or 'user:<uuid>' (a specialist: their organization is looked up)."""
    kind, _, raw = (value or "").partition(":")
    try:
        ident = uuid.UUID(raw)
    except ValueError:
        raise ServiceError("recipient_not_for_purpose", field="recipient") from None
    if kind == "org":
        return Recipient(ident)
    if kind == "user":
        org_id = db.exec(select(Membership.org_id).where(Membership.user_id == ident,
                                                         Membership.role == Role.SPECIALIST)).first()
        if org_id is None:
            raise ServiceError("recipient_not_for_purpose", field="recipient")
        return Recipient(org_id, ident)
    raise ServiceError("recipient_not_for_purpose", field="recipient")


# -- key moves -----------------------------------------------------------------------------------

# Paper consents live in their own module (the second person's confirmation, the guardian's notice).
from .paper_consent import confirm_paper, record_paper, reject_paper  # noqa: E402,F401
