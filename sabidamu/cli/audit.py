"""`flask audit verify|sequence|checkpoint|public-key|prove|consistency`: the tamper-evident audit log.

Exit codes: 0 done / intact; 1 the audit log is tampered; 2 a usage or configuration problem (missing key file,
unreadable checkpoints, no such event).
"""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from .. import db as dbmod
from . import context
from .context import finish

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
def audit_verify():
    """Rebuild the Merkle tree from the events, check every HMAC, node and signed checkpoint (and the v1
    chain before it); one line, exit 0 / 1 (tampered) / 2 (cannot verify)."""
    from ..services.audit_admin import record_verify, verify
    with dbmod.session_scope(context.engine(), write=False) as s:
        verdict = verify(s, context.settings())
    with dbmod.session_scope(context.engine()) as s:
        record_verify(s, verdict)
    finish(verdict.exit_code, verdict.line)


def _sequence(create_key: bool):
    from ..services.audit_admin import sequence_once
    settings = context.settings()
    code, line = sequence_once(context.engine(), settings, create_key=create_key or not settings.production)
    finish(code, line)


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
    from ..services.audit_admin import AuditConfigError, load_note_signer
    try:
        click.echo(load_note_signer(context.settings(), create=not context.settings().production).vkey)
    except AuditConfigError as exc:
        finish(2, f"NO KEY: {exc}")


def _print_json(data: dict) -> None:
    click.echo(json.dumps(data, indent=2))


@audit_cli.command("prove")
@click.option("--event", "event_id", required=True, type=click.UUID, help="The event's id.")
def audit_prove(event_id):
    """Print the inclusion proof of one event in the latest signed checkpoint (JSON)."""
    from ..audit.merkle import ProofError
    from ..services import NotFound
    from ..services.audit_log import event_proof
    try:
        with dbmod.session_scope(context.engine(), write=False) as s:
            proof = event_proof(s, event_id)
    except NotFound:
        finish(2, "NO PROOF: no such event, or it is not in a signed checkpoint yet (try again in a few seconds)")
    except ProofError as exc:
        finish(1, f"TAMPERED: the stored tree does not prove this event: {exc}")
    proof.pop("_leaf_data")
    _print_json(proof)


@audit_cli.command("consistency")
@click.option("--from", "size1", required=True, type=click.IntRange(min=1), help="Tree size of the older checkpoint.")
@click.option("--to", "size2", required=True, type=click.IntRange(min=1), help="Tree size of the newer checkpoint.")
def audit_consistency(size1: int, size2: int):
    """Print the consistency proof between two signed checkpoints (JSON)."""
    from ..audit.merkle import ProofError
    from ..services import NotFound
    from ..services.audit_log import consistency
    try:
        with dbmod.session_scope(context.engine(), write=False) as s:
            proof = consistency(s, size1, size2)
    except NotFound:
        finish(2, "NO PROOF: both sizes must be sizes of signed checkpoints")
    except ProofError as exc:
        finish(1 if size1 <= size2 else 2, f"NO PROOF: {exc}")
    _print_json(proof)
