"""The foundation's parent scenario in a real browser: register (Kazakh by default), add a child (a wrong IIN first,
then a valid one), sign out and in, switch to Russian and back, and never see another family's child.

Wording is asserted only where the glossary fixes it (the IIN is «ЖСН» in Kazakh and «ИИН» in Russian); elsewhere
the tests compare languages (kk text != ru text != the English msgid) so that they survive rewording.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from sabidamu.iin import make_iin
from tests.support.browser import (
    KAZAKH_LETTERS,
    assert_accessible,
    field_error,
    html_lang,
    shot,
    sign_in,
    sign_out,
    switch_language,
)
from tests.support.smtp import smtp_server  # noqa: F401

EMAIL = "aigerim.parent@example.kz"
PASSWORD = "Sabi-Damu-2026!"
CHILD_NAME = "Әлихан Сәрсенұлы"
BIRTH = dt.date(2021, 3, 15)
GOOD_IIN = make_iin(BIRTH, "m", 4321)
BAD_IIN = GOOD_IIN[:11] + str((int(GOOD_IIN[11]) + 1) % 10)  # one wrong digit: the check digit fails
CHECKSUM_MSGID = "The IIN's check digit does not match: check the number for a typo."


def submit(page):
    """Clicks the main form's submit button; returns the response of the page that comes back."""
    with page.expect_navigation() as nav:
        page.locator("main form button[type=submit]").first.click()
    return nav.value


def fill_child_form(page, iin: str) -> None:
    page.fill("#name", CHILD_NAME)
    page.fill("#birth_date", BIRTH.isoformat())
    page.fill("#iin", iin)


def assert_iin_error_kept_values(page, response) -> str:
    """The wrong IIN is refused beside its field, in the page's language, with every typed value kept."""
    assert response.status == 422
    error = field_error(page, "iin")
    assert error.is_visible()
    # The message sits in the IIN field's own block and the input points to it.
    assert page.locator("div.field.has-error").filter(has=page.locator("#iin")).locator("#iin-err").count() == 1
    assert page.get_attribute("#iin", "aria-invalid") == "true"
    assert "iin-err" in page.get_attribute("#iin", "aria-describedby").split()
    assert page.input_value("#name") == CHILD_NAME
    assert page.input_value("#birth_date") == BIRTH.isoformat()
    assert page.input_value("#iin") == BAD_IIN
    assert page.locator("#form-errors").is_visible()
    # app.js moves the focus to the first invalid field.
    assert page.evaluate("document.activeElement.id") == "iin"
    text = error.inner_text().strip()
    assert text and text != CHECKSUM_MSGID, f"the IIN error is not translated into {html_lang(page)}: {text!r}"
    return text


@pytest.mark.browser
def test_landing_register_login_in_russian(new_page):
    """A visitor whose browser asks for Russian gets the public pages in Russian."""
    page = new_page(accept_language="ru")
    page.goto("/")
    assert html_lang(page) == "ru"
    shot(page, "landing")
    assert_accessible(page)
    page.goto("/register")
    assert html_lang(page) == "ru"
    assert not KAZAKH_LETTERS.search(page.locator("main h1").inner_text())
    shot(page, "register")
    assert_accessible(page)
    page.goto("/login")
    shot(page, "login")
    assert_accessible(page)


@pytest.fixture
def environ(environ, smtp_server):
    """The served app sends its mail to a real local SMTP server (the registration's confirmation link)."""
    environ.update(smtp_server.environ)
    return environ


