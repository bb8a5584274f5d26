"""Accounts, server-side sessions and login throttling."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, sealed_field, time_field

SEALED_USER_FIELDS = ("full_name", "email", "phone")


class User(SQLModel, table=True):
    """An account. Who the person is (name, e-mail, phone) is personal data linking a family to a child: it is
    sealed under the platform "accounts" data key and found at sign-in through HMAC blind indexes.
    Read it only through sabidamu.services.identity (identity_of, display_name, login_of); find a user by
    e-mail or phone with services.auth.find_user."""

    id: uuid.UUID = id_field()
    key_id: uuid.UUID | None = Field(default=None, foreign_key="datakey.id", index=True)  # None: not sealed yet
    full_name_ct: bytes | None = sealed_field()
    email_ct: bytes | None = sealed_field()
    phone_ct: bytes | None = sealed_field()
    email_index: str | None = Field(default=None, max_length=64, unique=True)
    phone_index: str | None = Field(default=None, max_length=64, unique=True)
    # Staff names stay readable (shown beside their work); a parent's is "" here and lives in full_name_ct.
    full_name: str = Field(default="", max_length=200)
    # Rows made before sealing: `flask accounts seal` moves these into the sealed columns and empties them.
    legacy_email: str | None = Field(default=None,
                                     sa_column=sa.Column("email", sa.String(254), unique=True, nullable=True))
    legacy_phone: str | None = Field(default=None,
                                     sa_column=sa.Column("phone", sa.String(20), unique=True, nullable=True))
    password_hash: str = Field(max_length=200)
    locale: str | None = Field(default=None, max_length=5)
    is_admin: bool = False
    # Registered but not yet confirmed (by the link sent to the e-mail, or a code from the kindergarten head).
    unconfirmed: bool = False
    # The version of the privacy notice (/privacy) the person accepted when registering.
    privacy_version: str | None = Field(default=None, max_length=20)
    # A password set by somebody else (a head for their staff): the next sign-in must choose a new one first.
    must_change_password: bool = False
    # Set when a head deactivates a staff member who then belongs nowhere: the login no longer works.
    deactivated_at: dt.datetime | None = time_field()
    created_at: dt.datetime = created_field()


class UserSession(SQLModel, table=True):
    """A signed-in session. The cookie holds only a random token; the row holds its SHA-256."""

    id: uuid.UUID = id_field()
    token_hash: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    created_at: dt.datetime = created_field()
    last_seen_at: dt.datetime = created_field()
    ended_at: dt.datetime | None = time_field()


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per account and per IP, in the database so it holds across workers and restarts."""

    key: str = Field(primary_key=True, max_length=300)
    window_start: dt.datetime = created_field()
    failures: int = 0
    locked_until: dt.datetime | None = time_field()


class PasswordReset(SQLModel, table=True):
    """A single-use, short-lived password reset: a link sent by e-mail (kind 'email'), or a code a kindergarten
    head gives a phone-only parent after checking their identity in person (kind 'code'). Only the SHA-256 of
    the secret is stored."""

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=20)  # email | code | confirm | email_change
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = created_field()
    expires_at: dt.datetime = time_field()
    used_at: dt.datetime | None = time_field()
    issued_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")  # the head, for a code
    # kind 'email_change': the new address, sealed under the accounts key until its owner opens the link.
    payload_ct: bytes | None = sealed_field()
