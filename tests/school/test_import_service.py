"""import_package: every outcome on a real database with real packages (age + minisign via the pure library)."""
from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import pytest
from sqlmodel import select

from sabidamu.crypto import agekeys, minisign
from sabidamu.crypto.package import SenderInfo
from sabidamu.models import Child, ImportedCard, TransferPackage
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services.transfer import importing as svc
from sabidamu.services.transfer import inbox as inbox_svc
from sabidamu.services.transfer import school_view
from tests.factories import make_child

from .conftest import audit_actions, counts


def test_import_creates_child_and_sealed_card(db, keyring, ctx):
    child = ctx.build.new_child()
    data = ctx.build.build(child)
    result = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    assert (result.status, result.code) == ("imported", None)
    db.expire_all()
    card = db.exec(select(ImportedCard).where(ImportedCard.child_id == result.child_id)).one()
    assert card.school_org_id == ctx.school.id and card.package_id == result.package_id
    assert card.academic_years == ["2025-2026"]
    # Sealed: neither the child's name nor the card's texts are in the stored bytes.
    assert "Айгерім".encode() not in card.card_json_ct and b"%PDF" not in card.card_pdf_ct
    card_json = json.loads(keyring.open("imported_card", card.id, "card_json", card.card_json_ct))
    assert card_json["child"]["iin"] == child.iin
    assert school_view.imported_card_pdf(db, keyring, ctx.head, card.id).startswith(b"%PDF")
    new_child = db.get(Child, result.child_id)
    assert keyring.open("child", new_child.id, "name", new_child.name_ct) == child.name
    envelope = db.exec(select(TransferPackage).where(TransferPackage.package_id == result.package_id)).one()
    assert (envelope.direction, envelope.status, envelope.package_bytes) == ("import", "imported", None)
    assert envelope.sender_bin == "120340012345" and len(envelope.sha256) == 64
    actions = audit_actions(db)
    imported = [d for a, d in actions if a == "card.import"]
    assert len(imported) == 1 and imported[0]["package_id"] == str(result.package_id)
    assert child.name not in json.dumps(actions, ensure_ascii=False)  # never content in the audit log


def test_reimport_is_a_noop(db, keyring, ctx):
    data = ctx.build.build()
    first = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    before = counts(db)
    again = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    assert (again.status, again.code, again.child_id, again.package_id) == (
        "already_imported", "already_imported", first.child_id, first.package_id)
    assert counts(db) == before


def test_known_child_gets_the_new_period_nothing_overwritten(db, keyring, ctx):
    kid = make_child(db, keyring, "Бұрынғы Аты", parent=ctx.world.users["parentA"], group=ctx.world.groups["A"])
    db.commit()
    iin = keyring.open("child", kid.id, "iin", kid.iin_ct)
    birth = dt.date.fromisoformat(keyring.open("child", kid.id, "birth_date", kid.birth_date_ct))
    from types import SimpleNamespace
    person = SimpleNamespace(iin=iin, name="Басқа Аты", birth=birth)
    old_name_ct = kid.name_ct
    before = counts(db)
    r1 = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(person, academic_year="2024-2025"), ctx.head)
    r2 = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(person, academic_year="2025-2026"), ctx.head)
    assert r1.child_id == r2.child_id == kid.id
    after = counts(db)
    assert after["child"] == before["child"] and after["imported_card"] == before["imported_card"] + 2
    db.expire_all()
    assert db.get(Child, kid.id).name_ct == old_name_ct  # the record is not overwritten
    years = sorted(y for c in db.exec(select(ImportedCard).where(ImportedCard.child_id == kid.id)).all()
                   for y in c.academic_years)
    assert years == ["2024-2025", "2025-2026"]
    ready = school_view.readiness(db, keyring, ctx.head, ctx.school.id)
    row = ready.unplaced[0]
    assert row.years == ["2024-2025", "2025-2026"] and row.final_year == "2025-2026"


def _bomb(b):
    return b.seal(b.entries(card_pdf=bytes(40 * 1024 * 1024)))


def _traversal(b):
    return b.seal(b.entries() + [("../../etc/passwd", b"x")])


def _format_v2(b):
    return b.seal(b.entries(edit_manifest=lambda m: m.update(format_version=2)))


