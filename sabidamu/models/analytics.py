"""District and regional education departments (a scope, no organization) and the screening counts they read.

Neither table holds a child id: a department sees counts only (services/analytics/), never a child.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, time_field


class DepartmentScope(SQLModel, table=True):
    """A user of a district or regional education department (аудандық / облыстық білім бөлімі; отдел /
    управление образования): the region code (sabidamu.analytics.areas) and, for a district department, the
    district code. Created by the platform admin."""

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="user.id", unique=True)
    region: str = Field(max_length=10)
    district: str | None = Field(default=None, max_length=20)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = created_field()


class ScreeningZoneCount(SQLModel, table=True):
    """How many children of an organization have, as their latest completed screening of an academic year, each
    zone in a domain. Kept by services/screening.complete in the same transaction (the child's previous screening
    of that year -1, the new one +1), so the analytics never decrypt a screening to count."""

    __table_args__ = (sa.UniqueConstraint("org_id", "academic_year", "domain", "zone"),)
    id: uuid.UUID = id_field()
    org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    academic_year: int = Field(index=True)
    domain: str = Field(max_length=40)
    zone: str = Field(max_length=12)
    count: int = 0
    updated_at: dt.datetime | None = time_field()


class AnalyticsSnapshot(SQLModel, table=True):
    """The protected tables of one part of a region's analytics for an academic year, worked out once and read by
    every page, download and API call until its counts change (services/analytics/snapshots.py). A part is a
    monitoring stage (the levels tables) or "year" (screening, referrals, cards). `payload` is JSON of published
    counts per area node (hidden cells null): counts only, already protected, nothing about a child."""

    __table_args__ = (sa.UniqueConstraint("region", "academic_year", "part"),)
    id: uuid.UUID = id_field()
    region: str = Field(max_length=10)
    academic_year: int
    part: str = Field(max_length=12)
    computed_at: dt.datetime = created_field()
    payload: str = Field(sa_type=sa.Text)


class AnalyticsChange(SQLModel, table=True):
    """An organization whose counts of a part of an academic year changed since the stored tables were worked out:
    marked in the transaction that changes them, taken by the periodic refresh (one row however many saves)."""

    org_id: uuid.UUID = Field(primary_key=True)
    academic_year: int = Field(primary_key=True)
    part: str = Field(primary_key=True, max_length=12)
