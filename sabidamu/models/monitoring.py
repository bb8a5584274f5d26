"""Kindergarten monitoring: one row per child, academic year and stage; home observations; report counts.

Levels and the card's texts are developmental data of a minor: sealed with the child's current data key
(`key_id`, like the child row, so rotation and enrolment re-sealing move them together). What stays in
clear is bookkeeping (who, when, late entry, version) and the aggregate counts a report needs, which hold
no child ids (small cells are suppressed when shown beyond the kindergarten).
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, sealed_field, time_field

STAGES = ("start", "intermediate", "final")
SEALED_STAGE_FIELDS = ("levels", "measures", "final_levels")


class CardStage(SQLModel, table=True):
    """The monitoring of one child at one stage of one academic year (optimistic `version` on every save)."""

    __table_args__ = (sa.UniqueConstraint("child_id", "academic_year", "stage"),)
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    group_id: uuid.UUID = Field(foreign_key="child_group.id", index=True)  # the group at the time of entry
    academic_year: int
    stage: str = Field(max_length=12)
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    levels_ct: bytes | None = sealed_field()        # JSON {skill id: 1 | 2 | 3 | null (not observed)}
    measures_ct: bytes | None = sealed_field()      # JSON {skill group id: developmental / corrective measures text}
    final_levels_ct: bytes | None = sealed_field()  # final stage only: JSON {skill group id: 1 | 2 | 3}
    late: bool = False                              # entered after the stage's window (by the head)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime = created_field()
    version: int = 1


class HomeObservation(SQLModel, table=True):
    """A parent's short note about the child at home, optionally tied to a skill group; the teacher sees it."""

    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    author_id: uuid.UUID = Field(foreign_key="user.id")
    skill_group: str | None = Field(default=None, max_length=20)
    text_ct: bytes | None = sealed_field()
    created_at: dt.datetime = created_field()


class LevelCount(SQLModel, table=True):
    """How many children of a group have each derived level in a skill group at a stage (no child ids).

    Kept up to date by the service that saves a CardStage (old level -1, new level +1, same transaction),
    so a report reads counts and never decrypts a whole group or organization. level 0 = no level yet.
    """

    __table_args__ = (sa.UniqueConstraint("group_id", "academic_year", "stage", "skill_group", "level"),)
    id: uuid.UUID = id_field()
    org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    group_id: uuid.UUID = Field(foreign_key="child_group.id", index=True)
    academic_year: int
    stage: str = Field(max_length=12)
    skill_group: str = Field(max_length=20)
    level: int
    count: int = 0
    updated_at: dt.datetime | None = time_field()
