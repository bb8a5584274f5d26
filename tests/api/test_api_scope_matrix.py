"""The API's own access matrix: every operation that reads or changes a child or a group, with a token that has
only its scope and one that has every other scope, against org1's own ids and org2's (another organization)."""
from __future__ import annotations

import pytest

from sabidamu.models.api import API_SCOPES

# (method, path template, scope, status with the scope on org1's ids)
OPERATIONS = [
    ("GET", "/api/v1/groups/{group}/children", "roster:read", 200),
    ("GET", "/api/v1/children/{child}/card", "cards:read", 200),
    ("GET", "/api/v1/children/{child}/stages/start", "cards:read", 200),
    ("POST", "/api/v1/children/{child}/stages/start", "cards:write", 200),
]


def _call(api, method, path, token):
    if method == "GET":
        return api.get(path, token)
    from sabidamu.services.monitoring import framework
    fw = framework()
    skill_group = fw.skill_group_ids[0]
    skill = fw.skills("preschool", skill_group)[0].id
    return api.post(path, token, json={"skill_group": skill_group, "version": 0, "levels": {skill: 2}})


@pytest.mark.parametrize("method,template,scope,ok", OPERATIONS)
@pytest.mark.parametrize("whose", ["own", "other_org"])
@pytest.mark.parametrize("has_scope", [True, False])
def test_scope_by_organization(api, world, method, template, scope, ok, whose, has_scope):
    scopes = [scope] if has_scope else [s for s in API_SCOPES if s != scope]
    token = api.token(*api.new("org1", scopes))
    ids = ({"group": world.groups["A"].id, "child": world.children["A"].id} if whose == "own"
           else {"group": world.groups["C"].id, "child": world.children["C"].id})
    response = _call(api, method, template.format(**ids), token)
    expected = ok if (has_scope and whose == "own") else 403
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected == 403:
        assert response.mimetype == "application/problem+json"
