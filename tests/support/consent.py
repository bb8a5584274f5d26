"""Helpers of the consent tests (importable: tests.support.consent)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from sabidamu.models import AuditEvent


def actions(db) -> list[str]:
    db.rollback()  # see what other sessions committed
    out = list(db.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all())
    db.rollback()  # and hold no transaction (after a POST through the test client it may begin IMMEDIATE)
    return out


def count(db, model) -> int:
    db.rollback()
    out = db.exec(sa.select(sa.func.count()).select_from(model)).one()[0]
    db.rollback()
    return out


def post(client, url: str, data: dict | None = None):
    """POST through the test client, then undo what the request left in this thread's context: the app marks a
    POST as writing (SQLite BEGIN IMMEDIATE), and the test client runs the request in the test's own context,
    so the db fixture's next transaction would otherwise take the write lock and block the next request."""
    from sabidamu.db import set_writing
    try:
        return client.post(url, data=data or {})
    finally:
        set_writing(False)


def t(app, text: str, **params) -> str:
    """`text` as the pages show it (in the default language, HTML-escaped like Jinja does)."""
    from flask_babel import gettext
    from markupsafe import escape
    with app.test_request_context("/"):
        return str(escape(gettext(text, **params)))


def msg(app, code: str) -> str:
    from markupsafe import escape

    from sabidamu.services import ServiceError
    from sabidamu.web.messages import service_message
    with app.test_request_context("/"):
        return str(escape(service_message(ServiceError(code))))
