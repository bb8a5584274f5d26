"""A completed screening of a kindergarten child changes the district analytics' screening counts: it marks the
kindergarten's year for the periodic refresh (services/analytics/changes.py), in the same transaction; deleting
the child's data takes the screening out of the counts again."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import select

from sabidamu.instruments import load_registry
from sabidamu.models.analytics import AnalyticsChange, ScreeningZoneCount
from sabidamu.models.security import DeletionRequest
from sabidamu.monitoring.academic_calendar import academic_year_of
from sabidamu.services import data_rights
from sabidamu.services import screening as screening_svc
from tests.factories import make_child
from tests.support.analytics import forget_marks
from tests.support.screening import DEV, DEV_COM, DEV_GM, born_months_ago


def _marks(db):
    db.expire_all()
    return sorted((m.org_id, m.academic_year, m.part) for m in db.exec(select(AnalyticsChange)).all())


def _complete_for_kindergarten_child(app, db, keyring, world):
    registry = load_registry(app.config["INSTRUMENTS_DIR"])
    parent, group = world.users["parentA"], world.groups["A"]
    child = make_child(db, keyring, "Айя Сәрсен", birth=born_months_ago(4), parent=parent, group=group)
    db.commit()
    forget_marks(db)
    row = screening_svc.start(db, keyring, registry, parent, child.id, DEV)
    view = screening_svc.get_screening(db, keyring, registry, parent, row.id)
    view = screening_svc.save_domain(db, keyring, registry, parent, row.id, "communication", version=view.version,
                                     answers=dict.fromkeys(DEV_COM, "yes"))
    view = screening_svc.save_domain(db, keyring, registry, parent, row.id, "gross_motor", version=view.version,
                                     answers=dict.fromkeys(DEV_GM, "yes"))
    assert _marks(db) == []  # answers change no count
    screening_svc.complete(db, keyring, registry, parent, row.id, version=view.version)
    return child


def _zone_total(db):
    db.expire_all()
    return db.exec(select(func.coalesce(func.sum(ScreeningZoneCount.count), 0))).one()


def test_a_completed_screening_of_a_kindergarten_child_marks_the_year(app, db, keyring, world):
    _complete_for_kindergarten_child(app, db, keyring, world)
    assert _marks(db) == [(world.groups["A"].org_id, academic_year_of(dt.date.today()), "year")]
    assert _zone_total(db) == 2  # communication and gross motor: one child each


def test_deleting_the_childs_data_takes_the_screening_out_of_the_counts(app, db, keyring, world):
    """Found with the analytics' marks: a deleted child's screening stayed in ScreeningZoneCount."""
    child = _complete_for_kindergarten_child(app, db, keyring, world)
    forget_marks(db)
    req = DeletionRequest(child_id=child.id, requested_by=world.users["parentA"].id, rule="retention",
                          due_on=dt.date.today(), status="pending")
    db.add(req)
    db.commit()
    data_rights.delete_child_data(db, keyring, req)
    db.commit()
    assert _zone_total(db) == 0
    assert _marks(db) == [(world.groups["A"].org_id, academic_year_of(dt.date.today()), "year")]
