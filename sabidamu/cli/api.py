"""`flask api client create (--org ID | --region KZ-71) --scope ... [--name]` and `flask api client revoke ID`
(issue 16). A region client reads the counts of its region only (scope analytics:read; services.api.clients)."""
from __future__ import annotations

import json
import uuid

import click
from flask.cli import AppGroup

from .. import db as dbmod
from . import context
from .context import finish

api_cli = AppGroup("api", help="Clients of the open API (/api/v1).")
client_cli = AppGroup("client", help="Register or revoke an API client.")
api_cli.add_command(client_cli)


@client_cli.command("create")
@click.option("--org", "org_id", default=None, type=click.UUID, help="The organization the client acts for.")
@click.option("--region", default=None,
              help="Or the region (ISO 3166-2:KZ code, e.g. KZ-71) whose counts it reads: analytics:read only.")
@click.option("--scope", "scopes", required=True, multiple=True,
              help="roster:read, cards:read, cards:write, monitoring:read, analytics:read, transfer:write "
                   "(repeat, or separate with spaces); a region client: analytics:read only.")
@click.option("--name", default="", help="A name to recognise the client by (e.g. the regional system).")
def client_create(org_id: uuid.UUID | None, region: str | None, scopes: tuple[str, ...], name: str):
    """Prints {"client_id", "client_secret"} as JSON, once: the secret is stored only as its hash."""
    from ..services import NotFound, ServiceError
    from ..services.api.clients import create_client, create_region_client
    if (org_id is None) == (region is None):
        raise click.UsageError("choose exactly one of --org or --region")
    try:
        with dbmod.session_scope(context.engine()) as s:
            if region is not None:
                made = create_region_client(s, None, region, list(scopes), name)
            else:
                assert org_id is not None  # checked above; for the type checker
                made = create_client(s, None, org_id, list(scopes), name)
            out = {"client_id": str(made.client.id), "client_secret": made.secret}
    except NotFound:
        finish(1, f"no organization {org_id}")
    except ServiceError as e:
        finish(1, f"refused: {e.code}")
    click.echo(json.dumps(out))


@client_cli.command("revoke")
@click.argument("client_id", type=click.UUID)
def client_revoke(client_id: uuid.UUID):
    """Ends the client at once: its tokens stop working and no new one is issued."""
    from ..services import NotFound
    from ..services.api.clients import revoke_client
    try:
        with dbmod.session_scope(context.engine()) as s:
            revoke_client(s, None, client_id)
    except NotFound:
        finish(1, f"no API client {client_id}")
    finish(0, f"API client {client_id} revoked")
