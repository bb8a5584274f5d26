"""The head's staff page: who works here, in which groups; take a teacher off a group; deactivate a staff member.
Routes on the org blueprint; the changes (and the end of the person's sessions) are in services/staff.py."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm

from ... import access
from ...services import ServiceError
from ...services import orgs as orgs_svc
from ...services import staff as svc
from ..common import db, login_required, parse_uuid
from ..messages import service_message
from .routes import bp


class StaffActionForm(FlaskForm):
    """A button that changes a staff member's access: only the CSRF token."""


def _head_org(org_id: str):
    org = orgs_svc.get_org(db(), parse_uuid(org_id))
    if access.org_role(db(), g.user, org.id) != "head":
        abort(403)
    return org


@bp.get("/orgs/<org_id>/staff")
@login_required
def staff(org_id):
    org = _head_org(org_id)
    return render_template("org/staff.html", org=org, members=svc.staff_list(db(), g.user, org),
                           form=StaffActionForm())


@bp.route("/orgs/<org_id>/staff/<user_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate_staff(org_id, user_id):
    org = _head_org(org_id)
    person = svc.member(db(), g.user, org, parse_uuid(user_id))
    form = StaffActionForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            svc.deactivate(db(), g.user, org, person.user.id)
        except ServiceError as exc:
            db().rollback()
            error = service_message(exc)
        else:
            flash(gettext("%(name)s no longer has access to the organization. Their sessions have ended.",
                          name=person.user.full_name), "success")
            return redirect(url_for("org.staff", org_id=org.id))
    status = 200 if request.method == "GET" else 422
    return render_template("org/staff_deactivate.html", org=org, person=person, form=form, error=error), status


@bp.post("/orgs/<org_id>/staff/<user_id>/groups/<group_id>/remove")
@login_required
def remove_from_group(org_id, user_id, group_id):
    org = _head_org(org_id)
    if not StaffActionForm().validate_on_submit():
        flash(gettext("The form has expired. Please try again."), "error")
        return redirect(url_for("org.staff", org_id=org.id))
    person = svc.member(db(), g.user, org, parse_uuid(user_id))
    group = svc.remove_from_group(db(), g.user, org, person.user.id, parse_uuid(group_id))
    flash(gettext("%(name)s no longer teaches the group «%(group)s». Their sessions have ended.",
                  name=person.user.full_name, group=group.name), "success")
    return redirect(url_for("org.staff", org_id=org.id))
