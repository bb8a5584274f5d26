"""Screening pages. Thin: parse the request, call services.screening (access check + audit), render."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ...instruments import load_registry
from ...services import ServiceError
from ...services import children as children_svc
from ...services import screening as svc
from ..common import db, keyring, login_required, parse_uuid
from ..downloads import as_attachment, download_name
from ..formatting import current_lang
from ..messages import MESSAGES, answer_message, message, service_message
from .forms import ACTIONS, ANSWER_PREFIX, FOLLOW_UP_PREFIX, AnswersForm, StartForm, prefixed
from .presenting import answer_choices, chart_rows, history_chart, result_context

bp = Blueprint("screening", __name__)

ANSWER_LABELS = (("yes", _l("Yes")), ("sometimes", _l("Sometimes")), ("not_yet", _l("Not yet")))
FOLLOW_UP_LABELS = (("yes", _l("Yes")), ("no", _l("No")))


def registry():
    return load_registry(current_app.config["INSTRUMENTS_DIR"])


# -- start ---------------------------------------------------------------------------------------

def _start_page(child_id, notice=None, status=200):
    child, role = children_svc.view_child(db(), keyring(), g.user, child_id)
    due = svc.due_for_child(db(), registry(), child)
    return render_template("screening/start.html", child=child, role=role, due=due, lang=current_lang(),
                           form=StartForm(), notice=notice), status


@bp.get("/children/<child_id>/screening")
@login_required
def start_page(child_id):
    return _start_page(parse_uuid(child_id))


@bp.post("/children/<child_id>/screening")
@login_required
def start(child_id):
    cid = parse_uuid(child_id)
    form = StartForm()
    if not form.validate_on_submit():
        return _start_page(cid, notice={"text": gettext("The form has expired. Please try again.")}, status=400)
    try:
        row = svc.start(db(), keyring(), registry(), g.user, cid, form.instrument.data or "")
    except ServiceError as exc:
        db().rollback()
        if exc.code == "already_completed":
            return _start_page(cid, notice={
                "text": gettext("This checklist has already been completed for your child's current age. "
                                "It can be done again when the child reaches the next age band."),
                "link": url_for("screening.result", screening_id=exc.params["screening_id"]),
                "link_text": gettext("See the result"),
            }, status=409)
        return _start_page(cid, notice={"text": gettext(
            "There is no checklist for your child's age at the moment: the screening covers children from "
            "2 months to 6 years.")}, status=409)
    return redirect(url_for("screening.resume", screening_id=row.id))


@bp.get("/screenings/<screening_id>/resume")
@login_required
def resume(screening_id):
    view = svc.get_screening(db(), keyring(), registry(), g.user, parse_uuid(screening_id))
    if view.status == "completed":
        return redirect(url_for("screening.result", screening_id=view.id))
    return redirect(url_for("screening.domain", screening_id=view.id, step=view.resume_step))


# -- one domain per page -------------------------------------------------------------------------

def _domain_page(view, step, *, stage="answers", errors=None, form_message=None, posted=None, status=200,
                 then="next", open_items=()):
    domain_ids = view.domain_ids
    domain_id = domain_ids[step - 1]
    form = AnswersForm()
    form.version.data = view.version
    form.stage.data = stage
    answers = dict(view.answers)
    follow_ups = dict(view.follow_ups)
    if posted is not None:  # keep what was typed on a refused save
        answers.update(posted.get("answers") or {})
        follow_ups.update(posted.get("follow_ups") or {})
    items = view.band.items_by_domain[domain_id]
    fu_items = [i for i in items if i.follow_up and answers.get(i.id) in ("sometimes", "not_yet")] \
        if stage == "follow_up" else []
    return render_template(
        "screening/domain.html", view=view, step=step, total=len(domain_ids), lang=current_lang(), form=form,
        domain=view.instrument.domains_by_id[domain_id], items=items, fu_items=fu_items, stage=stage,
        answers=answers, follow_ups=follow_ups, errors=errors or {}, form_message=form_message,
        answer_labels=ANSWER_LABELS, follow_up_labels=FOLLOW_UP_LABELS, answer_choices=answer_choices,
        child=view.child, then=then if then in ACTIONS else "next", open_items=list(open_items),
    ), status


def _step_or_404(view, step: int) -> int:
    if not 1 <= step <= len(view.domain_ids):
        from flask import abort
        abort(404)
    return step


@bp.get("/screenings/<screening_id>/domain/<int:step>")
@login_required
def domain(screening_id, step):
    view = svc.get_screening(db(), keyring(), registry(), g.user, parse_uuid(screening_id), with_child=True)
    if view.status == "completed":
        return redirect(url_for("screening.result", screening_id=view.id))
    _step_or_404(view, step)
    stage = "follow_up" if request.args.get("stage") == "follow_up" else "answers"
    open_items = view.unanswered(view.domain_ids[step - 1]) \
        if request.args.get("confirm") == "next" and stage == "answers" and step < len(view.domain_ids) else []
    return _domain_page(view, step, stage=stage, then=request.args.get("then", "next"), open_items=open_items)


@bp.post("/screenings/<screening_id>/domain/<int:step>")
@login_required
def save(screening_id, step):
    sid = parse_uuid(screening_id)
    view = svc.get_screening(db(), keyring(), registry(), g.user, sid, with_child=True)
    if view.status == "completed":
        flash(message("not_in_progress"), "info")
        return redirect(url_for("screening.result", screening_id=view.id))
    _step_or_404(view, step)
    form = AnswersForm()
    action = request.form.get("action", "next")
    action = action if action in ACTIONS else "next"
    stage = "follow_up" if form.stage.data == "follow_up" else "answers"
    then = request.form.get("then", "next")
    if not form.validate_on_submit():
        return _domain_page(view, step, stage=stage, form_message=gettext(
            "The form has expired. Please answer again and save."), status=400)
    domain_id = view.domain_ids[step - 1]
    answers = prefixed(request.form, ANSWER_PREFIX)
    follow_ups = prefixed(request.form, FOLLOW_UP_PREFIX)
    try:
        version = int(form.version.data or 0)
    except ValueError:
        version = 0
    try:
        view = svc.save_domain(db(), keyring(), registry(), g.user, sid, domain_id, version=version,
                               answers=None if stage == "follow_up" else answers,
                               follow_ups=follow_ups if stage == "follow_up" or follow_ups else None)
    except svc.AnswerErrors as exc:
        db().rollback()
        errors = {k: answer_message(v) for k, v in exc.errors.items()}
        return _domain_page(view, step, stage=stage, errors=errors, form_message=errors.get("") or gettext(
            "Please correct the answers marked below."), posted={"answers": answers, "follow_ups": follow_ups},
            status=422, then=then)
    except ServiceError as exc:
        db().rollback()
        if exc.code == "not_in_progress":
            flash(message("not_in_progress"), "info")
            return redirect(url_for("screening.result", screening_id=sid))
        fresh = svc.get_screening(db(), keyring(), registry(), g.user, sid, with_child=True)
        return _domain_page(fresh, step, stage=stage, form_message=message("answers_stale"), status=409, then=then)
    # Moving on with questions left open: the answers are saved, the parent is asked first (the page offers
    # "answer them" and "go on anyway", a plain link to _advance; no script needed).
    if stage == "answers" and action == "next" and step < len(view.domain_ids) and view.unanswered(domain_id):
        return redirect(url_for("screening.domain", screening_id=sid, step=step, confirm="next"))
    return _advance(view, step, stage, action, then)


def _advance(view, step: int, stage: str, action: str, then: str):
    sid, domain_id = view.id, view.domain_ids[step - 1]
    # Concern-count checklists: after a doubtful answer, ask the item's follow-up questions first.
    if stage == "answers" and action != "back" and svc.follow_up_items(view, domain_id):
        return redirect(url_for("screening.domain", screening_id=sid, step=step, stage="follow_up",
                                then=action))
    if stage == "follow_up":
        action = action if action in ("back", "later") else (then if then in ACTIONS else "next")
        if action == "back":
            return redirect(url_for("screening.domain", screening_id=sid, step=step))
    if action == "later":
        flash(gettext("Your answers are saved. You can continue later from your child's page."), "success")
        return redirect(url_for("parent.child", child_id=view.child_id))
    if action == "back":
        if step == 1:
            return redirect(url_for("screening.start_page", child_id=view.child_id))
        return redirect(url_for("screening.domain", screening_id=sid, step=step - 1))
    if action == "finish" or step >= len(view.domain_ids):
        return _finish(view)
    return redirect(url_for("screening.domain", screening_id=sid, step=step + 1))


@bp.get("/screenings/<screening_id>/domain/<int:step>/next")
@login_required
def go_on(screening_id, step):
    """"Go on anyway" after the question about open answers: nothing is saved here (the answers already are)."""
    view = svc.get_screening(db(), keyring(), registry(), g.user, parse_uuid(screening_id), with_child=True)
    if view.status == "completed":
        return redirect(url_for("screening.result", screening_id=view.id))
    _step_or_404(view, step)
    if step >= len(view.domain_ids):
        return redirect(url_for("screening.domain", screening_id=view.id, step=step))
    return _advance(view, step, "answers", "next", "next")


def _finish(view):
    try:
        done = svc.complete(db(), keyring(), registry(), g.user, view.id, version=view.version)
    except ServiceError as exc:
        db().rollback()
        if exc.code == "incomplete":
            first = exc.params["domains"][0]
            title = view.instrument.domains_by_id[first].title.in_(current_lang())
            flash(gettext("Please answer the questions left open in “%(domain)s”: a result needs every answer "
                          "but at most one in each area.", domain=title), "error")
            return redirect(url_for("screening.domain", screening_id=view.id,
                                    step=view.domain_ids.index(first) + 1))
        flash(service_message(exc) if exc.code in MESSAGES else message("answers_stale"), "error")
        return redirect(url_for("screening.resume", screening_id=view.id))
    return redirect(url_for("screening.result", screening_id=done.id))


# -- result, history, PDF ------------------------------------------------------------------------

@bp.get("/screenings/<screening_id>")
@login_required
def result(screening_id):
    sid = parse_uuid(screening_id)
    view = svc.get_screening(db(), keyring(), registry(), g.user, sid, audit="screening.view", with_child=True)
    if view.status != "completed":
        return redirect(url_for("screening.resume", screening_id=sid))
    return render_template("screening/result.html", view=view, r=result_context(view, current_lang()))


@bp.get("/children/<child_id>/screenings")
@login_required
def history(child_id):
    child, views = svc.history(db(), keyring(), registry(), g.user, parse_uuid(child_id))
    return render_template("screening/history.html", child=child, rows=chart_rows(views, current_lang()),
                           chart=Markup(history_chart(views, current_lang())))


@bp.get("/screenings/<screening_id>/pdf")
@login_required
def pdf(screening_id):
    from ...rendering.screening import render_screening_pdf
    sid = parse_uuid(screening_id)
    view = svc.get_screening(db(), keyring(), registry(), g.user, sid, with_child=True)
    if view.status != "completed":
        return redirect(url_for("screening.resume", screening_id=sid))
    _child, views = svc.history(db(), keyring(), registry(), g.user, view.child_id, audit=False)
    context = result_context(view, current_lang())
    context["chart_svg"] = history_chart(views, current_lang())
    body = render_screening_pdf(context)
    svc.record_pdf(db(), g.user, view)
    return as_attachment(make_response(body), download_name("screening", context["child_name"],
                                                             view.screening_date, "pdf"), "application/pdf")
