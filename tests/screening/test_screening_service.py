"""The screening use cases on a real database with the fixture instruments: due screenings, start,
validation, resume, completion, access, and sealing."""
from __future__ import annotations

import pytest
from sqlmodel import select

from sabidamu.instruments import load_registry
from sabidamu.models import AuditEvent, Child, Screening
from sabidamu.services import AccessDenied, NotFound, ServiceError
from sabidamu.services import screening as svc
from sabidamu.services.keys import active_key
from tests.support.screening import DEV, DEV_COM, DEV_GM, SC, baby


@pytest.fixture
def registry(app):
    return load_registry(app.config["INSTRUMENTS_DIR"])


def test_due_screenings_by_age(db, keyring, registry, world):
    parent = world.users["parentA"]
    infant = baby(db, keyring, "Infant", months=4, parent=parent)
    toddler = baby(db, keyring, "Toddler", months=20, parent=parent)
    due = svc.due_screenings(db, keyring, registry, parent, infant.id)
    assert [(d.instrument.id, d.band.id) for d in due] == [(DEV, "m04")]
    assert due[0].age.used_age.months == 4
    due = svc.due_screenings(db, keyring, registry, parent, toddler.id)
    assert [(d.instrument.id, d.band.id) for d in due] == [(SC, "m16-30")]
    # World children were born in 2020: older than every band.
    assert svc.due_screenings(db, keyring, registry, parent, world.children["A"].id) == []
    with pytest.raises(ServiceError) as exc:
        svc.start(db, keyring, registry, parent, world.children["A"].id, DEV)
    assert exc.value.code == "no_band"
    # A child under a month: no band yet.
    newborn = baby(db, keyring, "Newborn", months=0, parent=parent)
    assert svc.due_screenings(db, keyring, registry, parent, newborn.id) == []


def test_due_uses_corrected_age_for_preterm(db, keyring, registry, world):
    from sabidamu.services.children import _seal_child
    parent = world.users["parentA"]
    child = baby(db, keyring, "Preterm", months=4, parent=parent)
    _seal_child(keyring, child, {"gestational_weeks": 28})  # 12 weeks early: corrected age about 1 m
    db.commit()
    due = svc.due_screenings(db, keyring, registry, parent, child.id)
    assert [d.band.id for d in due] == ["m02"]
    assert due[0].age.used == "corrected"


def test_start_twice_gives_the_same_screening(db, keyring, registry, world):
    parent = world.users["parentA"]
    child = baby(db, keyring, parent=parent)
    first = svc.start(db, keyring, registry, parent, child.id, DEV)
    second = svc.start(db, keyring, registry, parent, child.id, DEV)
    assert first.id == second.id
    rows = db.exec(select(Screening).where(Screening.child_id == child.id)).all()
    assert len(rows) == 1 and rows[0].status == "in_progress" and rows[0].band_id == "m04"
    assert rows[0].key_id == child.key_id
    starts = db.exec(select(AuditEvent).where(AuditEvent.action == "screening.start")).all()
    assert [e.object_id for e in starts] == [first.id]


def _complete_all(db, keyring, registry, user, sid, com="yes", gm="yes"):
    view = svc.get_screening(db, keyring, registry, user, sid)
    view = svc.save_domain(db, keyring, registry, user, sid, "communication", version=view.version,
                           answers=dict.fromkeys(DEV_COM, com))
    view = svc.save_domain(db, keyring, registry, user, sid, "gross_motor", version=view.version,
                           answers=dict.fromkeys(DEV_GM, gm))
    return svc.complete(db, keyring, registry, user, sid, version=view.version)


def test_completed_for_this_band_is_a_clear_refusal(db, keyring, registry, world):
    parent = world.users["parentA"]
    child = baby(db, keyring, parent=parent)
    row = svc.start(db, keyring, registry, parent, child.id, DEV)
    _complete_all(db, keyring, registry, parent, row.id)
    with pytest.raises(ServiceError) as exc:
        svc.start(db, keyring, registry, parent, child.id, DEV)
    assert exc.value.code == "already_completed"
    assert exc.value.params["screening_id"] == str(row.id)
    due = svc.due_screenings(db, keyring, registry, parent, child.id)
    assert due[0].completed_id == row.id and due[0].in_progress_id is None


