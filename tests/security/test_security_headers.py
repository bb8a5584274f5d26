import pytest

from tests.support.auth import sign_in_with_password


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/no-such-page"])
def test_headers_on_public_pages(client, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"


def test_child_pages_are_not_cached(client, world):
    sign_in_with_password(client, "parenta@example.kz")
    r = client.get(f"/children/{world.children['A'].id}")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"


def test_no_inline_scripts_or_styles(client):
    html = client.get("/register").text
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_session_cookie_flags(client, world):
    r = sign_in_with_password(client, "parenta@example.kz")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("lang,expected", [("kk", "kk"), ("ru", "ru")])
def test_error_pages_in_both_languages(client, lang, expected):
    client.post("/lang", data={"lang": lang})
    r = client.get("/no-such-page")
    assert r.status_code == 404 and f'<html lang="{expected}">' in r.text


@pytest.mark.parametrize("lang,title", [("kk", "Бірдеңе дұрыс болмады"), ("ru", None)])
def test_server_error_page_in_both_languages(environ, lang, title):
    from sabidamu import create_app
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False, "WTF_CSRF_ENABLED": False}, environ=environ)

    @app.get("/boom")
    def boom():
        raise RuntimeError("internal-detail-7f3a")

    client = app.test_client()
    client.post("/lang", data={"lang": lang})
    r = client.get("/boom")
    assert r.status_code == 500 and f'<html lang="{lang}">' in r.text and "internal-detail-7f3a" not in r.text
    if title:
        assert title in r.text
    assert r.headers["Cache-Control"] == "no-store"
