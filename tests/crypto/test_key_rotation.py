"""Online key rotation: reads work in the mixed state; an interrupted job resumes; master key re-wrap."""
import pytest
from sqlmodel import select

from sabidamu.models import Child, DataKey
from sabidamu.services.children import open_child
from tests.factories import make_child, make_group, make_org


@pytest.fixture
def many_children(db, keyring):
    org = make_org(db, keyring, "KG")
    group = make_group(db, org, "G")
    names = [f"Бала {i} Қасымұлы" for i in range(30)]
    for name in names:
        make_child(db, keyring, name, group=group)
    db.commit()
    return org, names


def _names(app, db):
    keyring = app.extensions["sabidamu.keyring"]
    return sorted(open_child(keyring, c).name for c in db.exec(select(Child)).all())


def test_data_key_rotation_interrupted_and_resumed(app, db, keyring, many_children, environ):
    org, names = many_children
    old_key = db.exec(select(DataKey).where(DataKey.owner_id == org.id)).one()
    from sabidamu.services.sealing import SEALED_TABLES
    sealed_rows = sum(len(db.exec(select(m.id).where(m.key_id == old_key.id)).all()) for m in SEALED_TABLES)
    assert sealed_rows >= 30  # the 30 children, and the organization's transfer keys
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate", "--data", "--org", str(org.id), "--batch-size", "7",
                                 "--max-rows", "10"])
    assert result.exit_code == 0, result.output
    assert '"resealed": 10' in result.output and f'"remaining": {sealed_rows - 10}' in result.output
    # Mixed state: some rows under the new key, some under the old; every row still reads.
    db.rollback()  # end the read snapshot taken before the command ran
    key_ids = {c.key_id for c in db.exec(select(Child)).all()}
    assert len(key_ids) == 2
    assert _names(app, db) == sorted(names)
    # A fresh process (empty key cache) reads the mixed state too.
    from sabidamu import create_app
    fresh = create_app({"TESTING": True}, environ=environ)
    assert _names(fresh, db) == sorted(names)
    result = runner.invoke(args=["keys", "resume"])
    assert result.exit_code == 0 and '"remaining": 0' in result.output and '"retired": 1' in result.output
    db.rollback()  # end the read snapshot taken before the command ran
    assert {c.key_id for c in db.exec(select(Child)).all()} == {
        db.exec(select(DataKey.id).where(DataKey.owner_id == org.id, DataKey.active == True)).one()}  # noqa: E712
    db.refresh(old_key)
    assert old_key.retired_at is not None
    assert _names(app, db) == sorted(names)


def test_master_key_rotation_rewraps(app, db, tmp_path, many_children, environ):
    from sabidamu import create_app
    keyfile = tmp_path / "master.keys"
    keyfile.write_text(environ["SABIDAMU_MASTER_KEYS"] + "\n")
    env = {k: v for k, v in environ.items() if k != "SABIDAMU_MASTER_KEYS"}
    env["SABIDAMU_MASTER_KEY_FILE"] = str(keyfile)
    app2 = create_app({"TESTING": True}, environ=env)
    _org, names = many_children
    result = app2.test_cli_runner().invoke(args=["keys", "rotate", "--master"])
    assert result.exit_code == 0, result.output
    assert len(keyfile.read_text().splitlines()) == 2
    db.rollback()  # end the read snapshot taken before the command ran
    new_master = keyfile.read_text().splitlines()[-1].split(":")[0]
    assert {k.master_key_id for k in db.exec(select(DataKey)).all()} == {new_master}
    app3 = create_app({"TESTING": True}, environ=env)
    assert _names(app3, db) == sorted(names)