def test_save_validates_and_writes_nothing_on_error(db, keyring, registry, world):
    parent = world.users["parentA"]
    child = baby(db, keyring, parent=parent)
    row = svc.start(db, keyring, registry, parent, child.id, DEV)
    version = row.version
    for bad in ({"m04-com-1": "maybe"}, {"m04-com-1": "yes", "m04-gm-1": "yes"}, {"nope": "yes"}):
        with pytest.raises(svc.AnswerErrors) as exc:
            svc.save_domain(db, keyring, registry, parent, row.id, "communication", version=version, answers=bad)
        db.rollback()
        assert exc.value.errors
    view = svc.get_screening(db, keyring, registry, parent, row.id)
    assert view.answers == {} and view.progress == [] and view.version == version
    # A stale version is refused too.
    svc.save_domain(db, keyring, registry, parent, row.id, "communication", version=version,
                    answers={"m04-com-1": "yes"})
    with pytest.raises(ServiceError) as exc:
        svc.save_domain(db, keyring, registry, parent, row.id, "communication", version=version,
                        answers={"m04-com-1": "not_yet"})
    assert exc.value.code == "answers_stale"
    db.rollback()
    assert svc.get_screening(db, keyring, registry, parent, row.id).answers == {"m04-com-1": "yes"}


def test_resume_and_complete_with_zones(db, keyring, registry, world):
    parent = world.users["parentA"]
    child = baby(db, keyring, parent=parent)
    row = svc.start(db, keyring, registry, parent, child.id, DEV)
    view = svc.save_domain(db, keyring, registry, parent, row.id, "communication", version=row.version,
                           answers={"m04-com-1": "yes", "m04-com-2": "yes", "m04-com-3": "sometimes",
                                    "m04-com-4": "yes", "m04-com-5": ""})
    assert view.resume_step == 2
    # Gross motor: 2 of 5 answered -> a result would be incomplete: refused, nothing stored.
    view = svc.save_domain(db, keyring, registry, parent, row.id, "gross_motor", version=view.version,
                           answers={"m04-gm-1": "not_yet", "m04-gm-2": "sometimes"})
    with pytest.raises(ServiceError) as exc:
        svc.complete(db, keyring, registry, parent, row.id, version=view.version)
    assert exc.value.code == "incomplete" and exc.value.params["domains"] == ["gross_motor"]
    db.rollback()
    view = svc.save_domain(db, keyring, registry, parent, row.id, "gross_motor", version=view.version,
                           answers={"m04-gm-1": "not_yet", "m04-gm-2": "sometimes", "m04-gm-3": "not_yet",
                                    "m04-gm-4": "sometimes", "m04-gm-5": "yes"})
    done = svc.complete(db, keyring, registry, parent, row.id, version=view.version)
    zones = {d["id"]: d["zone"] for d in done.result["domains"]}
    # communication: 35 of 40 answered points -> scaled 43.8 of 50, on track; gross motor 20/50 = 0.4 -> the
    # fixture's gross-motor thresholds (0.7 / 0.4): monitor.
    assert zones == {"communication": "on_track", "gross_motor": "monitor"}
    assert done.result["domains"][0]["score"] == 43.8
    assert done.result["zone"] == "monitor" and done.result["rescreen"]["rule"] == "monitor_plus_1_month"
    assert done.status == "completed" and done.answered_by_role == "parent"
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.object_id == row.id)).all()]
    assert actions == ["screening.start", "screening.save", "screening.save", "screening.save", "screening.complete"]
    for event in db.exec(select(AuditEvent).where(AuditEvent.object_id == row.id)).all():
        assert set(event.detail) <= {"child_id", "replaced_id"}  # object ids only


def test_social_communication_follow_ups(db, keyring, registry, world):
    parent = world.users["parentA"]
    child = baby(db, keyring, months=20, parent=parent)
    row = svc.start(db, keyring, registry, parent, child.id, SC)
    view = svc.get_screening(db, keyring, registry, parent, row.id)
    items = [i.id for i in view.band.items]
    answers = dict.fromkeys(items, "yes")
    answers.update({"sc-01": "sometimes", "sc-02": "yes"})
    view = svc.save_domain(db, keyring, registry, parent, row.id, "social_communication", version=view.version,
                           answers=answers)
    assert [i.id for i in svc.follow_up_items(view, "social_communication")] == ["sc-01"]
    # A follow-up of an item answered 'yes' is dropped; sc-01's answers are kept.
    view = svc.save_domain(db, keyring, registry, parent, row.id, "social_communication", version=view.version,
                           answers=None, follow_ups={"sc-01-f1": "yes", "sc-01-f2": "yes", "sc-02-f1": "yes"})
    assert view.follow_ups == {"sc-01-f1": "yes", "sc-01-f2": "yes"}
    done = svc.complete(db, keyring, registry, parent, row.id, version=view.version)
    assert done.result["domains"][0]["concerns"] == [] and done.result["zone"] == "on_track"


