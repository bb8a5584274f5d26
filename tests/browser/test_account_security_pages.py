"""Account and staff pages in a real browser, kk and ru, desktop and phone: the two-step sign-in enrolment with
its QR code (read back from the screen with zbarimg), the head's staff page, the forced and the ordinary password
change. Screenshots go to build/screenshots."""
from __future__ import annotations

import subprocess

import pytest

from tests.conftest import need_tool
from tests.factories import PASSWORD, add_member, enrol_totp, make_group, make_org, make_user
from tests.support.browser import assert_accessible, has_horizontal_scroll, html_lang, shot, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def kindergarten(live_server):
    from sabidamu.services.orgs import add_staff
    with live_server.session() as s:
        org = make_org(s, live_server.keyring, "Балапан")
        head = make_user(s, "head@balapan.kz")
        add_member(s, head, org, "head")
        enrol_totp(s, live_server.keyring, head)
        teacher = make_user(s, "teacher@balapan.kz")
        add_member(s, teacher, org, "teacher")
        make_group(s, org, "Күншуақ", teacher)
        make_group(s, org, "Айгөлек", teacher, age_group="middle")
        add_staff(s, head, org, full_name="Айгерім Сапарова", login="new@balapan.kz", password="first-from-head-1",
                  role="teacher")
        return {"org": str(org.id)}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_totp_enrolment_shows_a_qr_code_that_reads_back(new_page, kindergarten, lang, tmp_path):
    zbarimg = need_tool("zbarimg")
    for name, viewport in (("desktop", None), ("phone", PHONE)):
        page = new_page(accept_language=lang, **({"viewport": viewport} if viewport else {}))
        sign_in(page, "teacher@balapan.kz", PASSWORD)
        page.goto("/account/security")
        with page.expect_navigation():
            page.locator("form[action$='/account/totp/begin'] button").click()
        qr = page.locator("svg.totp-qr")
        assert qr.is_visible() and html_lang(page) == lang
        box = qr.bounding_box()
        assert box["width"] >= 150  # big enough to scan from the screen
        assert not has_horizontal_scroll(page)
        assert_accessible(page)
        shot(page, f"{lang}-totp-enrolment-{name}")
        png = tmp_path / f"qr-{lang}-{name}.png"
        qr.screenshot(path=str(png))
        decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True)
        uri = page.locator("code.prewrap").inner_text().strip()
        assert decoded.stdout.strip() == uri and uri.startswith("otpauth://totp/SabiDamu")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_staff_page(new_page, kindergarten, lang):
    for name, viewport in (("desktop", None), ("phone", PHONE)):
        page = new_page(accept_language=lang, **({"viewport": viewport} if viewport else {}))
        sign_in(page, "head@balapan.kz", PASSWORD)
        page.goto(f"/orgs/{kindergarten['org']}/staff")
        assert page.locator(".staff-member").count() == 3
        assert page.locator(".staff-group").count() == 2
        assert not has_horizontal_scroll(page)
        assert_accessible(page)
        shot(page, f"{lang}-staff-{name}")
        page.locator(".staff-member a[href$='/deactivate']").first.click()
        page.wait_for_load_state()
        assert_accessible(page)
        shot(page, f"{lang}-staff-deactivate-{name}")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_password_pages(new_page, kindergarten, lang):
    for name, viewport in (("desktop", None), ("phone", PHONE)):
        page = new_page(accept_language=lang, **({"viewport": viewport} if viewport else {}))
        page.goto("/login")
        page.fill("#login", "new@balapan.kz")
        page.fill("#password", "first-from-head-1")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.url.endswith("/account/password")  # forced: the head chose the first password
        page.fill("#current", "wrong-password-000")
        page.fill("#password", "lilac-otter-parsley-42")
        page.fill("#password2", "lilac-otter-parsley-42")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.locator("#current-err").is_visible()
        assert not has_horizontal_scroll(page)
        assert_accessible(page)
        shot(page, f"{lang}-password-forced-{name}")
        page2 = new_page(accept_language=lang, **({"viewport": viewport} if viewport else {}))
        sign_in(page2, "teacher@balapan.kz", PASSWORD)
        page2.goto("/account/password")
        assert_accessible(page2)
        shot(page2, f"{lang}-password-{name}")
