"""The platform admin's page of API clients of regions (issue 16): the admin's alone; a head, whose page of clients
is the organization's, is refused it like everyone else. An empty form comes back with its errors (422); revoking an
unknown client is 404 for the admin."""
from tests.support.matrix import allow

ROWS = [
    ("GET", "/admin/api-clients", "/admin/api-clients", allow("admin")),
    ("POST", "/admin/api-clients", "/admin/api-clients", allow("admin", ok=422)),
    ("POST", "/admin/api-clients/<client_id>/revoke", "/admin/api-clients/{missing}/revoke", allow("admin", ok=404)),
]
