"""Background jobs whose result holds children's data (a group's cards as PDF, the ZIP of cards for a school, a
parent's export of everything about their child).

One small API, the same for every kind of job:

    job = jobs.start(db, keyring, user, "group_pdf", org_id=..., child_ids=[...], params={...})
    job = jobs.status(db, user, job_id)             # the starter's own job, or None
    data, name, mimetype = jobs.download(db, keyring, user, job_id)

A kind registers its worker and its download check with `@jobs.kind(...)`. `submit` hands only the job id to
the task queue (Huey, jobs/tasks.py); a consumer on any machine runs it (`run_job`): it claims the job, writes a
heartbeat while it works, and on an error either lets the queue retry it (with back-off) or, at the last attempt,
marks it failed. A job whose consumer died (heartbeat silent) is queued again or failed (`recover_stalled`).

The result is sealed in the database under the organization's data key (a parent's export: the child's own key),
never written to disk in clear; it is readable only by the user who started the job while they still have access
(checked again at download, and the download audited for the job and for each child in it), and is deleted at its
download, after at most KEEP (one hour), and when the data of a child in it is deleted (`forget_child`).
"""
from __future__ import annotations

import base64
import datetime as dt
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlmodel import Session, select

from ..crypto.keyring import Keyring
from ..db import session_scope
from ..models import User
from ..models.base import utcnow
from ..models.jobs import SEALED_JOB_FIELDS, JobResult
from ..services import NotFound
from ..services.audit import record, record_many
from ..services.keys import active_key
from ..services.sealing import register_sealed

TABLE = "job_result"
KEEP = dt.timedelta(hours=1)
STALE = dt.timedelta(minutes=30)  # a job still 'running' after this died with its process (a restart)

register_sealed(JobResult, SEALED_JOB_FIELDS)

# worker(db, keyring, user, job, progress) -> (result bytes, child ids in the result, extra params to keep)
Worker = Callable[..., tuple[bytes, list[uuid.UUID], dict]]
# may_download(db, user, job) -> the role that may still read it; raises AccessDenied / NotFound otherwise
Check = Callable[[Session, User, JobResult], str]


@dataclass(frozen=True)
class Kind:
    work: Worker
    may_download: Check
    mimetype: str


KINDS: dict[str, Kind] = {}


def kind(name: str, *, may_download: Check, mimetype: str):
    """Registers the worker of a kind of job (decorator)."""
    def register(work: Worker) -> Worker:
        KINDS[name] = Kind(work=work, may_download=may_download, mimetype=mimetype)
        return work
    return register


# -- start, status, download -------------------------------------------------------------------------------

def start(db: Session, keyring: Keyring, user: User, kind_name: str, *, org_id: uuid.UUID | None,
          child_ids: list[uuid.UUID], params: dict, app=None, key_id: uuid.UUID | None = None) -> JobResult:
    """Records the job (state 'running') and hands it to the runner. Access was checked by the caller's
    service (and each child is checked again by the worker). The result is sealed under `key_id` (a parent's
    export: the child's own key) or else the organization's active key. Commits."""
    if kind_name not in KINDS:
        raise ValueError(f"unknown job kind {kind_name!r}")
    purge_expired(db)
    if key_id is None:
        if org_id is None:
            raise ValueError("a job's result needs a data key: an organization's or the child's")
        key_id = active_key(db, keyring, "org", org_id).id
    now = utcnow()
    job = JobResult(kind=kind_name, user_id=user.id, org_id=org_id, key_id=key_id, total=len(child_ids),
                    params=dict(params), child_ids=[str(c) for c in child_ids], mimetype=KINDS[kind_name].mimetype,
                    created_at=now, expires_at=now + KEEP)
    db.add(job)
    record(db, user, "job.start", org_id=org_id, object_type="job", object_id=job.id,
           detail={"kind": kind_name, "children": len(child_ids)})
    db.commit()
    submit(app, job.id)
    return job


@dataclass(frozen=True)
class JobStatus:
    id: uuid.UUID
    kind: str
    state: str  # 'running' | 'done' | 'failed'
    done: int
    total: int
    params: dict
    waiting: bool = False  # running, but no worker has it yet: `total` is a placeholder until one starts


