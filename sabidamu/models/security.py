"""Staff second factor (TOTP) and parents' requests to delete a child's data."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, sealed_field, time_field

SEALED_TOTP_FIELDS = ("secret", "pending_secret")


class StaffTotp(SQLModel, table=True):
    """One user's TOTP secret, sealed under the user's own data key (owner_kind 'user').

    `pending_secret` holds a secret shown for enrolment but not yet confirmed with a code; it replaces
    `secret` only when confirmed, so re-enrolling a new phone never locks the user out half-way.
    `last_step` is the last accepted RFC 6238 time step: a code at or before it is refused (replay).
    `recovery_hashes`: salted SHA-256 of the one-time recovery codes; a used entry becomes null.
    """

    __tablename__ = "staff_totp"
    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="user.id", unique=True)
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    secret_ct: bytes | None = sealed_field()
    pending_secret_ct: bytes | None = sealed_field()
    enabled_at: dt.datetime | None = time_field()
    last_step: int | None = Field(default=None, sa_type=sa.BigInteger)
    recovery_hashes: list = Field(default_factory=list, sa_type=sa.JSON)
    version: int = 1


class DeletionRequest(SQLModel, table=True):
    """A guardian asked for a child's data to be deleted. Kept after the deletion (object ids only).

    `child_id` has no foreign key on purpose: the child row is deleted, the request stays as the record
    of when it was asked, when it was due under the retention rules (docs/privacy.md) and when it was done.
    """

    __tablename__ = "deletion_request"
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(index=True)
    requested_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    requested_at: dt.datetime = created_field()
    rule: str = Field(max_length=20)  # 'home_only' (at once) | 'retention' (after due_on)
    due_on: dt.date | None = None
    status: str = Field(default="pending", max_length=10)  # pending | done
    completed_at: dt.datetime | None = time_field()


class RefusedAttempt(SQLModel, table=True):
    """Refused attempts of one user on one child not yet written as their own audit event: the access log holds
    at most one 'access.denied' event per user, child and hour, whose `count` takes in the repeats before it
    (services.refusals), so a stream of refusals cannot flood a parent's "who saw my child's data"."""

    __tablename__ = "refused_attempt"
    actor_id: uuid.UUID = Field(primary_key=True)
    child_id: uuid.UUID = Field(primary_key=True)
    logged_at: dt.datetime = created_field()  # the last attempt written as an event
    unlogged: int = 0  # attempts since then, carried by the next event
