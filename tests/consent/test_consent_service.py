"""Consents: giving, paper records, revoking, the history, refusals that write nothing, and audit events."""
from __future__ import annotations

import datetime as dt

import pytest

from sabidamu import access
from sabidamu.models import AuditEvent, Consent
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services import consent as svc
from sabidamu.services.children import children_of_parent
from tests.support.consent import actions, count

Recipient = svc.Recipient


def test_give_records_who_how_when_and_parts(spec, db, keyring):
    w = spec
    c = svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="specialist_access",
                 recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), parts=["conclusions", "screenings"],
                 valid_until=dt.date.today() + dt.timedelta(days=30))
    db.rollback()
    row = db.get(Consent, c.id)
    assert (row.method, row.given_by, row.purpose) == ("in_app", w.users["parentA"].id, "specialist_access")
    assert row.recipient_user_id == w.users["psy"].id and row.recipient_org_id == w.orgs["room"].id
    assert row.parts == ["screenings", "conclusions"]  # stable order
    assert row.given_at.tzinfo is not None and row.revoked_at is None
    assert svc.active_consent(db, w.children["A"].id, "specialist_access",
                              Recipient(w.orgs["room"].id, w.users["psy"].id)).id == c.id
    # A consent naming one specialist does not cover the rest of the organization.
    assert svc.active_consent(db, w.children["A"].id, "specialist_access", Recipient(w.orgs["room"].id)) is None
    assert actions(db)[-1] == "consent.give"


def test_consent_for_a_child_one_is_not_the_guardian_of_is_refused_and_nothing_written(spec, db, keyring):
    w = spec
    before_consents, before_events = count(db, Consent), count(db, AuditEvent)
    for intruder in ("parentB", "teacher1", "head1", "psy"):
        with pytest.raises(ServiceError) as err:
            svc.give(db, keyring, w.users[intruder], w.children["A"].id, purpose="specialist_access",
                     recipient=Recipient(w.orgs["room"].id), parts=["screenings"])
        assert err.value.code == "not_guardian"
        db.rollback()
    assert count(db, Consent) == before_consents and count(db, AuditEvent) == before_events


def test_message_for_not_guardian_is_specific(app):
    from tests.support.consent import msg
    assert msg(app, "not_guardian") != msg(app, "no-such-code")  # a sentence of its own, not the generic one


@pytest.mark.parametrize("purpose,org,parts,code", [
    ("kindergarten_monitoring", "room", [], "recipient_not_for_purpose"),
    ("school_transfer", "org1", [], "recipient_not_for_purpose"),
    ("specialist_access", "room", ["home_observations"], "parts_not_for_purpose"),
    ("school_transfer", "school", ["screenings"], "parts_not_for_purpose"),
    ("nonsense", "room", [], "bad_purpose"),
])
def test_bad_input_is_refused_with_a_specific_code(spec, db, keyring, purpose, org, parts, code):
    from tests.factories import make_org
    spec.orgs["school"] = make_org(db, keyring, "School", kind="school")
    db.commit()
    before = count(db, Consent)
    with pytest.raises(ServiceError) as err:
        svc.give(db, keyring, spec.users["parentA"], spec.children["A"].id, purpose=purpose,
                 recipient=Recipient(spec.orgs[org].id), parts=parts)
    assert err.value.code == code
    db.rollback()
    assert count(db, Consent) == before


def test_end_date_in_the_past_is_refused(spec, db, keyring):
    with pytest.raises(ServiceError) as err:
        svc.give(db, keyring, spec.users["parentA"], spec.children["A"].id, purpose="specialist_access",
                 recipient=Recipient(spec.orgs["room"].id), parts=[], valid_until=dt.date(2020, 1, 1))
    assert err.value.code == "until_in_past" and err.value.field == "valid_until"


