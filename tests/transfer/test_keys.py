"""The organization's transfer keys page: fingerprints in groups for the phone, downloads in the tools' formats,
the history, and rotation by the head only (audited; old keys kept)."""
from __future__ import annotations

from sqlmodel import select

from sabidamu.crypto import agekeys, minisign
from sabidamu.models import AuditEvent
from sabidamu.services.transfer import keys as transfer_keys
from sabidamu.services.transfer import keys_page
from tests.support.i18n import t


def test_grouped():
    assert keys_page.grouped("DD732E4F5976804D") == "DD73 2E4F 5976 804D"
    assert keys_page.grouped("3f2a 9c01 7b44 e0d1") == "3F2A 9C01 7B44 E0D1"


def test_keys_page_shows_fingerprints_and_downloads(app, client, db, handover, sign_in):
    sign_in("head1@example.kz")  # the head's page (issue 12)
    age = transfer_keys.active(db, handover.org.id, "age")
    sign = transfer_keys.active(db, handover.org.id, "minisign")
    page = client.get(f"/orgs/{handover.org.id}/transfer-keys")
    assert page.status_code == 200
    assert age.fingerprint in page.text and age.public in page.text
    assert keys_page.grouped(sign.fingerprint) in page.text and sign.public in page.text
    recipient = client.get(f"/orgs/{handover.org.id}/transfer-keys/age-recipient.txt")
    assert recipient.headers["Content-Disposition"].startswith('attachment; filename="990140001111-age-recipient.txt"; filename*=')
    assert agekeys.normalize_recipient(recipient.text.strip()) == age.public
    pub = client.get(f"/orgs/{handover.org.id}/transfer-keys/minisign.pub")
    assert pub.headers["Content-Disposition"].startswith('attachment; filename="990140001111-minisign.pub"; filename*=')
    assert pub.text.splitlines()[0] == f"untrusted comment: minisign public key {sign.fingerprint}"
    assert minisign.parse_public_key(pub.text).fingerprint == sign.fingerprint


def test_head_rotates_and_history_keeps_old_keys(app, client, db, keyring, handover, sign_in):
    old_age = transfer_keys.active(db, handover.org.id, "age")
    sign_in("teacher1@example.kz")
    assert client.post(f"/orgs/{handover.org.id}/transfer-keys/rotate").status_code == 403
    sign_in("head1@example.kz")
    page = client.get(f"/orgs/{handover.org.id}/transfer-keys")
    assert t(app, "Make new transfer keys") in page.text
    response = client.post(f"/orgs/{handover.org.id}/transfer-keys/rotate")
    assert response.status_code == 303
    db.expire_all()
    new_age = transfer_keys.active(db, handover.org.id, "age")
    assert new_age.public != old_age.public
    assert len(transfer_keys.all_keys(db, handover.org.id)) == 4
    page = client.get(f"/orgs/{handover.org.id}/transfer-keys")
    assert keys_page.grouped(old_age.fingerprint) in page.text and new_age.fingerprint in page.text
    (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "keys.rotate_transfer")).all()
    assert event.actor_id == handover.head.id and event.org_id == handover.org.id
    assert len(transfer_keys.identities_for(db, keyring, handover.org.id)) == 2


def test_other_organizations_keys_page_is_refused(app, client, handover, sign_in):
    sign_in("head2@example.kz")
    assert client.get(f"/orgs/{handover.org.id}/transfer-keys").status_code == 403
    assert client.post(f"/orgs/{handover.org.id}/transfer-keys/rotate").status_code == 403


def test_a_teacher_does_not_see_the_transfer_keys(app, client, db, handover, sign_in):
    """Issue 12: the keys page and its downloads are the head's; a teacher is not even shown the link."""
    sign_in("teacher1@example.kz")
    for url in (f"/orgs/{handover.org.id}/transfer-keys", f"/orgs/{handover.org.id}/transfer-keys/age-recipient.txt",
                f"/orgs/{handover.org.id}/transfer-keys/minisign.pub"):
        assert client.get(url).status_code == 403
    overview = client.get(f"/orgs/{handover.org.id}")
    assert overview.status_code == 200 and f"/orgs/{handover.org.id}/transfer-keys" not in overview.text
    db.rollback()
    sign_in("head1@example.kz")
    assert f"/orgs/{handover.org.id}/transfer-keys" in client.get(f"/orgs/{handover.org.id}").text


def test_the_keys_page_explains_the_words(app, client, handover, sign_in):
    sign_in("head1@example.kz")
    page = client.get(f"/orgs/{handover.org.id}/transfer-keys").text
    for lang in ("kk",):
        assert t(app, "“age” is the name of the free program that locks (encrypts) the card so that only the "
                      "receiving school can open it.", lang) in page
        assert t(app, "“minisign” is the name of the free program that signs the card, so that the school can "
                      "check that it really comes from your kindergarten and was not changed.", lang) in page
