"""Readiness: may a load balancer send this node requests? Each check says ok and a short reason,
never any row content."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from ..crypto.keyring import KeyringError, unwrap_data_key
from ..models import DataKey


def _database(engine: sa.Engine) -> dict:
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return {"ok": False, "detail": type(exc).__name__}
    return {"ok": True}


def _migrations(engine: sa.Engine) -> dict:
    from alembic.script import ScriptDirectory

    from ..db import alembic_config
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    heads = set(script.get_heads())
    try:
        with engine.connect() as conn:
            current = {row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    except sa.exc.SQLAlchemyError:
        return {"ok": False, "detail": "no migration applied"}
    if current == heads:
        return {"ok": True}
    known = {rev.revision for rev in script.walk_revisions()}
    if current and not current & known:
        # A rolling deploy (docs/deployment.md): the database already has a newer, additive migration this
        # node's code does not know. The old code keeps serving until its node is replaced.
        return {"ok": True, "detail": f"database at {sorted(current)}, newer than this code ({sorted(heads)})"}
    return {"ok": False, "detail": f"database at {sorted(current)}, code expects {sorted(heads)}"}


def _keys(engine: sa.Engine, keyring) -> dict:
    """The master key file is loaded and opens a data key of this database (a wrong key file fails here)."""
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(DataKey.id, DataKey.wrapped, DataKey.master_key_id).limit(1)).first()
    except sa.exc.SQLAlchemyError as exc:
        return {"ok": False, "detail": type(exc).__name__}
    if row is not None:
        try:
            unwrap_data_key(keyring.master, row.id, row.wrapped, row.master_key_id)
        except (KeyringError, ValueError, Exception) as exc:  # InvalidTag from a wrong master key
            return {"ok": False, "detail": f"master key does not open data keys ({type(exc).__name__})"}
    return {"ok": True}


def _queue(app: Flask) -> dict:
    probe = app.extensions.get("sabidamu.queue_probe")
    if probe is None:
        return {"ok": True, "detail": "background work runs in the app process"}
    return probe()


def readiness(app: Flask) -> dict[str, dict]:
    engine = app.extensions["sabidamu.engine"]
    return {
        "database": _database(engine),
        "migrations": _migrations(engine),
        "keys": _keys(engine, app.extensions["sabidamu.keyring"]),
        "queue": _queue(app),
    }
