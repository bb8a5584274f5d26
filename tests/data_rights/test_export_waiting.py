"""While an export waits in the queue its page says so, instead of "0 of 1 parts done" (the real number of parts is
known only once a worker starts: noticed in session 5). Once a worker has it, the count shows. The JSON the page
polls says the same, so static/js/progress.js switches from one to the other."""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import select

from sabidamu.models.base import utcnow
from sabidamu.models.jobs import JobResult
from tests.support.auth import sign_in_with_password

WAITING = {"kk": "Кезекте тұр: жұмыс жақында басталады.", "ru": "В очереди: работа скоро начнется."}


def _as_waiting(db, **values):
    db.rollback()
    job = db.exec(select(JobResult)).one()
    row = {"state": "running", "done": 0, "total": 1, "heartbeat_at": None, **values}
    db.exec(sa.update(JobResult).where(JobResult.id == job.id).values(**row))  # type: ignore[arg-type]
    db.commit()


def _visible(html: str, element_id: str) -> bool:
    tag = re.search(rf'<p id="{element_id}"[^>]*>', html)
    assert tag, element_id
    return " hidden" not in tag.group(0)


def test_a_waiting_export_says_it_waits_then_counts(app, client, db, world):
    sign_in_with_password(client, "parentb@example.kz")
    job_url = client.post(f"/account/children/{world.children['B'].id}/export").headers["Location"]
    _as_waiting(db)
    for lang in ("kk", "ru"):
        client.post("/lang", data={"lang": lang})
        page = client.get(job_url).get_data(as_text=True)
        assert WAITING[lang] in page
        assert _visible(page, "job-waiting") and not _visible(page, "job-count")
        assert re.search(r"<progress id=\"job-progress\" max=\"1\">", page)  # indeterminate: no value
    progress = client.get(job_url + "/progress").json
    assert progress["state"] == "running" and progress["waiting"] is True
    _as_waiting(db, heartbeat_at=utcnow(), total=4)  # a worker took it: 4 parts
    page = client.get(job_url).get_data(as_text=True)
    assert not _visible(page, "job-waiting") and _visible(page, "job-count")
    assert "Готово частей: <span id=\"job-done\">0</span> из <span id=\"job-total\">4</span>." in page
    assert client.get(job_url + "/progress").json["waiting"] is False
