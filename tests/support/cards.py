"""Filling cards for the card tests. The current year goes through the writing side's own service
(services.monitoring: sealed levels + LevelCount kept beside them); an earlier year, whose group is no longer the
child's, is written directly with the model and Keyring.seal, as services.monitoring seals it."""
from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlmodel import select

from sabidamu.models import CardStage, Group, HomeObservation
from sabidamu.monitoring import load_framework
from sabidamu.services import monitoring as mon

STAGE_DAY = {"start": dt.date(2026, 10, 1), "intermediate": dt.date(2027, 1, 15), "final": dt.date(2027, 5, 15)}


def skills(group: Group, sg: str):
    return load_framework().skills(group.age_group, sg)


def version_of(db, child_id, year: int, stage: str) -> int:
    row = db.exec(select(CardStage).where(CardStage.child_id == child_id, CardStage.academic_year == year,
                                          CardStage.stage == stage)).first()
    return row.version if row else 0


def fill(db, keyring, teacher, group: Group, child, stage: str, levels: dict[str, list], *,
         measures: dict[str, str] | None = None, final: dict[str, int] | None = None) -> None:
    """levels: {skill group: [level per skill in order, None = not observed]} (shorter lists leave the rest empty)."""
    for sg, values in levels.items():
        cells = {s.id: ("" if v is None else str(v)) for s, v in zip(skills(group, sg), values, strict=False)}
        result = mon.save_rows(db, keyring, teacher, group.id, stage, sg,
                               {child.id: (version_of(db, child.id, group.academic_year, stage), cells)},
                               STAGE_DAY[stage])
        assert not result.conflicts
    if measures or final:
        saved = mon.save_measures(db, keyring, teacher, group.id, child.id, stage, measures or {}, final or {},
                                  version_of(db, child.id, group.academic_year, stage), STAGE_DAY[stage])
        assert isinstance(saved, CardStage)


def earlier_year(db, keyring, child, group: Group, stage: str, levels: dict, measures: dict | None = None,
                 final: dict | None = None) -> CardStage:
    row = CardStage(id=uuid.uuid4(), child_id=child.id, group_id=group.id, academic_year=group.academic_year,
                    stage=stage, key_id=child.key_id)
    for name, value in (("levels", levels), ("measures", measures), ("final_levels", final)):
        text = None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
        setattr(row, f"{name}_ct", keyring.seal(row.key_id, "cardstage", row.id, name, text))
    db.add(row)
    db.commit()
    return row


def observe(db, keyring, parent, child, text: str, skill_group: str | None = None) -> HomeObservation:
    return mon.add_home_observation(db, keyring, parent, child.id, text, skill_group)
