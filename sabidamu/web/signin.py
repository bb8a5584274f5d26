"""Starting a signed-in session, shared by the sign-in page (auth) and the second step (account), so neither
blueprint imports the other."""
from __future__ import annotations

import datetime as dt

from flask import redirect, session, url_for

from ..services.auth import start_session
from .common import db

PENDING_KEY = "pending_2fa"


def fresh_session() -> None:
    """A new, empty session (and CSRF token) that keeps only the language the visitor chose."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def sign_in(user) -> None:
    fresh_session()  # a fresh session (and CSRF token) at every sign-in
    session["sid"] = start_session(db(), user)


def begin_second_step(user, next_url: str):
    """After a correct password for a user with TOTP: no session yet, the code page comes first."""
    fresh_session()
    session[PENDING_KEY] = {"uid": str(user.id), "at": dt.datetime.now(dt.UTC).timestamp(),
                            "next": next_url}
    return redirect(url_for("account.login_code"))
