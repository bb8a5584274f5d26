"""Transfer pages (the sending side): the organization's transfer keys, and handing cards to a school.
Thin: parse the request, call services.transfer.export / .keys_page (access check, consent check, audit), render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from ...jobs import transfer_zip as jobs
from ...services import ServiceError
from ...services.transfer import export as svc
from ...services.transfer import keys_page
from ...services.transfer.importing import retention_until
from ..common import apply_service_error, db, keyring, login_required, parse_uuid
from ..downloads import as_attachment, download_name
from ..formatting import current_lang
from ..jobfiles import file_response, job_or_404, progress_response
from ..messages import export_refusal_message
from ..nav import org_name
from .forms import MAX_KEY_FILE, OTHER_SCHOOL, ExportForm, RotateKeysForm

bp = Blueprint("transfer", __name__)


# -- organization keys ----------------------------------------------------------------------------------------

@bp.get("/orgs/<org_id>/transfer-keys")
@login_required
def keys(org_id):
    page = keys_page.keys_page(db(), g.user, parse_uuid(org_id))
    return render_template("transfer/keys.html", page=page, grouped=keys_page.grouped, form=RotateKeysForm())


def _key_download(org_id: str, kind: str) -> Response:
    name, text = keys_page.public_key_file(db(), g.user, parse_uuid(org_id), kind)
    return as_attachment(Response(text, headers={"Cache-Control": "no-store"}), name, "text/plain; charset=utf-8")


@bp.get("/orgs/<org_id>/transfer-keys/age-recipient.txt")
@login_required
def age_recipient(org_id):
    return _key_download(org_id, "age")


@bp.get("/orgs/<org_id>/transfer-keys/minisign.pub")
@login_required
def minisign_pub(org_id):
    return _key_download(org_id, "minisign")


@bp.post("/orgs/<org_id>/transfer-keys/rotate")
@login_required
def rotate(org_id):
    oid = parse_uuid(org_id)
    form = RotateKeysForm()
    if not form.validate_on_submit():
        page = keys_page.keys_page(db(), g.user, oid)  # access first: a stranger gets 403/404, not the form's errors
        return render_template("transfer/keys.html", page=page, grouped=keys_page.grouped, form=form), 422
    keys_page.rotate_keys(db(), keyring(), g.user, oid)
    flash(gettext("New transfer keys have been made. Tell the schools and kindergartens you exchange cards with "
                  "the new fingerprints; the old keys are kept so earlier packages still open."), "success")
    return redirect(url_for("transfer.keys", org_id=oid), code=303)


# -- handing cards to a school --------------------------------------------------------------------------------

def _fill_choices(form: ExportForm, groups) -> None:
    form.children.choices = [SelectChoice(str(c.id), c.name) for choice in groups for c in choice.children]
    form.school.choices = [SelectChoice("", gettext("— choose —"))] + [
        SelectChoice(str(org.id), org.name_kk if current_lang() == "kk" else org.name_ru)
        for org, _key in svc.schools(db())
    ] + [SelectChoice(OTHER_SCHOOL, gettext("Another school: I have its public key"))]


def _recipient_text(form: ExportForm) -> str | None:
    upload = form.recipient_file.data
    if upload is not None and getattr(upload, "filename", ""):
        raw = upload.read(MAX_KEY_FILE + 1)
        if len(raw) > MAX_KEY_FILE:
            raise ServiceError("bad_recipient", field="recipient_text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ServiceError("bad_recipient", field="recipient_text") from None
        # A key file may carry comment lines (# created: ...), as age-keygen writes them.
        lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
        return lines[0] if len(lines) == 1 else text.strip()
    return (form.recipient_text.data or "").strip() or None


def _render_export(org, groups, form, checks=None, status=200):
    boxes = {box.data: box for box in form.children}
    return render_template("transfer/export.html", org=org, groups=groups, form=form, checks=checks, boxes=boxes,
                           other=OTHER_SCHOOL, refusal_message=export_refusal_message,
                           until=retention_until(dt.date.today())), status


@bp.route("/orgs/<org_id>/transfer/export", methods=["GET", "POST"])
@login_required
def export(org_id):
    org, groups = svc.export_choices(db(), keyring(), g.user, parse_uuid(org_id))
    form = ExportForm()
    _fill_choices(form, groups)
    if request.method == "GET":
        form.lang.data = current_lang()
        selected = request.args.get("select")
        chosen = [str(c.id) for choice in groups if str(choice.group.id) == selected for c in choice.children]
        form.children.data = chosen or request.args.getlist("child")
        return _render_export(org, groups, form)
    if not form.validate_on_submit():
        return _render_export(org, groups, form, status=422)
    if form.school.data == OTHER_SCHOOL:
        try:
            target = {"recipient": _recipient_text(form), "school_name": form.school_name.data,
                      "school_bin": form.school_bin.data}
            if not target["recipient"]:
                raise ServiceError("bad_recipient", field="recipient_text")
            resolved = svc.resolve_target(db(), lang=form.lang.data, **target)
        except ServiceError as exc:
            _field_error(form, exc)
            return _render_export(org, groups, form, status=422)
        target["recipient"] = resolved.recipient
    else:
        target = {"to_org_id": parse_uuid(form.school.data)}
        try:
            resolved = svc.resolve_target(db(), lang=form.lang.data, **target)
        except ServiceError as exc:
            _field_error(form, exc)
            return _render_export(org, groups, form, status=422)
    child_ids = [parse_uuid(c) for c in form.children.data]
    try:
        checks = svc.check_children(db(), keyring(), g.user, child_ids, resolved)
    except ServiceError as exc:
        _field_error(form, exc)
        return _render_export(org, groups, form, status=422)
    ready = [c for c in checks if c.ok]
    if not ready or (len(ready) < len(checks) and form.confirm.data != "1"):
        form.confirm.data = "1"
        return _render_export(org, groups, form, checks=checks, status=200 if ready else 422)
    name = download_name("cards-for-school", org_name(org), dt.date.today(), "zip", person=False, extra=form.lang.data)
    job_id = jobs.start_export_job(db(), keyring(), g.user, org.id, [c.child.id for c in ready], target,
                                   form.lang.data, name)
    return redirect(url_for("transfer.job", job_id=job_id), code=303)


def _field_error(form: ExportForm, error: ServiceError) -> None:
    names = {"school": "school", "recipient": "recipient_text", "recipient_text": "recipient_text",
             "school_name": "school_name", "school_bin": "school_bin", "children": "children", "lang": "lang"}
    # A name not in the table goes above the form (as before), never to a like-named attribute.
    apply_service_error(form, error, aliases={error.field or "": names.get(error.field or "", "")})


@bp.get("/transfer-jobs/<job_id>")
@login_required
def job(job_id):
    return render_template("transfer/job.html", job_id=job_id, status=job_or_404(job_id, jobs.KIND))


@bp.get("/transfer-jobs/<job_id>/progress")
@login_required
def job_progress(job_id):
    return progress_response(job_or_404(job_id, jobs.KIND), url_for("transfer.job_download", job_id=job_id))


@bp.get("/transfer-jobs/<job_id>/download")
@login_required
def job_download(job_id):
    return file_response(job_id, jobs.KIND)


from . import enrolment  # noqa: E402,F401  (its routes live on this blueprint)
