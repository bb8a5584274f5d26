"""Writes an account message (services.recovery.Outgoing) in the recipient's language and sends it.

Links use SABIDAMU_BASE_URL, never the request's Host header (a forged Host would otherwise send a valid reset
token to an attacker's site). Development without a base URL falls back to the request's own address.
The message is handed to the task queue (services.mail.queue_mail; a consumer sends it, retried), so the answer on
screen takes the same time whether or not a message goes out (the page must not reveal that an account exists).
"""
from __future__ import annotations

import contextlib
import logging

from flask import current_app, render_template, request, url_for
from flask_babel import force_locale

from ...localized import LANGS
from ...services.mail import MailError, queue_mail
from ...services.recovery import Outgoing
from ..formatting import current_lang

log = logging.getLogger(__name__)
ENDPOINTS = {"reset": "auth.reset", "confirm": "auth.confirm", "email_confirm": "settings.confirm_email"}


def link_for(kind: str, token: str) -> str:
    settings = current_app.config["SETTINGS"]
    path = url_for(ENDPOINTS[kind], token=token)
    if settings.base_url:
        return settings.base_url + path
    if settings.production:
        raise MailError("SABIDAMU_BASE_URL is not set")
    return request.host_url.rstrip("/") + path


def deliver(out: Outgoing | None) -> None:
    if out is None:
        return
    settings = current_app.config["SETTINGS"]
    lang = out.locale if out.locale in LANGS else current_lang()
    try:
        link = link_for(out.kind, out.token) if out.token else None
    except MailError:
        log.error("no message sent: SABIDAMU_BASE_URL is not set")
        return
    with force_locale(lang):
        subject = render_template(f"auth/mail/{out.kind}_subject.txt").strip()
        body = render_template(f"auth/mail/{out.kind}.txt", link=link,
                               forgot=_absolute(settings, url_for("auth.forgot")))
    _send(settings, out.to, subject, body)  # under tests the queue sends it at once


def _send(settings, to: str, subject: str, body: str) -> None:
    with contextlib.suppress(MailError):  # no queue and no mail server: logged by send_mail, without the address
        queue_mail(settings, to, subject, body)


def _absolute(settings, path: str) -> str:
    return (settings.base_url or request.host_url.rstrip("/")) + path
