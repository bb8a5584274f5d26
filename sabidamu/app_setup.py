"""Wiring for create_app: database, keys, extensions, request hooks, headers, errors, blueprints, CLI."""
from __future__ import annotations

import contextlib

from flask import Flask, g, render_template, request, session
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from . import db as dbmod
from .crypto.keyring import load_master_keys
from .extensions import babel, csrf
from .localized import DEFAULT_LANG, LANGS
from .services import AccessDenied, NotFound
from .services.keys import keyring_for_engine

CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")


def select_locale() -> str:
    """Explicit choice -> user profile -> Accept-Language over LANGS [kk, ru] -> kk."""
    langs = LANGS
    chosen = session.get("lang")
    if chosen in langs:
        return chosen
    user = g.get("user")
    if user is not None and user.locale in langs:
        return user.locale
    return request.accept_languages.best_match(langs) or DEFAULT_LANG


def hide_server_version() -> None:
    """No server software version in production responses. gunicorn (the production server) sends only
    "Server: gunicorn" since version 22. Werkzeug's development server always writes "Werkzeug/<v> Python/<v>"
    itself (the app cannot replace it), so when it is started in production anyway it says only "SabiDamu"."""
    from werkzeug.serving import WSGIRequestHandler
    WSGIRequestHandler.version_string = lambda self: "SabiDamu"


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    engine = dbmod.make_engine(app.config["DATABASE_URL"])
    master = load_master_keys(settings.master_keys_file, settings.master_keys_env, app.config["CREATE_MASTER_KEY"])
    app.extensions["sabidamu.engine"] = engine
    app.extensions["sabidamu.keyring"] = keyring_for_engine(engine, master, settings.blind_index_key)
    from .services.audit import set_mac_key
    set_mac_key(engine, settings.audit_mac_key)

    if settings.production:
        hide_server_version()
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    app.teardown_appcontext(dbmod.close_db)

    from .observability import init_observability
    init_observability(app)
    from .jobs.huey_app import init_queue
    init_queue(app)  # the task queue (Huey): builds the tasks, readiness's probe, the queue's metrics
    from .web import register_web
    from .web.formdata import install as guard_form_fields
    guard_form_fields()  # a file or a JSON object where a form expects text: 400, not a 500
    register_web(app)
    from .api import register_api
    register_api(app)  # /api/v1: bearer tokens only, exempt from CSRF
    register_errors(app)

    @app.after_request
    def security_headers(response):
        h = response.headers
        h["Content-Security-Policy"] = CSP
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "no-referrer"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.path.startswith("/static/") and not (request.path.startswith("/api/") and "Cache-Control" in h):
            h["Cache-Control"] = "no-store"
        if app.config["SETTINGS"].production:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        h.setdefault("Vary", "Cookie, Accept-Language")
        return response

    from .cli import register_cli
    register_cli(app)

    @app.before_request
    def _start_audit_sequencer():
        # Started by the first request a serving process handles (not by CLI commands or tests), and only with
        # SABIDAMU_AUDIT_SEQUENCER=web: by default the queue consumer runs it (jobs/tasks.py, Clock).
        from .jobs import start_periodic
        start_periodic(app)


def register_errors(app: Flask) -> None:
    def page(code: int, title: str, text: str):
        if request.path.startswith("/api/v1/"):  # the API answers in RFC 9457 problem+json
            from .api.problems import for_status
            return for_status(code), code
        return render_template("errors/error.html", code=code, title=title, text=text), code

    @app.errorhandler(400)
    def bad_request(_e):
        return page(400, gettext("Bad request"), gettext("The request could not be understood. Go back and try again."))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return page(400, gettext("The form has expired"),
                    gettext("For your safety the form must be sent from this site within your session. "
                            "Go back, reload the page and send it again."))

    @app.errorhandler(403)
    @app.errorhandler(AccessDenied)
    def forbidden(_e):
        from .web.common import audit_denied
        audit_denied()
        return page(403, gettext("Access denied"), gettext("You do not have access to this page."))

    @app.errorhandler(404)
    @app.errorhandler(NotFound)
    def not_found(_e):
        return page(404, gettext("Page not found"),
                    gettext("There is no such page. Check the address or go to the home page."))

    @app.errorhandler(405)
    def not_allowed(e):
        body, code = page(405, gettext("Method not allowed"),
                          gettext("This address does not accept this kind of request."))
        # RFC 9110 15.5.6: a 405 names the methods the address does accept.
        return body, code, {"Allow": ", ".join(sorted(getattr(e, "valid_methods", None) or ()))}

    @app.errorhandler(413)
    def too_large(_e):
        return page(413, gettext("File too large"), gettext("The data you sent is larger than allowed."))

    @app.errorhandler(500)
    def server_error(_e):
        # The failed transaction must be rolled back before the page (locale, navigation) reads anything.
        with contextlib.suppress(Exception):  # the database itself may be what failed
            dbmod.get_db().rollback()
        g.user = None
        return page(500, gettext("Something went wrong"),
                    gettext("An error occurred on our side. Nothing was saved. Please try again later."))
