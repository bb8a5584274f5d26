"""Children, their guardians and their enrolment in groups. Personal fields are sealed."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, sealed_field, time_field


class Child(SQLModel, table=True):
    id: uuid.UUID = id_field()
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)  # data key the sealed fields use
    name_ct: bytes | None = sealed_field()
    birth_date_ct: bytes | None = sealed_field()
    iin_ct: bytes | None = sealed_field()
    sex_ct: bytes | None = sealed_field()
    gestational_weeks_ct: bytes | None = sealed_field()
    notes_ct: bytes | None = sealed_field()
    iin_index: str | None = Field(default=None, max_length=64, unique=True)
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = created_field()
    version: int = 1


class Guardianship(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("child_id", "user_id"),)
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    relation: str = Field(default="parent", max_length=20)
    created_at: dt.datetime = created_field()


class Enrollment(SQLModel, table=True):
    """status: 'pending' (the kindergarten asked, the parent has not confirmed), 'active', 'declined', 'ended'.
    An ended enrolment says when and why: `ended_on`, `end_reason` ('left': a leave date the head entered,
    'graduated': the end of the academic year, 'moved': the parent confirmed another group)."""

    # A group page asks for (group_id, status): one index serves it (SQLite otherwise picks a worse one).
    __table_args__ = (sa.Index("ix_enrollment_group_status", "group_id", "status"),)
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    group_id: uuid.UUID = Field(foreign_key="child_group.id")
    status: str = Field(default="pending", max_length=10)
    requested_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    # A pending request for a child without a guardian account: the organization that must confirm it (where the
    # child is active, or that holds its record). None: the child's guardian confirms (or nobody needs to).
    confirm_org_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id")
    created_at: dt.datetime = created_field()
    decided_at: dt.datetime | None = time_field()
    ended_on: dt.date | None = None
    end_reason: str | None = Field(default=None, max_length=10)