@pytest.mark.browser
def test_parent_journey(page, new_page, live_server, smtp_server):
    # Landing page, Kazakh by default (the context sends Accept-Language: kk).
    response = page.goto("/")
    assert response.status == 200 and html_lang(page) == "kk"
    shot(page, "landing")
    assert_accessible(page)

    # Register.
    with page.expect_navigation():
        page.locator("main a[href='/register']").first.click()
    assert page.url.endswith("/register") and html_lang(page) == "kk"
    shot(page, "register")
    assert_accessible(page)
    page.fill("#full_name", "Айгерім Сәрсенова")
    page.fill("#login", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.check("#agree")
    response = submit(page)
    # The same answer for a new and a known address; the account is confirmed through the e-mailed link.
    assert response.status == 200 and page.url.endswith("/register")
    shot(page, "registered")
    assert_accessible(page)
    [message] = smtp_server.wait_for(1)
    link = re.search(r"https?://\S+/confirm/[A-Za-z0-9_-]+", message.body).group(0)
    page.goto(link)
    shot(page, "confirm")
    assert_accessible(page)
    page.fill("#password", PASSWORD)
    response = submit(page)
    assert response.status == 200 and page.url.endswith("/parent")
    assert page.locator(".flash-success").is_visible()
    assert page.locator("form[action$='/logout']").count() == 1
    shot(page, "dashboard-empty")
    assert_accessible(page)

    # Add a child: a wrong IIN first.
    with page.expect_navigation():
        page.locator("main a[href='/children/new']").first.click()
    assert "ЖСН" in page.locator("label[for=iin]").inner_text()  # glossary: IIN = ЖСН in Kazakh
    fill_child_form(page, BAD_IIN)
    kk_error = assert_iin_error_kept_values(page, submit(page))
    assert "ЖСН" in kk_error
    shot(page, "add-child-errors")
    assert_accessible(page)

    # Then the valid IIN for the same birth date: the child's page.
    page.fill("#iin", GOOD_IIN)
    response = submit(page)
    assert response.status == 200
    assert re.search(r"/children/[0-9a-f-]{36}$", page.url)
    child_url = page.url
    assert page.locator("main h1").inner_text().strip() == CHILD_NAME
    assert page.locator(".flash-success").is_visible()
    assert GOOD_IIN in page.locator("dl.facts").inner_text()
    assert "2021" in page.locator("dl.facts").inner_text()
    shot(page, "child")
    assert_accessible(page)

    # Sign out, then sign in again.
    sign_out(page)
    assert page.locator("form[action$='/logout']").count() == 0
    assert html_lang(page) == "kk"
    page.goto("/login")
    shot(page, "login")
    assert_accessible(page)
    sign_in(page, EMAIL, PASSWORD)
    assert page.url.endswith("/parent")
    kk_heading = page.locator("main h1").inner_text().strip()
    assert page.locator(f"main a[href='{child_url.removeprefix(live_server.url)}']").inner_text() == CHILD_NAME
    shot(page, "dashboard")
    assert_accessible(page)

    # Switch to Russian with the switcher: same page, Russian text, <html lang="ru">.
    switch_language(page, "ru")
    assert page.url.endswith("/parent")
    ru_heading = page.locator("main h1").inner_text().strip()
    assert ru_heading not in (kk_heading, "My children"), "the dashboard heading is not translated"
    assert not KAZAKH_LETTERS.search(ru_heading)
    assert page.get_attribute(".langswitch button[value=ru]", "aria-pressed") == "true"
    shot(page, "dashboard")
    assert_accessible(page)

    # The wrong IIN in Russian: a different, Russian message.
    page.goto("/children/new")
    assert "ИИН" in page.locator("label[for=iin]").inner_text()  # glossary: IIN = ИИН in Russian
    fill_child_form(page, BAD_IIN)
    ru_error = assert_iin_error_kept_values(page, submit(page))
    assert ru_error != kk_error
    assert "ИИН" in ru_error and not KAZAKH_LETTERS.search(ru_error)
    shot(page, "add-child-errors")
    assert_accessible(page)
    page.goto(child_url)
    assert html_lang(page) == "ru"
    shot(page, "child")
    assert_accessible(page)

    # The choice sticks to the account: a new sign-in from a Kazakh browser is still in Russian.
    other = new_page(accept_language="kk")
    sign_in(other, EMAIL, PASSWORD)
    assert html_lang(other) == "ru"
    assert_accessible(other)

    # Back to Kazakh.
    switch_language(page, "kk")
    assert page.url == child_url
    assert page.get_attribute(".langswitch button[value=kk]", "aria-pressed") == "true"

    # Another family's child is never shown: not on the dashboard, and its address gives the 403 page.
    from tests.factories import make_child, make_user
    with live_server.session() as s:
        other_parent = make_user(s, "another.family@example.kz")
        stranger = make_child(s, live_server.keyring, "Бөтен Бала", birth=dt.date(2020, 6, 1), parent=other_parent)
        stranger_id = str(stranger.id)
    page.goto("/parent")
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    child_pages = {href for href in hrefs if re.fullmatch(r"/children/[0-9a-f-]{36}", href)}
    assert child_pages == {child_url.removeprefix(live_server.url)}
    assert "Бөтен Бала" not in page.content()
    response = page.goto(f"/children/{stranger_id}")
    assert response.status == 403
    assert "Бөтен Бала" not in page.content()
    assert page.locator(".error-code").inner_text().strip() == "403"
    kk_title = page.locator("main h1").inner_text().strip()
    shot(page, "403")
    assert_accessible(page)
    switch_language(page, "ru")
    assert page.url.endswith(f"/children/{stranger_id}")
    ru_title = page.locator("main h1").inner_text().strip()
    assert ru_title not in (kk_title, "Access denied"), "the 403 page is not translated"
    assert "Бөтен Бала" not in page.content()
    shot(page, "403")
    assert_accessible(page)
    switch_language(page, "kk")

