"""A child whose data is deleted leaves the counts too. Found while marking the analytics' changed parts: deleting a
kindergarten child's rows removed their monitoring rows and screenings but left them in LevelCount and
ScreeningZoneCount, so the group report and the district analytics still counted a child who no longer exists
(and the counts no longer equalled a recount of the cards, which the monitoring service promises)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import select

from sabidamu.models import LevelCount
from sabidamu.models.analytics import AnalyticsChange
from sabidamu.models.security import DeletionRequest
from sabidamu.monitoring import load_framework
from sabidamu.services import data_rights
from sabidamu.services import monitoring as monitoring_svc
from tests.factories import make_child
from tests.support.analytics import forget_marks

OPEN_DAY = dt.date(2026, 10, 1)


def _level_total(db, group_id):
    db.expire_all()
    return db.exec(select(func.coalesce(func.sum(LevelCount.count), 0)).where(
        LevelCount.group_id == group_id, LevelCount.stage == "start", LevelCount.skill_group == "physical")).one()


def test_deleting_a_kindergarten_childs_data_takes_them_out_of_the_level_counts(db, keyring, world):
    group, teacher = world.groups["A"], world.users["teacher1"]
    skills = [s.id for s in load_framework().skills("preschool", "physical")]
    other = make_child(db, keyring, "Дина Сейітова", group=group)
    db.commit()
    for kid in (world.children["A"], other):
        monitoring_svc.save_cell(db, keyring, teacher, group.id, kid.id, "start", skills[0], "2", 0, OPEN_DAY)
    assert _level_total(db, group.id) == 2
    forget_marks(db)
    req = DeletionRequest(child_id=world.children["A"].id, requested_by=world.users["parentA"].id,
                          rule="retention", due_on=dt.date(2026, 10, 1), status="pending")
    db.add(req)
    db.commit()
    data_rights.delete_child_data(db, keyring, req)
    db.commit()
    assert _level_total(db, group.id) == 1  # the other child only
    marks = {(m.org_id, m.academic_year, m.part) for m in db.exec(select(AnalyticsChange)).all()}
    assert (group.org_id, 2026, "start") in marks
