"""Gap 1: the head of the child's kindergarten records the parent's paper consent to transfer the card to a school
of this installation's directory; validated, audited, shown in the parent's history, and the export accepts it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sabidamu.models import AuditEvent, Consent
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services import consent as consent_svc
from sabidamu.services.children import open_child
from sabidamu.services.transfer import export as transfer_export
from tests.factories import make_org

TODAY = dt.date.today()


def _record(db, keyring, user, child, org, school_id, **kw):
    args = {"org_id": org.id, "purpose": "school_transfer", "for_me": False,
            "parts": ["conclusions", "home_observations"], "paper_date": TODAY - dt.timedelta(days=2),
            "guardian_name": "Ахметова Гүлнар", "school_id": school_id}
    args.update(kw)
    return consent_svc.record_paper(db, keyring, user, child.id, **args)


def _consents(db):
    return db.exec(select(Consent).where(Consent.purpose == "school_transfer")).all()


def test_head_records_a_paper_school_transfer_consent(db, keyring, handover):
    row = _record(db, keyring, handover.head, handover.child_a, handover.org, handover.school.id)
    assert (row.method, row.recipient_org_id, row.given_by) == ("paper", handover.school.id, handover.head.id)
    assert row.parts == ["conclusions", "home_observations"] and row.paper_date == TODAY - dt.timedelta(days=2)
    assert keyring.open("consent", row.id, "guardian_name", row.guardian_name_ct) == "Ахметова Гүлнар"
    assert b"Ahmetova" not in row.guardian_name_ct and "Ахметова".encode() not in row.guardian_name_ct
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "consent.record_paper")).one()
    assert event.object_id == row.id and event.org_id == handover.org.id and event.actor_role == "head"
    assert event.detail["purpose"] == "school_transfer" and event.detail["school_org_id"] == str(handover.school.id)
    history = consent_svc.history(db, keyring, handover.world.users["parentA"], handover.child_a.id)
    assert [(e.action, e.view.org.id, e.view.guardian_name) for e in history] == [
        ("paper", handover.school.id, "Ахметова Гүлнар")]


@pytest.mark.parametrize("who", ["teacher1", "head2"])
def test_teacher_or_another_kindergartens_head_is_refused(db, keyring, handover, who):
    user = handover.world.users[who]
    org = handover.world.orgs["org2"] if who == "head2" else handover.org
    before = db.exec(select(AuditEvent).where(AuditEvent.action == "consent.record_paper")).all()
    with pytest.raises((AccessDenied, ServiceError)):
        _record(db, keyring, user, handover.child_a, org, handover.school.id)
    db.rollback()
    assert _consents(db) == []
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "consent.record_paper")).all() == before


def test_head_naming_their_own_org_for_another_kindergartens_child_is_refused(db, keyring, handover):
    with pytest.raises(ServiceError) as err:
        _record(db, keyring, handover.head, handover.world.children["C"], handover.org, handover.school.id)  # child C is in org2
    assert err.value.code == "not_your_child"
    db.rollback()
    assert _consents(db) == []


def test_recipient_must_be_a_school(db, keyring, handover):
    for not_school in (handover.world.orgs["org2"].id, make_org(db, keyring, "PPTK 3", kind="correction_room").id, None):
        with pytest.raises(ServiceError) as err:
            _record(db, keyring, handover.head, handover.child_a, handover.org, not_school)
        assert err.value.code == "recipient_not_for_purpose" and err.value.field == "school"
        db.rollback()
    assert _consents(db) == []


def test_parts_and_paper_date_are_checked(db, keyring, handover):
    with pytest.raises(ServiceError) as err:
        _record(db, keyring, handover.head, handover.child_a, handover.org, handover.school.id, parts=["screenings"])
    assert err.value.code == "parts_not_for_purpose"
    db.rollback()
    with pytest.raises(ServiceError) as err:
        _record(db, keyring, handover.head, handover.child_a, handover.org, handover.school.id, paper_date=TODAY + dt.timedelta(days=3))
    assert err.value.code == "paper_date_future"
    db.rollback()
    assert _consents(db) == []


def test_export_works_with_the_paper_consent(app, db, keyring, handover):
    _record(db, keyring, handover.head, handover.child_a, handover.org, handover.school.id, parts=["home_observations"])
    with app.app_context():
        result = transfer_export.export_cards(db, keyring, handover.head, [handover.child_a.id, handover.child_a2.id],
                                              to_org_id=handover.school.id, lang="kk")
    assert [c.name for c in result.exported] == ["Әлия Ахметова"]
    assert [(c.name, c.refusal) for c in result.refused] == [("Бекзат Оспанов", "no_consent")]


def test_paper_page_has_a_school_chooser_and_records(client, db, keyring, handover, sign_in):
    sign_in("head1@example.kz")
    url = f"/orgs/{handover.org.id}/consents/paper"
    page = client.get(url, query_string={"purpose": "school_transfer"})  # the form is drawn for one purpose
    assert page.status_code == 200 and 'name="school"' in page.text and "School 45" in page.text
    assert 'name="school"' not in client.get(url, query_string={"purpose": "kindergarten_monitoring"}).text
    iin = open_child(keyring, handover.child_a, ("iin", "birth_date")).iin
    form = {"iin": iin, "purpose": "school_transfer", "school": str(handover.world.orgs["org2"].id),
            "guardian_name": "Ахметова Гүлнар", "paper_date": (TODAY - dt.timedelta(days=1)).isoformat(),
            "part_home_observations": "y"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422 and 'id="school-err"' in refused.text  # the refusal beside the chooser
    assert "Ахметова Гүлнар" in refused.text  # typed values stay
    assert _consents(db) == []
    done = client.post(url, data={**form, "school": str(handover.school.id)})
    assert done.status_code == 302
    db.rollback()  # a fresh read after the request's commit
    (row,) = _consents(db)
    assert (row.recipient_org_id, row.method, row.parts) == (handover.school.id, "paper", ["home_observations"])


def test_a_teachers_paper_page_offers_no_school_transfer(client, db, handover, sign_in):
    from tests.factories import add_member as _add
    _add(db, handover.world.users["teacher1"], handover.org, "specialist")
    db.commit()
    sign_in("teacher1@example.kz")
    page = client.get(f"/orgs/{handover.org.id}/consents/paper")
    assert page.status_code == 200
    assert 'value="school_transfer"' not in page.text and 'name="school"' not in page.text
