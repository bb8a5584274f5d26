"""Issue 10.2, attack tests: a package naming a sender organization of this installation must be signed with that
organization's registered key, or it is refused (never held for a phone confirmation); a key confirmed by phone is
never bound to an organization of this installation; the confirmation page shows a sender's known key beside the
held package's one."""
from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlmodel import select

from sabidamu.crypto import minisign
from sabidamu.crypto.package import SenderInfo
from sabidamu.models import TransferPackage, TrustedSenderKey
from sabidamu.services import ServiceError
from sabidamu.services.transfer import importing as svc
from sabidamu.services.transfer import inbox as inbox_svc
from tests.school.conftest import KG_BIN, audit_actions, counts


def _attacker(org_id, bin_, name="Балабақша"):
    secret, public = minisign.generate_keypair()
    return SenderInfo(org_id=str(org_id), name=name, bin=bin_, signing_secret=secret), public


@pytest.mark.parametrize("claim", ["id_and_bin", "id_only", "bin_only"])
def test_a_package_claiming_a_local_kindergarten_with_another_key_is_refused(db, keyring, ctx, claim):
    org_id = ctx.kg.id if claim != "bin_only" else uuid.uuid4()
    bin_ = KG_BIN if claim != "id_only" else "990340099999"
    sender, _public = _attacker(org_id, bin_)
    data = ctx.build.build(sender=sender)
    before = counts(db)
    result = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    assert (result.status, result.code) == ("rejected", "sender_not_verified")
    assert counts(db) == before  # nothing held, nothing imported
    action, detail = audit_actions(db)[-1]
    assert action == "card.import_rejected" and detail["code"] == "sender_not_verified"


def test_another_local_kindergartens_key_cannot_speak_for_this_one(db, keyring, ctx):
    from sabidamu.services.transfer import keys as transfer_keys
    org2 = ctx.world.orgs["org2"]
    sender = SenderInfo(org_id=str(ctx.kg.id), name=ctx.kg.name_kk, bin=KG_BIN,
                        signing_secret=transfer_keys.signing_secret(db, keyring, org2.id))
    result = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(sender=sender), ctx.head)
    assert (result.status, result.code) == ("rejected", "sender_not_verified")


def test_a_registered_key_named_by_a_stranger_is_refused(db, keyring, ctx):
    """A local kindergarten's key signing a package that names an organization of another installation."""
    sender = SenderInfo(org_id=str(uuid.uuid4()), name="Басқа", bin="990340012345",
                        signing_secret=ctx.build.secret)
    result = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(sender=sender), ctx.head)
    assert (result.status, result.code) == ("rejected", "sender_not_verified")


def test_a_phone_confirmation_never_binds_a_key_to_a_local_organization(db, keyring, ctx):
    """A package held before this rule (or slipped in otherwise) naming a local kindergarten: the head cannot
    confirm the stranger's key for it."""
    sender, public = _attacker(ctx.kg.id, KG_BIN)
    data = ctx.build.build(sender=sender)
    row = TransferPackage(package_id=uuid.uuid4(), direction="import", sender_org_id=ctx.kg.id,
                          sender_name="Балабақша", sender_bin=KG_BIN, sender_fingerprint=public.fingerprint,
                          recipient_org_id=ctx.school.id, status="held", reason_code="unknown_sender",
                          sha256=hashlib.sha256(data).hexdigest(), size=len(data), package_bytes=data)
    db.add(row)
    db.commit()
    with pytest.raises(ServiceError) as caught:
        inbox_svc.confirm_sender_key(db, keyring, ctx.head, row.id, public.to_base64())
    assert caught.value.code == "sender_is_local"
    db.rollback()
    assert db.exec(select(TrustedSenderKey)).all() == []
    assert db.get(TransferPackage, row.id).status == "held"


def test_the_confirmation_page_shows_the_known_key_beside_the_new_one(app, client, db, keyring, ctx):
    from tests.support.auth import sign_in_with_password
    sender, first = _attacker(uuid.uuid4(), "990340012345", "Басқа қаладағы балабақша")
    held = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(sender=sender), ctx.head)
    row = db.exec(select(TransferPackage).where(TransferPackage.package_id == held.package_id)).one()
    inbox_svc.confirm_sender_key(db, keyring, ctx.head, row.id, first.to_base64())
    # The same sender (same BIN) now sends a package signed with another key.
    impostor, second = _attacker(sender.org_id, sender.bin, sender.name)
    again = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(sender=impostor), ctx.head)
    assert again.status == "held"
    new_row = db.exec(select(TransferPackage).where(TransferPackage.package_id == again.package_id)).one()
    sign_in_with_password(client, "schoolhead@example.kz")
    page = client.get(f"/school/held/{new_row.id}/confirm")
    assert page.status_code == 200
    from sabidamu.services.transfer.keys_page import grouped
    assert grouped(first.fingerprint) in page.text and grouped(second.fingerprint) in page.text
    from tests.support.i18n import t
    assert t(app, "This school already confirmed another key for this sender.") in page.text


def test_a_key_bound_to_a_local_kindergarten_by_phone_cannot_hand_its_children_over(db, keyring, ctx):
    """The old attack chain: a stranger's key once confirmed by phone for a package naming this installation's
    kindergarten (a TrustedSenderKey bound to its id) let every later package 'from' it import and take the child's
    enrolment. Now that key speaks for nobody registered here: refused, the enrolment and the kindergarten's access
    untouched."""
    from types import SimpleNamespace

    from sabidamu.models import Enrollment
    from sabidamu.services.children import open_child
    child = ctx.world.children["A"]
    view = open_child(keyring, child)
    sender, public = _attacker(ctx.kg.id, KG_BIN)
    db.add(TrustedSenderKey(school_org_id=ctx.school.id, sender_org_id=ctx.kg.id, sender_bin=KG_BIN,
                            sender_name="Балабақша", fingerprint=public.fingerprint, public_key=public.to_base64()))
    db.commit()
    target = SimpleNamespace(iin=view.iin, name=view.name, birth=view.birth_date)
    result = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(target, sender=sender), ctx.head)
    assert (result.status, result.code) == ("rejected", "sender_not_verified")
    db.expire_all()
    enrolment = db.exec(select(Enrollment).where(Enrollment.child_id == child.id)).one()
    assert enrolment.status == "active"
    assert db.exec(select(TransferPackage).where(TransferPackage.child_id == child.id)).all() == []
