"""flask accounts: seal the identities of accounts made before sealing (online, resumable)."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from . import context

accounts_cli = AppGroup("accounts", help="Accounts: sealing names, e-mails and phones at rest.")


@accounts_cli.command("seal")
@click.option("--batch-size", default=200, show_default=True, help="Accounts per committed batch.")
@click.option("--max-rows", type=int, default=None, help="Stop after this many (run again to resume).")
def accounts_seal(batch_size: int, max_rows: int | None):
    """Move names, e-mails and phones of older accounts into sealed columns with blind indexes.

    Sign-in keeps working for every account during the run; each batch commits on its own, so an interrupted
    run resumes where it stopped when started again.
    """
    from ..db import session_scope
    from ..services.audit import record
    from ..services.identity import seal_legacy_accounts
    with session_scope(context.engine()) as db:
        report = seal_legacy_accounts(db, context.keyring(), batch_size=batch_size,
                                      max_rows=max_rows)
        if report.sealed:
            record(db, None, "accounts.seal", role="system", detail={"sealed": report.sealed,
                                                                     "remaining": report.remaining})
            db.commit()
    click.echo(json.dumps({"sealed": report.sealed, "remaining": report.remaining}))
