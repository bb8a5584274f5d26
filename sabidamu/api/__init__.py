"""The open REST API /api/v1 (issue 16, docs/api.md): OAuth 2.0 client credentials, bearer tokens only.

    auth.py      the blueprint, the token endpoint (RFC 6749 §4.4), the bearer check and rate limit per request
    routes.py    the endpoints (groups, roster, card.json, stage levels)
    problems.py  RFC 9457 problem+json in the client's language
    schemas.py   pydantic types; openapi.py builds /api/v1/openapi.json from them, docs.py the page in kk and ru

No session cookie ever authenticates here (the request's user is cleared), so the blueprint is exempt from CSRF.
"""
from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    from ..extensions import csrf
    from . import analytics_routes, docs, routes, transfer_routes  # noqa: F401  (the routes register on the blueprint)
    from .auth import bp
    csrf.exempt(bp)
    app.register_blueprint(bp)
