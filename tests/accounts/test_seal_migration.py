"""`flask accounts seal`: accounts made before sealing move to sealed columns online, in resumable batches."""
from __future__ import annotations

import json

from sqlmodel import select

from sabidamu.models import Membership, User
from sabidamu.services.auth import find_user
from sabidamu.services.identity import display_name, identity_of
from tests.factories import _HASH, PASSWORD, make_org
from tests.support.auth import sign_in_with_password

LEGACY = [("Айгүл Серікова", "aigul@example.kz", None), ("Бауыржан Омаров", None, "+77015550001"),
          ("Сәуле Жұмабекова", "saule@example.kz", None)]


def _legacy_rows(db, keyring):
    """Rows as an older version wrote them: plaintext login columns, no key."""
    users = []
    for name, email, phone in LEGACY:
        user = User(full_name=name, legacy_email=email, legacy_phone=phone, password_hash=_HASH)
        db.add(user)
        users.append(user)
    db.flush()
    org = make_org(db, keyring, "KG")
    db.add(Membership(user_id=users[2].id, org_id=org.id, role="teacher"))  # Сәуле is staff
    db.commit()
    return users


def test_partial_migration_keeps_sign_in_and_resumes(app, db, keyring):
    _legacy_rows(db, keyring)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["accounts", "seal", "--batch-size", "1", "--max-rows", "1"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"sealed": 1, "remaining": 2}
    db.rollback()  # a new transaction sees what the command committed
    sealed = db.exec(select(User).where(User.key_id.is_not(None))).all()
    assert len(sealed) == 1 and sealed[0].legacy_email is None and sealed[0].legacy_phone is None
    # The mixed state: every account is found and signs in, sealed or not.
    for name, email, phone in LEGACY:
        user = find_user(db, email or phone)
        assert identity_of(user, keyring).name == name
        client = app.test_client()
        assert sign_in_with_password(client, email or phone, PASSWORD).status_code == 302
    second = runner.invoke(args=["accounts", "seal", "--batch-size", "2"])
    assert json.loads(second.output) == {"sealed": 2, "remaining": 0}
    again = runner.invoke(args=["accounts", "seal"])
    assert json.loads(again.output) == {"sealed": 0, "remaining": 0}
    db.rollback()  # a new transaction sees what the command committed
    for name, email, phone in LEGACY:
        user = find_user(db, email or phone)
        assert user.legacy_email is None and user.legacy_phone is None and user.key_id is not None
        assert identity_of(user, keyring) .name == name and identity_of(user, keyring).login == (email or phone)
        assert display_name(user, keyring) == name
    # Parents' names leave the readable column; the teacher's stays.
    assert find_user(db, "aigul@example.kz").full_name == ""
    assert find_user(db, "saule@example.kz").full_name == "Сәуле Жұмабекова"


def test_sealed_rows_follow_data_key_rotation(app, db, keyring):
    _legacy_rows(db, keyring)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["accounts", "seal"]).exit_code == 0
    db.rollback()  # a new transaction sees what the command committed
    before = {u.id: u.key_id for u in db.exec(select(User)).all()}
    result = runner.invoke(args=["keys", "rotate", "--data"])
    assert result.exit_code == 0, result.output
    db.rollback()  # a new transaction sees what the command committed
    for user in db.exec(select(User)).all():
        assert user.key_id != before[user.id]
    assert identity_of(find_user(db, "+7 701 555 00 01"), keyring).name == "Бауыржан Омаров"
