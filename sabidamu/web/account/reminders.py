"""My reminders (/account/reminders): each kind of reminder that can reach the person, on or off (issue 15).
Logic: services/reminders.py."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from ...services import reminders as svc
from ..common import db, form_status, login_required
from .routes import bp

LABELS = {
    "screening_due": _l("When my child's next screening is due"),
    "consent_expiring": _l("When a consent I gave is about to expire"),
    "stage_open": _l("When a monitoring stage opens for my group"),
    "stage_closing": _l("A week before a monitoring stage closes, if levels are missing"),
    "card_received": _l("When a child's card arrives in the school's inbox"),
}


class RemindersForm(FlaskForm):
    screening_due = BooleanField(LABELS["screening_due"])
    consent_expiring = BooleanField(LABELS["consent_expiring"])
    stage_open = BooleanField(LABELS["stage_open"])
    stage_closing = BooleanField(LABELS["stage_closing"])
    card_received = BooleanField(LABELS["card_received"])


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def reminders():
    kinds = svc.relevant_kinds(db(), g.user)
    enabled = svc.enabled_kinds(db(), g.user.id)
    form = RemindersForm()
    if form.validate_on_submit():
        chosen = {k for k in kinds if form[k].data} | (enabled - set(kinds))  # kinds not shown stay as they are
        svc.save_choices(db(), g.user, chosen)
        flash(gettext("Your reminder choices are saved."), "success")
        return redirect(url_for("account.reminders"))
    if not form.is_submitted():
        for kind in kinds:
            form[kind].data = kind in enabled
    return render_template("account/reminders.html", form=form, kinds=kinds), form_status()
