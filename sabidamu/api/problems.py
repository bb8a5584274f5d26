"""RFC 9457 problem details (application/problem+json) in the client's language (Accept-Language: kk, ru).

Every error of /api/v1 goes through `problem()`: a stable `type` URI per kind of problem, a translated `title`
and, where it helps, a translated `detail` and extension members (the conflicting values, the refused fields)."""
from __future__ import annotations

from flask import Response, json, request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

PROBLEM_TYPE = "https://sabidamu.kz/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    "unauthorized": _l("A valid bearer token is required"),
    "insufficient_scope": _l("The token does not allow this"),
    "forbidden": _l("Access to this object is not allowed"),
    "not_found": _l("There is no such object"),
    "method_not_allowed": _l("This address does not accept this method"),
    "bad_request": _l("The request is not valid"),
    "conflict": _l("The levels were changed by someone else"),
    "rate_limited": _l("Too many requests: wait and try again"),
    "too_large": _l("The request is too large"),
    "card_invalid": _l("The card cannot be written in the transfer format"),
    "server_error": _l("An error occurred on our side; nothing was saved"),
}

STATUS_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                400: "bad_request", 409: "conflict", 429: "rate_limited", 413: "too_large", 500: "server_error",
                422: "bad_request"}


def problem(status: int, code: str | None = None, detail: str | None = None, headers: dict | None = None,
            **extensions) -> Response:
    code = code or STATUS_CODES.get(status, "bad_request")
    body = {"type": PROBLEM_TYPE + code, "title": str(TITLES.get(code, TITLES["bad_request"])), "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extensions)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    response.headers["Content-Language"] = str(get_locale() or "kk")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def unauthorized(error: str = "invalid_token") -> Response:
    """401 with the RFC 6750 challenge."""
    return problem(401, "unauthorized", headers={
        "WWW-Authenticate": f'Bearer realm="sabidamu", error="{error}"'})


def for_status(status: int) -> Response:
    """The problem for an HTTP error raised by routing or Werkzeug (404, 405, 413, 500...)."""
    return problem(status)


def validation(errors) -> Response:
    """422 for a body or query that breaks the schema: each error's location and a short message."""
    items = [{"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in errors][:20]
    return problem(422, "bad_request", gettext("Check the fields named in errors."), errors=items)


__all__ = ["MEDIA_TYPE", "problem", "unauthorized", "for_status", "validation"]
