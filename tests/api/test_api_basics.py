"""Tokens, scopes against another organization's ids, withdrawn consent, rate limit, 409, ETag, problem+json."""
from __future__ import annotations

import base64

from sqlmodel import select

from sabidamu.models import AuditEvent
from sabidamu.models.api import ApiClient


def test_token_by_basic_and_by_body(client, api):
    client_id, secret = api.new(scopes=["roster:read"])
    r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                 "client_secret": secret})
    assert r.status_code == 200
    assert r.json["token_type"] == "Bearer" and r.json["scope"] == "roster:read" and r.json["expires_in"] == 600
    assert r.headers["Cache-Control"] == "no-store"


def test_wrong_secret_unknown_client_and_grant(client, api):
    client_id, _secret = api.new()
    basic = base64.b64encode(f"{client_id}:wrong".encode()).decode()
    r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"},
                    headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 401 and r.json == {"error": "invalid_client"}
    r = client.post("/api/v1/oauth/token", data={"grant_type": "password", "client_id": client_id})
    assert r.status_code == 400 and r.json == {"error": "unsupported_grant_type"}
    r = client.post("/api/v1/oauth/token", json={"grant_type": "client_credentials"})
    assert r.status_code == 400 and r.json == {"error": "invalid_request"}


def test_scope_beyond_the_client_is_refused(client, api):
    client_id, secret = api.new(scopes=["roster:read"])
    r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id,
                                                 "client_secret": secret, "scope": "cards:read"})
    assert r.status_code == 400 and r.json == {"error": "invalid_scope"}


def test_secret_is_stored_hashed(db, api):
    client_id, secret = api.new()
    row = db.get(ApiClient, __import__("uuid").UUID(client_id))
    assert secret not in row.secret_hash and len(row.secret_hash) == 64


def test_no_token_and_a_session_cookie_are_401(client, api, sign_in, world):
    r = client.get(f"/api/v1/groups/{world.groups['A'].id}/children")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    sign_in("head1")
    r = client.get(f"/api/v1/groups/{world.groups['A'].id}/children")
    assert r.status_code == 401


def test_roster_of_own_group_and_not_of_another_org(api, world, db):
    r = api.get(f"/api/v1/groups/{world.groups['A'].id}/children", api.org1)
    assert r.status_code == 200
    assert r.json["items"] == [{"id": str(world.children["A"].id), "name": "Әлия Ахметова",
                                "birth_date": "2020-10-05"}]
    r = api.get(f"/api/v1/groups/{world.groups['C'].id}/children", api.org1)
    assert r.status_code == 403 and r.json["status"] == 403
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "child.list.group",
                                              AuditEvent.actor_role == "api_client")).all()
    assert [e.object_id for e in events] == [world.children["A"].id]


def test_scope_is_required(api, world):
    client_id, secret = api.new(scopes=["cards:read"])
    tok = api.token(client_id, secret)
    r = api.get(f"/api/v1/groups/{world.groups['A'].id}/children", tok)
    assert r.status_code == 403
    r = api.get(f"/api/v1/children/{world.children['A'].id}/card", tok)
    assert r.status_code == 200 and r.json["child"]["full_name"] == "Әлия Ахметова"


def test_card_of_another_org_is_refused(api, world):
    assert api.get(f"/api/v1/children/{world.children['C'].id}/card", api.org1).status_code == 403
    assert api.get(f"/api/v1/children/{world.children['C'].id}/card", api.org2).status_code == 200


def test_withdrawn_consent_refuses_the_card_and_hides_from_roster(api, world, db, keyring):
    from sabidamu.services import consent as consent_svc
    child, parent = world.children["A"], world.users["parentA"]
    consent = consent_svc.give(db, keyring, parent, child.id, purpose="kindergarten_monitoring",
                               recipient=consent_svc.Recipient(world.orgs["org1"].id), parts=[])
    db.commit()
    consent_svc.revoke(db, parent, consent.id)
    db.commit()
    assert api.get(f"/api/v1/children/{child.id}/card", api.org1).status_code == 403
    r = api.get(f"/api/v1/groups/{world.groups['A'].id}/children", api.org1)
    assert r.status_code == 200 and r.json["items"] == []


def test_revoked_client_token_stops(api, world, db):
    from sabidamu.services.api.clients import revoke_client
    client_id, secret = api.new()
    tok = api.token(client_id, secret)
    revoke_client(db, None, __import__("uuid").UUID(client_id))
    db.commit()
    assert api.get("/api/v1/groups", tok).status_code == 401


def test_rate_limit_per_client(app, api):
    app.config["API_RATE_PER_MINUTE"] = 3
    codes = [api.get("/api/v1/groups", api.org1).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert api.get("/api/v1/groups", api.org2).status_code == 200  # another client has its own window


def test_etag_gives_304(api, world):
    path = f"/api/v1/children/{world.children['A'].id}/card"
    first = api.get(path, api.org1)
    assert first.status_code == 200 and first.headers["ETag"]
    again = api.get(path, api.org1, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_levels_and_409_with_both_values(api, world):
    path = f"/api/v1/children/{world.children['A'].id}/stages/start"
    stage = api.get(path, api.org1).json
    assert stage["version"] == 0 and stage["levels"] == {}
    from sabidamu.services.monitoring import framework
    fw = framework()
    group_id = fw.skill_group_ids[0]
    skill = fw.skills("preschool", group_id)[0].id
    r = api.post(path, api.org1, json={"skill_group": group_id, "version": 0, "levels": {skill: 3}})
    assert r.status_code == 200 and r.json["version"] == 1 and r.json["levels"][skill] == 3
    r = api.post(path, api.org1, json={"skill_group": group_id, "version": 0, "levels": {skill: 1}})
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert r.json["version"] == 1 and r.json["cells"] == {skill: {"yours": 1, "stored": 3}}


def test_problem_in_kk_and_ru(api, world):
    path = f"/api/v1/groups/{world.groups['C'].id}/children"
    kk = api.get(path, api.org1, lang="kk").json
    ru = api.get(path, api.org1, lang="ru").json
    assert kk["title"] == "Бұл нысанға кіруге рұқсат жоқ"
    assert ru["title"] == "Доступ к этому объекту запрещен"
    assert kk["type"] == ru["type"] == "https://sabidamu.kz/problems/forbidden"
