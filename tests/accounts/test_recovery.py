"""Forgot password (e-mail link through a real SMTP server; a head's code for phone accounts), with the attacks
each defence answers: account discovery, host-header link poisoning, token reuse, guessing codes."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from sabidamu.models import AuditEvent, PasswordReset, UserSession
from sabidamu.passwords import verify_password
from sabidamu.services.auth import find_user
from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org, make_user
from tests.support.auth import sign_in_with_password
from tests.support.smtp import mail_app, smtp_server  # noqa: F401

NEW = "Tulpan-kitap-terezе-7"
LINK = re.compile(r"https?://\S+/reset/[A-Za-z0-9_-]+")


@pytest.fixture
def client(mail_app):
    return mail_app.test_client()


@pytest.fixture
def db(mail_app):
    from sabidamu.db import session_scope
    with session_scope(mail_app.extensions["sabidamu.engine"], write=False) as session:
        yield session


def _main(html: str) -> str:
    """The page without its per-request CSRF tokens."""
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def _link(smtp_server, to: str) -> str:
    [message] = smtp_server.to(to)
    return LINK.search(message.body).group(0)


def test_reset_by_email_link_single_use(client, db, smtp_server):
    make_user(db, "ana@example.kz", locale="ru")
    db.commit()
    other = client.application.test_client()
    assert sign_in_with_password(other, "ana@example.kz").status_code == 302
    r = client.post("/forgot", data={"login": "Ana@Example.kz"})
    assert r.status_code == 200
    message = smtp_server.to("ana@example.kz")[0]
    assert "пароль" in message.message["Subject"].lower()  # in the account's language (ru)
    path = "/" + _link(smtp_server, "ana@example.kz").split("/", 3)[3]
    assert client.get(path).status_code == 200
    r = client.post(path, data={"password": "qwerty123456", "password2": "qwerty123456"})
    assert r.status_code == 422  # a common password is refused, and the link still works
    r = client.post(path, data={"password": NEW, "password2": NEW})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    db.rollback()
    user = find_user(db, "ana@example.kz")
    assert verify_password(user.password_hash, NEW)
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id,
                                             UserSession.ended_at.is_(None))).all() == []  # everywhere signed out
    # Attack: reusing the link.
    assert client.get(path).status_code == 410
    assert client.post(path, data={"password": "Another-pass-2026", "password2": "Another-pass-2026"}).status_code == 410
    assert sign_in_with_password(client, "ana@example.kz", NEW).status_code == 302


def test_same_answer_whether_or_not_the_account_exists(client, db, smtp_server):
    make_user(db, "ana@example.kz")
    db.commit()
    known = client.post("/forgot", data={"login": "ana@example.kz"})
    unknown = client.post("/forgot", data={"login": "nobody@example.kz"})
    assert known.status_code == unknown.status_code == 200
    assert _main(known.text) == _main(unknown.text)
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ana@example.kz"]]


def test_expired_link_refused(client, db, smtp_server):
    make_user(db, "ana@example.kz")
    db.commit()
    client.post("/forgot", data={"login": "ana@example.kz"})
    path = "/" + _link(smtp_server, "ana@example.kz").split("/", 3)[3]
    db.rollback()
    row = db.exec(select(PasswordReset)).one()
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.commit()
    assert client.get(path).status_code == 410


def test_reset_requests_throttled_per_address(client, db, smtp_server):
    make_user(db, "ana@example.kz")
    db.commit()
    for _ in range(3):
        assert client.post("/forgot", data={"login": "ana@example.kz"}).status_code == 200
    r = client.post("/forgot", data={"login": "ana@example.kz"})
    assert r.status_code == 429
    assert len(smtp_server.messages) == 3
    # An unknown address is throttled the same way (the throttle tells nothing about the account).
    for _ in range(3):
        client.post("/forgot", data={"login": "nobody@example.kz"})
    assert client.post("/forgot", data={"login": "nobody@example.kz"}).status_code == 429


def test_link_ignores_forged_host_header(environ, smtp_server):
    """Attack: a request with Host: evil.example would mail the victim a valid token pointing at the attacker."""
    from sabidamu import create_app
    environ.update(smtp_server.environ, SABIDAMU_BASE_URL="https://sabidamu.example.kz")
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, environ=environ)
    from sabidamu.db import session_scope
    with session_scope(app.extensions["sabidamu.engine"]) as s:
        make_user(s, "ana@example.kz")
    client = app.test_client()
    client.post("/forgot", data={"login": "ana@example.kz"}, headers={"Host": "evil.example"})
    link = _link(smtp_server, "ana@example.kz")
    assert link.startswith("https://sabidamu.example.kz/reset/")
    assert "evil.example" not in smtp_server.messages[0].body
    app.extensions["sabidamu.engine"].dispose()


def _phone_parent_in(db, keyring, org_name="KG"):
    org = make_org(db, keyring, org_name)
    head = make_user(db, f"head-{org_name.lower()}@example.kz")
    add_member(db, head, org, "head")
    enrol_totp(db, keyring, head)  # heads sign in with a second factor
    teacher = make_user(db, f"teacher-{org_name.lower()}@example.kz")
    add_member(db, teacher, org, "teacher")
    group = make_group(db, org, "G")
    return org, head, teacher, group


def test_head_code_for_phone_parent(client, db, mail_app):
    keyring = mail_app.extensions["sabidamu.keyring"]
    org, head, teacher, group = _phone_parent_in(db, keyring)
    parent = make_user(db, "", phone="+77015550002", staff_name=False)
    make_child(db, keyring, "Әлия", parent=parent, group=group)
    other_org, other_head, *_ = _phone_parent_in(db, keyring, "Other")
    db.commit()
    assert sign_in_with_password(client, "head-kg@example.kz").status_code == 302
    r = client.post(f"/orgs/{org.id}/parent-code", data={"login": "8 701 555 00 02"})
    assert r.status_code == 200
    code = re.search(r"<strong>([A-Z2-9]{5}-[A-Z2-9]{5})</strong>", r.text).group(1)
    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.reset_code_issued")).one()
    assert event.actor_id == head.id and event.object_id == parent.id and event.org_id == org.id
    # Another kindergarten's head cannot give this parent a code (it could take over the account).
    other = client.application.test_client()
    assert sign_in_with_password(other, "head-other@example.kz").status_code == 302
    r = other.post(f"/orgs/{other_org.id}/parent-code", data={"login": "+77015550002"})
    assert r.status_code == 422 and 'id="login-err"' in r.text
    # A teacher cannot give codes at all.
    t = client.application.test_client()
    sign_in_with_password(t, "teacher-kg@example.kz")
    assert t.post(f"/orgs/{org.id}/parent-code", data={"login": "+77015550002"}).status_code == 403
    # The parent uses it (lower case and without the dash works too), once.
    anon = client.application.test_client()
    data = {"login": "+7 701 555 00 02", "code": code.lower().replace("-", ""), "password": NEW, "password2": NEW}
    r = anon.post("/reset/code", data=data)
    assert r.status_code == 302
    assert sign_in_with_password(anon, "+77015550002", NEW).status_code == 302
    again = client.application.test_client().post("/reset/code", data={**data, "password": "Other-pass-2026-x",
                                                                        "password2": "Other-pass-2026-x"})
    assert again.status_code == 422 and 'id="code-err"' in again.text


def test_guessing_codes_is_throttled(client, db, mail_app):
    keyring = mail_app.extensions["sabidamu.keyring"]
    org, head, teacher, group = _phone_parent_in(db, keyring)
    parent = make_user(db, "", phone="+77015550003", staff_name=False)
    make_child(db, keyring, "Әлия", parent=parent, group=group)
    db.commit()
    from sabidamu.services.recovery import issue_code
    code = issue_code(db, head, org.id, "+77015550003")
    data = {"login": "+77015550003", "password": NEW, "password2": NEW}
    for guess in ("AAAAA-AAAAA", "BBBBB-BBBBB", "CCCCC-CCCCC", "DDDDD-DDDDD", "EEEEE-EEEEE"):
        assert client.post("/reset/code", data={**data, "code": guess}).status_code == 422
    r = client.post("/reset/code", data={**data, "code": code})  # even the right code, while locked
    assert r.status_code == 422
    db.rollback()
    assert verify_password(find_user(db, "+77015550003").password_hash, PASSWORD)
