"""API clients of one region (issue 16 item 2): analytics:read only, registered by the platform admin or the operator.

World: org1 (groups A, B; child A) and org2 (group C; child C) are both in Astana (KZ-71); a test that needs an
organization of another region moves org2 to Almaty (KZ-75)."""
from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import pytest
from sqlmodel import select

from sabidamu.models import AuditEvent, Membership
from sabidamu.models.api import API_SCOPES, ApiClient
from sabidamu.services import AccessDenied, NotFound, ServiceError
from sabidamu.services.api import clients as svc
from tests.support.i18n import t

COUNTS = "/api/v1/analytics/counts"
PROBLEM = "application/problem+json"


def _token(client, client_id, secret):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"},
                    headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["access_token"]


def _get(client, path, tok, lang="kk"):
    return client.get(path, headers={"Authorization": f"Bearer {tok}", "Accept-Language": lang})


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["api", "client", *args], catch_exceptions=False)


@pytest.fixture
def region_token(app, client, db, world):
    """A token of a client of Astana (KZ-71) with analytics:read."""
    app.config["MONITORING_TODAY"] = dt.date(2026, 10, 1)  # the start stage of 2026 is open
    made = svc.create_region_client(db, None, "KZ-71", ["analytics:read"], "Astana regional system")
    db.commit()
    return _token(client, made.client.id, made.secret)


def test_region_client_reads_its_region_and_each_district(client, db, world, region_token):
    world.orgs["org1"].district = "KZ-71-ESL"
    db.commit()
    region = _get(client, f"{COUNTS}?academic_year=2026&stage=start", region_token, lang="ru")
    assert region.status_code == 200, region.get_data(as_text=True)
    assert region.json["region"] == "KZ-71" and region.json["district"] is None
    assert region.json["area_name"] == "город Астана"
    district_rows = {row["id"] for table in region.json["tables"] for row in table["rows"] if row["kind"] == "district"}
    assert "KZ-71-ESL" in district_rows
    one = _get(client, f"{COUNTS}?academic_year=2026&district=kz-71-esl", region_token)
    assert one.status_code == 200, one.get_data(as_text=True)
    assert one.json["district"] == "KZ-71-ESL"
    org_rows = {row["id"] for table in one.json["tables"] for row in table["rows"] if row["kind"] == "org"}
    assert org_rows == {str(world.orgs["org1"].id)}
    # Audited as the client, with no organization: the area is in the detail.
    db.rollback()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "api.analytics")).all()
    assert len(events) == 2 and all(e.org_id is None for e in events)
    assert {e.detail["district"] for e in events} == {None, "KZ-71-ESL"}
    token_event = db.exec(select(AuditEvent).where(AuditEvent.action == "api.token")).one()
    assert token_event.org_id is None and token_event.detail["region"] == "KZ-71"


def test_another_regions_district_is_forbidden_an_unknown_one_invalid(app, client, region_token):
    other = _get(client, f"{COUNTS}?district=KZ-75-MED", region_token, lang="ru")
    assert other.status_code == 403 and other.mimetype == PROBLEM
    assert other.json["title"] == t(app, "Access to this object is not allowed", "ru")
    unknown = _get(client, f"{COUNTS}?district=KZ-71-XYZ", region_token)
    assert unknown.status_code == 422 and unknown.mimetype == PROBLEM and unknown.json["reason"] == "unknown_district"


def _every_other_endpoint(client, tok, world, org):
    """Every non-analytics operation of the API with `org`'s ids ("org1" or "org2")."""
    group, child = (world.groups["A"], world.children["A"]) if org == "org1" else (world.groups["C"], world.children["C"])
    headers = {"Authorization": f"Bearer {tok}", "Accept-Language": "kk"}
    from sabidamu.services.monitoring import framework
    fw = framework()
    skill_group = fw.skill_group_ids[0]
    levels = {"skill_group": skill_group, "version": 0, "levels": {fw.skills("preschool", skill_group)[0].id: 2}}
    return {
        "groups": client.get("/api/v1/groups", headers=headers),
        "roster": client.get(f"/api/v1/groups/{group.id}/children", headers=headers),
        "card": client.get(f"/api/v1/children/{child.id}/card", headers=headers),
        "stage": client.get(f"/api/v1/children/{child.id}/stages/start", headers=headers),
        "levels": client.post(f"/api/v1/children/{child.id}/stages/start", headers=headers, json=levels),
        "export": client.post(f"/api/v1/children/{child.id}/sdcard", headers=headers,
                              json={"to_org_id": str(world.orgs[org].id)}),
        "import": client.post("/api/v1/imports", headers=headers, data=b"x",
                              content_type="application/vnd.sabidamu.sdcard"),
    }


