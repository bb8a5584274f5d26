"""The guardian's e-mail copy of a paper-consent notice, read from a real SMTP server (aiosmtpd): in the guardian's
language, with the child's first name only; no address known, no mail; a mail server down never undoes the
consent or its in-app notice."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sabidamu.models import Consent, User
from sabidamu.models.notification import Notification
from tests.support.auth import AuthActions
from tests.support.consent import count, post
from tests.support.smtp import smtp_server  # noqa: F401  (the fixture)

TODAY = dt.date.today()


@pytest.fixture
def app(environ, smtp_server):  # noqa: F811  (this module's app mails to the test server)
    from sabidamu import create_app
    environ.update(smtp_server.environ)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, environ=environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()


def _record_and_confirm(client, db, keyring, w):
    from sabidamu.services.children import open_child
    AuthActions(client, db).sign_in(w.users["head1"])
    url = f"/orgs/{w.orgs['org1'].id}/consents/paper"
    assert post(client, url, {"iin": open_child(keyring, w.children["A"]).iin, "purpose": "kindergarten_monitoring",
                              "guardian_name": "Ахметова Г.", "paper_date": TODAY.isoformat()}).status_code == 302
    from sabidamu.models.consent import PendingPaperConsent
    db.rollback()
    pending = db.exec(select(PendingPaperConsent)).one()
    db.rollback()
    AuthActions(client, db).sign_in(w.users["head1b"])
    assert post(client, f"{url}/{pending.id}/confirm").status_code == 302


@pytest.mark.parametrize("locale,expected", [("ru", "на бумаге"), ("kk", "қағаз")])
def test_the_guardian_is_mailed_in_their_language(spec, client, db, keyring, smtp_server, locale, expected):  # noqa: F811
    w = spec
    db.get(User, w.users["parentA"].id).locale = locale
    db.commit()
    _record_and_confirm(client, db, keyring, w)
    (message,) = smtp_server.wait_for(1)
    assert message.rcpt_tos == ["parenta@example.kz"]
    text = (message.message["Subject"] + "\n" + message.body)
    assert "Әлия" in text and "Ахметова" not in text  # the first name only
    assert expected in text.lower()
    assert "/notices" in message.body
    assert count(db, Notification) == 1


def test_no_mail_without_an_address_and_a_dead_server_changes_nothing(spec, client, db, keyring, smtp_server,  # noqa: F811
                                                                      app):
    w = spec
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = type(settings)(**{**settings.__dict__, "smtp_port": 1})  # nothing listens there
    _record_and_confirm(client, db, keyring, w)
    assert smtp_server.messages == []
    db.rollback()
    assert count(db, Consent) == 1 and count(db, Notification) == 1  # the consent and the notice stand
