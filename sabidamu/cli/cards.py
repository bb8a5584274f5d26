"""`flask cards ...`: the individual development card from the command line.

    flask cards pdf --child ID --lang kk --as head@example.kz --out card.pdf
    flask cards pdf --group ID --lang ru --as teacher@example.kz --out group.pdf

The command acts as a named staff user (--as): the same access check and audit event as the web pages, so the
command line is no way around them. A bad id, an unknown user or no access: a message on stderr, exit code 2.
"""
from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import select

from . import context
from .cards_import import import_command

cards_cli = AppGroup("cards", help="Individual development cards (PDF).")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        _fail(f"{what} {value!r} is not an id")


@cards_cli.command("pdf")
@click.option("--child", "child_id", help="The child's id: one card.")
@click.option("--group", "group_id", help="The group's id: every card of the group in one PDF.")
@click.option("--lang", type=click.Choice(["kk", "ru"]), required=True, help="Language of the card.")
@click.option("--as", "login", required=True, help="E-mail of the staff user (or parent) the command acts as.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Where to write the PDF.")
def pdf_command(child_id: str | None, group_id: str | None, lang: str, login: str, out: Path):
    """Write the card of a child (--child) or of every child of a group (--group) as PDF."""
    from ..db import session_scope
    from ..rendering.cards import render_card_pdf, render_group_pdf
    from ..services import AccessDenied, NotFound
    from ..services import cards as svc
    from ..services.auth import find_user

    if bool(child_id) == bool(group_id):
        _fail("give exactly one of --child ID or --group ID")
    object_id = _uuid(child_id, "child") if child_id else _uuid(group_id, "group")
    keyring = context.keyring()
    try:
        with session_scope(context.engine()) as db:
            user = find_user(db, login)
            if user is None:
                _fail(f"no user {login!r}")
            if child_id:
                body = render_card_pdf(svc.card_pdf_data(db, keyring, user, object_id, lang))
                count = 1
            else:
                _group, _role, ids = svc.group_for_pdf(db, user, object_id)
                done = []
                body = render_group_pdf(svc.group_cards_data(db, keyring, user, ids, lang),
                                        lambda index, total: done.append(index))
                count = len(done)
    except NotFound:
        _fail(f"no such {'child' if child_id else 'group'}: {child_id or group_id}")
    except AccessDenied:
        _fail(f"{login} may not see the card{'s of this group' if group_id else ' of this child'}")
    out.write_bytes(body)
    click.echo(f"wrote {out} ({count} card{'s' if count != 1 else ''}, {len(body)} bytes)")


cards_cli.add_command(import_command)  # the school side of the transfer: import .sdcard files


@cards_cli.command("export")
@click.option("--child", "child_ids", multiple=True, help="A child's id (repeat for several children).")
@click.option("--group", "group_id", help="A group's id: every child of the group.")
@click.option("--to-org", "to_org", help="The receiving school's id in this installation (its registered key).")
@click.option("--recipient", help="The school's age public key (age1...), for a key the school gave you.")
@click.option("--school-name", help="With --recipient: the school's name.")
@click.option("--school-bin", help="With --recipient: the school's BIN (the parent's consent must name it).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the .sdcard files and index.txt (made if missing).")
@click.option("--lang", type=click.Choice(["kk", "ru"]), default="kk", show_default=True,
              help="Language of the card (card.pdf and the index).")
@click.option("--as", "login", required=True, help="E-mail of the kindergarten's head the command acts as.")
def export_command(child_ids: tuple[str, ...], group_id: str | None, to_org: str | None, recipient: str | None,
                   school_name: str | None, school_bin: str | None, out: Path, lang: str, login: str):
    """Hand the cards to a school: one .sdcard package per child, plus index.txt.

    Prints one JSON line per child (child id, file, package id, or the reason it was refused). Exit code 1 when
    any child was refused (no consent, ...), 2 on a usage or access error."""
    from ..db import session_scope
    from ..models import Enrollment
    from ..services import AccessDenied, NotFound, ServiceError
    from ..services.auth import find_user
    from ..services.transfer import export as svc

    if bool(child_ids) == bool(group_id):
        _fail("give --child ID (one or more) or --group ID")
    if bool(to_org) == bool(recipient):
        _fail("give exactly one of --to-org ID or --recipient AGE_PUBLIC_KEY")
    if recipient and not (school_name and school_bin):
        _fail("--recipient needs --school-name and --school-bin")
    target = {"to_org_id": _uuid(to_org, "school")} if to_org else {
        "recipient": recipient, "school_name": school_name, "school_bin": school_bin}
    keyring = context.keyring()
    try:
        with session_scope(context.engine(), write=False) as db:
            user = find_user(db, login)
            if user is None:
                _fail(f"no user {login!r}")
            if group_id:
                from ..services.cards import group_access
                group, role = group_access(db, user, _uuid(group_id, "group"))
                if role != "head":
                    raise AccessDenied()
                ids = list(db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group.id,
                                                                     Enrollment.status == "active")).all())
                if not ids:
                    _fail("the group has no children")
            else:
                ids = [_uuid(c, "child") for c in child_ids]
            result = svc.export_cards(db, keyring, user, ids, lang=lang, **target)
    except NotFound:
        _fail(f"no such {'group' if group_id else 'child or school'}")
    except AccessDenied:
        _fail(f"{login} is not the head of the kindergarten of {'this group' if group_id else 'every child'}")
    except ServiceError as exc:
        _fail(f"{exc.code}" + (f" ({exc.field})" if exc.field else ""))
    out.mkdir(parents=True, exist_ok=True)
    for item in result.children:
        if item.data is not None:
            (out / item.file_name).write_bytes(item.data)
        click.echo(json.dumps(item.to_json(), ensure_ascii=False))
    (out / svc.INDEX_NAME).write_text(svc.index_text(result), encoding="utf-8")
    sys.exit(1 if result.refused else 0)
