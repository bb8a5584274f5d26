"""What the API endpoints read and write: groups, a group's roster, a child's card.json, a stage's levels.

Each function takes the service account of the calling client (services.api.clients) and the token's scopes,
asks access.api_role (the scope, then the rule a head meets: active enrolment, monitoring consent not withdrawn),
reads or changes through the same services the web uses, and audits each child shown with the role "api_client"
and the client's id. Lists are keyset-paginated by id (a cursor is the last id of the previous page)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ... import access
from ...crypto.keyring import Keyring
from ...models import Child, Enrollment, Group, Membership, Organization, User
from ...models.base import utcnow
from ...models.enums import EnrollmentStatus, Role
from ...models.monitoring import CardStage
from .. import AccessDenied, NotFound, ServiceError, fetch
from .. import cards as cards_svc
from ..audit import record, record_many
from ..children import TABLE as CHILD_TABLE
from ..monitoring import open_levels
from ..monitoring.saves import save_rows
from ..transfer.card_json import CardJsonError, build_card_json, screening_summaries, stage_dates
from .clients import API_ROLE, Caller


def account(db: Session, caller: Caller) -> User:
    user = db.get(User, caller.user_id)
    if user is None:
        raise AccessDenied()
    return user


def _audit(db: Session, user: User, caller: Caller, action: str, **kw) -> None:
    detail = {"client_id": str(caller.client_id), **(kw.pop("detail", None) or {})}
    record(db, user, action, role=API_ROLE, org_id=caller.org_id, detail=detail, **kw)


@dataclass(frozen=True)
class Page:
    items: list[dict]
    next_cursor: str | None


def groups(db: Session, user: User, caller: Caller, after: uuid.UUID | None, limit: int,
           academic_year: int | None = None, age_group: str | None = None) -> Page:
    """The groups of the client's organization (roster:read). A region client (no organization) is refused here,
    by access.api_role, not answered with an empty list that would read as "no groups"."""
    if caller.org_id is None or access.api_role(db, user, caller.scopes, "roster:read", org_id=caller.org_id) is None:
        raise AccessDenied()
    query = select(Group).join(Membership, col(Membership.org_id) == Group.org_id).where(
        Membership.user_id == user.id, Membership.role == Role.HEAD)
    if after is not None:
        query = query.where(col(Group.id) > after)
    if academic_year is not None:
        query = query.where(Group.academic_year == academic_year)
    if age_group is not None:
        query = query.where(Group.age_group == age_group)
    rows = db.exec(query.order_by(col(Group.id)).limit(limit + 1)).all()
    items = [{"id": str(g.id), "name": g.name, "age_group": g.age_group, "academic_year": g.academic_year}
             for g in rows[:limit]]
    _audit(db, user, caller, "api.groups", object_type="organization", object_id=caller.org_id,
           detail={"count": len(items)})
    db.commit()
    return Page(items, str(rows[limit - 1].id) if len(rows) > limit else None)


def roster(db: Session, keyring: Keyring, user: User, caller: Caller, group_id: uuid.UUID,
           after: uuid.UUID | None, limit: int) -> Page:
    """The children of a group: ids, names and birth dates only (roster:read); withdrawn consents left out."""
    group = fetch(db, Group, group_id)
    if access.api_role(db, user, caller.scopes, "roster:read", group=group) is None:
        raise AccessDenied()
    query = (select(Child.id, Child.name_ct, Child.birth_date_ct).join(Enrollment, col(Enrollment.child_id) == Child.id)
             .where(Enrollment.group_id == group.id, Enrollment.status == EnrollmentStatus.ACTIVE))
    if after is not None:
        query = query.where(col(Child.id) > after)
    rows = db.exec(query.order_by(col(Child.id)).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    hidden = access.withdrawn_children(db, group.org_id, [r[0] for r in rows])
    items = [{"id": str(cid), "name": keyring.open(CHILD_TABLE, cid, "name", name_ct),
              "birth_date": keyring.open(CHILD_TABLE, cid, "birth_date", birth_ct)}
             for cid, name_ct, birth_ct in rows if cid not in hidden]
    _audit(db, user, caller, "api.roster", object_type="group", object_id=group.id,
           detail={"children": len(items)})
    record_many(db, user, "child.list.group", object_ids=[uuid.UUID(i["id"]) for i in items], role=API_ROLE,
                org_id=group.org_id, object_type="child",
                detail={"group_id": str(group.id), "client_id": str(caller.client_id)})
    db.commit()
    return Page(items, str(rows[-1][0]) if more else None)


def _child_for(db: Session, user: User, caller: Caller, child_id: uuid.UUID, scope: str) -> Child:
    child = fetch(db, Child, child_id)
    if access.api_role(db, user, caller.scopes, scope, child_id=child.id) is None:
        raise AccessDenied()
    return child


def card_json(db: Session, keyring: Keyring, user: User, caller: Caller, child_id: uuid.UUID, lang: str) -> dict:
    """The child's card as the transfer format's card.json (cards:read), validated against card.schema.json.
    Only what the kindergarten keeps: no specialists' conclusions, no home observations."""
    from ..children import open_child
    child = _child_for(db, user, caller, child_id, "cards:read")
    group = cards_svc._active_group(db, child.id)
    org = db.get(Organization, group.org_id) if group is not None else None
    if org is None:
        raise NotFound()
    card = cards_svc._assemble(db, keyring, child, Role.HEAD)
    view = open_child(keyring, child, ("name", "birth_date", "iin"))
    try:
        document = build_card_json(card, iin=view.iin, org=org, lang=lang, dates=stage_dates(db, child.id),
                                   screenings=screening_summaries(db, keyring, child.id), conclusions=None,
                                   include_home_observations=False, exported_at=utcnow().replace(microsecond=0))
    except CardJsonError as e:
        raise ServiceError("api_card_invalid", problems=e.problems) from None
    _audit(db, user, caller, "card.view", object_type="child", object_id=child.id, detail={"via": "api"})
    db.commit()
    return document


