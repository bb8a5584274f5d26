"""The inbox of same-installation transfers, and what the school sees (readiness, adaptation list)."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlmodel import select

from sabidamu.models import ImportedCard, TransferPackage
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services.transfer import importing as svc
from sabidamu.services.transfer import inbox as inbox_svc
from sabidamu.services.transfer import school_view
from tests.factories import make_group

from .conftest import audit_actions, counts


def deliver(db, ctx, child=None, **kw):
    child = child or ctx.build.new_child()
    package_id = uuid.uuid4()
    data = ctx.build.build(child, package_id=package_id, **kw)
    row = inbox_svc.deliver_to_inbox(db, data, ctx.kg.id, ctx.school.id, package_id, None, ctx.world.users["head1"])
    db.commit()
    return row


def test_retention_date():
    assert svc.retention_until(dt.date(2026, 6, 10)) == dt.date(2026, 12, 1)
    assert svc.retention_until(dt.date(2026, 10, 2)) == dt.date(2027, 12, 1)


def test_accept_imports_and_keeps_kindergarten_read_access(db, keyring, ctx):
    row = deliver(db, ctx)
    assert row.status == "delivered" and row.package_bytes
    assert [r.id for r in inbox_svc.inbox(db, ctx.teacher, ctx.school.id)] == [row.id]
    result = inbox_svc.accept(db, keyring, ctx.head, row.id, today=dt.date(2026, 6, 15))
    assert result.status == "imported"
    db.expire_all()
    row = db.get(TransferPackage, row.id)
    assert (row.status, row.package_bytes, row.child_id) == ("accepted", None, result.child_id)
    assert row.kindergarten_access_until == dt.date(2026, 12, 1)
    imported = db.exec(select(ImportedCard).where(ImportedCard.package_id == row.package_id)).one()
    assert imported.child_id == result.child_id
    assert svc.kindergarten_may_read(db, ctx.kg.id, result.child_id, today=dt.date(2026, 11, 30))
    assert not svc.kindergarten_may_read(db, ctx.kg.id, result.child_id, today=dt.date(2026, 12, 2))
    accepted = [d for a, d in audit_actions(db) if a == "transfer.accept"]
    assert accepted and accepted[0]["package_id"] == str(row.package_id)
    assert accepted[0]["sender_org_id"] == str(ctx.kg.id) and accepted[0]["school_org_id"] == str(ctx.school.id)
    with pytest.raises(ServiceError):  # decided once
        inbox_svc.decline(db, ctx.head, row.id)


def test_decline_keeps_nothing(db, keyring, ctx):
    row = deliver(db, ctx)
    before = counts(db)
    inbox_svc.decline(db, ctx.teacher, row.id)
    db.expire_all()
    row = db.get(TransferPackage, row.id)
    assert (row.status, row.package_bytes) == ("declined", None)
    assert counts(db)["imported_card"] == before["imported_card"] and counts(db)["child"] == before["child"]
    assert "transfer.decline" in [a for a, _ in audit_actions(db)]


def test_inbox_refused_to_others(db, keyring, ctx):
    row = deliver(db, ctx)
    for user in (ctx.head2, ctx.world.users["teacher1"], ctx.world.users["head1"], ctx.world.users["parentA"]):
        with pytest.raises(AccessDenied):
            inbox_svc.accept(db, keyring, user, row.id)
        db.rollback()
        with pytest.raises(AccessDenied):
            inbox_svc.inbox(db, user, ctx.school.id)
        db.rollback()
    assert db.get(TransferPackage, row.id).status == "delivered"


def test_readiness_summary_and_adaptation_list(db, keyring, ctx):
    b = ctx.build
    strong, weak, other = b.new_child(name="Алия"), b.new_child(name="Бекзат", sex="m"), b.new_child(name="Вера")
    levels_strong = {"physical": 3, "communicative": 3, "cognitive": 2, "creative": 3, "social_emotional": 2}
    levels_weak = {"physical": 2, "communicative": 1, "cognitive": 2, "creative": 2, "social_emotional": 1}
    r1 = svc.import_package(db, keyring, ctx.school.id, b.build(strong, final_levels=levels_strong), ctx.head)
    r2 = svc.import_package(db, keyring, ctx.school.id, b.build(weak, final_levels=levels_weak), ctx.head)
    r3 = svc.import_package(db, keyring, ctx.school.id, b.build(other, years=[]), ctx.head)  # no pre-school year
    klass = make_group(db, ctx.school, "1 «А»", age_group="grade1")
    db.commit()
    enrollment = school_view.place_in_class(db, keyring, ctx.head, ctx.school.id, r1.child_id, klass.id)
    assert enrollment.status == "active"
    with pytest.raises(AccessDenied):  # only the head places children
        school_view.place_in_class(db, keyring, ctx.teacher, ctx.school.id, r2.child_id, klass.id)
    db.rollback()
    data = school_view.readiness(db, keyring, ctx.teacher, ctx.school.id)
    assert [(g.name, [r.name for r in rows]) for g, rows in data.classes] == [("1 «А»", ["Алия"])]
    assert [r.name for r in data.unplaced] == ["Бекзат", "Вера"]
    assert data.summary["physical"] == {3: 1, 2: 1, 1: 0, None: 1}
    assert data.summary["communicative"] == {3: 1, 2: 0, 1: 1, None: 1}
    assert data.summary["social_emotional"] == {3: 0, 2: 1, 1: 1, None: 1}
    assert [(r.name, r.reasons) for r in data.adaptation] == [("Бекзат", ["level_i"]), ("Вера", ["no_card"])]
    assert {r3.child_id, r2.child_id} == {r.child_id for r in data.adaptation}
    with pytest.raises(AccessDenied):
        school_view.readiness(db, keyring, ctx.head2, ctx.school.id)
