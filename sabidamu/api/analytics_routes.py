"""GET /api/v1/analytics/counts (scope analytics:read): the analytics tables of the client's area, small numbers
hidden (null) by services.analytics (services.api.analytics). PATHS and MODELS go into the OpenAPI document."""
from __future__ import annotations

from typing import Literal

from flask import Response, g, request
from pydantic import BaseModel, ConfigDict, Field

from .. import db as dbmod
from ..monitoring.academic_calendar import academic_year_of
from ..services import AccessDenied, NotFound, ServiceError
from ..services.api import analytics as svc
from ..services.api import data
from ..web.formatting import current_lang
from ..web.monitoring.routes import today
from .auth import bp
from .routes import _json
from .transfer_routes import _ERRORS, _problem_for


class CountsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    academic_year: int | None = Field(default=None, ge=2000, le=2100, description="Default: the current one")
    stage: Literal["start", "intermediate", "final"] = "start"
    district: str | None = Field(default=None, max_length=20,
                                 description="A district code of the client's region (its organization's, or a "
                                             "region client's own)")


class CountsColumn(BaseModel):
    id: str
    label: str


class CountsRow(BaseModel):
    kind: Literal["org", "district", "region"]
    id: str
    label: str
    values: list[int | None] = Field(description="null: hidden (small-number suppression)")


class CountsTable(BaseModel):
    section: str
    key: str
    title: str
    columns: list[CountsColumn]
    rows: list[CountsRow]


class Counts(BaseModel):
    region: str
    district: str | None
    academic_year: int
    stage: Literal["start", "intermediate", "final"]
    area_name: str
    counts_as_of: str | None = Field(description="when these counts were worked out (ISO 8601, UTC): the stored "
                                     "tables are worked out again a few minutes after counts change")
    tables: list[CountsTable]


MODELS = (Counts,)


@bp.get("/analytics/counts")
def analytics_counts():
    """analytics:read — the counts of the client's region (or one of its districts), suppressed."""
    q = CountsQuery.model_validate(dict(request.args.items()))
    db = dbmod.get_db()
    try:
        body = svc.counts(db, data.account(db, g.api_caller), g.api_caller,
                          q.academic_year or academic_year_of(today()), q.stage, q.district, current_lang())
    except (AccessDenied, NotFound, ServiceError) as e:
        return _problem_for(e)
    response: Response = _json(body)
    return response


PATHS = {"/api/v1/analytics/counts": {"get": {
    "operationId": "analyticsCounts", "summary": "Analytics counts of the client's area, small numbers hidden",
    "description": "The area of an organization client is its organization's region; a region client's is its "
                   "region. Without `district`: one row per district and the region's total; with `district` (a "
                   "district of that region): one row per organization. A region client asking for another "
                   "region's district gets 403; an unknown district code is 422 (reason unknown_district).",
    "security": [{"oauth2": ["analytics:read"]}],
    "parameters": [
        {"name": "academic_year", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}},
        {"name": "stage", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["start", "intermediate", "final"], "default": "start"}},
        {"name": "district", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 20}},
        {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "OK", "headers": {"ETag": {"schema": {"type": "string"}}},
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Counts"}}}},
                  "304": {"description": "Not modified (If-None-Match)"}, **_ERRORS}}}}
