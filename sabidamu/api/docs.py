"""/api/v1/openapi.json (the OpenAPI 3.1 document) and /api/v1/docs (the same, for people, in kk and ru)."""
from __future__ import annotations

from flask import jsonify, render_template
from flask_babel import lazy_gettext as _l

from ..models.api import API_SCOPES
from .auth import bp
from .openapi import document

# Translators: what each scope of an API client allows (the API page and the head's clients page).
SCOPE_TEXT = {
    "roster:read": _l("the groups and their children: ids, names and birth dates"),
    "cards:read": _l("a child's individual development card (card.json) and the levels of a stage"),
    "cards:write": _l("entering a child's levels for a monitoring stage"),
    "monitoring:read": _l("reading the monitoring stages"),
    "analytics:read": _l("the analytics counts (small numbers hidden)"),
    "transfer:write": _l("handing a card to a school as a .sdcard file"),
}
OPERATIONS = {
    "token": _l("Get a bearer token with the client's id and secret (OAuth 2.0 client credentials)."),
    "groups": _l("The groups of the organization, page by page."),
    "roster": _l("The children of a group: ids, names and birth dates only."),
    "card": _l("The child's card in the transfer format (card.json)."),
    "stageLevels": _l("The levels of one stage and the version to send back."),
    "submitLevels": _l("Enter the levels of one skill group; a stale version gives 409 with both values."),
    "exportCard": _l("The child's card as a signed .sdcard file encrypted to a school's key."),
    "importCards": _l("A school imports .sdcard files or the ZIP of a group export, with the import page's checks."),
    "analyticsCounts": _l("The analytics counts of the client's region or district; small numbers are hidden."),
}


@bp.get("/openapi.json")
def openapi():
    response = jsonify(document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/docs")
def docs():
    rows = []
    for path, methods in document()["paths"].items():
        for method, op in methods.items():
            scopes = [s for req in op.get("security", []) for s in req.get("oauth2", [])]
            rows.append({"method": method.upper(), "path": path, "scope": scopes[0] if scopes else "",
                         "text": OPERATIONS.get(op["operationId"], "")})
    scopes = [(scope, SCOPE_TEXT[scope]) for scope in API_SCOPES]
    return render_template("api/docs.html", rows=rows, scopes=scopes)
