"""Organizations, their groups, staff memberships and the data keys they own."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, time_field
from .enums import STAFF

ORG_KINDS = ("kindergarten", "school", "correction_room", "pmpk")
STAFF_ROLES = STAFF  # head, teacher, specialist, school_teacher
AGE_GROUPS = ("early", "junior", "middle", "senior", "preschool", "grade1")  # grade1: a school's first-grade class


class Organization(SQLModel, table=True):
    id: uuid.UUID = id_field()
    kind: str = Field(max_length=20)
    name_kk: str = Field(max_length=200)
    name_ru: str = Field(max_length=200)
    region: str = Field(max_length=100)
    # The district code (sabidamu.analytics.areas), for the district education department's analytics.
    district: str | None = Field(default=None, max_length=20, index=True)
    bin: str | None = Field(default=None, max_length=12, unique=True)
    # Monitoring stage windows when the organization overrides the defaults (sabidamu.monitoring.StageWindows).
    stage_windows: dict | None = Field(default=None, sa_type=sa.JSON)
    created_at: dt.datetime = created_field()


class Membership(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("user_id", "org_id", "role"),)
    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    role: str = Field(max_length=20)
    # role 'specialist' only: 'speech_therapist' | 'psychologist' | 'defectologist'
    specialist_kind: str | None = Field(default=None, max_length=20)
    created_at: dt.datetime = created_field()


class Group(SQLModel, table=True):
    __tablename__ = "child_group"
    id: uuid.UUID = id_field()
    org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=100)
    age_group: str = Field(max_length=20)
    academic_year: int  # the calendar year the academic year starts in (2026 -> 2026-2027)
    created_at: dt.datetime = created_field()


class GroupTeacher(SQLModel, table=True):
    group_id: uuid.UUID = Field(foreign_key="child_group.id", primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", primary_key=True, index=True)


class DataKey(SQLModel, table=True):
    """A data key, stored only wrapped by a master key. owner_kind: 'org' or 'family'."""

    id: uuid.UUID = id_field()
    owner_kind: str = Field(max_length=10)
    owner_id: uuid.UUID = Field(index=True)
    wrapped: bytes = Field(sa_type=sa.LargeBinary)
    master_key_id: str = Field(max_length=40, index=True)
    active: bool = True
    created_at: dt.datetime = created_field()
    retired_at: dt.datetime | None = time_field()
