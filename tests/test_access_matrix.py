"""Every route as every role, with ids of the user's own objects, another family's and another organization's.

The world (tests/factories.build_world): org1 with groups A (teacher1) and B (teacher1b), head1; org2 with
group C (teacher2), head2; parentA's child A is enrolled in group A; parentB's child B is at home; child C
belongs to org2. `test_every_route_is_in_the_matrix` fails when a new route is added without rows here.
"""
from __future__ import annotations

import pytest
from sqlmodel import select

from sabidamu.models import Enrollment, User
from sabidamu.services.auth import start_session

ROLES = ["anon", "parentA", "parentB", "teacher1", "teacher1b", "head1", "head2", "teacher2", "admin"]
LOGIN = 302  # anonymous users are sent to the sign-in page


def allow(*who, ok=200, other=403):
    return {role: (ok if role in who else (LOGIN if role == "anon" else other)) for role in ROLES}


def everyone(status, anon=LOGIN):
    return {role: (anon if role == "anon" else status) for role in ROLES}


# (method, rule, path template, expected status per role). Paths use {child_A}, {org1}, {group_A}, ...
MATRIX = [
    ("GET", "/", "/", {**everyone(302), "anon": 200}),
    ("GET", "/home", "/home", everyone(302)),
    ("POST", "/lang", "/lang", everyone(302, anon=302)),
    ("GET", "/register", "/register", everyone(200, anon=200)),
    ("GET", "/login", "/login", everyone(200, anon=200)),
    ("POST", "/register", "/register", everyone(422, anon=422)),
    ("POST", "/login", "/login", everyone(422, anon=422)),
    ("POST", "/children/new", "/children/new", everyone(422)),
    ("POST", "/logout", "/logout", everyone(302, anon=302)),
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
    ("POST", "/orgs/<org_id>/staff/new", "/orgs/{org2}/staff/new", allow("head2", ok=422)),
    ("GET", "/orgs/<org_id>/groups/new", "/orgs/{org1}/groups/new", allow("head1")),
    ("POST", "/orgs/<org_id>/groups/new", "/orgs/{org2}/groups/new", allow("head2", ok=422)),
    ("GET", "/groups/<group_id>", "/groups/{group_A}", allow("head1", "teacher1")),
    ("GET", "/groups/<group_id>", "/groups/{group_B}", allow("head1", "teacher1b")),
    ("GET", "/groups/<group_id>", "/groups/{group_C}", allow("head2", "teacher2")),
    ("GET", "/groups/<group_id>", "/groups/{missing}", everyone(404)),
    ("GET", "/groups/<group_id>/enroll", "/groups/{group_A}/enroll", allow("head1")),
    ("POST", "/groups/<group_id>/enroll", "/groups/{group_C}/enroll", allow("head2", ok=422)),
    ("GET", "/admin/", "/admin/", allow("admin")),
    ("GET", "/admin/orgs/new", "/admin/orgs/new", allow("admin")),
    ("POST", "/admin/orgs/new", "/admin/orgs/new", allow("admin", ok=422)),
]

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
def test_access(app, client, db, world, method, path, role, expected):
    pending = Enrollment(child_id=world.children["B"].id, group_id=world.groups["A"].id, status="pending")
    db.add(pending)
    db.commit()
    ids = {"child_A": world.children["A"].id, "child_B": world.children["B"].id, "child_C": world.children["C"].id,
           "org1": world.orgs["org1"].id, "org2": world.orgs["org2"].id, "group_A": world.groups["A"].id,
           "group_B": world.groups["B"].id, "group_C": world.groups["C"].id, "pending_B": pending.id,
           "missing": "00000000-0000-4000-8000-000000000000"}
    if role != "anon":
        user = db.exec(select(User).where(User.email == f"{role.lower()}@example.kz")).one()
        token = start_session(db, user)
        with client.session_transaction() as s:
            s["sid"] = token
    url = path.format(**ids)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == expected, f"{method} {url} as {role}: {response.status_code}"
    if expected == 403:
        for child in ("Әлия", "Борис", "Сәуле"):
            assert child not in response.text
