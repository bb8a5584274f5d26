"""The tasks the queue runs, bound to one app (`register(huey, app)`, called by huey_app.init_queue).

    run_job(job_id)        a job of queue.py (group PDF, transfer ZIP); retried with back-off, then 'failed'
    send_mail(sealed)      one e-mail through services/mail.py; retried with back-off
    purge_job_results      every 5 minutes: results past their hour are deleted
    deletions_due          hourly: parents' deletion requests whose retention period ended (data_rights)
    reminders              hourly, when sabidamu/jobs/reminders.py exists (run_reminders(app))

Besides, the consumer's clock (Clock, started by `flask queue consume`) runs every second what Huey's
minute-grained schedule cannot: the audit sequencer round (sequence and sign a checkpoint) under a queue lock
(two consumers never sign two checkpoints of one size; the database lock inside sequence_once guards too),
and the recovery of jobs whose consumer died mid-run (queued again, or failed after the last attempt).

A task message holds ids only. A mail's recipient and text are personal data (and a reset link is a secret):
they travel sealed with AES-GCM under a key derived from SABIDAMU_SECRET_KEY (the same on every node).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask
from huey import Huey, crontab
from huey.exceptions import TaskLockedException

from . import queue
from .huey_app import uses_redis
from .telemetry import init_task_log, observe

LOCK_TTL = 120  # seconds: a lock of a consumer killed while holding it frees itself (Redis)
ANALYTICS_LOCK_TTL = 900


@dataclass
class Tasks:
    huey: Huey
    run_job: Any
    send_mail: Any
    purge_job_results: Any
    deletions_due: Any
    analytics_refresh: Any
    app: Flask

    def queue_mail(self, _settings, to: str, subject: str, body: str) -> None:
        """services.mail.queue_mail's way out: the message, sealed, becomes a send_mail task."""
        self.send_mail(seal_mail(self.app, to, subject, body))

    def locked(self, name: str, work, ttl: int = LOCK_TTL) -> object:
        """Runs `work` under the queue lock `name`; 'locked' when another consumer holds it."""
        try:
            with self.huey.lock_task(name, ttl=ttl if uses_redis(self.huey) else None):
                return work()
        except TaskLockedException:
            return "locked"

    def sequence_audit(self) -> object:
        from .periodic import run_once

        def once():
            with self.app.app_context():
                return run_once(self.app)
        return observe("audit_sequence", None, lambda: self.locked("audit-sequence", once), last=True,
                       quiet=lambda line: line == "locked" or str(line).startswith("up to date"))

    def recover_stalled(self) -> list[uuid.UUID]:
        settings = self.app.config["SETTINGS"]
        released = queue.recover_stalled(self.app, max_attempts=settings.queue_retries + 1)
        for job_id in released:
            self.run_job(str(job_id))
        return released


def _mail_key(app: Flask) -> bytes:
    return hmac.new(app.config["SECRET_KEY"].encode(), b"sabidamu/mail-queue/v1", hashlib.sha256).digest()


def seal_mail(app: Flask, to: str, subject: str, body: str) -> bytes:
    nonce = os.urandom(12)
    plain = json.dumps({"to": to, "subject": subject, "body": body}).encode()
    return nonce + AESGCM(_mail_key(app)).encrypt(nonce, plain, b"mail")


def open_mail(app: Flask, sealed: bytes) -> dict:
    return json.loads(AESGCM(_mail_key(app)).decrypt(sealed[:12], sealed[12:], b"mail"))


