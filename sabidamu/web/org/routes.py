"""Organization pages: overview, staff, groups, a group's children and enrolment by IIN."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from ... import access
from ...iin import IINError
from ...services import ServiceError
from ...services import children as children_svc
from ...services import enrolment_requests as requests_svc
from ...services import orgs as orgs_svc
from ..choices import options
from ..common import apply_service_error, db, form_status, keyring, login_required, parse_uuid
from ..messages import iin_message, service_message
from .forms import DecisionForm, EnrollForm, GroupForm, StaffForm, current_academic_year

bp = Blueprint("org", __name__)


def _org_for(org_id: str, head_only: bool = False):
    org = orgs_svc.get_org(db(), parse_uuid(org_id))
    role = access.org_role(db(), g.user, org.id)
    if role is None or (head_only and role != "head"):
        abort(403)
    return org, role


@bp.get("/orgs/<org_id>")
@login_required
def overview(org_id):
    org, role = _org_for(org_id)
    groups = orgs_svc.groups_for(db(), g.user, org)
    sizes = orgs_svc.group_sizes(db(), [x.id for x in groups])
    members = orgs_svc.staff_of(db(), org) if role == "head" else []
    handed = orgs_svc.handed_to_school(db(), keyring(), g.user, org) if org.kind == "kindergarten" else []
    asked = requests_svc.requests_for_org(db(), keyring(), g.user, org) if role == "head" else []
    return render_template("org/overview.html", org=org, role=role, groups=groups, sizes=sizes, staff=members,
                           handed=handed, asked=asked, decision_form=DecisionForm())


@bp.route("/orgs/<org_id>/staff/new", methods=["GET", "POST"])
@login_required
def new_staff(org_id):
    org, _role = _org_for(org_id, head_only=True)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            orgs_svc.hire_staff(db(), g.user, org, full_name=form.full_name.data, login=form.login.data,
                                password=form.password.data, role=form.role.data,
                                specialist_kind=form.specialist_kind.data or None)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The account has been created. Give the person their login and first password."), "success")
            return redirect(url_for("org.overview", org_id=org.id))
    return render_template("org/staff_form.html", form=form, org=org), form_status()


@bp.route("/orgs/<org_id>/groups/new", methods=["GET", "POST"])
@login_required
def new_group(org_id):
    org, _role = _org_for(org_id, head_only=True)
    form = GroupForm()
    form.teachers.choices = options((str(t.id), t.full_name) for t in orgs_svc.teachers_of(db(), org))
    if request.method == "GET":
        form.academic_year.data = current_academic_year()
    if form.validate_on_submit():
        try:
            group = orgs_svc.create_group(db(), g.user, org, name=form.name.data, age_group=form.age_group.data,
                                          academic_year=form.academic_year.data,
                                          teacher_ids=[parse_uuid(t) for t in form.teachers.data])
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The group has been created."), "success")
            return redirect(url_for("org.group", group_id=group.id))
    return render_template("org/group_form.html", form=form, org=org), form_status()


@bp.get("/groups/<group_id>")
@login_required
def group(group_id):
    grp, role, kids, pending = children_svc.group_page(db(), keyring(), g.user, parse_uuid(group_id))
    org = orgs_svc.get_org(db(), grp.org_id)
    return render_template("org/group.html", group=grp, org=org, role=role, children=kids, pending=pending,
                           teachers=orgs_svc.group_teachers(db(), grp))


@bp.route("/groups/<group_id>/enroll", methods=["GET", "POST"])
@login_required
def enroll(group_id):
    grp, role = orgs_svc.get_group(db(), g.user, parse_uuid(group_id))
    if role != "head":
        abort(403)
    form = EnrollForm()
    if form.validate_on_submit():
        try:
            enrollment = children_svc.enroll_by_iin(db(), keyring(), g.user, grp, iin=form.iin.data.strip(),
                                                    name=form.name.data, birth_date=form.birth_date.data)
        except IINError as exc:
            db().rollback()
            form.iin.errors = list(form.iin.errors) + [iin_message(exc)]
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            # One answer whether the IIN was known or not (pending or added): the page must not tell them apart.
            del enrollment
            flash(gettext("The enrolment has been recorded. A child already registered on SabiDamu joins the group "
                          "once the child's parent or kindergarten confirms it."), "success")
            return redirect(url_for("org.group", group_id=grp.id))
    return render_template("org/enroll.html", form=form, group=grp), form_status()


@bp.post("/orgs/<org_id>/enrollment-requests/<enrollment_id>/<decision>")
@login_required
def decide_request(org_id, enrollment_id, decision):
    """The head of the kindergarten holding a child answers another organization's request to enrol it."""
    org, _role = _org_for(org_id, head_only=True)
    if decision not in ("accept", "decline") or not DecisionForm().validate_on_submit():
        abort(400)
    try:
        requests_svc.decide_by_org(db(), keyring(), g.user, parse_uuid(enrollment_id), decision == "accept")
    except ServiceError as exc:
        db().rollback()
        flash(service_message(exc), "error")
    else:
        flash(gettext("The child has moved to the other kindergarten.") if decision == "accept"
              else gettext("You declined the request."), "success")
    return redirect(url_for("org.overview", org_id=org.id))


from . import staff  # noqa: E402,F401  (the head's staff page; its routes live on this blueprint)
