"""A job's page in a real browser while the job waits in the queue (kk, ru; desktop and phone): it says it waits,
with a moving bar and no count; when a worker takes the job, static/js/progress.js shows the count without a
reload. The job row is written as the queue leaves it (no worker yet), then as a worker's first heartbeat does."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sabidamu.models.base import utcnow
from sabidamu.models.jobs import JobResult
from sabidamu.services.keys import active_key
from tests.factories import PASSWORD, make_child, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, shot, sign_in


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_waiting_export_then_its_count(new_page, live_server, lang):
    with live_server.session() as s:
        parent = make_user(s, f"wait-{lang}@example.kz", staff_name=False, locale=lang)
        child = make_child(s, live_server.keyring, "Дана Әлиева", parent=parent)
        key = active_key(s, live_server.keyring, "family", parent.id)
        job = JobResult(kind="data_export", user_id=parent.id, key_id=key.id, total=1,
                        params={"child_id": str(child.id), "lang": lang}, child_ids=[str(child.id)],
                        expires_at=utcnow() + dt.timedelta(hours=1))
        s.add(job)
        s.commit()
        job_id = job.id
    waiting = {"kk": "Кезекте тұр: жұмыс жақында басталады.", "ru": "В очереди: работа скоро начнется."}[lang]
    counted = {"kk": "Дайын бөліктер: 2 / 5.", "ru": "Готово частей: 2 из 5."}[lang]
    for width in (1280, 390):
        page = new_page(accept_language=lang, viewport={"width": width, "height": 900})
        sign_in(page, f"wait-{lang}@example.kz", PASSWORD)
        page.goto(f"/account/exports/{job_id}")
        assert page.locator("#job-waiting").is_visible() and page.locator("#job-waiting").inner_text() == waiting
        assert not page.locator("#job-count").is_visible()
        assert page.locator("#job-progress").get_attribute("value") is None  # indeterminate
        shot(page, f"{lang}-export-waiting-{width}")
        assert_accessible(page)
        assert width > 400 or not has_horizontal_scroll(page)
    with live_server.session() as s:  # a worker takes it
        s.execute(sa.update(JobResult).where(JobResult.id == job_id).values(  # type: ignore[arg-type]
            heartbeat_at=utcnow(), attempts=1, total=5, done=2))
        s.commit()
    page.locator("#job-count").wait_for(state="visible", timeout=10_000)
    assert page.locator("#job-count").inner_text() == counted
    assert not page.locator("#job-waiting").is_visible()
    assert page.locator("#job-progress").get_attribute("value") == "2"
    shot(page, f"{lang}-export-counting-390")