def status(db: Session, user: User, job_id: uuid.UUID) -> JobStatus | None:
    """The user's own job while it is kept (None for another user's, an expired or an unknown job). A job
    still 'running' long after its start died with its process (a restart): shown as failed."""
    job = _own(db, user, job_id)
    if job is None:
        return None
    state = "failed" if job.state == "running" and utcnow() - job.created_at > STALE else job.state
    return JobStatus(id=job.id, kind=job.kind, state=state, done=job.done, total=job.total, params=dict(job.params),
                     waiting=state == "running" and job.heartbeat_at is None)


def _own(db: Session, user: User, job_id: uuid.UUID) -> JobResult | None:
    job = db.get(JobResult, job_id)
    if job is None or job.user_id != user.id or job.expires_at <= utcnow():
        return None
    return job


def download(db: Session, keyring: Keyring, user: User, job_id: uuid.UUID) -> tuple[bytes, str, str]:
    """The finished result, once: access is checked again, the download is audited (the job and each child
    in it) and the row is deleted in the same transaction. Raises NotFound or AccessDenied. Commits."""
    job = _own(db, user, job_id)
    if job is None or job.state != "done" or job.result_ct is None:
        raise NotFound()
    role = KINDS[job.kind].may_download(db, user, job)
    data = base64.b64decode(keyring.open(TABLE, job.id, "result", job.result_ct))
    name, mimetype, child_ids = job.params.get("download_name") or "download", job.mimetype, child_ids_of(job)
    record(db, user, "job.download", role=role, org_id=job.org_id, object_type="job", object_id=job.id,
           detail={"kind": job.kind, "children": len(child_ids)})
    audit_children(db, user, job, role, child_ids)
    db.delete(job)
    db.commit()
    return data, name, mimetype


def child_ids_of(job: JobResult) -> list[uuid.UUID]:
    return [uuid.UUID(c) for c in job.child_ids]


def audit_children(db: Session, user: User, job: JobResult, role: str, child_ids: list[uuid.UUID]) -> None:
    """One event per child whose data leaves in the file (so each parent's access log shows the download)."""
    record_many(db, user, "job.download.child", object_ids=child_ids, role=role, org_id=job.org_id,
                object_type="child", detail={"kind": job.kind, "job": str(job.id)})


# -- keeping results short-lived ----------------------------------------------------------------------------

def purge_expired(db: Session, now: dt.datetime | None = None) -> int:
    """Deletes results older than KEEP (and jobs that never finished). The caller commits."""
    result = db.exec(sa.delete(JobResult).where(JobResult.expires_at <= (now or utcnow())))
    return result.rowcount or 0


def forget_child(db: Session, child_id: uuid.UUID) -> int:
    """Deletes every job result that holds this child's data (the child's data is being deleted). Caller commits."""
    wanted = str(child_id)
    doomed = [job.id for job in db.exec(select(JobResult)).all() if wanted in (job.child_ids or [])]
    if doomed:
        db.exec(sa.delete(JobResult).where(JobResult.id.in_(doomed)))
    return len(doomed)


# -- the runner (the queue's task calls run_job; jobs/tasks.py) --------------------------------------------

def submit(app, job_id: uuid.UUID) -> None:
    """Hands a recorded job to the task queue (jobs/huey_app.py): a consumer (`flask queue consume`) runs it,
    on any machine; under tests the queue runs it at once."""
    app = app or current_app._get_current_object()
    app.extensions["sabidamu.tasks"].run_job(str(job_id))


_JOB = sa.inspect(JobResult).columns  # typed column expressions for the queue's conditional updates


def _claim(engine, job_id: uuid.UUID, stale: dt.timedelta) -> bool:
    """Takes the job for this run: still running, and nobody alive runs it (no heartbeat, or a silent one)."""
    now = utcnow()
    with session_scope(engine) as db:
        claimed = db.exec(sa.update(JobResult).where(
            _JOB.id == job_id, _JOB.state == "running",
            sa.or_(_JOB.heartbeat_at.is_(None), _JOB.heartbeat_at < now - stale),
        ).values(heartbeat_at=now, attempts=_JOB.attempts + 1))
        return bool(claimed.rowcount)


