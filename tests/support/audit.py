"""Reading the audit log in tests, and running the `flask audit ...` commands.

    audit_events(db, "card.view")                 the events of one action, oldest first
    audit_events(db, object_id=child.id)          the events about one object (a child, a card...)
    run_cli(app, "audit", "verify")               (exit code, output) of a flask command
    add_events(app, 6)                            six system events, each in its own transaction"""
from __future__ import annotations

from sqlmodel import select

from sabidamu.models import AuditEvent


def audit_events(db, action: str | None = None, *, object_id=None) -> list[AuditEvent]:
    """Ends the session's transaction before reading (to see what requests committed since) and after (to hold
    no lock while the test's next request writes)."""
    db.commit()
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    rows = list(db.exec(query).all())
    for row in rows:
        db.expunge(row)  # plain values: reading them later starts no transaction
    db.commit()
    return rows


def run_cli(app, *args) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def add_events(app, n: int = 6) -> None:
    from sabidamu.db import session_scope
    from sabidamu.services.audit import record
    with session_scope(app.extensions["sabidamu.engine"]) as s:
        for i in range(n):
            record(s, None, "test.event", role="system", detail={"i": i})
            s.commit()
