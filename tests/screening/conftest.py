"""Screening web tests: the app reads the small fixture instruments (tests/instruments/fixtures), copied
to a temporary folder, so these tests do not depend on the real content being finished."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sabidamu.instruments import add_months_clamped

FIXTURES = Path(__file__).parents[1] / "instruments" / "fixtures"


def copy_instruments(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for source in FIXTURES.glob("*.yaml"):
        shutil.copy(source, target / source.name)
    return target


@pytest.fixture
def app(environ, tmp_path):
    from sabidamu import create_app
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "INSTRUMENTS_DIR": str(copy_instruments(tmp_path / "instruments"))}, environ=environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()


def born_months_ago(months: int, days: int = 10, today: dt.date | None = None) -> dt.date:
    """A birth date giving the age `months` m `days` d today (the calendar rule of the engine)."""
    today = today or dt.date.today()
    birth = add_months_clamped(today, -months) - dt.timedelta(days=days)
    return birth
