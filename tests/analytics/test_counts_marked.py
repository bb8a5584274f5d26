"""Every save that changes a count the district analytics read marks its organization, year and part in the same
transaction (services/analytics/changes.py), so the periodic refresh works that part out again: a monitoring save
(the stage), a completed screening of a kindergarten child (the year: tests/screening/test_screening_counts_marked.py), a deletion of a child's data (the years of
their referrals and handed cards). Nothing is marked when nothing changed."""
from __future__ import annotations

import datetime as dt

from sqlmodel import select

from sabidamu.models import Referral
from sabidamu.models.analytics import AnalyticsChange
from sabidamu.monitoring import load_framework
from sabidamu.services import monitoring as monitoring_svc
from sabidamu.services.analytics import changes
from sabidamu.services.child_rows import child_rows
from tests.support.analytics import forget_marks

OPEN_DAY = dt.date(2026, 10, 1)  # the start stage's window is open


def _marks(db):
    db.expire_all()
    return sorted((m.org_id, m.academic_year, m.part) for m in db.exec(select(AnalyticsChange)).all())


def test_a_monitoring_save_marks_its_stage_once(db, keyring, world):
    teacher, group, child = world.users["teacher1"], world.groups["A"], world.children["A"]
    skill = load_framework().skills("preschool", "physical")[0].id
    forget_marks(db)
    monitoring_svc.save_cell(db, keyring, teacher, group.id, child.id, "start", skill, "2", 0, OPEN_DAY)
    assert _marks(db) == [(group.org_id, 2026, "start")]
    monitoring_svc.save_cell(db, keyring, teacher, group.id, child.id, "start", skill, "3", 1, OPEN_DAY)
    assert _marks(db) == [(group.org_id, 2026, "start")]  # one mark however many saves


def test_deleting_a_child_marks_the_years_of_their_referrals(db, keyring, world):
    child, org = world.children["A"], world.orgs["org1"]
    ref = Referral(child_id=child.id, to_org_id=org.id, key_id=child.key_id, status="open",
                   created_by=world.users["teacher1"].id, created_by_role="teacher",
                   created_at=dt.datetime(2025, 11, 3, 8, tzinfo=dt.UTC))
    db.add(ref)
    db.commit()
    forget_marks(db)
    changes.mark_rows_going(db, child_rows(db, child.id))
    assert _marks(db) == [(org.id, 2025, "year")]
