"""The account pages in a real browser, kk and ru, desktop and phone: "Forgot password" end to end through a
real local SMTP server, the code page, My account, the privacy notice. Each page passes axe and has no
horizontal scroll on a phone."""
from __future__ import annotations

import re

import pytest

from tests.factories import make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, html_lang, shot, sign_in
from tests.support.smtp import smtp_server  # noqa: F401

NEW = "Dala-tau-ozen-2026"


@pytest.fixture
def environ(environ, smtp_server):
    environ.update(smtp_server.environ)
    return environ


def _submit(page):
    with page.expect_navigation() as nav:
        page.locator("main form button[type=submit]").first.click()
    return nav.value


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_forgot_password_by_email(new_page, live_server, smtp_server, lang):
    with live_server.session() as s:
        make_user(s, "ana@example.kz", staff_name=False, locale=lang)
    for width in (1280, 390):
        page = new_page(accept_language=lang, viewport={"width": width, "height": 900})
        page.goto("/login")
        with page.expect_navigation():
            page.locator("main a[href='/forgot']").click()
        assert html_lang(page) == lang
        shot(page, f"{lang}-forgot-{width}")
        assert_accessible(page)
        assert width > 400 or not has_horizontal_scroll(page)
    page.fill("#login", "ana@example.kz")
    assert _submit(page).status == 200
    shot(page, f"{lang}-forgot-sent-390")
    assert_accessible(page)
    [message] = smtp_server.wait_for(1)
    path = re.search(r"/reset/[A-Za-z0-9_-]+", message.body).group(0)
    page.goto(path)
    page.fill("#password", "password2026")
    page.fill("#password2", "password2026")
    assert _submit(page).status == 422  # a common password, refused beside the field
    assert page.locator("#password-err").is_visible()
    shot(page, f"{lang}-reset-error-390")
    assert_accessible(page)
    page.fill("#password", NEW)
    page.fill("#password2", NEW)
    _submit(page)
    assert page.url.endswith("/login")
    sign_in(page, "ana@example.kz", NEW)
    page.goto("/account")
    assert html_lang(page) == lang
    shot(page, f"{lang}-account-390")
    assert_accessible(page)
    assert not has_horizontal_scroll(page)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_code_page_and_privacy_notice(new_page, lang):
    for width in (1280, 390):
        page = new_page(accept_language=lang, viewport={"width": width, "height": 900})
        for path, name in (("/reset/code", "reset-code"), ("/privacy", "privacy"), ("/register", "register")):
            page.goto(path)
            assert html_lang(page) == lang
            shot(page, f"{lang}-{name}-{width}")
            assert_accessible(page)
            assert width > 400 or not has_horizontal_scroll(page)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_head_gives_a_parent_a_code(new_page, live_server, lang):
    from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org
    with live_server.session() as s:
        org = make_org(s, live_server.keyring, "Балапан")
        head = make_user(s, "head@balapan.kz", locale=lang)
        add_member(s, head, org, "head")
        enrol_totp(s, live_server.keyring, head)
        parent = make_user(s, "", phone="+77015550007", staff_name=False)
        make_child(s, live_server.keyring, "Әлия", parent=parent, group=make_group(s, org, "Күнбағыс"))
        org_id = org.id
    for width in (1280, 390):
        page = new_page(accept_language=lang, viewport={"width": width, "height": 900})
        sign_in(page, "head@balapan.kz", PASSWORD)
        with page.expect_navigation():
            page.locator(f"main a[href='/orgs/{org_id}/parent-code']").click()
        page.fill("#login", "+7 701 555 00 07")
        assert _submit(page).status == 200
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", page.locator(".code-big strong").inner_text().strip())
        shot(page, f"{lang}-parent-code-{width}")
        assert_accessible(page)
        assert width > 400 or not has_horizontal_scroll(page)
