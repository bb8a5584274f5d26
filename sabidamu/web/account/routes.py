"""Security settings (two-step sign-in for staff), the second step of sign-in, and a parent's data rights:
who saw my child's card, download everything, ask for deletion."""
from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ...services import ServiceError, audit_ops, data_rights
from ...services import totp_setup as svc
from ...totp import format_secret, provisioning_uri, qr_svg
from ..common import apply_service_error, db, form_status, keyring, login_required, parse_uuid
from ..downloads import as_attachment
from ..formatting import date_on
from ..redirects import safe_next
from ..signin import PENDING_KEY, sign_in
from .forms import ActionForm, CodeForm, DeletionForm, ReplaceForm, SignInCodeForm

bp = Blueprint("account", __name__)
ALMATY = ZoneInfo("Asia/Almaty")

# The action of an audit event in plain words (the parent's access log).
ACTIONS = {
    "child.view": _l("Opened the child's page"),
    "child.create": _l("Added the child"),
    "child.update": _l("Changed the child's details"),
    "screening.view": _l("Looked at the screening results"),
    "screening.start": _l("Started a screening"),
    "screening.save": _l("Saved screening answers"),
    "screening.complete": _l("Completed a screening"),
    "screening.pdf": _l("Downloaded a screening as PDF"),
    "card.view": _l("Opened the individual development card"),
    "card.pdf": _l("Downloaded the individual development card as PDF"),
    "monitoring.cell.save": _l("Recorded a monitoring level"),
    "monitoring.row.save": _l("Recorded monitoring levels"),
    "monitoring.measures.view": _l("Looked at the developmental and corrective measures"),
    "monitoring.measures.save": _l("Wrote developmental and corrective measures"),
    "home_observation.create": _l("Added a note from home"),
    "conclusion.view": _l("Read a specialist's conclusion"),
    "conclusion.create": _l("Wrote a specialist's conclusion"),
    "referral.create": _l("Referred the child to a specialist"),
    "referral.consent": _l("Answered a referral"),
    "consent.give": _l("Gave a consent"),
    "consent.record_paper": _l("Recorded a consent given on paper"),
    "consent.revoke": _l("Withdrew a consent"),
    "enrollment.request": _l("Asked to enrol the child in a group"),
    "enrollment.create": _l("Enrolled the child in a group"),
    "enrollment.accept": _l("Confirmed the enrolment"),
    "enrollment.decline": _l("Declined the enrolment"),
    "transfer.send": _l("Sent the card to a school"),
    "transfer.import": _l("Received the card"),
    "export.child": _l("Downloaded all the child's data"),
    "data.deletion.request": _l("Asked for the child's data to be deleted"),
    "audit.view_own": _l("Looked at this list"),
    # Translators: an entry of the parent's access log; a noun phrase, so that it fits a man or a woman.
    "access.denied": _l("An attempt to open the child's page (refused)"),
    # Lists that show several children: one entry per child shown (parent's access log).
    "child.list.group": _l("Saw the child in the group's list"),
    "child.list.grid": _l("Saw the child's levels on the monitoring grid"),
    "child.list.report": _l("Saw the child in the group report (children who need support)"),
    "child.list.pdf": _l("Printed the child's card with the whole group (PDF)"),
    "child.list.export": _l("Saw the child in the list of cards to hand to a school"),
    "child.list.handed": _l("Saw the child in the list of cards handed to schools"),
    "child.list.requests": _l("Saw the child in a request to enrol the child elsewhere"),
    "job.download.child": _l("Downloaded a file that holds the child's data"),
    "imported_card.view": _l("The school opened the child's card"),
    "imported_card.pdf": _l("The school downloaded the child's card as PDF"),
}


# -- enrolment is required before heads and admins use the app ------------------------------------

ALWAYS_ALLOWED = {"account.security", "account.totp_begin", "account.totp_confirm", "account.login_code",
                  "account.password", "auth.logout", "public.set_language", "static"}


def require_enrolment():
    """Before each request (after the user is loaded): a password set by a head is replaced first
    (account/password.py); then heads and admins without TOTP go to enrolment."""
    forced = password.require_password_change()  # (imported at the end of this module, on this blueprint)
    if forced is not None:
        return forced
    user = g.get("user")
    if user is None or request.endpoint in ALWAYS_ALLOWED or request.endpoint is None:
        return None
    if request.endpoint.startswith("public.") and request.method == "POST":
        return None  # the language switch and the like
    if svc.required_for(db(), user) and not svc.is_enabled(db(), user):
        return redirect(url_for("account.security"))  # the page itself explains why
    return None


# -- security settings ---------------------------------------------------------------------------

def _code_forms(posted: CodeForm | None = None) -> dict[str, CodeForm]:
    """One code form per action, each with its own field ids (prefix); the posted one keeps its errors."""
    forms = {name: CodeForm(prefix=name, formdata=None) for name in ("confirm", "recovery", "disable")}
    if posted is not None:
        forms[posted._prefix.rstrip("-")] = posted
    return forms


def _security_page(posted: CodeForm | None = None, status=200, replace: ReplaceForm | None = None):
    state = svc.status(db(), g.user)
    secret = svc.pending_secret(db(), keyring(), g.user) if state["pending"] else None
    staff = svc.is_staff(db(), g.user)
    uri = provisioning_uri(secret, svc.account_name(g.user)) if secret else None
    # Translators: the accessible name of the QR code image on the two-step sign-in page.
    qr = Markup(qr_svg(uri, gettext("QR code for your authenticator app"))) if uri else None
    return render_template(
        "account/security.html", state=state, staff=staff, secret=format_secret(secret) if secret else None,
        uri=uri, qr=qr, forms=_code_forms(posted), posted=posted or replace, action_form=ActionForm(),
        replace_form=replace or ReplaceForm(prefix="replace", formdata=None)), status


