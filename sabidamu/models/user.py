"""Accounts, server-side sessions and login throttling."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field, SQLModel

from .base import created_field, id_field, time_field


class User(SQLModel, table=True):
    id: uuid.UUID = id_field()
    email: str | None = Field(default=None, max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=20, unique=True)
    password_hash: str = Field(max_length=200)
    full_name: str = Field(max_length=200)
    locale: str | None = Field(default=None, max_length=5)
    is_admin: bool = False
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
