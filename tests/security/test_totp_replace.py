"""Replacing the TOTP secret ("move to a new phone") needs a proof: a current code, a recovery code or the
password. A session alone (a borrowed, unlocked computer; a stolen cookie) cannot move the second factor."""
from __future__ import annotations

from sqlmodel import select

from sabidamu.models import AuditEvent, LoginThrottle
from sabidamu.models.security import StaffTotp
from tests.factories import PASSWORD
from tests.support.totp import code_at, enrol_through_pages, password_step


def _row(db, world):
    db.rollback()
    return db.exec(select(StaffTotp).where(StaffTotp.user_id == world.users["teacher1"].id)).one()


def _enrolled(client):
    password_step(client, "teacher1@example.kz")
    return enrol_through_pages(client)


def test_a_session_alone_cannot_start_a_new_secret(client, db, world):
    _enrolled(client)
    before = _row(db, world).secret_ct
    for data in ({}, {"replace-proof": ""}, {"replace-proof": "wrong password"}, {"replace-proof": "000000"}):
        response = client.post("/account/totp/begin", data=data)
        assert response.status_code == 422
        row = _row(db, world)
        assert row.pending_secret_ct is None and row.secret_ct == before
    assert 'id="totp-secret"' not in client.get("/account/security").text


def test_wrong_proofs_are_throttled_like_codes(client, db, world):
    secret, _codes = _enrolled(client)
    for _ in range(5):
        client.post("/account/totp/begin", data={"replace-proof": "not my password"})
    locked = client.post("/account/totp/begin", data={"replace-proof": PASSWORD})
    assert locked.status_code == 422 and _row(db, world).pending_secret_ct is None
    assert db.exec(select(LoginThrottle).where(LoginThrottle.key.startswith("2fa:"))).one().locked_until


def test_the_password_is_a_proof(client, db, world):
    _enrolled(client)
    assert client.post("/account/totp/begin", data={"replace-proof": PASSWORD}).status_code == 302
    assert _row(db, world).pending_secret_ct is not None
    assert 'id="totp-secret"' in client.get("/account/security").text
    events = [e.detail for e in db.exec(select(AuditEvent).where(AuditEvent.action == "auth.totp.enrol_start"))]
    assert events[-1] == {"proof": "password"}


def test_a_current_code_is_a_proof(client, db, world):
    secret, _codes = _enrolled(client)
    assert client.post("/account/totp/begin", data={"replace-proof": code_at(secret, 1)}).status_code == 302
    assert _row(db, world).pending_secret_ct is not None


def test_a_recovery_code_is_a_proof_and_is_used_up(client, db, world):
    _secret, codes = _enrolled(client)
    assert client.post("/account/totp/begin", data={"replace-proof": codes[0]}).status_code == 302
    row = _row(db, world)
    assert row.pending_secret_ct is not None and row.recovery_hashes[0] is None
    assert client.post("/account/totp/begin", data={"replace-proof": codes[0]}).status_code == 422


def test_the_old_secret_stays_until_the_new_one_is_confirmed(client, db, world):
    secret, _codes = _enrolled(client)
    client.post("/account/totp/begin", data={"replace-proof": PASSWORD})
    client.post("/logout")
    password_step(client, "teacher1@example.kz")
    assert client.post("/login/code", data={"code": code_at(secret, 1)}).status_code == 302


def test_first_enrolment_needs_no_proof(client, db, world):
    password_step(client, "teacher1@example.kz")
    assert client.post("/account/totp/begin").status_code == 302
    assert _row(db, world).pending_secret_ct is not None
