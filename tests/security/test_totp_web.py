"""Staff two-step sign-in through the web pages: enrolment, the code step, replay, recovery codes, required roles."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlmodel import select

from sabidamu.models import AuditEvent, LoginThrottle
from sabidamu.models.security import StaffTotp
from sabidamu.services.auth import start_session
from tests.factories import add_member, make_org, make_user
from tests.support.totp import code_at, enrol_through_pages, password_step

NOW = lambda: dt.datetime.now(dt.UTC).timestamp()  # noqa: E731


def test_teacher_enrols_signs_in_with_a_code_and_a_replay_is_refused(app, client, db, world):
    teacher_id = world.users["teacher1"].id
    assert password_step(client, "teacher1@example.kz").status_code == 302  # optional for teachers: no code yet
    secret, codes = enrol_through_pages(client)
    row = db.exec(select(StaffTotp).where(StaffTotp.user_id == teacher_id)).one()
    assert row.enabled_at is not None and secret.encode() not in row.secret_ct  # sealed at rest
    assert all(c not in str(row.recovery_hashes) for c in codes)  # only hashes are stored
    db.rollback()  # end the test's read transaction before the app writes again
    client.post("/logout")

    r = password_step(client, "teacher1@example.kz")
    assert r.status_code == 302 and r.headers["Location"].endswith("/login/code")
    assert client.get("/parent").status_code == 302  # no session before the second step
    # The code used to confirm the enrolment cannot be used again (same step).
    replay = client.post("/login/code", data={"code": code_at(secret)})
    assert replay.status_code == 422
    ok = client.post("/login/code", data={"code": code_at(secret, 1)})
    assert ok.status_code == 302 and client.get("/parent").status_code == 200
    client.post("/logout")

    password_step(client, "teacher1@example.kz")
    assert client.post("/login/code", data={"code": code_at(secret, 1)}).status_code == 422  # used once only
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.object_id == teacher_id)).all()
    assert {"auth.totp.enrol_start", "auth.totp.enable", "auth.totp.ok", "auth.totp.failed"} <= set(actions)
    for event in db.exec(select(AuditEvent).where(AuditEvent.action.startswith("auth.totp"))).all():
        assert secret not in str(event.detail) and code_at(secret) not in str(event.detail)


def test_recovery_code_works_once(app, client, db, world):
    password_step(client, "teacher1@example.kz")
    _secret, codes = enrol_through_pages(client)
    client.post("/logout")
    password_step(client, "teacher1@example.kz")
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    assert client.get("/account/security").status_code == 200
    client.post("/logout")
    password_step(client, "teacher1@example.kz")
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 422
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.recovery_code.used")).one()
    assert event.detail == {"left": 9}


def test_wrong_codes_are_throttled(app, client, db, world):
    password_step(client, "teacher1@example.kz")
    secret, _codes = enrol_through_pages(client)
    client.post("/logout")
    password_step(client, "teacher1@example.kz")
    for _ in range(5):
        assert client.post("/login/code", data={"code": "12345"}).status_code == 422  # 5 digits: never valid
    locked = client.post("/login/code", data={"code": code_at(secret, 1)})
    assert locked.status_code == 422  # even the right code waits out the lock
    assert client.get("/parent").status_code == 302  # not signed in
    assert db.exec(select(LoginThrottle).where(LoginThrottle.key.startswith("2fa:"))).one().locked_until
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "auth.totp.locked")).first() is not None


def test_head_without_second_factor_is_sent_to_enrolment(app, client, db, keyring):
    org = make_org(db, keyring, "KG")
    head = make_user(db, "newhead@example.kz")
    add_member(db, head, org, "head")
    db.commit()
    token = start_session(db, head)
    with client.session_transaction() as s:
        s["sid"] = token
    for path in ("/parent", f"/orgs/{org.id}", "/"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].endswith("/account/security"), path
    page = client.get("/account/security")
    assert page.status_code == 200 and "/account/totp/begin" in page.text
    secret, _codes = enrol_through_pages(client)
    assert client.get(f"/orgs/{org.id}").status_code == 200
    # Required for heads: it cannot be turned off, even with a valid code.
    r = client.post("/account/totp/disable", data={"disable-code": code_at(secret, 1)})
    assert r.status_code == 422
    assert db.exec(select(StaffTotp).where(StaffTotp.user_id == head.id)).one().enabled_at is not None


def test_teacher_disables_with_a_current_code_only(app, client, db, world):
    password_step(client, "teacher1@example.kz")
    secret, _codes = enrol_through_pages(client)
    assert client.post("/account/totp/disable", data={"disable-code": "999999"}).status_code == 422
    assert client.post("/account/totp/disable", data={"disable-code": code_at(secret, 1)}).status_code == 302
    assert db.exec(select(sa.func.count()).select_from(StaffTotp)
                   .where(StaffTotp.user_id == world.users["teacher1"].id)).one() == 0


def test_new_recovery_codes_replace_the_old(app, client, db, world):
    password_step(client, "teacher1@example.kz")
    secret, old = enrol_through_pages(client)
    r = client.post("/account/totp/recovery-codes", data={"recovery-code": code_at(secret, 1)})
    new = re.findall(r"<code>([a-z2-9-]{19})</code>", r.text)
    assert r.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    password_step(client, "teacher1@example.kz")
    assert client.post("/login/code", data={"code": old[0]}).status_code == 422
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


def test_enrolled_head_signs_in_with_both_steps(app, client, db, world):
    from tests.factories import TOTP_SECRETS
    from tests.support.auth import sign_in_with_password
    r = sign_in_with_password(client, "head1@example.kz")
    assert r.status_code == 302 and "/login/code" not in r.headers["Location"]
    assert client.get(f"/orgs/{world.orgs['org1'].id}").status_code == 200
    assert "head1@example.kz" in TOTP_SECRETS
