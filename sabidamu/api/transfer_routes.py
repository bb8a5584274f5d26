"""/api/v1 endpoints of the card's handover (scope transfer:write; services.api.transfer):

    POST /api/v1/children/{child_id}/sdcard   the child's card as a signed .sdcard encrypted to a school's key
    POST /api/v1/imports                      a school imports a .sdcard file or a group export's ZIP

PATHS and MODELS are merged into the OpenAPI document by openapi.py."""
from __future__ import annotations

import uuid
from typing import Literal

from flask import Response, g, json, request
from flask_babel import gettext
from pydantic import BaseModel, ConfigDict, Field

from .. import db as dbmod
from ..services import AccessDenied, NotFound, ServiceError
from ..services.api import data
from ..services.api import transfer as svc
from ..services.transfer.importing import UPLOAD_LIMITS
from ..web.common import keyring
from ..web.formatting import current_lang
from ..web.messages import import_message, service_message
from . import problems
from .auth import bp

SDCARD_TYPE = "application/vnd.sabidamu.sdcard"


class ExportIn(BaseModel):
    """A school of this installation (`to_org_id`) or a school of the directory with the age key it gave."""
    model_config = ConfigDict(extra="forbid")
    to_org_id: uuid.UUID | None = None
    recipient: str | None = Field(default=None, max_length=200, description="The school's age public key (age1…)")
    school_name: str | None = Field(default=None, max_length=200)
    school_bin: str | None = Field(default=None, max_length=12)
    lang: Literal["kk", "ru"] | None = Field(default=None, description="The card's language (default: "
                                                                        "Accept-Language)")


class ImportLine(BaseModel):
    file: str
    status: Literal["imported", "already_imported", "held", "rejected", "failed", "skipped"]
    code: str | None
    message: str = Field(description="What happened, in the language of Accept-Language")
    child_id: uuid.UUID | None
    package_id: uuid.UUID | None


class ImportResults(BaseModel):
    results: list[ImportLine]


MODELS = (ExportIn, ImportLine, ImportResults)


def _problem_for(error: Exception) -> Response:
    dbmod.get_db().rollback()
    if isinstance(error, AccessDenied):
        return problems.problem(403, "forbidden")
    if isinstance(error, NotFound):
        return problems.problem(404, "not_found")
    assert isinstance(error, ServiceError)
    return problems.problem(422, "bad_request", service_message(error), reason=error.code)


@bp.post("/children/<uuid:child_id>/sdcard")
def export_card(child_id: uuid.UUID):
    """transfer:write — the card as .sdcard for one school, with the parent's consent for that school."""
    if not request.is_json:
        return problems.problem(415, "bad_request", gettext("Send the body as application/json."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return problems.problem(400, "bad_request", gettext("The body is not a JSON object."))
    body = ExportIn.model_validate(payload)
    db = dbmod.get_db()
    try:
        made = svc.export_card(db, keyring(), data.account(db, g.api_caller), g.api_caller, child_id,
                               to_org_id=body.to_org_id, recipient=body.recipient, school_name=body.school_name,
                               school_bin=body.school_bin, lang=body.lang or current_lang())
    except (AccessDenied, NotFound, ServiceError) as e:
        return _problem_for(e)
    response = Response(made.data, mimetype=SDCARD_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
    response.headers["X-Package-Id"] = str(made.package_id)
    response.headers["X-Content-SHA256"] = made.sha256
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/imports")
def import_cards():
    """transfer:write — a school's client sends one .sdcard file or a ZIP of them as the raw body."""
    if request.content_length is not None and request.content_length > UPLOAD_LIMITS.max_total_bytes:
        return problems.problem(413, "too_large")
    raw = request.stream.read(UPLOAD_LIMITS.max_total_bytes + 1)
    name = "upload.zip" if request.mimetype == "application/zip" else "upload.sdcard"
    db = dbmod.get_db()
    try:
        lines = svc.import_files(db, keyring(), data.account(db, g.api_caller), g.api_caller, name, raw)
    except (AccessDenied, NotFound, ServiceError) as e:
        return _problem_for(e)
    for line in lines:
        line["message"] = import_message(line["code"], line["status"],
                                         mib=UPLOAD_LIMITS.max_file_bytes // 2**20, count=200)
    response = Response(json.dumps({"results": lines}, ensure_ascii=False), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem_ref(description: str) -> dict:
    return {"description": description,
            "content": {problems.MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


_ERRORS = {"401": _problem_ref("No valid bearer token"),
           "403": _problem_ref("Not allowed: scope, organization, region or consent"),
           "404": _problem_ref("No such object"), "422": _problem_ref("Refused: the reason in detail and code"),
           "429": _problem_ref("Rate limit of the client reached (Retry-After)")}

PATHS = {
    "/api/v1/children/{child_id}/sdcard": {"post": {
        "operationId": "exportCard", "summary": "The child's card as a signed .sdcard encrypted to a school's key",
        "security": [{"oauth2": ["transfer:write"]}],
        "parameters": [{"name": "child_id", "in": "path", "required": True,
                        "schema": {"type": "string", "format": "uuid"}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ExportIn"}}}},
        "responses": {"200": {"description": "The package (X-Package-Id, X-Content-SHA256)",
                              "content": {SDCARD_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
                      **_ERRORS, "400": _problem_ref("Not a JSON object"), "415": _problem_ref("Not JSON")}}},
    "/api/v1/imports": {"post": {
        "operationId": "importCards", "summary": "A school imports a .sdcard file or a group export's ZIP",
        "security": [{"oauth2": ["transfer:write"]}],
        "requestBody": {"required": True, "content": {
            SDCARD_TYPE: {"schema": {"type": "string", "format": "binary"}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}}}},
        "responses": {"200": {"description": "One line per package", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ImportResults"}}}},
            **_ERRORS, "413": _problem_ref("Larger than one upload may be")}}},
}
