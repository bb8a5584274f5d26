"""The task queue with a real Huey consumer: SQLite storage (the `make run` default) and Redis (production).

A group PDF started on the web runs in the consumer and is downloaded; a job that keeps failing is retried and
then shown as failed to its starter in kk and ru; a job whose consumer died mid-run is queued again (or failed
after its last attempt), never left running; mail travels sealed through the queue; the audit sequencer's lock
lets one consumer at a time sign; /metrics shows the queue's depth, the task durations and the sequencer's lag.
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
import sqlalchemy as sa

from sabidamu import jobs
from sabidamu.db import session_scope
from sabidamu.models.base import utcnow
from sabidamu.models.jobs import JobResult
from tests.factories import PASSWORD
from tests.support.queue import running_consumer, wait_until
from tests.support.smtp import smtp_server  # noqa: F401  (the fixture)

FAILED = {"kk": "PDF жасау мүмкін болмады", "ru": "Не удалось сформировать PDF"}


def _start_group_pdf(client, world, sign_in) -> str:
    sign_in("head1")
    response = client.post(f"/groups/{world.groups['A'].id}/cards.pdf", data={"lang": "ru"})
    assert response.status_code == 303, response.status_code
    job_url = response.headers["Location"]
    assert re.fullmatch(r"/card-jobs/[A-Za-z0-9_-]+", job_url)
    return job_url


def _job_row(app) -> JobResult:
    with session_scope(app.extensions["sabidamu.engine"], write=False) as db:
        return db.exec(sa.select(JobResult)).scalars().one()


def _finished(client, job_url):
    data = client.get(job_url + "/progress").get_json()
    return data if data["state"] != "running" else None


def _runs_a_group_pdf(app, client, world, sign_in):
    job_url = _start_group_pdf(client, world, sign_in)
    # Nothing runs it in the web process: the job waits in the queue until a consumer takes it.
    assert client.get(job_url + "/progress").get_json()["state"] == "running"
    assert app.extensions["sabidamu.huey"].pending_count() == 1
    with running_consumer(app):
        data = wait_until(lambda: _finished(client, job_url), "the group PDF job")
    assert data["state"] == "done" and data["download"] == job_url + "/download"
    body = client.get(job_url + "/download")
    assert body.status_code == 200 and body.data.startswith(b"%PDF")
    # Downloaded once: the sealed result is gone from the database.
    assert client.get(job_url + "/download").status_code == 404
    with session_scope(app.extensions["sabidamu.engine"], write=False) as db:
        assert db.exec(sa.select(sa.func.count()).select_from(JobResult)).scalar() == 0


def test_sqlite_consumer_runs_a_group_pdf_started_on_the_web(app, client, world, sign_in):
    _runs_a_group_pdf(app, client, world, sign_in)
    assert (app.instance_path and (app.config["SETTINGS"].instance_dir / "queue.sqlite3").exists())


def test_redis_consumer_runs_a_group_pdf_started_on_the_web(redis_app, world_database, world):
    app = redis_app
    client = app.test_client()
    from tests.support.auth import AuthActions
    with session_scope(app.extensions["sabidamu.engine"], write=False) as db:
        _runs_a_group_pdf(app, client, world, AuthActions(client, db).sign_in)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_failing_job_is_retried_then_shown_failed_in_the_starters_language(app, client, world, sign_in,
                                                                            monkeypatch, lang):
    runs = []

    def broken(*_args):
        runs.append(1)
        raise RuntimeError("the renderer broke")
    original = jobs.KINDS["group_pdf"]
    monkeypatch.setitem(jobs.KINDS, "group_pdf", jobs.Kind(work=broken, may_download=original.may_download,
                                                           mimetype=original.mimetype))
    job_url = _start_group_pdf(client, world, sign_in)
    with client.session_transaction() as session:
        session["lang"] = lang
    with running_consumer(app):
        data = wait_until(lambda: _finished(client, job_url), "the failing job to be given up")
    settings = app.config["SETTINGS"]
    assert data["state"] == "failed"
    assert len(runs) == settings.queue_retries + 1  # the first run and each retry
    row = _job_row(app)
    assert row.state == "failed" and row.attempts == settings.queue_retries + 1 and row.result_ct is None
    page = client.get(job_url)
    assert page.status_code == 200 and FAILED[lang] in page.text
    assert client.get(job_url + "/download").status_code == 404


def _stall(app, attempts: int) -> None:
    """What a consumer killed mid-run leaves: the job 'running', its heartbeat long silent."""
    with session_scope(app.extensions["sabidamu.engine"]) as db:
        db.exec(sa.update(JobResult).values(heartbeat_at=utcnow() - dt.timedelta(minutes=5), attempts=attempts))


def test_a_job_whose_consumer_died_runs_again_and_finishes(app, client, world, sign_in):
    job_url = _start_group_pdf(client, world, sign_in)
    huey = app.extensions["sabidamu.huey"]
    huey.storage.flush_queue()  # the consumer had taken the task: it is no longer in the queue
    _stall(app, attempts=1)
    # A live run (fresh heartbeat) is never taken over: only the silent one is released.
    tasks = app.extensions["sabidamu.tasks"]
    with running_consumer(app):
        assert len(tasks.recover_stalled()) == 1
        data = wait_until(lambda: _finished(client, job_url), "the recovered job")
    assert data["state"] == "done"
    assert _job_row(app).attempts == 2


def test_a_job_whose_consumers_kept_dying_is_failed_not_stuck(app, client, world, sign_in):
    job_url = _start_group_pdf(client, world, sign_in)
    app.extensions["sabidamu.huey"].storage.flush_queue()
    _stall(app, attempts=app.config["SETTINGS"].queue_retries + 1)
    assert app.extensions["sabidamu.tasks"].recover_stalled() == []
    assert client.get(job_url + "/progress").get_json()["state"] == "failed"


def test_a_running_job_with_a_live_heartbeat_is_left_alone(app, client, world, sign_in):
    _start_group_pdf(client, world, sign_in)
    with session_scope(app.extensions["sabidamu.engine"]) as db:
        db.exec(sa.update(JobResult).values(heartbeat_at=utcnow(), attempts=1))
    assert app.extensions["sabidamu.tasks"].recover_stalled() == []
    # ...and a second consumer handed the same job does not run it twice.
    assert jobs.run_job(app, _job_row(app).id) == "skipped"


def test_mail_travels_sealed_through_the_queue(app, smtp_server):  # noqa: F811
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = type(settings)(**{**settings.__dict__, "smtp_host": "127.0.0.1",
                                               "smtp_port": smtp_server.port, "smtp_tls": "none"})
    from sabidamu.services.mail import queue_mail
    with app.app_context():
        queue_mail(app.config["SETTINGS"], "parent.secret@example.kz", "Тақырып", "Құпия сілтеме: https://x/reset/TOKEN")
    assert smtp_server.messages == []  # queued, not sent by the web process
    stored = sqlite3.connect(settings.instance_dir / "queue.sqlite3").execute("SELECT data FROM task").fetchall()
    assert len(stored) == 1
    assert b"parent.secret" not in stored[0][0] and b"TOKEN" not in stored[0][0]
    with running_consumer(app):
        received = smtp_server.wait_for(1)
    assert received[0].rcpt_tos == ["parent.secret@example.kz"] and "TOKEN" in received[0].body


def test_the_audit_sequencer_runs_in_one_consumer_at_a_time(app):
    tasks = app.extensions["sabidamu.tasks"]
    huey = app.extensions["sabidamu.huey"]
    with huey.lock_task("audit-sequence"):  # another consumer is signing
        assert tasks.sequence_audit() == "locked"
    line = tasks.sequence_audit()
    assert isinstance(line, str) and line != "locked"


def test_metrics_show_queue_depth_task_durations_and_sequencer_lag(app, client, world, sign_in):
    _start_group_pdf(client, world, sign_in)
    with running_consumer(app):
        wait_until(lambda: _job_row(app).state != "running", "the job")
    client.post("/logout")
    app.extensions["sabidamu.tasks"].run_job("00000000-0000-0000-0000-000000000000")  # waits: no consumer now
    text = client.get("/metrics").get_data(as_text=True)
    assert 'sabidamu_queue_depth{state="pending"} 1.0' in text
    assert re.search(r'sabidamu_task_duration_seconds_count\{outcome="ok",task="run_job"\} [1-9]', text)
    assert re.search(r"^sabidamu_audit_sequencer_lag_seconds [0-9.e+]+$", text, re.M)
    assert "@" not in "".join(line for line in text.splitlines() if line.startswith("sabidamu_"))


def test_failed_sign_ins_are_counted(client, world):
    from sabidamu.observability import FAILED_SIGN_INS
    before = FAILED_SIGN_INS._value.get()
    client.post("/login", data={"login": "head1@example.kz", "password": "not the password"})
    assert FAILED_SIGN_INS._value.get() == before + 1


def test_a_wrong_second_factor_code_is_a_failed_sign_in_too(client, world):
    from sabidamu.observability import FAILED_SIGN_INS
    step = client.post("/login", data={"login": "head1@example.kz", "password": PASSWORD})
    assert "/login/code" in step.headers["Location"]
    before = FAILED_SIGN_INS._value.get()
    refused = client.post("/login/code", data={"code": "000000"})
    assert refused.status_code == 422 and FAILED_SIGN_INS._value.get() == before + 1
