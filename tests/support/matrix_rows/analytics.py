"""The education department's analytics (issue 15): only a department login reads it (none in the matrix world:
tests/analytics/test_analytics_pages.py signs one in, and checks it is refused every child page); the platform
admin creates department logins."""
from tests.support.matrix import allow

ROWS = [
    ("GET", "/analytics/", "/analytics/", allow()),
    ("GET", "/analytics/export.<fmt>", "/analytics/export.csv", allow()),
    ("GET", "/analytics/export.<fmt>", "/analytics/export.xlsx", allow()),
    ("GET", "/analytics/departments/new", "/analytics/departments/new", allow("admin")),
    ("POST", "/analytics/departments/new", "/analytics/departments/new", allow("admin", ok=422)),
]