def _bad_signature(b):
    entries = b.entries()
    manifest = json.loads(entries[0][1])
    manifest["child"]["full_name"] = "Басқа бала"
    entries[0] = ("manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
    return b.seal(entries)


def _hash_mismatch(b):
    entries = b.entries()
    entries[2] = ("card.pdf", entries[2][1].replace(b"%PDF", b"%PDX", 1))
    return b.seal(entries)


def _bad_card(b):
    child = b.new_child()
    card = b.card(child)
    card["years"][0]["final_levels"]["physical"] = 7
    return b.seal(b.entries(child, card_json=json.dumps(card).encode()))


def _tampered(b):
    data = bytearray(b.build())
    data[-20] ^= 0x01
    return bytes(data)


def _truncated(b):
    return b.build()[:60]


def _wrong_recipient(b):
    return b.build(recipient=agekeys.generate_identity().recipient)


def _oversized(b):
    # 20 MiB + 1 of age header then noise: refused on size before any decryption is tried.
    return b"age-encryption.org/v1\n" + os.urandom(20 * 1024 * 1024 - 21)


def _not_age(b):
    return b"PK\x03\x04 this is a plain zip, not an age file"


REJECTIONS = [
    ("tampered byte", _tampered, "corrupt"),
    ("truncated", _truncated, "truncated"),
    ("wrong recipient", _wrong_recipient, "wrong_recipient"),
    ("unknown format version", _format_v2, "unknown_format_version"),
    ("oversized before decrypt", _oversized, "too_large"),
    ("zip bomb", _bomb, "zip_bomb"),
    ("path traversal", _traversal, "unsafe_path"),
    ("bad signature", _bad_signature, "bad_signature"),
    ("hash mismatch", _hash_mismatch, "hash_mismatch"),
    ("bad card", _bad_card, "bad_card"),
    ("not an age file", _not_age, "not_age"),
]


@pytest.mark.parametrize("make,code", [pytest.param(m, c, id=name) for name, m, c in REJECTIONS])
def test_each_rejection_has_its_code_and_writes_nothing(db, keyring, ctx, make, code):
    data = make(ctx.build)
    before = counts(db)
    result = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    assert (result.status, result.code) == ("rejected", code)
    assert result.message == svc.message_for(code) and result.child_id is None
    assert counts(db) == before
    rejected = [d for a, d in audit_actions(db) if a == "card.import_rejected"]
    assert len(rejected) == 1 and rejected[0]["code"] == code and rejected[0]["school_org_id"] == str(ctx.school.id)


def test_every_rejection_code_has_a_translatable_message(app):
    from sabidamu.crypto.package_format import ERROR_CODES
    from sabidamu.web.messages import MESSAGES
    assert {f"package_{c}" for c in ERROR_CODES} <= set(MESSAGES)
    assert len({str(MESSAGES[f"package_{c}"]) for c in ERROR_CODES}) == len(ERROR_CODES)


def test_unknown_sender_is_held_then_confirmed_and_remembered(db, keyring, ctx):
    secret, public = minisign.generate_keypair()
    stranger = SenderInfo(org_id=str(uuid.uuid4()), name="Басқа қаладағы балабақша", bin="990340012345",
                          signing_secret=secret)
    data = ctx.build.build(sender=stranger)
    before = counts(db)
    held = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    assert (held.status, held.code, held.child_id) == ("held", "unknown_sender", None)
    after = counts(db)
    assert after["child"] == before["child"] and after["imported_card"] == before["imported_card"]
    row = db.exec(select(TransferPackage).where(TransferPackage.status == "held")).one()
    assert row.sender_fingerprint == public.fingerprint and row.package_bytes == data
    assert svc.import_package(db, keyring, ctx.school.id, data, ctx.head).status == "held"  # no second row
    assert counts(db)["transfer_package"] == after["transfer_package"]
    assert [a for a, _ in audit_actions(db)].count("card.import_held") == 1
    # A teacher may not confirm; a wrong key is refused without change.
    with pytest.raises(AccessDenied):
        inbox_svc.confirm_sender_key(db, keyring, ctx.teacher, row.id, public.to_base64())
    db.rollback()
    _, other = minisign.generate_keypair()
    with pytest.raises(ServiceError) as caught:
        inbox_svc.confirm_sender_key(db, keyring, ctx.head, row.id, other.to_base64())
    assert caught.value.code == "fingerprint_mismatch"
    db.rollback()
    done = inbox_svc.confirm_sender_key(db, keyring, ctx.head, row.id, public.to_file_text())
    assert done.status == "imported" and done.child_id is not None
    db.expire_all()
    row = db.get(TransferPackage, row.id)
    assert (row.status, row.package_bytes, row.child_id) == ("imported", None, done.child_id)
    # The key is remembered: the next package of that sender is imported at once.
    nxt = svc.import_package(db, keyring, ctx.school.id, ctx.build.build(sender=stranger), ctx.head)
    assert nxt.status == "imported"


def test_other_school_kindergarten_staff_and_parent_cannot_import(db, keyring, ctx):
    data = ctx.build.build()
    for user in (ctx.head2, ctx.world.users["teacher1"], ctx.world.users["head1"], ctx.world.users["parentA"]):
        with pytest.raises(AccessDenied):
            svc.import_package(db, keyring, ctx.school.id, data, user)
        db.rollback()
    # A package for school1 is not for school2 (its key differs).
    assert svc.import_package(db, keyring, ctx.school2.id, data, ctx.head2).code == "wrong_recipient"


def test_school_teacher_may_import(db, keyring, ctx):
    assert svc.import_package(db, keyring, ctx.school.id, ctx.build.build(), ctx.teacher).status == "imported"


def test_upload_limits():
    limits = svc.UploadLimits(max_file_bytes=10, max_files=2, max_total_bytes=15)
    assert svc.check_upload([5, 5], limits) is None
    assert svc.check_upload([1, 1, 1], limits) == "too_many_files"
    assert svc.check_upload([10, 10], limits) == "upload_too_large"
