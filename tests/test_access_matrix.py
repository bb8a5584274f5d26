"""Every route as every role, with ids of the user's own objects, another family's and another organization's.

The world (tests/factories.build_world): org1 with groups A (teacher1) and B (teacher1b), head1; org2 with
group C (teacher2), head2; parentA's child A is enrolled in group A; parentB's child B is at home; child C
belongs to org2. `test_every_route_is_in_the_matrix` fails when a new route is added without rows here.
"""
from __future__ import annotations

import pytest

from sabidamu.models import Consent, Enrollment, Screening
from sabidamu.models.base import utcnow
from tests.factories import make_child
from tests.support.auth import AuthActions
from tests.support.matrix import allow, everyone, extra_rows

# (method, rule, path template, expected status per role). Paths use {child_A}, {org1}, {group_A}, ...
MATRIX = [
    # account: security settings, the second step of sign-in, a parent's data rights
    ("GET", "/account/security", "/account/security", everyone(200)),
    ("GET", "/account/password", "/account/password", everyone(200)),
    ("POST", "/account/password", "/account/password", everyone(422)),  # every user changes their own
    # moving an active second factor (heads, the admin) needs a proof: without one the form comes back (422)
    ("POST", "/account/totp/begin", "/account/totp/begin",
     {**everyone(302), "head1": 422, "head2": 422, "admin": 422}),
    ("POST", "/account/totp/confirm", "/account/totp/confirm", everyone(422)),
    ("POST", "/account/totp/recovery-codes", "/account/totp/recovery-codes", everyone(422)),
    ("POST", "/account/totp/disable", "/account/totp/disable", everyone(422)),
    ("GET", "/login/code", "/login/code", everyone(302, anon=302)),
    ("POST", "/login/code", "/login/code", everyone(302, anon=302)),
    ("GET", "/account/children/<child_id>/access-log", "/account/children/{child_A}/access-log", allow("parentA")),
    ("GET", "/account/children/<child_id>/access-log", "/account/children/{child_C}/access-log", allow()),
    ("GET", "/account/children/<child_id>/access-log", "/account/children/{missing}/access-log", everyone(404)),
    ("POST", "/account/children/<child_id>/export", "/account/children/{child_B}/export", allow("parentB", ok=303)),
    ("POST", "/account/children/<child_id>/export", "/account/children/{child_A}/export", allow("parentA", ok=303)),
    ("GET", "/account/children/<child_id>/delete", "/account/children/{child_B}/delete", allow("parentB")),
    ("POST", "/account/children/<child_id>/delete", "/account/children/{child_A}/delete", allow("parentA", ok=422)),
    ("GET", "/", "/", {**everyone(302), "anon": 200}),
    ("GET", "/home", "/home", everyone(302)),
    ("POST", "/lang", "/lang", everyone(302, anon=302)),
    ("GET", "/register", "/register", everyone(200, anon=200)),
    ("GET", "/login", "/login", everyone(200, anon=200)),
    ("POST", "/register", "/register", everyone(422, anon=422)),
    ("POST", "/login", "/login", everyone(422, anon=422)),
    ("POST", "/children/new", "/children/new", everyone(422)),
    ("POST", "/logout", "/logout", everyone(302, anon=302)),
    # accounts: recovery, confirmation, privacy notice, my account, a head's code for a parent (issue 9/10)
    ("GET", "/forgot", "/forgot", everyone(200, anon=200)),
    ("POST", "/forgot", "/forgot", everyone(422, anon=422)),
    ("GET", "/reset/<token>", "/reset/not-a-token", everyone(410, anon=410)),
    ("POST", "/reset/<token>", "/reset/not-a-token", everyone(410, anon=410)),
    ("GET", "/reset/code", "/reset/code", everyone(200, anon=200)),
    ("POST", "/reset/code", "/reset/code", everyone(422, anon=422)),
    ("GET", "/confirm/<token>", "/confirm/not-a-token", everyone(410, anon=410)),
    ("POST", "/confirm/<token>", "/confirm/not-a-token", everyone(410, anon=410)),
    ("GET", "/privacy", "/privacy", everyone(200, anon=200)),
    # operations: no session, no child data; /readyz is 503 here (the test database is not built by Alembic);
    # /metrics answers the loopback address the test client uses (other addresses: tests/ops).
    ("GET", "/healthz", "/healthz", everyone(200, anon=200)),
    ("GET", "/readyz", "/readyz", everyone(503, anon=503)),
    ("GET", "/metrics", "/metrics", everyone(200, anon=200)),
    ("GET", "/account", "/account", everyone(200)),
    ("POST", "/account", "/account", everyone(422)),
    ("POST", "/account/sessions/end-others", "/account/sessions/end-others", everyone(302)),
    ("GET", "/account/email/<token>", "/account/email/not-a-token", everyone(410, anon=410)),
    ("GET", "/orgs/<org_id>/parent-code", "/orgs/{org1}/parent-code", allow("head1")),
    ("POST", "/orgs/<org_id>/parent-code", "/orgs/{org1}/parent-code", allow("head1", ok=422)),
    ("GET", "/orgs/<org_id>/parent-code", "/orgs/{org2}/parent-code", allow("head2")),
    ("GET", "/parent", "/parent", everyone(200)),
    ("GET", "/children/new", "/children/new", everyone(200)),
    ("GET", "/children/<child_id>", "/children/{child_A}", allow("parentA", "teacher1", "head1")),
    ("GET", "/children/<child_id>", "/children/{child_B}", allow("parentB")),
    ("GET", "/children/<child_id>", "/children/{child_C}", allow("head2", "teacher2")),
    ("GET", "/children/<child_id>", "/children/{missing}", everyone(404)),
    ("GET", "/children/<child_id>", "/children/not-a-uuid", everyone(404)),
    ("GET", "/children/<child_id>/edit", "/children/{child_A}/edit", allow("parentA")),
    ("GET", "/children/<child_id>/edit", "/children/{child_C}/edit", allow()),
    ("POST", "/children/<child_id>/edit", "/children/{child_B}/edit", allow("parentB", ok=422)),
    ("POST", "/enrollments/<enrollment_id>/<decision>", "/enrollments/{pending_B}/accept", allow("parentB", ok=302)),
    ("POST", "/enrollments/<enrollment_id>/<decision>", "/enrollments/{missing}/decline", everyone(404)),
    ("GET", "/orgs/<org_id>", "/orgs/{org1}", allow("head1", "teacher1", "teacher1b")),
    ("GET", "/orgs/<org_id>", "/orgs/{org2}", allow("head2", "teacher2")),
    ("GET", "/orgs/<org_id>/staff/new", "/orgs/{org1}/staff/new", allow("head1")),
    # the head's staff page: deactivate (not oneself: 422), take a teacher off a group
    ("GET", "/orgs/<org_id>/staff", "/orgs/{org1}/staff", allow("head1")),
    ("GET", "/orgs/<org_id>/staff/<user_id>/deactivate", "/orgs/{org1}/staff/{teacher1_id}/deactivate", allow("head1")),
    ("GET", "/orgs/<org_id>/staff/<user_id>/deactivate", "/orgs/{org2}/staff/{teacher1_id}/deactivate",
     allow("head2", ok=404)),
    ("POST", "/orgs/<org_id>/staff/<user_id>/deactivate", "/orgs/{org1}/staff/{head1_id}/deactivate",
     allow("head1", ok=422)),
    ("POST", "/orgs/<org_id>/staff/<user_id>/groups/<group_id>/remove",
     "/orgs/{org1}/staff/{teacher1_id}/groups/{group_A}/remove", allow("head1", ok=302)),
    ("POST", "/orgs/<org_id>/staff/<user_id>/groups/<group_id>/remove",
     "/orgs/{org1}/staff/{teacher1_id}/groups/{group_C}/remove", allow("head1", ok=404)),
    ("POST", "/orgs/<org_id>/staff/new", "/orgs/{org2}/staff/new", allow("head2", ok=422)),
    ("GET", "/orgs/<org_id>/groups/new", "/orgs/{org1}/groups/new", allow("head1")),
    ("POST", "/orgs/<org_id>/groups/new", "/orgs/{org2}/groups/new", allow("head2", ok=422)),
    ("GET", "/groups/<group_id>", "/groups/{group_A}", allow("head1", "teacher1")),
    ("GET", "/groups/<group_id>", "/groups/{group_B}", allow("head1", "teacher1b")),
    ("GET", "/groups/<group_id>", "/groups/{group_C}", allow("head2", "teacher2")),
    ("GET", "/groups/<group_id>", "/groups/{missing}", everyone(404)),
    ("GET", "/groups/<group_id>/enroll", "/groups/{group_A}/enroll", allow("head1")),
    ("POST", "/groups/<group_id>/enroll", "/groups/{group_C}/enroll", allow("head2", ok=422)),
    # org1 asked to enrol org2's child C (no parent account): only org2's head answers (issue 10, item 1)
    ("POST", "/orgs/<org_id>/enrollment-requests/<enrollment_id>/<decision>",
     "/orgs/{org2}/enrollment-requests/{request_C}/decline", allow("head2", ok=302)),
    ("POST", "/orgs/<org_id>/enrollment-requests/<enrollment_id>/<decision>",
     "/orgs/{org1}/enrollment-requests/{request_C}/accept", allow()),
    ("POST", "/orgs/<org_id>/enrollment-requests/<enrollment_id>/<decision>",
     "/orgs/{org2}/enrollment-requests/{missing}/accept", allow("head2", ok=404)),
    # child W (parentA's, group A) whose parent withdrew "kindergarten monitoring": the kindergarten sees nothing
    ("GET", "/children/<child_id>", "/children/{child_W}", allow("parentA")),
    ("GET", "/children/<child_id>/card", "/children/{child_W}/card", allow("parentA")),
    ("GET", "/children/<child_id>/card.pdf", "/children/{child_W}/card.pdf?lang=kk", allow("parentA")),
    ("GET", "/children/<child_id>/screenings", "/children/{child_W}/screenings", allow("parentA")),
    ("GET", "/groups/<group_id>/monitoring/<stage>/children/<child_id>/measures",
     "/groups/{group_A}/monitoring/start/children/{child_W}/measures", allow()),
    ("POST", "/groups/<group_id>/monitoring/<stage>/children/<child_id>/measures",
     "/groups/{group_A}/monitoring/final/children/{child_W}/measures", allow()),
    ("GET", "/children/<child_id>/screening", "/children/{child_A}/screening", allow("parentA", "teacher1", "head1")),
    ("POST", "/children/<child_id>/screening", "/children/{child_B}/screening", allow("parentB", ok=404)),  # no instrument posted
    ("GET", "/children/<child_id>/screenings", "/children/{child_C}/screenings", allow("head2", "teacher2")),
    ("GET", "/screenings/<screening_id>", "/screenings/{missing}", everyone(404)),
    ("GET", "/screenings/<screening_id>/resume", "/screenings/{screening_A}/resume", allow("parentA", "teacher1", "head1", ok=302)),
    ("GET", "/screenings/<screening_id>/domain/<int:step>", "/screenings/{screening_A}/domain/1", allow("parentA", "teacher1", "head1")),
    ("POST", "/screenings/<screening_id>/domain/<int:step>", "/screenings/{screening_A}/domain/1", allow("parentA", "teacher1", "head1", ok=409)),  # no version: stale
    ("GET", "/screenings/<screening_id>/domain/<int:step>/next", "/screenings/{screening_A}/domain/1/next", allow("parentA", "teacher1", "head1", ok=302)),
    ("GET", "/screenings/<screening_id>", "/screenings/{screening_A}", allow("parentA", "teacher1", "head1", ok=302)),
    ("GET", "/screenings/<screening_id>/pdf", "/screenings/{screening_A}/pdf", allow("parentA", "teacher1", "head1", ok=302)),  # not finished: back to it
    ("GET", "/screenings/<screening_id>/resume", "/screenings/{missing}/resume", everyone(404)),
    ("GET", "/screenings/<screening_id>/domain/<int:step>", "/screenings/{missing}/domain/1", everyone(404)),
    ("POST", "/screenings/<screening_id>/domain/<int:step>", "/screenings/{missing}/domain/1", everyone(404)),
    ("GET", "/screenings/<screening_id>/domain/<int:step>/next", "/screenings/{missing}/domain/1/next", everyone(404)),
    ("GET", "/screenings/<screening_id>/pdf", "/screenings/{missing}/pdf", everyone(404)),
    # Monitoring (writing side): teacher of the group and head of the organization; home notes: guardians only.
    ("GET", "/groups/<group_id>/monitoring", "/groups/{group_A}/monitoring", allow("head1", "teacher1")),
    ("GET", "/groups/<group_id>/monitoring", "/groups/{group_C}/monitoring", allow("head2", "teacher2")),
    ("GET", "/groups/<group_id>/monitoring", "/groups/{missing}/monitoring", everyone(404)),
    ("POST", "/groups/<group_id>/monitoring", "/groups/{group_A}/monitoring", allow("head1", "teacher1", ok=422)),
    ("POST", "/groups/<group_id>/monitoring/cell", "/groups/{group_A}/monitoring/cell",
     allow("head1", "teacher1", ok=400)),
    ("POST", "/groups/<group_id>/monitoring/cell", "/groups/{group_C}/monitoring/cell",
     allow("head2", "teacher2", ok=400)),
    ("GET", "/groups/<group_id>/monitoring/<stage>/children/<child_id>/measures",
     "/groups/{group_A}/monitoring/start/children/{child_A}/measures", allow("head1", "teacher1")),
    ("GET", "/groups/<group_id>/monitoring/<stage>/children/<child_id>/measures",
     "/groups/{group_A}/monitoring/start/children/{child_C}/measures", allow("head1", "teacher1", ok=404)),
    ("POST", "/groups/<group_id>/monitoring/<stage>/children/<child_id>/measures",
     "/groups/{group_C}/monitoring/final/children/{child_C}/measures", allow("head2", "teacher2", ok=422)),
    ("GET", "/orgs/<org_id>/monitoring/windows", "/orgs/{org1}/monitoring/windows", allow("head1")),
    ("POST", "/orgs/<org_id>/monitoring/windows", "/orgs/{org2}/monitoring/windows", allow("head2", ok=422)),
    ("GET", "/children/<child_id>/home-observations/new", "/children/{child_A}/home-observations/new",
     allow("parentA")),
    ("GET", "/children/<child_id>/home-observations/new", "/children/{missing}/home-observations/new",
     everyone(404)),
    ("POST", "/children/<child_id>/home-observations/new", "/children/{child_B}/home-observations/new",
     allow("parentB", ok=422)),
    ("GET", "/admin/", "/admin/", allow("admin")),
    ("GET", "/admin/orgs/new", "/admin/orgs/new", allow("admin")),
    ("POST", "/admin/orgs/new", "/admin/orgs/new", allow("admin", ok=422)),
    # individual development card (web/cards): the card, its PDF, the group report, its CSV, the group PDF job
    ("GET", "/children/<child_id>/card", "/children/{child_A}/card", allow("parentA", "teacher1", "head1")),
    ("GET", "/children/<child_id>/card", "/children/{child_B}/card", allow("parentB")),
    ("GET", "/children/<child_id>/card", "/children/{child_C}/card", allow("head2", "teacher2")),
    ("GET", "/children/<child_id>/card", "/children/{missing}/card", everyone(404)),
    ("GET", "/children/<child_id>/card.pdf", "/children/{child_A}/card.pdf?lang=ru", allow("parentA", "teacher1", "head1")),
    ("GET", "/children/<child_id>/card.pdf", "/children/{missing}/card.pdf", everyone(404)),
    ("GET", "/groups/<group_id>/report", "/groups/{group_A}/report", allow("head1", "teacher1")),
    ("GET", "/groups/<group_id>/report", "/groups/{group_C}/report", allow("head2", "teacher2")),
    ("GET", "/groups/<group_id>/report", "/groups/{missing}/report", everyone(404)),
    ("GET", "/groups/<group_id>/report.csv", "/groups/{group_B}/report.csv", allow("head1", "teacher1b")),
    ("POST", "/groups/<group_id>/cards.pdf", "/groups/{group_A}/cards.pdf", allow("head1", "teacher1", ok=422)),
    ("POST", "/groups/<group_id>/cards.pdf", "/groups/{missing}/cards.pdf", everyone(404)),
    ("GET", "/card-jobs/<job_id>", "/card-jobs/{missing}", everyone(404)),  # a job is only its starter's
    ("GET", "/card-jobs/<job_id>/progress", "/card-jobs/{missing}/progress", everyone(404)),
    ("GET", "/card-jobs/<job_id>/download", "/card-jobs/{missing}/download", everyone(404)),
    ("GET", "/account/exports/<job_id>", "/account/exports/{missing}", everyone(404)),  # only its starter's
    ("GET", "/account/exports/<job_id>/progress", "/account/exports/{missing}/progress", everyone(404)),
    ("GET", "/account/exports/<job_id>/download", "/account/exports/{missing}/download", everyone(404)),
    # consents (web/consent) and specialists (web/specialist); no role of this world is a specialist
    ("GET", "/children/<child_id>/consents", "/children/{child_A}/consents", allow("parentA")),
    ("GET", "/children/<child_id>/consents", "/children/{missing}/consents", everyone(404)),
    ("GET", "/children/<child_id>/consents/new", "/children/{child_B}/consents/new", allow("parentB")),
    ("POST", "/children/<child_id>/consents/new", "/children/{child_A}/consents/new", allow("parentA", ok=422)),
    ("POST", "/consents/<consent_id>/revoke", "/consents/{consent_A}/revoke", allow("parentA", ok=302)),
    ("POST", "/consents/<consent_id>/revoke", "/consents/{missing}/revoke", everyone(404)),
    ("GET", "/orgs/<org_id>/consents/paper", "/orgs/{org1}/consents/paper", allow("head1")),
    ("POST", "/orgs/<org_id>/consents/paper", "/orgs/{org2}/consents/paper", allow("head2", ok=422)),
    ("POST", "/orgs/<org_id>/consents/paper/<pending_id>/<decision>", "/orgs/{org1}/consents/paper/{missing}/confirm",
     everyone(404)),
    ("GET", "/notices", "/notices", everyone(200)),  # one's own notices only
    ("GET", "/children/<child_id>/refer", "/children/{child_A}/refer", allow("parentA", "teacher1", "head1")),
    ("GET", "/children/<child_id>/refer", "/children/{child_C}/refer", allow("head2", "teacher2")),
    ("GET", "/children/<child_id>/refer", "/children/{missing}/refer", everyone(404)),
    ("POST", "/children/<child_id>/refer", "/children/{child_B}/refer", allow("parentB", ok=422)),
    ("GET", "/specialist", "/specialist", allow()),
    ("GET", "/specialist/children/<child_id>", "/specialist/children/{child_A}", allow()),
    ("GET", "/specialist/children/<child_id>", "/specialist/children/{missing}", everyone(404)),
    ("POST", "/specialist/children/<child_id>", "/specialist/children/{child_A}", allow()),
    # transfer, sending side (web/transfer): the organization's keys (the head's page), the export
    ("GET", "/orgs/<org_id>/transfer-keys", "/orgs/{org1}/transfer-keys", allow("head1")),
    ("GET", "/orgs/<org_id>/transfer-keys", "/orgs/{missing}/transfer-keys", everyone(404)),
    ("GET", "/orgs/<org_id>/transfer-keys/age-recipient.txt", "/orgs/{org2}/transfer-keys/age-recipient.txt",
     allow("head2")),
    ("GET", "/orgs/<org_id>/transfer-keys/minisign.pub", "/orgs/{org1}/transfer-keys/minisign.pub",
     allow("head1")),
    ("POST", "/orgs/<org_id>/transfer-keys/rotate", "/orgs/{org2}/transfer-keys/rotate", allow("head2", ok=303)),
    ("POST", "/orgs/<org_id>/transfer-keys/rotate", "/orgs/{missing}/transfer-keys/rotate", everyone(404)),
    ("GET", "/orgs/<org_id>/transfer/export", "/orgs/{org1}/transfer/export", allow("head1")),
    ("GET", "/orgs/<org_id>/transfer/export", "/orgs/{org2}/transfer/export", allow("head2")),
    ("POST", "/orgs/<org_id>/transfer/export", "/orgs/{org1}/transfer/export", allow("head1", ok=422)),
    ("POST", "/orgs/<org_id>/transfer/export", "/orgs/{missing}/transfer/export", everyone(404)),
    ("GET", "/transfer-jobs/<job_id>", "/transfer-jobs/{missing}", everyone(404)),  # a job is only its starter's
    ("GET", "/transfer-jobs/<job_id>/progress", "/transfer-jobs/{missing}/progress", everyone(404)),
    ("GET", "/transfer-jobs/<job_id>/download", "/transfer-jobs/{missing}/download", everyone(404)),
    # transfer, school side (web/school): the world has kindergartens only, so nobody here may use these
    # (school staff, another school, a kindergarten teacher and a parent: tests/school/)
    ("GET", "/orgs/<org_id>/school/import", "/orgs/{org1}/school/import", allow()),
    ("POST", "/orgs/<org_id>/school/import", "/orgs/{org2}/school/import", allow()),
    ("GET", "/orgs/<org_id>/school/import", "/orgs/{missing}/school/import", everyone(404)),
    ("GET", "/orgs/<org_id>/school/inbox", "/orgs/{org1}/school/inbox", allow()),
    ("GET", "/orgs/<org_id>/school/readiness", "/orgs/{org2}/school/readiness", allow()),
    ("POST", "/orgs/<org_id>/school/children/<child_id>/place", "/orgs/{org1}/school/children/{child_A}/place",
     allow()),
    ("POST", "/school/transfers/<transfer_id>/<decision>", "/school/transfers/{missing}/accept", everyone(404)),
    ("GET", "/school/held/<transfer_id>/confirm", "/school/held/{missing}/confirm", everyone(404)),
    # the inbox's confirmation pages (issue 11): accept all, decline
    ("GET", "/orgs/<org_id>/school/inbox/accept-all", "/orgs/{org1}/school/inbox/accept-all", allow()),
    ("GET", "/orgs/<org_id>/school/inbox/accept-all", "/orgs/{missing}/school/inbox/accept-all", everyone(404)),
    ("POST", "/orgs/<org_id>/school/inbox/accept-all", "/orgs/{org1}/school/inbox/accept-all", allow()),
    ("GET", "/school/transfers/<transfer_id>/decline", "/school/transfers/{missing}/decline", everyone(404)),
    # the head ends an enrolment (leave date) or graduates a group (issue 9.2)
    ("GET", "/groups/<group_id>/children/<child_id>/leave", "/groups/{group_A}/children/{child_A}/leave",
     allow("head1")),
    ("GET", "/groups/<group_id>/children/<child_id>/leave", "/groups/{group_C}/children/{child_A}/leave",
     {**allow(), "head2": 404}),
    ("POST", "/groups/<group_id>/children/<child_id>/leave", "/groups/{group_A}/children/{child_A}/leave",
     allow("head1", ok=422)),
    ("POST", "/groups/<group_id>/children/<child_id>/leave", "/groups/{missing}/children/{child_A}/leave",
     everyone(404)),
    ("GET", "/groups/<group_id>/graduate", "/groups/{group_A}/graduate", allow("head1")),
    ("GET", "/groups/<group_id>/graduate", "/groups/{group_C}/graduate", allow("head2")),
    ("POST", "/groups/<group_id>/graduate", "/groups/{missing}/graduate", everyone(404)),
    ("POST", "/school/held/<transfer_id>/confirm", "/school/held/{missing}/confirm", everyone(404)),
    ("GET", "/school/cards/<card_id>", "/school/cards/{missing}", everyone(404)),
    ("GET", "/school/cards/<card_id>/card.pdf", "/school/cards/{missing}/card.pdf", everyone(404)),
]
MATRIX += extra_rows()  # the rows of each area: tests/support/matrix_rows/

