"""API clients of the open API (/api/v1): a regional system or the national database acting for one organization,
or a regional system reading the counts of one region (a region client: REGION_SCOPES only, no membership).

A client acts through its own service account (`user_id`: a User with a head's membership of the organization and
no login), so every access rule and consent rule a person meets applies to it, and its calls are audited under that
account. `scopes` narrow what it may do further. Only SHA-256 of the secret and of each token is stored: both are
random 256-bit values, so a slow password hash adds nothing.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, time_field

API_SCOPES = ("roster:read", "cards:read", "cards:write", "monitoring:read", "analytics:read", "transfer:write")
# What a region client may hold: counts only. Cards, rosters, levels and the handover stay with organization clients,
# each registered by its organization's head, so no single key opens every child's card of a region.
REGION_SCOPES = ("analytics:read",)


class ApiClient(SQLModel, table=True):
    __table_args__ = (sa.CheckConstraint("(org_id IS NULL) <> (region IS NULL)", name="ck_apiclient_one_area"),)

    id: uuid.UUID = id_field()  # the client_id
    # One organization (org_id) or one region (region, an ISO 3166-2:KZ code): exactly one of the two is set.
    org_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id", index=True)
    region: str | None = Field(default=None, max_length=10, index=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)  # the service account it acts as
    name: str = Field(max_length=100)
    scopes: list = Field(default_factory=list, sa_type=sa.JSON)
    secret_hash: str = Field(max_length=64)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = created_field()
    revoked_at: dt.datetime | None = time_field()


class ApiToken(SQLModel, table=True):
    """A short-lived bearer token (RFC 6750) issued by POST /api/v1/oauth/token."""

    id: uuid.UUID = id_field()
    client_id: uuid.UUID = Field(foreign_key="apiclient.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: list = Field(default_factory=list, sa_type=sa.JSON)
    created_at: dt.datetime = created_field()
    expires_at: dt.datetime = time_field(nullable=False)


class ApiRateWindow(SQLModel, table=True):
    """Calls of one client in the current fixed window (one minute), shared by every worker."""

    client_id: uuid.UUID = Field(foreign_key="apiclient.id", primary_key=True)
    window_start: dt.datetime = created_field()
    calls: int = 0
