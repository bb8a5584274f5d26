"""The parent's consents (history, giving, changing, revoking) and staff recording a paper consent."""
import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from ... import access
from ...iin import IINError
from ...models import Consent, Referral
from ...models.consent import PendingPaperConsent
from ...services import ServiceError
from ...services import children as children_svc
from ...services import consent as consent_svc
from ...services import orgs as orgs_svc
from ...services import paper_consent as paper_svc
from ..choices import grouped, options, values
from ..common import apply_service_error, audit_denied, db, form_status, keyring, login_required, parse_uuid
from ..formatting import specialist_kind_label
from ..messages import iin_message, service_message
from ..nav import org_name
from .forms import PURPOSE_PARTS_WHY, ConsentForm, PaperConsentForm, RevokeForm

bp = Blueprint("consent", __name__)


def _refused(error: ServiceError):
    """403 with the specific reason (audited like every refused access)."""
    audit_denied()
    return render_template("errors/error.html", code=403, title=gettext("Access denied"),
                           text=service_message(error)), 403


def recipient_choices(purpose_kinds=None, people: bool = True) -> list[SelectChoice]:
    """Grouped choices: organizations by kind, then named specialists ('org:<id>' / 'user:<id>')."""
    groups = [("kindergarten", gettext("Kindergartens")), ("correction_room", gettext("Correction rooms (PPTK)")),
              ("pmpk", gettext("PMPK")), ("school", gettext("Primary schools"))]
    choices = []
    for kind, label in groups:
        if purpose_kinds is not None and kind not in purpose_kinds:
            continue
        orgs = consent_svc.org_choices(db(), (kind,))
        if orgs:
            choices.append((label, [(f"org:{o.id}", org_name(o)) for o in orgs]))
    specialists = [(f"user:{u.id}", gettext("%(name)s, %(kind)s (%(org)s)", name=u.full_name,
                                         kind=specialist_kind_label(m.specialist_kind), org=org_name(o)))
              for u, m, o in consent_svc.specialist_choices(db())]
    if people and specialists:
        choices.append((gettext("Specialists"), specialists))
    return grouped(choices)


def chosen_purpose(form, default: str | None = None) -> str:
    """The purpose the page is drawn for: the one sent (POST) or asked for (?purpose=), if the form offers it."""
    offered = values(form.purpose.choices)
    value = form.purpose.data if request.method == "POST" else request.args.get("purpose", default)
    return value if value in offered else offered[0]


def prepare_for_purpose(form, purpose: str) -> dict:
    """Only the parts (and the recipients) that fit `purpose`; the template's purpose links and the reason."""
    form.keep_parts(purpose)
    if request.method != "POST":
        form.purpose.data = purpose
    links = [(value, label, url_for(request.endpoint, **(request.view_args or {}), purpose=value))
             for value, label in ((c.value, c.label) for c in form.purpose.choices)]
    return {"purpose": purpose, "purpose_links": links, "parts_why": PURPOSE_PARTS_WHY[purpose]}


def _guardian_or_403(child_id):
    if not access.child_exists(db(), child_id):
        abort(404)
    if not access.is_guardian(db(), g.user, child_id):
        return _refused(ServiceError("not_guardian"))
    return None


@bp.get("/children/<child_id>/consents")
@login_required
def index(child_id):
    cid = parse_uuid(child_id)
    refused = _guardian_or_403(cid)
    if refused:
        return refused
    view, _role = children_svc.view_child(db(), keyring(), g.user, cid)
    consents = consent_svc.consents_of_child(db(), keyring(), g.user, cid)
    events = consent_svc.history(db(), keyring(), g.user, cid)
    from ...services.referrals import awaiting_for_parent
    awaiting = [a for a in awaiting_for_parent(db(), g.user) if a[0].child_id == cid]
    return render_template("consent/index.html", child=view, consents=consents, events=events, awaiting=awaiting,
                           revoke_form=RevokeForm())


@bp.route("/children/<child_id>/consents/new", methods=["GET", "POST"])
@login_required
def give(child_id):
    cid = parse_uuid(child_id)
    refused = _guardian_or_403(cid)
    if refused:
        return refused
    view, _role = children_svc.view_child(db(), keyring(), g.user, cid)
    form = ConsentForm()
    ref = None
    if request.method == "GET" and request.args.get("referral"):
        ref = db().get(Referral, parse_uuid(request.args["referral"]))
        ref = ref if ref is not None and ref.child_id == cid else None
    purpose = chosen_purpose(form, "specialist_access" if ref is not None else None)
    page = prepare_for_purpose(form, purpose)
    form.recipient.choices = recipient_choices(consent_svc.RECIPIENT_ORG_KINDS[purpose],
                                               people=purpose == "specialist_access")
    if ref is not None and purpose == "specialist_access":
        form.recipient.data = f"user:{ref.to_user_id}" if ref.to_user_id else f"org:{ref.to_org_id}"
    if form.validate_on_submit():
        try:
            recipient = consent_svc.parse_recipient(db(), form.recipient.data)
            consent_svc.give(db(), keyring(), g.user, cid, purpose=form.purpose.data, recipient=recipient,
                             parts=form.parts(), valid_until=form.valid_until.data)
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("Your consent has been recorded. You can revoke it at any time."), "success")
            return redirect(url_for("consent.index", child_id=cid))
    return render_template("consent/give.html", form=form, child=view, **page), form_status()


