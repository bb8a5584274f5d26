"""SabiDamu: bilingual (Kazakh, Russian) early-development platform. `create_app` is the only factory."""
from __future__ import annotations

import datetime as dt

from flask import Flask

from .config import load_settings
from .localized import LANGS


def create_app(config: dict | None = None, environ: dict | None = None) -> Flask:
    settings = load_settings(environ)
    app = Flask(__name__, instance_path=str(settings.instance_dir), instance_relative_config=False)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        DATABASE_URL=settings.database_url,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        SESSION_COOKIE_NAME="sabidamu",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_absolute_hours),
        SESSION_IDLE=dt.timedelta(minutes=settings.session_idle_minutes),
        SESSION_ABSOLUTE=dt.timedelta(hours=settings.session_absolute_hours),
        # The card import takes up to 40 files and 100 MiB in one upload (it checks its own limits first);
        # bigger bodies are refused by Werkzeug before anything is read. Non-file fields stay small (500 KB).
        MAX_CONTENT_LENGTH=101 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires on its own
        BABEL_DEFAULT_LOCALE="kk",
        BABEL_TRANSLATION_DIRECTORIES=str(settings_path("translations")),
        LANGUAGES=LANGS,
        INSTRUMENTS_DIR=str(settings.instruments_dir),
        CREATE_MASTER_KEY=not settings.production,
        AUDIT_SEQUENCE_SECONDS=settings.audit_sequence_seconds,
    )
    if config:
        app.config.update(config)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)

    from .app_setup import init_app
    init_app(app)
    if settings.proxy_hops:
        # Behind nginx: the client's address (for login throttling and the audit log) comes from the proxy.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    return app


def settings_path(name: str):
    from .config import REPO_ROOT
    return REPO_ROOT / name
