"""Background job results (group PDFs, export ZIPs) never reach the disk in clear: they are sealed in the database
under the organization's data key, read only by their starter while they still have access (checked again and
audited at the download), deleted at the download, after an hour, and when a child's data is deleted.
Runs on SQLite and, with SABIDAMU_TEST_DB=postgresql, on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from sabidamu.jobs import queue as jobs
from sabidamu.models import AuditEvent, DeletionRequest, GroupTeacher
from sabidamu.models.base import utcnow
from sabidamu.models.jobs import JobResult
from tests.support.auth import sign_in_with_password

CHILD_NAME = "Әлия Ахметова"


def wait_done(client, job_url: str) -> dict:
    for _ in range(600):
        data = client.get(job_url + "/progress").get_json()
        if data["state"] != "running":
            return data
        time.sleep(0.1)
    pytest.fail("the job did not finish")


def start_group_pdf(client, world, who="teacher1") -> str:
    sign_in_with_password(client, f"{who}@example.kz")
    response = client.post(f"/groups/{world.groups['A'].id}/cards.pdf", data={"lang": "kk"})
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert wait_done(client, job_url)["state"] == "done"
    return job_url


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_result_is_sealed_in_the_database_and_never_on_disk(app, client, db, world):
    before = set(_files_under(Path(app.instance_path)))
    job_url = start_group_pdf(client, world)
    db.rollback()
    row = db.exec(select(JobResult)).one()
    assert row.state == "done" and row.result_ct and b"%PDF" not in row.result_ct
    assert row.key_id is not None and row.org_id == world.orgs["org1"].id
    assert row.child_ids == [str(world.children["A"].id)]
    for path in set(_files_under(Path(app.instance_path))) - before:  # nothing new but the database itself
        data = path.read_bytes()
        assert b"%PDF" not in data and CHILD_NAME.encode() not in data, path
        assert path.suffix not in (".pdf", ".zip", ".json"), path
    assert not (Path(app.instance_path) / "tmp").exists()
    body = client.get(job_url + "/download")
    assert body.status_code == 200 and body.data.startswith(b"%PDF") and body.mimetype == "application/pdf"


def test_the_download_is_audited_and_happens_once(app, client, db, world):
    job_url = start_group_pdf(client, world)
    assert client.get(job_url + "/download").status_code == 200
    for suffix in ("", "/progress", "/download"):  # gone after its one download
        assert client.get(job_url + suffix).status_code == 404
    db.rollback()
    assert db.exec(select(sa.func.count()).select_from(JobResult)).one() == 0
    job_id = uuid.UUID(job_url.rsplit("/", 1)[1])
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "job.download")).one()
    assert event.object_id == job_id and event.actor_id == world.users["teacher1"].id
    per_child = db.exec(select(AuditEvent).where(AuditEvent.action == "job.download.child")).all()
    assert [e.object_id for e in per_child] == [world.children["A"].id]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "job.start")).one().object_id == job_id


def test_only_the_starter_sees_the_job(app, client, db, world):
    job_url = start_group_pdf(client, world, who="head1")
    client.post("/logout")
    for who in ("teacher1", "head2", "parenta"):
        sign_in_with_password(client, f"{who}@example.kz")
        for suffix in ("", "/progress", "/download"):
            assert client.get(job_url + suffix).status_code == 404, (who, suffix)
        client.post("/logout")


def test_access_is_checked_again_at_the_download(app, client, db, world):
    job_url = start_group_pdf(client, world)
    db.rollback()
    db.exec(sa.delete(GroupTeacher).where(GroupTeacher.user_id == world.users["teacher1"].id))
    db.commit()
    assert client.get(job_url + "/download").status_code == 403
    db.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "job.download")).first() is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).first() is not None


def test_results_expire_within_an_hour(app, client, db, world):
    job_url = start_group_pdf(client, world)
    db.rollback()
    row = db.exec(select(JobResult)).one()
    assert row.expires_at - row.created_at <= dt.timedelta(hours=1)
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.commit()
    assert client.get(job_url + "/download").status_code == 404
    assert jobs.purge_expired(db) == 1
    db.commit()
    assert db.exec(select(sa.func.count()).select_from(JobResult)).one() == 0


def test_deleting_a_childs_data_deletes_the_results_holding_it(app, db, keyring, world):
    from sabidamu.services.data_rights import delete_child_data
    child = world.children["B"]  # at home: parentB's deletion request is carried out at once
    key = jobs.active_key(db, keyring, "org", world.orgs["org1"].id)
    now = utcnow()
    holding = JobResult(kind="group_pdf", user_id=world.users["head1"].id, org_id=world.orgs["org1"].id,
                        key_id=key.id, child_ids=[str(child.id)], expires_at=now + jobs.KEEP)
    other = JobResult(kind="group_pdf", user_id=world.users["head1"].id, org_id=world.orgs["org1"].id,
                      key_id=key.id, child_ids=[str(world.children["A"].id)], expires_at=now + jobs.KEEP)
    db.add_all([holding, other])
    request = DeletionRequest(child_id=child.id, requested_by=world.users["parentB"].id, rule="home_only")
    db.add(request)
    db.flush()
    delete_child_data(db, keyring, request)
    db.commit()
    assert [r.id for r in db.exec(select(JobResult)).all()] == [other.id]


def test_a_transfer_zip_is_sealed_too(app, client, db, world, monkeypatch):
    """The export job uses the same store: its ZIP (index.txt names the children) is sealed and read once."""
    captured = {}

    def fake_work(db_, keyring_, user, job, progress):
        progress(1, 1)
        captured["job"] = job.id
        return b"PK\x03\x04 index.txt " + CHILD_NAME.encode(), jobs.child_ids_of(job), {"exported": 1, "refused": 0}

    kind = jobs.KINDS["transfer_zip"]
    monkeypatch.setitem(jobs.KINDS, "transfer_zip", jobs.Kind(work=fake_work, may_download=kind.may_download,
                                                            mimetype=kind.mimetype))
    from sabidamu.jobs.transfer_zip import start_export_job
    with app.test_request_context():
        from flask import g

        from sabidamu.db import get_db
        g.user = get_db().get(type(world.users["head1"]), world.users["head1"].id)
        job_id = start_export_job(get_db(), app.extensions["sabidamu.keyring"], g.user, world.orgs["org1"].id,
                                  [world.children["A"].id], {"to_org_id": uuid.uuid4()}, "kk", "cards.zip")
    sign_in_with_password(client, "head1@example.kz")
    assert wait_done(client, f"/transfer-jobs/{job_id}")["state"] == "done"
    db.rollback()
    row = db.get(JobResult, job_id)
    assert CHILD_NAME.encode() not in row.result_ct and b"index.txt" not in row.result_ct
    body = client.get(f"/transfer-jobs/{job_id}/download")
    assert body.status_code == 200 and CHILD_NAME.encode() in body.data and body.mimetype == "application/zip"
    assert client.get(f"/transfer-jobs/{job_id}/download").status_code == 404


def test_an_expired_result_is_purged_without_another_job(app, db, keyring, world):
    key = jobs.active_key(db, keyring, "org", world.orgs["org1"].id)
    db.add(JobResult(kind="group_pdf", user_id=world.users["head1"].id, org_id=world.orgs["org1"].id, key_id=key.id,
                     expires_at=utcnow() - dt.timedelta(seconds=1)))
    db.commit()
    app.extensions["sabidamu.tasks"].purge_job_results()  # the queue's periodic task (every 5 minutes)
    assert db.exec(select(sa.func.count()).select_from(JobResult)).one() == 0
