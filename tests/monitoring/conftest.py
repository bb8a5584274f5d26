"""Fixtures of the monitoring tests: a fixed date in Almaty; reads stay deferred between requests."""
from __future__ import annotations

import datetime as dt

import pytest

# Group academic year 2026 (tests/factories.make_group): the start stage is open 1 Sep – 31 Oct 2026.
OPEN_DAY = dt.date(2026, 10, 1)
LATE_DAY = dt.date(2026, 11, 20)
EARLY_DAY = dt.date(2026, 12, 1)  # before the intermediate stage; start is late then
NEXT_YEAR_DAY = dt.date(2027, 10, 1)


@pytest.fixture
def on_day(app):
    """on_day(date): the web layer's "today in Almaty" for the requests that follow."""
    def set_day(day: dt.date):
        app.config["MONITORING_TODAY"] = day
    set_day(OPEN_DAY)
    return set_day


@pytest.fixture(autouse=True)
def _test_reads_stay_deferred(request, monkeypatch):
    """The test client runs requests in the test's own thread, so a POST's "begin immediate" (sabidamu.db)
    would leak into the `db` fixture's next transaction and hold SQLite's write lock between requests.
    (Only for tests with a client: the pure framework tests here need no app.)"""
    if "client" not in request.fixturenames:
        return
    client = request.getfixturevalue("client")
    from sabidamu import db as dbmod
    original = client.open

    def open_(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        finally:
            dbmod.set_writing(False)

    monkeypatch.setattr(client, "open", open_)
