"""The head ends a child's enrolment (a leave date) or graduates a group at the end of the academic year.
Handing the card to a school does not end the enrolment (issue 9.2): these pages do. Thin: parse the form, call
services.enrolment_end (access check, change, audit), render."""
from __future__ import annotations

import datetime as dt

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired

from ...services import ServiceError
from ...services import enrolment_end as svc
from ...services.transfer.importing import retention_until
from ..common import db, form_status, keyring, login_required, parse_uuid
from ..messages import service_message
from .routes import bp


class LeaveForm(FlaskForm):
    leave_date = DateField(_l("The child's last day in the group"), validators=[
        InputRequired(_l("Enter the date as day, month and year."))])


class GraduateForm(FlaskForm):
    """Only the CSRF token: the page itself is the confirmation."""


@bp.route("/groups/<group_id>/children/<child_id>/leave", methods=["GET", "POST"])
@login_required
def leave(group_id, child_id):
    gid, cid = parse_uuid(group_id), parse_uuid(child_id)
    page = svc.leave_page(db(), keyring(), g.user, gid, cid)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            svc.end_enrolment(db(), g.user, gid, cid, leave_date=form.leave_date.data)
        except ServiceError as exc:
            db().rollback()
            form.leave_date.errors = list(form.leave_date.errors) + [service_message(exc)]
        else:
            flash(gettext("The child's enrolment has ended. The child's card can no longer be changed."), "success")
            return redirect(url_for("org.group", group_id=gid), code=303)
    return render_template("transfer/leave.html", page=page, form=form,
                           until=retention_until(dt.date.today())), form_status()


@bp.route("/groups/<group_id>/graduate", methods=["GET", "POST"])
@login_required
def graduate(group_id):
    gid = parse_uuid(group_id)
    page = svc.graduation_page(db(), keyring(), g.user, gid)
    form = GraduateForm()
    if form.validate_on_submit():
        try:
            ended = svc.graduate_group(db(), g.user, gid)
        except ServiceError as exc:
            db().rollback()
            form.form_errors.append(service_message(exc))
        else:
            flash(ngettext_children(ended), "success")
            return redirect(url_for("org.group", group_id=gid), code=303)
    return render_template("transfer/graduate.html", page=page, form=form, today=dt.date.today(),
                           until=retention_until(dt.date.today())), form_status()


def ngettext_children(count: int) -> str:
    from flask_babel import ngettext
    return ngettext("The group has graduated: %(num)d child's enrolment has ended.",
                    "The group has graduated: %(num)d children's enrolments have ended.", count)
