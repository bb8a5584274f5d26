"""The screening flow (issue 9, item 8): leaving a domain with open questions asks first; "Continue" resumes at the
first domain that is not complete; a child at home is offered the screening, not an empty kindergarten card."""
from __future__ import annotations

from sqlmodel import select

from sabidamu.models import Screening
from tests.support.auth import sign_in_with_password
from tests.support.screening import DEV, DEV_COM, DEV_GM, answers_form, baby


def _started(client, db, child):
    client.post(f"/children/{child.id}/screening", data={"instrument": DEV})
    row = db.exec(select(Screening).where(Screening.child_id == child.id)
                  .execution_options(populate_existing=True)).one()
    db.commit()
    return row


def _open_message(app, lang: str, n: int) -> str:
    from flask import session
    from flask_babel import ngettext
    with app.test_request_context("/"):
        session["lang"] = lang
        text = ngettext("%(num)d question in this area is not answered.",
                        "%(num)d questions in this area are not answered.", n)
    assert not text.startswith(f"{n} question"), "not translated"
    return text


def _version(db, row_id) -> int:
    row = db.exec(select(Screening).where(Screening.id == row_id).execution_options(populate_existing=True)).one()
    db.commit()
    return row.version


def test_next_with_open_questions_asks_for_confirmation(app, client, db, keyring, world):
    child = baby(db, keyring, "Әлия", parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    row = _started(client, db, child)
    partial = dict.fromkeys(DEV_COM[:3], "yes")  # two of five left open
    r = client.post(f"/screenings/{row.id}/domain/1", data=answers_form(row.version, partial))
    # The answers are saved, but the parent stays on the domain and is asked.
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/screenings/{row.id}/domain/1?confirm=next")
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    for lang in ("kk", "ru"):
        client.post("/lang", data={"lang": lang, "next": "/"})
        page = client.get(r.headers["Location"])
        assert _open_message(app, lang, 2) in page.text
        assert page.text.count("sd-open-note") == 2
        assert f'href="/screenings/{row.id}/domain/1/next"' in page.text
    assert 'checked' in page.text  # the saved answers are shown
    # "Go on anyway" moves on without another save.
    on = client.get(f"/screenings/{row.id}/domain/1/next")
    assert on.status_code == 302 and on.headers["Location"].endswith(f"/screenings/{row.id}/domain/2")
    # Everything answered: no question, straight on.
    full = dict.fromkeys(DEV_COM, "yes")
    r = client.post(f"/screenings/{row.id}/domain/1", data=answers_form(_version(db, row.id), full))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/screenings/{row.id}/domain/2")


def test_continue_resumes_at_the_first_incomplete_domain(client, db, keyring, world):
    child = baby(db, keyring, "Әлия", parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    row = _started(client, db, child)
    client.post(f"/screenings/{row.id}/domain/1",
                data=answers_form(row.version, {"m04-com-1": "yes"}, action="later"))
    client.post(f"/screenings/{row.id}/domain/2",
                data=answers_form(_version(db, row.id), dict.fromkeys(DEV_GM, "yes"), action="later"))
    # Domain 1 was saved with four questions open: "Continue" goes back there, not past it.
    assert client.get(f"/screenings/{row.id}/resume").headers["Location"].endswith("/domain/1")
    client.post(f"/screenings/{row.id}/domain/1",
                data=answers_form(_version(db, row.id), dict.fromkeys(DEV_COM, "yes"), action="later"))
    assert client.get(f"/screenings/{row.id}/resume").headers["Location"].endswith("/domain/2")


def test_a_child_at_home_is_offered_the_screening_not_an_empty_card(app, client, db, keyring, world):
    home = baby(db, keyring, "Ерке", parent=world.users["parentA"])  # enrolled nowhere
    sign_in_with_password(client, "parenta@example.kz")
    page = client.get(f"/children/{home.id}")
    assert page.status_code == 200
    head = page.text.split('class="page-actions"', 1)[1].split("</div>", 1)[0]
    assert f"/children/{home.id}/card" not in head
    assert f'class="button" href="/children/{home.id}/screening"' in head
    # A child in a kindergarten group keeps the card as its first action.
    enrolled = world.children["A"]
    head = client.get(f"/children/{enrolled.id}").text.split('class="page-actions"', 1)[1].split("</div>", 1)[0]
    assert f'class="button" href="/children/{enrolled.id}/card"' in head
