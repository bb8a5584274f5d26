"""The export service: consent-checked, one signed and encrypted package per child, recorded and audited; the pure
open_package and the real `age` / `minisign` tools open and verify what it makes."""
from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest
from sqlmodel import select

from sabidamu.crypto import agekeys
from sabidamu.crypto.package import open_package
from sabidamu.models.transfer_package import TransferPackage
from sabidamu.services import AccessDenied, ServiceError
from sabidamu.services.transfer import export as svc
from sabidamu.services.transfer import keys as transfer_keys
from sabidamu.services.transfer import keys_page
from tests.conftest import need_tool
from tests.support.audit import audit_events
from tests.support.transfer import open_as_school
from tests.transfer.conftest import CONCLUSION, HOME_NOTE, add_parent, give_school_consent


def _export(app, db, keyring, user, child_ids, **kw):
    kw.setdefault("lang", "kk")
    with app.app_context():
        return svc.export_cards(db, keyring, user, child_ids, **kw)


def test_refused_without_consent_and_nothing_written(app, db, keyring, handover):
    result = _export(app, db, keyring, handover.head, [handover.child_a.id], to_org_id=handover.school.id)
    assert [c.refusal for c in result.children] == ["no_consent"]
    refused = result.children[0]
    assert refused.data is None and refused.file_name is None and refused.package_id is None
    assert "School 45" in refused.reason and refused.name == "Әлия Ахметова"
    assert db.exec(select(TransferPackage)).all() == []
    assert audit_events(db, "card.export") == []
    assert "Әлия Ахметова" in svc.index_text(result)  # named in the index's "not handed over" part


def test_exported_package_opens_for_the_school_and_verifies(app, db, keyring, handover):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    result = _export(app, db, keyring, handover.head, [handover.child_a.id, handover.child_a2.id], to_org_id=handover.school.id)
    assert [c.name for c in result.exported] == ["Әлия Ахметова"]
    assert [(c.name, c.refusal) for c in result.refused] == [("Бекзат Оспанов", "no_consent")]
    item = result.exported[0]
    opened = open_as_school(db, keyring, item.data, handover.school.id)
    assert opened.addressed_to_us
    assert opened.manifest["package_id"] == str(item.package_id)
    assert opened.manifest["sender"]["org_id"] == str(handover.org.id)
    assert opened.manifest["sender"]["signing_key_fingerprint"] == transfer_keys.active(db, handover.org.id, "minisign").fingerprint
    assert opened.manifest["recipient"]["org_id"] == str(handover.school.id)
    assert opened.card["child"]["full_name"] == "Әлия Ахметова"
    assert opened.card_pdf.startswith(b"%PDF")
    # Without the parent's permission for those parts: no conclusions, no home observations.
    assert "specialist_conclusions" not in opened.card and "home_observations" not in opened.card
    assert CONCLUSION not in json.dumps(opened.card, ensure_ascii=False)
    # Recorded: the export row, and the school's inbox copy (same installation).
    rows = db.exec(select(TransferPackage).where(TransferPackage.package_id == item.package_id)).all()
    assert sorted((r.direction, r.status) for r in rows) == [("export", "exported"), ("inbox", "delivered")]
    export_row = next(r for r in rows if r.direction == "export")
    assert export_row.sha256 == item.sha256 and export_row.child_id == handover.child_a.id
    assert export_row.recipient_org_id == handover.school.id and export_row.actor_id == handover.head.id
    # Audited: who, which organizations, which package; never content.
    (event,) = audit_events(db, "card.export")
    assert event.actor_id == handover.head.id and event.object_id == handover.child_a.id and event.org_id == handover.org.id
    assert event.detail["package_id"] == str(item.package_id)
    assert event.detail["to_org_id"] == str(handover.school.id) and event.detail["from_org_id"] == str(handover.org.id)
    assert "Әлия" not in json.dumps(event.detail, ensure_ascii=False)


def test_consented_parts_are_included(app, db, keyring, handover):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school,
                        parts=["conclusions", "home_observations"])
    result = _export(app, db, keyring, handover.head, [handover.child_a.id], to_org_id=handover.school.id, lang="ru")
    card = open_as_school(db, keyring, result.exported[0].data, handover.school.id).card
    assert card["language"] == "ru"
    assert [c["text"] for c in card["specialist_conclusions"]] == [CONCLUSION]
    assert [o["text"] for o in card["home_observations"]] == [HOME_NOTE]


def test_consent_for_another_school_does_not_count(app, db, keyring, handover):
    from tests.factories import make_org
    other = make_org(db, keyring, "School 7", kind="school")
    db.commit()
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, other)
    result = _export(app, db, keyring, handover.head, [handover.child_a.id], to_org_id=handover.school.id)
    assert [c.refusal for c in result.children] == ["no_consent"]


