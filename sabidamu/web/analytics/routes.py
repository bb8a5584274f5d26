"""District and region analytics for the education department (counts only), and the admin's department logins."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from ...instruments import load_registry
from ...monitoring import load_framework
from ...monitoring.academic_calendar import STAGE_IDS, academic_year_label, academic_year_of
from ...rendering.analytics_charts import stacked_svg
from ...services import ServiceError
from ...services.analytics import departments as dept_svc
from ...services.analytics import files
from ...services.analytics import pages as svc
from ..common import admin_required, apply_service_error, db, form_status, login_required
from ..downloads import as_attachment
from ..formatting import current_lang
from .forms import DepartmentForm

bp = Blueprint("analytics", __name__, url_prefix="/analytics")


def _titles():
    titles = {}
    for instrument in load_registry(current_app.config["INSTRUMENTS_DIR"]).all():
        for domain in instrument.domains:
            titles.setdefault(domain.id, domain.title)
    return titles


def _params():
    year_text = request.args.get("year", "")
    year = academic_year_of(dt.date.today())
    if year_text.isdigit() and 2000 <= int(year_text) <= 2100:
        year = int(year_text)
    stage = request.args.get("stage")
    stage = stage if stage in STAGE_IDS else "start"
    district = (request.args.get("district") or "").strip().upper() or None
    return year, stage, district


def _report(lang):
    year, stage, district = _params()
    return svc.department_report(db(), g.user, year=year, stage=stage, district=district, lang=lang,
                                 domain_titles=_titles())


@bp.get("/")
@login_required
def index():
    lang = current_lang()
    report = _report(lang)
    hidden = gettext("protected: small numbers")
    charts = {t.key: Markup(stacked_svg(t, t.title, hidden)) for t in report.section("levels")}
    scope = dept_svc.scope_of(db(), g.user)
    fw = load_framework()
    years = [report.year - 1, report.year, report.year + 1]
    return render_template("analytics/index.html", report=report, charts=charts, scope=scope, fw=fw,
                           stages=STAGE_IDS, years=years, year_label=academic_year_label,
                           refresh_minutes=current_app.config["SETTINGS"].analytics_refresh_minutes)


@bp.get("/export.<fmt>")
@login_required
def export(fmt):
    if fmt not in ("csv", "xlsx"):
        return make_response("", 404)
    lang = request.args.get("lang") if request.args.get("lang") in ("kk", "ru") else current_lang()
    report = _report(lang)
    stage_name = load_framework().stage(report.stage).in_(lang)
    name = f"analytics_{report.district or report.region}_{report.year}_{report.stage}_{lang}.{fmt}"
    if fmt == "csv":
        return as_attachment(make_response(files.to_csv(report, stage_name)), name, "text/csv; charset=utf-8")
    return as_attachment(make_response(files.to_xlsx(report, stage_name)), name,
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/departments/new", methods=["GET", "POST"])
@admin_required
def new_department():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            dept_svc.create_department(db(), g.user, region=form.region.data, district=form.district.data,
                                            full_name=form.full_name.data, login=form.login.data,
                                            password=form.password.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The education department's account has been created."), "success")
            return redirect(url_for("admin.index"))
    return render_template("analytics/department_form.html", form=form), form_status()
