"""Signing a test client in and out: the one helper of the whole suite (as the Flask tutorial's AuthActions).

    auth.sign_in("head1")                    a session at once (a world name, an e-mail, a phone or a User);
                                             for tests about something else than signing in. Returns the User.
    auth.sign_in_with_password("a@b.kz")     through the sign-in form, and the code step for staff with a second
                                             factor (tests/factories.enrol_totp). Returns the last response.
    auth.sign_out()

The `auth` and `sign_in` fixtures (tests/conftest.py) hold one for the test's client; a test with a second client
makes its own: AuthActions(other_client, db). Browser tests sign in through the page: tests/support/browser.py."""
from __future__ import annotations

import datetime as dt

from sabidamu.models import User
from tests.factories import PASSWORD, TOTP_SECRETS


def totp_code(login: str, steps_ahead: int = 0) -> str | None:
    """The authenticator's code of staff enrolled by tests/factories.enrol_totp (None for anyone else)."""
    secret = TOTP_SECRETS.get(login)
    if secret is None:
        return None
    import pyotp
    return pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC).timestamp() + 30 * steps_ahead)


def sign_in_with_password(client, login: str, password: str = PASSWORD):
    """Posts the sign-in form; staff enrolled with enrol_totp pass the code step too. Returns the last response."""
    response = client.post("/login", data={"login": login, "password": password}, follow_redirects=False)
    if TOTP_SECRETS.get(login) is None or response.status_code != 302 \
            or "/login/code" not in response.headers.get("Location", ""):
        return response
    # Each code works once: a second sign-in within the same 30 s uses the next step's code.
    for ahead in (0, 1):
        response = client.post("/login/code", data={"code": totp_code(login, ahead)}, follow_redirects=False)
        if response.status_code == 302:
            return response
    return response


def world_login(who: str) -> str:
    """A world name ("head1", "parentA") stands for its e-mail; an e-mail or a phone is itself."""
    return who if "@" in who or who.startswith("+") else f"{who.lower()}@example.kz"


def world_user(db, who: str) -> User:
    """The account of a world name ("head1"), an e-mail or a phone."""
    from sabidamu.services.auth import find_user
    return find_user(db, world_login(who))


class AuthActions:
    def __init__(self, client, db=None):
        self.client = client
        self.db = db

    def sign_in(self, who: str | User) -> User:
        """Opens a session for `who` directly, as the end of a sign-in does, and returns the User."""
        from sabidamu.services.auth import start_session
        # End the test session's transaction first: a read begun before the requests made since would see an old
        # snapshot, and SQLite refuses a write from it.
        self.db.commit()
        user = who if isinstance(who, User) else world_user(self.db, who)
        assert user is not None, f"no account signs in as {who!r}"
        token = start_session(self.db, user)
        with self.client.session_transaction() as s:
            s["sid"] = token
        return user

    def sign_in_with_password(self, login: str, password: str = PASSWORD):
        return sign_in_with_password(self.client, world_login(login), password)

    def sign_out(self):
        return self.client.post("/logout")
