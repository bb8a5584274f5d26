"""Group PDF jobs: a background thread renders the cards of a group into instance/tmp/card-jobs/<job>.pdf and
keeps its progress in <job>.json beside it. The job id is random (unguessable) and the status file names the user
who started it: nobody else can see the job, its progress or its file.

The thread has its own app context and its own database session (the request's ends with the request). Access to
the group was checked and audited (group.pdf) in the request that started the job; each child is checked again
while the cards are assembled.
"""
from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from pathlib import Path

from flask import Flask, current_app

from ..jobfiles import JobFiles


_files = JobFiles("card-jobs")
jobs_dir = _files.directory
_write_status = _files.write_status
read_status = _files.read_status
_cleanup = _files.cleanup


def pdf_path(job_id: str) -> Path:
    return _files.result_path(job_id, ".pdf")


def start_group_job(user_id: uuid.UUID, group_id: uuid.UUID, child_ids: list[uuid.UUID], lang: str,
                    download_name: str = "") -> str:
    """Starts the thread and returns the job id (status 'running' is on disk before this returns)."""
    app = current_app._get_current_object()
    directory = jobs_dir(app)
    _cleanup(directory)
    job_id = secrets.token_urlsafe(24)
    status = {"user_id": str(user_id), "group_id": str(group_id), "lang": lang, "state": "running",
              "done": 0, "total": len(child_ids), "started": time.time(), "download_name": download_name}
    _write_status(directory, job_id, status)
    thread = threading.Thread(target=_run, args=(app, directory, job_id, status, user_id, list(child_ids), lang),
                              name=f"card-pdf-{job_id[:6]}", daemon=True)
    thread.start()
    return job_id


def _run(app: Flask, directory: Path, job_id: str, status: dict, user_id: uuid.UUID, child_ids: list[uuid.UUID],
         lang: str) -> None:
    from ...db import session_scope
    from ...models import User
    from ...services import cards as cards_svc
    from .rendering import render_group_pdf

    def progress(done: int, total: int) -> None:
        status.update(done=done, total=total)
        _write_status(directory, job_id, status)

    try:
        with app.app_context(), session_scope(app.extensions["sabidamu.engine"], write=False) as db:
            user = db.get(User, user_id)
            keyring = app.extensions["sabidamu.keyring"]
            body = render_group_pdf(cards_svc.group_cards_data(db, keyring, user, child_ids, lang), progress)
        tmp = directory / f"{job_id}.pdf.tmp"
        tmp.write_bytes(body)
        os.replace(tmp, directory / f"{job_id}.pdf")
        status.update(state="done", finished=time.time())
    except Exception:  # the user sees "failed"; the details go to the log, never to the page
        app.logger.exception("group card PDF job %s failed", job_id)
        status.update(state="failed")
    _write_status(directory, job_id, status)
