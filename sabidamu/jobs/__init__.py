"""Background work in one place, behind one small API.

Jobs whose result holds children's data (queue.py; each kind registers its worker with `@kind`: group_pdf.py,
the cards of a group as one PDF; transfer_zip.py, the .sdcard packages for a school as one ZIP):

    job = jobs.start(db, keyring, user, "group_pdf", org_id=..., child_ids=[...], params={...})
    job = jobs.status(db, user, job_id)             # the starter's own job, or None
    data, name, mimetype = jobs.download(db, keyring, user, job_id)

`jobs.submit` hands the job to the task queue: Huey (huey_app.py builds it from SABIDAMU_QUEUE_URL; tasks.py
holds the tasks: jobs, mail, purges, deletions that are due, reminders, and the consumer's clock for the audit
sequencer; telemetry.py their metrics and log lines). `flask queue consume` runs them.
Periodic work (periodic.py): `jobs.run_audit_sequence(app)` is one round of the audit sequencer;
`jobs.start_periodic(app)` runs it in a serving process only with SABIDAMU_AUDIT_SEQUENCER=web.
"""
from . import group_pdf, transfer_zip  # noqa: E402,F401  (registers the kinds)
from .periodic import run_once as run_audit_sequence
from .periodic import start_sequencer as start_periodic
from .queue import (
    KEEP,
    KINDS,
    STALE,
    JobStatus,
    Kind,
    audit_children,
    child_ids_of,
    download,
    forget_child,
    kind,
    purge_expired,
    run_job,
    start,
    status,
    submit,
)

__all__ = [
    "KEEP", "KINDS", "STALE", "JobStatus", "Kind", "audit_children", "child_ids_of", "download", "forget_child",
    "kind", "purge_expired", "run_audit_sequence", "run_job", "start", "start_periodic", "status", "submit",
]
