"""Reminders (issue 15): what was sent to whom for which occasion, and the kinds a person turned off; and a
parent's agreement to show the home-and-kindergarten table in the card's PDF.

Nothing here holds child data: ids, a kind and an occasion code (a date or "<year>:<stage>").
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_field, id_field, time_field

REMINDER_KINDS = ("screening_due", "stage_open", "stage_closing", "consent_expiring", "card_received")


class SentReminder(SQLModel, table=True):
    """One reminder to one person about one object for one occasion; the unique key is what makes a reminder
    never go twice. `notification_id` is the in-app notice; `mailed_at` is set once the e-mail was handed over
    (or there was no address to mail to)."""

    __table_args__ = (sa.UniqueConstraint("kind", "user_id", "object_id", "occasion"),)
    id: uuid.UUID = id_field()
    kind: str = Field(max_length=30)
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    object_id: uuid.UUID  # the child, group, consent or transfer package the reminder is about
    occasion: str = Field(max_length=40)
    # The child it is about, if any: deleting the child's data (services/data_rights.py follows foreign keys)
    # takes these rows with it.
    child_id: uuid.UUID | None = Field(default=None, foreign_key="child.id", index=True)
    notification_id: uuid.UUID | None = None  # no foreign key: deleting a child's data takes its notices
    created_at: dt.datetime = created_field()
    mailed_at: dt.datetime | None = time_field()


class ReminderOptOut(SQLModel, table=True):
    """A kind of reminder the person turned off (no row: on)."""

    user_id: uuid.UUID = Field(foreign_key="user.id", primary_key=True)
    kind: str = Field(max_length=30, primary_key=True)
    created_at: dt.datetime = created_field()


class CardHomeShare(SQLModel, table=True):
    """The parent agreed that the card's PDF includes the home-and-kindergarten table (no row: it does not)."""

    child_id: uuid.UUID = Field(foreign_key="child.id", primary_key=True)
    agreed_by: uuid.UUID = Field(foreign_key="user.id")
    agreed_at: dt.datetime = created_field()