def test_history_shows_give_change_and_revoke(spec, db, keyring):
    w = spec
    parent, child_id, room = w.users["parentA"], w.children["A"].id, Recipient(w.orgs["room"].id)
    first = svc.give(db, keyring, parent, child_id, purpose="specialist_access", recipient=room, parts=["screenings"])
    second = svc.give(db, keyring, parent, child_id, purpose="specialist_access", recipient=room,
                      parts=["screenings", "card"])
    svc.revoke(db, parent, second.id)
    events = svc.history(db, keyring, parent, child_id)
    assert [e.action for e in events] == ["revoked", "changed", "given"]
    assert events[1].view.consent.replaces_id == first.id
    db.rollback()
    old, new = db.get(Consent, first.id), db.get(Consent, second.id)
    assert old.revoked_at is not None and new.revoked_at is not None and new.revoked_by == parent.id
    assert count(db, Consent) == 2  # never deleted
    assert actions(db)[-3:] == ["consent.give", "consent.give", "consent.revoke"]
    assert svc.active_consent(db, child_id, "specialist_access", room) is None
    with pytest.raises(ServiceError) as err:
        svc.revoke(db, parent, second.id)
    assert err.value.code == "already_revoked"


def test_only_the_guardian_sees_the_history_and_revokes(spec, db, keyring):
    w = spec
    c = svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="specialist_access",
                 recipient=Recipient(w.orgs["room"].id), parts=[])
    with pytest.raises(AccessDenied):
        svc.history(db, keyring, w.users["head1"], w.children["A"].id)
    with pytest.raises(AccessDenied):
        svc.revoke(db, w.users["parentB"], c.id)
    db.rollback()
    assert db.get(Consent, c.id).revoked_at is None


def test_expired_consent_is_not_active(spec, db, keyring):
    w = spec
    c = svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="specialist_access",
                 recipient=Recipient(w.orgs["room"].id), parts=[], valid_until=dt.date.today())
    assert access.consent_is_active(c)
    assert not access.consent_is_active(c, today=dt.date.today() + dt.timedelta(days=1))


def test_paper_consent_by_the_head_for_a_child_of_theirs(spec, db, keyring):
    w = spec
    pending = svc.record_paper(db, keyring, w.users["head1"], w.children["A"].id, org_id=w.orgs["org1"].id,
                               purpose="kindergarten_monitoring", for_me=False, parts=[], paper_date=dt.date.today(),
                               guardian_name="Ахметова Г. С.")
    assert b"\xd0\x90\xd1\x85\xd0\xbc" not in (pending.guardian_name_ct or b"")  # "Ахм" is sealed
    assert actions(db)[-1] == "consent.record_paper"
    # It names the head's own kindergarten: in force once the other head confirms it.
    c = svc.confirm_paper(db, keyring, w.users["head1b"], pending.id)
    db.rollback()
    row = db.get(Consent, c.id)
    assert (row.method, row.given_by, row.paper_date) == ("paper", w.users["head1"].id, dt.date.today())
    assert b"\xd0\x90\xd1\x85\xd0\xbc" not in (row.guardian_name_ct or b"")  # "Ахм" is sealed, not stored in clear
    assert keyring.open("consent", row.id, "guardian_name", row.guardian_name_ct) == "Ахметова Г. С."
    assert actions(db)[-1] == "consent.confirm_paper"
    # The parent sees it in the history, with the name as written.
    events = svc.history(db, keyring, w.users["parentA"], w.children["A"].id)
    assert events[0].action == "paper" and events[0].view.guardian_name == "Ахметова Г. С."


