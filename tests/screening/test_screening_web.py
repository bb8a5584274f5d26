"""The screening pages through the test client: start, domain pages, validation, resume, result, history,
PDF, and who may use them."""
from __future__ import annotations

import io
import re

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from pypdf import PdfReader
from sqlmodel import select

from sabidamu.models import Screening
from sabidamu.web.screening.presenting import ZONE_LABELS
from tests.support.auth import sign_in_with_password
from tests.support.screening import DEV, SC, answers_form, baby, run_screening, screening_of, start_screening

NO_BAND = ("There is no checklist for your child's age at the moment: the screening covers children from "
           "2 months to 6 years.")


def t(app, msgid: str, lang: str = "kk", **params) -> str:
    """A message as the page shows it (translated if the catalogue has it, HTML-escaped)."""
    with app.test_request_context(), force_locale(lang):
        return str(escape(gettext(msgid, **params)))


def test_start_page_lists_due_and_out_of_range(app, client, db, keyring, world):
    child = baby(db, keyring, "Әлия", parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    page = client.get(f"/children/{child.id}/screening")
    assert page.status_code == 200
    assert "Сынақ скрининг" in page.text and 'name="instrument" value="test-dev-screen"' in page.text
    old = client.get(f"/children/{world.children['A'].id}/screening")
    assert old.status_code == 200 and t(app, NO_BAND) in old.text and 'name="instrument"' not in old.text
    refused = start_screening(client, world.children["A"].id)
    assert refused.status_code == 409 and t(app, NO_BAND) in refused.text


def test_domain_pages_progress_hint_and_resume(app, client, db, keyring, world):
    child = baby(db, keyring, "Әлия", parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    r = start_screening(client, child.id)
    row = screening_of(db, child.id)
    assert r.headers["Location"].endswith(f"/screenings/{row.id}/resume")
    assert client.get(r.headers["Location"]).headers["Location"].endswith(f"/screenings/{row.id}/domain/1")
    page = client.get(f"/screenings/{row.id}/domain/1").text
    assert t(app, "Domain %(number)d of %(total)d", number=1, total=2) in page and '<progress max="2" value="1"' in page
    assert page.count('type="radio"') == 15 and 'name="a-m04-com-1" value="not_yet"' in page
    assert 'value="later"' in page and 'value="back"' in page and 'value="next"' in page
    # Save and finish later: back to the child page; the child page offers to continue.
    r = client.post(f"/screenings/{row.id}/domain/1",
                    data=answers_form(row.version, {"m04-com-1": "yes", "m04-com-2": "not_yet"}, action="later"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/children/{child.id}")
    child_page = client.get(f"/children/{child.id}").text
    assert f"/screenings/{row.id}/resume" in child_page
    # Three questions of domain 1 are still open: "Continue" goes back there (issue 9, item 8).
    assert client.get(f"/screenings/{row.id}/resume").headers["Location"].endswith("/domain/1")
    again = client.get(f"/screenings/{row.id}/domain/1").text
    assert re.search(r'name="a-m04-com-2" value="not_yet" id="[^"]+" checked', again)
    # Starting again resumes the same screening.
    start_screening(client, child.id)
    assert len(db.exec(select(Screening).where(Screening.child_id == child.id)).all()) == 1
    db.commit()


def test_bad_answers_are_refused_and_typed_values_kept(app, client, db, keyring, world):
    child = baby(db, keyring, parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    start_screening(client, child.id)
    row = screening_of(db, child.id)
    r = client.post(f"/screenings/{row.id}/domain/1",
                    data=answers_form(row.version, {"m04-com-1": "often", "m04-com-2": "sometimes"}))
    assert r.status_code == 422 and t(app, "Choose one of the answers offered.") in r.text
    assert re.search(r'name="a-m04-com-2" value="sometimes" id="[^"]+" checked', r.text)
    r = client.post(f"/screenings/{row.id}/domain/1",
                    data=answers_form(row.version, {"m04-com-1": "yes", "m04-gm-1": "yes"}))
    assert r.status_code == 422 and t(app, "The answers sent do not belong to this page. Reload the page and answer again.") in r.text
    r = client.post(f"/screenings/{row.id}/domain/1", data=answers_form(row.version, {"zzz": "yes"}))
    assert r.status_code == 422
    stored = screening_of(db, child.id)
    assert stored.version == row.version and stored.answers_ct == row.answers_ct  # nothing written
    # A stale page: another window saved meanwhile.
    client.post(f"/screenings/{row.id}/domain/1", data=answers_form(row.version, {"m04-com-1": "yes"}))
    r = client.post(f"/screenings/{row.id}/domain/1", data=answers_form(row.version, {"m04-com-1": "not_yet"}))
    assert r.status_code == 409 and t(app, "These answers were changed in another window or by another person. "
                                      "The page now shows the saved answers: check them and save again.") in r.text


def test_another_familys_screening_is_refused(client, db, keyring, world):
    mine = baby(db, keyring, parent=world.users["parentA"])
    theirs = baby(db, keyring, "Other", sex="m", parent=world.users["parentB"])  # distinct IIN
    sign_in_with_password(client, "parentb@example.kz")
    start_screening(client, theirs.id)
    other_row = None
    client.post("/logout")
    sign_in_with_password(client, "parenta@example.kz")
    start_screening(client, mine.id)
    other_row = screening_of(db, theirs.id)
    for method, url, data in (
            ("post", f"/screenings/{other_row.id}/domain/1", answers_form(other_row.version, {"m04-com-1": "yes"})),
            ("get", f"/screenings/{other_row.id}/domain/1", None),
            ("get", f"/screenings/{other_row.id}", None),
            ("get", f"/screenings/{other_row.id}/pdf", None),
            ("get", f"/children/{theirs.id}/screenings", None),
            ("post", f"/children/{theirs.id}/screening", {"instrument": DEV})):
        r = getattr(client, method)(url, data=data) if data else getattr(client, method)(url)
        assert r.status_code == 403, url
    assert screening_of(db, theirs.id).version == other_row.version
    assert client.get("/screenings/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/screenings/not-a-uuid").status_code == 404


def test_completed_band_gives_a_message_with_link(app, client, db, keyring, world):
    child = baby(db, keyring, parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    row = run_screening(client, db, child)
    r = start_screening(client, child.id)
    assert r.status_code == 409
    assert t(app, "This checklist has already been completed for your child's current age. "
             "It can be done again when the child reaches the next age band.") in r.text and f'href="/screenings/{row.id}"' in r.text


def _lang(client, lang):
    client.post("/lang", data={"lang": lang, "next": "/"})


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_result_page_and_pdf_in_both_languages(app, client, db, keyring, world, lang):
    child = baby(db, keyring, "Әлия Ғалымқызы", parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    _lang(client, lang)
    row = run_screening(client, db, child, com="yes", gm="not_yet")
    page = client.get(f"/screenings/{row.id}")
    assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
    with app.test_request_context(), force_locale(lang):
        on_track, refer = str(ZONE_LABELS["on_track"]), str(ZONE_LABELS["refer"])
    com_title = {"kk": "Қарым-қатынас", "ru": "Общение"}[lang]
    gm_title = {"kk": "Ірі моторика", "ru": "Крупная моторика"}[lang]
    for text in ("Әлия Ғалымқызы", com_title, gm_title, on_track, refer,
                 {"kk": "Оның дыбыстарын қайталаңыз.", "ru": "Повторяйте его звуки."}[lang]):
        assert text in page.text, text
    assert "PMPK" in page.text or "ПМПК" in page.text
    # The activity list puts the area that needs a specialist first.
    assert page.text.index({"kk": "Ойыншықты қолы жететін жерге қойыңыз.", "ru": "Кладите игрушку в пределах досягаемости."}[lang]) \
        < page.text.index({"kk": "Оның дыбыстарын қайталаңыз.", "ru": "Повторяйте его звуки."}[lang])
    pdf = client.get(f"/screenings/{row.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    # Whom and what, in Latin letters (issue 9, item 9): «Әлия Ғалымқызы» -> Aliya-G.
    assert re.fullmatch(r'attachment; filename="Aliya-G_screening_\d{4}-\d\d-\d\d\.pdf"; '
                        r"filename\*=UTF-8''Aliya-G_screening_\d{4}-\d\d-\d\d\.pdf", pdf.headers["Content-Disposition"])
    assert "no-store" in pdf.headers["Cache-Control"]
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("Әлия Ғалымқызы", com_title, gm_title, on_track, refer):
        assert expected in text, expected
    assert "test-dev-screen v1" in text


def test_history_page_has_an_inline_chart(client, db, keyring, world):
    child = baby(db, keyring, parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    row = run_screening(client, db, child)
    page = client.get(f"/children/{child.id}/screenings")
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img"' in page.text and "<polyline" not in page.text  # one point each
    assert f'href="/screenings/{row.id}"' in page.text
    assert "http://" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org/2000/svg", "")
    dashboard = client.get("/parent").text
    assert f'/screenings/{row.id}"' in dashboard and f"/children/{child.id}/screenings" in dashboard


def test_teacher_of_the_group_runs_it_from_the_child_page(app, client, db, keyring, world):
    child = baby(db, keyring, "Group child", parent=world.users["parentA"], group=world.groups["A"])
    sign_in_with_password(client, "teacher1@example.kz")
    child_page = client.get(f"/children/{child.id}")
    assert child_page.status_code == 200 and f"/children/{child.id}/screening" in child_page.text
    row = run_screening(client, db, child)
    page = client.get(f"/screenings/{row.id}").text
    assert f"Teacher1 ({t(app, 'Teacher')})" in page  # who answered: name and role
    client.post("/logout")
    for other in ("teacher1b@example.kz", "teacher2@example.kz", "parentb@example.kz"):
        sign_in_with_password(client, other)
        assert client.get(f"/screenings/{row.id}").status_code == 403
        assert start_screening(client, child.id).status_code == 403
        assert client.get(f"/children/{child.id}/screening").status_code == 403
        client.post("/logout")


def test_social_communication_asks_follow_ups(app, client, db, keyring, world):
    child = baby(db, keyring, months=20, parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    start_screening(client, child.id, SC)
    row = screening_of(db, child.id)
    items = ["sc-01", "sc-02", "sc-03", "sc-04", "sc-05", "sc-06"]
    answers = dict.fromkeys(items, "yes") | {"sc-01": "not_yet", "sc-03": "sometimes"}
    r = client.post(f"/screenings/{row.id}/domain/1", data=answers_form(row.version, answers, action="finish"))
    assert r.status_code == 302 and "stage=follow_up" in r.headers["Location"]
    page = client.get(r.headers["Location"]).text
    assert 'name="f-sc-01-f1"' in page and 'name="f-sc-03-f1"' in page and 'name="f-sc-02-f1"' not in page
    row = screening_of(db, child.id)
    r = client.post(f"/screenings/{row.id}/domain/1", data={
        "version": row.version, "stage": "follow_up", "then": "finish", "action": "next",
        "f-sc-01-f1": "no", "f-sc-03-f1": "no"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/screenings/{row.id}")
    result = client.get(r.headers["Location"]).text
    # Concerns: sc-01 (not yet) and sc-03 (sometimes, confirmed by a follow-up answer) -> 2 -> monitor.
    assert t(app, "Keep an eye and practise") in result
    areas = result.split('id="domains-h"')[1].split('id="home-h"')[0]  # not the guide to all zones
    assert "sd-badge-monitor" in areas and "sd-badge-on_track" not in areas


def test_how_to_check_hint_is_tied_to_its_question(client, db, keyring, world):
    child = baby(db, keyring, months=2, parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    start_screening(client, child.id)
    row = screening_of(db, child.id)
    page = client.get(f"/screenings/{row.id}/domain/1").text
    assert 'id="a-m02-com-1-hint"' in page and "Баламен сөйлесіп, жауабын күтіңіз." in page
    assert 'aria-describedby="a-m02-com-1-hint"' in page


def test_posts_need_the_csrf_token(app, client, db, keyring, world):
    child = baby(db, keyring, parent=world.users["parentA"])
    sign_in_with_password(client, "parenta@example.kz")
    start_screening(client, child.id)
    row = screening_of(db, child.id)
    app.config["WTF_CSRF_ENABLED"] = True
    r = client.post(f"/screenings/{row.id}/domain/1", data=answers_form(row.version, {"m04-com-1": "yes"}))
    assert r.status_code == 400
    assert start_screening(client, child.id).status_code == 400
    assert screening_of(db, child.id).version == row.version
