"""The head's export pages: children listed, refusals shown (with the consent help) before the export starts, the
background job, and the ZIP of .sdcard files + index.txt."""
from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from sqlmodel import select

from sabidamu.crypto import agekeys
from sabidamu.models.transfer_package import TransferPackage
from tests.support.i18n import t
from tests.support.transfer import open_as_school
from tests.transfer.conftest import give_school_consent


def wait_for_job(client, url: str) -> dict:
    for _ in range(600):
        data = client.get(url).get_json()
        if data["state"] != "running":
            return data
        time.sleep(0.2)
    pytest.fail("the export job did not finish")


def test_page_lists_the_preschool_children_and_selects_a_group(client, handover, sign_in):
    sign_in("head1@example.kz")
    page = client.get(f"/orgs/{handover.org.id}/transfer/export")
    assert page.status_code == 200
    assert "Әлия Ахметова" in page.text and "Бекзат Оспанов" in page.text and "School 45" in page.text
    assert page.text.count("checked") == 0
    selected = client.get(f"/orgs/{handover.org.id}/transfer/export?select={handover.world.groups['A'].id}")
    assert selected.text.count("checked") == 2


def test_refusals_are_listed_before_the_export_then_the_others_go(app, client, db, keyring, handover, sign_in):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    sign_in("head1@example.kz")
    url = f"/orgs/{handover.org.id}/transfer/export"
    data = {"children": [str(handover.child_a.id), str(handover.child_a2.id)], "school": str(handover.school.id), "lang": "kk"}
    check = client.post(url, data=data)
    assert check.status_code == 200
    assert "Бекзат Оспанов" in check.text
    assert t(app, "No parent's consent to hand the card to this school.") in check.text
    assert 'href="#how-consent"' in check.text and 'id="how-consent"' in check.text
    assert db.exec(select(TransferPackage)).all() == []  # nothing made yet
    started = client.post(url, data={**data, "confirm": "1"})
    assert started.status_code == 303
    job_url = started.headers["Location"]
    assert re.fullmatch(r"/transfer-jobs/[A-Za-z0-9_-]+", job_url)
    assert wait_for_job(client, job_url + "/progress")["state"] == "done"
    page = client.get(job_url)
    assert t(app, "Ready: %(num)d card was packed for the school.", num=1) in page.text
    download = client.get(job_url + "/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        (sdcard,) = [n for n in names if n.endswith(".sdcard")]
        assert "index.txt" in names
        index = archive.read("index.txt").decode("utf-8")
        assert "Әлия Ахметова" in index and sdcard in index
        opened = open_as_school(db, keyring, archive.read(sdcard), handover.school.id)
    assert opened.card["child"]["full_name"] == "Әлия Ахметова"
    db.commit()  # end the test's read transaction (SQLite) before signing in another user
    sign_in("head2@example.kz")  # a job is only its starter's
    assert client.get(job_url + "/download").status_code == 404


def test_nobody_with_consent_is_not_started(client, handover, sign_in):
    sign_in("head1@example.kz")
    response = client.post(f"/orgs/{handover.org.id}/transfer/export",
                           data={"children": [str(handover.child_a.id)], "school": str(handover.school.id), "lang": "ru",
                                 "confirm": "1"})
    assert response.status_code == 422 and "Әлия Ахметова" in response.text


def test_another_school_by_uploaded_key_keeps_typed_values(client, db, keyring, handover, sign_in):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    sign_in("head1@example.kz")
    url = f"/orgs/{handover.org.id}/transfer/export"
    bad = client.post(url, data={"children": [str(handover.child_a.id)], "school": "other", "lang": "kk",
                                 "recipient_text": "age1wrong", "school_name": "Мектеп № 45", "school_bin": "12345"})
    assert bad.status_code == 422
    assert 'id="school_bin-err"' in bad.text and "Мектеп № 45" in bad.text and "age1wrong" in bad.text
    pair = agekeys.generate_identity()
    key_file = (io.BytesIO(f"# created: 2026-11-24\n{pair.recipient}\n".encode()), "age-recipient.txt")
    started = client.post(url, data={"children": [str(handover.child_a.id)], "school": "other", "lang": "kk",
                                     "recipient_file": key_file, "school_name": "Мектеп № 45",
                                     "school_bin": handover.school.bin}, content_type="multipart/form-data")
    assert started.status_code == 303, started.text
    assert wait_for_job(client, started.headers["Location"] + "/progress")["state"] == "done"
    rows = db.exec(select(TransferPackage)).all()
    assert [r.direction for r in rows] == ["export"]


@pytest.mark.parametrize("who", ["teacher1@example.kz", "head2@example.kz", "parenta@example.kz"])
def test_export_page_refused_to_others(client, handover, sign_in, who):
    sign_in(who)
    assert client.get(f"/orgs/{handover.org.id}/transfer/export").status_code == 403
    assert client.post(f"/orgs/{handover.org.id}/transfer/export", data={}).status_code == 403
