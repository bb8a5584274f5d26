"""`flask api client create/revoke` and the head's page of API clients."""
from __future__ import annotations

import json
import uuid

from sqlmodel import select

from sabidamu.models import AuditEvent, Membership
from sabidamu.models.api import ApiClient


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["api", "client", *args], catch_exceptions=False)


def test_cli_create_prints_the_secret_once_and_revoke_ends_it(app, client, db, world):
    org = world.orgs["org1"]
    result = _cli(app, "create", "--org", str(org.id), "--scope", "roster:read", "--scope", "cards:read",
                  "--name", "Астана өңірі")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"client_id", "client_secret"}
    row = db.get(ApiClient, uuid.UUID(out["client_id"]))
    assert row.scopes == ["roster:read", "cards:read"] and out["client_secret"] not in row.secret_hash
    r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", **out})
    assert r.status_code == 200 and r.json["scope"] == "roster:read cards:read"
    token = r.json["access_token"]
    result = _cli(app, "revoke", out["client_id"])
    assert result.exit_code == 0 and "revoked" in result.output
    r = client.get("/api/v1/groups", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    db.rollback()
    assert db.exec(select(Membership).where(Membership.user_id == row.user_id)).all() == []


def test_cli_refuses_an_unknown_scope_and_org(app, world):
    result = _cli(app, "create", "--org", str(world.orgs["org1"].id), "--scope", "everything")
    assert result.exit_code == 1 and "api_bad_scope" in result.output
    result = _cli(app, "create", "--org", str(uuid.uuid4()), "--scope", "roster:read")
    assert result.exit_code == 1 and "no organization" in result.output


def test_head_registers_and_revokes_on_the_page(client, db, sign_in, world):
    org = world.orgs["org1"]
    sign_in("head1")
    page = client.get(f"/orgs/{org.id}/api-clients", headers={"Accept-Language": "ru"})
    assert page.status_code == 200 and "Клиентов пока нет." in page.get_data(as_text=True)
    r = client.post(f"/orgs/{org.id}/api-clients", data={"name": "НОБД", "scopes": ["cards:read"]})
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    row = db.exec(select(ApiClient).where(ApiClient.org_id == org.id)).one()
    assert str(row.id) in text and "client_secret" in text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "api.client.create")).one()
    assert event.actor_id == world.users["head1"].id and event.object_id == row.id
    r = client.post(f"/orgs/{org.id}/api-clients/{row.id}/revoke")
    assert r.status_code == 302
    db.rollback()
    assert db.get(ApiClient, row.id).revoked_at is not None


def test_page_keeps_the_name_and_says_what_is_missing(client, sign_in, world):
    sign_in("head1")
    r = client.post(f"/orgs/{world.orgs['org1'].id}/api-clients", data={"name": "Өңірлік жүйе"})
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Кемінде бір рұқсатты таңдаңыз." in text and 'value="Өңірлік жүйе"' in text


def test_another_orgs_client_cannot_be_revoked_from_this_page(client, db, sign_in, world, api):
    client_id, _ = api.new("org2")
    sign_in("head1")
    r = client.post(f"/orgs/{world.orgs['org1'].id}/api-clients/{client_id}/revoke")
    assert r.status_code == 404
    db.rollback()
    assert db.get(ApiClient, uuid.UUID(client_id)).revoked_at is None


def test_overview_and_staff_pages_still_open_with_a_client(client, sign_in, world, api):
    sign_in("head1")
    org = world.orgs["org1"]
    overview = client.get(f"/orgs/{org.id}")
    assert overview.status_code == 200 and f"/orgs/{org.id}/api-clients" in overview.get_data(as_text=True)
    assert client.get(f"/orgs/{org.id}/staff").status_code == 200
