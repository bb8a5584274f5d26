"""Staff account lifecycle: the head deactivates a staff member or takes them off a group (their sessions end at
once); a first password chosen by the head must be changed at the first sign-in; every user changes their own
password (the other sessions end)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from sabidamu.models import AuditEvent, GroupTeacher, Membership, User
from tests.factories import PASSWORD
from tests.support.auth import sign_in_with_password

NEW_PASSWORD = "lilac-otter-parsley-42"


def signed_in(app, email):
    client = app.test_client()
    response = sign_in_with_password(client, email)
    assert response.status_code == 302
    return client


def is_signed_in(client) -> bool:
    return client.get("/account/security").status_code == 200


def test_deactivating_a_teacher_ends_their_sessions_and_their_sign_in(app, db, world):
    teacher = signed_in(app, "teacher1@example.kz")
    group_a = world.groups["A"].id
    assert teacher.get(f"/groups/{group_a}").status_code == 200
    head = signed_in(app, "head1@example.kz")
    org = world.orgs["org1"].id
    page = head.get(f"/orgs/{org}/staff")
    assert page.status_code == 200 and "Teacher1" in page.text
    uid = world.users["teacher1"].id
    assert head.get(f"/orgs/{org}/staff/{uid}/deactivate").status_code == 200  # the confirmation page
    done = head.post(f"/orgs/{org}/staff/{uid}/deactivate")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/orgs/{org}/staff")
    # At once: the teacher's open session no longer works.
    assert not is_signed_in(teacher)
    assert teacher.get(f"/groups/{group_a}").status_code == 302
    db.rollback()
    assert db.exec(select(Membership).where(Membership.user_id == uid)).first() is None
    assert db.exec(select(GroupTeacher).where(GroupTeacher.user_id == uid)).first() is None
    db.expire_all()  # the test's own copy of the user is from before the change
    assert db.get(User, uid).deactivated_at is not None
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "staff.deactivate")).one()
    assert event.object_id == uid and event.detail["roles"] == ["teacher"] and event.detail["account_locked"]
    # And the password no longer signs in.
    again = app.test_client().post("/login", data={"login": "teacher1@example.kz", "password": PASSWORD})
    assert again.status_code == 422 and "/login" in again.request.path


def test_a_deactivated_parent_account_keeps_working_as_a_parent(app, db, world):
    from tests.factories import add_member
    parent = world.users["parentA"]
    add_member(db, parent, world.orgs["org1"], "teacher")
    db.commit()
    head = signed_in(app, "head1@example.kz")
    head.post(f"/orgs/{world.orgs['org1'].id}/staff/{parent.id}/deactivate")
    db.rollback()
    db.expire_all()
    assert db.get(User, parent.id).deactivated_at is None  # still a child's parent: the login works
    client = signed_in(app, "parenta@example.kz")
    assert client.get(f"/orgs/{world.orgs['org1'].id}").status_code == 403


def test_taking_a_teacher_off_a_group_ends_their_sessions(app, db, world):
    teacher = signed_in(app, "teacher1@example.kz")
    head = signed_in(app, "head1@example.kz")
    org, group, uid = world.orgs["org1"].id, world.groups["A"].id, world.users["teacher1"].id
    response = head.post(f"/orgs/{org}/staff/{uid}/groups/{group}/remove")
    assert response.status_code == 302
    assert not is_signed_in(teacher)
    again = signed_in(app, "teacher1@example.kz")  # still staff: signs in, but the group is no longer theirs
    assert again.get(f"/groups/{group}").status_code == 403
    db.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "staff.group.remove")).one().object_id == group


def test_only_the_head_of_the_organization_manages_its_staff(app, db, world):
    org, uid = world.orgs["org1"].id, world.users["teacher1"].id
    for who, status in (("teacher1b", 403), ("head2", 403), ("parenta", 403)):
        client = signed_in(app, f"{who}@example.kz")
        assert client.get(f"/orgs/{org}/staff").status_code == status, who
        assert client.post(f"/orgs/{org}/staff/{uid}/deactivate").status_code == status, who
        assert client.post(f"/orgs/{org}/staff/{uid}/groups/{world.groups['A'].id}/remove").status_code == status
    head = signed_in(app, "head1@example.kz")
    own = head.post(f"/orgs/{org}/staff/{world.users['head1'].id}/deactivate")
    assert own.status_code == 422  # not one's own account
    other_org = world.users["teacher2"].id
    assert head.post(f"/orgs/{org}/staff/{other_org}/deactivate").status_code == 404
    db.rollback()
    assert db.exec(select(sa.func.count()).select_from(Membership)
                   .where(Membership.user_id.in_([uid, world.users["head1"].id]))).one() == 2


def test_the_first_sign_in_with_a_password_chosen_by_the_head_forces_a_change(app, db, world):
    head = signed_in(app, "head1@example.kz")
    org = world.orgs["org1"].id
    created = head.post(f"/orgs/{org}/staff/new", data={
        "full_name": "Жаңа Тәрбиеші", "login": "new.teacher@example.kz", "role": "teacher", "specialist_kind": "",
        "password": "first-password-from-head"})
    assert created.status_code == 302
    new = app.test_client()
    first = new.post("/login", data={"login": "new.teacher@example.kz", "password": "first-password-from-head"})
    assert first.status_code == 302
    for path in ("/home", f"/orgs/{org}", "/account/security"):
        response = new.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/password"), path
    assert new.get("/account/password").status_code == 200
    wrong = new.post("/account/password", data={"current": "not it", "password": NEW_PASSWORD,
                                                "password2": NEW_PASSWORD})
    assert wrong.status_code == 422
    ok = new.post("/account/password", data={"current": "first-password-from-head", "password": NEW_PASSWORD,
                                             "password2": NEW_PASSWORD})
    assert ok.status_code == 302
    assert new.get(f"/orgs/{org}").status_code == 200
    db.rollback()
    user = db.exec(select(User).where(User.full_name == "Жаңа Тәрбиеші")).one()
    assert user.must_change_password is False


def test_every_user_changes_their_password_and_other_sessions_end(app, db, world):
    for email in ("parenta@example.kz", "teacher1@example.kz"):
        other = signed_in(app, email)
        here = signed_in(app, email)
        response = here.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                        "password2": NEW_PASSWORD})
        assert response.status_code == 302, email
        assert is_signed_in(here) and not is_signed_in(other)
        assert app.test_client().post("/login", data={"login": email, "password": PASSWORD}).status_code == 422
        assert sign_in_with_password(app.test_client(), email, NEW_PASSWORD).status_code == 302


def test_the_change_password_form_keeps_its_rules(app, db, world):
    client = signed_in(app, "parenta@example.kz")
    for data in ({"current": PASSWORD, "password": "short", "password2": "short"},
                 {"current": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
                 {"current": "", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}):
        response = client.post("/account/password", data=data)
        assert response.status_code == 422 and 'aria-invalid="true"' in response.text


def test_a_new_head_changes_the_password_before_enrolling_the_second_factor(app, db, keyring, world):
    from sabidamu.services.orgs import add_staff
    from tests.factories import make_org
    org = make_org(db, keyring, "New KG")
    add_staff(db, None, org, full_name="Head New", login="head.new@example.kz", password="from-the-admin-1",
              role="head")
    db.commit()
    client = app.test_client()
    assert client.post("/login", data={"login": "head.new@example.kz", "password": "from-the-admin-1"}).status_code == 302
    assert client.get(f"/orgs/{org.id}").headers["Location"].endswith("/account/password")
    client.post("/account/password", data={"current": "from-the-admin-1", "password": NEW_PASSWORD,
                                           "password2": NEW_PASSWORD})
    assert client.get(f"/orgs/{org.id}").headers["Location"].endswith("/account/security")
