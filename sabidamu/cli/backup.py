"""`flask backup create|restore`: encrypted (age) backups of the database.

Exit codes: 0 done; 1 a backup could not be written or read; 2 a usage or configuration problem (no backup key,
a database that is not empty).
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from .. import db as dbmod
from ..config import named_variable
from . import context
from .context import finish

backup_cli = AppGroup("backup", help="Encrypted backups (age) of the database.")


def _keys(recipient, identity, passphrase_env):
    from ..services.backup import load_keys
    passphrase = named_variable(passphrase_env) if passphrase_env else None
    if passphrase_env and not passphrase:
        raise click.UsageError(f"the environment variable {passphrase_env} is empty")
    settings = context.settings()
    default_identity = settings.backup_identity_file
    return load_keys(recipient or settings.backup_recipient,
                     identity or (str(default_identity) if default_identity else None), passphrase)


_key_options = [
    click.option("--recipient", help="age recipient(s) (age1..., comma separated); default "
                                     "SABIDAMU_BACKUP_RECIPIENT."),
    click.option("--passphrase-env", help="Name of an environment variable holding a passphrase instead."),
]


def _with(options):
    def apply(f):
        for option in reversed(options):
            f = option(f)
        return f
    return apply


@backup_cli.command("create")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the backup (default: instance/backups/sabidamu-<time>.age).")
@_with(_key_options)
def backup_create(out: Path | None, recipient: str | None, passphrase_env: str | None):
    """A consistent, encrypted backup while the app runs (the master key file is NOT included)."""
    import datetime as dt

    from ..services.backup import BackupError, create_backup
    try:
        keys = _keys(recipient, None, passphrase_env)
        if out is None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            out = context.settings().instance_dir / "backups" / f"sabidamu-{stamp}.age"
        manifest = create_backup(context.engine(), context.database_url(), out, keys)
    except BackupError as exc:
        finish(2 if exc.code == "config" else 1, f"BACKUP FAILED ({exc.code}): {exc}")
    total = sum(manifest["row_counts"].values())
    with dbmod.session_scope(context.engine()) as s:
        from ..services.audit import record
        record(s, None, "backup.create", role="system", detail={"rows": total, "database": manifest["database"]})
    finish(0, f"backup written to {out}: {total} rows in {len(manifest['row_counts'])} tables; "
               "the master key file is not in it - keep it separately")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--identity", help="age identity file; default SABIDAMU_BACKUP_IDENTITY_FILE.")
@click.option("--passphrase-env", help="Name of an environment variable holding the passphrase.")
@click.option("--yes", is_flag=True, help="Replace the contents of a database that is not empty.")
def backup_restore(file: Path, identity: str | None, passphrase_env: str | None, yes: bool):
    """Restore a backup into an empty database (a damaged file or wrong key changes nothing)."""
    from ..services.backup import BackupError, restore_backup
    try:
        keys = _keys(None, identity, passphrase_env)
        manifest = restore_backup(context.engine(), context.database_url(), file, keys, overwrite=yes)
    except BackupError as exc:
        finish(2 if exc.code in ("config", "not_empty") else 1, f"RESTORE REFUSED ({exc.code}): {exc}")
    total = sum(manifest["row_counts"].values())
    finish(0, f"restored {total} rows from the backup of {manifest['created_at']}; "
               "run `flask audit verify` next")