@pytest.mark.parametrize("who, allowed", [("parentA", True), ("teacher1", True), ("head1", True),
                                          ("teacher1b", False), ("teacher2", False), ("parentB", False),
                                          ("admin", False)])
def test_access(db, keyring, registry, world, who, allowed):
    child = baby(db, keyring, parent=world.users["parentA"], group=world.groups["A"])
    user = world.users[who]
    if not allowed:
        with pytest.raises(AccessDenied):
            svc.start(db, keyring, registry, user, child.id, DEV)
        row = svc.start(db, keyring, registry, world.users["parentA"], child.id, DEV)
        for call in (lambda: svc.get_screening(db, keyring, registry, user, row.id),
                     lambda: svc.save_domain(db, keyring, registry, user, row.id, "communication", version=row.version,
                                             answers={"m04-com-1": "yes"}),
                     lambda: svc.complete(db, keyring, registry, user, row.id, version=row.version),
                     lambda: svc.history(db, keyring, registry, user, child.id)):
            with pytest.raises(AccessDenied):
                call()
        return
    row = svc.start(db, keyring, registry, user, child.id, DEV)
    done = _complete_all(db, keyring, registry, user, row.id, gm="not_yet")
    assert done.answered_by_role == ("parent" if who == "parentA" else "teacher")
    assert done.result["domains"][1]["zone"] == "refer" and done.result["specialists"] == ["pediatrician"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "screening.complete")).one()
    assert event.actor_id == user.id
    assert event.org_id == (None if who == "parentA" else world.orgs["org1"].id)


def test_unknown_screening_is_not_found(db, keyring, registry, world):
    import uuid
    with pytest.raises(NotFound):
        svc.get_screening(db, keyring, registry, world.users["parentA"], uuid.uuid4())


def test_reseal_child_records_moves_the_screenings_to_the_new_key(db, keyring, registry, world):
    from sabidamu.services.sealing import reseal_child_records, reseal_row
    parent = world.users["parentA"]
    child = baby(db, keyring, parent=parent)
    row = svc.start(db, keyring, registry, parent, child.id, DEV)
    done = _complete_all(db, keyring, registry, parent, row.id)
    org_key = active_key(db, keyring, "org", world.orgs["org1"].id)
    db.flush()
    reseal_row(keyring, child, org_key.id)
    assert reseal_child_records(db, keyring, child.id, org_key.id) == 1
    db.commit()
    stored = db.get(Screening, row.id)
    assert stored.key_id == org_key.id == db.get(Child, child.id).key_id
    assert svc.get_screening(db, keyring, registry, parent, row.id).result == done.result


def _stored_bytes(app, db) -> bytes:
    """Everything the database holds: the SQLite files' bytes, or on PostgreSQL every row of every table."""
    from pathlib import Path

    import sqlalchemy as sa
    from sqlmodel import SQLModel
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        path = Path(url.split("sqlite:///", 1)[1])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    out = []
    for table in SQLModel.metadata.sorted_tables:
        for row in db.exec(sa.select(table)).all():
            out.extend(v if isinstance(v, bytes) else str(v).encode() for v in row)
    return b"\n".join(out)


def test_sealed_at_rest(app, db, keyring, registry, world):
    parent = world.users["parentA"]
    child = baby(db, keyring, "Ұлболсын Қыдырбаева", parent=parent)
    row = svc.start(db, keyring, registry, parent, child.id, DEV)
    _complete_all(db, keyring, registry, parent, row.id, gm="sometimes")
    db.commit()
    raw = _stored_bytes(app, db)
    stored = db.exec(select(Screening).where(Screening.id == row.id)
                     .execution_options(populate_existing=True)).one()
    assert stored.result_ct in raw and stored.answers_ct in raw  # we look where the data lives
    for secret in ("Ұлболсын Қыдырбаева", "m04-gm-3", '"sometimes"', '"monitor"', "monitor_plus_1_month",
                   "gross_motor"):
        assert secret.encode() not in raw, secret
    # ... while the row is readable through the keyring.
    assert svc.get_screening(db, keyring, registry, parent, row.id).answers["m04-gm-3"] == "sometimes"
