"""The task queue: Huey, with its storage named by SABIDAMU_QUEUE_URL.

    unset                    SqliteHuey in the instance folder (queue.sqlite3): one machine, `make run`
    sqlite:///path           SqliteHuey at that path
    redis://host:6379/0      RedisExpireHuey (production: every app node and every consumer names the same one)

The web process only enqueues (a task message holds ids, never personal data; a mail is sealed, see tasks.py);
`flask queue consume` runs the tasks (cli/queue.py). Under tests (app.testing) the queue runs each task at once
in the caller (Huey's immediate mode) unless the app is built with QUEUE_IMMEDIATE=False (Flask config; QUEUE_NAME
names the queue, "sabidamu" unless a test wants its own).
`init_queue(app)` builds the instance and its tasks, and gives readiness its probe and /metrics its collectors.
"""
from __future__ import annotations

from flask import Flask
from huey import Huey, RedisExpireHuey, SqliteHuey

from ..config import Settings

NAME = "sabidamu"


def build_huey(settings: Settings, *, immediate: bool = False, name: str = NAME) -> Huey:
    url = settings.queue_url
    if url.startswith(("redis://", "rediss://", "unix://")):
        # The expiring Redis storage: its locks take a time-to-live (a consumer killed holding one frees it).
        return RedisExpireHuey(name, url=url, results=False, immediate=immediate, utc=True)
    path = url.removeprefix("sqlite:///") if url else str(settings.instance_dir / "queue.sqlite3")
    return SqliteHuey(name, filename=path, results=False, immediate=immediate, utc=True)


def uses_redis(huey: Huey) -> bool:
    return isinstance(huey, RedisExpireHuey)


def probe(huey: Huey) -> dict:
    """For /readyz: the queue's storage answers (no content)."""
    if huey.immediate:
        return {"ok": True, "detail": "tasks run at once (tests)"}
    try:
        huey.pending_count()
    except Exception as exc:  # redis.ConnectionError, sqlite3.OperationalError...
        return {"ok": False, "detail": type(exc).__name__}
    return {"ok": True}


def init_queue(app: Flask) -> None:
    from . import tasks
    from .telemetry import QueueCollector
    settings = app.config["SETTINGS"]
    huey = build_huey(settings, immediate=bool(app.config.get("QUEUE_IMMEDIATE", app.testing)),
                      name=app.config.get("QUEUE_NAME", NAME))
    app.extensions["sabidamu.huey"] = huey
    app.extensions["sabidamu.tasks"] = tasks.register(huey, app)
    app.extensions["sabidamu.queue_probe"] = lambda: probe(huey)
    app.extensions["sabidamu.mail_queue"] = app.extensions["sabidamu.tasks"].queue_mail
    app.extensions.setdefault("sabidamu.metrics_collectors", []).append(QueueCollector(app))
