"""Screening web tests: the app reads the small fixture instruments (tests/instruments/fixtures), copied
to a temporary folder, so these tests do not depend on the real content being finished."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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