@bp.get("/account/security")
@login_required
def security():
    return _security_page()


@bp.post("/account/totp/begin")
@login_required
def totp_begin():
    if not svc.is_enabled(db(), g.user):  # a first enrolment: the button is enough
        if ActionForm().validate_on_submit():
            svc.begin_enrolment(db(), keyring(), g.user)
        return redirect(url_for("account.security"))
    form = ReplaceForm(prefix="replace")  # moving an active second factor needs a proof
    if form.validate_on_submit():
        try:
            svc.begin_enrolment(db(), keyring(), g.user, form.proof.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            return redirect(url_for("account.security"))
    return _security_page(replace=form, status=422)


@bp.post("/account/totp/confirm")
@login_required
def totp_confirm():
    form = CodeForm(prefix="confirm")
    if form.validate_on_submit():
        try:
            codes = svc.confirm_enrolment(db(), keyring(), g.user, form.code.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("Two-step sign-in is on. Keep the recovery codes below in a safe place."), "success")
            return _recovery_codes_page(codes)
    return _security_page(form, 422)


def _recovery_codes_page(codes):
    return render_template("account/recovery_codes.html", codes=codes)


@bp.post("/account/totp/recovery-codes")
@login_required
def recovery_codes():
    form = CodeForm(prefix="recovery")
    if form.validate_on_submit():
        try:
            codes = svc.regenerate_recovery_codes(db(), keyring(), g.user, form.code.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            return _recovery_codes_page(codes)
    return _security_page(form, 422)


@bp.post("/account/totp/disable")
@login_required
def totp_disable():
    form = CodeForm(prefix="disable")
    if form.validate_on_submit():
        try:
            svc.disable(db(), keyring(), g.user, form.code.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("Two-step sign-in is off."), "info")
            return redirect(url_for("account.security"))
    return _security_page(form, 422)


# -- second step of sign-in ----------------------------------------------------------------------

def _pending() -> dict | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    age = dt.datetime.now(dt.UTC).timestamp() - float(pending.get("at", 0))
    if age > svc.PENDING_SIGN_IN.total_seconds() or age < 0:
        session.pop(PENDING_KEY, None)
        return None
    return pending


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    pending = _pending()
    if pending is None:
        if request.method == "POST" or session.get(PENDING_KEY) is not None:
            flash(gettext("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = SignInCodeForm()
    if form.validate_on_submit():
        try:
            user = svc.second_step(db(), keyring(), uuid.UUID(pending["uid"]), form.code.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            sign_in(user)
            return redirect(safe_next(pending.get("next"), url_for("public.home")))
    return render_template("account/login_code.html", form=form), form_status()


# -- a parent's data rights ----------------------------------------------------------------------

def almaty_time(at: dt.datetime) -> str:
    return format_datetime(at, "medium", tzinfo=ALMATY, locale=str(get_locale()))


@bp.get("/account/children/<child_id>/access-log")
@login_required
def access_log(child_id):
    cid = parse_uuid(child_id)
    page = request.args.get("page", "1")
    mine = request.args.get("mine") == "1"
    log = audit_ops.access_log(db(), g.user, cid, int(page) if page.isdigit() and len(page) < 6 else 1,
                               include_mine=mine)
    return render_template("account/access_log.html", log=log, child_id=cid, actions=ACTIONS, mine=mine,
                           almaty_time=almaty_time)


@bp.get("/account/children/<child_id>/access-log/<event_id>/proof")
@login_required
def access_log_proof(child_id, event_id):
    """The "check" link of an access-log entry: its inclusion proof, checkpoint and public key (JSON)."""
    import json

    from ...services.audit_admin import verifier_key_for
    settings = current_app.config["SETTINGS"]
    proof = audit_ops.entry_proof(db(), g.user, parse_uuid(child_id), parse_uuid(event_id),
                                  lambda note: verifier_key_for(settings, note))
    body = json.dumps(proof, ensure_ascii=False, indent=2) + "\n"
    return as_attachment(make_response(body), f"sabidamu-audit-proof-{proof['leaf_index']}.json",
                         "application/json; charset=utf-8")


@bp.route("/account/children/<child_id>/delete", methods=["GET", "POST"])
@login_required
def delete(child_id):
    cid = parse_uuid(child_id)
    pending, due = data_rights.deletion_status(db(), g.user, cid)
    form = DeletionForm()
    if pending is None and form.validate_on_submit():
        try:
            req = data_rights.request_deletion(db(), keyring(), g.user, cid)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            if req.status == "done":
                flash(gettext("The child's data has been deleted."), "success")
                return redirect(url_for("parent.dashboard"))
            flash(gettext("Your request is recorded. The data will be deleted on %(date)s.",
                          date=date_on(req.due_on)), "success")
            return redirect(url_for("account.delete", child_id=cid))
    status = 200 if request.method == "GET" or pending is not None else 422
    return render_template("account/delete.html", form=form, pending=pending, due=due, child_id=cid), status


from . import export as _export  # noqa: E402,F401  (the data export job, on this blueprint)
from . import password  # noqa: E402,F401  (its routes live on this blueprint)
from . import reminders as _reminders  # noqa: E402,F401  (/account/reminders, on this blueprint)
