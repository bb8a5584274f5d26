"""Append-only audit events (who, what, when; never card content)."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field


class AuditEvent(SQLModel, table=True):
    id: uuid.UUID = id_field()
    seq: int = Field(unique=True, index=True)
    at: dt.datetime = created_field()
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_role: str | None = Field(default=None, max_length=20)
    org_id: uuid.UUID | None = Field(default=None, index=True)
    action: str = Field(max_length=60)
    object_type: str | None = Field(default=None, max_length=30)
    object_id: uuid.UUID | None = Field(default=None, index=True)
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    chain_hash: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
