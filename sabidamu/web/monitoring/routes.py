"""Monitoring pages. Thin: parse the request, call services.monitoring (access check + audit), render."""
from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from ...monitoring import (
    InvalidLevel,
    InvalidStageWindows,
    MonitoringError,
    MonthDay,
    academic_year_bounds,
    academic_year_of,
    current_stage,
    parse_level,
)
from ...services import ServiceError
from ...services import monitoring as svc
from ..choices import options
from ..common import apply_service_error, db, keyring, login_required, parse_uuid
from ..formatting import current_lang, day_month, long_date
from ..messages import message, service_message, stage_windows_message
from .forms import (
    CELL_PREFIX,
    VERSION_PREFIX,
    GridForm,
    HomeObservationForm,
    ResetForm,
    WindowsForm,
    grid_cells,
    measures_form,
)

bp = Blueprint("monitoring", __name__)

LEVEL_MARKS = {1: "I", 2: "II", 3: "III"}


def today() -> dt.date:
    """Today in Asia/Almaty. Tests may fix the date with MONITORING_TODAY (only when TESTING)."""
    fixed = current_app.config.get("MONITORING_TODAY") if current_app.testing else None
    return fixed or svc.almaty_today()


def _level_or_none(text):
    try:
        return parse_level(text)
    except InvalidLevel:
        return "invalid"


# -- the grid ------------------------------------------------------------------------------------

def _default_stage(group) -> str:
    from ...models import Organization
    org = db().get(Organization, group.org_id)
    return current_stage(svc.org_windows(org), today()) or "start"


def _grid_page(group_id: uuid.UUID, stage: str, skill_group: str, *, form=None, posted=None, conflicts=None,
               invalid=None, error=None, status=200):
    try:
        data = svc.grid(db(), keyring(), g.user, group_id, stage, skill_group, today())
    except ServiceError:
        db().rollback()
        abort(404)
    fw = svc.framework()
    posted = posted or {}
    conflicts = {c.child_id: c for c in (conflicts or [])}
    # The no-JS path after a refusal: show what was typed, and for conflicts the stored values beside it.
    for row in data.rows:
        version_text, cells = posted.get(str(row.child_id), (None, {}))
        for skill_id, text in cells.items():
            value = _level_or_none(text)
            if skill_id in row.values and value != "invalid":
                row.values[skill_id] = value
        if row.child_id in conflicts:
            row.version = conflicts[row.child_id].version
        elif version_text is not None and version_text.isdigit():
            row.version = int(version_text)
    return render_template(
        "monitoring/grid.html", data=data, fw=fw, lang=current_lang(), form=form or GridForm(), marks=LEVEL_MARKS,
        conflicts=conflicts, invalid=invalid or set(), error=error,
        stages=[(s.id, s.in_(current_lang())) for s in fw.stages],
        skill_groups=[(sg.id, sg.in_(current_lang())) for sg in fw.skill_groups],
        cell_prefix=CELL_PREFIX, version_prefix=VERSION_PREFIX), status


@bp.get("/groups/<group_id>/monitoring")
@login_required
def grid(group_id):
    gid = parse_uuid(group_id)
    group, _role = svc.group_for(db(), g.user, gid)
    stage = request.args.get("stage") or _default_stage(group)
    skill_group = request.args.get("skill_group") or "physical"
    return _grid_page(gid, stage, skill_group)


