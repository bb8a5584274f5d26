"""The head's pages: ending a child's enrolment with a leave date, and graduating a group (issue 9.2)."""
from __future__ import annotations

import datetime as dt

from sqlmodel import select

from sabidamu.models import Enrollment
from tests.support.i18n import t


def _enrolment(db, handover):
    db.rollback()
    return db.exec(select(Enrollment).where(Enrollment.child_id == handover.child_a.id,
                                            Enrollment.group_id == handover.world.groups["A"].id)).one()


def test_head_ends_an_enrolment_from_the_group_page(app, client, db, handover, sign_in):
    sign_in("head1@example.kz")
    group_id = handover.world.groups["A"].id
    page = client.get(f"/groups/{group_id}")
    url = f"/groups/{group_id}/children/{handover.child_a.id}/leave"
    assert page.status_code == 200 and url in page.text and f"/groups/{group_id}/graduate" in page.text
    form = client.get(url)
    assert form.status_code == 200 and "Әлия Ахметова" in form.text
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    bad = client.post(url, data={"leave_date": future})
    assert bad.status_code == 422 and future in bad.text  # the typed value stays
    assert t(app, "The leave date cannot be in the future. Enter it on the child's last day or later.") in bad.text
    assert _enrolment(db, handover).status == "active"
    empty = client.post(url, data={"leave_date": ""})
    assert empty.status_code == 422 and t(app, "Enter the date as day, month and year.") in empty.text
    done = client.post(url, data={"leave_date": dt.date.today().isoformat()})
    assert done.status_code == 303
    assert (_enrolment(db, handover).status, _enrolment(db, handover).end_reason) == ("ended", "left")
    assert client.get(url).status_code == 404  # no longer in the group


def test_teacher_sees_no_end_action_and_is_refused(client, handover, sign_in):
    sign_in("teacher1@example.kz")
    group_id = handover.world.groups["A"].id
    url = f"/groups/{group_id}/children/{handover.child_a.id}/leave"
    assert url not in client.get(f"/groups/{group_id}").text
    assert client.get(url).status_code == 403
    assert client.post(url, data={"leave_date": dt.date.today().isoformat()}).status_code == 403
    assert client.get(f"/groups/{group_id}/graduate").status_code == 403


def test_graduation_page_waits_for_the_final_stage(app, client, db, handover, sign_in):
    sign_in("head1@example.kz")
    group_id = handover.world.groups["A"].id
    page = client.get(f"/groups/{group_id}/graduate")
    assert page.status_code == 200
    if dt.date.today() < dt.date(handover.world.groups["A"].academic_year + 1, 5, 1):
        assert 'type="submit"' not in page.text.split("<main", 1)[-1]
        refused = client.post(f"/groups/{group_id}/graduate", data={})
        assert refused.status_code == 422
        assert _enrolment(db, handover).status == "active"


def test_leave_and_graduation_pages_name_the_school_that_holds_the_card(app, client, db, keyring, handover, sign_in):
    from tests.support.transfer import accept_in_december
    accept_in_december(app, db, keyring, handover)
    db.rollback()
    sign_in("head1@example.kz")
    group_id = handover.world.groups["A"].id
    leave = client.get(f"/groups/{group_id}/children/{handover.child_a.id}/leave")
    assert leave.status_code == 200 and "School 45 (kk)" in leave.text
    graduation = client.get(f"/groups/{group_id}/graduate")
    assert graduation.status_code == 200
