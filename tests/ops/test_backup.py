"""`flask backup create` / `restore`: an age-encrypted, consistent copy; restored counts match and the audit chain
still verifies against the checkpoints outside the database; a damaged file or a wrong key changes nothing."""
from __future__ import annotations

import uuid
from pathlib import Path

import pyrage
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from sabidamu.services.backup import row_counts
from tests.conftest import PG_ADMIN_URL, TEST_DB
from tests.support.audit import add_events, run_cli


@pytest.fixture
def age_keys(tmp_path):
    identity = pyrage.x25519.Identity.generate()
    path = tmp_path / "backup-identity.txt"
    path.write_text(str(identity) + "\n")
    return str(identity.to_public()), str(path)


@pytest.fixture
def empty_target(tmp_path, environ):
    """A second app on an empty database, sharing the first one's checkpoint file (it lives outside both)."""
    from sabidamu import create_app
    cleanup = None
    if TEST_DB == "postgresql":
        name = f"sabidamu_restore_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        cleanup = (admin, name)
    else:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    env = dict(environ, SABIDAMU_DATABASE_URL=url, SABIDAMU_INSTANCE_DIR=str(tmp_path / "instance2"),
               SABIDAMU_AUDIT_CHECKPOINTS=str(tmp_path / "instance" / "audit-checkpoints.jsonl"))
    target = create_app({"TESTING": True}, environ=env)
    yield target
    target.extensions["sabidamu.engine"].dispose()
    if cleanup:
        admin, name = cleanup
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _backup(app, tmp_path, recipient) -> tuple:
    out = tmp_path / "backups" / "b.age"
    counts = row_counts(app.extensions["sabidamu.engine"])  # the backup.create event comes after the copy
    code, text = run_cli(app, "backup", "create", "--out", str(out), "--recipient", recipient)
    assert code == 0, text
    assert "master key file is not in it" in text
    return out, counts


def test_round_trip_keeps_every_row_and_the_audit_chain(app, db, world, tmp_path, age_keys, empty_target):
    recipient, identity = age_keys
    add_events(app, 5)
    assert run_cli(app, "audit", "checkpoint")[0] == 0
    out, counts = _backup(app, tmp_path, recipient)
    assert out.stat().st_mode & 0o777 == 0o600
    raw = out.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1") and "Ахметова".encode() not in raw
    assert b"master.keys" not in pyrage.decrypt(raw, [pyrage.x25519.Identity.from_str(Path(identity).read_text().strip())])

    code, text = run_cli(empty_target, "backup", "restore", str(out), "--identity", identity)
    assert code == 0, text
    restored = row_counts(empty_target.extensions["sabidamu.engine"])
    assert restored == counts and restored["child"] == 3 and restored["auditevent"] >= 6
    code, text = run_cli(empty_target, "audit", "verify")
    assert code == 0 and text.startswith("OK: ") and "1 signed checkpoints match" in text
    # The master key is separate: with it the restored data opens (same key in this test's environment).
    from sabidamu.db import session_scope
    from sabidamu.models import Child
    from sabidamu.services.children import open_child
    with session_scope(empty_target.extensions["sabidamu.engine"], write=False) as s:
        names = {open_child(empty_target.extensions["sabidamu.keyring"], c).name for c in s.exec(select(Child)).all()}
    assert "Әлия Ахметова" in names

    # A second restore into the now non-empty database is refused without --yes.
    code, text = run_cli(empty_target, "backup", "restore", str(out), "--identity", identity)
    assert code == 2 and "not_empty" in text


def test_corrupt_or_wrong_key_backup_is_refused_and_changes_nothing(app, db, world, tmp_path, age_keys, empty_target):
    recipient, identity = age_keys
    out, _counts = _backup(app, tmp_path, recipient)
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x40
    damaged = tmp_path / "damaged.age"
    damaged.write_bytes(bytes(data))
    engine = empty_target.extensions["sabidamu.engine"]
    SQLModel.metadata.create_all(engine)  # an empty schema, as after `flask db upgrade`
    before = row_counts(engine)

    code, text = run_cli(empty_target, "backup", "restore", str(damaged), "--identity", identity)
    assert code == 1 and text.startswith("RESTORE REFUSED (decrypt)")

    other = tmp_path / "other-identity.txt"
    other.write_text(str(pyrage.x25519.Identity.generate()) + "\n")
    code, text = run_cli(empty_target, "backup", "restore", str(out), "--identity", str(other))
    assert code == 1 and "wrong key" in text

    not_age = tmp_path / "plain.age"
    not_age.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    code, text = run_cli(empty_target, "backup", "restore", str(not_age), "--identity", identity)
    assert code == 1 and "(decrypt)" in text
    assert row_counts(engine) == before and sum(before.values()) == 0

    code, text = run_cli(empty_target, "backup", "restore", str(out))
    assert code == 2 and "no backup identity" in text


def test_backup_needs_a_key(app, tmp_path, monkeypatch):
    monkeypatch.delenv("SABIDAMU_BACKUP_RECIPIENT", raising=False)
    code, text = run_cli(app, "backup", "create", "--out", str(tmp_path / "x.age"))
    assert code == 2 and "no backup recipient or passphrase" in text
    assert not (tmp_path / "x.age").exists()
