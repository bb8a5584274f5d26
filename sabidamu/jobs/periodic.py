"""Periodic work: the audit sequencer, every second (no cron needed).

By default the queue consumer runs it (SABIDAMU_AUDIT_SEQUENCER=consumer; jobs/tasks.py, Clock, under a queue
lock). With SABIDAMU_AUDIT_SEQUENCER=web, every SABIDAMU_AUDIT_SEQUENCE_SECONDS (default 0.5; 0 turns it off) a
daemon thread in each serving process runs the same round as `flask audit sequence`: pending events go
into the Merkle tree and a checkpoint is signed. The database lock inside `sequence` lets one process at a
time do it (the others skip their turn), on one app node or several; a round with nothing pending only reads.
"""
from __future__ import annotations

import threading
import time

from flask import Flask

from ..services.audit_admin import sequence_once

_started = False
_guard = threading.Lock()


def start_sequencer(app: Flask) -> None:
    global _started
    seconds = app.config.get("AUDIT_SEQUENCE_SECONDS", 0.5)
    if app.testing or not seconds or app.config["SETTINGS"].audit_sequencer != "web":
        return
    with _guard:
        if _started:
            return
        _started = True
    threading.Thread(target=_loop, args=(app, float(seconds)), name="audit-sequencer", daemon=True).start()


def run_once(app: Flask) -> str:
    settings = app.config["SETTINGS"]
    _code, line = sequence_once(app.extensions["sabidamu.engine"], settings, create_key=not settings.production)
    return line


def _loop(app: Flask, interval: float) -> None:
    last_line = None
    while True:
        started = time.monotonic()
        try:
            line = run_once(app)
            if line != last_line and not line.startswith("up to date"):
                app.logger.info("audit sequencer: %s", line)
            last_line = line
        except Exception:  # never let the job kill the thread; the next round tries again
            app.logger.exception("audit sequencing failed")
        time.sleep(max(0.05, interval - (time.monotonic() - started)))