@pytest.mark.parametrize("org", ["org1", "org2"])
def test_every_other_endpoint_refuses_a_region_client(client, db, world, region_token, org):
    if org == "org2":
        world.orgs["org2"].region = "KZ-75"  # an organization of another region
        db.commit()
    for name, response in _every_other_endpoint(client, region_token, world, org).items():
        assert response.status_code == 403, (name, response.get_data(as_text=True))
        assert response.mimetype == PROBLEM, name


@pytest.mark.parametrize("org", ["org1", "org2"])
def test_a_region_client_holding_every_scope_is_still_refused(client, db, world, org):
    """Defence in depth: even a region client whose row somehow holds every scope (written here past the service)
    gets nothing but counts, because its service account has no membership and access.py refuses it."""
    made = svc.create_region_client(db, None, "KZ-71", ["analytics:read"], "Tampered")
    made.client.scopes = list(API_SCOPES)
    db.add(made.client)
    db.commit()
    tok = _token(client, made.client.id, made.secret)
    for name, response in _every_other_endpoint(client, tok, world, org).items():
        assert response.status_code == 403, (name, response.get_data(as_text=True))
    assert _get(client, COUNTS, tok).status_code == 200


def test_only_analytics_read_and_a_known_region(app, db, world):
    with pytest.raises(ServiceError) as refused:
        svc.create_region_client(db, None, "KZ-71", ["analytics:read", "cards:read"], "Too much")
    assert refused.value.code == "api_region_scope" and refused.value.field == "scopes"
    db.rollback()
    for region in ("KZ-99", "", "Atlantis"):
        with pytest.raises(ServiceError) as unknown:
            svc.create_region_client(db, None, region, ["analytics:read"], "Nowhere")
        assert unknown.value.code == "unknown_region"
        db.rollback()
    assert db.exec(select(ApiClient).where(ApiClient.region.is_not(None))).all() == []
    # The refusal reads in the user's language.
    assert "analytics:read" in t(app, "A region's client may only read the analytics counts (analytics:read). Cards, "
                                      "rosters and levels are given to a client of each organization, registered by "
                                      "its head.", "kk")
    # A name by which areas knows the region is stored as its code.
    made = svc.create_region_client(db, None, "Алматы", ["analytics:read"], "")
    assert made.client.region == "KZ-75" and made.client.org_id is None and made.client.name == "API client"
    assert db.exec(select(Membership).where(Membership.user_id == made.client.user_id)).all() == []


def test_a_head_neither_registers_nor_revokes_nor_lists_region_clients(client, db, sign_in, world):
    head = world.users["head1"]
    with pytest.raises(AccessDenied):
        svc.create_region_client(db, head, "KZ-71", ["analytics:read"], "Mine")
    db.rollback()
    made = svc.create_region_client(db, world.users["admin"], "KZ-71", ["analytics:read"], "The admin's")
    with pytest.raises(AccessDenied):
        svc.revoke_client(db, head, made.client.id)
    db.rollback()
    with pytest.raises(AccessDenied):
        svc.region_clients(db, head)
    # Nor through the organization's page: a region client is no organization's (404 there).
    with pytest.raises(NotFound):
        svc.revoke_client(db, head, made.client.id, world.orgs["org1"].id)
    db.rollback()
    assert svc.clients_of(db, head, world.orgs["org1"].id) == []
    sign_in("head1")
    assert client.get("/admin/api-clients").status_code == 403
    assert client.post("/admin/api-clients", data={"name": "X", "region": "KZ-71"}).status_code == 403
    assert client.post(f"/admin/api-clients/{made.client.id}/revoke").status_code == 403
    assert client.post(f"/orgs/{world.orgs['org1'].id}/api-clients/{made.client.id}/revoke").status_code == 404
    db.rollback()
    assert db.get(ApiClient, made.client.id).revoked_at is None
    assert db.exec(select(ApiClient).where(ApiClient.created_by == head.id)).all() == []


