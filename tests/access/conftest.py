"""Fixtures of the access tests: a fixed day in Almaty; reads stay deferred between requests."""
from __future__ import annotations

import datetime as dt

import pytest

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
