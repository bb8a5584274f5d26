"""What parents, teachers and heads read in a real browser, in Kazakh and in
Russian, on a desktop (1280 px) and a phone (390 px): the access log, the screening's question about open answers
and "Continue", a child at home, the monitoring periods' date pickers, dates inside sentences, download names.
Every page passes axe (no serious or critical finding) and gets a screenshot."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import session
from flask_babel import ngettext

from sabidamu.services.audit import record
from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org, make_user
from tests.screening.conftest import copy_instruments
from tests.support.browser import assert_accessible, has_horizontal_scroll, shot, sign_in
from tests.support.i18n import t
from tests.support.screening import DEV_COM, baby

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
VIEWS = [("kk", DESKTOP), ("ru", PHONE), ("ru", DESKTOP), ("kk", PHONE)]
IDS = ["kk-1280", "ru-390", "ru-1280", "kk-390"]
TODAY = dt.date(2026, 12, 4)


def _name(lang, viewport, what):
    return f"{lang}-{what}-{viewport['width']}"


def _check(page, lang, viewport, what):
    assert page.locator("html").get_attribute("lang") == lang
    shot(page, _name(lang, viewport, what))
    assert_accessible(page)
    if viewport is PHONE:
        assert not has_horizontal_scroll(page), f"{what} scrolls sideways on a phone"


def _click(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()


@pytest.fixture
def kindergarten(live_server, tmp_path):
    live_server.app.config["MONITORING_TODAY"] = TODAY
    live_server.app.config["INSTRUMENTS_DIR"] = str(copy_instruments(tmp_path / "instruments"))
    with live_server.session() as s:
        org = make_org(s, live_server.keyring, "Балдырған")
        head = make_user(s, "head@baldyrgan.kz")
        teacher = make_user(s, "teacher@baldyrgan.kz")
        other = make_user(s, "other@baldyrgan.kz")
        parent = make_user(s, "aigerim@example.kz")
        add_member(s, head, org, "head")
        enrol_totp(s, live_server.keyring, head)
        add_member(s, teacher, org, "teacher")
        group = make_group(s, org, "Күнбағыс", teacher)
        child = make_child(s, live_server.keyring, "Әлия Ахметова", parent=parent, group=group)
        home = baby(s, live_server.keyring, "Айша Серікова", months=4, parent=parent)
        record(s, teacher, "child.view", role="teacher", org_id=org.id, object_type="child", object_id=child.id)
        record(s, head, "card.view", role="former_kindergarten", org_id=org.id, object_type="child",
               object_id=child.id)
        record(s, other, "access.denied", role=None, object_type="child", object_id=child.id)
        record(s, parent, "child.view", role="parent", object_type="child", object_id=child.id)
        return {"org": str(org.id), "group": str(group.id), "child": str(child.id), "home": str(home.id),
                "head": login_of(head), "teacher": login_of(teacher), "parent": login_of(parent)}


def _msg(live_server, lang, msgid, **params):
    return t(live_server.app, msgid, lang, **params)


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_access_log(live_server, new_page, kindergarten, lang, viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, kindergarten["parent"], PASSWORD)
    page.goto(f"/account/children/{kindergarten['child']}/access-log")
    table = page.locator("main table").inner_text()
    for role in ("Teacher", "Kindergarten (the card was handed to a school)", "Staff member of an organization"):
        assert _msg(live_server, lang, role) in table, role
    for code in ("former_kindergarten", "None", "teacher)"):
        assert code not in table
    assert _msg(live_server, lang, "You") not in table  # the parent's own views are apart
    _check(page, lang, viewport, "access-log")
    _click(page, "main a[href$='mine=1']")
    assert _msg(live_server, lang, "You") in page.locator("main table").inner_text()
    _check(page, lang, viewport, "access-log-mine")


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_screening_asks_before_moving_on_and_continues_where_open(live_server, new_page, kindergarten, lang,
                                                                   viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, kindergarten["parent"], PASSWORD)
    home = kindergarten["home"]
    page.goto(f"/children/{home}")
    # A child at home: the first action is the screening, not an empty kindergarten card.
    first = page.locator(".page-actions a.button:not(.secondary)").first
    assert first.get_attribute("href") == f"/children/{home}/screening"
    assert page.locator(f".page-actions a[href='/children/{home}/card']").count() == 0
    _check(page, lang, viewport, "home-child")
    _click(page, ".page-actions a.button:not(.secondary)")
    _click(page, "main form button[type=submit]")
    for item in DEV_COM[:3]:
        page.check(f"#a-{item}-yes")
    _click(page, "main form button[value=next]")
    assert "confirm=next" in page.url
    with live_server.app.test_request_context("/"):
        session["lang"] = lang
        expected = ngettext("%(num)d question in this area is not answered.",
                            "%(num)d questions in this area are not answered.", 2)
    assert expected in page.locator("#form-errors").inner_text()
    assert page.locator(".sd-open-note").count() == 2
    _check(page, lang, viewport, "screening-open-questions")
    # "Later", then Continue: back to the area with open questions.
    _click(page, "main form button[value=later]")
    _click(page, "main a[href$='/resume']")
    assert re.search(r"/domain/1$", page.url), page.url
    # Go on anyway from the question.
    _click(page, "main form button[value=next]")
    _click(page, "main a[href$='/domain/1/next']")
    assert re.search(r"/domain/2$", page.url), page.url


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_monitoring_periods_with_date_pickers(live_server, new_page, kindergarten, lang, viewport):
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, kindergarten["head"], PASSWORD)
    page.goto(f"/orgs/{kindergarten['org']}/monitoring/windows")
    pickers = page.locator("main input[type=date]")
    assert pickers.count() == 6
    assert pickers.first.get_attribute("min") == "2026-09-01" and pickers.first.get_attribute("max") == "2027-08-31"
    assert "MM-DD" not in page.locator("main").inner_text()
    _check(page, lang, viewport, "monitoring-periods")
    page.fill("#final_to", "2027-09-15")  # after the academic year
    with page.expect_navigation():
        page.locator("main form.card button[type=submit]").first.click()
    error = page.locator("#final_to-err").inner_text()
    assert error and "Choose a day" not in error  # in the page's language
    assert page.input_value("#final_to") == "2027-09-15"
    _check(page, lang, viewport, "monitoring-periods-error")


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_dates_in_sentences(live_server, new_page, kindergarten, lang, viewport):
    """4 December 2026, between the start and the intermediate periods: the grid says when entry opens."""
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, kindergarten["teacher"], PASSWORD)
    page.goto(f"/groups/{kindergarten['group']}/monitoring?stage=intermediate&skill_group=physical")
    text = page.locator("main").inner_text()
    expected = {"kk": "2027\u202fж. 1 қаңтарда", "ru": "1 января 2027\u202fг."}[lang]
    assert expected in text, text[:600]
    assert "г.." not in text
    _check(page, lang, viewport, "grid-opens-on")


def test_downloads_are_named_after_the_child(live_server, new_page, kindergarten):
    page = new_page(accept_language="ru")
    sign_in(page, kindergarten["teacher"], PASSWORD)
    page.goto(f"/children/{kindergarten['child']}/card")
    with page.expect_download() as download:
        page.locator("main a[href$='/card.pdf?lang=ru']").click()
    assert download.value.suggested_filename == f"Aliya-A_card_{dt.date.today().isoformat()}_ru.pdf"


@pytest.mark.parametrize("lang, viewport", VIEWS, ids=IDS)
def test_deletion_date_reads_as_when(live_server, new_page, kindergarten, lang, viewport):
    """«…деректер 2027 ж. 31 тамызда жойылады» / «…будут удалены 31 августа 2027 г.» (one full stop)."""
    page = new_page(accept_language=lang, viewport=viewport)
    sign_in(page, kindergarten["parent"], PASSWORD)
    page.goto(f"/account/children/{kindergarten['child']}/delete")
    text = page.locator("main").inner_text()
    pattern = {"kk": r"\d{4}\u202fж\. \d{1,2} [а-яәғқңөұүһі]+(да|де|та|те) жойылады",
               "ru": r"будут удалены \d{1,2} [а-я]+ \d{4}\u202fг\.(?!\.)"}[lang]
    assert re.search(pattern, text), text[:800]
    assert "г.." not in text
    _check(page, lang, viewport, "delete-date")