def test_cli_creates_a_region_client_and_revoke_ends_its_token(app, client, db, world):
    result = _cli(app, "create", "--region", "KZ-71", "--scope", "analytics:read", "--name", "Астана өңірі")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"client_id", "client_secret"}
    row = db.get(ApiClient, uuid.UUID(out["client_id"]))
    assert row.region == "KZ-71" and row.org_id is None and row.scopes == ["analytics:read"]
    assert out["client_secret"] not in row.secret_hash
    r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", **out})
    assert r.status_code == 200 and r.json["scope"] == "analytics:read"
    token = r.json["access_token"]
    assert _get(client, COUNTS, token).status_code == 200
    result = _cli(app, "revoke", out["client_id"])
    assert result.exit_code == 0 and "revoked" in result.output
    assert _get(client, COUNTS, token).status_code == 401
    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "api.client.revoke")).one()
    assert event.org_id is None and event.detail == {"region": "KZ-71"} and event.actor_id is None


def test_cli_wants_exactly_one_area_and_refuses_other_scopes(app, world):
    org = str(world.orgs["org1"].id)
    both = _cli(app, "create", "--org", org, "--region", "KZ-71", "--scope", "analytics:read")
    assert both.exit_code == 2 and "exactly one of --org or --region" in both.output
    neither = _cli(app, "create", "--scope", "analytics:read")
    assert neither.exit_code == 2 and "exactly one of --org or --region" in neither.output
    cards = _cli(app, "create", "--region", "KZ-71", "--scope", "cards:read")
    assert cards.exit_code == 1 and "api_region_scope" in cards.output
    nowhere = _cli(app, "create", "--region", "KZ-99", "--scope", "analytics:read")
    assert nowhere.exit_code == 1 and "unknown_region" in nowhere.output


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_admin_registers_a_region_client_and_sees_the_secret_once(app, client, db, sign_in, world, lang):
    sign_in("admin")
    headers = {"Accept-Language": lang}
    page = client.get("/admin/api-clients", headers=headers)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert t(app, "API clients of regions", lang) in text and t(app, "No clients yet.", lang) in text
    assert t(app, "API clients of regions", lang) != "API clients of regions"
    # The admin's home page and menu lead here.
    assert "/admin/api-clients" in client.get("/admin/", headers=headers).get_data(as_text=True)

    bad = client.post("/admin/api-clients", data={"name": "Өңірлік жүйе", "region": "KZ-99"}, headers=headers)
    assert bad.status_code == 422
    bad_text = bad.get_data(as_text=True)
    assert t(app, "Unknown region: enter its code, for example KZ-75, or its name.", lang) in bad_text
    assert "Өңірлік жүйе" in bad_text  # what was typed stays

    made = client.post("/admin/api-clients", data={"name": "Астана", "region": "kz-71"}, headers=headers)
    assert made.status_code == 200
    db.rollback()
    row = db.exec(select(ApiClient).where(ApiClient.region == "KZ-71")).one()
    assert row.scopes == ["analytics:read"] and row.org_id is None and row.created_by == world.users["admin"].id
    shown = made.get_data(as_text=True)
    assert t(app, "Copy the secret now: it is shown only once.", lang) in shown and str(row.id) in shown
    secret = shown.split("client_secret: <code>")[1].split("</code>")[0]
    assert svc._sha(secret) == row.secret_hash
    again = client.get("/admin/api-clients", headers=headers).get_data(as_text=True)
    assert secret not in again and str(row.id) in again and "Астана" in again
    assert ("Астана қаласы" if lang == "kk" else "город Астана") in again

    # An organization's client is not revoked from this page; the region's is.
    org_client = svc.create_client(db, None, world.orgs["org1"].id, ["roster:read"], "Org")
    db.commit()
    assert client.post(f"/admin/api-clients/{org_client.client.id}/revoke").status_code == 404
    r = client.post(f"/admin/api-clients/{row.id}/revoke", headers=headers)
    assert r.status_code == 302
    db.rollback()
    db.expire_all()  # `row` was read before the commit above: read it again
    assert db.get(ApiClient, row.id).revoked_at is not None
    assert db.get(ApiClient, org_client.client.id).revoked_at is None


def test_admin_menu_has_the_region_clients(client, sign_in, world):
    sign_in("admin")
    page = client.get("/admin/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert page.count('href="/admin/api-clients"') >= 2  # the menu and the page's own button


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_api_description_and_page_explain_region_clients(app, client, lang):
    document = client.get("/api/v1/openapi.json").json
    assert "region client holds only the scope analytics:read" in document["info"]["description"]
    assert "region client" in document["paths"]["/api/v1/analytics/counts"]["get"]["description"]
    page = client.get("/api/v1/docs", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert t(app, "A client of a region", lang) in page
    assert "analytics:read" in page and t(app, "A client of a region", lang) != "A client of a region"