@bp.post("/consents/<consent_id>/revoke")
@login_required
def revoke(consent_id):
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        row = consent_svc.revoke(db(), g.user, parse_uuid(consent_id))
    except ServiceError as exc:
        db().rollback()
        flash(service_message(exc), "error")
        return redirect(url_for("parent.dashboard"))
    flash(gettext("The consent has been revoked. It no longer gives access from now on."), "success")
    return redirect(url_for("consent.index", child_id=row.child_id))


def _school_id(form):
    """The chosen school for a school-transfer consent (None otherwise; the service checks it is a school)."""
    if form.purpose.data != "school_transfer" or not getattr(form, "school", None):
        return None
    try:
        return uuid.UUID(form.school.data or "")
    except ValueError:
        return None


@bp.route("/orgs/<org_id>/consents/paper", methods=["GET", "POST"])
@login_required
def paper(org_id):
    org = orgs_svc.get_org(db(), parse_uuid(org_id))
    roles = access.roles_in(db(), g.user, org.id)
    if not roles & {"head", "specialist"}:
        abort(403)
    form = PaperConsentForm()
    is_specialist = "specialist" in roles
    if not is_specialist:
        del form.for_me
    if "head" not in roles:
        form.purpose.choices = [c for c in form.purpose.choices if c.value == "specialist_access"]
    if not ("head" in roles and org.kind == "kindergarten"):
        form.purpose.choices = [c for c in form.purpose.choices if c.value != "school_transfer"]
    purpose = chosen_purpose(form)
    page = prepare_for_purpose(form, purpose)
    if purpose == "school_transfer":
        form.school.choices = options((str(o.id), org_name(o)) for o in consent_svc.org_choices(db(), ("school",)))
    else:
        del form.school
    if purpose != "specialist_access" and is_specialist:
        del form.for_me
    if form.validate_on_submit():
        try:
            child = children_svc.find_by_iin(db(), keyring(), form.iin.data.strip())
            if child is None:
                raise ServiceError("not_your_child", field="iin")
            row = consent_svc.record_paper(
                db(), keyring(), g.user, child.id, org_id=org.id, purpose=form.purpose.data,
                for_me=bool(form.for_me and form.for_me.data), parts=form.parts(), paper_date=form.paper_date.data,
                guardian_name=form.guardian_name.data, valid_until=form.valid_until.data,
                school_id=_school_id(form), mailer=_notices.mailer())
        except IINError as exc:
            db().rollback()
            form.iin.errors = list(form.iin.errors) + [iin_message(exc)]
        except ServiceError as exc:
            db().rollback()
            apply_service_error(form, exc)
        else:
            flash(gettext("The paper consent has been recorded. Keep the signed form.")
                  if isinstance(row, Consent) else
                  gettext("The paper consent has been recorded. It names you or your organization, so it takes "
                          "effect when another head of the organization confirms it. Keep the signed form."),
                  "success")
            return redirect(url_for("consent.paper", org_id=org.id))
    pending = paper_svc.pending_for_head(db(), keyring(), g.user, org.id) if "head" in roles else []
    return render_template("consent/paper.html", form=form, org=org, pending=pending, decide_form=RevokeForm(),
                           **page), form_status()


@bp.post("/orgs/<org_id>/consents/paper/<pending_id>/<decision>")
@login_required
def decide_paper(org_id, pending_id, decision):
    """A head (not the one who recorded it) confirms or turns down a paper consent naming their organization."""
    oid, pid = parse_uuid(org_id), parse_uuid(pending_id)
    if decision not in ("confirm", "reject") or not RevokeForm().validate_on_submit():
        abort(400 if decision in ("confirm", "reject") else 404)
    row = db().get(PendingPaperConsent, pid)
    if row is None or row.recipient_org_id != oid:
        abort(404)
    try:
        if decision == "confirm":
            paper_svc.confirm_paper(db(), keyring(), g.user, pid, mailer=_notices.mailer())
        else:
            paper_svc.reject_paper(db(), g.user, pid)
    except ServiceError as exc:
        db().rollback()
        flash(service_message(exc), "error")
    else:
        flash(gettext("The paper consent is confirmed and now in force. The parent has been told.")
              if decision == "confirm" else gettext("The paper consent has been turned down. It gives no access."),
              "success")
    return redirect(url_for("consent.paper", org_id=oid))


@bp.app_template_global("referrals_awaiting_consent")
def referrals_awaiting_consent():
    """For the parent's dashboard: referrals of their children that wait for their consent."""
    from ...services.referrals import awaiting_for_parent
    return awaiting_for_parent(db(), g.user) if g.get("user") is not None else []


from . import notices as _notices  # noqa: E402  (the notices pages, on this blueprint; the mailer)
