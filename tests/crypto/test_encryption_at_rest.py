"""Personal fields are stored only as ciphertext, bound to their row and field, with fresh nonces."""
import datetime as dt
import os
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sabidamu.crypto import aead
from sabidamu.crypto.aead import DecryptionError
from sabidamu.crypto.keyring import MasterKeys, unwrap_data_key, wrap_data_key
from sabidamu.models import Child
from sabidamu.services.children import add_child_by_parent, open_child
from tests.conftest import TEST_DB, need_tool
from tests.factories import make_user

NAME = "Ақбөпе Жолдасбекқызы"
NOTES = "Уникальная заметка 7f3a: любит рисовать"


def _add(db, keyring):
    from sabidamu.iin import make_iin
    parent = make_user(db, "p@example.kz")
    iin = make_iin(dt.date(2021, 3, 14), "f", 4242)
    child = add_child_by_parent(db, keyring, parent, name=NAME, birth_date=dt.date(2021, 3, 14), iin=iin,
                                gestational_weeks=35, notes=NOTES)
    return child, iin


def _raw_bytes(app, tmp_path) -> bytes:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        app.extensions["sabidamu.engine"].dispose()
        path = Path(url.split("///", 1)[1])
        data = path.read_bytes()
        for suffix in ("-wal", "-shm"):
            extra = Path(str(path) + suffix)
            if extra.exists():
                data += extra.read_bytes()
        return data
    pg_dump = need_tool("pg_dump")
    dbname = url.rsplit("/", 1)[1]
    out = subprocess.run([pg_dump, "-h", "127.0.0.1", "-U", "postgres", "--data-only", dbname],
                         check=True, capture_output=True)
    return out.stdout


def test_plaintext_absent_from_stored_bytes(app, db, keyring, tmp_path):
    child, iin = _add(db, keyring)
    assert open_child(keyring, db.get(Child, child.id)).name == NAME
    raw = _raw_bytes(app, tmp_path)
    assert len(raw) > 1000
    for secret in (NAME, iin, NOTES, "2021-03-14"):
        assert secret.encode() not in raw, secret
    # The ciphertext itself is there (the check above is not vacuous).
    assert child.name_ct[:17] in raw or child.name_ct.hex().encode() in raw


def test_ciphertext_moved_to_another_row_or_field_fails(db, keyring):
    child, _ = _add(db, keyring)
    other = Child(key_id=child.key_id)
    db.add(other)
    db.flush()
    with pytest.raises(DecryptionError):
        keyring.open("child", other.id, "name", child.name_ct)          # another row
    with pytest.raises(DecryptionError):
        keyring.open("child", child.id, "notes", child.name_ct)         # another field
    with pytest.raises(DecryptionError):
        keyring.open("screening", child.id, "name", child.name_ct)      # another table
    tampered = bytearray(child.name_ct)
    tampered[-1] ^= 1
    with pytest.raises(DecryptionError):
        keyring.open("child", child.id, "name", bytes(tampered))


def test_same_plaintext_twice_differs(keyring, db):
    child, _ = _add(db, keyring)
    a = keyring.seal(child.key_id, "child", child.id, "name", NAME)
    b = keyring.seal(child.key_id, "child", child.id, "name", NAME)
    assert a != b and a[17:29] != b[17:29]  # different nonces
    assert keyring.open("child", child.id, "name", a) == keyring.open("child", child.id, "name", b) == NAME


def test_blob_names_its_key_and_wrong_key_fails():
    key_id = uuid.uuid4()
    blob = aead.seal(AESGCM(os.urandom(32)), key_id, b"child|1|name", b"secret")
    assert aead.key_id_of(blob) == key_id
    with pytest.raises(DecryptionError):
        aead.open_sealed(AESGCM(os.urandom(32)), b"child|1|name", blob)


def test_data_key_wrap_is_bound_to_master_and_key_id():
    master = MasterKeys.parse("mk-a:" + "QUFB" * 10 + "QUE=")
    key_id, key = uuid.uuid4(), os.urandom(32)
    wrapped, mid = wrap_data_key(master, key_id, key)
    assert unwrap_data_key(master, key_id, wrapped, mid) == key
    with pytest.raises(DecryptionError):
        unwrap_data_key(master, uuid.uuid4(), wrapped, mid)


