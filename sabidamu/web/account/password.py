"""Changing one's own password (every user), and the forced change at the first sign-in with a password that a
head chose (services/orgs.add_staff sets User.must_change_password). Routes on the account blueprint."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from ...services import ServiceError
from ...services.auth import change_password
from ...services.identity import identity_of
from ..common import apply_service_error, db, form_status, login_required
from .forms import PasswordChangeForm
from .routes import bp

# While a change is forced, only these pages open (the rest redirect to the password page).
FORCED_ALLOWED = {"account.password", "auth.logout", "public.set_language", "static"}


def require_password_change():
    """Before each request: a user whose password was set by somebody else chooses their own first."""
    user = g.get("user")
    if user is None or not user.must_change_password or request.endpoint in FORCED_ALLOWED:
        return None
    if request.endpoint is None:
        return None
    return redirect(url_for("account.password"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    forced = g.user.must_change_password
    form = PasswordChangeForm()
    if form.validate_on_submit():
        ident = identity_of(g.user)  # a parent's name is sealed (services/identity.py)
        try:
            change_password(db(), g.user, form.current.data, form.password.data, keep=g.user_session,
                            personal=(ident.name, ident.email, ident.phone))
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("Your password has been changed. Your other sessions have ended."), "success")
            return redirect(url_for("public.home"))
    return render_template("account/password.html", form=form, forced=forced), form_status()
