"""flask commands: db, demo, keys, translate (screening and instruments come from sabidamu.instruments)."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import db as dbmod
from .config import REPO_ROOT

db_cli = AppGroup("db", help="Database schema (Alembic).")
keys_cli = AppGroup("keys", help="Master and data keys.")
translate_cli = AppGroup("translate", help="Message catalogues (kk, ru).")


def _engine():
    return current_app.extensions["sabidamu.engine"]


def _keyring():
    return current_app.extensions["sabidamu.keyring"]


def alembic_config(url: str):
    from alembic.config import Config
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


@db_cli.command("upgrade")
def db_upgrade():
    """Apply all migrations (alembic upgrade head)."""
    from alembic import command
    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), "head")
    click.echo("database is at the latest migration")


@click.command("demo")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def demo_command(as_json: bool):
    """Load the demo data once (running it again changes nothing) and print logins and ids."""
    from .demo import load_demo
    with dbmod.session_scope(_engine()) as s:
        summary = load_demo(s, _keyring())
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo("Demo data " + ("created." if summary["created"] else "already present; nothing changed."))
    for org in summary["organizations"]:
        click.echo(f"  organization {org['id']}  {org['name']} ({org['kind']})")
    for group in summary["groups"]:
        click.echo(f"  group {group['id']}  {group['name']} ({group['age_group']}, {len(group['children'])} children)")
    click.echo("  children at home (parents' own): " + ", ".join(summary["parents_children"]))
    click.echo("Logins (password for all: %s; heads and the admin set up a one-time-code app at first sign-in):"
               % summary["logins"][0]["password"])
    for login in summary["logins"]:
        click.echo(f"  {login['login']:<28} {login['role']:<10} {login['organization'] or ''}")


@keys_cli.command("rotate")
@click.option("--master", "master", is_flag=True, help="Add a new master key and re-wrap every data key under it.")
@click.option("--data", "data", is_flag=True, help="Give owners new data keys and re-encrypt their rows.")
@click.option("--org", "org_id", default=None, help="With --data: only this organization.")
@click.option("--batch-size", default=200, show_default=True)
@click.option("--max-rows", type=int, default=None, help="Stop after re-encrypting this many rows (resume later).")
def keys_rotate(master: bool, data: bool, org_id: str | None, batch_size: int, max_rows: int | None):
    """Rotate keys online: reads keep working; an interrupted run resumes with `flask keys resume`."""
    from .crypto.keyring import add_master_key, load_master_keys
    from .services.keys import continue_rotation, rewrap_all, start_data_key_rotation
    if master == data:
        raise click.UsageError("choose exactly one of --master or --data")
    settings = current_app.config["SETTINGS"]
    keyring = _keyring()
    if master:
        if settings.master_keys_env:
            raise click.ClickException("master keys come from SABIDAMU_MASTER_KEYS: add the new key there, then run "
                                       "`flask keys resume --rewrap`")
        new_id = add_master_key(settings.master_keys_file)
        keyring.master = load_master_keys(settings.master_keys_file, None, False)
        with dbmod.session_scope(_engine()) as s:
            report = rewrap_all(s, keyring.master, batch_size)
            from .services.audit_ops import record_key_rotation
            record_key_rotation(s, "master", {"key_id": new_id, "rewrapped": report.rewrapped})
        click.echo(json.dumps({"new_master_key": new_id, "rewrapped": report.rewrapped}))
        return
    with dbmod.session_scope(_engine()) as s:
        owners = start_data_key_rotation(s, keyring, "org" if org_id else None,
                                         uuid.UUID(org_id) if org_id else None)
        report = continue_rotation(s, keyring, batch_size, max_rows)
        from .services.audit_ops import record_key_rotation
        record_key_rotation(s, "data", {"new_data_keys": owners, "resealed": report.resealed,
                                        "org_id": org_id})
    click.echo(json.dumps({"new_data_keys": owners, "resealed": report.resealed, "retired": report.retired,
                           "remaining": report.remaining}))


@keys_cli.command("resume")
@click.option("--rewrap", is_flag=True, help="Also re-wrap data keys still under an older master key.")
@click.option("--batch-size", default=200, show_default=True)
@click.option("--max-rows", type=int, default=None)
def keys_resume(rewrap: bool, batch_size: int, max_rows: int | None):
    """Continue an interrupted rotation."""
    from .services.keys import continue_rotation, rewrap_all
    keyring = _keyring()
    with dbmod.session_scope(_engine()) as s:
        rewrapped = rewrap_all(s, keyring.master, batch_size).rewrapped if rewrap else 0
        report = continue_rotation(s, keyring, batch_size, max_rows)
    click.echo(json.dumps({"rewrapped": rewrapped, "resealed": report.resealed, "retired": report.retired,
                           "remaining": report.remaining}))


@keys_cli.command("status")
def keys_status():
    """Data keys per state and master key."""
    import sqlalchemy as sa
    from .models import DataKey
    with dbmod.session_scope(_engine(), write=False) as s:
        rows = s.exec(sa.select(DataKey.master_key_id, DataKey.active, DataKey.retired_at.is_(None), sa.func.count())
                      .group_by(DataKey.master_key_id, DataKey.active, DataKey.retired_at.is_(None))).all()
    click.echo(json.dumps({"active_master_key": _keyring().master.active_id,
                           "data_keys": [{"master_key": m, "active": bool(a), "retired": not bool(r), "count": n}
                                         for m, a, r, n in rows]}))


CATALOG_DIR = REPO_ROOT / "translations"
POT = CATALOG_DIR / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=REPO_ROOT)


@translate_cli.command("extract")
def translate_extract():
    """Extract msgids from the code and templates into translations/messages.pot (deterministic)."""
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--omit-header", "--sort-output",
            "--add-comments", "Translators:", "-o", str(POT), "sabidamu")


@translate_cli.command("update")
def translate_update():
    """Extract, then merge the new msgids into the kk and ru catalogues."""
    translate_extract.callback()
    pybabel("update", "-i", str(POT), "-d", str(CATALOG_DIR), "--no-fuzzy-matching",
            "--ignore-obsolete")


@translate_cli.command("compile")
def translate_compile():
    """Compile messages.po into messages.mo for kk and ru."""
    pybabel("compile", "-d", str(CATALOG_DIR), "--statistics")


def register_cli(app: Flask) -> None:
    from .audit_cli import audit_cli, backup_cli, data_rights_cli
    from .accounts_cli import accounts_cli
    from .cards_cli import cards_cli
    for command in (db_cli, keys_cli, translate_cli, demo_command, audit_cli, backup_cli, data_rights_cli, cards_cli,
                    accounts_cli):
        app.cli.add_command(command)
    try:
        from .instruments.cli import instruments_cli, screening_cli
    except ImportError:  # the screening engine is optional until its module is present
        return
    app.cli.add_command(screening_cli)
    app.cli.add_command(instruments_cli)