@bp.post("/groups/<group_id>/monitoring")
@login_required
def save_grid(group_id):
    gid = parse_uuid(group_id)
    group, _role = svc.group_for(db(), g.user, gid)
    form = GridForm()
    stage, skill_group = form.stage.data or "", form.skill_group.data or ""
    if not form.validate_on_submit():
        if stage and skill_group:
            return _grid_page(gid, stage, skill_group, form=form, status=422,
                              error=gettext("The form has expired. Please try again."))
        abort(422)
    posted = grid_cells(request.form)
    invalid = {(child, skill) for child, (_v, cells) in posted.items() for skill, text in cells.items()
               if _level_or_none(text) == "invalid"}
    rows: dict[uuid.UUID, tuple[int, dict]] = {}
    bad_ids = False
    for child, (version, cells) in posted.items():
        try:
            rows[uuid.UUID(child)] = (int(version) if version and version.isdigit() else -1, cells)
        except ValueError:
            bad_ids = True
    if invalid or bad_ids:
        return _grid_page(gid, stage, skill_group, form=form, posted=posted, invalid=invalid, status=422,
                          error=message("unknown_level") if invalid else message("child_not_in_group"))
    try:
        result = svc.save_rows(db(), keyring(), g.user, gid, stage, skill_group, rows, today(),
                               academic_year=form.academic_year.data)
    except ServiceError as exc:
        db().rollback()
        return _grid_page(gid, stage, skill_group, form=form, posted=posted, status=422, error=service_message(exc))
    if result.conflicts:
        return _grid_page(gid, stage, skill_group, form=form, posted=posted, conflicts=result.conflicts, status=409,
                          error=gettext("Someone else saved some of these children while you were entering. Your "
                                        "values are kept below and the saved ones are shown beside them: check "
                                        "them and save again to keep yours."))
    flash(gettext("The levels have been saved.") if result.saved else gettext("Nothing was changed."), "success")
    return redirect(url_for("monitoring.grid", group_id=group.id, stage=stage, skill_group=skill_group))


@bp.post("/groups/<group_id>/monitoring/cell")
@login_required
def save_cell(group_id):
    """One cell, saved at once by grid.js: JSON in, JSON out."""
    gid = parse_uuid(group_id)
    svc.group_for(db(), g.user, gid)  # access first: a refusal does not depend on the body
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="bad_request", message=gettext("The request could not be completed.")), 400
    try:
        child_id = uuid.UUID(str(body.get("child_id")))
    except ValueError:
        return jsonify(error="child_not_in_group", message=message("child_not_in_group")), 422
    version = body.get("version")
    try:
        result = svc.save_cell(db(), keyring(), g.user, gid, child_id, str(body.get("stage") or ""),
                               str(body.get("skill_id") or ""), body.get("level"),
                               version if isinstance(version, int) else -1, today(),
                               academic_year=body.get("academic_year") if isinstance(body.get("academic_year"), int)
                               else None)
    except ServiceError as exc:
        db().rollback()
        return jsonify(error=exc.code, message=service_message(exc)), 422
    if isinstance(result, svc.Conflict):
        skill_id = str(body.get("skill_id"))
        yours, stored = result.cells.get(skill_id, (None, None))
        return jsonify(error="conflict", version=result.version, yours=yours, stored=stored,
                       message=gettext("Someone else changed this child's levels meanwhile.")), 409
    derived = result.derived
    return jsonify(ok=True, version=result.version, late=result.late, skill_group=result.skill_group,
                   level=derived.level, observed=derived.observed, total=derived.total, low=derived.low)


# -- measures and final levels ------------------------------------------------------------------

@bp.route("/groups/<group_id>/monitoring/<stage>/children/<child_id>/measures", methods=["GET", "POST"])
@login_required
def measures(group_id, stage, child_id):
    gid, cid = parse_uuid(group_id), parse_uuid(child_id)
    svc.group_for(db(), g.user, gid)
    try:
        view = svc.child_stage(db(), keyring(), g.user, gid, cid, stage, today())
    except ServiceError:
        db().rollback()
        abort(404)
    fw = svc.framework()
    groups = [(sg.id, sg.in_(current_lang())) for sg in fw.skill_groups]
    final = stage == "final"
    form = measures_form(groups, final, formdata=request.form if request.method == "POST" else None)
    conflict = None
    status = 200
    if request.method == "GET":
        form.version.data = view.version
        for sg, _label in groups:
            getattr(form, f"measures_{sg}").data = view.measures.get(sg, "")
            if final:
                level = view.final_levels.get(sg)
                getattr(form, f"final_{sg}").data = str(level) if level else ""
    elif form.validate_on_submit():
        try:
            result = svc.save_measures(
                db(), keyring(), g.user, gid, cid, stage,
                {sg: getattr(form, f"measures_{sg}").data or "" for sg, _l2 in groups},
                {sg: getattr(form, f"final_{sg}").data or "" for sg, _l2 in groups} if final else {},
                form.version.data, today())
        except ServiceError as exc:
            db().rollback()
            form.form_errors.append(service_message(exc))
            status = 422
        else:
            if isinstance(result, svc.MeasuresConflict):
                conflict = result
                form.version.data = result.version  # saving again keeps the typed values
                form.form_errors.append(gettext(
                    "Someone else saved this child's measures while you were writing. Your text is kept below and "
                    "the saved text is shown beside it: save again to keep yours."))
                status = 409
            else:
                flash(gettext("The measures have been saved."), "success")
                return redirect(url_for("monitoring.measures", group_id=gid, stage=stage, child_id=cid))
    else:
        status = 422
    return render_template("monitoring/measures.html", view=view, form=form, groups=groups, final=final,
                           conflict=conflict, fw=fw, lang=current_lang(), marks=LEVEL_MARKS,
                           stage_name=fw.stage(stage).in_(current_lang())), status


