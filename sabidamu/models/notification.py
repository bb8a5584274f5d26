"""In-app notices to a user (a guardian told that a paper consent was recorded for their child, ...).

A notice stores a kind and parameters that are identifiers and codes only (a child's id, an organization's id, a
purpose, a date), never personal text: it is rendered in the reader's language when it is read, and the child's
first name is opened from the child's sealed record at that moment (sabidamu.services.notifications).
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, time_field

NOTIFICATION_KINDS = ("paper_consent", "screening_due", "stage_open", "stage_closing", "consent_expiring",
                      "card_received")


class Notification(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),)
    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    # The child the notice is about: a deletion of the child's data (services/data_rights.py follows foreign
    # keys) takes its notices with it.
    child_id: uuid.UUID | None = Field(default=None, foreign_key="child.id", index=True)
    kind: str = Field(max_length=40)
    params: dict = Field(default_factory=dict, sa_type=sa.JSON)  # ids and codes only (see the module's note)
    created_at: dt.datetime = created_field()
    read_at: dt.datetime | None = time_field()
