"""The parent's data rights: who saw my child's data, download everything, deletion (for real, audited)."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from sqlmodel import select

from sabidamu.models import AuditEvent, Child, DataKey, Enrollment, Guardianship
from sabidamu.models.security import DeletionRequest
from sabidamu.services import AccessDenied, audit_ops, data_rights
from tests.factories import make_child
from tests.support.auth import sign_in_with_password
from tests.support.exports import export_zip


def _count(db, model, *where) -> int:
    return db.exec(select(sa.func.count()).select_from(model).where(*where)).one()


def test_access_log_shows_the_teachers_view_and_nothing_of_other_children(app, client, db, keyring, world):
    other = make_child(db, keyring, "Басқа Бала", group=world.groups["A"])  # same group, no parent here
    db.commit()
    child_a, other_id = world.children["A"].id, other.id
    parent_a, parent_b = world.users["parentA"], world.users["parentB"]
    sign_in_with_password(client, "teacher1@example.kz")
    assert client.get(f"/children/{child_a}").status_code == 200
    assert client.get(f"/children/{other_id}").status_code == 200
    client.post("/logout")

    log = audit_ops.access_log(db, parent_a, child_a)
    teacher_views = [e for e in log.entries if e.action == "child.view" and e.role == "teacher"]
    assert len(teacher_views) == 1 and teacher_views[0].actor_name == "Teacher1"
    assert teacher_views[0].org.id == world.orgs["org1"].id
    ids = db.exec(select(AuditEvent.object_id).where(AuditEvent.action == "child.view")).all()
    assert other_id in ids  # the other child's view exists in the log ...
    assert all(e.action != "child.view" or e.role != "teacher" or e is teacher_views[0] for e in log.entries)
    with pytest.raises(AccessDenied):
        audit_ops.access_log(db, parent_b, child_a)
    db.rollback()

    sign_in_with_password(client, "parenta@example.kz")
    page = client.get(f"/account/children/{child_a}/access-log")
    assert page.status_code == 200 and "Teacher1" in page.text and "Org One" in page.text
    assert "Әлия" not in page.text  # never the card content or the child's details
    assert client.get(f"/account/children/{other_id}/access-log").status_code == 403
    client.post("/logout")
    sign_in_with_password(client, "parentb@example.kz")
    assert client.get(f"/account/children/{child_a}/access-log").status_code == 403
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "audit.view_own")).first()
    assert event.object_id == child_a and event.actor_id == parent_a.id


def test_access_log_is_paginated(app, db, world):
    from sabidamu.services.audit import record
    child_a, parent_a, teacher = world.children["A"].id, world.users["parentA"], world.users["teacher1"]
    for _ in range(audit_ops.PAGE_SIZE + 3):
        record(db, teacher, "child.view", role="teacher", object_type="child", object_id=child_a)
    db.commit()
    first = audit_ops.access_log(db, parent_a, child_a)
    assert first.pages == 2 and len(first.entries) == audit_ops.PAGE_SIZE
    second = audit_ops.access_log(db, parent_a, child_a, page=2)
    assert second.page == 2 and 1 <= len(second.entries) <= 5


def test_export_contains_the_childs_data_and_validates(app, client, db, keyring, world):
    child_b = world.children["B"].id
    sign_in_with_password(client, "parentb@example.kz")
    r = export_zip(client, child_b)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    document = json.loads(archive.read("export.json"))
    assert document["child"]["name"] == "Борис Иванов" and document["child"]["id"] == str(child_b)
    assert "guardianship" in document["records"]
    assert document["card_format"] == {"valid": True, "errors": []}
    card = json.loads(archive.read("card.json"))
    assert data_rights.validate_card(card) == [] and card["child"]["full_name"] == "Борис Иванов"
    assert any("card.pdf not included" in note for note in document["notes"])  # a home child has no card
    assert all(entry["staff_name"] is None for entry in document["access_log"])  # no staff saw child B
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "export.child")).one()
    assert event.object_id == child_b and "Борис" not in json.dumps(event.detail, ensure_ascii=False)
    db.rollback()  # end the test's read before the app writes (SQLite)
    # Another parent cannot export this child.
    client.post("/logout")
    sign_in_with_password(client, "parenta@example.kz")
    assert client.post(f"/account/children/{child_b}/export").status_code == 403


def test_export_of_a_kindergarten_child_includes_the_card(app, client, db, world):
    child_a = world.children["A"].id
    sign_in_with_password(client, "teacher1@example.kz")
    client.get(f"/children/{child_a}")
    client.post("/logout")
    sign_in_with_password(client, "parenta@example.kz")
    r = export_zip(client, child_a)
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    document = json.loads(archive.read("export.json"))
    assert any(e["action"] == "child.view" and e["staff_name"] == "Teacher1" for e in document["access_log"])
    assert document["records"]["enrollment"][0]["status"] == "active"
    if "pdf/card.pdf" in archive.namelist():
        assert archive.read("pdf/card.pdf").startswith(b"%PDF")


def test_home_child_is_deleted_at_once_for_real(app, client, db, keyring, world):
    child_b, parent_b = world.children["B"].id, world.users["parentB"].id
    key_id = world.children["B"].key_id
    blob = world.children["B"].name_ct
    sign_in_with_password(client, "parentb@example.kz")
    page = client.get(f"/account/children/{child_b}/delete")
    assert page.status_code == 200
    refused = client.post(f"/account/children/{child_b}/delete", data={})
    assert refused.status_code == 422 and _count(db, Child, Child.id == child_b) == 1
    db.rollback()
    done = client.post(f"/account/children/{child_b}/delete", data={"confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/parent")

    assert _count(db, Child, Child.id == child_b) == 0
    assert _count(db, Guardianship, Guardianship.child_id == child_b) == 0
    assert db.get(DataKey, key_id) is None  # the family key is destroyed: old copies of the ciphertext are dead
    with pytest.raises(LookupError):
        keyring.open("child", child_b, "name", blob)
    req = db.exec(select(DeletionRequest).where(DeletionRequest.child_id == child_b)).one()
    assert req.status == "done" and req.rule == "home_only" and req.requested_by == parent_b
    events = db.exec(select(AuditEvent).where(AuditEvent.object_id == child_b)
                     .where(AuditEvent.action.startswith("data.deletion"))).all()
    assert [e.action for e in events] == ["data.deletion.request", "data.deletion.done"]
    assert events[1].detail["rows"]["child"] == 1 and events[1].detail["keys_destroyed"] == 1
    assert "Борис" not in json.dumps([e.detail for e in events], ensure_ascii=False)
    db.rollback()
    assert client.get(f"/children/{child_b}").status_code == 404
    # The log still verifies after the deletion (events are kept, only ids).
    from tests.support.audit import run_cli
    assert run_cli(app, "audit", "sequence")[0] == 0
    assert run_cli(app, "audit", "verify")[0] == 0


def test_kindergarten_child_waits_for_the_retention_period(app, client, db, keyring, world):
    child_a = world.children["A"].id
    sign_in_with_password(client, "parenta@example.kz")
    page = client.post(f"/account/children/{child_a}/delete", data={"confirm": "y"})
    assert page.status_code == 302
    req = db.exec(select(DeletionRequest).where(DeletionRequest.child_id == child_a)).one()
    assert req.status == "pending" and req.due_on == dt.date(2027, 12, 1)  # group of 2026-2027, + 3 months
    assert _count(db, Child, Child.id == child_a) == 1
    db.rollback()
    again = client.post(f"/account/children/{child_a}/delete", data={"confirm": "y"})
    assert again.status_code == 200  # shows the recorded request; nothing new
    assert _count(db, DeletionRequest, DeletionRequest.child_id == child_a) == 1
    org_key = world.children["A"].key_id
    db.rollback()

    assert data_rights.process_due(db, keyring, today=dt.date(2027, 11, 30)) == 0
    assert _count(db, Child, Child.id == child_a) == 1
    assert data_rights.process_due(db, keyring, today=dt.date(2027, 12, 1)) == 1
    assert _count(db, Child, Child.id == child_a) == 0
    assert _count(db, Enrollment, Enrollment.child_id == child_a) == 0
    assert db.get(DataKey, org_key) is not None  # the kindergarten's key serves other children
    done = db.exec(select(AuditEvent).where(AuditEvent.action == "data.deletion.done")).one()
    assert done.object_id == child_a and done.actor_role == "system"
