"""Results of background jobs (a group's cards as one PDF, the ZIP of cards for a school, a parent's export of
their child's data).

A result holds children's data, so it never touches the disk in clear: it is sealed under the organization's
data key (a parent's export: under the child's own data key) in `result_ct` (the crypto layer, like every sealed
field) and lives at most an hour (`expires_at`), or until its one download. `child_ids` names the children whose
data is in the file: access is checked again at download, the download is audited per child, and the row goes when
a child's data is deleted.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, created_field, id_field, sealed_field, time_field

SEALED_JOB_FIELDS = ("result",)


class JobResult(SQLModel, table=True):
    __tablename__ = "job_result"
    id: uuid.UUID = id_field()  # random (UUID4): the job's address; only its starter may read it anyway
    kind: str = Field(max_length=30)  # 'group_pdf' | 'transfer_zip'
    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)  # who started it: the only one who reads it
    # The organization the job is about (None: a parent's export of a child kept at home); key_id seals the result.
    org_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id", index=True)
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    state: str = Field(default="running", max_length=10)  # running | done | failed
    done: int = 0
    total: int = 0
    # What the job needs to run and to show (ids, language, counts, the download's name): no personal data.
    params: dict = Field(default_factory=dict, sa_type=sa.JSON)
    child_ids: list = Field(default_factory=list, sa_type=sa.JSON)  # str UUIDs of the children in the result
    mimetype: str = Field(default="application/octet-stream", max_length=60)
    result_ct: bytes | None = sealed_field()
    created_at: dt.datetime = created_field()
    finished_at: dt.datetime | None = time_field()
    expires_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    # The queue's bookkeeping: runs begun, and the last sign of life of the run in progress (None: waiting in the
    # queue). A heartbeat silent for three beats means its consumer died: the job is queued again or failed.
    attempts: int = 0
    heartbeat_at: dt.datetime | None = time_field()
