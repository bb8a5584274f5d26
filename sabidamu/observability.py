"""Request metrics for Prometheus and one JSON log line per request, with no personal data.

Labels are endpoint names, methods and status codes only; the user is logged as a keyed hash of the
user id (so lines of one user can be joined without naming them). Under gunicorn set
PROMETHEUS_MULTIPROC_DIR to an empty folder shared by the workers: prometheus_client then writes each
worker's samples there and /metrics adds them up (multiprocess mode).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from flask import Flask, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("sabidamu_http_requests_total", "HTTP requests by endpoint and status",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("sabidamu_http_request_duration_seconds", "Time to answer a request", ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
FAILED_SIGN_INS = Counter("sabidamu_failed_sign_ins_total", "Sign-ins refused (wrong password, locked, bad code)")
IMPORT_REJECTIONS = Counter("sabidamu_import_rejections_total", "Transfer packages refused, by reason code",
                            ["code"])

request_log = logging.getLogger("sabidamu.request")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None) or {"message": record.getMessage()}
        return json.dumps({"ts": round(record.created, 3), "level": record.levelname.lower(), **fields},
                          ensure_ascii=False, separators=(",", ":"))


def user_hash(secret: str, user_id: object) -> str | None:
    if user_id is None:
        return None
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def metrics_text(multiprocess_dir: Path | None = None, collectors: Iterable = ()) -> bytes:
    """The metrics in Prometheus' text format; with several worker processes, gathered from `multiprocess_dir`
    (Settings.prometheus_multiproc_dir, the PROMETHEUS_MULTIPROC_DIR the workers write to). `collectors` are
    read at scrape time (the queue's depth and the audit sequencer's lag: jobs/telemetry.py)."""
    if multiprocess_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(multiprocess_dir))
    else:
        registry = REGISTRY
    text = generate_latest(registry)
    for collector in collectors:
        scrape = CollectorRegistry()
        scrape.register(collector)
        text += generate_latest(scrape)
    return text


def init_observability(app: Flask) -> None:
    if not request_log.handlers and not app.config.get("TESTING"):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLineFormatter())
        request_log.addHandler(handler)
        request_log.setLevel(logging.INFO)
        request_log.propagate = False

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()
        # A request id from the proxy is kept when it looks like one; otherwise a new one.
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if 8 <= len(given) <= 64 and given.replace("-", "").isalnum() else uuid.uuid4().hex

    @app.after_request
    def _observe(response):
        started = g.pop("request_started", None)
        if started is None:
            return response
        elapsed = time.perf_counter() - started
        # The route pattern, never the concrete URL: ids in paths would be personal data in a label.
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        LATENCY.labels(endpoint).observe(elapsed)
        response.headers["X-Request-Id"] = g.request_id
        user = g.get("user")
        request_log.info("request", extra={"fields": {
            "request_id": g.request_id,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else "unmatched",
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 2),
            "user": user_hash(app.config["SECRET_KEY"], getattr(user, "id", None)),
        }})
        return response
