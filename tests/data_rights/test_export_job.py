"""A parent's export of everything about their child runs as a background job (issue 14): the ZIP is sealed in the
database under the child's own data key, keeps no name in its parameters, is read once by the parent who asked
(while still a guardian), and every step is audited. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa
from sqlmodel import select

from sabidamu.models import AuditEvent, Guardianship
from sabidamu.models.jobs import JobResult
from tests.support.auth import sign_in_with_password
from tests.support.exports import export_zip


def _start(client, child_id) -> str:
    started = client.post(f"/account/children/{child_id}/export")
    assert started.status_code == 303
    return started.headers["Location"]


def test_a_home_childs_export_is_sealed_under_the_family_key_without_a_name(app, client, db, world):
    child = world.children["B"]
    sign_in_with_password(client, "parentb@example.kz")
    job_url = _start(client, child.id)
    db.rollback()
    row = db.exec(select(JobResult)).one()
    assert row.kind == "data_export" and row.state == "done" and row.org_id is None
    assert row.key_id == child.key_id  # the family's key: the same key that seals the child's row
    stored = json.dumps({"params": row.params, "child_ids": row.child_ids}, ensure_ascii=False)
    assert "Борис" not in stored and row.params["child_id"] == str(child.id)
    assert row.result_ct and b"export.json" not in row.result_ct and "Борис".encode() not in row.result_ct
    db.rollback()
    download = client.get(job_url + "/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert 'filename="Boris-I_data-export_' in download.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert {"export.json", "card.json"} <= set(names)
    db.rollback()
    assert db.exec(select(JobResult)).first() is None  # deleted at the download
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.actor_id == world.users["parentB"].id)
                                         ).all()]
    for action in ("job.start", "export.child", "job.download", "job.download.child"):
        assert action in actions, actions


def test_a_kindergarten_childs_export_uses_the_childs_current_key(app, client, db, world):
    child = world.children["A"]
    sign_in_with_password(client, "parenta@example.kz")
    download = export_zip(client, child.id)
    document = json.loads(zipfile.ZipFile(io.BytesIO(download.data)).read("export.json"))
    assert document["child"]["id"] == str(child.id)
    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "job.start")).one()
    assert event.org_id == world.orgs["org1"].id and event.detail == {"kind": "data_export", "children": 1}


def test_nobody_else_follows_or_downloads_the_export(app, client, db, world):
    sign_in_with_password(client, "parenta@example.kz")
    job_url = _start(client, world.children["A"].id)
    client.post("/logout")
    for who in ("parentb", "head1", "teacher1"):
        sign_in_with_password(client, f"{who}@example.kz")
        for suffix in ("", "/progress", "/download"):
            assert client.get(job_url + suffix).status_code == 404, (who, suffix)
        client.post("/logout")
    sign_in_with_password(client, "parenta@example.kz")
    assert client.get(job_url + "/download").status_code == 200  # still there for its starter


def test_a_parent_who_is_no_longer_a_guardian_cannot_download(app, client, db, world):
    sign_in_with_password(client, "parenta@example.kz")
    job_url = _start(client, world.children["A"].id)
    db.rollback()
    db.exec(sa.delete(Guardianship).where(Guardianship.user_id == world.users["parentA"].id))
    db.commit()
    assert client.get(job_url + "/download").status_code == 403
    db.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "job.download")).first() is None


def test_another_parents_child_cannot_be_exported(app, client, db, world):
    sign_in_with_password(client, "parentb@example.kz")
    assert client.post(f"/account/children/{world.children['A'].id}/export").status_code == 403
    db.rollback()
    assert db.exec(select(JobResult)).first() is None


def test_the_job_page_speaks_both_languages(app, client, db, world):
    sign_in_with_password(client, "parenta@example.kz")
    job_url = _start(client, world.children["A"].id)
    client.post("/lang", data={"lang": "kk"})
    kk = client.get(job_url)
    assert "Балам туралы бәрі — ZIP файл" in kk.text and "ZIP файлын жүктеп алу" in kk.text
    client.post("/lang", data={"lang": "ru"})
    ru = client.get(job_url)
    assert "Всё о моём ребёнке — ZIP-файл" in ru.text and "Скачать ZIP-файл" in ru.text
