"""My account (name, e-mail, phone; signing out elsewhere), and the head's one-time code for a parent who signs
in with a phone. Routes call services/account.py and services/recovery.py."""
from __future__ import annotations

import re

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ...access import org_role
from ...services import AccessDenied, ServiceError, recovery
from ...services import account as svc
from ...services.identity import identity_of
from ..auth.mailing import deliver
from ..common import apply_service_error, db, form_status, login_required, parse_uuid
from ..validators import EMAIL, login_value

bp = Blueprint("settings", __name__)


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Your full name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=200, message=_l("At most %(max)d characters."))])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password to save the changes.")), Length(max=200)])

    def validate_email(self, field):
        if field.data and not EMAIL.match(field.data.strip()):
            raise ValidationError(_l("Enter a valid e-mail address, for example name@mail.kz."))

    def validate_phone(self, field):
        value = field.data or ""
        digits = "".join(ch for ch in value if ch.isdigit())
        if value and (not (len(digits) == 11 and digits[0] in "78") or re.search(r"[^\d\s()+-]", value)):
            raise ValidationError(_l("Enter a Kazakhstan phone number, for example +7 701 234 56 78."))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ParentCodeForm(FlaskForm):
    login = StringField(_l("The parent's phone number or e-mail"), validators=[
        DataRequired(_l("Enter the parent's phone number or e-mail.")), login_value])


def _page(form: ProfileForm, status: int = 200):
    return render_template("account/settings.html", form=form, action_form=ActionForm(),
                           others=svc.other_sessions(db(), g.user, g.user_session)), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def index():
    form = ProfileForm()
    if not form.is_submitted():
        ident = identity_of(g.user)
        form.full_name.data, form.email.data, form.phone.data = ident.name, ident.email, ident.phone
    if form.validate_on_submit():
        try:
            changed, notice = svc.update_profile(db(), g.user, current=form.current.data, name=form.full_name.data,
                                         email=form.email.data or "", phone=form.phone.data or "")
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc, aliases={"full_name": "full_name"})
        else:
            deliver(notice)
            if "email_pending" in changed:
                flash(gettext("We have sent a link to the new e-mail address. It becomes your login when you open "
                              "the link (within 24 hours)."), "info")
            if [c for c in changed if c != "email_pending"] or not changed:
                flash(gettext("Your details are saved.") if changed else gettext("Nothing has changed."), "success")
            return redirect(url_for("settings.index"))
    return _page(form, form_status())


@bp.get("/account/email/<token>")
def confirm_email(token):
    """The link sent to a new e-mail address: opening it makes the address the account's login."""
    try:
        _user, notice = svc.confirm_email_change(db(), token)
    except ServiceError as exc:
        db().rollback()
        if exc.code == "login_taken":
            flash(gettext("Another account already uses this e-mail address, so it was not changed."), "error")
            return redirect(url_for("settings.index" if g.user else "auth.login"))
        return render_template("auth/link_invalid.html"), 410
    deliver(notice)
    flash(gettext("Your new e-mail address is confirmed: sign in with it from now on."), "success")
    return redirect(url_for("settings.index" if g.user else "auth.login"))


@bp.post("/account/sessions/end-others")
@login_required
def end_others():
    if ActionForm().validate_on_submit():
        svc.sign_out_others(db(), g.user, g.user_session)
        flash(gettext("You are signed out everywhere else. This device stays signed in."), "success")
    return redirect(url_for("settings.index"))


@bp.route("/orgs/<org_id>/parent-code", methods=["GET", "POST"])
@login_required
def parent_code(org_id):
    oid = parse_uuid(org_id)
    if org_role(db(), g.user, oid) != "head":
        raise AccessDenied()
    form = ParentCodeForm()
    code = None
    if form.validate_on_submit():
        try:
            code = recovery.issue_code(db(), g.user, oid, form.login.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
    status = 200 if code else form_status()
    return render_template("account/parent_code.html", form=form, code=code, org_id=oid), status
