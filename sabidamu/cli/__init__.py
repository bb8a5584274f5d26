"""The `flask ...` commands: one module per command group, all reaching the app through context.py.

    db           db.py            schema upgrade (Alembic)
    keys         keys.py          master and data keys, rotated online
    translate    translate.py     message catalogues (kk, ru)
    demo         demo.py          the demo data
    accounts     accounts.py      sealing older accounts' identities
    screening    screening.py     age bands, scoring, contents, simulation of the instruments
    instruments  instruments.py   validating instrument files
    cards        cards.py         card PDFs, export to a school; cards_import.py: import at the school
    audit        audit.py         the tamper-evident audit log
    backup       backup.py        encrypted backups
    data-rights  data_rights.py   deletions whose retention period has ended
    api          api.py           clients of the open API
    queue        queue.py         the background task queue: consume, status
    reminders    reminders.py     reminders due now: written once, mailed
    analytics    analytics.py     district and region analytics: export, department logins
"""
from __future__ import annotations

from flask import Flask

from .accounts import accounts_cli
from .analytics import analytics_cli
from .api import api_cli
from .audit import audit_cli
from .backup import backup_cli
from .cards import cards_cli
from .data_rights import data_rights_cli
from .db import db_cli
from .demo import demo_command
from .instruments import instruments_cli
from .keys import keys_cli
from .queue import queue_cli
from .reminders import reminders_cli
from .screening import screening_cli
from .translate import translate_cli

COMMANDS = (db_cli, keys_cli, translate_cli, demo_command, accounts_cli, screening_cli, instruments_cli, cards_cli,
            audit_cli, backup_cli, data_rights_cli, api_cli,
            queue_cli, reminders_cli, analytics_cli)


def register_cli(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
