"""Writing audit events into the hash chain (sabidamu.audit.chain), in the caller's transaction.

Appends are serialized so the chain stays linear: PostgreSQL takes a transaction-scoped advisory
lock; SQLite allows one writer at a time and write transactions begin IMMEDIATE (see sabidamu.db).
"""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from ..db import ensure_write_transaction
from ..audit.chain import GENESIS_HASH, AuditRecord, next_hash
from ..models import AuditEvent
from ..models.base import utcnow

_PG_AUDIT_LOCK = 0x5AB1DA  # any constant shared by all writers


def _str(value) -> str | None:
    return None if value is None else str(value)


def to_record(row: AuditEvent) -> AuditRecord:
    return AuditRecord(seq=row.seq, event_id=str(row.id), at=row.at, actor_id=_str(row.actor_id),
                       actor_role=row.actor_role, org_id=_str(row.org_id), action=row.action,
                       object_type=row.object_type, object_id=_str(row.object_id), detail=dict(row.detail or {}))


def record(db: Session, actor, action: str, *, role: str | None = None, org_id: uuid.UUID | None = None,
           object_type: str | None = None, object_id: uuid.UUID | None = None,
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event; the caller commits (so the event lands with the change it describes)."""
    ensure_write_transaction(db)
    if db.get_bind().dialect.name == "postgresql":
        db.exec(sa.text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=_PG_AUDIT_LOCK))
    db.flush()
    last = db.exec(select(AuditEvent.seq, AuditEvent.chain_hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    if role is None and actor is not None:
        role = "admin" if getattr(actor, "is_admin", False) else getattr(actor, "acting_role", None)
    row = AuditEvent(id=uuid.uuid4(), seq=seq, at=utcnow(), actor_id=getattr(actor, "id", None), actor_role=role,
                     org_id=org_id, action=action, object_type=object_type, object_id=object_id,
                     detail=detail or {})
    row.chain_hash = next_hash(prev, to_record(row))
    db.add(row)
    db.flush()
    return row
