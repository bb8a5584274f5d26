"""The API's request and response types (pydantic v2). openapi.py builds the OpenAPI 3.1 document from these
models' JSON Schemas (2020-12, the dialect OpenAPI 3.1 uses); routes.py validates bodies and queries with them."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["start", "intermediate", "final"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenRequest(Strict):
    """application/x-www-form-urlencoded (RFC 6749 §4.4.2); the credentials in HTTP Basic or in the body."""
    grant_type: Literal["client_credentials"]
    scope: str | None = Field(default=None, max_length=200)
    client_id: str | None = Field(default=None, max_length=100)
    client_secret: str | None = Field(default=None, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


class OAuthError(BaseModel):
    """RFC 6749 §5.2."""
    error: Literal["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                   "unsupported_grant_type", "invalid_scope"]
    error_description: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; `title` and `detail` in the language of Accept-Language (kk, ru)."""
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class PageQuery(Strict):
    cursor: uuid.UUID | None = Field(default=None, description="The next_cursor of the previous page.")
    limit: int = Field(default=50, ge=1, le=200)


class GroupsQuery(PageQuery):
    academic_year: int | None = Field(default=None, ge=2000, le=2100)
    age_group: Literal["early", "junior", "middle", "senior", "preschool", "grade1"] | None = None


class GroupItem(BaseModel):
    id: uuid.UUID
    name: str
    age_group: str
    academic_year: int


class GroupPage(BaseModel):
    items: list[GroupItem]
    next_cursor: uuid.UUID | None


class RosterChild(BaseModel):
    id: uuid.UUID
    name: str
    birth_date: dt.date


class RosterPage(BaseModel):
    items: list[RosterChild]
    next_cursor: uuid.UUID | None


class StageLevels(BaseModel):
    child_id: uuid.UUID
    group_id: uuid.UUID
    academic_year: int
    stage: Stage
    version: int = Field(description="Send it back with the next change (optimistic locking).")
    levels: dict[str, int | None] = Field(description="skill id -> level 1 (I, low) .. 3 (III, high); null: not "
                                                      "observed")


class StageLevelsIn(Strict):
    skill_group: str = Field(min_length=1, max_length=40)
    version: int = Field(ge=0, description="The version read with GET (0 when the stage has no entry yet).")
    levels: dict[str, Literal[1, 2, 3] | None] = Field(min_length=1, max_length=60)


class ConflictCell(BaseModel):
    yours: int | None
    stored: int | None


class ConflictProblem(Problem):
    version: int = Field(description="The stored version: send it to keep your values.")
    cells: dict[str, ConflictCell]


MODELS = (TokenResponse, OAuthError, Problem, GroupPage, RosterPage, StageLevels, StageLevelsIn, ConflictProblem)
