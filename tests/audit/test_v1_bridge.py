"""Migration from the v1 hash chain: the old rows stay verifiable (against their v1 signed checkpoints), and the
chain's final head becomes leaf 0 of the Merkle tree, so one inclusion proof links the two logs."""
from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from sqlmodel import select

from sabidamu.audit import merkle
from sabidamu.audit.chain import GENESIS_HASH, AuditRecord, next_hash
from sabidamu.audit.checkpoint import CheckpointSigner, append_checkpoint, generate_keypair
from sabidamu.audit.event import v1_head_detail
from sabidamu.models import AuditEvent
from sabidamu.models.base import utcnow
from tests.conftest import TEST_DB
from tests.support.audit import add_events, run_cli


def _write_v1_chain(app, n: int = 5) -> bytes:
    """Rows as the v1 writer left them (seq 1..n, chain hashes), and one v1 checkpoint of the head."""
    from sabidamu.db import session_scope
    engine = app.extensions["sabidamu.engine"]
    prev = GENESIS_HASH
    with session_scope(engine) as s:
        for seq in range(1, n + 1):
            rec = AuditRecord(seq=seq, event_id=str(uuid.uuid4()), at=utcnow(), actor_id=None, actor_role="system",
                              org_id=None, action="test.v1", object_type=None, object_id=None, detail={"n": seq})
            prev = next_hash(prev, rec)
            s.execute(sa.insert(AuditEvent.__table__).values(
                id=uuid.UUID(rec.event_id), seq=seq, at=rec.at, actor_role="system", action="test.v1",
                detail={"n": seq}, chain_hash=prev))
        if TEST_DB == "postgresql":  # what the migration does: the identity continues after the v1 rows
            s.execute(sa.text("SELECT setval(pg_get_serial_sequence('auditevent', 'seq'), :n)"), {"n": n})
    settings = app.config["SETTINGS"]
    private, public = generate_keypair()
    settings.audit_checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
    append_checkpoint(settings.audit_checkpoint_file, CheckpointSigner(private, "audit-v1"), n, prev, utcnow())
    settings.audit_checkpoint_file.with_name(settings.audit_checkpoint_file.name + ".pubkeys").write_text(
        f"audit-v1 {public.hex()}\n")
    return prev


def test_v1_head_is_leaf_zero_and_both_logs_verify(app, db):
    head = _write_v1_chain(app)
    add_events(app, 3)
    code, out = run_cli(app, "audit", "sequence")
    assert code == 0 and "tree size 4" in out, out
    first = db.exec(select(AuditEvent).where(AuditEvent.leaf_index == 0)).one()
    assert first.action == "audit.v1_head" and first.detail == v1_head_detail(5, head)
    code, out = run_cli(app, "audit", "verify")
    assert code == 0, out
    assert "v1 chain: 5 events verified, its head is leaf 0" in out
    # One proof links them: leaf 0 (holding the v1 head) is in the signed tree.
    code, out = run_cli(app, "audit", "prove", "--event", str(first.id))
    proof = json.loads(out)
    assert code == 0 and proof["leaf_index"] == 0 and proof["tree_size"] == 4
    from sabidamu.audit.note import open_checkpoint, parse_vkey
    cp = open_checkpoint(proof["checkpoint"], [parse_vkey(run_cli(app, "audit", "public-key")[1].strip())])
    merkle.verify_inclusion(0, 4, bytes.fromhex(proof["leaf_hash"]),
                            [bytes.fromhex(h) for h in proof["inclusion_path"]], cp.root)


def test_tampered_v1_row_is_still_named(app, db):
    _write_v1_chain(app)
    add_events(app, 1)
    assert run_cli(app, "audit", "sequence")[0] == 0
    db.execute(sa.text("UPDATE auditevent SET detail = :d WHERE seq = 3"), {"d": '{"n": 30}'})
    db.commit()
    code, out = run_cli(app, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: v1 chain changed at seq 3")


def test_sequencer_refuses_to_bridge_a_broken_v1_chain(app, db):
    _write_v1_chain(app)
    db.execute(sa.text("UPDATE auditevent SET action = 'child.view' WHERE seq = 2"))
    db.commit()
    add_events(app, 1)
    code, out = run_cli(app, "audit", "sequence")
    assert code == 1 and "v1 audit chain does not verify" in out
    assert db.exec(select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.leaf_index.is_not(None))).one() == 0