CASES = [pytest.param(method, path, role, expected, id=f"{method} {path} as {role}")
         for method, _rule, path, statuses in MATRIX for role, expected in statuses.items()]


def test_every_route_is_in_the_matrix(app):
    covered = {(m, rule) for m, rule, _p, _s in MATRIX}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, rule.rule) not in covered:
                missing.append(f"{method} {rule.rule}")
    assert not missing, f"routes without access-matrix rows: {missing}"


@pytest.mark.parametrize("method,path,role,expected", CASES)
def test_access(app, client, db, keyring, world, method, path, role, expected):
    pending = Enrollment(child_id=world.children["B"].id, group_id=world.groups["A"].id, status="pending")
    db.add(pending)
    child_a = world.children["A"]
    screening = Screening(child_id=child_a.id, key_id=child_a.key_id, instrument_id="sabidamu-dev-screen",
                          instrument_version=1, band_id="m66", status="in_progress")
    screening.screening_date_ct = keyring.seal(child_a.key_id, "screening", screening.id, "screening_date", "2026-09-01")
    db.add(screening)
    consent = Consent(child_id=child_a.id, purpose="specialist_access", recipient_org_id=world.orgs["org1"].id,
                      method="in_app", given_by=world.users["parentA"].id, key_id=child_a.key_id, parts=[])
    db.add(consent)
    child_w = make_child(db, keyring, "Уәли Ахметов", sex="m", parent=world.users["parentA"], group=world.groups["A"])
    db.add(Consent(child_id=child_w.id, purpose="kindergarten_monitoring", recipient_org_id=world.orgs["org1"].id,
                   method="in_app", given_by=world.users["parentA"].id, key_id=child_w.key_id, parts=[],
                   revoked_at=utcnow(), revoked_by=world.users["parentA"].id))
    request_c = Enrollment(child_id=world.children["C"].id, group_id=world.groups["A"].id, status="pending",
                           requested_by=world.users["head1"].id, confirm_org_id=world.orgs["org2"].id)
    db.add(request_c)
    db.commit()
    ids = {"child_A": world.children["A"].id, "child_B": world.children["B"].id, "child_C": world.children["C"].id,
           "org1": world.orgs["org1"].id, "org2": world.orgs["org2"].id, "group_A": world.groups["A"].id,
           "group_B": world.groups["B"].id, "group_C": world.groups["C"].id, "pending_B": pending.id,
           "screening_A": screening.id, "consent_A": consent.id, "child_W": child_w.id, "request_C": request_c.id,
           "teacher1_id": world.users["teacher1"].id, "head1_id": world.users["head1"].id,
           "missing": "00000000-0000-4000-8000-000000000000"}
    if role != "anon":
        AuthActions(client, db).sign_in(role)
    url = path.format(**ids)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == expected, f"{method} {url} as {role}: {response.status_code}"
    if expected == 403:
        for child in ("Әлия", "Борис", "Сәуле", "Уәли"):
            assert child not in response.text
