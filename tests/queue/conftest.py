"""A real queue for the tests of tests/queue: the app built with QUEUE_IMMEDIATE=False (Huey's SQLite storage in
the test's instance folder, or Redis); tests/support/queue.py runs a real consumer for it."""
from __future__ import annotations

import os
import uuid

import pytest

CI = os.environ.get("CI") == "true"


def _queue_app(environ, name: str = "sabidamu", **extra):
    from sabidamu import create_app
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "QUEUE_IMMEDIATE": False, "QUEUE_NAME": name},
                     environ={**environ, "SABIDAMU_QUEUE_RETRY_DELAY": "0.1", "SABIDAMU_JOB_HEARTBEAT_SECONDS": "0.5",
                              **extra})
    return app


@pytest.fixture
def app(environ):
    """Overrides the suite's app: the same settings, a real SQLite queue in the instance folder."""
    app = _queue_app(environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()


def redis_available() -> bool:
    try:
        import redis
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


@pytest.fixture
def redis_app(environ):
    """The app on a real Redis queue (db 12, under a name of its own); skips loudly without Redis (fails in CI)."""
    if not redis_available():
        message = "Redis is not running on 127.0.0.1:6379: the Redis queue test cannot run"
        if CI:
            pytest.fail(message)
        pytest.skip("SKIPPED LOUDLY: " + message)
    app = _queue_app(environ, name=f"sabidamu-test-{uuid.uuid4().hex[:8]}",  # the keys of this test only
                     SABIDAMU_QUEUE_URL="redis://127.0.0.1:6379/12")
    yield app
    app.extensions["sabidamu.huey"].storage.flush_all()
    app.extensions["sabidamu.engine"].dispose()
