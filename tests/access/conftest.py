"""Fixtures of the access-hardening tests (issue 10): signing in as a world user, a fixed day in Almaty."""
from __future__ import annotations

import datetime as dt

import pytest

from sabidamu.models import User
from sabidamu.services.auth import find_user, start_session

OPEN_DAY = dt.date(2026, 10, 1)  # the start stage of a 2026 group (tests/factories.make_group) is open


@pytest.fixture
def on_day(app):
    app.config["MONITORING_TODAY"] = OPEN_DAY


@pytest.fixture(autouse=True)
def _test_reads_stay_deferred(client, monkeypatch):
    """The test client runs requests in the test's thread: a POST's "begin immediate" (sabidamu.db) must not leak
    into the `db` fixture's next transaction and hold SQLite's write lock between requests."""
    from sabidamu import db as dbmod
    original = client.open

    def open_(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        finally:
            dbmod.set_writing(False)

    monkeypatch.setattr(client, "open", open_)


@pytest.fixture
def sign_in(client, db):
    def as_(name: str):
        db.rollback()  # end any read: its snapshot may predate the requests made since
        user = find_user(db, f"{name.lower()}@example.kz")
        token = start_session(db, user)
        with client.session_transaction() as s:
            s["sid"] = token
        return user
    return as_


def user(db, name: str) -> User:
    return find_user(db, f"{name.lower()}@example.kz")
