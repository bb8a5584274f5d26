"""Health, readiness and metrics for load balancers and Prometheus: no session, no child data."""
from __future__ import annotations

import ipaddress

from flask import Blueprint, abort, current_app, jsonify, request

from ...observability import metrics_text
from ...services.readiness import readiness

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; nothing else is checked (a liveness probe must not depend on the database)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = readiness(current_app)
    ready = all(c["ok"] for c in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def _allowed(address: str | None, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


@bp.get("/metrics")
def metrics():
    settings = current_app.config["SETTINGS"]
    if not _allowed(request.remote_addr, settings.metrics_allow):
        abort(404)  # not 403: the endpoint does not exist for the rest of the world
    headers = {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
    collectors = current_app.extensions.get("sabidamu.metrics_collectors", ())
    return metrics_text(settings.prometheus_multiproc_dir, collectors), 200, headers