# -- stage windows -------------------------------------------------------------------------------

@bp.route("/orgs/<org_id>/monitoring/windows", methods=["GET", "POST"])
@login_required
def windows(org_id):
    oid = parse_uuid(org_id)
    org, current, is_default = svc.windows_of(db(), g.user, oid)
    year = academic_year_of(today())
    first, last = academic_year_bounds(year)
    form = WindowsForm()
    form.limit_to(first, last)
    status = 200
    if request.method == "GET":
        form.fill(current.as_dict(), lambda md: MonthDay.parse(md).in_academic_year(year))
    elif request.form.get("reset") == "1":
        if ResetForm().validate_on_submit():
            svc.set_windows(db(), g.user, oid, None)
            flash(gettext("The default periods are used again."), "success")
            return redirect(url_for("monitoring.windows", org_id=oid))
        form.form_errors.append(gettext("The form has expired. Please try again."))
        status = 400
    elif form.validate_on_submit() and form.check_year(first, last, gettext(
            "Choose a day between %(first)s and %(last)s.", first=long_date(first), last=long_date(last))):
        try:
            svc.set_windows(db(), g.user, oid, form.month_days())
        except InvalidStageWindows as exc:
            db().rollback()
            form.form_errors.append(stage_windows_message(exc.code))
            status = 422
        except MonitoringError:
            db().rollback()
            form.form_errors.append(stage_windows_message("bad_date"))
            status = 422
        else:
            flash(gettext("The monitoring periods have been saved."), "success")
            return redirect(url_for("monitoring.windows", org_id=oid))
    else:
        status = 422
    fw = svc.framework()
    defaults = {stage: tuple(day_month(MonthDay.parse(md)) for md in pair)
                for stage, pair in fw.stage_windows().as_dict().items()}
    return render_template("monitoring/windows.html", org=org, form=form, is_default=is_default, defaults=defaults,
                           stages=[(s.id, s.in_(current_lang())) for s in fw.stages], year=year), status


# -- home observations -----------------------------------------------------------------------------

@bp.route("/children/<child_id>/home-observations/new", methods=["GET", "POST"])
@login_required
def home_observation(child_id):
    cid = parse_uuid(child_id)
    name, notes = svc.home_observations_of_parent(db(), keyring(), g.user, cid)
    fw = svc.framework()
    form = HomeObservationForm()
    areas = [(sg.id, sg.in_(current_lang())) for sg in fw.skill_groups]
    form.skill_group.choices = options([("", gettext("Not tied to an area")), *areas])
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                svc.add_home_observation(db(), keyring(), g.user, cid, form.text.data, form.skill_group.data or None)
            except ServiceError as exc:
                db().rollback()
                apply_service_error(form, exc)
            else:
                flash(gettext("Your note has been saved. The child's teacher will see it."), "success")
                return redirect(url_for("parent.child", child_id=cid))
    return render_template("monitoring/home_observation.html", form=form, name=name, notes=notes, child_id=cid,
                           sg_names={sg.id: sg.in_(current_lang()) for sg in fw.skill_groups}), status
