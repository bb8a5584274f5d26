"""Metrics and log lines of the task queue, with no personal data (the conventions of observability.py).

* `sabidamu_task_duration_seconds{task, outcome}`: each task run (outcome ok | skipped | retry | failed | locked).
* `sabidamu_queue_depth{state}` and `sabidamu_audit_sequencer_lag_seconds`: read when /metrics is scraped
  (QueueCollector): tasks waiting (pending) or waiting for their time (scheduled), and the age of the oldest
  audit event not yet in the log's tree (0 when none waits).
* One JSON line per task run on the `sabidamu.task` logger: task name, task id, outcome, duration, retries left
  (and the job id for a job: a random id, not personal data).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from huey.exceptions import TaskLockedException
from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily

from ..models.audit import AuditEvent
from ..models.base import utcnow
from ..observability import JsonLineFormatter

TASK_DURATION = Histogram("sabidamu_task_duration_seconds", "Time a background task ran, by task and outcome",
                          ["task", "outcome"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
OUTCOMES = ("ok", "skipped", "failed", "locked")

task_log = logging.getLogger("sabidamu.task")


def init_task_log(testing: bool) -> None:
    if not task_log.handlers and not testing:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLineFormatter())
        task_log.addHandler(handler)
        task_log.setLevel(logging.INFO)
        task_log.propagate = False


def observe(name: str, task, work: Callable[[], object], *, last: bool, quiet: Callable[[object], bool] | None = None,
            **extra: str) -> object:
    """Runs `work` as the task `name`: timed, counted and logged in one line. A result among OUTCOMES is the
    outcome; an error is 'retry' (the queue runs the task again) or 'failed' (its last attempt). `quiet(result)`
    true: no log line (the audit sequencer's round every second with nothing to do)."""
    started, outcome, result = time.perf_counter(), "ok", None
    try:
        result = work()
        if isinstance(result, str) and result in OUTCOMES:
            outcome = result
        return result
    except TaskLockedException:
        outcome = "locked"
        raise
    except Exception:
        outcome = "failed" if last else "retry"
        raise
    finally:
        elapsed = time.perf_counter() - started
        TASK_DURATION.labels(name, outcome).observe(elapsed)
        if outcome not in ("ok", "locked") or quiet is None or not quiet(result):
            task_log.info("task", extra={"fields": {
                "task": name, "task_id": getattr(task, "id", None), "outcome": outcome,
                "duration_ms": round(elapsed * 1000, 2), "retries_left": getattr(task, "retries", 0), **extra}})


class QueueCollector:
    """Read at scrape time: queue depth (from the queue's storage) and the audit sequencer's lag (database)."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        huey = self.app.extensions.get("sabidamu.huey")
        depth = GaugeMetricFamily("sabidamu_queue_depth", "Tasks waiting in the queue", labels=["state"])
        if huey is not None and not huey.immediate:
            try:
                depth.add_metric(["pending"], huey.pending_count())
                depth.add_metric(["scheduled"], huey.scheduled_count())
            except Exception:  # the queue is down: /readyz says so; the gauge is left out
                pass
        yield depth
        lag = GaugeMetricFamily("sabidamu_audit_sequencer_lag_seconds",
                                "Age of the oldest audit event not yet sequenced into the log (0: none waits)")
        try:
            with self.app.extensions["sabidamu.engine"].connect() as conn:
                oldest = conn.execute(sa.select(sa.func.min(AuditEvent.at)).where(
                    AuditEvent.leaf_index.is_(None), AuditEvent.chain_hash.is_(None))).scalar()  # type: ignore[union-attr]
        except sa.exc.SQLAlchemyError:
            return
        if oldest is not None and oldest.tzinfo is None:
            import datetime as dt
            oldest = oldest.replace(tzinfo=dt.UTC)
        lag.add_metric([], max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0)
        yield lag