def register(huey: Huey, app: Flask) -> Tasks:
    settings = app.config["SETTINGS"]
    init_task_log(app.testing)
    retry = {"retries": settings.queue_retries, "retry_delay": settings.queue_retry_delay, "retry_backoff": 2,
             "context": True}

    def last(task) -> bool:  # immediate mode (tests) schedules no retry: each run is the last
        return huey.immediate or not getattr(task, "retries", 0)

    @huey.task(name="run_job", **retry)
    def run_job(job_id: str, task=None):
        final = last(task)
        return observe("run_job", task, lambda: queue.run_job(app, uuid.UUID(job_id), last_attempt=final),
                       last=final, job=job_id)

    @huey.task(name="send_mail", **retry)
    def send_mail(sealed: bytes, task=None):
        from ..services.mail import send_mail as smtp_send

        def send():
            message = open_mail(app, sealed)
            smtp_send(app.config["SETTINGS"], message["to"], message["subject"], message["body"])  # MailError: retried
        return observe("send_mail", task, send, last=last(task))

    @huey.periodic_task(crontab(minute="*/5"), name="purge_job_results", context=True)
    def purge_job_results(task=None):
        from ..db import session_scope

        def purge():
            with session_scope(app.extensions["sabidamu.engine"]) as db:
                queue.purge_expired(db)
        return observe("purge_job_results", task, purge, last=True)

    @huey.periodic_task(crontab(minute="17"), name="deletions_due", context=True)
    def deletions_due(task=None):
        from ..db import session_scope
        from ..services.data_rights import process_due

        def delete():
            with app.app_context(), session_scope(app.extensions["sabidamu.engine"]) as db:
                process_due(db, app.extensions["sabidamu.keyring"])
        return observe("deletions_due", task, lambda: tasks.locked("deletions-due", delete), last=True)

    @huey.periodic_task(crontab(minute=f"*/{settings.analytics_refresh_minutes}"), name="analytics_refresh",
                        context=True)
    def analytics_refresh(task=None):
        from ..db import session_scope
        from ..services.analytics.snapshots import refresh_changed

        def refresh():
            with app.app_context(), session_scope(app.extensions["sabidamu.engine"]) as db:
                done = refresh_changed(db)
                return f"{len(done.parts)} parts worked out, {len(done.failed)} failed"
        # A whole country's first round takes about a minute on 2 cores: the lock outlives it.
        return observe("analytics_refresh", task,
                       lambda: tasks.locked("analytics-refresh", refresh, ttl=ANALYTICS_LOCK_TTL), last=True)

    run_reminders: Any = None
    with contextlib.suppress(ImportError):  # written by the reminders' module when it exists
        from .reminders import run_reminders  # type: ignore[import-not-found,no-redef,unused-ignore]
    if run_reminders is not None:
        @huey.periodic_task(crontab(minute="5"), name="reminders", context=True)
        def reminders(task=None):
            def remind():
                with app.app_context():
                    return run_reminders(app)
            return observe("reminders", task, lambda: tasks.locked("reminders", remind), last=True)

    tasks = Tasks(huey=huey, run_job=run_job, send_mail=send_mail, purge_job_results=purge_job_results,
                  deletions_due=deletions_due, analytics_refresh=analytics_refresh, app=app)
    return tasks


class Clock:
    """The consumer's clock (a tick every 0.1 s): the audit sequencer round every SABIDAMU_AUDIT_SEQUENCE_SECONDS
    (when SABIDAMU_AUDIT_SEQUENCER=consumer) and the recovery of stalled jobs every heartbeat."""

    def __init__(self, tasks: Tasks):
        self.tasks = tasks
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="queue-clock", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        app = self.tasks.app
        settings = app.config["SETTINGS"]
        sequence_every = settings.audit_sequence_seconds if settings.audit_sequencer == "consumer" else 0
        next_sequence = next_recovery = time.monotonic()
        while not self.stopped.is_set():
            now = time.monotonic()
            if sequence_every and now >= next_sequence:
                next_sequence = now + sequence_every
                self._safely(self.tasks.sequence_audit, "audit sequencing failed")
            if now >= next_recovery:
                next_recovery = now + settings.job_heartbeat_seconds
                self._safely(self.tasks.recover_stalled, "recovering stalled jobs failed")
            self.stopped.wait(0.1)

    def _safely(self, work, message: str) -> None:
        try:
            work()
        except Exception:  # the next round tries again
            self.tasks.app.logger.exception(message)
