"""v1 and v2 side by side on the real instruments: a stored v1 result keeps its version and still renders
(page and PDF), new screenings use v2, and the v2 question page offers the answers with their meaning."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sabidamu.instruments import load_registry
from sabidamu.instruments.loader import DEFAULT_DIR
from sabidamu.services import screening as svc
from tests.support.auth import sign_in_with_password
from tests.support.screening import baby

DEV_ID = "sabidamu-dev-screen"


@pytest.fixture
def app(environ, tmp_path):
    from sabidamu import create_app
    folder = tmp_path / "instruments"
    folder.mkdir()
    shutil.copy(DEFAULT_DIR / f"{DEV_ID}.v1.yaml", folder)  # at first only v1 exists
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "INSTRUMENTS_DIR": str(folder)},
                     environ=environ)
    yield app
    app.extensions["sabidamu.engine"].dispose()


def _answer_all(db, keyring, registry, user, row_id, answer_of):
    view = svc.get_screening(db, keyring, registry, user, row_id)
    for domain_id in view.domain_ids:
        answers = {i.id: answer_of(i) for i in view.band.items_by_domain[domain_id]}
        view = svc.save_domain(db, keyring, registry, user, row_id, domain_id, version=view.version,
                               answers=answers)
    return svc.complete(db, keyring, registry, user, row_id, version=view.version)


def test_an_old_v1_result_still_renders_after_v2_arrives(app, client, db, keyring, world):
    parent = world.users["parentA"]
    child = baby(db, keyring, months=13, parent=parent)
    folder = Path(app.config["INSTRUMENTS_DIR"])
    v1_registry = load_registry(folder)
    row = svc.start(db, keyring, v1_registry, parent, child.id, DEV_ID)
    done = _answer_all(db, keyring, v1_registry, parent, row.id, lambda i: "yes")
    assert done.result["instrument"] == {"id": DEV_ID, "version": 1}

    shutil.copy(DEFAULT_DIR / f"{DEV_ID}.v2.yaml", folder)  # v2 is published
    registry = load_registry(folder)
    sign_in_with_password(client, "parenta@example.kz")
    page = client.get(f"/screenings/{row.id}")
    assert page.status_code == 200
    v1 = registry.get(DEV_ID, 1)
    assert v1.title.kk in page.text and f"{DEV_ID} v1" not in page.text  # the v1 title, on the v1 page
    assert "sd-badge-on_track" in page.text
    pdf = client.get(f"/screenings/{row.id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    new = svc.start(db, keyring, registry, parent, child.id, DEV_ID)  # v1's band was done: a v2 one
    assert (new.instrument_id, new.instrument_version) == (DEV_ID, 2)
    again = svc.get_screening(db, keyring, registry, parent, row.id)
    assert again.instrument.version == 1 and again.result["instrument"]["version"] == 1


def test_v2_question_page_shows_answers_with_meaning_and_no_chance(app, client, db, keyring, world):
    shutil.copy(DEFAULT_DIR / f"{DEV_ID}.v2.yaml", Path(app.config["INSTRUMENTS_DIR"]))
    registry = load_registry(app.config["INSTRUMENTS_DIR"])
    parent = world.users["parentA"]
    child = baby(db, keyring, months=25, parent=parent)  # band m24: stairs (opportunity) in gross motor
    row = svc.start(db, keyring, registry, parent, child.id, DEV_ID)
    view = svc.get_screening(db, keyring, registry, parent, row.id)
    step = view.domain_ids.index("gross_motor") + 1
    sign_in_with_password(client, "parenta@example.kz")
    client.post("/language", data={"lang": "ru"})
    page = client.get(f"/screenings/{row.id}/domain/{step}?lang=ru").text
    stairs = next(i for i in view.band.items_by_domain["gross_motor"] if i.opportunity)
    assert f'name="a-{stairs.id}" value="no_chance"' in page
    other = next(i for i in view.band.items_by_domain["gross_motor"] if not i.opportunity)
    assert f'name="a-{other.id}" value="no_chance"' not in page
    general = svc.get_screening(db, keyring, registry, parent, row.id)
    step = general.domain_ids.index("general") + 1
    page = client.get(f"/screenings/{row.id}/domain/{step}").text
    assert page.count('value="sometimes"') == 5  # every general question offers "not sure"


def test_finishing_with_a_warning_sign_open_is_refused(app, db, keyring, world):
    shutil.copy(DEFAULT_DIR / f"{DEV_ID}.v2.yaml", Path(app.config["INSTRUMENTS_DIR"]))
    registry = load_registry(app.config["INSTRUMENTS_DIR"])
    parent = world.users["parentA"]
    child = baby(db, keyring, months=19, parent=parent)  # band m18: walking alone is a warning sign
    row = svc.start(db, keyring, registry, parent, child.id, DEV_ID)
    walk = next(i for i in svc.get_screening(db, keyring, registry, parent, row.id).band.items
                if i.skill == "g-walk-alone")
    assert walk.warning_sign

    def answer(item):
        return None if item is walk else ("not_yet" if item.reverse else "yes")

    with pytest.raises(svc.ServiceError) as refused:
        _answer_all(db, keyring, registry, parent, row.id, answer)
    assert refused.value.code == "incomplete"
    db.rollback()
