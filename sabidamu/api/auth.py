"""The API blueprint, the token endpoint and the per-request bearer check.

A request to /api/v1 is authenticated only by `Authorization: Bearer <token>`: the user a session cookie may have
loaded is dropped first, so a cookie never counts. The check (token, client alive, rate window) runs on its own short
transaction (services.api.clients.authenticate); the request then acts as the client's service account."""
from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import ValidationError

from .. import db as dbmod
from ..services.api import clients as svc
from . import problems
from .schemas import TokenRequest

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.token", "api.openapi", "api.docs"}
DEFAULT_RATE = 600  # calls per client per minute (SABIDAMU_API_RATE_PER_MINUTE through app.config API_RATE_PER_MINUTE)


@bp.before_request
def bearer_only():
    g.user, g.user_session = None, None  # a session cookie never authenticates an API call
    g.api_caller = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return problems.unauthorized("invalid_request" if header else "invalid_token")
    limit = int(current_app.config.get("API_RATE_PER_MINUTE", DEFAULT_RATE))
    caller, wait = svc.authenticate(current_app.extensions["sabidamu.engine"], token.strip(), limit)
    if caller is None:
        return problems.unauthorized()
    if wait:
        return problems.problem(429, "rate_limited", headers={"Retry-After": str(wait)})
    g.api_caller = caller
    return None


def _oauth_error(code: str, status: int = 400):
    response = jsonify({"error": code})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if code == "invalid_client":
        response.headers["WWW-Authenticate"] = 'Basic realm="sabidamu"'
    return response


def _basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else ("", "")  # RFC 6749 §2.3.1: form-encoded first


@bp.post("/oauth/token")
def token():
    """RFC 6749 §4.4: grant_type=client_credentials, form-encoded; credentials by HTTP Basic or in the body."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return _oauth_error("invalid_request")
    form = dict(request.form.items())
    if any(len(request.form.getlist(k)) > 1 for k in form):
        return _oauth_error("invalid_request")  # §3.2: parameters must not repeat
    if form.get("grant_type") and form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type")
    try:
        parsed = TokenRequest.model_validate(form)
    except ValidationError:
        return _oauth_error("invalid_request")
    basic = _basic_credentials()
    if basic is not None and (parsed.client_id or parsed.client_secret):
        return _oauth_error("invalid_request")  # §2.3: one method per request
    client_id, secret = basic if basic is not None else (parsed.client_id or "", parsed.client_secret or "")
    db = dbmod.get_db()
    try:
        issued = svc.issue_token(db, client_id, secret, parsed.scope)
    except svc.OAuthError as e:
        return _oauth_error(e.code, 401 if e.code == "invalid_client" else 400)
    response = jsonify({"access_token": issued.access_token, "token_type": "Bearer",
                        "expires_in": issued.expires_in, "scope": " ".join(issued.scopes)})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
