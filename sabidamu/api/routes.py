"""The /api/v1 endpoints: thin (parse with the pydantic types, call services.api.data, answer JSON with an ETag).
Errors are problem+json (problems.py); a refused object is 403 whatever the reason (another organization, no scope,
a withdrawn consent), an unknown one 404."""
from __future__ import annotations

import hashlib
import uuid

from flask import Response, g, json, request
from flask_babel import gettext
from pydantic import BaseModel, ValidationError

from .. import db as dbmod
from ..services import AccessDenied, NotFound, ServiceError
from ..services.api import data
from ..web.common import keyring
from ..web.formatting import current_lang
from ..web.messages import service_message
from ..web.monitoring.routes import today
from . import problems
from .auth import bp
from .schemas import GroupsQuery, PageQuery, StageLevelsIn


def _json(body: dict, status: int = 200, etag_of: dict | None = None) -> Response:
    """JSON with a strong ETag over `etag_of` (default: the body); If-None-Match that matches answers 304."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    basis = text if etag_of is None else json.dumps(etag_of, ensure_ascii=False, sort_keys=True)
    etag = hashlib.sha256(basis.encode()).hexdigest()[:32]
    if status == 200 and request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(text, status=status, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Authorization, Accept-Language"
    return response


def _query(model: type[BaseModel]):
    args = dict(request.args.items())
    return model.model_validate(args)


def _call(fn, *args, **kw):
    """Runs a service call; its refusals become problems."""
    try:
        return fn(*args, **kw)
    except AccessDenied:
        dbmod.get_db().rollback()
        return problems.problem(403, "forbidden")
    except NotFound:
        dbmod.get_db().rollback()
        return problems.problem(404, "not_found")
    except ServiceError as e:
        dbmod.get_db().rollback()
        if e.code == "api_card_invalid":
            return problems.problem(422, "card_invalid", service_message(e))
        return problems.problem(422, "bad_request", service_message(e), reason=e.code)


def _account():
    return data.account(dbmod.get_db(), g.api_caller)


@bp.errorhandler(ValidationError)
def invalid(error: ValidationError):
    return problems.validation(error.errors(include_url=False, include_context=False, include_input=False))


@bp.get("/groups")
def groups():
    """roster:read — the groups of the client's organization, by id (cursor pages)."""
    q = _query(GroupsQuery)
    page = _call(data.groups, dbmod.get_db(), _account(), g.api_caller, q.cursor, q.limit, q.academic_year,
                 q.age_group)
    if isinstance(page, Response):
        return page
    return _json({"items": page.items, "next_cursor": page.next_cursor})


@bp.get("/groups/<uuid:group_id>/children")
def roster(group_id: uuid.UUID):
    """roster:read — a group's children: ids, names and birth dates only."""
    q = _query(PageQuery)
    page = _call(data.roster, dbmod.get_db(), keyring(), _account(), g.api_caller, group_id, q.cursor, q.limit)
    if isinstance(page, Response):
        return page
    return _json({"items": page.items, "next_cursor": page.next_cursor})


@bp.get("/children/<uuid:child_id>/card")
def card(child_id: uuid.UUID):
    """cards:read — the card as the transfer format's card.json (card.schema.json), in the client's language."""
    document = _call(data.card_json, dbmod.get_db(), keyring(), _account(), g.api_caller, child_id, current_lang())
    if isinstance(document, Response):
        return document
    stable = {k: v for k, v in document.items() if k != "exported_at"}
    return _json(document, etag_of=stable)


@bp.get("/children/<uuid:child_id>/stages/<stage>")
def stage_levels(child_id: uuid.UUID, stage: str):
    """cards:read — one stage's levels this academic year and the version to send back when changing them."""
    body = _call(data.stage_levels, dbmod.get_db(), keyring(), _account(), g.api_caller, child_id, stage)
    return body if isinstance(body, Response) else _json(body)


@bp.post("/children/<uuid:child_id>/stages/<stage>")
def submit_levels(child_id: uuid.UUID, stage: str):
    """cards:write — a skill group's levels for a stage, with the version read; 409 with both values if stale."""
    if not request.is_json:
        return problems.problem(415, "bad_request", gettext("Send the body as application/json."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return problems.problem(400, "bad_request", gettext("The body is not a JSON object."))
    body = StageLevelsIn.model_validate(payload)
    result = _call(data.submit_levels, dbmod.get_db(), keyring(), _account(), g.api_caller, child_id, stage,
                   body.skill_group, body.version, body.levels, today())
    if isinstance(result, Response):
        return result
    if isinstance(result, data.LevelsConflict):
        return problems.problem(409, "conflict", gettext("Read the stage again, then send your levels with the "
                                                         "stored version."), version=result.version,
                                cells=result.cells)
    return _json(result)
