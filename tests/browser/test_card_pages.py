"""The individual development card and the group report in a real browser: both languages, screenshots, axe; the
parent reads the card; the group PDF job with its progress page (JavaScript on and off); the card on a phone."""
from __future__ import annotations

import datetime as dt

import pytest

from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, html_lang, shot, sign_in, switch_language
from tests.support.cards import fill, observe, skills

GROUP_FILE = "Kunshuaq"  # «Күншуақ» in the download name

SKILL_GROUPS = ("physical", "communicative", "cognitive", "creative", "social_emotional")


@pytest.fixture
def kindergarten(live_server):
    """A group of three children with start and final stages filled; the first child has a parent."""
    keyring = live_server.keyring
    with live_server.session() as s:
        org = make_org(s, keyring, "Балапан")
        head, teacher, parent = (make_user(s, "head@balapan.kz"), make_user(s, "teacher@balapan.kz"),
                                 make_user(s, "parent@balapan.kz"))
        add_member(s, head, org, "head")
        enrol_totp(s, live_server.keyring, head)  # heads sign in with a second factor
        add_member(s, teacher, org, "teacher")
        group = make_group(s, org, "Күншуақ", teacher)
        aliya = make_child(s, keyring, "Әлия Ахметова", parent=parent, group=group)
        nursultan = make_child(s, keyring, "Нұрсұлтан Серікұлы", sex="m", birth=dt.date(2020, 4, 20), group=group)
        dana = make_child(s, keyring, "Дана Сейітова", birth=dt.date(2020, 2, 1), group=group)
        n = {sg: len(skills(group, sg)) for sg in SKILL_GROUPS}
        fill(s, keyring, teacher, group, aliya, "start", {sg: [2] * n[sg] for sg in n},
             measures={"physical": "Доппен ойындар, аптасына екі рет.", "cognitive": "Санау ойындары."})
        fill(s, keyring, teacher, group, aliya, "final", {sg: [3] * n[sg] for sg in n},
             final=dict.fromkeys(n, 3) | {"creative": 2})
        fill(s, keyring, teacher, group, nursultan, "start", {sg: [1] * n[sg] for sg in n})
        fill(s, keyring, teacher, group, nursultan, "final", {"physical": [1] * n["physical"]})
        fill(s, keyring, teacher, group, dana, "start", {"physical": [3] * n["physical"]})
        observe(s, keyring, parent, aliya, "Үйде өзі киінеді, ертегі айтып береді.", "communicative")
        return {"group": str(group.id), "aliya": str(aliya.id), "teacher": login_of(teacher),
                "parent": login_of(parent)}


@pytest.mark.browser
def test_card_page_in_both_languages(page, kindergarten):
    sign_in(page, kindergarten["teacher"], PASSWORD)
    page.goto(f"/children/{kindergarten['aliya']}/card")
    assert html_lang(page) == "kk"
    main = page.locator("main")
    assert "2026-2027 оқу жылына арналған баланың жеке даму картасы" in main.inner_text()
    header = page.locator("main table thead").first.inner_text()
    assert "Құзыреттіліктер" in header and "бастапқы бақылау" in header and "дамыту, түзету іс-шаралары" in header
    assert "Физикалық қасиеттерді дамыту" in page.locator("main tbody th").first.inner_text()
    assert "Доппен ойындар" in main.inner_text() and "Үйде өзі киінеді" in main.inner_text()
    assert page.locator("main a[href$='/card.pdf?lang=kk']").count() == 1
    shot(page, "card")
    assert_accessible(page)

    switch_language(page, "ru")
    text = page.locator("main").inner_text()
    assert "Индивидуальная карта развития ребенка на 2026-2027 учебный год" in text
    assert "Компетенции" in text and "итоговый мониторинг" in text and "III уровень – высокий" in text
    shot(page, "card")
    assert_accessible(page)
    # The PDF link downloads the card.
    with page.expect_download() as download:
        page.locator("main a[href$='/card.pdf?lang=ru']").click()
    assert download.value.suggested_filename == f"Aliya-A_card_{dt.date.today().isoformat()}_ru.pdf"
    switch_language(page, "kk")


@pytest.mark.browser
def test_parent_reads_the_card(page, kindergarten):
    sign_in(page, kindergarten["parent"], PASSWORD)
    page.goto(f"/children/{kindergarten['aliya']}")
    with page.expect_navigation():
        page.locator(f"main a[href='/children/{kindergarten['aliya']}/card']").click()
    assert page.locator("main form").count() == 0  # read only
    assert "III деңгей – жоғары" in page.locator("main").inner_text()
    shot(page, "card-parent")
    assert_accessible(page)


@pytest.mark.browser
def test_group_report_and_group_pdf(page, kindergarten):
    sign_in(page, kindergarten["teacher"], PASSWORD)
    page.goto(f"/groups/{kindergarten['group']}")
    with page.expect_navigation():
        page.locator(f"main a[href='/groups/{kindergarten['group']}/report']").click()
    main = page.locator("main")
    assert main.locator("svg[role=img]").count() == 1
    support = page.locator("#support-h + p + ul").inner_text()
    assert "Нұрсұлтан Серікұлы" in support and "Әлия" not in support
    shot(page, "group-report")
    assert_accessible(page)
    switch_language(page, "ru")
    assert "Развитие физических качеств" in main.inner_text() and "итоговый мониторинг" in main.inner_text()
    shot(page, "group-report")
    assert_accessible(page)

    # One PDF of the whole group: progress page, then the download link (progress.js reloads when done).
    page.select_option("#lang", "kk")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/card-jobs/" in page.url
    assert_accessible(page)
    link = page.locator("main a[href$='/download']")
    link.wait_for(state="visible", timeout=60_000)
    shot(page, "group-pdf-ready")
    assert_accessible(page)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{GROUP_FILE}_group-cards_{dt.date.today().isoformat()}_kk.pdf"
    switch_language(page, "kk")


@pytest.mark.browser
def test_group_pdf_without_javascript(new_page, kindergarten):
    page = new_page(java_script_enabled=False)
    sign_in(page, kindergarten["teacher"], PASSWORD)
    page.goto(f"/groups/{kindergarten['group']}/report")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    for _ in range(120):  # the plain "Refresh" link until the server shows the download link
        if page.locator("main a[href$='/download']").count():
            break
        page.wait_for_timeout(500)
        refresh = page.locator("#job-refresh")
        if refresh.count():
            with page.expect_navigation():
                refresh.click()
    assert page.locator("main a[href$='/download']").count() == 1


@pytest.mark.browser
def test_card_fits_a_phone(new_page, kindergarten):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(page, kindergarten["teacher"], PASSWORD)
    page.goto(f"/children/{kindergarten['aliya']}/card")
    assert not has_horizontal_scroll(page)  # the wide table scrolls inside its own region
    shot(page, "card-phone")
    assert_accessible(page)
