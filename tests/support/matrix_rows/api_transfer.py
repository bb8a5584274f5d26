"""The open API's handover and analytics routes (issue 16): like every API route, a session cookie never
authenticates them, so without a bearer token every role, the admin and the anonymous user included, gets 401 —
for another organization's child as for its own."""
from tests.support.matrix import everyone

API = "/api/v1"
_401 = everyone(401, anon=401)

ROWS = [
    ("POST", f"{API}/children/<uuid:child_id>/sdcard", f"{API}/children/{{child_A}}/sdcard", _401),
    ("POST", f"{API}/children/<uuid:child_id>/sdcard", f"{API}/children/{{child_C}}/sdcard", _401),
    ("POST", f"{API}/imports", f"{API}/imports", _401),
    ("GET", f"{API}/analytics/counts", f"{API}/analytics/counts", _401),
]
