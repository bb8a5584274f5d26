"""Common passwords are refused wherever a password is set (attack: guessing with a top-N list)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from sabidamu.models import AuditEvent, User, UserSession
from sabidamu.passwords import common_passwords, is_common, password_problem, verify_password
from sabidamu.services import ServiceError
from sabidamu.services.auth import change_password
from tests.factories import PASSWORD, make_user
from tests.support.auth import sign_in_with_password


def test_list_is_shipped_and_large():
    listed = common_passwords()
    assert len(listed) >= 30000 - 500  # lower-cased duplicates fold together
    assert "qwertyuiop" in listed and "password" in listed


@pytest.mark.parametrize("password", ["qwertyuiop", "Password123", "1q2w3e4r5t", "qwerty2026!", "123456789012",
                                      "2026!qwerty", "aaaaaaaaaaaa", "rjirfrgbde"])
def test_common_and_padded_common_passwords_refused(password):
    assert is_common(password)
    assert password_problem(password) in ("password_common", "password_short")


@pytest.mark.parametrize("password", [PASSWORD, "SabiDamu-demo-2026", "Айгүл-балабақша-7", "tulpan kitap terezе"])
def test_uncommon_passwords_pass(password):
    assert password_problem(password) is None


def test_personal_values_refused():
    assert password_problem("aigul@mail.kz", "aigul@mail.kz") == "password_personal"
    assert password_problem("+77012345678!", "+77012345678") == "password_personal"


def test_register_refuses_common_password_with_message_in_kk_and_ru(client, db):
    for lang, text in (("kk", "жиі"), ("ru", "распространённ")):
        client.post("/lang", data={"lang": lang})
        r = client.post("/register", data={"full_name": "Айгүл", "login": "a@b.kz", "password": "qwertyuiop1",
                                           "password2": "qwertyuiop1", "agree": "y"})
        assert r.status_code == 422
        assert 'id="password-err"' in r.text and text in r.text
    assert db.exec(select(User)).all() == []


def test_change_password_service(db):
    user = make_user(db, "p@example.kz")
    db.commit()
    with pytest.raises(ServiceError) as exc:
        change_password(db, user, "wrong-current-pass", "Tulpan-kitap-2026")
    assert exc.value.code == "password_wrong"
    with pytest.raises(ServiceError) as exc:
        change_password(db, user, PASSWORD, "password2026")
    assert exc.value.code == "password_common"
    db.rollback()
    change_password(db, user, PASSWORD, "Tulpan-kitap-2026")
    db.refresh(user)
    assert verify_password(user.password_hash, "Tulpan-kitap-2026")
    actions = [e.action for e in db.exec(select(AuditEvent)).all()]
    assert "account.password_change" in actions and "account.password_change_failed" in actions


def test_change_password_is_throttled(db):
    user = make_user(db, "p@example.kz")
    db.commit()
    for _ in range(5):
        with pytest.raises(ServiceError):
            change_password(db, user, "wrong-current-pass", "Tulpan-kitap-2026")
    with pytest.raises(ServiceError) as exc:
        change_password(db, user, PASSWORD, "Tulpan-kitap-2026")  # even the right one, while locked
    assert exc.value.code == "login_locked"


def test_change_password_ends_other_sessions(client, app, db):
    user = make_user(db, "p@example.kz")
    db.commit()
    other = app.test_client()
    sign_in_with_password(other, "p@example.kz")
    sign_in_with_password(client, "p@example.kz")
    keep = db.exec(select(UserSession).order_by(UserSession.created_at.desc())).first()
    change_password(db, user, PASSWORD, "Tulpan-kitap-2026", keep=keep)
    open_rows = db.exec(select(UserSession).where(UserSession.ended_at.is_(None))).all()
    assert [r.id for r in open_rows] == [keep.id]
