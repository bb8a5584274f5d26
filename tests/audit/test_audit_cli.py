"""`flask audit sequence / verify / prove / consistency / public-key` on a real database, after tampering with
rows, tree nodes and checkpoints by SQL and by editing the notes file; key rotation and refused access write
events too. (Rewritten for the Merkle log: the v1 hash-chain cases live on in tests/audit/test_v1_bridge.py.)"""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlmodel import select

from sabidamu.audit import merkle
from sabidamu.audit.note import open_checkpoint, parse_vkey
from sabidamu.models import AuditEvent
from sabidamu.services.audit_admin import notes_path, vkeys_path
from tests.conftest import TEST_DB
from tests.support.audit import add_events, run_cli
from tests.support.auth import sign_in_with_password

TEST_SQLITE = TEST_DB == "sqlite"


def _event_at(db, leaf: int) -> str:
    return str(db.exec(select(AuditEvent.id).where(AuditEvent.leaf_index == leaf)).one())


def _sql(db, statement: str, **params) -> None:
    db.execute(sa.text(statement), params)
    db.commit()


@pytest.fixture
def chained(app, db):
    add_events(app)
    code, out = run_cli(app, "audit", "sequence")
    assert code == 0 and out.startswith("sequenced 6 events: tree size 6, signed"), out
    return app


def test_intact_log_verifies_and_the_run_is_audited(chained, db):
    code, out = run_cli(chained, "audit", "verify")
    assert code == 0, out
    assert out.startswith("OK: 6 leaves verified, 1 signed checkpoints match")
    actions = db.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-1] == "audit.verify"
    settings = chained.config["SETTINGS"]
    assert settings.audit_signing_key_file.stat().st_mode & 0o777 == 0o600
    # The verifier key is printed in signed-note form and listed beside the notes file.
    code, out = run_cli(chained, "audit", "public-key")
    assert code == 0 and out.strip() in vkeys_path(settings).read_text().split()
    verifier = parse_vkey(out.strip())
    assert verifier.name == settings.audit_origin
    from sabidamu.services.audit_log import read_notes_file
    (note,) = read_notes_file(notes_path(settings))
    assert open_checkpoint(note, [verifier], settings.audit_origin).size == 6


def test_prove_and_consistency_print_proofs_that_verify(chained, db):
    event_id = _event_at(db, 3)
    add_events(chained, 5)
    assert run_cli(chained, "audit", "sequence")[0] == 0
    code, out = run_cli(chained, "audit", "prove", "--event", event_id)
    assert code == 0, out
    proof = json.loads(out)
    assert set(proof) == {"leaf_index", "tree_size", "leaf_hash", "inclusion_path", "checkpoint"}
    assert proof["leaf_index"] == 3 and proof["tree_size"] == 11
    verifier = parse_vkey(run_cli(chained, "audit", "public-key")[1].strip())
    cp = open_checkpoint(proof["checkpoint"], [verifier])
    merkle.verify_inclusion(3, cp.size, bytes.fromhex(proof["leaf_hash"]),
                            [bytes.fromhex(h) for h in proof["inclusion_path"]], cp.root)
    code, out = run_cli(chained, "audit", "consistency", "--from", "6", "--to", "11")
    assert code == 0, out
    data = json.loads(out)
    assert data["size1"] == 6 and data["size2"] == 11
    from sabidamu.services.audit_log import read_notes_file
    roots = {}
    for note in read_notes_file(notes_path(chained.config["SETTINGS"])):
        c = open_checkpoint(note, [verifier])
        roots[c.size] = c.root
    assert set(roots) == {6, 11}
    merkle.verify_consistency(6, 11, [bytes.fromhex(h) for h in data["proof"]], roots[6], roots[11])
    # Sizes without a signed checkpoint, and unknown events, get a clear refusal.
    assert run_cli(chained, "audit", "consistency", "--from", "5", "--to", "11")[0] == 2
    code, out = run_cli(chained, "audit", "prove", "--event", "00000000-0000-4000-8000-000000000000")
    assert code == 2 and "NO PROOF" in out


def test_edited_row_is_named(chained, db):
    bad = _event_at(db, 3)
    _sql(db, "UPDATE auditevent SET action = 'child.view' WHERE leaf_index = 3")
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1
    assert out.startswith("TAMPERED: leaf-mac at leaf 3") and bad in out


def test_row_edited_before_it_is_sequenced_is_named(chained, db):
    add_events(chained, 2)
    pending = db.exec(select(AuditEvent.id).where(AuditEvent.leaf_index.is_(None))
                      .order_by(AuditEvent.seq)).first()
    _sql(db, "UPDATE auditevent SET actor_role = 'head' WHERE id = :i", i=pending.hex if TEST_SQLITE else str(pending))
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: pending-mac") and str(pending) in out
    # Sequenced anyway (the log must not stall), and still named afterwards by its leaf.
    assert "wrong MAC" in run_cli(chained, "audit", "sequence")[1]
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: leaf-mac at leaf 6") and str(pending) in out


def test_edit_with_the_mac_key_is_caught_by_the_tree(chained, db):
    """An insider who also holds the MAC key rewrites a row and its MAC: the stored leaf hash and then the
    signed root still show it."""
    from sabidamu.audit.event import event_mac
    from sabidamu.services.audit import mac_key_for, row_bytes
    row = db.exec(select(AuditEvent).where(AuditEvent.leaf_index == 2)).one()
    row.detail = {"i": 99}
    row.mac = event_mac(mac_key_for(db), row_bytes(row))
    db.commit()
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: node at leaf 2")
    # ... and rewrites every stored node too: the signed checkpoint does not move.
    _rewrite_nodes(db)
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: root at leaf 5")


