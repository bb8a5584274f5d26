"""Platform administration: organizations and their first head."""
from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext

from ...services import ServiceError
from ...services import orgs as orgs_svc
from ..common import admin_required, apply_service_error, db, form_status, keyring
from .forms import OrgForm

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
