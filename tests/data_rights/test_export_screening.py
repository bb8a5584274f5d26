"""The export of a child with a completed screening: its data, the summary PDF and the card-format summary."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from sabidamu.services import data_rights
from tests.screening.conftest import copy_instruments
from tests.support.auth import sign_in_with_password
from tests.support.exports import export_zip
from tests.support.screening import baby, run_screening


@pytest.fixture
def app(environ, tmp_path):
    from sabidamu import create_app
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "INSTRUMENTS_DIR": str(copy_instruments(tmp_path / "instruments"))}, environ=environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()


def test_export_has_the_screening_its_pdf_and_a_valid_card_summary(app, client, db, keyring, world):
    child = baby(db, keyring, "Әлихан Сәрсенов", parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    row = run_screening(client, db, child)
    r = export_zip(client, child.id)
    assert r.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    document = json.loads(archive.read("export.json"))
    screening = document["records"]["screening"][0]
    assert screening["id"] == str(row.id) and screening["status"] == "completed"
    assert set(screening["answers"].values()) == {"yes", "sometimes"}  # the sealed answers, opened
    assert screening["result"]["zone"]
    pdfs = [n for n in archive.namelist() if n.startswith("pdf/") and "_screening_" in n]  # named after the child
    assert len(pdfs) == 1 and archive.read(pdfs[0]).startswith(b"%PDF")
    card = json.loads(archive.read("card.json"))
    summary = card["screening_summaries"][0]
    assert summary["instrument"] == "test-dev-screen" and summary["age_months"] == 4
    assert data_rights.validate_card(card) == [] and document["card_format"]["valid"]

