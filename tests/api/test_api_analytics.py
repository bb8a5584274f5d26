"""GET /api/v1/analytics/counts: counts of the client's area with small numbers hidden, only with analytics:read."""
from __future__ import annotations

import base64

import pytest

from sabidamu.services.api.clients import create_client


@pytest.fixture
def counts_api(client, db, world):
    def token(scopes, org="org1"):
        made = create_client(db, None, world.orgs[org].id, scopes, "Regional system")
        db.commit()
        basic = base64.b64encode(f"{made.client.id}:{made.secret}".encode()).decode()
        r = client.post("/api/v1/oauth/token", data={"grant_type": "client_credentials"},
                        headers={"Authorization": f"Basic {basic}"})
        assert r.status_code == 200, r.get_data(as_text=True)
        return r.json["access_token"]

    def get(path, tok, lang="kk", **headers):
        return client.get(path, headers={"Authorization": f"Bearer {tok}", "Accept-Language": lang, **headers})

    return token, get


def test_counts_are_suppressed_and_need_the_scope(counts_api):
    token, get = counts_api
    tok = token(["analytics:read"])
    r = get("/api/v1/analytics/counts?academic_year=2026&stage=start", tok)
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.json
    assert body["region"] == "KZ-71" and body["academic_year"] == 2026 and body["stage"] == "start"
    assert {t["section"] for t in body["tables"]} >= {"levels", "cards"}
    # The world's few children: every non-zero cell is below the threshold, so nothing small is published.
    values = [v for t in body["tables"] for row in t["rows"] for v in row["values"]]
    assert all(v is None or v == 0 or v >= 3 for v in values)
    assert get("/api/v1/analytics/counts", token(["roster:read", "cards:read"])).status_code == 403


def test_etag_language_and_bad_district(counts_api):
    token, get = counts_api
    tok = token(["analytics:read"])
    first = get("/api/v1/analytics/counts?academic_year=2026", tok, lang="ru")
    assert first.json["area_name"] == "город Астана"
    again = get("/api/v1/analytics/counts?academic_year=2026", tok, lang="ru", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    bad = get("/api/v1/analytics/counts?district=KZ-75-MED", tok, lang="ru")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json" and bad.json["reason"] == "unknown_district"
    odd = get("/api/v1/analytics/counts?stage=winter", tok)
    assert odd.status_code == 422 and odd.mimetype == "application/problem+json"
