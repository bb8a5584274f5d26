"""`flask queue consume` runs the background tasks (sabidamu/jobs/tasks.py); `flask queue status` shows the queue.

Start one consumer or more beside the app nodes, with the same settings (SABIDAMU_DATABASE_URL, the master key
file, SABIDAMU_SECRET_KEY, SABIDAMU_QUEUE_URL, the audit signing key and checkpoint file). `make run` starts one.
"""
from __future__ import annotations

import logging

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..models.jobs import JobResult
from . import context

queue_cli = AppGroup("queue", help="The background task queue (Huey).")


@queue_cli.command("consume")
@click.option("--workers", type=int, default=None, help="Worker threads (default SABIDAMU_QUEUE_WORKERS).")
def queue_consume(workers: int | None):
    """Run the queue's tasks until stopped (SIGTERM or Ctrl-C); also the audit sequencer and job recovery."""
    from ..jobs.huey_app import uses_redis
    from ..jobs.tasks import Clock
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = context.settings()
    tasks = app.extensions["sabidamu.tasks"]
    huey = tasks.huey
    if huey.immediate:
        context.finish(2, "the queue runs tasks at once in this app (tests): nothing to consume")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.queue_metrics_port:
        from prometheus_client import start_http_server
        start_http_server(settings.queue_metrics_port, addr="127.0.0.1")
    consumer = huey.create_consumer(workers=workers or settings.queue_workers, worker_type="thread", periodic=True,
                                    # One machine (SQLite): a lock left by a killed consumer is cleared at start.
                                    # Redis: locks expire by themselves, and other consumers may hold one now.
                                    flush_locks=not uses_redis(huey))
    clock = Clock(tasks)
    clock.start()
    click.echo(f"queue consumer: {workers or settings.queue_workers} workers on "
               f"{'Redis' if uses_redis(huey) else 'SQLite'}", err=True)
    try:
        consumer.run()
    finally:
        clock.stop()


@queue_cli.command("status")
def queue_status():
    """Tasks waiting, and the jobs kept in the database by state (counts only)."""
    huey = current_app.extensions["sabidamu.huey"]
    try:
        pending, scheduled = huey.pending_count(), huey.scheduled_count()
    except Exception as exc:  # the queue's storage does not answer
        context.finish(1, f"QUEUE UNREACHABLE: {type(exc).__name__}")
    with context.engine().connect() as conn:
        states = dict(conn.execute(sa.select(JobResult.state, sa.func.count()).group_by(JobResult.state)).all())
    jobs = ", ".join(f"{state} {count}" for state, count in sorted(states.items())) or "none"
    context.finish(0, f"tasks pending {pending}, scheduled {scheduled}; jobs kept: {jobs}")
