"""Refused attempts in the audit log, without flooding a parent's access log (docs/threat_model.md).

A refusal tied to a child is written as an 'access.denied' event at most once an hour per user and child. The
repeats in between are only counted (models.security.RefusedAttempt); the next event written for that user and
child carries them in `detail.count` (this attempt plus the repeats since the previous event). A refusal tied to
no child is written every time, as before.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Session

from ..db import session_scope
from ..models.base import utcnow
from ..models.security import RefusedAttempt
from .audit import record

WINDOW = dt.timedelta(hours=1)


def record_refusal(db: Session, actor, child_id: uuid.UUID | None, detail: dict) -> bool:
    """Writes the refusal (True) or only counts it (False); the caller commits."""
    actor_id = getattr(actor, "id", None)
    if actor_id is None or child_id is None:
        record(db, actor, "access.denied", object_type="child" if child_id else None, object_id=child_id,
               detail=detail)
        return True
    now = utcnow()
    row = db.get(RefusedAttempt, (actor_id, child_id), with_for_update=True)
    if row is not None:
        logged = row.logged_at if row.logged_at.tzinfo else row.logged_at.replace(tzinfo=dt.UTC)
        if now - logged < WINDOW:
            row.unlogged += 1
            db.add(row)
            return False
    count = 1 + (row.unlogged if row is not None else 0)
    if row is None:
        row = RefusedAttempt(actor_id=actor_id, child_id=child_id)
    row.logged_at, row.unlogged = now, 0
    db.add(row)
    record(db, actor, "access.denied", object_type="child", object_id=child_id, detail={**detail, "count": count})
    return True


def record_denied(engine, actor, child_id: uuid.UUID | None, detail: dict) -> bool:
    """A refused access, audited in its own short transaction (the request's own is rolled back). Commits."""
    with session_scope(engine) as db:
        return record_refusal(db, actor, child_id, detail)
