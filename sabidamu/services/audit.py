"""Writing audit events, in the caller's transaction, without a global lock (docs/audit.md).

`record` inserts one row: its fields, and an HMAC-SHA256 of its canonical leaf bytes under a key kept
outside the database (SABIDAMU_AUDIT_MAC_KEY). Nothing else is read or locked: the sequencer
(sabidamu.services.audit_log) later gives committed events their place in the Merkle tree. An event of a
request that rolls back is never committed, so it never reaches the tree.

`seq` is insertion order: a PostgreSQL identity (no lock); on SQLite, where write transactions already
run one at a time (BEGIN IMMEDIATE, see sabidamu.db), max + 1.
"""
from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from ..audit.chain import AuditRecord
from ..audit.event import event_bytes, event_mac
from ..db import ensure_write_transaction
from ..models import AuditEvent
from ..models.base import utcnow
from ..models.enums import Role

_MAC_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TABLE = AuditEvent.__table__


def set_mac_key(engine: sa.Engine, key: bytes) -> None:
    """Called by create_app: the MAC key for events written through this engine."""
    if len(key) < 32:
        raise ValueError("the audit MAC key must hold at least 32 bytes")
    _MAC_KEYS[engine] = bytes(key)


def mac_key_for(db: Session) -> bytes:
    bind = db.get_bind()
    engine = getattr(bind, "engine", bind)
    try:
        return _MAC_KEYS[engine]
    except KeyError:
        raise RuntimeError("no audit MAC key for this database engine (create_app sets it)") from None


def _str(value) -> str | None:
    return None if value is None else str(value)


def to_record(row: AuditEvent) -> AuditRecord:
    """A v1 (hash chain) row as a chain record."""
    return AuditRecord(seq=row.seq, event_id=str(row.id), at=row.at, actor_id=_str(row.actor_id),
                       actor_role=row.actor_role, org_id=_str(row.org_id), action=row.action,
                       object_type=row.object_type, object_id=_str(row.object_id), detail=dict(row.detail or {}))


def row_bytes(row) -> bytes:
    """Canonical leaf bytes of a stored v2 row (an AuditEvent or a result row with the same names)."""
    return event_bytes(event_id=str(row.id), at=row.at, action=row.action, actor_id=_str(row.actor_id),
                       actor_role=row.actor_role, org_id=_str(row.org_id), object_type=row.object_type,
                       object_id=_str(row.object_id), detail=row.detail or {}, check=False)


def _role(actor, role: str | None) -> str | None:
    if role is None and actor is not None:
        role = Role.ADMIN if getattr(actor, "is_admin", False) else getattr(actor, "acting_role", None)
    return _plain(role)


def _plain(value):
    """Plain str for a str subclass (Role, ConsentPurpose, ...: the canonical event form takes exact types only)."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _values(key: bytes, actor, action: str, role, org_id, object_type, object_id, detail, at) -> dict[str, Any]:
    values = {"id": uuid.uuid4(), "at": at, "actor_id": getattr(actor, "id", None), "actor_role": role,
              "org_id": org_id, "action": action, "object_type": object_type, "object_id": object_id,
              "detail": _plain(dict(detail or {}))}
    data = event_bytes(event_id=str(values["id"]), at=at, action=action, actor_id=_str(values["actor_id"]),
                       actor_role=role, org_id=_str(org_id), object_type=object_type,
                       object_id=_str(object_id), detail=values["detail"])
    values["mac"] = event_mac(key, data)
    return values


_INSERT = sa.insert(_TABLE)


def _insert(db: Session, rows: list[dict[str, Any]]) -> None:
    # Core execution on the session's connection (same transaction): no ORM machinery per event.
    conn = db.connection()
    if conn.dialect.name == "sqlite":  # one writer at a time: max + 1 is safe here
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(_TABLE.c.seq), 0))).scalar_one()
        for offset, row in enumerate(rows, start=1):
            row["seq"] = top + offset
    conn.execute(_INSERT, rows[0] if len(rows) == 1 else rows)  # one row: no executemany


class Recorded(SimpleNamespace):
    """The event as written (id, at, actor_id, actor_role, org_id, action, object_type, object_id, detail, mac):
    a plain read-only record, not an ORM object (building one per event cost more than the INSERT)."""


def record(db: Session, actor, action: str, *, role: str | None = None, org_id: uuid.UUID | None = None,
           object_type: str | None = None, object_id: uuid.UUID | None = None,
           detail: dict[str, Any] | None = None) -> Recorded:
    """Append one event; the caller commits (so the event lands with the change it describes)."""
    ensure_write_transaction(db)
    values = _values(mac_key_for(db), actor, action, _role(actor, role), org_id, object_type, object_id, detail,
                     utcnow())
    if db.new or db.dirty or db.deleted:
        db.flush()  # the ORM's pending changes first, in order
    _insert(db, [values])
    return Recorded(**values)


def record_many(db: Session, actor, action: str, *, object_ids: Iterable[uuid.UUID], role: str | None = None,
                org_id: uuid.UUID | None = None, object_type: str | None = None,
                detail: dict[str, Any] | None = None) -> int:
    """One event per object (e.g. each child shown on a list page) in one INSERT; returns the count."""
    ensure_write_transaction(db)
    key, role, at = mac_key_for(db), _role(actor, role), utcnow()
    rows = [_values(key, actor, action, role, org_id, object_type, oid, detail, at) for oid in object_ids]
    if rows:
        if db.new or db.dirty or db.deleted:
            db.flush()
        _insert(db, rows)
    return len(rows)
