"""Referring a child to a specialist; the specialist's referred children, a child's page and conclusions."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from ... import access
from ...instruments import InstrumentError, load_registry
from ...services import ServiceError
from ...services import children as children_svc
from ...services import consent as consent_svc
from ...services import referrals as referrals_svc
from ...services import screening as screening_svc
from ..choices import options
from ..common import apply_service_error, db, form_status, keyring, login_required, parse_uuid
from ..consent.routes import recipient_choices
from ..formatting import current_lang, long_date, referral_status_label
from ..nav import org_name
from ..screening.presenting import ZONE_LABELS
from .forms import ConclusionForm, ReferralForm

bp = Blueprint("specialist", __name__)


@bp.route("/children/<child_id>/refer", methods=["GET", "POST"])
@login_required
def refer(child_id):
    cid = parse_uuid(child_id)
    if not access.child_exists(db(), cid):
        abort(404)
    role = access.child_view_role(db(), g.user, cid)
    if role not in referrals_svc.REFERRING_ROLES:
        abort(403)
    view, _role = children_svc.view_child(db(), keyring(), g.user, cid)
    form = ReferralForm()
    form.recipient.choices = recipient_choices(consent_svc.SPECIALIST_ORG_KINDS)
    if role != "parent":
        del form.consent, form.part_screenings, form.part_card, form.part_conclusions
    if request.method == "GET":
        form.screening.data = request.args.get("screening", "")
        if role == "parent":
            form.part_screenings.data = True
    if form.validate_on_submit():
        screening_id = parse_uuid(form.screening.data) if form.screening.data else None
        try:
            recipient = consent_svc.parse_recipient(db(), form.recipient.data)
            ref = referrals_svc.create_referral(
                db(), keyring(), g.user, cid, recipient=recipient, reason=form.reason.data, screening_id=screening_id,
                consent=bool(role == "parent" and form.consent.data), parts=form.parts() if role == "parent" else None)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The referral has been sent. The specialist can now see your child.")
                  if ref.status == "open" else
                  gettext("The referral has been saved. The specialist sees the child once the parent consents."),
                  "success")
            return redirect(url_for("parent.child", child_id=cid))
    return render_template("specialist/refer.html", form=form, child=view, role=role), \
        form_status()


@bp.get("/specialist")
@login_required
def index():
    if not access.specialist_orgs(db(), g.user):
        abort(403)
    children, waiting = referrals_svc.referred_children(db(), keyring(), g.user)
    return render_template("specialist/index.html", children=children, waiting=waiting,
                           paper_orgs=access.specialist_orgs(db(), g.user))


def _latest_screening(child_id, lang):
    """The latest completed screening, only when the consent covers screenings (else None)."""
    if access.specialist_view_role(db(), g.user, child_id, "screenings") is None:
        return None
    try:
        registry = load_registry(current_app.config["INSTRUMENTS_DIR"])
        latest = screening_svc.latest_completed(db(), keyring(), registry, child_id, "specialist")
    except InstrumentError:
        current_app.logger.exception("screening instruments could not be loaded")
        return None
    if latest is None:
        return {"none": True}
    result = latest.result or {}
    by_id = latest.instrument.domains_by_id
    domains = [{"title": by_id[d["id"]].title.in_(lang) if d["id"] in by_id else d["id"], "zone": d["zone"],
                "zone_label": str(ZONE_LABELS[d["zone"]])} for d in result.get("domains", [])]
    return {"none": False, "id": latest.id, "title": latest.instrument.title.in_(lang),
            "date": long_date(latest.screening_date), "zone": result.get("zone", "incomplete"),
            "zone_label": str(ZONE_LABELS[result.get("zone", "incomplete")]), "domains": domains}


@bp.route("/specialist/children/<child_id>", methods=["GET", "POST"])
@login_required
def child(child_id):
    cid = parse_uuid(child_id)
    referred = referrals_svc.specialist_child(db(), keyring(), g.user, cid)
    form = ConclusionForm()
    form.referral.choices = options((str(r.referral.id), gettext("%(date)s: %(status)s", date=long_date(
        r.referral.created_at.date()), status=referral_status_label(r.status))) for r in referred.referrals)
    if form.validate_on_submit():
        try:
            referrals_svc.add_conclusion(db(), keyring(), g.user, cid, referral_id=parse_uuid(form.referral.data),
                                         conclusion=form.conclusion.data, recommendations=form.recommendations.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The conclusion has been saved. The parent and the teacher can read it."), "success")
            return redirect(url_for("specialist.child", child_id=cid))
    screening = _latest_screening(cid, current_lang())
    conclusions = referrals_svc.conclusions_for(db(), keyring(), g.user, cid)
    card = access.specialist_view_role(db(), g.user, cid, "card") is not None
    return render_template("specialist/child.html", referred=referred, form=form, screening=screening,
                           conclusions=conclusions, org_name=org_name, card=card), form_status()


@bp.app_template_global("specialists_section")
def specialists_section(child_id, role: str):
    """The "Specialists" section of the child's page (parent, teacher, head): referrals and conclusions.
    The child page's route has already checked access; the services check it again and audit the reading."""
    if role not in referrals_svc.REFERRING_ROLES or g.get("user") is None:
        return None
    return {"role": role, "referrals": referrals_svc.referrals_of_child(db(), keyring(), g.user, child_id),
            "conclusions": referrals_svc.conclusions_for(db(), keyring(), g.user, child_id)}
