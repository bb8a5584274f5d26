"""Fixtures of the API tests: the world, BINs, and an API client of org1 (and one of org2) with a token."""
from __future__ import annotations

import base64
import datetime as dt
from types import SimpleNamespace

import pytest

from sabidamu.models.api import API_SCOPES
from sabidamu.services.api.clients import create_client

OPEN_DAY = dt.date(2026, 10, 1)  # the start stage of academic year 2026 is open (tests/monitoring/conftest.py)


@pytest.fixture(autouse=True)
def _reads_stay_deferred(request, monkeypatch):
    """As in tests/monitoring: a request's BEGIN IMMEDIATE must not leak into the `db` fixture's transaction."""
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


@pytest.fixture
def api(app, client, db, world):
    """`api.new(org, scopes)` registers a client and returns (client_id, secret); `api.token(...)` gets a token;
    `api.get/put(path, token, **kw)` call with it. Ready: `api.org1` (every scope) and `api.org2` (every scope)."""
    app.config["MONITORING_TODAY"] = OPEN_DAY
    world.orgs["org1"].bin, world.orgs["org2"].bin = "990140001111", "990140002222"
    db.commit()

    def new(org="org1", scopes=API_SCOPES, name="Regional system"):
        made = create_client(db, None, world.orgs[org].id, list(scopes), name)
        db.commit()
        return str(made.client.id), made.secret

    def token(client_id, secret, scope=None):
        data = {"grant_type": "client_credentials"}
        if scope:
            data["scope"] = scope
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        r = client.post("/api/v1/oauth/token", data=data, headers={"Authorization": f"Basic {basic}"})
        assert r.status_code == 200, r.get_data(as_text=True)
        return r.json["access_token"]

    def call(method, path, tok, lang="kk", **kw):
        headers = {"Accept-Language": lang, **kw.pop("headers", {})}
        if tok:
            headers["Authorization"] = f"Bearer {tok}"
        return client.open(path, method=method, headers=headers, **kw)

    ns = SimpleNamespace(new=new, token=token, get=lambda p, t, **kw: call("GET", p, t, **kw),
                         post=lambda p, t, **kw: call("POST", p, t, **kw))
    ns.org1 = token(*new("org1"))
    ns.org2 = token(*new("org2"))
    return ns
