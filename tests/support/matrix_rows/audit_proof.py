"""The "check" link of a parent's access log: the inclusion proof of one event (issue 13)."""
from tests.support.matrix import allow, everyone

ROWS = [
    ("GET", "/account/children/<child_id>/access-log/<event_id>/proof",
     "/account/children/{child_A}/access-log/{missing}/proof", {**allow("parentA", ok=404)}),
    ("GET", "/account/children/<child_id>/access-log/<event_id>/proof",
     "/account/children/{missing}/access-log/{missing}/proof", everyone(404)),
]
