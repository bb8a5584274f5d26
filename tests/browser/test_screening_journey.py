"""A parent's home screening in a real browser (fixture instruments): one checklist completed in Kazakh, one
in Russian (with the follow-up questions of the social-communication checklist), one left half-finished and
resumed; the result page is checked for accessibility and the PDF summary is downloaded and read.

Wording is compared through the catalogues (what the page shows for a msgid in that language), never hard-coded
English, so the test survives the translators' work.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from tests.factories import PASSWORD, make_user
from tests.screening.conftest import copy_instruments
from tests.support.browser import (
    KAZAKH_LETTERS,
    assert_accessible,
    has_horizontal_scroll,
    html_lang,
    shot,
    sign_in,
    switch_language,
)
from tests.support.screening import DEV_COM, DEV_GM, baby

pytestmark = pytest.mark.browser

INFANT, SECOND, TODDLER = "Әлия Ғалымқызы", "Нұрсұлтан Өмірұлы", "Маша Иванова"
SC_ITEMS = ["sc-01", "sc-02", "sc-03", "sc-04", "sc-05", "sc-06"]


@pytest.fixture
def family(live_server, tmp_path):
    live_server.app.config["INSTRUMENTS_DIR"] = str(copy_instruments(tmp_path / "instruments"))
    with live_server.session() as db:
        parent = make_user(db, "aigerim@example.kz")
        kids = {
            "infant": baby(db, live_server.keyring, INFANT, months=4, parent=parent).id,
            "second": baby(db, live_server.keyring, SECOND, months=4, sex="m", parent=parent).id,
            "toddler": baby(db, live_server.keyring, TODDLER, months=20, parent=parent).id,
        }
    return kids


def msg(live_server, lang: str, msgid: str, **params) -> str:
    with live_server.app.test_request_context(), force_locale(lang):
        return gettext(msgid, **params)


def click(page, selector: str):
    with page.expect_navigation():
        page.locator(selector).first.click()


def start_from_child_page(page, child_id):
    page.goto(f"/children/{child_id}")
    click(page, f"a[href='/children/{child_id}/screening']")
    click(page, "main form button[type=submit]")
    assert "/domain/1" in page.url


def answer(page, answers: dict[str, str], prefix: str = "a"):
    for item, value in answers.items():
        page.check(f"#{prefix}-{item}-{value}")


def pdf_text(page) -> str:
    with page.expect_download() as download:
        page.locator("a[href$='/pdf']").click()
    d = download.value
    assert re.fullmatch(r"[A-Za-z-]+_screening_\d{4}-\d\d-\d\d\.pdf", d.suggested_filename), d.suggested_filename
    data = Path(d.path()).read_bytes()
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_parent_screens_in_kazakh_and_russian_and_resumes(live_server, family, page, new_page):
    sign_in(page, "aigerim@example.kz", PASSWORD)
    assert html_lang(page) == "kk"

    # 1. Kazakh: the dev screen, the first answer chosen from the keyboard.
    start_from_child_page(page, family["infant"])
    step = msg(live_server, "kk", "Domain %(number)d of %(total)d", number=1, total=2)
    assert page.locator(".sd-step").inner_text() == step
    assert page.locator("progress").get_attribute("value") == "1"
    page.focus("#a-m04-com-1-yes")
    page.keyboard.press("Space")
    assert page.is_checked("#a-m04-com-1-yes")
    answer(page, dict.fromkeys(DEV_COM[1:], "yes"))
    shot(page, "screening-domain")
    assert_accessible(page)
    click(page, "button[value=next]")
    assert "/domain/2" in page.url
    answer(page, dict.fromkeys(DEV_GM, "not_yet"))
    click(page, "button[value=finish]")
    assert "/screenings/" in page.url and page.locator("h1").inner_text() == msg(live_server, "kk", "Screening result")
    body = page.locator("main").inner_text()
    for text in (INFANT, msg(live_server, "kk", "On track"), msg(live_server, "kk", "Talk to a specialist"),
                 msg(live_server, "kk", "This is not a diagnosis."), "ПМПК"):
        assert text in body, text
    assert KAZAKH_LETTERS.search(body)
    shot(page, "screening-result")
    assert_accessible(page)
    text = pdf_text(page)
    assert INFANT in text and msg(live_server, "kk", "Talk to a specialist") in text and "Ірі моторика" in text

    # 2. Russian: the social-communication checklist with its follow-up questions.
    switch_language(page, "ru")
    start_from_child_page(page, family["toddler"])
    answer(page, dict.fromkeys(SC_ITEMS, "yes") | {"sc-01": "not_yet", "sc-03": "sometimes"})
    click(page, "button[value=finish]")
    assert "stage=follow_up" in page.url and html_lang(page) == "ru"
    assert page.locator("fieldset legend", has_text="Проверяли ли слух?").count() == 1
    answer(page, {"sc-01-f1": "no", "sc-01-f2": "yes", "sc-03-f1": "no"}, prefix="f")
    assert_accessible(page)
    click(page, "button[value=finish]")
    body = page.locator("main").inner_text()
    assert TODDLER in body and msg(live_server, "ru", "Keep an eye and practise") in body
    shot(page, "screening-result-sc")
    text = pdf_text(page)
    assert TODDLER in text and msg(live_server, "ru", "Keep an eye and practise") in text

    # 3. Half-finished on a phone, resumed later from the child page.
    phone = new_page(accept_language="ru", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(phone, "aigerim@example.kz", PASSWORD)
    start_from_child_page(phone, family["second"])
    assert not has_horizontal_scroll(phone)
    answer(phone, dict.fromkeys(DEV_COM, "sometimes"))
    shot(phone, "screening-domain-phone")
    click(phone, "button[value=later]")
    assert phone.url.endswith(f"/children/{family['second']}")
    assert phone.locator(".flash-success").is_visible()
    click(phone, "a[href$='/resume']")
    assert "/domain/2" in phone.url
    click(phone, "button[value=back]")
    assert "/domain/1" in phone.url and phone.is_checked("#a-m04-com-3-sometimes")
    click(phone, "button[value=next]")
    answer(phone, dict.fromkeys(DEV_GM, "yes"))
    click(phone, "button[value=finish]")
    body = phone.locator("main").inner_text()
    assert SECOND in body and msg(live_server, "ru", "Keep an eye and practise") in body
    assert not has_horizontal_scroll(phone)

    # The history shows both dev-screen results with the chart.
    page.goto(f"/children/{family['infant']}/screenings")
    assert page.locator("main svg[role=img]").count() == 1
    assert_accessible(page)
