"""A real Huey consumer inside the test process, and a bounded wait (tests/queue, tests/deploy)."""
from __future__ import annotations

import contextlib
import signal
import time

import pytest


@contextlib.contextmanager
def running_consumer(app, workers: int = 2):
    """A real Huey consumer (threads) for `app`'s queue; stopped gracefully at the end. Huey's start() sets
    signal handlers for the main process: the test process's own are put back."""
    huey = app.extensions["sabidamu.huey"]
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=False, initial_delay=0.05,
                                    max_delay=0.2, backoff=1.1, check_worker_health=False)
    consumer.start()
    for signum, handler in saved.items():
        signal.signal(signum, handler)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)


def wait_until(predicate, what: str, seconds: float = 60.0):
    """Polls `predicate` until it returns something true (bounded: a hung queue fails the test, not the run)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")