def test_family_key_then_org_key_on_enrolment(app, db, keyring):
    from sabidamu.models import DataKey
    from sabidamu.services.children import decide_enrollment, enroll_by_iin
    from tests.factories import add_member, make_group, make_org
    child, iin = _add(db, keyring)
    assert db.get(DataKey, child.key_id).owner_kind == "family"
    org = make_org(db, keyring, "KG")
    head = make_user(db, "head@example.kz")
    add_member(db, head, org, "head")
    group = make_group(db, org, "G")
    db.commit()
    # The form asks for the name and birth date of every child (a known IIN must not be told apart).
    enrollment = enroll_by_iin(db, keyring, head, group, iin=iin, name="Атын жазды", birth_date=dt.date(2021, 3, 14))
    assert enrollment.status == "pending"  # the parent confirms; no duplicate child
    parent = make_user(db, "other@example.kz")
    from sabidamu.services import AccessDenied
    with pytest.raises(AccessDenied):
        decide_enrollment(db, keyring, parent, enrollment.id, True)
    from sqlmodel import select

    from sabidamu.models import Guardianship
    real_parent_id = db.exec(select(Guardianship.user_id).where(Guardianship.child_id == child.id)).one()
    from sabidamu.models import User
    decide_enrollment(db, keyring, db.get(User, real_parent_id), enrollment.id, True)
    db.refresh(child)
    assert db.get(DataKey, child.key_id).owner_kind == "org"
    assert open_child(keyring, child).name == NAME
    assert db.exec(sa.select(sa.func.count()).select_from(Child)).one()[0] == 1


def test_iin_lookup_uses_blind_index(db, keyring):
    from sabidamu.crypto.blind_index import iin_index
    from sabidamu.services.children import find_by_iin
    child, iin = _add(db, keyring)
    assert find_by_iin(db, keyring, iin).id == child.id
    assert child.iin_index == iin_index(keyring.blind_index_key, iin) and iin not in child.iin_index
    assert iin_index(b"\x00" * 32, iin) != child.iin_index  # useless without the key


def test_demo_parent_identity_absent_from_stored_bytes(app, db, keyring, tmp_path):
    """A family's identity (the parent's name, e-mail, phone) links it to a child: it is sealed too."""
    from sabidamu.demo import DEMO_PARENT_PHONE, load_demo
    from sabidamu.services.auth import find_user
    from sabidamu.services.identity import identity_of
    load_demo(db, keyring)
    db.commit()
    parent = find_user(db, "parent@demo.sabidamu.kz")
    assert find_user(db, "8 701 123 45 67").id == parent.id  # sign-in by phone finds the same account
    ident = identity_of(parent, keyring)
    assert (ident.name, ident.email, ident.phone) == ("Айгерім Серікова", "parent@demo.sabidamu.kz", DEMO_PARENT_PHONE)
    raw = _raw_bytes(app, tmp_path)
    for secret in ("Айгерім Серікова", "Серікова", "parent@demo.sabidamu.kz", "parent@demo", DEMO_PARENT_PHONE,
                   DEMO_PARENT_PHONE[1:], "7011234567"):
        assert secret.encode() not in raw, secret
    assert parent.email_ct[:17] in raw or parent.email_ct.hex().encode() in raw


def test_sqlite_file_is_private(app, db, keyring):
    if TEST_DB != "sqlite":
        pytest.skip("SQLite only")
    from tests.factories import make_user
    make_user(db, "x@example.kz")
    db.commit()
    path = Path(app.config["DATABASE_URL"].split("///", 1)[1])
    for candidate in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        if candidate.exists():
            assert candidate.stat().st_mode & 0o077 == 0, (candidate, oct(candidate.stat().st_mode))


def test_new_sqlite_file_is_created_private(tmp_path):
    """Even with a permissive umask, a new database file (and its WAL) is readable by its owner only."""
    from sabidamu.db import make_engine
    old = os.umask(0)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
        with engine.begin() as c:
            c.exec_driver_sql("CREATE TABLE t (x)")
            c.exec_driver_sql("INSERT INTO t VALUES (1)")
        for name in ("new.sqlite3", "new.sqlite3-wal"):
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
        engine.dispose()
    finally:
        os.umask(old)
