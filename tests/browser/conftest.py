"""Real-browser fixtures: the app (CSRF on) served by werkzeug on a free port of 127.0.0.1 in a thread, and the
Debian Chromium driven by Playwright's sync API. No browser is downloaded: /usr/bin/chromium or a loud skip
(a failure under CI=true).

Fixtures other browser tests use:
  live_server   .url (base URL), .app (the Flask app served), .keyring, .session() (a SQLModel Session on the
                served database, committing on exit: for factories)
  browser       the session's Chromium
  page          a fresh context + page per test: viewport 1280x900, Accept-Language kk, base URL = live_server.url
  new_page      factory of further independent pages (another user), same defaults, keyword overrides
  shot, assert_accessible   the helpers of tests/support/browser.py
Every page fixture fails the test at teardown if the browser reported a Content-Security-Policy violation.
"""
from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from werkzeug.serving import make_server

from tests.support import browser as helpers

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
REPO = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    app: object

    @property
    def keyring(self):
        return self.app.extensions["sabidamu.keyring"]

    @contextlib.contextmanager
    def session(self):
        from sabidamu.db import session_scope
        with session_scope(self.app.extensions["sabidamu.engine"]) as s:
            yield s


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory) -> Path:
    """The kk and ru catalogues compiled from the .po files as they are now (a stale or missing .mo in
    translations/ must not decide what the browser shows). Fuzzy entries are left out, as `pybabel compile` does."""
    out = tmp_path_factory.mktemp("translations")
    for po in sorted((REPO / "translations").glob("*/LC_MESSAGES/messages.po")):
        lang = po.parts[-3]
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        target = out / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
    return out


@pytest.fixture
def live_server(environ, compiled_translations):
    from sabidamu import create_app
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True,
                      "BABEL_TRANSLATION_DIRECTORIES": str(compiled_translations)}, environ=environ)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.extensions["sabidamu.engine"].dispose()


def _chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        message = (f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
                   "(`apt-get install chromium`, or `make test` as root)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(**context_options) -> a page in a fresh browser context (its own cookies: another user)."""
    contexts = []
    csp_reports: list[str] = []

    def make(accept_language: str = "kk", **options):
        settings = {"viewport": VIEWPORT, "locale": "kk-KZ" if accept_language == "kk" else "ru-RU",
                    "extra_http_headers": {"Accept-Language": accept_language}, "base_url": live_server.url}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()

        def on_console(message):
            if message.type == "error" and "Content Security Policy" in message.text:
                csp_reports.append(f"{page.url}: {message.text}")
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()
    if csp_reports:
        pytest.fail("the browser reported Content-Security-Policy violations:\n" + "\n".join(csp_reports))


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def shot():
    return helpers.shot


@pytest.fixture
def assert_accessible():
    return helpers.assert_accessible
