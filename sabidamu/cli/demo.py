"""`flask demo`: load the demo data once and print logins and ids."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from .. import db as dbmod
from . import context


@click.command("demo")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def demo_command(as_json: bool):
    """Load the demo data once (running it again changes nothing) and print logins and ids."""
    from ..demo import load_demo
    with dbmod.session_scope(context.engine()) as s:
        summary = load_demo(s, context.keyring())
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo("Demo data " + ("created." if summary["created"] else "already present; nothing changed."))
    for org in summary["organizations"]:
        click.echo(f"  organization {org['id']}  {org['name']} ({org['kind']})")
    for group in summary["groups"]:
        click.echo(f"  group {group['id']}  {group['name']} ({group['age_group']}, {len(group['children'])} children)")
    click.echo("  children at home (parents' own): " + ", ".join(summary["parents_children"]))
    password = summary["logins"][0]["password"]
    click.echo(f"Logins (password for all: {password}; heads and the admin set up a one-time-code app at first "
               "sign-in):")
    for login in summary["logins"]:
        click.echo(f"  {login['login']:<28} {login['role']:<10} {login['organization'] or ''}")
