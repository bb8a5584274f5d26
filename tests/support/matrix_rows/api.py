"""The open API (issue 16). The matrix signs people in with session cookies: an API route never takes a cookie as
authentication, so without a bearer token every role, the admin and the anonymous user included, gets 401 (for
another organization's ids as for its own). The token endpoint without form data is 400 (RFC 6749 invalid_request);
the description and its page are public. The head's page of API clients is the head's (and the admin's)."""
from tests.support.matrix import allow, everyone

API = "/api/v1"
_401 = everyone(401, anon=401)

ROWS = [
    ("POST", f"{API}/oauth/token", f"{API}/oauth/token", everyone(400, anon=400)),
    ("GET", f"{API}/openapi.json", f"{API}/openapi.json", everyone(200, anon=200)),
    ("GET", f"{API}/docs", f"{API}/docs", everyone(200, anon=200)),
    ("GET", f"{API}/groups", f"{API}/groups", _401),
    ("GET", f"{API}/groups/<uuid:group_id>/children", f"{API}/groups/{{group_A}}/children", _401),
    ("GET", f"{API}/groups/<uuid:group_id>/children", f"{API}/groups/{{group_C}}/children", _401),
    ("GET", f"{API}/children/<uuid:child_id>/card", f"{API}/children/{{child_A}}/card", _401),
    ("GET", f"{API}/children/<uuid:child_id>/card", f"{API}/children/{{child_C}}/card", _401),
    ("GET", f"{API}/children/<uuid:child_id>/stages/<stage>", f"{API}/children/{{child_A}}/stages/start", _401),
    ("POST", f"{API}/children/<uuid:child_id>/stages/<stage>", f"{API}/children/{{child_C}}/stages/start", _401),
    ("GET", "/orgs/<org_id>/api-clients", "/orgs/{org1}/api-clients", allow("head1", "admin")),
    ("GET", "/orgs/<org_id>/api-clients", "/orgs/{org2}/api-clients", allow("head2", "admin")),
    ("POST", "/orgs/<org_id>/api-clients", "/orgs/{org1}/api-clients", allow("head1", "admin", ok=422)),
    ("POST", "/orgs/<org_id>/api-clients/<client_id>/revoke", "/orgs/{org1}/api-clients/{missing}/revoke",
     allow("head1", "admin", ok=404)),
    ("POST", "/orgs/<org_id>/api-clients/<client_id>/revoke", "/orgs/{org2}/api-clients/{missing}/revoke",
     allow("head2", "admin", ok=404)),
]
