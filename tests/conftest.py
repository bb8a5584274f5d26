"""Shared fixtures: an isolated database per test (SQLite file copy or PostgreSQL truncate), the app, a client,
and an autouse guard that fails any outbound network connection."""
from __future__ import annotations

import base64
import contextlib
import os
import shutil
import socket
import traceback
import uuid
import weakref
from pathlib import Path
from types import SimpleNamespace

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


# Database connections opened during the run, with where they were opened: at the end of the run the ones still
# open (an engine a test made and never disposed, a connection cut by DROP DATABASE ... WITH FORCE) are closed and
# named, instead of failing the run from a ResourceWarning that psycopg raises when the garbage collector meets them.
_opened: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@sa.event.listens_for(sa.engine.Engine, "connect")
def _track_connection(dbapi_connection, _record):
    with contextlib.suppress(TypeError):  # a driver whose connections cannot be weakly referenced: not tracked
        _opened[dbapi_connection] = "".join(traceback.format_stack(limit=12)[:-1])


def _close_left_open() -> None:
    left = [(conn, where) for conn, where in list(_opened.items()) if not getattr(conn, "closed", True)]
    for conn, _where in left:
        conn.close()
    if left:
        print(f"\n{len(left)} database connection(s) left open by the run; the first was opened at:\n{left[0][1]}")


def pytest_sessionfinish(session):
    _close_left_open()


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
        _close_left_open()  # the connections DROP ... WITH (FORCE) cut, before the garbage collector meets them
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


def _environ(tmp_path: Path, url: str) -> dict:
    return {
        "SABIDAMU_ENV": "development",
        "SABIDAMU_INSTANCE_DIR": str(tmp_path / "instance"),
        "SABIDAMU_DATABASE_URL": url,
        "SABIDAMU_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "SABIDAMU_MASTER_KEYS": MASTER_KEYS,
        "SABIDAMU_BLIND_INDEX_KEY": BLIND_KEY,
        "SABIDAMU_AUDIT_MAC_KEY": AUDIT_MAC_KEY,
    }


@pytest.fixture(scope="session")
def world_database(database_template, tmp_path_factory):
    """Builds the world (tests/factories.build_world) once per run into a template database and records the ids of
    its rows; `fresh(tmp)` gives a test a copy of it (a SQLite file copy; on PostgreSQL the tables are truncated and
    refilled from a snapshot schema). Data keys and TOTP secrets live in the rows, so each copy reads the same."""
    from sabidamu import create_app
    from sabidamu.db import session_scope
    from tests import factories

    where = tmp_path_factory.mktemp("worldtemplate")
    url = database_template(where)
    app = create_app({"TESTING": True}, environ=_environ(where, url))
    engine = app.extensions["sabidamu.engine"]
    before = set(factories._used_iins)
    with session_scope(engine) as session:
        built = factories.build_world(session, app.extensions["sabidamu.keyring"])
        ids = {kind: {name: row.id for name, row in getattr(built, kind).items()} for kind in factories.WORLD_KINDS}
    factories.reserve_iins(factories._used_iins - before)  # later children never take a world child's IIN
    if TEST_DB == "postgresql":
        tables = [t.name for t in SQLModel.metadata.sorted_tables]
        with engine.begin() as c:
            c.exec_driver_sql("DROP SCHEMA IF EXISTS world_snapshot CASCADE")
            c.exec_driver_sql("CREATE SCHEMA world_snapshot")
            filled = [t for t in tables if c.exec_driver_sql(f'SELECT EXISTS (SELECT 1 FROM "{t}")').scalar()]
            for t in filled:
                c.exec_driver_sql(f'CREATE TABLE world_snapshot."{t}" AS TABLE "{t}"')
        engine.dispose()
        refill = sa.create_engine(url)
        copy = "; ".join(f'INSERT INTO "{t}" SELECT * FROM world_snapshot."{t}"' for t in filled)

        def fresh(tmp: Path) -> str:
            fresh_url = database_template(tmp)  # truncates every table
            with refill.begin() as c:
                c.exec_driver_sql("SET LOCAL session_replication_role = replica")  # rows go in as they were
                c.exec_driver_sql(copy)
            return fresh_url
    else:
        engine.dispose()
        world_file = where / "test.sqlite3"

        def fresh(tmp: Path) -> str:
            target = tmp / "test.sqlite3"
            shutil.copyfile(world_file, target)
            return f"sqlite:///{target}"

    yield SimpleNamespace(fresh=fresh, ids=ids)
    if TEST_DB == "postgresql":
        refill.dispose()


@pytest.fixture
def environ(request, tmp_path, database_template) -> dict:
    """The app's settings; a test that uses `world` starts from a copy of the world database."""
    if "world" in request.fixturenames:
        url = request.getfixturevalue("world_database").fresh(tmp_path)
    else:
        url = database_template(tmp_path)
    return _environ(tmp_path, url)


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
def auth(client, db):
    """Signs the test's client in and out (tests/support/auth.py)."""
    from tests.support.auth import AuthActions
    return AuthActions(client, db)


@pytest.fixture
def sign_in(auth):
    """sign_in("head1"): the test's client has a session of that world user (or e-mail, phone, User) at once."""
    return auth.sign_in


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
def world(app, db, world_database):
    """The world's organizations, users, groups and children (tests/factories.build_world), read in the test's
    session from its copy of the world database."""
    from tests.factories import load_world
    return load_world(db, world_database.ids)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "database_template" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
