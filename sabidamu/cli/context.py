"""The one accessor every command uses for the app's engine, keyring and settings (a `flask ...` command runs
inside an app context), for the instruments folder (the screening commands also run without an app), and the
one-line exit the audit, backup and data-rights commands share."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app, has_app_context

from .. import config
from ..config import Settings
from ..crypto.keyring import Keyring


def engine():
    """The app's SQLAlchemy engine."""
    return current_app.extensions["sabidamu.engine"]


def keyring() -> Keyring:
    return current_app.extensions["sabidamu.keyring"]


def settings() -> Settings:
    return current_app.config["SETTINGS"]


def database_url() -> str:
    return current_app.config["DATABASE_URL"]


def instruments_dir() -> Path:
    """Flask config INSTRUMENTS_DIR in an app context, else $SABIDAMU_INSTRUMENTS_DIR, else the repo's."""
    if has_app_context():
        configured = current_app.config.get("INSTRUMENTS_DIR")
        if configured:
            return Path(configured)
    return config.instruments_dir()  # SABIDAMU_INSTRUMENTS_DIR, else the repository's


def finish(code: int, line: str) -> None:
    """One line (on stderr unless the exit code is 0), then exit with `code`."""
    click.echo(line, err=code != 0)
    sys.exit(code)