def _stage_row(db: Session, child_id: uuid.UUID, year: int, stage: str) -> CardStage | None:
    return db.exec(select(CardStage).where(CardStage.child_id == child_id, CardStage.academic_year == year,
                                           CardStage.stage == stage)).first()


def stage_levels(db: Session, keyring: Keyring, user: User, caller: Caller, child_id: uuid.UUID,
                 stage: str) -> dict:
    """The levels of one stage of the current academic year and the row's version (cards:read)."""
    from ...monitoring import STAGE_IDS
    if stage not in STAGE_IDS:
        raise ServiceError("unknown_stage", field="stage")
    child = _child_for(db, user, caller, child_id, "cards:read")
    body = _stage_body(db, keyring, child, stage)
    _audit(db, user, caller, "monitoring.view", object_type="child", object_id=child.id,
           detail={"via": "api", "stage": stage})
    db.commit()
    return body


def _stage_body(db: Session, keyring: Keyring, child: Child, stage: str) -> dict:
    group = cards_svc._active_group(db, child.id)
    if group is None:
        raise NotFound()
    row = _stage_row(db, child.id, group.academic_year, stage)
    return {"child_id": str(child.id), "group_id": str(group.id), "academic_year": group.academic_year,
            "stage": stage, "version": row.version if row else 0, "levels": open_levels(keyring, row)}


@dataclass(frozen=True)
class LevelsConflict:
    version: int
    cells: dict[str, dict[str, int | None]]


def submit_levels(db: Session, keyring: Keyring, user: User, caller: Caller, child_id: uuid.UUID, stage: str,
                  skill_group: str, version: int, levels: dict[str, object], today: dt.date) -> dict | LevelsConflict:
    """Stage levels of one skill group (cards:write) through the grid's own save (services.monitoring.saves):
    the same windows, the same optimistic lock; a stale `version` is a conflict with both values, nothing written."""
    child = _child_for(db, user, caller, child_id, "cards:write")
    group = cards_svc._active_group(db, child.id)
    if group is None:
        raise NotFound()
    result = save_rows(db, keyring, user, group.id, stage, skill_group, {child.id: (version, dict(levels))}, today)
    if result.conflicts:
        conflict = result.conflicts[0]
        return LevelsConflict(version=conflict.version,
                              cells={sid: {"yours": mine, "stored": theirs}
                                     for sid, (mine, theirs) in conflict.cells.items()})
    _audit(db, user, caller, "monitoring.api.save", object_type="child", object_id=child.id,
           detail={"stage": stage, "skill_group": skill_group, "saved": result.saved})
    db.commit()
    # The stage as stored now (cards:write alone is enough: a conflict shows the stored values too).
    return _stage_body(db, keyring, child, stage)
