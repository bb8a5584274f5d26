"""Export jobs, in the pattern of the group PDF job (web/cards/jobs.py): a background thread makes the packages
into instance/tmp/transfer-jobs/<job>.zip (the .sdcard files + index.txt) and keeps its progress in <job>.json.
The job id is random and the status names the user who started it: nobody else sees the job or its file.

Access and consent were checked in the request that started the job (and are checked again by the service in the
thread, which also writes the audit events and TransferPackage rows, child by child).
"""
from __future__ import annotations

import io
import os
import secrets
import threading
import time
import uuid
import zipfile
from pathlib import Path

from flask import Flask, current_app

from ..jobfiles import JobFiles


_files = JobFiles("transfer-jobs")
jobs_dir = _files.directory
_write_status = _files.write_status
read_status = _files.read_status
_cleanup = _files.cleanup


def zip_path(job_id: str) -> Path:
    return _files.result_path(job_id, ".zip")


def bundle(result) -> bytes:
    """One ZIP with every .sdcard file and index.txt (the packages are encrypted already: stored, not deflated)."""
    from ...services.transfer_export import INDEX_NAME, index_text
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in result.exported:
            archive.writestr(item.file_name, item.data, compress_type=zipfile.ZIP_STORED)
        archive.writestr(INDEX_NAME, index_text(result), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def start_export_job(user_id: uuid.UUID, org_id: uuid.UUID, child_ids: list[uuid.UUID], target: dict,
                     lang: str, download_name: str = "") -> str:
    """Starts the thread and returns the job id (status 'running' is on disk before this returns).
    `target`: the keyword arguments naming the school (to_org_id, or recipient + school_name + school_bin)."""
    app = current_app._get_current_object()
    directory = jobs_dir(app)
    _cleanup(directory)
    job_id = secrets.token_urlsafe(24)
    status = {"user_id": str(user_id), "org_id": str(org_id), "lang": lang, "state": "running", "done": 0,
              "total": len(child_ids), "exported": 0, "refused": 0, "started": time.time(),
              "download_name": download_name}
    _write_status(directory, job_id, status)
    thread = threading.Thread(target=_run, args=(app, directory, job_id, status, user_id, list(child_ids),
                                                 dict(target), lang),
                              name=f"card-export-{job_id[:6]}", daemon=True)
    thread.start()
    return job_id


def _run(app: Flask, directory: Path, job_id: str, status: dict, user_id: uuid.UUID, child_ids: list[uuid.UUID],
         target: dict, lang: str) -> None:
    from ...db import session_scope
    from ...models import User
    from ...services import transfer_export as svc

    def progress(done: int, total: int) -> None:
        status.update(done=done, total=total)
        _write_status(directory, job_id, status)

    try:
        with app.app_context(), session_scope(app.extensions["sabidamu.engine"], write=False) as db:
            user = db.get(User, user_id)
            result = svc.export_cards(db, app.extensions["sabidamu.keyring"], user, child_ids, lang=lang,
                                      progress=progress, **target)
        tmp = directory / f"{job_id}.zip.tmp"
        tmp.write_bytes(bundle(result))
        os.replace(tmp, directory / f"{job_id}.zip")
        status.update(state="done", finished=time.time(), exported=len(result.exported),
                      refused=len(result.refused))
    except Exception:  # the user sees "failed"; the details go to the log, never to the page
        app.logger.exception("card export job %s failed", job_id)
        status.update(state="failed")
    _write_status(directory, job_id, status)
