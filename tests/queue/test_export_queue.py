"""A parent's data export waits in the real queue (Huey on SQLite) until a consumer runs it: the page shows its
progress in the parent's language meanwhile, and the ZIP is downloaded once when it is done (issue 14 item 1)."""
from __future__ import annotations

import io
import zipfile

from tests.support.queue import running_consumer, wait_until


def _finished(client, job_url):
    data = client.get(job_url + "/progress").get_json()
    return data if data["state"] != "running" else None


def test_the_export_runs_in_the_consumer_not_in_the_request(app, client, world, sign_in):
    sign_in("parentA")
    client.post("/lang", data={"lang": "ru"})
    started = client.post(f"/account/children/{world.children['A'].id}/export")
    assert started.status_code == 303
    job_url = started.headers["Location"]
    page = client.get(job_url)
    assert "Файл готовится" in page.text and "Скачать" not in page.text  # not run in the web process
    assert app.extensions["sabidamu.huey"].pending_count() == 1
    with running_consumer(app):
        data = wait_until(lambda: _finished(client, job_url), "the data export job")
    assert data["state"] == "done" and data["total"] >= 2 and data["done"] == data["total"]
    client.post("/lang", data={"lang": "kk"})
    page = client.get(job_url)
    assert "Файл дайын" in page.text and "ZIP файлын жүктеп алу" in page.text
    download = client.get(job_url + "/download")
    assert download.status_code == 200
    assert "export.json" in zipfile.ZipFile(io.BytesIO(download.data)).namelist()
