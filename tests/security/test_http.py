"""HTTP-level hardening: a file where a text field is expected is a 400 (never a 500) on every form; 405 carries
an Allow header; in production no server version is sent (real gunicorn and real Werkzeug servers)."""
from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms.fields import FileField

from tests.factories import PASSWORD
from tests.support.auth import sign_in_with_password

ROOT = Path(__file__).resolve().parents[2]


def all_form_classes() -> list[type]:
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("sabidamu."):
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def test_every_form_of_the_app_is_checked(app):
    names = {c.__name__ for c in all_form_classes()}
    assert {"LoginForm", "RegisterForm", "StaffForm", "CodeForm"} <= names


def test_a_file_in_any_text_field_of_any_form_is_a_bad_request(app):
    checked = 0
    for cls in all_form_classes():
        probe = _instance(app, cls, {})
        text_fields = [f.name for f in probe if not isinstance(f, FileField) and f.type != "CSRFTokenField"]
        for name in text_fields:
            with pytest.raises(BadRequest):
                _instance(app, cls, {name: (io.BytesIO(b"%PDF-1.7 not a text"), "x.pdf")})
            checked += 1
    assert checked > 50


def _instance(app, cls, files):
    with app.test_request_context("/", method="POST", data=files, content_type="multipart/form-data"):
        form = cls()
        form.validate()
        return form


@pytest.mark.parametrize("path,data", [
    ("/login", {"login": "FILE", "password": PASSWORD}),
    ("/login", {"login": "parenta@example.kz", "password": "FILE"}),
    ("/register", {"full_name": "FILE", "login": "new@example.kz", "password": "x" * 12, "password2": "x" * 12,
                   "agree": "y"}),
])
def test_a_file_sent_to_a_text_field_is_400_on_the_page(client, world, path, data):
    body = {k: (io.BytesIO(b"binary \x00\xff"), "a.bin") if v == "FILE" else v for k, v in data.items()}
    response = client.post(path, data=body, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "<html" in response.text  # the app's own error page


def test_a_file_to_a_signed_in_form_is_400(client, world):
    sign_in_with_password(client, "head1@example.kz")
    org = world.orgs["org1"].id
    body = {"full_name": (io.BytesIO(b"x"), "a.txt"), "login": "t9@example.kz", "role": "teacher",
            "specialist_kind": "", "password": "x" * 12}
    assert client.post(f"/orgs/{org}/staff/new", data=body, content_type="multipart/form-data").status_code == 400


def test_a_real_upload_form_still_takes_its_files(client, world):
    # The transfer export form has a file field (the school's key): a file there is not refused by the guard.
    sign_in_with_password(client, "head1@example.kz")
    org = world.orgs["org1"].id
    body = {"recipient_file": (io.BytesIO(b"not a key"), "age-recipient.txt"), "school": "other", "lang": "kk"}
    response = client.post(f"/orgs/{org}/transfer/export", data=body, content_type="multipart/form-data")
    assert response.status_code != 400 and response.status_code < 500


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/login", {"GET", "POST"}), ("DELETE", "/lang", {"POST"}), ("GET", "/logout", {"POST"}),
])
def test_405_carries_an_allow_header(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    methods = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed <= methods
    assert "<html" in response.text


# -- the Server header of real servers in production -------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production_environ(environ, tmp_path):
    keys = tmp_path / "master.keys"
    keys.write_text(environ["SABIDAMU_MASTER_KEYS"] + "\n")
    keys.chmod(0o600)
    env = dict(environ, SABIDAMU_ENV="production", SABIDAMU_ALLOW_SQLITE="1",
               SABIDAMU_MASTER_KEY_FILE=str(keys), SABIDAMU_AUDIT_CHECKPOINT_MINUTES="0")
    env.pop("SABIDAMU_MASTER_KEYS")
    return env


def _headers(port: int, path: str = "/login") -> dict:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return {k.lower(): v for k, v in response.headers.items()} | {"_all": response.headers.get_all("Server")}
        except OSError:
            time.sleep(0.1)
    pytest.fail("the server did not answer")


def _no_version(headers: dict) -> None:
    servers = headers["_all"] or []
    assert servers, "a Server header is expected (gunicorn always sends one)"
    for value in servers:
        assert not any(ch.isdigit() for ch in value), value
        assert "Python" not in value and "Werkzeug" not in value, value


def test_gunicorn_in_production_sends_no_version(production_environ):
    port = _free_port()
    env = dict(os.environ, **production_environ)
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "1", "--bind",
                               f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        headers = _headers(port)
    finally:
        server.terminate()
        server.communicate(timeout=20)  # waits, and reads and closes the stderr pipe
    _no_version(headers)


def test_werkzeug_server_in_production_sends_no_version(production_environ):
    from werkzeug.serving import make_server

    from sabidamu import create_app
    app = create_app(environ=production_environ)
    port = _free_port()
    server = make_server("127.0.0.1", port, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        headers = _headers(port)
    finally:
        server.shutdown()
        app.extensions["sabidamu.engine"].dispose()
    _no_version(headers)


@pytest.mark.parametrize("body", ['{"login": {"a": 1}, "password": "x"}', '{"login": 5, "password": "x"}', "[1, 2]",
                                  '"text"'])
def test_a_json_body_with_values_that_are_not_text_is_400(client, world, body):
    response = client.post("/login", data=body, content_type="application/json")
    assert response.status_code == 400 and "<html" in response.text
