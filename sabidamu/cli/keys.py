"""`flask keys rotate|resume|status`: master and data keys, rotated online."""
from __future__ import annotations

import json
import uuid

import click
from flask.cli import AppGroup

from .. import db as dbmod
from . import context

keys_cli = AppGroup("keys", help="Master and data keys.")


@keys_cli.command("rotate")
@click.option("--master", "master", is_flag=True, help="Add a new master key and re-wrap every data key under it.")
@click.option("--data", "data", is_flag=True, help="Give owners new data keys and re-encrypt their rows.")
@click.option("--org", "org_id", default=None, help="With --data: only this organization.")
@click.option("--batch-size", default=200, show_default=True)
@click.option("--max-rows", type=int, default=None, help="Stop after re-encrypting this many rows (resume later).")
def keys_rotate(master: bool, data: bool, org_id: str | None, batch_size: int, max_rows: int | None):
    """Rotate keys online: reads keep working; an interrupted run resumes with `flask keys resume`."""
    from ..crypto.keyring import add_master_key, load_master_keys
    from ..services.audit_ops import record_key_rotation
    from ..services.keys import continue_rotation, rewrap_all, start_data_key_rotation
    if master == data:
        raise click.UsageError("choose exactly one of --master or --data")
    settings = context.settings()
    keyring = context.keyring()
    if master:
        if settings.master_keys_env:
            raise click.ClickException("master keys come from SABIDAMU_MASTER_KEYS: add the new key there, then run "
                                       "`flask keys resume --rewrap`")
        new_id = add_master_key(settings.master_keys_file)
        keyring.master = load_master_keys(settings.master_keys_file, None, False)
        with dbmod.session_scope(context.engine()) as s:
            report = rewrap_all(s, keyring.master, batch_size)
            record_key_rotation(s, "master", {"key_id": new_id, "rewrapped": report.rewrapped})
        click.echo(json.dumps({"new_master_key": new_id, "rewrapped": report.rewrapped}))
        return
    with dbmod.session_scope(context.engine()) as s:
        owners = start_data_key_rotation(s, keyring, "org" if org_id else None,
                                         uuid.UUID(org_id) if org_id else None)
        report = continue_rotation(s, keyring, batch_size, max_rows)
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
    from ..services.keys import continue_rotation, rewrap_all
    keyring = context.keyring()
    with dbmod.session_scope(context.engine()) as s:
        rewrapped = rewrap_all(s, keyring.master, batch_size).rewrapped if rewrap else 0
        report = continue_rotation(s, keyring, batch_size, max_rows)
    click.echo(json.dumps({"rewrapped": rewrapped, "resealed": report.resealed, "retired": report.retired,
                           "remaining": report.remaining}))


@keys_cli.command("status")
def keys_status():
    """Data keys per state and master key."""
    import sqlalchemy as sa

    from ..models import DataKey
    with dbmod.session_scope(context.engine(), write=False) as s:
        rows = s.exec(sa.select(DataKey.master_key_id, DataKey.active, DataKey.retired_at.is_(None), sa.func.count())
                      .group_by(DataKey.master_key_id, DataKey.active, DataKey.retired_at.is_(None))).all()
    click.echo(json.dumps({"active_master_key": context.keyring().master.active_id,
                           "data_keys": [{"master_key": m, "active": bool(a), "retired": not bool(r), "count": n}
                                         for m, a, r, n in rows]}))
