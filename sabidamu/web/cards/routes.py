"""Card pages: the card of one child (page and PDF), the group report (page, CSV) and the group PDF job.
Thin: parse the request, call services.cards (access check + audit), render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from ...jobs import group_pdf as jobs
from ...rendering.cards import render_card_pdf
from ...services import cards as svc
from ..common import db, keyring, login_required, parse_uuid
from ..downloads import as_attachment, download_name
from ..formatting import current_lang
from ..jobfiles import file_response, job_or_404, progress_response
from .forms import GroupPdfForm

bp = Blueprint("cards", __name__)


def asked_lang() -> str:
    lang = request.args.get("lang", current_lang())
    if lang not in svc.LANGS:
        abort(404)
    return lang


# -- one child ------------------------------------------------------------------------------------------------

@bp.get("/children/<child_id>/card")
@login_required
def card(child_id):
    data = svc.card_for(db(), keyring(), g.user, parse_uuid(child_id))
    return render_template("cards/card.html", card=svc.card_context(data, current_lang()))


@bp.get("/children/<child_id>/card.pdf")
@login_required
def card_pdf(child_id):
    lang = asked_lang()
    context = svc.card_pdf_data(db(), keyring(), g.user, parse_uuid(child_id), lang)
    from ..parent.side_by_side import pdf_table  # the home-and-kindergarten table, when the parent agreed
    home = pdf_table(parse_uuid(child_id), lang)
    if home is not None:
        context["home"] = home
    return as_attachment(make_response(render_card_pdf(context)),
                         download_name("card", context["name"], dt.date.today(), "pdf", extra=lang), "application/pdf")


# -- the group report -------------------------------------------------------------------------------------------

def _report_page(group_id, form=None, status=200):
    from ...rendering.report_charts import distribution_svg
    report = svc.group_report(db(), keyring(), g.user, parse_uuid(group_id))
    lang = current_lang()
    chart = distribution_svg(report, lang, gettext("Levels of the group by skill group and stage"),
                             svc.term("no_level", lang))
    return render_template("cards/report.html", report=report, lang=lang, fw=svc.framework(), term=svc.term,
                           level_name=svc.level_name, chart=Markup(chart), form=form or GroupPdfForm(lang=lang)), status


@bp.get("/groups/<group_id>/report")
@login_required
def report(group_id):
    return _report_page(group_id)


@bp.get("/groups/<group_id>/report.csv")
@login_required
def report_csv(group_id):
    lang = asked_lang()
    report = svc.group_report(db(), keyring(), g.user, parse_uuid(group_id))
    body = svc.report_csv(report, lang)
    name = download_name("group-report", report.group.name, dt.date.today(), "csv", person=False, extra=lang)
    return as_attachment(Response(body, headers={"Cache-Control": "no-store"}), name, "text/csv; charset=utf-8")


# -- the whole group as one PDF (background job) -------------------------------------------------------------

@bp.post("/groups/<group_id>/cards.pdf")
@login_required
def group_pdf_start(group_id):
    gid = parse_uuid(group_id)
    form = GroupPdfForm()
    if not form.validate_on_submit():
        svc.group_access(db(), g.user, gid)  # access first: a stranger gets 403/404, not the form's errors
        return _report_page(group_id, form=form, status=422)
    group, _role, child_ids = svc.group_for_pdf(db(), g.user, gid)
    name = download_name("group-cards", group.name, dt.date.today(), "pdf", person=False, extra=form.lang.data)
    job_id = jobs.start_group_job(db(), keyring(), g.user, group, child_ids, form.lang.data, name)
    return redirect(url_for("cards.job", job_id=job_id), code=303)


@bp.get("/card-jobs/<job_id>")
@login_required
def job(job_id):
    status = job_or_404(job_id, jobs.KIND)
    return render_template("cards/job.html", job_id=job_id, status=status)


@bp.get("/card-jobs/<job_id>/progress")
@login_required
def job_progress(job_id):
    return progress_response(job_or_404(job_id, jobs.KIND), url_for("cards.job_download", job_id=job_id))


@bp.get("/card-jobs/<job_id>/download")
@login_required
def job_download(job_id):
    return file_response(job_id, jobs.KIND)
