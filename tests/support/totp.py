"""The second factor through the web pages: the password step alone, a code of a given step, enrolment."""
from __future__ import annotations

import datetime as dt
import html
import re

import pyotp

from tests.factories import PASSWORD


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The authenticator's code `offset_steps` 30-second steps from now."""
    return pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC).timestamp() + 30 * offset_steps)


def password_step(client, email: str):
    """The first step of signing in only: staff with a second factor are sent on to /login/code."""
    return client.post("/login", data={"login": email, "password": PASSWORD})


def enrol_through_pages(client) -> tuple[str, list[str]]:
    """Enrols the signed-in user through the pages; returns the secret and the recovery codes."""
    assert client.post("/account/totp/begin").status_code == 302
    page = client.get("/account/security").text
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert "otpauth://totp/SabiDamu" in html.unescape(page)
    wrong = client.post("/account/totp/confirm", data={"confirm-code": "000000" if code_at(secret) != "000000" else "111111"})
    assert wrong.status_code == 422 and 'id="confirm-code"' in wrong.text  # the form is shown again
    done = client.post("/account/totp/confirm", data={"confirm-code": code_at(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", done.text)
    assert len(codes) == 10
    return secret, codes
