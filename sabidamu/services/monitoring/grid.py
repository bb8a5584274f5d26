"""The group grid: every child of the group with the levels of one skill group at one stage."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from ...crypto.keyring import Keyring
from ...models import Group, Organization, User
from ...models.monitoring import CardStage, HomeObservation
from ...monitoring import DerivedLevel, Skill, academic_year_bounds, derive_level, entry_status
from ..audit import record, record_many
from ..children import group_children
from .base import (
    PREVIOUS_STAGE,
    _check_skill_group,
    _check_stage,
    framework,
    group_for,
    may_enter,
    open_levels,
    org_windows,
)

# -- the grid ------------------------------------------------------------------------------------

@dataclass
class Observation:
    id: uuid.UUID
    child_id: uuid.UUID
    skill_group: str | None
    text: str
    created_at: dt.datetime


@dataclass
class GridRow:
    child_id: uuid.UUID
    name: str
    version: int  # 0: nothing saved yet for this stage
    late: bool
    values: dict[str, int | None]  # skill id -> level, for the skills of the shown skill group
    previous: dict[str, int | None]  # the previous stage's values (empty at the start stage)
    filled: int  # cells of the shown skill group with a level
    total: int
    derived: DerivedLevel
    observations: list[Observation] = field(default_factory=list)


@dataclass
class GridData:
    group: Group
    org: Organization
    role: str
    stage: str
    previous_stage: str | None
    skill_group: str
    skills: tuple[Skill, ...]
    rows: list[GridRow]
    status: str  # open / late / early / outside_year
    can_edit: bool
    window: tuple[dt.date, dt.date]
    progress: dict[str, tuple[int, int]]  # skill group -> (cells filled, total) at this stage
    observations: list[Observation]


def _stage_rows(db: Session, child_ids: list[uuid.UUID], year: int, stage: str) -> dict[uuid.UUID, CardStage]:
    if not child_ids:
        return {}
    rows = db.exec(select(CardStage).where(CardStage.child_id.in_(child_ids), CardStage.academic_year == year,
                                           CardStage.stage == stage)).all()
    return {r.child_id: r for r in rows}


def _observations(db: Session, keyring: Keyring, child_ids: list[uuid.UUID], since: dt.date) -> list[Observation]:
    if not child_ids:
        return []
    since_at = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC) - dt.timedelta(hours=5)
    rows = db.exec(select(HomeObservation).where(HomeObservation.child_id.in_(child_ids))
                   .order_by(HomeObservation.created_at.desc())).all()
    out = []
    for row in rows:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
        if created < since_at:
            continue
        out.append(Observation(id=row.id, child_id=row.child_id, skill_group=row.skill_group,
                               text=keyring.open(row.__tablename__, row.id, "text", row.text_ct) or "",
                               created_at=created))
    return out


def grid(db: Session, keyring: Keyring, user: User, group_id: uuid.UUID, stage: str, skill_group: str,
         today: dt.date) -> GridData:
    fw = framework()
    group, role = group_for(db, user, group_id)
    _check_stage(stage)
    _check_skill_group(fw, skill_group)
    org = db.get(Organization, group.org_id)
    windows = org_windows(org)
    status = entry_status(windows, group.academic_year, stage, today)
    kids = group_children(db, keyring, group)
    ids = [k.id for k in kids]
    current = _stage_rows(db, ids, group.academic_year, stage)
    previous_stage = PREVIOUS_STAGE[stage]
    previous = _stage_rows(db, ids, group.academic_year, previous_stage) if previous_stage else {}
    skills = fw.skills(group.age_group, skill_group)
    observations = _observations(db, keyring, ids, academic_year_bounds(group.academic_year)[0])
    by_child: dict[uuid.UUID, list[Observation]] = {}
    for obs in observations:
        by_child.setdefault(obs.child_id, []).append(obs)
    progress = {sg: [0, 0] for sg in fw.skill_group_ids}
    rows = []
    for kid in kids:
        row = current.get(kid.id)
        levels = open_levels(keyring, row)
        prev_levels = open_levels(keyring, previous.get(kid.id))
        for sg in fw.skill_group_ids:
            sg_skills = fw.skills(group.age_group, sg)
            progress[sg][0] += sum(1 for s in sg_skills if levels.get(s.id) is not None)
            progress[sg][1] += len(sg_skills)
        values = {s.id: levels.get(s.id) for s in skills}
        rows.append(GridRow(
            child_id=kid.id, name=kid.name, version=row.version if row else 0, late=bool(row and row.late),
            values=values, previous={s.id: prev_levels.get(s.id) for s in skills} if previous_stage else {},
            filled=sum(1 for v in values.values() if v is not None), total=len(skills),
            derived=derive_level(values.values()), observations=by_child.get(kid.id, [])))
    record(db, user, "monitoring.grid.view", role=role, org_id=group.org_id, object_type="group", object_id=group.id,
           detail={"stage": stage, "skill_group": skill_group, "children": len(rows)})
    record_many(db, user, "child.list.grid", object_ids=[r.child_id for r in rows], role=role, org_id=group.org_id,
                object_type="child", detail={"group_id": str(group.id), "stage": stage, "skill_group": skill_group})
    db.commit()
    return GridData(group=group, org=org, role=role, stage=stage, previous_stage=previous_stage,
                    skill_group=skill_group, skills=skills, rows=rows, status=status,
                    can_edit=may_enter(role, status), window=windows.window(stage).dates(group.academic_year),
                    progress={sg: (v[0], v[1]) for sg, v in progress.items()}, observations=observations)
