"""`flask audit verify` / `checkpoint` on a real database, after tampering with rows by SQL; key rotation and
refused access write events too."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlmodel import select

from sabidamu.audit.chain import next_hash
from sabidamu.models import AuditEvent
from sabidamu.services.audit import record, to_record
from tests.factories import login


def _events(app, n: int = 6) -> None:
    from sabidamu.db import session_scope
    with session_scope(app.extensions["sabidamu.engine"]) as s:
        for i in range(n):
            record(s, None, "test.event", role="system", detail={"i": i})
            s.commit()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def _event_id(db, seq: int) -> str:
    return str(db.exec(select(AuditEvent.id).where(AuditEvent.seq == seq)).one())


def _sql(db, statement: str, **params) -> None:
    db.execute(sa.text(statement), params)
    db.commit()


@pytest.fixture
def chained(app, db):
    _events(app)
    code, out = run(app, "audit", "checkpoint")
    assert code == 0 and "signed checkpoint at seq 6" in out
    return app


def test_intact_chain_verifies_and_the_run_is_audited(chained, db):
    code, out = run(chained, "audit", "verify")
    assert code == 0, out
    assert out.startswith("OK: ") and "1 checkpoints match" in out
    actions = db.exec(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-2:] == ["audit.checkpoint", "audit.verify"]
    # The signing key stays outside the database, 0600; its public key is listed beside the checkpoints.
    settings = chained.config["SETTINGS"]
    assert settings.audit_signing_key_file.stat().st_mode & 0o777 == 0o600
    pub = settings.audit_checkpoint_file.with_name(settings.audit_checkpoint_file.name + ".pubkeys").read_text()
    key_id = settings.audit_signing_key_file.read_text().split(":")[0]
    assert pub.startswith(key_id + " ")


def test_checkpoint_skips_when_nothing_new_and_signs_again_later(chained):
    code, out = run(chained, "audit", "checkpoint")  # only its own audit.checkpoint event is new
    assert code == 0 and "signed checkpoint at seq 7" in out
    lines = chained.config["SETTINGS"].audit_checkpoint_file.read_text().splitlines()
    assert [int(re.search(r'"seq":(\d+)', ln).group(1)) for ln in lines] == [6, 7]


def test_edited_row_is_named(chained, db):
    bad = _event_id(db, 3)
    _sql(db, "UPDATE auditevent SET action = 'child.view' WHERE seq = 3")
    code, out = run(chained, "audit", "verify")
    assert code == 1
    assert out.startswith("TAMPERED: changed at seq 3") and bad in out


def test_deleted_row_is_named(chained, db):
    _sql(db, "DELETE FROM auditevent WHERE seq = 4")
    code, out = run(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: gap at seq 4")
    assert _event_id(db, 5) in out  # the next row that is there


def test_swapped_rows_are_named(chained, db):
    moved = _event_id(db, 3)
    _sql(db, "UPDATE auditevent SET seq = -1 WHERE seq = 2")
    _sql(db, "UPDATE auditevent SET seq = 2 WHERE seq = 3")
    _sql(db, "UPDATE auditevent SET seq = 3 WHERE seq = -1")
    code, out = run(chained, "audit", "verify")
    assert code == 1 and "at seq 2" in out and moved in out


def test_rewritten_and_rehashed_chain_is_caught_by_the_checkpoint(chained, db):
    """An insider edits a row and recomputes every later hash: the chain alone looks fine."""
    _sql(db, "UPDATE auditevent SET detail = :d WHERE seq = 2", d='{"i": 99}')
    prev = db.exec(select(AuditEvent.chain_hash).where(AuditEvent.seq == 1)).one()
    for row in db.exec(select(AuditEvent).where(AuditEvent.seq >= 2).order_by(AuditEvent.seq)).all():
        db.refresh(row)
        row.chain_hash = next_hash(prev, to_record(row))
        prev = row.chain_hash
    db.commit()
    code, out = run(chained, "audit", "verify", "--chain-only")
    assert code == 0 and "weaker" in out
    code, out = run(chained, "audit", "verify")
    assert code == 1 and "changed at seq 6" in out and "checkpoint" in out


def test_truncated_chain_is_caught(chained, db):
    _sql(db, "DELETE FROM auditevent WHERE seq >= 5")
    code, out = run(chained, "audit", "verify")
    assert code == 1 and out.startswith("TAMPERED: truncated at seq 5")


def test_tampered_checkpoint_file_cannot_verify(chained, db):
    path = chained.config["SETTINGS"].audit_checkpoint_file
    text = path.read_text()
    path.write_text(text.replace('"seq":6', '"seq":5'))
    code, out = run(chained, "audit", "verify")
    assert code == 2 and out.startswith("CANNOT VERIFY: checkpoint line 1: signature does not verify")
    # Nor is a new checkpoint signed over checkpoints that do not verify.
    code, out = run(chained, "audit", "checkpoint")
    assert code == 2 and "NOT SIGNED" in out
    assert path.read_text() == text.replace('"seq":6', '"seq":5')


def test_missing_checkpoint_file_cannot_verify(chained):
    chained.config["SETTINGS"].audit_checkpoint_file.unlink()
    code, out = run(chained, "audit", "verify")
    assert code == 2 and "checkpoint file not found" in out


def test_checkpoint_refuses_to_sign_a_broken_chain(chained, db):
    _sql(db, "UPDATE auditevent SET actor_role = 'head' WHERE seq = 7")  # after the checkpoint
    lines_before = chained.config["SETTINGS"].audit_checkpoint_file.read_text()
    code, out = run(chained, "audit", "checkpoint")
    assert code == 1 and "NOT SIGNED: TAMPERED: changed at seq 7" in out
    assert chained.config["SETTINGS"].audit_checkpoint_file.read_text() == lines_before


def test_key_rotation_is_audited(app, db, world):
    code, out = run(app, "keys", "rotate", "--data")
    assert code == 0, out
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
    assert login(app.test_client(), "head1@example.kz").headers["Location"].endswith("/home")
    assert TOTP_SECRETS["head1@example.kz"]


def test_refused_access_is_audited(app, client, db, world):
    login(client, "parentb@example.kz")
    assert client.get(f"/children/{world.children['A'].id}").status_code == 403
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert event.actor_id == world.users["parentB"].id and event.detail["path"].startswith("/children/")
