"""Signed audit checkpoints at intervals, from the running app (no cron needed for `make run`).

Every SABIDAMU_AUDIT_CHECKPOINT_MINUTES (default 5; 0 turns it off) a daemon thread in each serving process
runs the same job as `flask audit checkpoint`: verify the chain against earlier checkpoints, then sign and
append the head to the checkpoint file outside the database. An exclusive lock on a file beside the
checkpoint file keeps two worker processes from checkpointing at once.
"""
from __future__ import annotations

import fcntl
import threading
import time

from flask import Flask

_started = False
_guard = threading.Lock()


def start_checkpointing(app: Flask) -> None:
    global _started
    minutes = app.config.get("AUDIT_CHECKPOINT_MINUTES", 5)
    if app.testing or not minutes:
        return
    with _guard:
        if _started:
            return
        _started = True
    threading.Thread(target=_loop, args=(app, float(minutes) * 60), name="audit-checkpoints", daemon=True).start()


def run_once(app: Flask) -> str:
    from .db import session_scope
    from .services.audit_ops import checkpoint
    settings = app.config["SETTINGS"]
    lock_path = settings.audit_checkpoint_file.with_name(settings.audit_checkpoint_file.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with session_scope(app.extensions["sabidamu.engine"], write=False) as db:
            outcome = checkpoint(db, settings.audit_checkpoint_file, settings.audit_signing_key_file,
                                 create_key=not settings.production)
    return outcome.line


def _loop(app: Flask, interval: float) -> None:
    while True:
        time.sleep(interval)
        try:
            app.logger.info("audit checkpoint: %s", run_once(app))
        except Exception:  # never let the job kill the thread; the next round tries again
            app.logger.exception("audit checkpoint failed")
