"""The demo's speech therapist sees exactly the referred child with a paper consent; the parent is asked."""
from sqlmodel import select

from sabidamu import access
from sabidamu.models import Consent, Membership, Referral
from sabidamu.services import referrals as svc
from sabidamu.services.auth import find_user


def test_demo_speech_therapist_and_referrals(app, db, keyring):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "speech@demo.sabidamu.kz" in result.output
    speech = find_user(db, "speech@demo.sabidamu.kz")
    membership = db.exec(select(Membership).where(Membership.user_id == speech.id)).one()
    assert (membership.role, membership.specialist_kind) == ("specialist", "speech_therapist")

    children, waiting = svc.referred_children(db, keyring, speech)
    assert [c.child.name for c in children] == ["Дана Есенова"] and waiting == 1
    parent = find_user(db, "parent@demo.sabidamu.kz")
    awaiting = svc.awaiting_for_parent(db, parent)
    assert len(awaiting) == 1 and awaiting[0][2].id == speech.id
    assert access.child_view_role(db, speech, awaiting[0][0].child_id) is None
    # Every enrolled demo child has a paper monitoring consent, so the teachers' access stands.
    assert db.exec(select(Consent).where(Consent.purpose == "kindergarten_monitoring")).all()
    assert len(db.exec(select(Referral)).all()) == 2
