"""Outgoing mail over SMTP (smtplib): password reset links and confirmations.

Settings come from sabidamu/config.py (SABIDAMU_SMTP_HOST, _PORT, _TLS none|starttls|ssl, _USER, _PASSWORD,
_FROM, _CA_FILE). Without a host, development logs that mail is off and sends nothing; production raises
MailError, which the caller turns into its own neutral answer (nothing about the recipient leaks).
The log line never holds the recipient or the body: they are personal data, and a reset link is a secret.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..config import Settings

log = logging.getLogger(__name__)
TIMEOUT = 20  # seconds for connect and each SMTP command


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def _tls_context(settings: Settings) -> ssl.SSLContext:
    if settings.smtp_ca_file is not None:
        return ssl.create_default_context(cafile=str(settings.smtp_ca_file))
    return ssl.create_default_context()


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = settings.smtp_from.rsplit("@", 1)[-1].strip("> ") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)  # UTF-8, so Kazakh and Russian text travel intact
    return message


def queue_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Hands the message to the task queue when the app has one (a consumer sends it, retried with back-off;
    jobs/tasks.py seals it on its way), else sends it now (send_mail)."""
    from flask import current_app, has_app_context
    enqueue = current_app.extensions.get("sabidamu.mail_queue") if has_app_context() else None
    if enqueue is None:
        send_mail(settings, to, subject, body)
    else:
        enqueue(settings, to, subject, body)


def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Sends one plain-text message; raises MailError when the server refuses or cannot be reached."""
    if not settings.smtp_host:
        if settings.production:
            raise MailError("SABIDAMU_SMTP_HOST is not set")
        log.warning("mail is disabled (no SABIDAMU_SMTP_HOST): a message was not sent")
        return
    message = build_message(settings, to, subject, body)
    try:
        if settings.smtp_tls == "ssl":
            client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT,
                                      context=_tls_context(settings))
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT)
        with client:
            client.ehlo()
            if settings.smtp_tls == "starttls":
                client.starttls(context=_tls_context(settings))
                client.ehlo()
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        log.error("mail could not be sent: %s", type(exc).__name__)
        raise MailError(type(exc).__name__) from exc