class _Heartbeat:
    """Writes the job's heartbeat every `seconds` while it runs (so a dead consumer's job is seen as such)."""

    def __init__(self, engine, job_id: uuid.UUID, seconds: float):
        self.engine, self.job_id, self.seconds = engine, job_id, seconds
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"beat-{str(job_id)[:8]}", daemon=True)

    def _beat(self) -> None:
        while not self.stopped.wait(self.seconds):
            try:
                with session_scope(self.engine) as s:
                    s.exec(sa.update(JobResult).where(_JOB.id == self.job_id, _JOB.state == "running")
                           .values(heartbeat_at=utcnow()))
            except Exception:  # a missed beat is retried at the next one
                continue

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopped.set()


def heartbeat_stale(app) -> dt.timedelta:
    return dt.timedelta(seconds=3 * app.config["SETTINGS"].job_heartbeat_seconds)


def run_job(app, job_id: uuid.UUID, *, last_attempt: bool = True) -> str:
    """One run of a job: the worker's result sealed into the row ('done'); 'skipped' when the job is gone,
    finished or run by a live consumer; on an error the row is marked failed at the last attempt ('failed'),
    else the error is raised again so that the queue retries it after its delay."""
    engine, keyring = app.extensions["sabidamu.engine"], app.extensions["sabidamu.keyring"]
    if not _claim(engine, job_id, heartbeat_stale(app)):
        return "skipped"

    def progress(done: int, total: int) -> None:
        with session_scope(engine) as s:  # a short write of its own: the status page polls it
            s.exec(sa.update(JobResult).where(_JOB.id == job_id)
                   .values(done=done, total=total, heartbeat_at=utcnow()))

    try:
        with app.app_context(), _Heartbeat(engine, job_id, app.config["SETTINGS"].job_heartbeat_seconds):
            with session_scope(engine, write=False) as db:
                job = db.get(JobResult, job_id)
                if job is None:
                    return "skipped"  # expired or deleted before it ran
                user = db.get(User, job.user_id)
                data, child_ids, extra = KINDS[job.kind].work(db, keyring, user, job, progress)
            with session_scope(engine) as db:
                job = db.get(JobResult, job_id)
                if job is None:
                    return "skipped"  # a child's data was deleted meanwhile: the result must not be kept
                job.result_ct = keyring.seal(job.key_id, TABLE, job.id, "result", base64.b64encode(data).decode())
                job.child_ids = [str(c) for c in child_ids]
                job.params = {**job.params, **extra}
                job.state, job.finished_at = "done", utcnow()
    except Exception:  # the user sees "failed"; the details go to the log, never to the page
        app.logger.exception("background job %s failed", job_id)
        values = {"state": "failed", "finished_at": utcnow()} if last_attempt else {"heartbeat_at": None}
        with session_scope(engine) as db:
            db.exec(sa.update(JobResult).where(_JOB.id == job_id, _JOB.state == "running").values(**values))
        if last_attempt:
            return "failed"
        raise
    return "done"


def recover_stalled(app, max_attempts: int) -> list[uuid.UUID]:
    """Jobs whose consumer died mid-run (heartbeat silent for three beats): failed after `max_attempts` runs,
    else released (heartbeat cleared) and returned, for the caller to queue again."""
    engine, cutoff = app.extensions["sabidamu.engine"], utcnow() - heartbeat_stale(app)
    released = []
    with session_scope(engine) as db:
        silent = db.execute(sa.select(_JOB.id, _JOB.attempts).where(
            _JOB.state == "running", _JOB.heartbeat_at < cutoff)).all()
        for job_id, attempts in silent:
            values = ({"state": "failed", "finished_at": utcnow()} if attempts >= max_attempts
                      else {"heartbeat_at": None})
            changed = db.exec(sa.update(JobResult).where(_JOB.id == job_id, _JOB.state == "running",
                                                         _JOB.heartbeat_at < cutoff).values(**values))
            if changed.rowcount and "heartbeat_at" in values:
                released.append(job_id)
    return released
