"""`flask cards import --org ID FILE...`: import .sdcard packages (or the kindergarten's ZIP of them) into a school
from the command line.

Prints one JSON line per file: {"file", "status", "code", "message", "child_id", "package_id"} (messages in
English, `code` machine-readable: the PackageError codes of docs/transfer-format.md). Exit code 1 when any file
was rejected, 2 on a usage error (no such organization, not a school, no access), else 0. The same limits as
the web upload are checked before any file is read whole, and every file is audited.
"""
from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import click
from flask.cli import with_appcontext

from . import context


def _line(payload: dict) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False))


@click.command("import")
@click.option("--org", "org_id", required=True, help="The receiving school's organization id.")
@click.option("--as", "login", default=None, help="E-mail of the school's head or teacher the command acts as "
              "(default: the operator, audited as 'cli').")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(org_id: str, login: str | None, files: tuple[Path, ...]):
    """Import .sdcard transfer packages (development cards) into a school."""
    from ..db import session_scope
    from ..services import AccessDenied, NotFound, ServiceError
    from ..services.auth import find_user
    from ..services.transfer import batch as batch
    from ..services.transfer import importing as svc

    try:
        school_id = uuid.UUID(org_id)
    except ValueError:
        click.echo(f"error: {org_id!r} is not an organization id", err=True)
        sys.exit(2)
    limits = svc.UPLOAD_LIMITS
    problem = svc.check_upload([f.stat().st_size for f in files], limits)
    if problem:
        click.echo(f"error: {svc.message_for(problem)} ({problem})", err=True)
        sys.exit(2)
    keyring = context.keyring()
    rejected = False
    try:
        with session_scope(context.engine()) as db:
            actor = None
            if login:
                actor = find_user(db, login)
                if actor is None:
                    click.echo(f"error: no user {login!r}", err=True)
                    sys.exit(2)
            uploaded = []
            for path in files:
                with path.open("rb") as handle:  # bounded: a package's own limit is checked before decrypting
                    uploaded.append((str(path), handle.read(limits.max_total_bytes + 1)))
            # Each package in its own transaction; the kindergarten's ZIP of packages is opened as on the web.
            for line in batch.import_upload(db, keyring, school_id, uploaded, actor):
                rejected |= line.result.status in ("rejected", "failed")
                _line(line.result.as_json(line.file))
    except NotFound:
        click.echo(f"error: no organization {org_id}", err=True)
        sys.exit(2)
    except AccessDenied:
        click.echo(f"error: {login} may not import cards into this school", err=True)
        sys.exit(2)
    except ServiceError as exc:
        click.echo(f"error: {svc.message_for(exc.code)} ({exc.code})", err=True)
        sys.exit(2)
    sys.exit(1 if rejected else 0)
