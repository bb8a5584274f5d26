"""Platform administration: organizations and their first head, and the API clients of regions."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from ...analytics import areas
from ...models.api import REGION_SCOPES
from ...services import ServiceError
from ...services import orgs as orgs_svc
from ...services.api import clients as api_clients_svc
from ..common import admin_required, apply_service_error, db, form_status, keyring, parse_uuid
from ..formatting import current_lang
from .forms import OrgForm, RegionClientForm, RevokeForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def index():
    return render_template("admin/index.html", orgs=orgs_svc.all_orgs(db(), g.user))


@bp.route("/orgs/new", methods=["GET", "POST"])
@admin_required
def new_org():
    form = OrgForm()
    if form.validate_on_submit():
        try:
            orgs_svc.create_org_with_head(db(), keyring(), g.user, kind=form.kind.data, name_kk=form.name_kk.data,
                                          name_ru=form.name_ru.data, region=form.region.data, bin=form.bin.data,
                                          head_name=form.head_name.data, head_login=form.head_login.data,
                                          head_password=form.head_password.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc, aliases={"login": "head_login"})
        else:
            flash(gettext("The organization and its head's account have been created."), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/org_form.html", form=form), form_status()


# -- API clients of regions (issue 16): counts only; the logic and the rule are services/api/clients.py and access.py

def _clients_page(form, status=200, secret=None, new_id=None):
    from ...api.docs import SCOPE_TEXT
    clients = api_clients_svc.region_clients(db(), g.user)
    lang = current_lang()
    names = {c.region: areas.region_name(c.region, lang) for c in clients if c.region}
    return render_template("admin/api_clients.html", form=form, clients=clients, region_names=names,
                           revoke=RevokeForm(), secret=secret, new_id=new_id, scopes=REGION_SCOPES,
                           scope_text=SCOPE_TEXT), status


@bp.route("/api-clients", methods=["GET", "POST"])
@admin_required
def api_clients():
    form = RegionClientForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                made = api_clients_svc.create_region_client(db(), g.user, form.region.data, list(REGION_SCOPES),
                                                            form.name.data)
            except ServiceError as exc:
                db().rollback()
                apply_service_error(form, exc)
            else:
                # The secret is in this response only (its hash is stored): a fresh form, no redirect to lose it.
                return _clients_page(RegionClientForm(formdata=None), secret=made.secret, new_id=made.client.id)
        return _clients_page(form, 422)
    return _clients_page(form)


@bp.post("/api-clients/<client_id>/revoke")
@admin_required
def revoke_api_client(client_id):
    if not RevokeForm().validate_on_submit():
        flash(gettext("The form has expired. Please try again."), "error")
        return redirect(url_for("admin.api_clients"))
    client = api_clients_svc.revoke_client(db(), g.user, parse_uuid(client_id), regions_only=True)
    flash(gettext("The client «%(name)s» is revoked: its tokens no longer work.", name=client.name), "success")
    return redirect(url_for("admin.api_clients"))
