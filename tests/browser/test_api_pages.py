"""The API pages in a real browser: the head registers a client (the secret shown once) and revokes it; the API's
description page; both languages, desktop and a 390 px phone; axe finds nothing serious."""
from __future__ import annotations

import pytest

from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, add_member, enrol_totp, make_org, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, shot, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def kindergarten(live_server):
    with live_server.session() as s:
        org = make_org(s, live_server.keyring, "Балапан")
        head = make_user(s, "head@balapan.kz")
        add_member(s, head, org, "head")
        enrol_totp(s, live_server.keyring, head)
        return {"org": str(org.id), "head": login_of(head)}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_head_registers_and_revokes_a_client(new_page, kindergarten, lang):
    page = new_page(accept_language=lang)
    sign_in(page, kindergarten["head"], PASSWORD)
    page.goto(f"/orgs/{kindergarten['org']}/api-clients")
    page.fill("#name", "Астана облысы — НОБД")
    page.locator("input[name=scopes][value='roster:read']").check()
    page.locator("input[name=scopes][value='cards:read']").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    notice = page.locator(".notice").inner_text()
    assert "client_secret" in notice
    assert ("бір рет қана" if lang == "kk" else "только один раз") in notice
    assert_accessible(page)
    shot(page, f"{lang}-api-clients-created")
    with page.expect_navigation():
        page.locator("main table form button[type=submit]").click()
    assert ("Рұқсаты қайтарылған" if lang == "kk" else "Отозван") in page.locator("main table").inner_text()
    shot(page, f"{lang}-api-clients-revoked")
    page.set_viewport_size(PHONE)
    page.goto(f"/orgs/{kindergarten['org']}/api-clients")
    assert not has_horizontal_scroll(page)
    shot(page, f"{lang}-api-clients-phone")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_api_docs_page(new_page, live_server, lang):
    page = new_page(accept_language=lang)
    page.goto("/api/v1/docs")
    assert page.locator("html").get_attribute("lang") == lang
    assert "/api/v1/children/{child_id}/card" in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, f"{lang}-api-docs")
    page.set_viewport_size(PHONE)
    page.reload()
    assert not has_horizontal_scroll(page)
    shot(page, f"{lang}-api-docs-phone")


@pytest.fixture
def platform_admin(live_server):
    with live_server.session() as s:
        admin = make_user(s, "admin@sabidamu.kz", admin=True)
        enrol_totp(s, live_server.keyring, admin)
        return {"login": login_of(admin)}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_admin_registers_a_client_of_a_region(new_page, platform_admin, lang):
    page = new_page(accept_language=lang)
    sign_in(page, platform_admin["login"], PASSWORD)
    page.goto("/admin/api-clients")
    page.fill("#name", "Астана облысы — талдау")
    page.select_option("#region", "KZ-71")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    notice = page.locator(".notice").inner_text()
    assert "client_secret" in notice
    row = page.locator("main table").inner_text()
    assert ("Астана қаласы" if lang == "kk" else "город Астана") in row and "analytics:read" in row
    assert_accessible(page)
    shot(page, f"{lang}-api-region-clients-created")
    page.set_viewport_size(PHONE)
    page.goto("/admin/api-clients")
    assert not has_horizontal_scroll(page)
    shot(page, f"{lang}-api-region-clients-phone")
