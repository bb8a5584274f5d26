"""send_mail talks to a real SMTP server (aiosmtpd on 127.0.0.1): plain, and STARTTLS with a login."""
from __future__ import annotations

import logging

import pytest

from sabidamu.config import load_settings
from sabidamu.services.mail import MailError, send_mail
from tests.support.smtp import smtp_server, smtp_server_tls  # noqa: F401


def _settings(tmp_path, extra: dict, env: str = "development"):
    return load_settings({"SABIDAMU_ENV": env, "SABIDAMU_INSTANCE_DIR": str(tmp_path / "i"),
                          "SABIDAMU_SECRET_KEY": "k" * 40, **extra})


def test_plain_smtp_delivers_utf8_message(tmp_path, smtp_server):
    settings = _settings(tmp_path, smtp_server.environ)
    send_mail(settings, "ana@example.kz", "Құпиясөзді қалпына келтіру", "Сәлеметсіз бе!\nСілтеме: https://x/y")
    [got] = smtp_server.wait_for(1)
    assert got.rcpt_tos == ["ana@example.kz"]
    assert got.message["Subject"] == "Құпиясөзді қалпына келтіру"
    assert got.message["From"] == "SabiDamu <no-reply@sabidamu.test>"
    assert "Сілтеме: https://x/y" in got.body


def test_starttls_with_login(tmp_path, smtp_server_tls):
    settings = _settings(tmp_path, smtp_server_tls.environ)
    assert settings.smtp_tls == "starttls" and settings.smtp_user
    send_mail(settings, "bek@example.kz", "Subject", "Body")
    [got] = smtp_server_tls.wait_for(1)
    assert got.rcpt_tos == ["bek@example.kz"]
    assert smtp_server_tls.logins == ["sabidamu-test"]


def test_wrong_password_is_a_mail_error(tmp_path, smtp_server_tls):
    settings = _settings(tmp_path, {**smtp_server_tls.environ, "SABIDAMU_SMTP_PASSWORD": "wrong"})
    with pytest.raises(MailError):
        send_mail(settings, "bek@example.kz", "Subject", "Body")
    assert smtp_server_tls.messages == []


def test_untrusted_certificate_is_refused(tmp_path, smtp_server_tls):
    environ = {k: v for k, v in smtp_server_tls.environ.items() if k != "SABIDAMU_SMTP_CA_FILE"}
    with pytest.raises(MailError):
        send_mail(_settings(tmp_path, environ), "bek@example.kz", "Subject", "Body")
    assert smtp_server_tls.messages == []


def test_no_host_in_development_logs_and_sends_nothing(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="sabidamu.services.mail"):
        send_mail(_settings(tmp_path, {}), "ana@example.kz", "S", "B")
    assert "mail is disabled" in caplog.text
    assert "ana@example.kz" not in caplog.text


def test_no_host_in_production_is_an_error(tmp_path):
    import dataclasses
    settings = dataclasses.replace(_settings(tmp_path, {}), env="production")
    with pytest.raises(MailError):
        send_mail(settings, "ana@example.kz", "S", "B")


def test_bad_tls_setting_refused(tmp_path):
    from sabidamu.config import ConfigError
    with pytest.raises(ConfigError):
        _settings(tmp_path, {"SABIDAMU_SMTP_TLS": "maybe"})