def test_uploaded_key_needs_a_directory_school_named_by_the_consent(app, db, keyring, handover):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    pair = agekeys.generate_identity()
    with pytest.raises(ServiceError) as caught:
        _export(app, db, keyring, handover.head, [handover.child_a.id], recipient=pair.recipient, school_name="Unknown school",
                school_bin="123456789012")
    assert caught.value.code == "school_not_in_directory"
    with pytest.raises(ServiceError) as caught:
        _export(app, db, keyring, handover.head, [handover.child_a.id], recipient="age1notakey", school_name="School 45",
                school_bin=handover.school.bin)
    assert caught.value.code == "bad_recipient"
    result = _export(app, db, keyring, handover.head, [handover.child_a.id], recipient=pair.recipient,
                     school_name="School No. 45", school_bin=handover.school.bin)
    item = result.exported[0]
    opened = open_package(item.data, identities=[pair.identity],
                          resolve_sender_key=lambda m: transfer_keys.sender_public_key(
                              db, m["sender"]["signing_key_fingerprint"])[1])
    assert opened.manifest["recipient"]["age_recipient"] == pair.recipient
    rows = db.exec(select(TransferPackage).where(TransferPackage.package_id == item.package_id)).all()
    assert [r.direction for r in rows] == ["export"]  # an uploaded key: no inbox delivery
    assert "School No. 45 (БСН 990140005555)" in svc.index_text(result)


@pytest.mark.parametrize("who", ["teacher1", "head2", "parentA"])
def test_only_the_head_of_the_kindergarten_exports(app, db, keyring, handover, who):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    with pytest.raises(AccessDenied):
        _export(app, db, keyring, handover.world.users[who], [handover.child_a.id], to_org_id=handover.school.id)
    assert db.exec(select(TransferPackage)).all() == []
    assert audit_events(db, "card.export") == []


def test_real_age_and_minisign_open_and_verify(app, db, keyring, handover, tmp_path):
    age, minisign_bin = need_tool("age"), need_tool("minisign")
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    item = _export(app, db, keyring, handover.head, [handover.child_a.id], to_org_id=handover.school.id).exported[0]
    (tmp_path / "child.sdcard").write_bytes(item.data)
    (tmp_path / "school.key").write_text(transfer_keys.identities_for(db, keyring, handover.school.id)[0] + "\n")
    subprocess.run([age, "-d", "-i", str(tmp_path / "school.key"), "-o", str(tmp_path / "card.zip"),
                    str(tmp_path / "child.sdcard")], check=True, capture_output=True, timeout=60)
    with zipfile.ZipFile(tmp_path / "card.zip") as archive:
        assert sorted(archive.namelist()) == ["card.json", "card.pdf", "manifest.json", "manifest.json.minisig"]
        archive.extractall(tmp_path / "card")
    name, pub = keys_page.public_key_file(db, handover.head, handover.org.id, "minisign")
    (tmp_path / name).write_text(pub)
    done = subprocess.run([minisign_bin, "-Vm", str(tmp_path / "card" / "manifest.json"), "-p", str(tmp_path / name)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"sdcard package {item.package_id}" in done.stdout


def test_a_package_made_before_rotation_still_opens(app, db, keyring, handover):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    before = _export(app, db, keyring, handover.head, [handover.child_a.id], to_org_id=handover.school.id).exported[0]
    old_recipient = transfer_keys.active(db, handover.school.id, "age").public
    keys_page.rotate_keys(db, keyring, handover.school_head, handover.school.id)
    keys_page.rotate_keys(db, keyring, handover.head, handover.org.id)  # the sender's signing key changes too
    assert transfer_keys.active(db, handover.school.id, "age").public != old_recipient
    opened = open_as_school(db, keyring, before.data, handover.school.id)
    assert opened.manifest["package_id"] == str(before.package_id)
    after = _export(app, db, keyring, handover.head, [handover.child_a.id], to_org_id=handover.school.id).exported[0]
    assert open_as_school(db, keyring, after.data, handover.school.id).manifest["recipient"]["age_recipient"] != old_recipient
    assert len(audit_events(db, "keys.rotate_transfer")) == 2


def test_group_export_and_index(app, db, keyring, handover):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    give_school_consent(db, keyring, add_parent(db, handover.child_a2), handover.child_a2, handover.school)
    result = _export(app, db, keyring, handover.head, [handover.child_a.id, handover.child_a2.id], to_org_id=handover.school.id)
    assert len(result.exported) == 2 and not result.refused
    index = svc.index_text(result)
    for item in result.exported:
        assert f"{item.name}\t{item.file_name}\t{item.package_id}\t{item.sha256}" in index
    from sabidamu.jobs.transfer_zip import bundle
    with zipfile.ZipFile(io.BytesIO(bundle(result))) as archive:
        assert sorted(archive.namelist()) == sorted([c.file_name for c in result.exported] + ["index.txt"])
