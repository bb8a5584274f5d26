"""Attacks on paper consents (docs/threat_model.md, "Paper consents"):

* an old signed form, dated on or before the guardian's revocation, is recorded to take back access;
* a staff member records a form naming themselves or their own organization, with nobody else looking;
* the guardian never learns that a paper consent was recorded for their child.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from sabidamu import access
from sabidamu.models import AuditEvent, Consent
from sabidamu.models.consent import PendingPaperConsent
from sabidamu.models.notification import Notification
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services import consent as svc
from sabidamu.services import referrals as ref_svc
from sabidamu.services.children import open_child
from tests.support.auth import AuthActions
from tests.support.consent import count, post

Recipient = svc.Recipient
TODAY = dt.date.today()


def _paper(db, keyring, w, who="head1", *, purpose="kindergarten_monitoring", org="org1", for_me=False, parts=(),
           paper_date=TODAY, child="A"):
    return svc.record_paper(db, keyring, w.users[who], w.children[child].id, org_id=w.orgs[org].id, purpose=purpose,
                            for_me=for_me, parts=list(parts), paper_date=paper_date, guardian_name="Ахметова Г.")


def _revoked_days_ago(db, consent, days):
    row = db.get(Consent, consent.id)
    row.revoked_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    db.commit()


def _monitoring_consent(db, keyring, w):
    return svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="kindergarten_monitoring",
                    recipient=Recipient(w.orgs["org1"].id), parts=[])


# -- an old form after a revocation ----------------------------------------------------------------

@pytest.mark.parametrize("days_before", [0, 1, 30])  # the day of the revocation counts as "before" too
def test_a_paper_form_dated_before_the_revocation_is_refused(spec, db, keyring, days_before):
    w = spec
    consent = _monitoring_consent(db, keyring, w)
    svc.revoke(db, w.users["parentA"], consent.id)
    before = (count(db, Consent), count(db, PendingPaperConsent), count(db, AuditEvent))
    with pytest.raises(ServiceError) as err:
        _paper(db, keyring, w, paper_date=TODAY - dt.timedelta(days=days_before))
    assert (err.value.code, err.value.field) == ("paper_before_revocation", "paper_date")
    db.rollback()
    assert (count(db, Consent), count(db, PendingPaperConsent), count(db, AuditEvent)) == before


def test_a_revocation_of_a_named_specialist_blocks_an_old_form_for_the_organization(spec, db, keyring):
    w = spec
    ref_svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id, reason="r", consent=True,
                            recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), parts=["card"])
    consent = svc.active_consent(db, w.children["A"].id, "specialist_access",
                                 Recipient(w.orgs["room"].id, w.users["psy"].id))
    svc.revoke(db, w.users["parentA"], consent.id)
    with pytest.raises(ServiceError) as err:
        _paper(db, keyring, w, "psy", purpose="specialist_access", org="room", for_me=False, parts=["card"],
               paper_date=TODAY - dt.timedelta(days=3))
    assert err.value.code == "paper_before_revocation"


def test_a_form_signed_after_the_revocation_is_accepted(spec, db, keyring):
    w = spec
    consent = _monitoring_consent(db, keyring, w)
    svc.revoke(db, w.users["parentA"], consent.id)
    _revoked_days_ago(db, consent, 10)
    row = _paper(db, keyring, w, paper_date=TODAY - dt.timedelta(days=5))
    assert isinstance(row, PendingPaperConsent)


def test_a_replaced_consent_is_no_revocation(spec, db, keyring):
    """Changing a consent (a new one replaces the old) is not the guardian taking it back."""
    w = spec
    _monitoring_consent(db, keyring, w)
    _monitoring_consent(db, keyring, w)  # replaces the first
    assert isinstance(_paper(db, keyring, w, paper_date=TODAY - dt.timedelta(days=2)), PendingPaperConsent)


def test_an_old_school_transfer_form_after_revocation_is_refused(spec, db, keyring):
    from tests.factories import make_school
    w = spec
    school = make_school(db, keyring, "School 12").org
    db.commit()
    consent = svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="school_transfer",
                       recipient=Recipient(school.id), parts=[])
    svc.revoke(db, w.users["parentA"], consent.id)
    with pytest.raises(ServiceError) as err:
        svc.record_paper(db, keyring, w.users["head1"], w.children["A"].id, org_id=w.orgs["org1"].id,
                         purpose="school_transfer", for_me=False, parts=[], school_id=school.id,
                         paper_date=TODAY - dt.timedelta(days=1), guardian_name="Ахметова Г.")
    assert err.value.code == "paper_before_revocation"


def test_the_web_form_shows_the_refusal_beside_the_date(spec, app, client, db, keyring):
    w = spec
    consent = _monitoring_consent(db, keyring, w)
    svc.revoke(db, w.users["parentA"], consent.id)
    AuthActions(client, db).sign_in(w.users["head1"])
    old = (TODAY - dt.timedelta(days=4)).isoformat()
    answer = post(client, f"/orgs/{w.orgs['org1'].id}/consents/paper",
                  {"iin": open_child(keyring, w.children["A"]).iin, "purpose": "kindergarten_monitoring",
                   "guardian_name": "Ахметова 51c0", "paper_date": old})
    assert answer.status_code == 422 and 'id="paper_date-err"' in answer.text and "51c0" in answer.text


# -- a second person -------------------------------------------------------------------------------

def test_a_specialist_naming_themselves_gets_no_access_until_the_head_confirms(spec, db, keyring):
    w = spec
    ref_svc.create_referral(db, keyring, w.users["teacher1"], w.children["A"].id, reason="r",
                            recipient=Recipient(w.orgs["room"].id, w.users["psy"].id))
    pending = _paper(db, keyring, w, "psy", purpose="specialist_access", org="room", for_me=True, parts=["card"])
    assert isinstance(pending, PendingPaperConsent)
    assert access.specialist_view_role(db, w.users["psy"], w.children["A"].id) is None
    assert count(db, Consent) == 0
    with pytest.raises(AccessDenied):  # the specialist cannot confirm their own record
        svc.confirm_paper(db, keyring, w.users["psy"], pending.id)
    db.rollback()
    with pytest.raises(AccessDenied):  # nor can a head of another organization
        svc.confirm_paper(db, keyring, w.users["head1"], pending.id)
    db.rollback()
    consent = svc.confirm_paper(db, keyring, w.users["roomhead"], pending.id)
    db.rollback()
    assert access.specialist_view_role(db, w.users["psy"], w.children["A"].id, "card") == "specialist"
    assert db.get(Consent, consent.id).given_by == w.users["psy"].id
    assert db.get(PendingPaperConsent, pending.id).decision == "confirmed"
    events = db.exec(select(AuditEvent.action, AuditEvent.actor_id).order_by(AuditEvent.seq)).all()
    assert ("consent.confirm_paper", w.users["roomhead"].id) in events


def test_a_head_naming_their_own_kindergarten_needs_another_head(spec, db, keyring):
    w = spec
    pending = _paper(db, keyring, w, "head1")
    with pytest.raises(ServiceError) as err:
        svc.confirm_paper(db, keyring, w.users["head1"], pending.id)
    assert err.value.code == "paper_second_person"
    db.rollback()
    svc.confirm_paper(db, keyring, w.users["head1b"], pending.id)
    db.rollback()
    assert svc.active_consent(db, w.children["A"].id, "kindergarten_monitoring", Recipient(w.orgs["org1"].id))
    with pytest.raises(ServiceError) as err:  # decided once
        svc.reject_paper(db, w.users["head1b"], pending.id)
    assert err.value.code == "paper_already_decided"


def test_a_turned_down_record_never_gives_access(spec, db, keyring):
    w = spec
    ref_svc.create_referral(db, keyring, w.users["teacher1"], w.children["A"].id, reason="r",
                            recipient=Recipient(w.orgs["room"].id, w.users["psy"].id))
    pending = _paper(db, keyring, w, "psy", purpose="specialist_access", org="room", for_me=True, parts=["card"])
    svc.reject_paper(db, w.users["roomhead"], pending.id)
    assert access.specialist_view_role(db, w.users["psy"], w.children["A"].id) is None
    with pytest.raises(ServiceError):
        svc.confirm_paper(db, keyring, w.users["roomhead"], pending.id)


def test_the_web_flow_record_then_confirm(spec, app, client, db, keyring):
    w = spec
    ref_svc.create_referral(db, keyring, w.users["teacher1"], w.children["A"].id, reason="r",
                            recipient=Recipient(w.orgs["room"].id, w.users["psy"].id))
    AuthActions(client, db).sign_in(w.users["psy"])
    url = f"/orgs/{w.orgs['room'].id}/consents/paper"
    assert post(client, url, {"iin": open_child(keyring, w.children["A"]).iin, "purpose": "specialist_access",
                              "for_me": "y", "guardian_name": "Ахметова Г.", "paper_date": TODAY.isoformat(),
                              "part_card": "y"}).status_code == 302
    assert client.get(f"/children/{w.children['A'].id}/card").status_code == 403  # not yet
    assert "Әлия" not in client.get(url).text  # the specialist sees no list to confirm
    AuthActions(client, db).sign_in(w.users["roomhead"])
    page = client.get(url)
    assert page.status_code == 200 and "Әлия Ахметова" in page.text
    pending = db.exec(select(PendingPaperConsent)).one()
    db.rollback()
    assert post(client, f"{url}/{pending.id}/confirm").status_code == 302
    AuthActions(client, db).sign_in(w.users["psy"])
    assert client.get(f"/children/{w.children['A'].id}/card").status_code == 200


# -- the guardian is told --------------------------------------------------------------------------

def test_the_guardian_gets_a_notice_in_their_language_with_the_first_name_only(spec, app, client, db, keyring):
    w = spec
    pending = _paper(db, keyring, w, "head1", paper_date=TODAY - dt.timedelta(days=1))
    db.rollback()
    assert count(db, Notification) == 0  # nothing is in force yet
    svc.confirm_paper(db, keyring, w.users["head1b"], pending.id)
    db.rollback()
    (notice,) = db.exec(select(Notification)).all()
    assert notice.user_id == w.users["parentA"].id and notice.kind == "paper_consent"
    assert "Әлия" not in str(notice.params)  # ids and codes only, no personal text at rest
    db.rollback()
    AuthActions(client, db).sign_in(w.users["parentA"])
    for lang, words in (("kk", "қағаз"), ("ru", "на бумаге")):
        client.post("/lang", data={"lang": lang})
        home = client.get("/notices")
        assert home.status_code == 200 and "Әлия" in home.text and "Ахметова" not in home.text
        assert words in home.text.lower()
    db.rollback()
    assert db.get(Notification, notice.id).read_at is not None


def test_unread_notices_show_in_the_menu_and_on_the_dashboard(spec, app, client, db, keyring):
    w = spec
    svc.confirm_paper(db, keyring, w.users["head1b"], _paper(db, keyring, w, "head1").id)
    AuthActions(client, db).sign_in(w.users["parentA"])
    client.post("/lang", data={"lang": "ru"})
    dashboard = client.get("/parent")
    assert ">Уведомления (1 новое)</a>" in dashboard.text  # the menu
    assert "У вас 1 непрочитанное уведомление." in dashboard.text  # the dashboard
    client.get("/notices")  # reading marks them read
    dashboard = client.get("/parent")
    assert ">Уведомления</a>" in dashboard.text and "непрочитанн" not in dashboard.text


def test_a_childs_notices_go_with_the_childs_data(spec, db, keyring):
    from sabidamu.services.data_rights import child_rows
    w = spec
    svc.confirm_paper(db, keyring, w.users["head1b"], _paper(db, keyring, w, "head1").id)
    db.rollback()
    (notice,) = db.exec(select(Notification)).all()
    plan = child_rows(db, w.children["A"].id)
    assert notice.id in plan["notification"] and plan["pendingpaperconsent"]
