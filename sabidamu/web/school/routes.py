"""School pages: import of .sdcard files, the inbox and held packages, first-grade readiness, imported cards.
Thin: parse the request, call services.transfer.importing (access check + audit), render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from werkzeug.exceptions import RequestEntityTooLarge

from ...models import Organization
from ...monitoring import load_framework
from ...services import ServiceError
from ...services.transfer import batch as batch
from ...services.transfer import importing as svc
from ...services.transfer import inbox as inbox_svc
from ...services.transfer import school_view
from ...services.transfer.keys_page import grouped
from ..choices import options
from ..common import apply_service_error, db, form_status, keyring, login_required, parse_uuid
from ..downloads import as_attachment, download_name
from ..formatting import current_lang
from ..messages import import_message, message, service_message
from ..nav import org_name
from .forms import ConfirmKeyForm, DecisionForm, PlaceForm, UploadForm

bp = Blueprint("school", __name__)
MIB = 1024 * 1024
LEVEL_NAMES = {3: "III", 2: "II", 1: "I"}


@bp.context_processor
def _sender_name():
    """A package's sender in the page's language when it is an organization of this installation (both names are
    known); otherwise the name the package carries."""
    def sender_name(row) -> str:
        org = db().get(Organization, row.sender_org_id) if getattr(row, "sender_org_id", None) else None
        return org_name(org) if org is not None else (row.sender_name or "")
    return {"sender_name": sender_name}


def skill_group_names() -> dict[str, str]:
    return {sg.id: sg.in_(current_lang()) for sg in load_framework().skill_groups}


def _child_name(child_id) -> str:
    from ...models import Child
    child = db().get(Child, child_id)
    return keyring().open("child", child.id, "name", child.name_ct) if child else ""


@bp.route("/orgs/<org_id>/school/import", methods=["GET", "POST"])
@login_required
def upload(org_id):
    org, role = svc.school_role_or_deny(db(), g.user, parse_uuid(org_id))
    limits = svc.UPLOAD_LIMITS
    results, status = [], 200
    if request.method == "POST":
        # The whole upload's size is limited before the body is parsed (and so before any cryptography).
        request.max_content_length = limits.max_total_bytes + MIB
        try:
            _ = request.files  # parsing the body here is what refuses one too large
        except RequestEntityTooLarge:
            form = UploadForm(formdata=None)
            form.files.errors = [import_message("upload_too_large", mib=limits.max_total_bytes // MIB)]
            return render_template("school/upload.html", form=form, org=org, role=role, results=[], limits=limits), 413
    form = UploadForm()
    # An empty multipart body leaves the form unbound (validate() is False without errors): "choose files".
    if request.method == "POST" and (form.validate_on_submit() or not form.errors):
        files = [f for f in (request.files.getlist("files") or []) if getattr(f, "filename", "")]
        if not files:
            form.files.errors = [import_message("no_files")]
            status = 422
        elif len(files) > limits.max_files:
            form.files.errors = [import_message("too_many_files", count=limits.max_files)]
            status = 422
        else:
            # Bounded by the request's limit; a package's own limit (too_large) is checked before decrypting it.
            uploaded = [(storage.filename, storage.stream.read(limits.max_total_bytes + 1)) for storage in files]
            for line in batch.import_upload(db(), keyring(), org.id, uploaded, g.user):
                result = line.result
                results.append({"file": line.file, "status": result.status,
                                "message": import_message(result.code, result.status,
                                                          mib=limits.max_file_bytes // MIB,
                                                          count=batch.MAX_PACKAGES),
                                "child": _child_name(result.child_id) if result.child_id else "",
                                "child_id": result.child_id})
            status = 422 if any(r["status"] in ("rejected", "failed") for r in results) else 200
    elif request.method == "POST":
        status = 422
    return render_template("school/upload.html", form=form, org=org, role=role, results=results,
                           limits=limits), status


@bp.get("/orgs/<org_id>/school/inbox")
@login_required
def inbox(org_id):
    org, role = svc.school_role_or_deny(db(), g.user, parse_uuid(org_id))
    rows = inbox_svc.inbox(db(), g.user, org.id)
    held = inbox_svc.held_packages(db(), g.user, org.id)
    names = {r.child_id: _child_name(r.child_id) for r in rows if r.child_id}
    return render_template("school/inbox.html", org=org, role=role, rows=rows, held=held, names=names,
                           form=DecisionForm(), grouped=grouped, reason=import_message)


def _confirm_page(org, rows, decision: str, action: str, title: str, button: str):
    names = {r.child_id: _child_name(r.child_id) for r in rows if r.child_id}
    return render_template("school/decision_confirm.html", org=org, rows=rows, names=names, decision=decision,
                           action=action, title=title, button=button, form=DecisionForm(),
                           until=svc.retention_until(dt.date.today()))


@bp.route("/orgs/<org_id>/school/inbox/accept-all", methods=["GET", "POST"])
@login_required
def accept_all(org_id):
    org, _role = svc.school_role_or_deny(db(), g.user, parse_uuid(org_id))
    form = DecisionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        results = batch.accept_all(db(), keyring(), g.user, org.id)
        accepted = sum(1 for r in results if r.status == "imported")
        refused = len(results) - accepted
        flash(ngettext("%(num)d card has been accepted.", "%(num)d cards have been accepted.", accepted), "success")
        if refused:
            flash(ngettext("%(num)d card could not be accepted; see the list below.",
                           "%(num)d cards could not be accepted; see the list below.", refused), "error")
        return redirect(url_for("school.inbox", org_id=org.id), code=303)
    rows = batch.waiting(db(), g.user, org.id)
    if not rows:
        return redirect(url_for("school.inbox", org_id=org.id))
    return _confirm_page(org, rows, "accept", url_for("school.accept_all", org_id=org.id),
                         ngettext("Accept %(num)d card?", "Accept all %(num)d cards?", len(rows)),
                         ngettext("Accept %(num)d card", "Accept all %(num)d cards", len(rows)))


@bp.get("/school/transfers/<transfer_id>/decline")
@login_required
def confirm_decline(transfer_id):
    from ...models import TransferPackage
    row = db().get(TransferPackage, parse_uuid(transfer_id))
    if row is None or row.direction != "inbox" or row.recipient_org_id is None:
        abort(404)
    org, _role = svc.school_role_or_deny(db(), g.user, row.recipient_org_id)
    if row.status != "delivered":
        flash(message("not_delivered"), "info")
        return redirect(url_for("school.inbox", org_id=org.id))
    return _confirm_page(org, [row], "decline", url_for("school.decide", transfer_id=row.id, decision="decline"),
                         gettext("Decline this card?"), gettext("Decline the card"))


@bp.post("/school/transfers/<transfer_id>/<decision>")
@login_required
def decide(transfer_id, decision):
    if decision not in ("accept", "decline"):
        abort(404)
    form = DecisionForm()
    row_id = parse_uuid(transfer_id)
    from ...models import TransferPackage
    row = db().get(TransferPackage, row_id)
    if row is None or row.direction != "inbox" or row.recipient_org_id is None:
        abort(404)
    org_id = row.recipient_org_id
    svc.school_role_or_deny(db(), g.user, org_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        if decision == "accept":
            result = inbox_svc.accept(db(), keyring(), g.user, row_id)
            if result.status == "rejected":
                flash(import_message(result.code, mib=20), "error")
            else:
                flash(gettext("The card has been accepted. The child stays in the kindergarten group until the "
                              "kindergarten ends the enrolment; then the kindergarten can read the card, but not "
                              "change it, until the date shown."), "success")
        else:
            inbox_svc.decline(db(), g.user, row_id)
            flash(gettext("The transfer has been declined."), "info")
    except ServiceError as exc:
        db().rollback()
        flash(service_message(exc), "error")
    return redirect(url_for("school.inbox", org_id=org_id))


@bp.route("/school/held/<transfer_id>/confirm", methods=["GET", "POST"])
@login_required
def confirm(transfer_id):
    from ...models import TransferPackage
    row = db().get(TransferPackage, parse_uuid(transfer_id))
    if row is None or row.recipient_org_id is None:
        abort(404)
    org, _role = svc.school_role_or_deny(db(), g.user, row.recipient_org_id, head_only=True)
    form = ConfirmKeyForm()
    if row.status == "held" and form.validate_on_submit():
        try:
            inbox_svc.confirm_sender_key(db(), keyring(), g.user, row.id, form.public_key.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The key has been confirmed and remembered, and the card has been imported."), "success")
            return redirect(url_for("school.inbox", org_id=org.id))
    status = form_status()
    known = inbox_svc.known_keys_for(db(), row)
    return render_template("school/confirm.html", form=form, org=org, row=row, known=known, grouped=grouped), status


@bp.get("/orgs/<org_id>/school/readiness")
@login_required
def readiness(org_id):
    org, role = svc.school_role_or_deny(db(), g.user, parse_uuid(org_id))
    data = school_view.readiness(db(), keyring(), g.user, org.id)
    place_form = PlaceForm()
    place_form.group.choices = options((str(x.id), x.name) for x in data.grade1_groups)
    return render_template("school/readiness.html", org=org, role=role, data=data, names=skill_group_names(),
                           skill_groups=svc.SKILL_GROUPS, levels=LEVEL_NAMES, place_form=place_form)


@bp.post("/orgs/<org_id>/school/children/<child_id>/place")
@login_required
def place(org_id, child_id):
    org, _role = svc.school_role_or_deny(db(), g.user, parse_uuid(org_id), head_only=True)
    child = parse_uuid(child_id)
    form = PlaceForm()
    from sqlmodel import select

    from ...models import Group
    form.group.choices = options((str(x.id), x.name) for x in db().exec(
        select(Group).where(Group.org_id == org.id, Group.age_group == "grade1")).all())
    if not form.validate_on_submit():
        flash(message("not_a_grade1_class"), "error")
        return redirect(url_for("school.readiness", org_id=org.id)), 303
    try:
        enrollment = school_view.place_in_class(db(), keyring(), g.user, org.id, child, parse_uuid(form.group.data))
    except ServiceError as exc:
        db().rollback()
        flash(service_message(exc), "error")
    else:
        flash(gettext("The request has been sent to the child's parent for confirmation.")
              if enrollment.status == "pending" else gettext("The child has been placed in the class."), "success")
    return redirect(url_for("school.readiness", org_id=org.id))


@bp.get("/school/cards/<card_id>")
@login_required
def card(card_id):
    row, data, role = school_view.imported_card(db(), keyring(), g.user, parse_uuid(card_id))
    years = []
    for year in sorted(data.get("years", []), key=lambda y: y["academic_year"], reverse=True):
        rows = []
        for sg in svc.SKILL_GROUPS:
            cells = []
            for stage in svc.STAGES:
                entry = next((e for e in (year.get("stages", {}).get(stage) or {}).get("entries", [])
                              if e["skill_group"] == sg), None)
                cells.append(entry)
            rows.append({"skill_group": sg, "cells": cells, "final": year.get("final_levels", {}).get(sg)})
        years.append({"year": year, "rows": rows,
                      "dates": [(year.get("stages", {}).get(s) or {}).get("date") for s in svc.STAGES]})
    return render_template("school/card.html", card=row, data=data, years=years, names=skill_group_names(),
                           levels=LEVEL_NAMES, org_id=row.school_org_id)


@bp.get("/school/cards/<card_id>/card.pdf")
@login_required
def card_pdf(card_id):
    body, name = school_view.imported_card_pdf_named(db(), keyring(), g.user, parse_uuid(card_id))
    response = as_attachment(make_response(body), download_name("card", name, dt.date.today(), "pdf"),
                             "application/pdf")
    return response
