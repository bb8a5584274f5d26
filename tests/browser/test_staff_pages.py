"""The kindergarten's pages in a real browser: the head's organization page, a group, adding a child by IIN (a wrong
IIN first), both languages; a teacher sees only their own group; the group page on a phone."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from sabidamu.iin import make_iin
from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org, make_user
from tests.support.browser import (
    KAZAKH_LETTERS,
    assert_accessible,
    field_error,
    has_horizontal_scroll,
    html_lang,
    shot,
    sign_in,
    switch_language,
)

NEW_CHILD = "Томирис Жақсылық"
NEW_BIRTH = dt.date(2020, 11, 2)
NEW_IIN = make_iin(NEW_BIRTH, "f", 7001)
BAD_IIN = NEW_IIN[:11] + str((int(NEW_IIN[11]) + 3) % 10)


@pytest.fixture
def kindergarten(live_server):
    """A kindergarten with a head, two groups with a teacher each, and children in both groups."""
    with live_server.session() as s:
        org = make_org(s, live_server.keyring, "Балапан")
        head = make_user(s, "head@balapan.kz")
        teacher_a = make_user(s, "teacher.a@balapan.kz")
        teacher_b = make_user(s, "teacher.b@balapan.kz")
        add_member(s, head, org, "head")
        enrol_totp(s, live_server.keyring, head)  # heads sign in with a second factor
        add_member(s, teacher_a, org, "teacher")
        add_member(s, teacher_b, org, "teacher")
        group_a = make_group(s, org, "Күншуақ", teacher_a)
        group_b = make_group(s, org, "Айгөлек", teacher_b, age_group="middle")
        make_child(s, live_server.keyring, "Әлия Ахметова", group=group_a)
        make_child(s, live_server.keyring, "Нұрсұлтан Серікұлы", sex="m", birth=dt.date(2020, 4, 20), group=group_a)
        make_child(s, live_server.keyring, "Борис Иванов", sex="m", birth=dt.date(2021, 8, 9), group=group_b)
        return {"org": str(org.id), "group_a": str(group_a.id), "group_b": str(group_b.id),
                "head": login_of(head), "teacher_a": login_of(teacher_a)}


def submit(page):
    with page.expect_navigation() as nav:
        page.locator("main form button[type=submit]").first.click()
    return nav.value


def try_wrong_iin(page) -> str:
    """Sends the enrolment form with a wrong IIN: refused beside the IIN field, the typed values kept."""
    page.fill("#iin", BAD_IIN)
    page.fill("#name", NEW_CHILD)
    page.fill("#birth_date", NEW_BIRTH.isoformat())
    response = submit(page)
    assert response.status == 422
    assert field_error(page, "iin").is_visible()
    assert page.get_attribute("#iin", "aria-invalid") == "true"
    assert (page.input_value("#iin"), page.input_value("#name"), page.input_value("#birth_date")) == (
        BAD_IIN, NEW_CHILD, NEW_BIRTH.isoformat())
    return field_error(page, "iin").inner_text().strip()


@pytest.mark.browser
def test_head_adds_a_child_by_iin(page, kindergarten):
    sign_in(page, kindergarten["head"], PASSWORD)
    assert page.url.endswith(f"/orgs/{kindergarten['org']}")
    assert html_lang(page) == "kk"
    assert page.locator("main h1").inner_text().strip() == "Балапан (kk)"
    groups = page.locator("main table a")
    assert sorted(groups.all_inner_texts()) == ["Айгөлек", "Күншуақ"]
    shot(page, "org")
    assert_accessible(page)

    with page.expect_navigation():
        page.locator("main table a", has_text="Күншуақ").click()
    assert page.url.endswith(f"/groups/{kindergarten['group_a']}")
    assert page.locator("main tbody tr").count() == 2
    shot(page, "group")
    assert_accessible(page)

    with page.expect_navigation():
        page.locator(f"main a[href='/groups/{kindergarten['group_a']}/enroll']").click()
    assert "ЖСН" in page.locator("label[for=iin]").inner_text()  # glossary: IIN = ЖСН in Kazakh
    kk_error = try_wrong_iin(page)
    shot(page, "enroll-errors")
    assert_accessible(page)

    # The valid IIN: the new child is in the group (the kindergarten creates it: no parent has registered it).
    page.fill("#iin", NEW_IIN)
    response = submit(page)
    assert response.status == 200 and page.url.endswith(f"/groups/{kindergarten['group_a']}")
    assert page.locator(".flash-success").is_visible()
    names = page.locator("main tbody tr td:nth-child(2)").all_inner_texts()
    assert NEW_CHILD in [n.strip() for n in names] and len(names) == 3
    shot(page, "group-after-enrol")
    assert_accessible(page)

    # The same pages in Russian.
    switch_language(page, "ru")
    assert page.url.endswith(f"/groups/{kindergarten['group_a']}")
    assert NEW_CHILD in page.locator("main tbody").inner_text()
    shot(page, "group")
    assert_accessible(page)
    page.goto(f"/orgs/{kindergarten['org']}")
    assert page.locator("main h1").inner_text().strip() == "Балапан (ru)"
    shot(page, "org")
    assert_accessible(page)
    page.goto(f"/groups/{kindergarten['group_a']}/enroll")
    assert "ИИН" in page.locator("label[for=iin]").inner_text()  # glossary: IIN = ИИН in Russian
    ru_error = try_wrong_iin(page)
    assert ru_error != kk_error and not KAZAKH_LETTERS.search(ru_error)
    shot(page, "enroll-errors")
    assert_accessible(page)
    switch_language(page, "kk")


@pytest.mark.browser
def test_teacher_sees_only_their_group(page, kindergarten):
    sign_in(page, kindergarten["teacher_a"], PASSWORD)
    assert page.url.endswith(f"/orgs/{kindergarten['org']}")
    assert page.locator("main table a").all_inner_texts() == ["Күншуақ"]
    assert "Айгөлек" not in page.locator("main").inner_text()
    shot(page, "org-teacher")
    assert_accessible(page)

    page.goto(f"/groups/{kindergarten['group_a']}")
    assert "Борис Иванов" not in page.locator("main").inner_text()
    assert page.locator("main a[href$='/enroll']").count() == 0  # only the head adds children
    assert_accessible(page)

    response = page.goto(f"/groups/{kindergarten['group_b']}")
    assert response.status == 403
    assert "Борис Иванов" not in page.content()
    assert_accessible(page)
    response = page.goto(f"/groups/{kindergarten['group_a']}/enroll")
    assert response.status == 403
    assert_accessible(page)


@pytest.mark.browser
def test_group_page_fits_a_phone(new_page, kindergarten):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    sign_in(page, kindergarten["head"], PASSWORD)
    for lang in ("kk", "ru"):
        if html_lang(page) != lang:
            switch_language(page, lang)
        for path, name in ((f"/orgs/{kindergarten['org']}", "org-phone"),
                           (f"/groups/{kindergarten['group_a']}", "group-phone"),
                           (f"/groups/{kindergarten['group_a']}/enroll", "enroll-phone")):
            page.goto(path)
            assert re.search(r"[А-Яа-яӘәҚқ]", page.locator("main").inner_text())
            shot(page, name)
            assert not has_horizontal_scroll(page), f"{path} scrolls sideways on a 375 px wide screen ({lang})"
            assert_accessible(page)
