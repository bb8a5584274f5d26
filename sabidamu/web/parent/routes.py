"""The parent's pages: their children, adding a child, confirming a kindergarten's request."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from ...services import ServiceError
from ...services import children as children_svc
from ..common import apply_service_error, db, form_status, keyring, login_required, parse_uuid
from ..messages import service_message
from ..screening.presenting import child_summary
from .forms import ChildEditForm, ChildForm, DecisionForm

bp = Blueprint("parent", __name__)


@bp.get("/parent")
@login_required
def dashboard():
    kids = children_svc.children_of_parent(db(), keyring(), g.user)
    pending = children_svc.pending_for_parent(db(), g.user)
    names = {k.id: k.name for k in kids}
    screenings = {k.id: child_summary(db(), keyring(), k, "parent") for k in kids}
    return render_template("parent/dashboard.html", children=kids, pending=pending, names=names,
                           decision_form=DecisionForm(), screenings=screenings)


@bp.route("/children/new", methods=["GET", "POST"])
@login_required
def add_child():
    form = ChildForm()
    if form.validate_on_submit():
        try:
            child = children_svc.add_child_by_parent(
                db(), keyring(), g.user, name=form.name.data, birth_date=form.birth_date.data,
                iin=(form.iin.data or "").strip() or None, gestational_weeks=form.gestational_weeks.data,
                notes=form.notes.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The child has been added."), "success")
            return redirect(url_for("parent.child", child_id=child.id))
    return render_template("parent/child_form.html", form=form), form_status()


@bp.get("/children/<child_id>")
@login_required
def child(child_id):
    view, role = children_svc.view_child(db(), keyring(), g.user, parse_uuid(child_id))
    screening = child_summary(db(), keyring(), view, role)
    from .side_by_side import ShareForm, child_table
    return render_template("parent/child.html", child=view, role=role, screening=screening,
                           side=child_table(view.id, role), share_form=ShareForm())


@bp.route("/children/<child_id>/edit", methods=["GET", "POST"])
@login_required
def edit_child(child_id):
    cid = parse_uuid(child_id)
    view, role = children_svc.view_child(db(), keyring(), g.user, cid)
    if role != "parent":
        return render_template("errors/error.html", code=403, title=gettext("Access denied"),
                               text=gettext("Only the child's parent can change these details.")), 403
    form = ChildEditForm(obj=view if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = view.version
    if form.validate_on_submit():
        try:
            children_svc.update_child_by_parent(db(), keyring(), g.user, cid, version=int(form.version.data or 0),
                                                name=form.name.data, gestational_weeks=form.gestational_weeks.data,
                                                notes=form.notes.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("parent.child", child_id=cid))
    return render_template("parent/child_edit.html", form=form, child=view), form_status()


@bp.post("/enrollments/<enrollment_id>/<decision>")
@login_required
def decide(enrollment_id, decision):
    if decision not in ("accept", "decline") or not DecisionForm().validate_on_submit():
        return redirect(url_for("parent.dashboard"))
    try:
        children_svc.decide_enrollment(db(), keyring(), g.user, parse_uuid(enrollment_id), decision == "accept")
    except ServiceError as exc:
        db().rollback()
        flash(service_message(exc), "error")
    else:
        flash(gettext("The child is now enrolled in the group.") if decision == "accept"
              else gettext("You declined the request."), "success")
    return redirect(url_for("parent.dashboard"))


from . import side_by_side as _side_by_side  # noqa: E402,F401  (its route, on this blueprint)
