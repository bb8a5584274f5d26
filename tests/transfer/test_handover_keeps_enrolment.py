"""Issue 9.2: a school accepting the card does not end the child's kindergarten enrolment. The child stays in the
group (the January and May stages are still entered) until the kindergarten ends the enrolment: a leave date the
head enters, or graduation at the end of the academic year. Only then the kindergarten's write access ends (it
keeps reading the card until the retention date)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sabidamu import access
from sabidamu.models import AuditEvent, Enrollment, TransferPackage
from sabidamu.services import AccessDenied, ServiceError, enrolment_end
from sabidamu.services import monitoring as monitoring_svc
from tests.support.transfer import accept_in_december

ACCEPTED_ON = dt.date(2026, 12, 10)   # the group's academic year is 2026-2027
JANUARY = dt.date(2027, 1, 15)        # the intermediate stage's window
MAY = dt.date(2027, 5, 20)            # the final stage's window


def _enrollment(db, handover):
    return db.exec(select(Enrollment).where(Enrollment.child_id == handover.child_a.id,
                                            Enrollment.group_id == handover.world.groups["A"].id)).one()


def _skill(handover, index=0):
    fw = monitoring_svc.framework()
    return fw.skills(handover.world.groups["A"].age_group, fw.skill_group_ids[index])[0].id


def _save(db, keyring, user, handover, stage, today, level="3"):
    group = handover.world.groups["A"]
    from sabidamu.models import CardStage
    stage_row = db.exec(select(CardStage).where(CardStage.child_id == handover.child_a.id, CardStage.stage == stage,
                                                CardStage.academic_year == group.academic_year)).first()
    version = stage_row.version if stage_row else 0
    return monitoring_svc.save_cell(db, keyring, user, group.id, handover.child_a.id, stage, _skill(handover), level, version,
                                    today)


def test_accepting_in_december_keeps_the_child_in_the_group(app, db, keyring, handover):
    row = accept_in_december(app, db, keyring, handover)
    assert _enrollment(db, handover).status == "active"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.end")).all() == []
    assert row.kindergarten_access_until == dt.date(2027, 12, 1)
    # The teacher still enters the January stage, and the group still counts the child.
    saved = _save(db, keyring, handover.world.users["teacher1"], handover, "intermediate", JANUARY)
    assert saved.child_id == handover.child_a.id
    assert access.child_view_role(db, handover.world.users["teacher1"], handover.child_a.id, part="card") == "teacher"
    from sabidamu.services.children import group_children
    assert handover.child_a.id in {c.id for c in group_children(db, keyring, handover.world.groups["A"])}
    assert access.school_view_role(db, handover.school_head, handover.child_a.id, handover.school.id) == "head"


def test_a_leave_date_ends_the_enrolment_then_the_kindergarten_only_reads(app, db, keyring, handover):
    accept_in_december(app, db, keyring, handover)
    leave = dt.date.today()
    enrolment = enrolment_end.end_enrolment(db, handover.head, handover.world.groups["A"].id, handover.child_a.id, leave_date=leave)
    assert (enrolment.status, enrolment.ended_on, enrolment.end_reason) == ("ended", leave, "left")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.end")).one()
    assert event.org_id == handover.org.id and event.detail["reason"] == "left"
    assert access.child_view_role(db, handover.head, handover.child_a.id, part="card") == "former_kindergarten"
    with pytest.raises(ServiceError) as err:
        _save(db, keyring, handover.head, handover, "intermediate", JANUARY)
    assert err.value.code == "handed_to_school"


def test_the_leave_date_is_checked(app, db, keyring, handover):
    group_id = handover.world.groups["A"].id
    today = dt.date.today()
    for leave, code in ((today + dt.timedelta(days=1), "leave_date_future"),
                        (dt.date(2026, 8, 31), "leave_date_too_early")):
        with pytest.raises(ServiceError) as err:
            enrolment_end.end_enrolment(db, handover.head, group_id, handover.child_a.id, leave_date=leave, today=today)
        assert (err.value.code, err.value.field) == (code, "leave_date")
        db.rollback()
    assert _enrollment(db, handover).status == "active"
    with pytest.raises(AccessDenied):  # a teacher does not end enrolments
        enrolment_end.end_enrolment(db, handover.world.users["teacher1"], group_id, handover.child_a.id, leave_date=today)
    db.rollback()
    with pytest.raises(AccessDenied):  # nor another kindergarten's head
        enrolment_end.end_enrolment(db, handover.world.users["head2"], group_id, handover.child_a.id, leave_date=today)


def test_graduation_at_the_end_of_the_year_ends_every_enrolment(app, db, keyring, handover):
    row = accept_in_december(app, db, keyring, handover)
    group = handover.world.groups["A"]
    with pytest.raises(ServiceError) as err:  # not before the final stage has begun
        enrolment_end.graduate_group(db, handover.head, group.id, today=dt.date(2027, 4, 30))
    assert err.value.code == "graduation_too_early"
    db.rollback()
    _save(db, keyring, handover.head, handover, "final", MAY)  # the May stage is entered before the graduation
    ended = enrolment_end.graduate_group(db, handover.head, group.id, today=dt.date(2027, 6, 2))
    assert ended == 2  # child A and child A2
    db.expire_all()
    assert (_enrollment(db, handover).status, _enrollment(db, handover).end_reason) == ("ended", "graduated")
    assert _enrollment(db, handover).ended_on == dt.date(2027, 6, 2)
    assert db.get(TransferPackage, row.id).kindergarten_access_until == dt.date(2027, 12, 1)
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.org_id == handover.org.id)).all()]
    assert actions.count("enrollment.end") == 2 and "group.graduate" in actions
