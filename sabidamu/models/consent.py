"""A legal representative's consent per child and purpose, referrals to specialists, and their conclusions.

Consents are never deleted: revoking sets `revoked_at`, a change is a new row that `replaces_id` the old one
(which is revoked at the same moment), so the whole history stays readable. What a consent covers is
bookkeeping in clear (purpose, recipient, parts, dates); the guardian's name as written on a paper form is
personal data and sealed with the child's current data key (`key_id`), like the referral's reason and a
specialist's conclusion and recommendations. Re-sealing moves them with the child (services/children.py).
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, sealed_field, time_field
from .enums import ConsentPurpose

CONSENT_PURPOSES = tuple(ConsentPurpose)
# Which parts a consent may cover, per purpose (kindergarten monitoring covers the card as a whole).
CONSENT_PARTS = {
    ConsentPurpose.KINDERGARTEN_MONITORING: (),
    ConsentPurpose.SPECIALIST_ACCESS: ("screenings", "card", "conclusions"),
    ConsentPurpose.SCHOOL_TRANSFER: ("conclusions", "home_observations"),
}
SEALED_CONSENT_FIELDS = ("guardian_name",)
SEALED_REFERRAL_FIELDS = ("reason",)
SEALED_CONCLUSION_FIELDS = ("conclusion", "recommendations")


class Consent(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_consent_child_purpose", "child_id", "purpose"),)
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id")
    purpose: str = Field(max_length=30)
    recipient_org_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id", index=True)
    recipient_user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", index=True)
    parts: list = Field(default_factory=list, sa_type=sa.JSON)  # subset of CONSENT_PARTS[purpose]
    method: str = Field(max_length=10)  # 'in_app' (the guardian, signed in) | 'paper' (recorded by staff)
    given_by: uuid.UUID = Field(foreign_key="user.id")  # the guardian, or the staff member recording paper
    paper_date: dt.date | None = None  # the date written on the paper form
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    guardian_name_ct: bytes | None = sealed_field()  # paper only: the guardian's name as written
    given_at: dt.datetime = created_field()
    valid_until: dt.date | None = None  # inclusive; None = until revoked
    replaces_id: uuid.UUID | None = Field(default=None, foreign_key="consent.id")
    revoked_at: dt.datetime | None = time_field()
    revoked_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")


class Referral(SQLModel, table=True):
    """A parent or a teacher refers a child to a specialist (a user) or to an organization."""

    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    to_org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    to_user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", index=True)
    screening_id: uuid.UUID | None = Field(default=None, foreign_key="screening.id")
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    reason_ct: bytes | None = sealed_field()
    status: str = Field(default="awaiting_consent", max_length=20)  # enums.ReferralStatus
    created_by: uuid.UUID = Field(foreign_key="user.id")
    created_by_role: str = Field(max_length=20)
    created_at: dt.datetime = created_field()
    opened_at: dt.datetime | None = time_field()


class SpecialistConclusion(SQLModel, table=True):
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    referral_id: uuid.UUID = Field(foreign_key="referral.id", index=True)
    org_id: uuid.UUID = Field(foreign_key="organization.id")
    author_id: uuid.UUID = Field(foreign_key="user.id")
    specialist_kind: str | None = Field(default=None, max_length=20)
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    conclusion_ct: bytes | None = sealed_field()
    recommendations_ct: bytes | None = sealed_field()
    created_at: dt.datetime = created_field()


class PendingPaperConsent(SQLModel, table=True):
    """A paper consent recorded by staff that names themselves or their own organization as the recipient: it
    gives no access until a second person, a head of the recipient organization other than the recorder,
    confirms it (then a Consent is made from it, `consent_id`) or rejects it. The guardian's name as written
    is sealed like Consent.guardian_name."""

    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    purpose: str = Field(max_length=30)
    recipient_org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    recipient_user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    parts: list = Field(default_factory=list, sa_type=sa.JSON)
    paper_date: dt.date
    valid_until: dt.date | None = None
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    guardian_name_ct: bytes | None = sealed_field()
    recorded_by: uuid.UUID = Field(foreign_key="user.id")
    recorded_role: str = Field(max_length=20)
    recorded_at: dt.datetime = created_field()
    decision: str | None = Field(default=None, max_length=10)  # None (waiting) | 'confirmed' | 'rejected'
    decided_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    decided_at: dt.datetime | None = time_field()
    consent_id: uuid.UUID | None = Field(default=None, foreign_key="consent.id")
