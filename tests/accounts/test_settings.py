"""A parent changes their name, e-mail and phone (current password required; re-sealed) and signs out of the
other sessions."""
from __future__ import annotations

from sqlmodel import select

from sabidamu.models import AuditEvent, UserSession
from sabidamu.services.auth import find_user
from sabidamu.services.identity import identity_of
from tests.factories import PASSWORD, make_user
from tests.support.auth import sign_in_with_password
from tests.support.smtp import smtp_server  # noqa: F401


def _form(**over):
    data = {"full_name": "Айгүл Серікова", "email": "ana@example.kz", "phone": "", "current": PASSWORD}
    data.update(over)
    return data


def test_change_details_with_current_password(client, db, keyring):
    make_user(db, "ana@example.kz", staff_name=False)
    make_user(db, "taken@example.kz")
    db.commit()
    sign_in_with_password(client, "ana@example.kz")
    page = client.get("/account")
    assert page.status_code == 200 and 'value="ana@example.kz"' in page.text
    r = client.post("/account", data=_form(email="new@example.kz", phone="8 701 555 00 04", current="wrong-one-1"))
    assert r.status_code == 422 and 'id="current-err"' in r.text and 'value="new@example.kz"' in r.text
    r = client.post("/account", data=_form(email="taken@example.kz"))
    assert r.status_code == 302  # not told here whether another account uses it (checked when its link is opened)
    db.rollback()
    assert find_user(db, "taken@example.kz").id != find_user(db, "ana@example.kz").id
    r = client.post("/account", data=_form(email="", phone=""))
    assert r.status_code == 422
    r = client.post("/account", data=_form(phone="8 701 555 00 04"))
    assert r.status_code == 302
    db.rollback()
    user = find_user(db, "+77015550004")
    assert user is not None and find_user(db, "ana@example.kz").id == user.id
    ident = identity_of(user, keyring)
    assert (ident.name, ident.email, ident.phone) == ("Айгүл Серікова", "ana@example.kz", "+77015550004")
    assert user.full_name == ""  # a parent's name stays sealed
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "account.profile_change")).all()
    assert events and all("+77015550004" not in str(e.detail) and "Айгүл" not in str(e.detail) for e in events)
    assert sign_in_with_password(client.application.test_client(), "+77015550004").status_code == 302


def test_sign_out_everywhere_else(client, app, db):
    make_user(db, "ana@example.kz", staff_name=False)
    db.commit()
    phone = app.test_client()
    sign_in_with_password(phone, "ana@example.kz")
    sign_in_with_password(client, "ana@example.kz")
    assert client.post("/account/sessions/end-others").status_code == 302
    assert phone.get("/account").status_code == 302  # the other device is signed out
    assert client.get("/account").status_code == 200  # this one stays
    db.rollback()
    assert len(db.exec(select(UserSession).where(UserSession.ended_at.is_(None))).all()) == 1


def test_new_email_is_used_only_after_its_link_and_the_old_one_is_told(environ, smtp_server):
    """Attack: a stolen session (and password) moves the account to the attacker's address. A typo or someone
    else's address must not start receiving this account's resets either."""
    import re

    from sabidamu import create_app
    from sabidamu.db import session_scope
    environ.update(smtp_server.environ)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, environ=environ)
    with session_scope(app.extensions["sabidamu.engine"]) as s:
        make_user(s, "ana@example.kz", staff_name=False, locale="kk")
    client = app.test_client()
    sign_in_with_password(client, "ana@example.kz")
    assert client.post("/account", data=_form(email="thief@example.kz")).status_code == 302
    with session_scope(app.extensions["sabidamu.engine"], write=False) as s:
        assert find_user(s, "thief@example.kz") is None  # not yet
        assert find_user(s, "ana@example.kz") is not None
    [confirm] = smtp_server.to("thief@example.kz")
    path = re.search(r"/account/email/[A-Za-z0-9_-]+", confirm.body).group(0)
    assert client.get(path).status_code == 302
    assert client.get(path).status_code == 410  # single use
    with session_scope(app.extensions["sabidamu.engine"], write=False) as s:
        assert find_user(s, "ana@example.kz") is None and find_user(s, "thief@example.kz") is not None
    [notice] = smtp_server.to("ana@example.kz")
    assert "thief@example.kz" not in notice.body and "SabiDamu" in notice.message["Subject"]
    app.extensions["sabidamu.engine"].dispose()
