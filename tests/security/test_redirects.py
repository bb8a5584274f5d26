"""Open redirects: a "next" target is followed only when it is a path on this site, after removing the control
characters and whitespace a browser would drop (`/\t/evil.example` is `//evil.example` to a browser)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pyotp
import pytest

from sabidamu.web.redirects import safe_next
from tests.factories import PASSWORD, TOTP_SECRETS

EVIL = [
    "//evil.example", "/\t/evil.example", "/\n/evil.example", "\t//evil.example", " //evil.example",
    "/\\evil.example", "\\\\evil.example", "/\r\n/evil.example", "/\u200b/evil.example", "/\x00/evil.example",
    "https://evil.example/", "javascript:alert(1)", "http:/evil.example", "evil.example", "/\u3000/evil.example",
]


def is_internal(location: str) -> bool:
    """What a browser would make of the Location header: no other host, no scheme."""
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").strip().replace("\\", "/")
    parts = urlsplit(cleaned)
    return (parts.netloc in ("", "localhost")) and parts.scheme in ("", "http") and "evil" not in location


@pytest.mark.parametrize("target", EVIL)
def test_helper_refuses_anything_but_a_local_path(target):
    assert safe_next(target, "/home") == "/home"


def test_helper_keeps_a_local_path_and_drops_what_a_browser_drops():
    assert safe_next("/groups/1/report?lang=ru", "/") == "/groups/1/report?lang=ru"
    assert safe_next("/gr\toups/1", "/") == "/groups/1"
    assert safe_next(None, "/x") == "/x"
    assert safe_next("/" + "a" * 3000, "/x") == "/x"


@pytest.mark.parametrize("target", EVIL)
def test_sign_in_next(client, world, target):
    response = client.post("/login", query_string={"next": target},
                           data={"login": "parenta@example.kz", "password": PASSWORD})
    assert response.status_code == 302
    assert is_internal(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", " //evil.example"])
def test_one_time_code_step_next(client, world, target):
    first = client.post("/login", query_string={"next": target},
                        data={"login": "head1@example.kz", "password": PASSWORD})
    assert first.headers["Location"].endswith("/login/code")
    code = pyotp.TOTP(TOTP_SECRETS["head1@example.kz"]).now()
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 302
    assert is_internal(response.headers["Location"]), response.headers["Location"]


def test_one_time_code_step_cannot_be_fed_a_target_through_the_session(client, world):
    """The code step re-checks what it reads back (defence in depth: the session is signed, not trusted)."""
    client.post("/login", data={"login": "head1@example.kz", "password": PASSWORD})
    with client.session_transaction() as s:
        s["pending_2fa"]["next"] = "/\t/evil.example"
        s.modified = True
    code = pyotp.TOTP(TOTP_SECRETS["head1@example.kz"]).now()
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 302 and is_internal(response.headers["Location"])


@pytest.mark.parametrize("target", EVIL)
def test_language_switch_next(client, target):
    response = client.post("/lang", data={"lang": "ru", "next": target})
    assert response.status_code == 302
    assert is_internal(response.headers["Location"]), response.headers["Location"]


def test_language_switch_returns_to_the_page(client):
    response = client.post("/lang", data={"lang": "ru", "next": "/login?next=/home"})
    assert response.headers["Location"] == "/login?next=/home"
