"""/healthz, /readyz, /metrics and the JSON request log: what an operator sees, and that none of it
carries personal data or needs a session."""
from __future__ import annotations

import base64
import json
import logging

import pytest
from alembic import command

from sabidamu import create_app
from sabidamu.db import alembic_config
from tests.support.auth import sign_in_with_password


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_refuses_a_database_without_migrations(client):
    # The test database is built from the models, not by Alembic: a node on it must not take traffic.
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"]["ok"] is False


@pytest.fixture
def migrated_environ(environ, tmp_path):
    from tests.conftest import TEST_DB
    if TEST_DB == "postgresql":
        pytest.skip("the migrated-database readiness check runs on SQLite (Alembic is tested on both elsewhere)")
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    cfg = alembic_config(url)
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    return {**environ, "SABIDAMU_DATABASE_URL": url}


def test_readyz_ready_on_a_migrated_database_with_its_keys(migrated_environ):
    app = create_app({"TESTING": True}, environ=migrated_environ)
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == "ready"
    finally:
        app.extensions["sabidamu.engine"].dispose()


def test_readyz_reports_a_master_key_that_does_not_open_the_data_keys(migrated_environ):
    from sabidamu.db import session_scope
    from tests.factories import make_org
    app = create_app({"TESTING": True}, environ=migrated_environ)
    with session_scope(app.extensions["sabidamu.engine"]) as db:
        make_org(db, app.extensions["sabidamu.keyring"], "Keyed Org")
        db.commit()
    app.extensions["sabidamu.engine"].dispose()
    other_key = "mk-other:" + base64.b64encode(b"\x33" * 32).decode()
    wrong = create_app({"TESTING": True}, environ={**migrated_environ, "SABIDAMU_MASTER_KEYS": other_key})
    try:
        response = wrong.test_client().get("/readyz")
        assert response.status_code == 503
        keys = response.get_json()["checks"]["keys"]
        assert keys["ok"] is False and "master key" in keys["detail"]
    finally:
        wrong.extensions["sabidamu.engine"].dispose()


def test_metrics_counts_requests_by_endpoint_without_ids(client, world):
    child_id = str(world.children["A"].id)
    sign_in_with_password(client, "parenta@example.kz")
    client.get(f"/children/{child_id}")
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'sabidamu_http_requests_total{endpoint="ops.healthz",method="GET",status="200"}' in text
    assert "sabidamu_http_request_duration_seconds_bucket" in text
    assert child_id not in text and "parenta" not in text


def test_metrics_not_served_to_other_addresses(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 404


def test_metrics_allowed_network_is_configurable(environ):
    app = create_app({"TESTING": True}, environ={**environ, "SABIDAMU_METRICS_ALLOW": "10.0.0.0/8"})
    try:
        c = app.test_client()
        assert c.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 200
        assert c.get("/metrics").status_code == 404  # loopback is no longer in the list
    finally:
        app.extensions["sabidamu.engine"].dispose()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_one_json_log_line_per_request_without_personal_data(client, world):
    sign_in_with_password(client, "parenta@example.kz")
    child_id = str(world.children["A"].id)
    # Attached to the logger itself: an app made without TESTING (in other tests) stops propagation to the root.
    logger = logging.getLogger("sabidamu.request")
    collect, level = _Collect(), logger.level
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    try:
        client.get(f"/children/{child_id}")
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)
    records = collect.records
    assert len(records) == 1
    from sabidamu.observability import JsonLineFormatter
    line = JsonLineFormatter().format(records[0])
    fields = json.loads(line)
    assert set(fields) == {"ts", "level", "request_id", "method", "route", "status", "duration_ms", "user"}
    assert fields["route"] == "/children/<child_id>"
    assert fields["user"] and len(fields["user"]) == 16
    for secret in (child_id, "parenta", "Әлия", str(world.users["parentA"].id)):
        assert secret not in line


def _set_revision(environ, revision):
    import sqlalchemy as sa
    engine = sa.create_engine(environ["SABIDAMU_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


@pytest.mark.parametrize("revision,ready", [("0003", False), ("9999_from_newer_code", True)])
def test_readyz_during_a_rolling_deploy(migrated_environ, revision, ready):
    """A database behind the code is not ready; one a newer release already migrated (a revision this code does
    not know: migrations are additive, docs/deployment.md) keeps the old node serving until it is replaced."""
    _set_revision(migrated_environ, revision)
    app = create_app({"TESTING": True}, environ=migrated_environ)
    try:
        response = app.test_client().get("/readyz")
        migrations = response.get_json()["checks"]["migrations"]
        assert (response.status_code, migrations["ok"]) == ((200, True) if ready else (503, False))
        assert revision in migrations["detail"]
    finally:
        app.extensions["sabidamu.engine"].dispose()
