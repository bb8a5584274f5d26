"""Gap 2 (as changed by issue 9.2): the school accepting (or importing) the card does not end the enrolment; once
the kindergarten ends it (here: a leave date the head enters), the kindergarten's head and the group's teacher
still READ the card until `kindergarten_access_until` but write nothing (cell, measures, referral); after that
date they no longer see the child. The school sees the child."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sabidamu import access
from sabidamu.models import AuditEvent, Enrollment, TransferPackage
from sabidamu.services import AccessDenied, ServiceError, enrolment_end
from sabidamu.services import consent as consent_svc
from sabidamu.services import monitoring as monitoring_svc
from sabidamu.services import referrals as referrals_svc
from sabidamu.services.transfer import importing as transfer_import
from sabidamu.services.transfer import inbox as inbox_svc
from tests.support.transfer import export_on_paper_consent

TODAY = dt.date.today()


def _enrollment(db, handover):
    return db.exec(select(Enrollment).where(Enrollment.child_id == handover.child_a.id,
                                            Enrollment.group_id == handover.world.groups["A"].id)).one()


def _cell(handover):
    fw = monitoring_svc.framework()
    group = handover.world.groups["A"]
    skill = fw.skills(group.age_group, fw.skill_group_ids[0])[0]
    return {"child_id": str(handover.child_a.id), "stage": "start", "skill_id": skill.id, "level": "2", "version": 0}


def test_the_leave_date_ends_the_enrolment_and_is_audited(db, handover, accepted):
    row, _item = accepted
    assert row.kindergarten_access_until == transfer_import.retention_until(TODAY)
    assert _enrollment(db, handover).status == "ended"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "enrollment.end")).one()
    assert event.org_id == handover.org.id and event.detail["reason"] == "left"
    assert access.school_view_role(db, handover.school_head, handover.child_a.id, handover.school.id) == "head"  # the school sees


@pytest.mark.parametrize("who", ["head1", "teacher1"])
def test_kindergarten_reads_but_cannot_write_until_the_retention_date(client, db, keyring, handover, accepted, sign_in,
                                                                        who):
    row, _item = accepted
    user = sign_in(f"{who}@example.kz")
    assert access.child_view_role(db, user, handover.child_a.id, part="card") == "former_kindergarten"
    card = client.get(f"/children/{handover.child_a.id}/card")
    assert card.status_code == 200 and "Әлия Ахметова" in card.text
    assert client.get(f"/children/{handover.child_a.id}/card.pdf").status_code == 200
    child_page = client.get(f"/children/{handover.child_a.id}")
    assert child_page.status_code == 200 and "Әлия Ахметова" in child_page.text
    assert client.get(f"/children/{handover.child_a.id}/edit").status_code == 403  # no child edits
    group_id = handover.world.groups["A"].id
    cell = client.post(f"/groups/{group_id}/monitoring/cell", json=_cell(handover))
    assert cell.status_code == 422
    body = cell.get_json()
    assert body["error"] == "handed_to_school" and "School 45" in body["message"]
    # The date in the page's language (Kazakh locative), never ISO; the school's name only in that language.
    from sabidamu.web.formatting import KK_MONTHS, kk_locative
    on_today = f"{TODAY.year}\u202fж. {TODAY.day} {kk_locative(KK_MONTHS[TODAY.month - 1])}"
    assert on_today in body["message"] and TODAY.isoformat() not in body["message"]
    assert "(ru)" not in body["message"]
    measures_url = f"/groups/{group_id}/monitoring/start/children/{handover.child_a.id}/measures"
    page = client.get(measures_url)
    assert page.status_code == 200 and 'type="submit"' not in page.text.split("<main", 1)[-1].split("</main>")[0]
    save = client.post(measures_url, data={"version": "0", "measures_physical": "Жүгіруді жаттықтыру"})
    assert save.status_code == 422 and "School 45" in save.text
    db.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action.like("monitoring.%save%"))).all() == []
    with pytest.raises(AccessDenied):  # no new referral by the kindergarten
        referrals_svc.create_referral(db, keyring, user, handover.child_a.id, recipient=consent_svc.Recipient(handover.org.id),
                                      reason="Сөйлеуін тексеру")
    db.rollback()
    row = db.get(TransferPackage, row.id)
    row.kindergarten_access_until = TODAY - dt.timedelta(days=1)  # the retention period is over
    db.commit()
    assert client.get(f"/children/{handover.child_a.id}/card").status_code == 403
    assert client.get(f"/children/{handover.child_a.id}").status_code == 403
    assert client.get(measures_url).status_code == 404
    db.rollback()
    assert access.child_view_role(db, user, handover.child_a.id) is None
    assert not transfer_import.kindergarten_may_read(db, handover.org.id, handover.child_a.id)


def test_another_kindergarten_gets_nothing(client, db, handover, accepted, sign_in):
    sign_in("head2@example.kz")
    assert client.get(f"/children/{handover.child_a.id}/card").status_code == 403


def test_a_file_import_from_this_installations_kindergarten_hands_over_too(app, db, keyring, handover):
    item = export_on_paper_consent(app, db, keyring, handover)
    inbox = db.exec(select(TransferPackage).where(TransferPackage.direction == "inbox")).one()
    inbox_svc.decline(db, handover.school_head, inbox.id)  # the school uses the file instead of the inbox
    result = transfer_import.import_package(db, keyring, handover.school.id, item.data, handover.school_head)
    assert result.status == "imported" and result.child_id == handover.child_a.id
    db.expire_all()
    imported = db.exec(select(TransferPackage).where(TransferPackage.direction == "import")).one()
    assert imported.kindergarten_access_until == transfer_import.retention_until(TODAY)
    assert _enrollment(db, handover).status == "active"  # the import does not end the enrolment
    enrolment_end.end_enrolment(db, handover.head, handover.world.groups["A"].id, handover.child_a.id, leave_date=TODAY)
    assert access.child_view_role(db, handover.head, handover.child_a.id, part="card") == "former_kindergarten"
    with pytest.raises(ServiceError) as err:
        monitoring_svc.save_cell(db, keyring, handover.head, handover.world.groups["A"].id, handover.child_a.id, "start",
                                 _cell(handover)["skill_id"], "2", 0, TODAY)
    assert err.value.code == "handed_to_school"


def test_the_kindergarten_head_finds_handed_over_cards_on_the_organization_page(app, client, db, handover, accepted,
                                                                                 sign_in):
    from tests.support.i18n import t
    row, _item = accepted
    db.rollback()
    sign_in("head1@example.kz")
    page = client.get(f"/orgs/{handover.world.orgs['org1'].id}")
    assert page.status_code == 200
    assert t(app, "Cards handed to schools") in page.text
    assert f"/children/{handover.child_a.id}/card" in page.text and "Әлия Ахметова" in page.text
    client.post("/logout")
    db.rollback()  # end the fixture session's old read snapshot before it writes again (SQLite)
    sign_in("teacher1@example.kz")  # the list is the head's
    assert t(app, "Cards handed to schools") not in client.get(f"/orgs/{handover.world.orgs['org1'].id}").text
