"""flask audit (verify, sequence, public-key, prove, consistency), flask backup (create, restore), flask data-rights (process).

Exit codes: 0 done / intact; 1 the audit chain is tampered (or a backup could not be read); 2 a usage or
configuration problem (missing key file, unreadable checkpoints, no backup key).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import db as dbmod

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")
backup_cli = AppGroup("backup", help="Encrypted backups (age) of the database.")
data_rights_cli = AppGroup("data-rights", help="Parents' requests to delete a child's data.")


def _engine():
    return current_app.extensions["sabidamu.engine"]


def _settings():
    return current_app.config["SETTINGS"]


def _finish(code: int, line: str) -> None:
    click.echo(line, err=code != 0)
    sys.exit(code)


@audit_cli.command("verify")
def audit_verify():
    """Rebuild the Merkle tree from the events, check every HMAC, node and signed checkpoint (and the v1
    chain before it); one line, exit 0 / 1 (tampered) / 2 (cannot verify)."""
    from .services.audit_admin import record_verify, verify
    with dbmod.session_scope(_engine(), write=False) as s:
        verdict = verify(s, _settings())
    with dbmod.session_scope(_engine()) as s:
        record_verify(s, verdict)
    _finish(verdict.exit_code, verdict.line)


def _sequence(create_key: bool):
    from .services.audit_admin import sequence_once
    settings = _settings()
    code, line = sequence_once(_engine(), settings, create_key=create_key or not settings.production)
    _finish(code, line)


_create_key = click.option("--create-key", is_flag=True,
                           help="Make the signing key file if it is missing (development does this on its own).")


@audit_cli.command("sequence")
@_create_key
def audit_sequence(create_key: bool):
    """Put the pending events into the Merkle tree and sign a checkpoint (the app does this every second)."""
    _sequence(create_key)


@audit_cli.command("checkpoint")
@_create_key
def audit_checkpoint(create_key: bool):
    """Same as `flask audit sequence` (kept for existing cron entries)."""
    _sequence(create_key)


@audit_cli.command("public-key")
def audit_public_key():
    """Print the checkpoint verifier key (C2SP signed-note form: name+keyid+base64)."""
    from .services.audit_admin import AuditConfigError, load_note_signer
    try:
        click.echo(load_note_signer(_settings(), create=not _settings().production).vkey)
    except AuditConfigError as exc:
        _finish(2, f"NO KEY: {exc}")


def _print_json(data: dict) -> None:
    import json
    click.echo(json.dumps(data, indent=2))


@audit_cli.command("prove")
@click.option("--event", "event_id", required=True, type=click.UUID, help="The event's id.")
def audit_prove(event_id):
    """Print the inclusion proof of one event in the latest signed checkpoint (JSON)."""
    from .audit.merkle import ProofError
    from .services import NotFound
    from .services.audit_log import event_proof
    try:
        with dbmod.session_scope(_engine(), write=False) as s:
            proof = event_proof(s, event_id)
    except NotFound:
        _finish(2, "NO PROOF: no such event, or it is not in a signed checkpoint yet (try again in a few seconds)")
    except ProofError as exc:
        _finish(1, f"TAMPERED: the stored tree does not prove this event: {exc}")
    proof.pop("_leaf_data")
    _print_json(proof)


@audit_cli.command("consistency")
@click.option("--from", "size1", required=True, type=click.IntRange(min=1), help="Tree size of the older checkpoint.")
@click.option("--to", "size2", required=True, type=click.IntRange(min=1), help="Tree size of the newer checkpoint.")
def audit_consistency(size1: int, size2: int):
    """Print the consistency proof between two signed checkpoints (JSON)."""
    from .audit.merkle import ProofError
    from .services import NotFound
    from .services.audit_log import consistency
    try:
        with dbmod.session_scope(_engine(), write=False) as s:
            proof = consistency(s, size1, size2)
    except NotFound:
        _finish(2, "NO PROOF: both sizes must be sizes of signed checkpoints")
    except ProofError as exc:
        _finish(1 if size1 <= size2 else 2, f"NO PROOF: {exc}")
    _print_json(proof)


def _keys(recipient, identity, passphrase_env):
    from .services.backup import load_keys
    passphrase = os.environ.get(passphrase_env) if passphrase_env else None
    if passphrase_env and not passphrase:
        raise click.UsageError(f"the environment variable {passphrase_env} is empty")
    return load_keys(recipient or os.environ.get("SABIDAMU_BACKUP_RECIPIENT"),
                     identity or os.environ.get("SABIDAMU_BACKUP_IDENTITY_FILE"), passphrase)


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

    from .services.backup import BackupError, create_backup
    try:
        keys = _keys(recipient, None, passphrase_env)
        if out is None:
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            out = _settings().instance_dir / "backups" / f"sabidamu-{stamp}.age"
        manifest = create_backup(_engine(), current_app.config["DATABASE_URL"], out, keys)
    except BackupError as exc:
        _finish(2 if exc.code == "config" else 1, f"BACKUP FAILED ({exc.code}): {exc}")
    total = sum(manifest["row_counts"].values())
    with dbmod.session_scope(_engine()) as s:
        from .services.audit import record
        record(s, None, "backup.create", role="system", detail={"rows": total, "database": manifest["database"]})
    _finish(0, f"backup written to {out}: {total} rows in {len(manifest['row_counts'])} tables; "
               "the master key file is not in it - keep it separately")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--identity", help="age identity file; default SABIDAMU_BACKUP_IDENTITY_FILE.")
@click.option("--passphrase-env", help="Name of an environment variable holding the passphrase.")
@click.option("--yes", is_flag=True, help="Replace the contents of a database that is not empty.")
def backup_restore(file: Path, identity: str | None, passphrase_env: str | None, yes: bool):
    """Restore a backup into an empty database (a damaged file or wrong key changes nothing)."""
    from .services.backup import BackupError, restore_backup
    try:
        keys = _keys(None, identity, passphrase_env)
        manifest = restore_backup(_engine(), current_app.config["DATABASE_URL"], file, keys, overwrite=yes)
    except BackupError as exc:
        _finish(2 if exc.code in ("config", "not_empty") else 1, f"RESTORE REFUSED ({exc.code}): {exc}")
    total = sum(manifest["row_counts"].values())
    _finish(0, f"restored {total} rows from the backup of {manifest['created_at']}; "
               "run `flask audit verify` next")


@data_rights_cli.command("process")
def data_rights_process():
    """Delete the children's data whose retention period has ended (run daily from cron)."""
    from .services.data_rights import process_due
    with dbmod.session_scope(_engine()) as s:
        done = process_due(s, current_app.extensions["sabidamu.keyring"])
    _finish(0, f"{done} deletion requests carried out")
