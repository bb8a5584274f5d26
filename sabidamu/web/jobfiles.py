"""The web side of background jobs (sabidamu/jobs): the job of the signed-in user or 404, the JSON its
progress page polls, and its one download. The result lives sealed in the database, never in a file."""
from __future__ import annotations

import uuid

from flask import abort, g, jsonify, make_response

from .. import jobs as svc
from .common import db, keyring
from .downloads import as_attachment


def parse_job_id(job_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(job_id)
    except (ValueError, TypeError):
        abort(404)


def job_or_404(job_id: str, kind: str) -> svc.JobStatus:
    """The signed-in user's own job of this kind (404 for anybody else's, an unknown or an expired one)."""
    status = svc.status(db(), g.user, parse_job_id(job_id))
    if status is None or status.kind != kind:
        abort(404)
    return status


def progress_response(status: svc.JobStatus, download_url: str):
    """The JSON a progress page polls (static/js/progress.js)."""
    done = status.state == "done"
    return jsonify({"state": status.state, "done": status.done, "total": status.total, "waiting": status.waiting,
                    "download": download_url if done else None})


def file_response(job_id: str, kind: str):
    """The finished result as a download: access checked again, audited, then deleted (404 until it is ready,
    and after it was downloaded once). Cache-Control: no-store comes from the app."""
    job_or_404(job_id, kind)
    data, name, mimetype = svc.download(db(), keyring(), g.user, parse_job_id(job_id))
    return as_attachment(make_response(data), name, mimetype)
