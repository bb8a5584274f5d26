"""Files of background jobs (group PDFs, card exports): instance/tmp/<kind>/<job>.json holds the progress and
names the user who started the job; the result sits beside it. The job id is random (unguessable) and only
its starter may read its status or its file. Finished jobs are removed after a day; a job still 'running'
after half an hour died with its process (a restart) and is shown as failed."""
from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

from flask import Flask, current_app

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
KEEP_SECONDS = 24 * 3600
STALE_SECONDS = 30 * 60


class JobFiles:
    def __init__(self, kind: str):
        self.kind = kind

    def directory(self, app: Flask | None = None) -> Path:
        app = app or current_app
        path = Path(app.instance_path) / "tmp" / self.kind
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def write_status(directory: Path, job_id: str, status: dict) -> None:
        tmp = directory / f"{job_id}.json.tmp"
        tmp.write_text(json.dumps(status), encoding="utf-8")
        os.replace(tmp, directory / f"{job_id}.json")

    def read_status(self, job_id: str, user_id: uuid.UUID) -> dict | None:
        """The job's status if `user_id` started it; None for an unknown job or somebody else's."""
        if not JOB_ID.match(job_id or ""):
            return None
        try:
            status = json.loads((self.directory() / f"{job_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if status.get("user_id") != str(user_id):
            return None
        if status.get("state") == "running" and time.time() - status.get("started", 0) > STALE_SECONDS:
            status["state"] = "failed"
        return status

    def result_path(self, job_id: str, suffix: str) -> Path:
        return self.directory() / f"{job_id}{suffix}"

    @staticmethod
    def cleanup(directory: Path) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for path in directory.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass


def progress_response(status: dict, download_url: str):
    """The JSON a progress page polls (static/js/progress.js)."""
    from flask import jsonify
    done = status["state"] == "done"
    return jsonify({"state": status["state"], "done": status["done"], "total": status["total"],
                    "download": download_url if done else None})


def file_response(status: dict, path: Path, mimetype: str, download_name: str):
    """A finished job's file as a download (404 until it is there). Cache-Control: no-store comes from the app."""
    from flask import abort, send_file
    if status["state"] != "done" or not path.exists():
        abort(404)
    from .downloads import as_attachment
    return as_attachment(send_file(path, mimetype=mimetype, max_age=0), download_name)
