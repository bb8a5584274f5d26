"""A home screening of one child with one instrument version and band.

Answers, follow-up answers, the scored result, the screening date and the gestational weeks used are
developmental data of a minor: sealed with the child's current data key (`key_id`, the same key as the
child row, so key rotation and enrolment re-sealing move them together). Only bookkeeping is plaintext:
who answered, when, the instrument reference and the status.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field, SQLModel

from .base import created_field, id_field, sealed_field, time_field

SEALED_FIELDS = ("answers", "follow_ups", "progress", "result", "screening_date", "gestational_weeks")


class Screening(SQLModel, table=True):
    id: uuid.UUID = id_field()
    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    instrument_id: str = Field(max_length=80)
    instrument_version: int
    band_id: str = Field(max_length=40)
    status: str = Field(default="in_progress", max_length=12, index=True)  # enums.ScreeningStatus
    answers_ct: bytes | None = sealed_field()  # JSON {item id: 'yes'|'sometimes'|'not_yet'}
    follow_ups_ct: bytes | None = sealed_field()  # JSON {follow-up id: 'yes'|'no'}
    progress_ct: bytes | None = sealed_field()  # JSON list of the domain ids saved so far (for resuming)
    result_ct: bytes | None = sealed_field()  # JSON of ScreeningResult.to_dict()
    screening_date_ct: bytes | None = sealed_field()  # ISO date the age is computed on
    gestational_weeks_ct: bytes | None = sealed_field()  # weeks used for the corrected age, or empty
    answered_by: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    answered_by_role: str = Field(default="parent", max_length=10)  # parent | teacher
    started_at: dt.datetime = created_field()
    completed_at: dt.datetime | None = time_field()
    version: int = 1
    # Where the analytics counts (ScreeningZoneCount) hold this screening's zones, when they do: the child's latest
    # completed screening of an academic year at the kindergarten the child attended (no zone in clear here).
    counted_org_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id")
    counted_year: int | None = None
