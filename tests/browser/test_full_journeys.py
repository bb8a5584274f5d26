"""The whole platform in a real browser, once in Kazakh and once in Russian: a parent registers (on a phone),
adds a child, screens the child at home, confirms the kindergarten's enrolment and gives the consents; the
kindergarten's head enrols the child; the teacher fills the monitoring grid, opens the card and refers the child to
the speech therapist; the specialist writes a conclusion; the head hands the card to the school; the school's head
accepts it and sees first-grade readiness.

Every page on the way: no 500, <html lang> in the journey's language, and axe reports no serious or critical
finding. The parent's part runs at 390 px (a phone), the staff's at 1280 px. A step that fails here is a bug of
the page it names, never something to work around in the test.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from sabidamu.iin import make_iin
from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, add_member, enrol_totp, make_group, make_org, make_school, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, html_lang, shot, sign_in, sign_out
from tests.support.smtp import smtp_server  # noqa: F401

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
TODAY = dt.date(2026, 10, 1)  # "today" in Almaty for the monitoring pages: inside the start stage's period
BIRTH = dt.date(2021, 2, 10)  # 5 years and some months: the pre-school group, the last screening band


@pytest.fixture
def environ(environ, smtp_server):
    """The served app sends its mail to a real local SMTP server (the registration's confirmation link)."""
    environ.update(smtp_server.environ)
    return environ


@pytest.fixture
def town(live_server):
    live_server.app.config["MONITORING_TODAY"] = TODAY
    with live_server.session() as s:
        kg = make_org(s, live_server.keyring, "Балдырған")
        kg.bin = "990140001234"
        head = make_user(s, "head@baldyrgan.kz")
        teacher = make_user(s, "teacher@baldyrgan.kz")
        speech = make_user(s, "speech@baldyrgan.kz")
        add_member(s, head, kg, "head")
        enrol_totp(s, live_server.keyring, head)
        add_member(s, teacher, kg, "teacher")
        add_member(s, speech, kg, "specialist")
        group = make_group(s, kg, "Күншуақ", teacher)
        school = make_school(s, live_server.keyring, "Мектеп 45", head_email="head@school45.kz")
        school.org.bin = "990140005678"
        s.flush()
        return {"kg": str(kg.id), "group": str(group.id), "school": str(school.org.id), "head": login_of(head),
                "teacher": login_of(teacher), "speech": login_of(speech), "school_head": login_of(school.head)}


class Journey:
    """Checks every page a step lands on; names the step in a failure."""

    def __init__(self, lang: str):
        self.lang, self.step = lang, ""

    def check(self, page, response=None, name: str | None = None):
        where = f"step «{self.step}» at {page.url}"
        if response is not None:
            assert response.status < 500, f"{where}: HTTP {response.status}"
        assert html_lang(page) == self.lang, f"{where}: <html lang={html_lang(page)}>"
        if page.viewport_size and page.viewport_size["width"] <= 400:
            assert not has_horizontal_scroll(page), f"{where}: scrolls sideways on a phone"
        if name:
            shot(page, f"{self.lang}-journey-{name}")
        try:
            assert_accessible(page)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from None

    def go(self, page, url: str, name: str | None = None):
        self.check(page, page.goto(url), name)

    def click(self, page, selector: str, name: str | None = None):
        with page.expect_navigation() as nav:
            page.locator(selector).first.click()
        if "-jobs/" in page.url:  # a progress page reloads itself (progress.js) until the file is ready
            expect(page.locator("main a[href$='/download']")).to_be_visible(timeout=60_000)
            page.wait_for_load_state("load")
        self.check(page, nav.value, name)


def _answer_every_domain(journey, page):
    """Answers every question with the first choice (yes) until the result page."""
    for _ in range(40):
        if not re.search(r"/domain/\d+", page.url):
            break
        for fieldset in page.locator("main fieldset.sd-choices").all():
            fieldset.locator("input[type=radio]").first.check()
        journey.click(page, "main form .sd-nav button.button:not(.secondary)")
    assert re.search(r"/screenings/[0-9a-f-]{36}$", page.url), f"not on a result page: {page.url}"


def _select_option_containing(page, selector: str, value_part: str):
    values = [o.get_attribute("value") for o in page.locator(f"{selector} option").all()]
    value = next(v for v in values if v and value_part in v)
    page.select_option(selector, value)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_full_journey(live_server, new_page, town, smtp_server, lang):
    j = Journey(lang)
    email = f"parent-{lang}@example.kz"
    child_name = {"kk": "Әлихан Серіков", "ru": "Иван Петров"}[lang]
    iin = make_iin(BIRTH, "m", 4000 + len(lang))

    # -- the parent, on a phone --------------------------------------------------------------------------------
    parent = new_page(accept_language=lang, viewport=PHONE)
    j.step = "register"
    j.go(parent, "/", "landing")
    j.click(parent, "main a[href='/register']", "register")
    parent.fill("#full_name", {"kk": "Айгерім Серікова", "ru": "Елена Петрова"}[lang])
    parent.fill("#login", email)
    parent.fill("#password", PASSWORD)
    parent.fill("#password2", PASSWORD)
    parent.check("#agree")
    j.click(parent, "main form button[type=submit]", "registered")
    [message] = smtp_server.wait_for(1)
    link = re.search(r"https?://\S+/confirm/[A-Za-z0-9_-]+", message.body).group(0)
    j.go(parent, link, "confirm")
    parent.fill("#password", PASSWORD)
    j.click(parent, "main form button[type=submit]", "dashboard-empty")
    assert parent.url.endswith("/parent")

    j.step = "add the child"
    j.click(parent, "main a[href='/children/new']", "add-child")
    parent.fill("#name", child_name)
    parent.fill("#birth_date", BIRTH.isoformat())
    parent.fill("#iin", iin)
    j.click(parent, "main form button[type=submit]", "child")
    child_url = parent.url
    child_id = child_url.rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-f-]{36}", child_id)

    j.step = "screening at home"
    j.click(parent, f".page-actions a[href='/children/{child_id}/screening']", "screening-start")
    j.click(parent, "main form button[type=submit]")
    _answer_every_domain(j, parent)
    j.check(parent, name="screening-result")
    slug = {"kk": "Alikhan-S", "ru": "Ivan-P"}[lang]
    with parent.expect_download() as download:
        parent.locator("main a[href$='/pdf']").first.click()
    assert re.fullmatch(rf"{slug}_screening_\d{{4}}-\d\d-\d\d\.pdf", download.value.suggested_filename)

    # -- the kindergarten's head enrols the child by IIN ------------------------------------------------------
    head = new_page(accept_language=lang)
    j.step = "the head enrols the child"
    sign_in(head, town["head"], PASSWORD)
    j.check(head)
    j.go(head, f"/groups/{town['group']}", "group")
    j.click(head, f"main a[href='/groups/{town['group']}/enroll']", "enroll")
    head.fill("#iin", iin)
    head.fill("#name", child_name)
    head.fill("#birth_date", BIRTH.isoformat())
    j.click(head, "main form button[type=submit]")

    j.step = "the parent confirms the enrolment"
    j.go(parent, "/parent", "dashboard-request")
    j.click(parent, "main form[action$='/accept'] button")

    j.step = "monitoring consent"
    j.go(parent, f"/children/{child_id}/consents", "consents")
    j.go(parent, f"/children/{child_id}/consents/new?purpose=kindergarten_monitoring", "consent-monitoring")
    _select_option_containing(parent, "#recipient", town["kg"])
    j.click(parent, "main form button[type=submit]")

    j.step = "school transfer consent"
    j.go(parent, f"/children/{child_id}/consents/new?purpose=school_transfer", "consent-school")
    _select_option_containing(parent, "#recipient", town["school"])
    j.click(parent, "main form button[type=submit]")

    # -- the teacher: grid, card, referral ---------------------------------------------------------------------
    teacher = new_page(accept_language=lang)
    j.step = "the teacher fills the grid"
    sign_in(teacher, town["teacher"], PASSWORD)
    j.check(teacher)
    j.go(teacher, f"/groups/{town['group']}/monitoring?stage=start&skill_group=physical", "grid")
    row = teacher.locator("#grid tbody tr").filter(has_text=child_name)
    selects = row.locator("select.gr-select")
    for i in range(selects.count()):
        selects.nth(i).select_option("2")
    teacher.wait_for_function("n => document.querySelectorAll('td.gr-cell.is-saved').length >= n && "
                              "!document.querySelector('td.gr-cell.is-saving, td.gr-cell.is-error')",
                              arg=selects.count())
    j.check(teacher, name="grid-filled")

    j.step = "the teacher opens the card and the group report"
    j.go(teacher, f"/children/{child_id}/card", "card")
    assert child_name in teacher.locator("main").inner_text()
    with teacher.expect_download() as download:
        teacher.locator(f"main a[href$='/card.pdf?lang={lang}']").first.click()
    assert download.value.suggested_filename.startswith(f"{slug}_card_")
    j.go(teacher, f"/groups/{town['group']}/report", "report")

    j.step = "the teacher refers the child to the speech therapist"
    j.go(teacher, f"/children/{child_id}/refer", "refer")
    _select_option_containing(teacher, "#recipient", "user:")
    teacher.fill("#reason", {"kk": "Р дыбысын анық айтпайды.", "ru": "Нечетко произносит звук р."}[lang])
    j.click(teacher, "main form button[type=submit]")

    j.step = "the parent consents to the referral"
    j.go(parent, "/parent", "dashboard-referral")
    j.click(parent, "main a[href*='/consents/new?']", "consent-referral")
    j.click(parent, "main form button[type=submit]")

    # -- the specialist ----------------------------------------------------------------------------------------
    speech = new_page(accept_language=lang)
    j.step = "the specialist writes a conclusion"
    sign_in(speech, town["speech"], PASSWORD)
    j.go(speech, "/specialist", "specialist")
    j.click(speech, f"main a[href='/specialist/children/{child_id}']", "specialist-child")
    speech.fill("#conclusion", {"kk": "Дыбыстау бұзылысы.", "ru": "Нарушение звукопроизношения."}[lang])
    speech.fill("#recommendations", {"kk": "Аптасына екі рет логопед.", "ru": "Логопед два раза в неделю."}[lang])
    j.click(speech, "main form button[type=submit]", "specialist-saved")

    # -- the head hands the card to the school -----------------------------------------------------------------
    j.step = "the head exports the card to the school"
    j.go(head, f"/orgs/{town['kg']}/transfer/export", "export")
    head.locator(f"main input[type=checkbox][value='{child_id}']").check()
    head.select_option("#school", town["school"])
    head.select_option("#lang", lang)
    j.click(head, "main form button[type=submit]", "export-checked")
    if "/transfer-jobs/" not in head.url:  # the check page: confirm the children that can be handed over
        j.click(head, "main form button[type=submit]")
    assert "/transfer-jobs/" in head.url, head.url
    expect(head.locator("main a[href$='/download']")).to_be_visible(timeout=60_000)
    j.check(head, name="export-ready")
    with head.expect_download() as download:
        head.locator("main a[href$='/download']").first.click()
    assert re.fullmatch(r"Baldyr[a-z]an-(kk|ru)_cards-for-school_\d{4}-\d\d-\d\d_(kk|ru)\.zip",
                        download.value.suggested_filename), download.value.suggested_filename

    # -- the school --------------------------------------------------------------------------------------------
    school = new_page(accept_language=lang)
    j.step = "the school accepts the card"
    sign_in(school, town["school_head"], PASSWORD)
    j.go(school, f"/orgs/{town['school']}/school/inbox", "inbox")
    j.click(school, "main form[action$='/accept'] button", "inbox-accepted")
    assert school.locator("main form[action$='/accept']").count() == 0, "the card still waits in the inbox"

    j.step = "readiness"
    j.go(school, f"/orgs/{town['school']}/school/readiness", "readiness")
    assert child_name in school.locator("main").inner_text()

    j.step = "the school reads the card"
    j.click(school, "main a[href^='/school/cards/']:not([href$='.pdf'])", "school-card")
    facts = school.locator("main dl.facts").inner_text()
    assert BIRTH.isoformat() not in facts
    assert {"kk": "2021\u202fж. 10 ақпан", "ru": "10 февраля 2021\u202fг."}[lang] in facts
    with school.expect_download() as download:
        school.locator("main a[href$='/card.pdf']").first.click()
    assert download.value.suggested_filename.startswith(f"{slug}_card_")

    j.step = "the parent sees who saw the data and downloads it"
    j.go(parent, f"/account/children/{child_id}/access-log", "access-log")
    log = parent.locator("main table").inner_text()
    for code in ("None", "teacher", "head", "specialist", "former_kindergarten"):
        assert code not in log, code
    j.go(parent, child_url)
    parent.locator(f"main form[action$='/account/children/{child_id}/export'] button").click()
    parent.wait_for_url("**/account/exports/*")  # the job's page: tests run the queue's task at once
    j.check(parent, name="data-export-ready")
    with parent.expect_download() as download:
        parent.locator("main a[href$='/download']").click()
    assert re.fullmatch(rf"{slug}_data-export_\d{{4}}-\d\d-\d\d\.zip", download.value.suggested_filename)
    sign_out(parent)
