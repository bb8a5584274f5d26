"""Shared fixtures: an isolated database per test (SQLite file copy or PostgreSQL truncate), the app, a client,
and an autouse guard that fails any outbound network connection."""
from __future__ import annotations

import base64
import os
import shutil
import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import sabidamu.models  # noqa: F401

TEST_DB = os.environ.get("SABIDAMU_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("SABIDAMU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MASTER_KEYS = "mk-test1:" + base64.b64encode(b"\x11" * 32).decode()
BLIND_KEY = base64.b64encode(b"\x22" * 32).decode()
AUDIT_MAC_KEY = base64.b64encode(b"\x33" * 32).decode()
CI = os.environ.get("CI") == "true"


def need_tool(name: str) -> str:
    """Path of a Debian tool; without it the test skips loudly (fails under CI, where it must be there)."""
    path = shutil.which(name)
    if path is None:
        message = f"'{name}' is not installed: run `make test` as root (it installs it) or `apt-get install {name}`"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        return _real_connect(self, address)
    if self.family == getattr(socket, "AF_UNIX", None):
        return _real_connect(self, address)
    raise RuntimeError(f"tests must not use the network (tried to connect to {address!r})")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Creates the schema once per run; yields a function giving each test a fresh database URL."""
    if TEST_DB == "postgresql":
        name = f"sabidamu_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        engine = sa.create_engine(url)
        SQLModel.metadata.create_all(engine)
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)

        def fresh(_tmp: Path) -> str:
            with engine.begin() as c:
                c.exec_driver_sql(f"TRUNCATE {tables} CASCADE")
            return url

        yield fresh
        engine.dispose()
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        return
    template = tmp_path_factory.mktemp("dbtemplate") / "template.sqlite3"
    engine = sa.create_engine(f"sqlite:///{template}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()

    def fresh(tmp: Path) -> str:
        target = tmp / "test.sqlite3"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    yield fresh


@pytest.fixture
def environ(tmp_path, database_template) -> dict:
    return {
        "SABIDAMU_ENV": "development",
        "SABIDAMU_INSTANCE_DIR": str(tmp_path / "instance"),
        "SABIDAMU_DATABASE_URL": database_template(tmp_path),
        "SABIDAMU_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SABIDAMU_MASTER_KEYS": MASTER_KEYS,
        "SABIDAMU_BLIND_INDEX_KEY": BLIND_KEY,
        "SABIDAMU_AUDIT_MAC_KEY": AUDIT_MAC_KEY,
    }


@pytest.fixture
def app(environ):
    from sabidamu import create_app
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, environ=environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    # No app context here: requests made by the test client must each get their own (and their own `g`).
    from sabidamu.db import session_scope
    # Deferred transactions (write=False): the fixture must not hold SQLite's write lock while the app works.
    with session_scope(app.extensions["sabidamu.engine"], write=False) as session:
        yield session


@pytest.fixture
def keyring(app):
    return app.extensions["sabidamu.keyring"]


@pytest.fixture
def world(app, db, keyring):
    from tests.factories import build_world
    return build_world(db, keyring)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "database_template" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
