"""Engine and per-request session. SQLite runs in WAL mode with foreign keys on; PostgreSQL via psycopg 3.

SQLite: a transaction that reads and then writes can fail with SQLITE_BUSY when another process wrote in
between, and the busy timeout does not help then. Transactions therefore begin IMMEDIATE (taking the write
lock at once) whenever `writing()` is in force: for every request that is not a GET/HEAD, and for the
short transactions that append audit events of a view.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, g
from sqlmodel import Session

from .config import REPO_ROOT

_immediate = contextvars.ContextVar("sabidamu_sqlite_immediate", default=False)


def dialect_insert(db: Session):
    """INSERT with ON CONFLICT for this session's database (PostgreSQL or SQLite): the counts' and marks' upserts."""
    from sqlalchemy.dialects import postgresql, sqlite
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def set_writing(flag: bool) -> None:
    _immediate.set(flag)


def _private_sqlite_file(url: str) -> None:
    """The database file is readable by its owner only (0600), made so before SQLite opens it; SQLite gives its
    -wal and -shm files the same mode. An existing file is narrowed too."""
    import os
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.chmod(path + suffix, 0o600)


def make_engine(url: str) -> sa.Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    _private_sqlite_file(url)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

    return engine


def ensure_write_transaction(session: Session) -> None:
    """Before the first write of a request that began as a read (a GET that writes an audit event).

    SQLite cannot safely turn a read transaction into a write one: when another process committed in
    between, the write fails at once with SQLITE_BUSY and the busy timeout does not help. So the read
    transaction ends here and the next one begins IMMEDIATE (waiting its turn for the write lock).
    PostgreSQL needs nothing of this.
    """
    if session.get_bind().dialect.name != "sqlite" or _immediate.get():
        return
    if session.in_transaction():
        session.commit()
    token = _immediate.set(True)
    try:
        session.connection()  # begins the new transaction now, as BEGIN IMMEDIATE
    finally:
        _immediate.reset(token)


def get_db() -> Session:
    """The request's session; the service that writes commits, teardown closes."""
    if "db" not in g:
        g.db = Session(current_app.extensions["sabidamu.engine"], expire_on_commit=False)
    return g.db


def close_db(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@contextmanager
def session_scope(engine: sa.Engine, write: bool = True):
    """For CLI commands, scripts and side transactions: commit on success, roll back on error."""
    token = _immediate.set(write)
    try:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except Exception:
                session.rollback()
                raise
    finally:
        _immediate.reset(token)


def alembic_config(url: str):
    """Alembic's configuration for the migrations of this repository, run against `url`."""
    from alembic.config import Config
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg
