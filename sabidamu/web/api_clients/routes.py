"""The head's (or the admin's) page of an organization's API clients: register one (the secret is shown once),
revoke one. The logic is services/api/clients.py."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, widgets
from wtforms.fields import SelectMultipleField
from wtforms.validators import DataRequired, Length

from ... import access
from ...models.api import API_SCOPES
from ...services import ServiceError
from ...services import orgs as orgs_svc
from ...services.api import clients as svc
from ..choices import options
from ..common import apply_service_error, db, login_required, parse_uuid

bp = Blueprint("api_clients", __name__)


class ClientForm(FlaskForm):
    name = StringField(_l("Name of the system"), validators=[
        DataRequired(_l("Enter the name of the system.")), Length(max=100, message=_l("At most %(max)d characters."))])
    scopes = SelectMultipleField(_l("What the client may do"), choices=options((s, s) for s in API_SCOPES),
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
                                 validators=[DataRequired(_l("Choose at least one scope."))])


class RevokeForm(FlaskForm):
    """A button: only the CSRF token."""


def _org(org_id: str):
    org = orgs_svc.get_org(db(), parse_uuid(org_id))
    if not g.user.is_admin and access.org_role(db(), g.user, org.id) != "head":
        abort(403)
    return org


def _page(org, form, status=200, secret=None, new_id=None):
    from ...api.docs import SCOPE_TEXT
    return render_template("api_clients/list.html", org=org, form=form, clients=svc.clients_of(db(), g.user, org.id),
                           revoke=RevokeForm(), secret=secret, new_id=new_id, scope_text=SCOPE_TEXT), status


@bp.route("/orgs/<org_id>/api-clients", methods=["GET", "POST"])
@login_required
def clients(org_id):
    org = _org(org_id)
    form = ClientForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                made = svc.create_client(db(), g.user, org.id, form.scopes.data, form.name.data)
            except ServiceError as e:
                db().rollback()
                apply_service_error(form, e)
            else:
                return _page(org, ClientForm(formdata=None), secret=made.secret, new_id=made.client.id)
        return _page(org, form, 422)
    return _page(org, form)


@bp.post("/orgs/<org_id>/api-clients/<client_id>/revoke")
@login_required
def revoke(org_id, client_id):
    org = _org(org_id)
    if not RevokeForm().validate_on_submit():
        flash(gettext("The form has expired. Please try again."), "error")
        return redirect(url_for("api_clients.clients", org_id=org.id))
    client = svc.revoke_client(db(), g.user, parse_uuid(client_id), org.id)
    flash(gettext("The client «%(name)s» is revoked: its tokens no longer work.", name=client.name), "success")
    return redirect(url_for("api_clients.clients", org_id=org.id))
