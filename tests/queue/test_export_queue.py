"""A parent's data export waits in the real queue (Huey on SQLite) until a consumer runs it: the page shows its
progress in the parent's language meanwhile, and the ZIP is downloaded once when it is done (issue 14 item 1)."""
from __future__ import annotations

import io
import subprocess
import zipfile

import pytest

from tests.screening.conftest import copy_instruments
from tests.support.auth import sign_in_with_password
from tests.support.i18n import t
from tests.support.queue import running_consumer, wait_until
from tests.support.screening import baby, run_screening


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


@pytest.fixture
def app(environ, tmp_path):
    """The real-queue app (tests/queue/conftest.py) with the test instruments, so that a screening can be run."""
    from sabidamu import create_app
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "QUEUE_IMMEDIATE": False,
                      "INSTRUMENTS_DIR": str(copy_instruments(tmp_path / "instruments"))},
                     environ={**environ, "SABIDAMU_QUEUE_RETRY_DELAY": "0.1", "SABIDAMU_JOB_HEARTBEAT_SECONDS": "0.5"})
    yield app
    app.extensions["sabidamu.engine"].dispose()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_consumer_renders_the_screening_pdf_in_the_parents_language(app, client, world, db, keyring, lang):
    """The consumer has no request (and so no language of its own): the PDFs speak the language the parent asked in."""
    child = baby(db, keyring, "Әлихан Сәрсенов", parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    run_screening(client, db, child)
    client.post("/lang", data={"lang": lang})
    job_url = client.post(f"/account/children/{child.id}/export").headers["Location"]
    with running_consumer(app):
        assert wait_until(lambda: _finished(client, job_url), "the data export job")["state"] == "done"
    archive = zipfile.ZipFile(io.BytesIO(client.get(job_url + "/download").data))
    pdf = next(n for n in archive.namelist() if "_screening_" in n)
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=archive.read(pdf), capture_output=True,
                          check=True).stdout.decode()
    other = "ru" if lang == "kk" else "kk"
    assert t(app, "Screening result", lang) in text and t(app, "Birth date", lang) in text
    assert t(app, "Birth date", other) not in text