def _rewrite_nodes(db) -> None:
    from sabidamu.services.audit import row_bytes
    rows = db.exec(select(AuditEvent).where(AuditEvent.leaf_index.is_not(None)).order_by(AuditEvent.leaf_index)).all()
    cr = merkle.CompactRange()
    db.execute(sa.text("DELETE FROM auditnode"))
    for r in rows:
        for level, index, h in cr.append(merkle.leaf_hash(row_bytes(r))):
            db.execute(sa.text("INSERT INTO auditnode (last_leaf, level, hash) VALUES (:k, :l, :h)"),
                       {"k": merkle.node_key(level, index), "l": level, "h": h})
    db.commit()


def test_tampered_node_is_named(chained, db):
    _sql(db, "UPDATE auditnode SET hash = :h WHERE level = 1 AND last_leaf = 3", h=b"\x00" * 32)
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: node at leaf 3") and "(1, 1)" in out


def test_deleted_row_is_named(chained, db):
    _sql(db, "DELETE FROM auditevent WHERE leaf_index = 4")
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: leaf-order at leaf 4")
    assert _event_at(db, 5) in out  # the row found in its place


def test_swapped_rows_are_named(chained, db):
    moved = _event_at(db, 3)
    _sql(db, "UPDATE auditevent SET leaf_index = -1 WHERE leaf_index = 2")
    _sql(db, "UPDATE auditevent SET leaf_index = 2 WHERE leaf_index = 3")
    _sql(db, "UPDATE auditevent SET leaf_index = 3 WHERE leaf_index = -1")
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and "at leaf 2" in out and moved in out


def test_truncated_log_is_caught(chained, db):
    _sql(db, "DELETE FROM auditevent WHERE leaf_index >= 4")
    _sql(db, "DELETE FROM auditnode WHERE last_leaf >= 4")
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: truncated")


def test_tampered_checkpoint_in_the_database_is_caught(chained, db):
    note = db.execute(sa.text("SELECT note FROM auditcheckpoint")).scalar_one()
    _sql(db, "UPDATE auditcheckpoint SET note = :n", n=note.replace("\n6\n", "\n5\n"))
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: checkpoint") and "invalid signature" in out


def test_tampered_notes_file_is_caught(chained, db):
    path = notes_path(chained.config["SETTINGS"])
    text = path.read_text()
    lines = text.split("\n")
    lines[2] = lines[2][:10] + ("A" if lines[2][10] != "A" else "B") + lines[2][11:]  # the root hash line
    path.write_text("\n".join(lines))
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: checkpoint") and "note 1" in out


def test_deleted_checkpoint_rows_are_caught_by_the_file(chained, db):
    _sql(db, "DELETE FROM auditcheckpoint")
    code, out = run_cli(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: checkpoint") and "missing from the database" in out


def test_missing_verifier_keys_cannot_verify(chained):
    vkeys_path(chained.config["SETTINGS"]).unlink()
    code, out = run_cli(chained, "audit", "verify")
    assert code == 2 and "verifier key file not found" in out


def test_rolled_back_request_never_reaches_the_tree(app, db):
    from sabidamu.db import session_scope
    from sabidamu.services.audit import record
    add_events(app, 2)
    with pytest.raises(RuntimeError), session_scope(app.extensions["sabidamu.engine"]) as s:
        record(s, None, "test.rolled_back", role="system")
        raise RuntimeError("the request failed")
    add_events(app, 1)
    assert run_cli(app, "audit", "sequence")[0] == 0
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.leaf_index.is_not(None))
                      .order_by(AuditEvent.leaf_index)).all()
    assert actions == ["test.event"] * 3
    assert run_cli(app, "audit", "verify")[0] == 0


def test_key_rotation_is_audited(app, db, world):
    code, out = run_cli(app, "keys", "rotate", "--data")
    assert code == 0, out
    db.rollback()  # a fresh snapshot (the fixture's session may have read before the command wrote)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "keys.rotate")).one()
    assert event.detail["kind"] == "data" and event.detail["new_data_keys"] >= 2
    assert "key" not in " ".join(str(v) for v in event.detail.values() if isinstance(v, str))
    # The staff TOTP secrets (sealed under each user's own key) were re-sealed under the new keys too.
    from sabidamu.models import DataKey
    from sabidamu.models.security import StaffTotp
    rows = db.exec(select(StaffTotp).execution_options(populate_existing=True)).all()
    assert len(rows) == 3 and all(db.get(DataKey, r.key_id).active for r in rows)
    from tests.factories import TOTP_SECRETS
    db.rollback()
    assert sign_in_with_password(app.test_client(), "head1@example.kz").headers["Location"].endswith("/home")
    assert TOTP_SECRETS["head1@example.kz"]


def test_refused_access_is_audited(app, client, db, world):
    sign_in_with_password(client, "parentb@example.kz")
    assert client.get(f"/children/{world.children['A'].id}").status_code == 403
    db.rollback()  # a fresh snapshot (the fixture's session may have read before the request wrote)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert event.actor_id == world.users["parentB"].id and event.detail["path"].startswith("/children/")

