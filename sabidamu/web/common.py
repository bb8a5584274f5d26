"""Helpers shared by the blueprints: sign-in requirement, the keyring, service errors on forms."""
from __future__ import annotations

import contextlib
import functools
import uuid
from types import SimpleNamespace

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext

from .. import db as dbmod
from ..crypto.keyring import Keyring
from ..services import ServiceError
from ..services.refusals import record_denied
from .messages import service_message


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            if g.get("session_expired"):
                flash(gettext("Your session has expired. Please sign in again."), "info")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not g.user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def form_status() -> int:
    """A form page's status: 200 when shown, 422 when sent back with errors (the typed values stay)."""
    return 200 if request.method == "GET" else 422


def keyring() -> Keyring:
    return current_app.extensions["sabidamu.keyring"]


def db():
    return dbmod.get_db()


def parse_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        abort(404)


def form_field(form, name: str | None):
    """The form's field called `name`, or None. Only real fields count: a service may name a field that is also
    a method or attribute of the form ('parts', 'validate', 'data'), and that must never be taken for a field."""
    return getattr(form, "_fields", {}).get(name) if name else None


def apply_service_error(form, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Shows a service refusal (its sentence from web.messages) beside the field it concerns, or above the form;
    typed values stay. Only a real field of the form receives it (form_field). `aliases` maps the service's field
    name to the form's; a form may keep errors of a group of fields (a fieldset of checkboxes) in
    `form.group_errors[name]`."""
    message = service_message(error)
    name = (aliases or {}).get(error.field or "", error.field)
    field = form_field(form, name)
    groups = getattr(form, "group_errors", None)
    if field is not None:
        field.errors = list(field.errors) + [message]
    elif name and isinstance(groups, dict) and name in groups:
        groups[name].append(message)
    else:
        form.form_errors.append(message)


def audit_denied() -> None:
    """A refused access is an audit event too (in its own short transaction)."""
    user = g.get("user")
    # Read what the event needs before the rollback expires the request's objects.
    actor = SimpleNamespace(id=user.id, is_admin=user.is_admin) if user is not None else None
    # A refused attempt on a child's page is tied to the child, so the parent sees it in the access log.
    child_id = None
    with contextlib.suppress(ValueError):
        child_id = uuid.UUID(str((request.view_args or {}).get("child_id")))
    dbmod.get_db().rollback()
    try:
        # Once an hour per user and child, with a count (services.refusals): no flooding of the parent's log.
        record_denied(current_app.extensions["sabidamu.engine"], actor, child_id,
                      {"path": request.path[:200], "method": request.method})
    except Exception:  # never turn a 403 into a 500
        current_app.logger.exception("could not audit a refused access")