def test_paper_consent_by_staff_of_another_organization_is_refused(spec, db, keyring):
    w = spec
    before = (count(db, Consent), count(db, AuditEvent))
    # head2 names org1 as the recipient: not their organization.
    with pytest.raises(AccessDenied):
        svc.record_paper(db, keyring, w.users["head2"], w.children["A"].id, org_id=w.orgs["org1"].id,
                         purpose="kindergarten_monitoring", for_me=False, parts=[], paper_date=dt.date.today(),
                         guardian_name="X")
    db.rollback()
    # head2 names their own org2, but child A is not theirs.
    with pytest.raises(ServiceError) as err:
        svc.record_paper(db, keyring, w.users["head2"], w.children["A"].id, org_id=w.orgs["org2"].id,
                         purpose="kindergarten_monitoring", for_me=False, parts=[], paper_date=dt.date.today(),
                         guardian_name="X")
    assert err.value.code == "not_your_child"
    db.rollback()
    # A teacher of org1 may not record one either (the head does).
    with pytest.raises(AccessDenied):
        svc.record_paper(db, keyring, w.users["teacher1"], w.children["A"].id, org_id=w.orgs["org1"].id,
                         purpose="kindergarten_monitoring", for_me=False, parts=[], paper_date=dt.date.today(),
                         guardian_name="X")
    db.rollback()
    assert (count(db, Consent), count(db, AuditEvent)) == before


def test_paper_specialist_consent_needs_a_referral_to_them(spec, db, keyring):
    w = spec
    with pytest.raises(ServiceError) as err:
        svc.record_paper(db, keyring, w.users["psy"], w.children["C"].id, org_id=w.orgs["room"].id,
                         purpose="specialist_access", for_me=True, parts=["screenings"], paper_date=dt.date.today(),
                         guardian_name="Нұрова А.")
    assert err.value.code == "not_your_child"


def test_paper_date_in_the_future_is_refused(spec, db, keyring):
    w = spec
    with pytest.raises(ServiceError) as err:
        svc.record_paper(db, keyring, w.users["head1"], w.children["A"].id, org_id=w.orgs["org1"].id,
                         purpose="kindergarten_monitoring", for_me=False, parts=[],
                         paper_date=dt.date.today() + dt.timedelta(days=2), guardian_name="X")
    assert err.value.code == "paper_date_future"


def test_consents_follow_the_child_to_the_kindergarten_key(spec, db, keyring):
    """A consent sealed under the family key is re-sealed when the child's enrolment moves it to the org key."""
    from sabidamu.models import Child, Enrollment
    from sabidamu.services.children import decide_enrollment
    w = spec
    parent = w.users["parentB"]
    c = svc.give(db, keyring, parent, w.children["B"].id, purpose="specialist_access",
                 recipient=Recipient(w.orgs["room"].id), parts=[])
    row = db.get(Consent, c.id)
    row.guardian_name_ct = keyring.seal(row.key_id, "consent", row.id, "guardian_name", "Иванова")
    pending = Enrollment(child_id=w.children["B"].id, group_id=w.groups["A"].id, status="pending")
    db.add(pending)
    db.commit()
    decide_enrollment(db, keyring, parent, pending.id, accept=True)
    db.rollback()
    child, row = db.get(Child, w.children["B"].id), db.get(Consent, c.id)
    assert row.key_id == child.key_id
    assert keyring.open("consent", row.id, "guardian_name", row.guardian_name_ct) == "Иванова"
    assert children_of_parent(db, keyring, parent)


def test_revoking_the_monitoring_consent_withdraws_kindergarten_access_at_once(spec, db, keyring):
    w = spec
    child_id = w.children["A"].id
    kg = Recipient(w.orgs["org1"].id)
    assert access.child_view_role(db, w.users["teacher1"], child_id) == "teacher"  # enrolment alone is enough
    c = svc.give(db, keyring, w.users["parentA"], child_id, purpose="kindergarten_monitoring", recipient=kg, parts=[])
    assert access.child_view_role(db, w.users["teacher1"], child_id) == "teacher"
    svc.revoke(db, w.users["parentA"], c.id)
    assert access.child_view_role(db, w.users["teacher1"], child_id) is None
    assert access.child_view_role(db, w.users["head1"], child_id) is None
    assert access.child_view_role(db, w.users["parentA"], child_id) == "parent"
    svc.give(db, keyring, w.users["parentA"], child_id, purpose="kindergarten_monitoring", recipient=kg, parts=[])
    assert access.child_view_role(db, w.users["head1"], child_id) == "head"
    events = svc.history(db, keyring, w.users["parentA"], child_id)
    assert [e.action for e in events] == ["given", "revoked", "given"]
