"""Sign-in, sessions, throttling and CSRF, through the real app and database."""
import datetime as dt
import re

import pytest
from sqlmodel import select

from sabidamu.models import AuditEvent, LoginThrottle, User, UserSession
from sabidamu.services.auth import find_user
from tests.factories import PASSWORD, make_user
from tests.support.auth import sign_in_with_password


def test_register_creates_parent_waiting_for_confirmation(client, db):
    r = client.post("/register", data={"full_name": "Айгүл Серік", "login": "+7 701 234 56 78", "password": "a-long-password",
                                       "password2": "a-long-password", "agree": "y"})
    assert r.status_code == 200 and "/reset/code" in r.text  # confirmed with a code from the head (tests/accounts)
    user = find_user(db, "+77012345678")
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.unconfirmed and user.full_name == ""  # the name is sealed


@pytest.mark.parametrize("data,field_text", [
    ({"full_name": "", "login": "a@b.kz", "password": "a-long-password", "password2": "a-long-password", "agree": "y"}, "full_name"),
    ({"full_name": "X", "login": "not-an-email", "password": "a-long-password", "password2": "a-long-password", "agree": "y"}, "login"),
    ({"full_name": "X", "login": "a@b.kz", "password": "short", "password2": "short", "agree": "y"}, "password"),
    ({"full_name": "X", "login": "a@b.kz", "password": "a-long-password", "password2": "other-password", "agree": "y"}, "password2"),
    ({"full_name": "X", "login": "a@b.kz", "password": "a-long-password", "password2": "a-long-password"}, "agree"),
])
def test_register_rejects_bad_input_and_keeps_values(client, db, data, field_text):
    r = client.post("/register", data=data)
    assert r.status_code == 422
    assert f'id="{field_text}-err"' in r.text
    if data["login"]:
        assert f'value="{data["login"]}"' in r.text
    assert db.exec(select(User)).all() == []


def test_register_duplicate_login_is_not_revealed(client, db):
    make_user(db, "taken@example.kz")
    db.commit()
    r = client.post("/register", data={"full_name": "X", "login": "Taken@Example.kz", "password": "a-long-password",
                                       "password2": "a-long-password", "agree": "y"})
    assert r.status_code == 200 and 'id="login-err"' not in r.text  # see tests/accounts/test_registration.py
    assert len(db.exec(select(User)).all()) == 1


def test_login_rotates_session_and_logout_ends_it(client, db):
    make_user(db, "p@example.kz")
    db.commit()
    with client.session_transaction() as s:
        s["sid"] = "attacker-chosen"
    assert sign_in_with_password(client, "p@example.kz").status_code == 302
    with client.session_transaction() as s:
        sid = s["sid"]
    assert sid != "attacker-chosen"
    assert client.get("/parent").status_code == 200
    r = client.post("/logout")
    assert r.status_code == 302
    row = db.exec(select(UserSession)).one()
    db.refresh(row)
    assert row.ended_at is not None
    # The old token no longer works even if replayed.
    with client.session_transaction() as s:
        s["sid"] = sid
    assert client.get("/parent").status_code == 302


def test_wrong_password_and_unknown_user_look_the_same(client, db):
    make_user(db, "p@example.kz")
    db.commit()
    a = client.post("/login", data={"login": "p@example.kz", "password": "wrong-password"})
    b = client.post("/login", data={"login": "nobody@example.kz", "password": "wrong-password"})
    assert a.status_code == b.status_code == 422
    msg = lambda r: re.findall(r'role="alert"[^>]*>\s*<p>(.*?)</p>', r.text)  # noqa: E731
    assert msg(a) == msg(b) and msg(a)
    actions = [e.action for e in db.exec(select(AuditEvent)).all()]
    assert actions.count("auth.login_failed") == 2


def test_account_lockout_holds_across_app_instances(app, environ, db):
    from sabidamu import create_app
    make_user(db, "p@example.kz")
    db.commit()
    client = app.test_client()
    for _ in range(5):
        assert client.post("/login", data={"login": "p@example.kz", "password": "nope-nope"}).status_code == 422
    # A second app (another worker, or a restart) sees the same lock: even the right password is refused.
    other = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, environ=environ).test_client()
    r = other.post("/login", data={"login": "p@example.kz", "password": PASSWORD})
    assert r.status_code == 422
    with other.session_transaction() as s:
        assert "sid" not in s
    lock = db.exec(select(LoginThrottle).where(LoginThrottle.key == "acct:p@example.kz")).one()
    assert lock.locked_until is not None


def test_ip_throttle_blocks_spraying_many_accounts(client, db):
    from sabidamu.services import auth
    for i in range(auth.IP_LIMIT):
        client.post("/login", data={"login": f"user{i}@example.kz", "password": "nope-nope"})
    make_user(db, "real@example.kz")
    db.commit()
    assert sign_in_with_password(client, "real@example.kz").status_code == 422


def _age_session(db, **delta):
    row = db.exec(select(UserSession)).one()
    db.refresh(row)
    if "idle" in delta:
        row.last_seen_at = row.last_seen_at - delta["idle"]
    if "age" in delta:
        row.created_at = row.created_at - delta["age"]
        row.last_seen_at = row.last_seen_at - dt.timedelta(minutes=1)
    db.commit()


def test_idle_expiry(client, db):
    make_user(db, "p@example.kz")
    db.commit()
    sign_in_with_password(client, "p@example.kz")
    _age_session(db, idle=dt.timedelta(minutes=31))
    r = client.get("/parent")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_absolute_expiry(client, db):
    make_user(db, "p@example.kz")
    db.commit()
    sign_in_with_password(client, "p@example.kz")
    _age_session(db, age=dt.timedelta(hours=12, minutes=1))
    assert client.get("/parent").status_code == 302


def test_csrf_enforced_on_every_post(environ, db):
    from sabidamu import create_app
    app = create_app({"TESTING": True}, environ=environ)  # CSRF on, as in production
    make_user(db, "p@example.kz")
    db.commit()
    client = app.test_client()
    for path in ("/login", "/register", "/lang", "/logout", "/children/new"):
        r = client.post(path, data={"login": "p@example.kz", "password": PASSWORD, "lang": "ru"})
        assert r.status_code == 400, path
    with client.session_transaction() as s:
        assert "sid" not in s
    # With the token from the form, the same sign-in works.
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"login": "p@example.kz", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302


def test_get_changes_nothing(client, db, app):
    """No route changes state on GET: the language switch, logout and decisions are POST only."""
    make_user(db, "p@example.kz")
    db.commit()
    sign_in_with_password(client, "p@example.kz")
    assert client.get("/logout").status_code == 405
    assert client.get("/lang?lang=ru").status_code == 405
    assert client.get("/enrollments/00000000-0000-4000-8000-000000000000/accept").status_code == 405
    assert client.get("/parent").status_code == 200


def test_language_choice_order(client, db):
    r = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru">' in r.text
    r = client.get("/", headers={"Accept-Language": "en-US"})
    assert '<html lang="kk">' in r.text
    client.post("/lang", data={"lang": "kk"})
    r = client.get("/", headers={"Accept-Language": "ru"})
    assert '<html lang="kk">' in r.text  # explicit choice wins


def test_user_profile_language_used_after_login(app, db):
    make_user(db, "ru@example.kz", locale="ru")
    db.commit()
    client = app.test_client()
    sign_in_with_password(client, "ru@example.kz")
    r = client.get("/parent", headers={"Accept-Language": "kk"})
    assert '<html lang="ru">' in r.text
