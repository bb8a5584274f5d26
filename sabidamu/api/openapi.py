"""The OpenAPI 3.1 document of /api/v1, built from the code: the pydantic models of schemas.py (their JSON Schema
2020-12 is OpenAPI 3.1's own dialect), the card's JSON Schema of the transfer format, and the table of operations
below, which routes.py implements. tests/api/test_openapi.py checks that every API route is in it and schemathesis
checks the responses against it.

Why no library: flask-openapi3 and APIFlask bring their own application class (OpenAPI / APIFlask) and their own
blueprint types, which our create_app factory and plain Flask blueprints would have to become; spectree fits a
plain Flask app but validates through its own decorators and response wrappers. What we need is only the document:
pydantic already produces the schemas, so a table of operations and some forty lines keep it without a dependency.
"""
from __future__ import annotations

import copy
import json
from functools import cache

from ..crypto.package_format import CARD_SCHEMA_PATH
from ..models.api import API_SCOPES
from . import schemas as s

VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
PROBLEM = "application/problem+json"

DESCRIPTION = (
    "Cards, rosters and monitoring levels for regional systems and the National Education Database (docs/api.md). "
    "A client is registered for one organization (by its head, with the scopes it needs) or for one region. "
    "A region client holds only the scope analytics:read: it reads the counts of its region and, with the district "
    "parameter, of each of its districts, small numbers already hidden; every other operation answers 403 for it. "
    "Cards, rosters, levels and the handover stay with organization clients, because the head of each organization "
    "answers for its children's data and one region-wide key to every child's card would be a single point of "
    "failure. A regional system gets a region client from the platform admin (the page /admin/api-clients, or "
    "`flask api client create --region KZ-71 --scope analytics:read` on the server), then asks "
    "GET /api/v1/analytics/counts once for the region and once per district code it lists. "
    "Errors: RFC 9457 problem+json in the language of Accept-Language (kk, ru).")

OAUTH_TEXT = ("Client credentials of an organization client (the scopes its head gave it) or of a region client "
              "(analytics:read only).")

PAGE_PARAMS = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string", "format": "uuid"},
     "description": "next_cursor of the previous page"},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                                                   "default": 50}},
]
STAGE_PARAM = {"name": "stage", "in": "path", "required": True,
               "schema": {"type": "string", "enum": ["start", "intermediate", "final"]}}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}


def _problem(description: str, model: str = "Problem") -> dict:
    return {"description": description, "content": {PROBLEM: {"schema": {"$ref": REF.format(model=model)}}}}


def _ok(model: str, description: str = "OK") -> dict:
    return {"description": description, "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}}}


COMMON = {"401": _problem("No valid bearer token"),
          "403": _problem("Not allowed: scope, organization, region or consent"),
          "404": _problem("No such object"), "422": _problem("Invalid parameters"),
          "429": _problem("Rate limit of the client reached (Retry-After)")}


def _op(op_id: str, summary: str, scope: str, ok: dict, params: list, extra: dict | None = None,
        body: str | None = None, conditional: bool = True) -> dict:
    responses = {"200": ok, **COMMON, **(extra or {})}
    if conditional:
        responses["304"] = {"description": "Not modified (If-None-Match)"}
        params = [*params, {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}]
    op = {"operationId": op_id, "summary": summary, "security": [{"oauth2": [scope]}], "parameters": params,
          "responses": responses}
    if body:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": {"$ref": REF.format(model=body)}}}}
    return op


def _paths() -> dict:
    return {
        "/api/v1/oauth/token": {"post": {
            "operationId": "token", "summary": "A bearer token (OAuth 2.0 client credentials, RFC 6749 §4.4)",
            "security": [{"basic": []}, {}],
            "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                "schema": {"$ref": REF.format(model="TokenRequest")}}}},
            "responses": {"200": {"description": "Issued", "content": {"application/json": {
                "schema": {"$ref": REF.format(model="TokenResponse")}}}},
                "400": {"description": "RFC 6749 §5.2 error", "content": {"application/json": {
                    "schema": {"$ref": REF.format(model="OAuthError")}}}},
                "401": {"description": "Unknown client or wrong secret", "content": {"application/json": {
                    "schema": {"$ref": REF.format(model="OAuthError")}}}}}}},
        "/api/v1/groups": {"get": _op("groups", "The organization's groups", "roster:read", _ok("GroupPage"), [
            *PAGE_PARAMS,
            {"name": "academic_year", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}},
            {"name": "age_group", "in": "query", "required": False, "schema": {
                "type": "string", "enum": ["early", "junior", "middle", "senior", "preschool", "grade1"]}}])},
        "/api/v1/groups/{group_id}/children": {"get": _op(
            "roster", "A group's children: ids, names, birth dates", "roster:read", _ok("RosterPage"),
            [_id("group_id"), *PAGE_PARAMS])},
        "/api/v1/children/{child_id}/card": {"get": _op(
            "card", "The child's card as card.json (transfer format)", "cards:read", _ok("Card"), [_id("child_id")])},
        "/api/v1/children/{child_id}/stages/{stage}": {
            "get": _op("stageLevels", "One stage's levels and version", "cards:read", _ok("StageLevels"),
                       [_id("child_id"), STAGE_PARAM]),
            "post": _op("submitLevels", "Submit a skill group's levels (optimistic locking)", "cards:write",
                       _ok("StageLevels"), [_id("child_id"), STAGE_PARAM], body="StageLevelsIn", conditional=False,
                       extra={"409": _problem("Changed since the version sent: both values", "ConflictProblem"),
                              "400": _problem("Not a JSON object"), "415": _problem("Not JSON")})},
    }


def _card_schemas() -> dict:
    """card.schema.json, its $defs moved beside it as Card_<name> (refs rewritten)."""
    schema = json.loads(CARD_SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema.pop("$defs", {})
    schema.pop("$schema", None)
    schema.pop("$id", None)
    text = json.dumps({"Card": schema, **{f"Card_{k}": v for k, v in defs.items()}})
    return json.loads(text.replace('"#/$defs/', '"#/components/schemas/Card_'))


@cache
def _document() -> dict:
    components: dict = {}
    from . import analytics_routes, transfer_routes  # the operations of the other route modules
    for model in (*s.MODELS, s.TokenRequest, *transfer_routes.MODELS, *analytics_routes.MODELS):
        schema = model.model_json_schema(ref_template=REF)
        components.update(schema.pop("$defs", {}))
        components[model.__name__] = schema
    components.update(_card_schemas())
    return {
        "openapi": "3.1.0",
        "info": {"title": "SabiDamu API", "version": VERSION,
                 "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": {**_paths(), **transfer_routes.PATHS, **analytics_routes.PATHS},
        "components": {"schemas": components, "securitySchemes": {
            "oauth2": {"type": "oauth2", "description": OAUTH_TEXT, "flows": {"clientCredentials": {
                "tokenUrl": "/api/v1/oauth/token", "scopes": {scope: scope for scope in API_SCOPES}}}},
            "basic": {"type": "http", "scheme": "basic"}}},
    }


def document() -> dict:
    return copy.deepcopy(_document())
