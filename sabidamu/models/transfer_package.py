"""Transfer packages (.sdcard) as this installation sends, receives and holds them, and the school's copy of
an imported card.

A TransferPackage row is the envelope only: who sent what to whom, its checksum and fate. The encrypted
bytes are kept only while a package waits for a decision ('delivered' to an inbox, 'held' for an unknown
sender's key): they are age-encrypted to the school already, so they are stored as they came.
The card itself lives in ImportedCard, sealed under the school's data key.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, created_field, id_field, sealed_field, time_field

SEALED_IMPORTED_CARD_FIELDS = ("card_json", "card_pdf")


class TransferPackage(SQLModel, table=True):
    __tablename__ = "transfer_package"
    __table_args__ = (sa.UniqueConstraint("package_id", "direction", "recipient_org_id"),
                      sa.Index("ix_transfer_package_recipient_status", "recipient_org_id", "status"))
    id: uuid.UUID = id_field()
    package_id: uuid.UUID                                        # the manifest's package_id
    direction: str = Field(max_length=10)                        # export | import | inbox
    # The sender may be another installation: no foreign key on its id.
    sender_org_id: uuid.UUID | None = Field(default=None, index=True)
    sender_name: str | None = Field(default=None, max_length=300)
    sender_bin: str | None = Field(default=None, max_length=12)
    sender_fingerprint: str | None = Field(default=None, max_length=40)
    recipient_org_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id", index=True)
    child_id: uuid.UUID | None = Field(default=None, foreign_key="child.id", index=True)
    status: str = Field(max_length=12)                           # enums.TransferStatus
    reason_code: str | None = Field(default=None, max_length=40)  # a PackageError code when rejected or held
    sha256: str = Field(max_length=64)
    size: int
    package_bytes: bytes | None = Field(default=None, sa_type=sa.LargeBinary)  # only while delivered or held
    kindergarten_access_until: dt.date | None = None            # read-only retention after acceptance
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = created_field()
    decided_at: dt.datetime | None = time_field()


class TrustedSenderKey(SQLModel, table=True):
    """A sender's minisign public key that a school head confirmed by phone (for senders of other installations)."""

    __tablename__ = "trusted_sender_key"
    __table_args__ = (sa.UniqueConstraint("school_org_id", "fingerprint"),)
    id: uuid.UUID = id_field()
    school_org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    sender_org_id: uuid.UUID | None = None
    sender_bin: str | None = Field(default=None, max_length=12)
    sender_name: str | None = Field(default=None, max_length=300)
    fingerprint: str = Field(max_length=40)
    public_key: str = Field(max_length=200)
    confirmed_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    confirmed_at: dt.datetime = created_field()


class ImportedCard(SQLModel, table=True):
    """The school's copy of one received card (card.json and card.pdf of one package), sealed."""

    __tablename__ = "imported_card"
    __table_args__ = (sa.UniqueConstraint("school_org_id", "package_id"),)
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    school_org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    package_id: uuid.UUID
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    card_json_ct: bytes | None = sealed_field()
    card_pdf_ct: bytes | None = sealed_field()                 # base64 of the PDF, sealed
    academic_years: list = Field(default_factory=list, sa_type=sa.JSON)  # e.g. ["2024-2025", "2025-2026"]
    imported_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC), sa_type=UTCDateTime,
                                     nullable=False)
    imported_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
