"""`flask db upgrade`: the database schema (Alembic)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..db import alembic_config
from . import context

db_cli = AppGroup("db", help="Database schema (Alembic).")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply all migrations (alembic upgrade head)."""
    from alembic import command
    command.upgrade(alembic_config(context.database_url()), "head")
    click.echo("database is at the latest migration")
