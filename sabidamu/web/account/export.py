"""A parent's "download everything about my child", run as a background job (issue 14: long work runs as tasks).

The worker renders each screening summary and the card as PDFs and packs them with export.json and card.json
(services/data_rights.export_child, which checks the guardian and audits export.child). The ZIP is sealed in the
database under the child's own data key (the family's key for a child kept at home, else the kindergarten's),
never written to an app node's disk, and read once by the parent who asked, while still a guardian; at most an
hour later it is gone (jobs/queue.py).

The kind is registered here, in the web package, because the screening summary's PDF renders the page's own
context (web/screening/presenting.py); the app registers this module when it is built, so a queue consumer
(which builds the app too) knows the kind as well.
"""
from __future__ import annotations

import datetime as dt
import uuid

from flask import flash, g, make_response, redirect, render_template, url_for
from flask_babel import force_locale, gettext

from ... import jobs
from ...filenames import download_name
from ...models import Child
from ...models.enums import Role
from ...rendering.cards import render_card_pdf
from ...rendering.screening import render_screening_pdf
from ...services import AccessDenied, NotFound, data_rights
from ...services import screening as screening_svc
from ...services.cards import card_pdf_data
from ..common import db, keyring, login_required, parse_uuid
from ..downloads import as_attachment
from ..formatting import current_lang
from ..jobfiles import job_or_404, parse_job_id, progress_response
from ..screening.presenting import result_context
from ..screening.routes import registry
from .forms import ActionForm
from .routes import bp

KIND = "data_export"


def _may_download(db_, user, job) -> str:
    data_rights.guardian_child(db_, user, uuid.UUID(job.params["child_id"]))
    return Role.PARENT


def _pdfs(db_, keyring_, user, child_id: uuid.UUID, lang: str,
          progress) -> tuple[list[tuple[str, bytes]], list[str], int]:
    """The screening summaries and (when a kindergarten kept one) the card, as PDFs; notes say what is left out.
    Progress counts each PDF and, last, the packing of the ZIP (the third value: how many steps in all)."""
    pdfs: list[tuple[str, bytes]] = []
    notes: list[str] = []
    child, views = screening_svc.history(db_, keyring_, registry(), user, child_id, audit=False)
    has_card = data_rights.retention_due(db_, child_id) is not None
    total = len(views) + (1 if has_card else 0) + 1  # + packing the ZIP
    progress(0, total)
    for done, view in enumerate(views, start=1):
        body = render_screening_pdf(result_context(view, lang))
        pdfs.append((download_name("screening", child.name, view.screening_date, "pdf", extra=str(view.id)[:8]),
                     body))
        progress(done, total)
    if not has_card:
        notes.append("card.pdf not included: no kindergarten has kept a card for this child")
        return pdfs, notes, total
    try:
        context = card_pdf_data(db_, keyring_, user, child_id, lang)
        pdfs.append((download_name("card", context["name"], None, "pdf", extra=lang), render_card_pdf(context)))
    except (AccessDenied, NotFound):
        notes.append("card.pdf not included: the card is not available to the parent")
    progress(total - 1, total)
    return pdfs, notes, total


@jobs.kind(KIND, may_download=_may_download, mimetype="application/zip")
def _work(db_, keyring_, user, job, progress):
    child_id, lang = uuid.UUID(job.params["child_id"]), job.params["lang"]
    with force_locale(lang):
        pdfs, notes, total = _pdfs(db_, keyring_, user, child_id, lang, progress)
        result = data_rights.export_child(db_, keyring_, user, child_id, lang=lang, pdfs=pdfs, notes=notes)
    progress(total, total)
    return result.data, [child_id], {"files": 2 + len(pdfs)}


def start_export(child: Child, lang: str) -> uuid.UUID:
    """Queues the export of a child whose guardian the caller was found to be; sealed under the child's own key."""
    org = data_rights.organization_of(db(), child.id)
    job = jobs.start(db(), keyring(), g.user, KIND, org_id=org.id if org else None, key_id=child.key_id,
                     child_ids=[child.id], params={"child_id": str(child.id), "lang": lang})
    return job.id


@bp.post("/account/children/<child_id>/export")
@login_required
def export(child_id):
    # Access first: a stranger gets 403/404, not the form's errors.
    child = data_rights.guardian_child(db(), g.user, parse_uuid(child_id))
    if not ActionForm().validate_on_submit():
        flash(gettext("The form has expired. Please try again."), "error")
        return redirect(url_for("parent.child", child_id=child.id))
    return redirect(url_for("account.export_job", job_id=start_export(child, current_lang())), code=303)


@bp.get("/account/exports/<job_id>")
@login_required
def export_job(job_id):
    status = job_or_404(job_id, KIND)
    return render_template("account/export_job.html", job_id=job_id, status=status,
                           child_id=status.params["child_id"])


@bp.get("/account/exports/<job_id>/progress")
@login_required
def export_progress(job_id):
    return progress_response(job_or_404(job_id, KIND), url_for("account.export_download", job_id=job_id))


@bp.get("/account/exports/<job_id>/download")
@login_required
def export_download(job_id):
    """The ZIP, once. Its name carries the child's name, opened now: the job's stored parameters hold none."""
    status = job_or_404(job_id, KIND)
    filename = data_rights.export_filename(db(), keyring(), g.user, uuid.UUID(status.params["child_id"]),
                                           dt.date.today())
    data, _name, mimetype = jobs.download(db(), keyring(), g.user, parse_job_id(job_id))
    return as_attachment(make_response(data), filename, mimetype)
