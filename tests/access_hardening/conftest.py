"""Fixtures of the access-hardening tests (issue 10): signing in as a world user, a fixed day in Almaty."""
from __future__ import annotations

import pytest
from sqlmodel import select

from sabidamu.models import User
from sabidamu.services.auth import start_session
from tests.monitoring_web.conftest import OPEN_DAY, _test_reads_stay_deferred, on_day  # noqa: F401 (fixtures)


@pytest.fixture
def sign_in(client, db):
    def as_(name: str):
        db.rollback()  # end any read: its snapshot may predate the requests made since
        user = db.exec(select(User).where(User.email == f"{name.lower()}@example.kz")).one()
        token = start_session(db, user)
        with client.session_transaction() as s:
            s["sid"] = token
        return user
    return as_


def user(db, name: str) -> User:
    return db.exec(select(User).where(User.email == f"{name.lower()}@example.kz")).one()
