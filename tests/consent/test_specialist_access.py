"""Specialists see a child only with an open referral AND an active consent; revoking takes effect on the next
request; conclusions are sealed; the parent and the teacher read them; every action is audited."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from sabidamu import access
from sabidamu.models import AuditEvent, Referral, SpecialistConclusion
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services import consent as consent_svc
from sabidamu.services import referrals as svc
from tests.support.auth import AuthActions
from tests.support.consent import actions, count, msg, post, t

Recipient = consent_svc.Recipient
CONCLUSION = "Уникальный вывод 9c41: звукопроизношение нарушено (дислалия)"
ADVICE = "Ұсыныс 5b2e: күн сайын артикуляциялық жаттығулар"


def refer_by_teacher(db, keyring, w, to="psy", org="room"):
    return svc.create_referral(db, keyring, w.users["teacher1"], w.children["A"].id,
                               recipient=Recipient(w.orgs[org].id, w.users[to].id if to else None),
                               reason="Баланың сөйлеуі / речь")


def test_teacher_referral_waits_for_consent_and_the_specialist_cannot_see(spec, db, keyring):
    w = spec
    ref = refer_by_teacher(db, keyring, w)
    assert ref.status == "awaiting_consent"
    psy = w.users["psy"]
    assert access.child_view_role(db, psy, w.children["A"].id) is None
    with pytest.raises(AccessDenied):
        svc.specialist_child(db, keyring, psy, w.children["A"].id)
    children, waiting = svc.referred_children(db, keyring, psy)
    assert children == [] and waiting == 1
    assert "referral.create" in actions(db)


def test_consent_without_referral_gives_no_access(spec, db, keyring):
    w = spec
    consent_svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="specialist_access",
                     recipient=Recipient(w.orgs["room"].id), parts=["screenings"])
    assert access.specialist_view_role(db, w.users["psy"], w.children["A"].id) is None


def test_parent_consent_opens_the_referral(spec, db, keyring):
    w = spec
    ref = refer_by_teacher(db, keyring, w)
    consent_svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="specialist_access",
                     recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), parts=["card"])
    db.rollback()
    assert db.get(Referral, ref.id).status == "open"
    assert access.child_view_role(db, w.users["psy"], w.children["A"].id) == "specialist"
    assert access.child_view_role(db, w.users["psy"], w.children["A"].id, part="card") == "specialist"
    assert access.child_view_role(db, w.users["psy"], w.children["A"].id, part="screenings") is None
    assert actions(db)[-2:] == ["consent.give", "referral.consent"]


@pytest.mark.parametrize("who,expected", [
    ("parentA", "parent"), ("teacher1", "teacher"), ("head1", "head"), ("psy", "specialist"),
    ("speech1", None),   # a specialist of the child's kindergarten, but not the one referred to
    ("defect2", None), ("teacher1b", None), ("head2", None), ("parentB", None), ("admin", None),
])
def test_access_for_each_role_with_consent(spec, db, keyring, who, expected):
    w = spec
    svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                        recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), reason="речь", consent=True,
                        parts=["screenings"])
    assert access.child_view_role(db, w.users[who], w.children["A"].id) == expected


@pytest.mark.parametrize("who,expected", [
    ("parentA", "parent"), ("teacher1", "teacher"), ("head1", "head"), ("psy", None), ("speech1", None),
])
def test_access_for_each_role_without_consent(spec, db, keyring, who, expected):
    w = spec
    refer_by_teacher(db, keyring, w)
    assert access.child_view_role(db, w.users[who], w.children["A"].id) == expected


def test_organization_consent_covers_its_specialists_only(spec, db, keyring):
    w = spec
    svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id, recipient=Recipient(w.orgs["org1"].id),
                        reason="речь", consent=True, parts=[])
    assert access.child_view_role(db, w.users["speech1"], w.children["A"].id) == "specialist"
    assert access.child_view_role(db, w.users["psy"], w.children["A"].id) is None


def test_parent_referral_needs_the_consent_box(spec, db, keyring):
    w = spec
    before = count(db, Referral)
    with pytest.raises(ServiceError) as err:
        svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                            recipient=Recipient(w.orgs["room"].id), reason="речь", consent=False)
    assert err.value.code == "consent_required"
    db.rollback()
    assert count(db, Referral) == before


def test_referral_reason_limits_and_who_may_refer(spec, db, keyring):
    w = spec
    with pytest.raises(ServiceError) as err:
        svc.create_referral(db, keyring, w.users["teacher1"], w.children["A"].id,
                            recipient=Recipient(w.orgs["room"].id), reason="x" * 1001)
    assert err.value.code == "reason_long"
    db.rollback()
    with pytest.raises(AccessDenied):
        svc.create_referral(db, keyring, w.users["teacher2"], w.children["A"].id,
                            recipient=Recipient(w.orgs["room"].id), reason="речь")
    db.rollback()
    with pytest.raises(ServiceError) as err:  # a school is not a specialists' organization
        from tests.factories import make_org
        school = make_org(db, keyring, "School", kind="school")
        svc.create_referral(db, keyring, w.users["teacher1"], w.children["A"].id, recipient=Recipient(school.id),
                            reason="речь")
    assert err.value.code == "recipient_not_for_purpose"


def test_revocation_mid_session_refuses_the_next_request(spec, app, client, db, keyring):
    w = spec
    svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                        recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), reason="Сөйлеу / речь",
                        consent=True, parts=["screenings"])
    AuthActions(client, db).sign_in(w.users["psy"])
    url = f"/specialist/children/{w.children['A'].id}"
    page = client.get(url)
    assert page.status_code == 200 and "Әлия Ахметова" in page.text
    assert "Әлия Ахметова" in client.get("/specialist").text

    parent = app.test_client()
    AuthActions(parent, db).sign_in(w.users["parentA"])
    consent_id = consent_svc.active_consent(db, w.children["A"].id, "specialist_access",
                                            Recipient(w.orgs["room"].id, w.users["psy"].id)).id
    assert post(parent, f"/consents/{consent_id}/revoke").status_code == 302

    again = client.get(url)
    assert again.status_code == 403 and "Әлия" not in again.text
    refused = post(client, url, data={"referral": "x", "conclusion": "a", "recommendations": "b"})
    assert refused.status_code == 403
    assert "Әлия" not in client.get("/specialist").text
    assert count(db, SpecialistConclusion) == 0
    assert "consent.revoke" in actions(db) and actions(db)[-1] in ("access.denied", "referral.list")


def _raw_bytes(app) -> bytes:
    url = app.config["DATABASE_URL"]
    app.extensions["sabidamu.engine"].dispose()
    path = Path(url.split("///", 1)[1])
    data = path.read_bytes()
    for suffix in ("-wal", "-shm"):
        extra = Path(str(path) + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


def test_conclusion_is_sealed_and_read_by_parent_and_teacher(spec, app, client, db, keyring):
    w = spec
    ref = svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                              recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), reason="речь",
                              consent=True, parts=[])
    AuthActions(client, db).sign_in(w.users["psy"])
    url = f"/specialist/children/{w.children['A'].id}"
    bad = post(client, url, data={"referral": str(ref.id), "conclusion": CONCLUSION, "recommendations": ""})
    assert bad.status_code == 422 and t(app, "Write the recommendations.") in bad.text and "9c41" in bad.text  # kept
    assert count(db, SpecialistConclusion) == 0
    ok = post(client, url, data={"referral": str(ref.id), "conclusion": CONCLUSION, "recommendations": ADVICE})
    assert ok.status_code == 302
    assert actions(db)[-1] == "conclusion.create"

    for who, role in (("parentA", "parent"), ("teacher1", "teacher")):
        views = svc.conclusions_for(db, keyring, w.users[who], w.children["A"].id)
        assert [(v.conclusion, v.recommendations) for v in views] == [(CONCLUSION, ADVICE)]
        assert views[0].specialist_kind == "psychologist"
        event = db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.actor_role) == ("conclusion.view", role)
    for who in ("teacher2", "parentB", "speech1"):
        with pytest.raises(AccessDenied):
            svc.conclusions_for(db, keyring, w.users[who], w.children["A"].id)
    db.rollback()  # end the read transaction before the next request

    for who in ("parentA", "teacher1"):
        page = app.test_client()
        AuthActions(page, db).sign_in(w.users[who])
        html = page.get(f"/children/{w.children['A'].id}").text
        assert "9c41" in html and "5b2e" in html and t(app, "Specialists") in html
        assert f"/children/{w.children['A'].id}/refer" in html

    if app.config["DATABASE_URL"].startswith("sqlite"):
        raw = _raw_bytes(app)
        # Whole texts only: a 4-character token can occur by chance in hex UUID columns.
        for text in (CONCLUSION, ADVICE):
            assert text.encode() not in raw
    else:
        row = db.exec(select(SpecialistConclusion)).one()
        assert CONCLUSION.encode() not in row.conclusion_ct and ADVICE.encode() not in row.recommendations_ct


def test_specialist_sees_others_conclusions_only_when_the_consent_covers_them(spec, db, keyring):
    w = spec
    svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                        recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), reason="r", consent=True, parts=[])
    ref2 = svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                               recipient=Recipient(w.orgs["org1"].id, w.users["speech1"].id), reason="r",
                               consent=True, parts=[])
    svc.add_conclusion(db, keyring, w.users["speech1"], w.children["A"].id, referral_id=ref2.id,
                       conclusion=CONCLUSION, recommendations=ADVICE)
    assert svc.conclusions_for(db, keyring, w.users["psy"], w.children["A"].id) == []
    consent_svc.give(db, keyring, w.users["parentA"], w.children["A"].id, purpose="specialist_access",
                     recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), parts=["conclusions"])
    assert [v.conclusion for v in svc.conclusions_for(db, keyring, w.users["psy"], w.children["A"].id)] == [CONCLUSION]


def test_paper_consent_by_the_specialist_opens_a_teacher_referral(spec, app, client, db, keyring):
    w = spec
    refer_by_teacher(db, keyring, w)
    AuthActions(client, db).sign_in(w.users["psy"])
    from sabidamu.services.children import open_child
    iin = open_child(keyring, w.children["A"]).iin
    url = f"/orgs/{w.orgs['room'].id}/consents/paper"
    form = {"iin": iin, "purpose": "specialist_access", "for_me": "y", "guardian_name": "Ахметова Г.",
            "paper_date": dt.date.today().isoformat(), "part_screenings": "y"}
    wrong = post(client, url, data={**form, "iin": open_child(keyring, w.children["C"]).iin})
    assert wrong.status_code == 422 and msg(app, "not_your_child") in wrong.text
    assert post(client, url, data=form).status_code == 302
    assert access.child_view_role(db, w.users["psy"], w.children["A"].id, part="screenings") is None
    assert actions(db)[-1] == "consent.record_paper"
    # The form names the specialist: the room's head confirms it, and the referral opens.
    from sqlmodel import select

    from sabidamu.models.consent import PendingPaperConsent
    pending = db.exec(select(PendingPaperConsent)).one()
    consent_svc.confirm_paper(db, keyring, w.users["roomhead"], pending.id)
    assert access.child_view_role(db, w.users["psy"], w.children["A"].id, part="screenings") == "specialist"
    assert actions(db)[-2:] == ["consent.confirm_paper", "referral.consent"]


def test_web_refer_and_consent_pages(spec, app, client, db, keyring):
    w = spec
    AuthActions(client, db).sign_in(w.users["parentA"])
    child = w.children["A"].id
    form = client.get(f"/children/{child}/refer")
    assert form.status_code == 200 and "psy" in form.text.lower()
    missing_box = post(client, f"/children/{child}/refer", data={"recipient": f"user:{w.users['psy'].id}",
                                                                "reason": "Речь 77aa"})
    assert missing_box.status_code == 422 and msg(app, "consent_required") in missing_box.text and "77aa" in missing_box.text
    done = post(client, f"/children/{child}/refer", data={"recipient": f"user:{w.users['psy'].id}",
                                                         "reason": "Речь 77aa", "consent": "y",
                                                         "part_screenings": "y"})
    assert done.status_code == 302
    history = client.get(f"/children/{child}/consents")
    assert history.status_code == 200 and "Psy" in history.text and t(app, "consent given in the app") in history.text
    other = client.get(f"/children/{w.children['B'].id}/consents")
    assert other.status_code == 403 and msg(app, "not_guardian") in other.text
    assert actions(db)[-1] == "access.denied"
    # A consent for someone else's child through the form: refused, nothing written.
    before = count(db, consent_svc.Consent)
    refused = post(client, f"/children/{w.children['B'].id}/consents/new",
                          data={"purpose": "specialist_access", "recipient": f"org:{w.orgs['room'].id}"})
    assert refused.status_code == 403 and count(db, consent_svc.Consent) == before
