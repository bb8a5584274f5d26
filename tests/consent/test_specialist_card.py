"""A specialist whose consent covers the card reads the card page and PDF (read-only, audited); without that
part, or without a consent, the card is refused. Home observations are not part of what a specialist sees."""
from __future__ import annotations

import pytest

from sabidamu.services import consent as consent_svc
from sabidamu.services import referrals as svc
from sabidamu.services.monitoring import add_home_observation
from tests.support.audit import audit_events
from tests.support.auth import AuthActions
from tests.support.consent import t

Recipient = consent_svc.Recipient
HOME_NOTE = "Үйдегі бақылау 7d3a: сурет салады"


def refer(db, keyring, w, parts):
    svc.create_referral(db, keyring, w.users["parentA"], w.children["A"].id,
                        recipient=Recipient(w.orgs["room"].id, w.users["psy"].id), reason="Речь", consent=True,
                        parts=parts)


def test_specialist_with_the_card_in_the_consent_reads_the_card_and_pdf(spec, app, client, db, keyring):
    w = spec
    add_home_observation(db, keyring, w.users["parentA"], w.children["A"].id, HOME_NOTE, None)
    refer(db, keyring, w, ["card"])
    AuthActions(client, db).sign_in(w.users["psy"])
    child_page = client.get(f"/specialist/children/{w.children['A'].id}")
    assert f"/children/{w.children['A'].id}/card" in child_page.text  # the page links the card
    page = client.get(f"/children/{w.children['A'].id}/card")
    assert page.status_code == 200 and "Әлия Ахметова" in page.text
    assert HOME_NOTE not in page.text  # home observations are not part of the specialist's consent
    notice = t(app, "You read this card with the parent's consent. Only the kindergarten can change it.")
    assert notice.replace("&#39;", "'") in page.text
    pdf = client.get(f"/children/{w.children['A'].id}/card.pdf?lang=ru")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    views = audit_events(db, "card.view") + audit_events(db, "card.pdf")
    assert [(e.actor_id, e.actor_role, e.org_id, e.object_id) for e in views] == \
        [(w.users["psy"].id, "specialist", w.orgs["room"].id, w.children["A"].id)] * 2


@pytest.mark.parametrize("parts", [[], ["screenings", "conclusions"]])
def test_specialist_without_the_card_in_the_consent_is_refused(spec, client, db, keyring, parts):
    w = spec
    refer(db, keyring, w, parts)
    AuthActions(client, db).sign_in(w.users["psy"])
    assert f"/children/{w.children['A'].id}/card" not in client.get(f"/specialist/children/{w.children['A'].id}").text
    assert client.get(f"/children/{w.children['A'].id}/card").status_code == 403
    assert client.get(f"/children/{w.children['A'].id}/card.pdf").status_code == 403


def test_revoking_the_consent_ends_the_card_access(spec, client, db, keyring):
    w = spec
    refer(db, keyring, w, ["card"])
    AuthActions(client, db).sign_in(w.users["psy"])
    assert client.get(f"/children/{w.children['A'].id}/card").status_code == 200
    consent = consent_svc.active_consent(db, w.children["A"].id, "specialist_access",
                                         Recipient(w.orgs["room"].id, w.users["psy"].id))
    consent_svc.revoke(db, w.users["parentA"], consent.id)
    assert client.get(f"/children/{w.children['A'].id}/card").status_code == 403


def test_another_specialist_of_the_organization_does_not_see_the_card(spec, client, db, keyring):
    w = spec
    refer(db, keyring, w, ["card"])
    AuthActions(client, db).sign_in(w.users["speech1"])
    assert client.get(f"/children/{w.children['A'].id}/card").status_code == 403
