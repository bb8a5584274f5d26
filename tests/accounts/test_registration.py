"""Registration reveals nothing about existing accounts, is confirmed by e-mail (or a head's code for a phone),
records the privacy notice version, and is throttled. The privacy notice exists in kk and ru."""
from __future__ import annotations

import re

import pytest

from sabidamu.passwords import verify_password
from sabidamu.services.auth import find_user
from sabidamu.services.registration import PRIVACY_NOTICE_VERSION
from tests.factories import PASSWORD, make_user
from tests.support.auth import sign_in_with_password
from tests.support.smtp import mail_app, smtp_server  # noqa: F401

PW = "Sary-arka-dala-2026"
CONFIRM = re.compile(r"https?://\S+(/confirm/[A-Za-z0-9_-]+)")


@pytest.fixture
def client(mail_app):
    return mail_app.test_client()


@pytest.fixture
def db(mail_app):
    from sabidamu.db import session_scope
    with session_scope(mail_app.extensions["sabidamu.engine"], write=False) as session:
        yield session


def _register(client, login_value, password=PW, name="Айгүл Серікова"):
    return client.post("/register", data={"full_name": name, "login": login_value, "password": password,
                                          "password2": password, "agree": "y"})


def _page(html: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*>', "", html)
    return re.sub(r"(new|taken)@example\.kz", "X", html, flags=re.I)


def test_new_and_existing_address_get_the_same_answer(client, db, smtp_server):
    """Attack: finding out whether someone has an account by registering with their address."""
    make_user(db, "taken@example.kz")
    db.commit()
    new = _register(client, "new@example.kz")
    taken = _register(client, "Taken@Example.kz", password="Other-password-2026")
    assert new.status_code == taken.status_code == 200
    assert _page(new.text) == _page(taken.text)
    db.rollback()
    assert verify_password(find_user(db, "taken@example.kz").password_hash, PASSWORD)  # untouched
    [to_new] = smtp_server.to("new@example.kz")
    [to_taken] = smtp_server.to("taken@example.kz")
    assert CONFIRM.search(to_new.body) and not CONFIRM.search(to_taken.body)
    assert "/forgot" in to_taken.body


def test_email_account_confirmed_with_link_and_password(client, db, smtp_server):
    _register(client, "new@example.kz")
    db.rollback()
    user = find_user(db, "new@example.kz")
    assert user.unconfirmed and user.privacy_version == PRIVACY_NOTICE_VERSION
    r = sign_in_with_password(client, "new@example.kz", PW)  # not before confirmation
    assert r.status_code == 422
    path = CONFIRM.search(smtp_server.to("new@example.kz")[0].body).group(1)
    assert client.post(path, data={"password": "wrong-password-1"}).status_code == 422
    r = client.post(path, data={"password": PW})
    assert r.status_code == 302 and r.headers["Location"].endswith("/parent")
    assert client.get("/parent").status_code == 200
    assert client.get(path).status_code == 410  # single use


def test_pre_registered_address_cannot_be_taken_over(client, db, smtp_server):
    """Attack: registering the victim's address first with the attacker's password, hoping the victim confirms."""
    _register(client, "new@example.kz", password="Attacker-pass-2026")
    _register(client.application.test_client(), "new@example.kz", password=PW)  # the victim tries
    # The victim's own password does not confirm the attacker's registration...
    link = CONFIRM.search(smtp_server.to("new@example.kz")[-1].body).group(1)
    assert client.application.test_client().post(link, data={"password": PW}).status_code == 422
    # ...the victim resets it through the address, which confirms the account with the victim's password.
    victim = client.application.test_client()
    victim.post("/forgot", data={"login": "new@example.kz"})
    reset = re.search(r"/reset/[A-Za-z0-9_-]+", smtp_server.to("new@example.kz")[-1].body).group(0)
    assert victim.post(reset, data={"password": PW, "password2": PW}).status_code == 302
    assert sign_in_with_password(victim, "new@example.kz", PW).status_code == 302
    assert sign_in_with_password(client.application.test_client(), "new@example.kz", "Attacker-pass-2026").status_code == 422


def test_phone_registration_waits_for_code(client, db, smtp_server):
    r = _register(client, "+7 701 555 00 09")
    assert r.status_code == 200 and "/reset/code" in r.text
    assert smtp_server.messages == []
    db.rollback()
    assert find_user(db, "+77015550009").unconfirmed


def test_registration_throttled_per_ip(client, db, smtp_server):
    for i in range(10):
        assert _register(client, f"p{i}@example.kz").status_code == 200
    r = _register(client, "p10@example.kz")
    assert r.status_code == 429
    db.rollback()
    assert find_user(db, "p10@example.kz") is None


@pytest.mark.parametrize("lang,words", [
    ("kk", ["Құпиялылық туралы хабарлама", "Біз не сақтаймыз", "Не үшін", "Кім көреді", "Қанша уақыт сақтаймыз",
            "Сіздің құқықтарыңыз", "Байланыс"]),
    ("ru", ["Уведомление о конфиденциальности", "Что мы храним", "Зачем", "Кто видит", "Сколько храним",
            "Ваши права", "Контакты"]),
])
def test_privacy_notice_in_both_languages(client, lang, words):
    client.post("/lang", data={"lang": lang})
    r = client.get("/privacy")
    assert r.status_code == 200 and f'<html lang="{lang}"' in r.text
    for word in words:
        assert word in r.text
    register = client.get("/register").text
    assert 'href="/privacy"' in register  # linked from the form...
    assert 'href="/privacy"' in client.get("/login").text  # ...and from the footer of every page
