"""Issue 15 in a real browser, kk and ru, desktop and phone: the education department's page on the demo data
(two districts of Astana): the city department's tables and charts with protected cells, the drill-down to a
district, and the district department's own page. Each page passes axe and has no horizontal scroll on a phone."""
from __future__ import annotations

import pytest

from sabidamu.demo import PASSWORD, load_demo
from tests.support.browser import assert_accessible, has_horizontal_scroll, html_lang, shot, sign_in


@pytest.fixture
def demo(live_server):
    with live_server.session() as s:
        load_demo(s, live_server.keyring)
        s.commit()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_department_pages(new_page, live_server, demo, lang):
    from sabidamu.services.auth import find_user
    with live_server.session() as s:  # a signed-in person's own language wins over the browser's
        for login in ("city-department@demo.sabidamu.kz", "district-department@demo.sabidamu.kz"):
            find_user(s, login).locale = lang
        s.commit()
    for width in (1280, 390):
        page = new_page(accept_language=lang, viewport={"width": width, "height": 900})
        sign_in(page, "city-department@demo.sabidamu.kz", PASSWORD)
        page.goto("/analytics/")
        assert html_lang(page) == lang
        main = page.locator("main")
        nav = page.locator("header nav").first.inner_text()
        assert ("Талдау" if lang == "kk" else "Аналитика") in nav
        assert ("Менің балаларым" if lang == "kk" else "Мои дети") not in nav
        assert main.locator("svg").count() >= 1
        assert main.locator("table").count() >= 5
        assert ("Сандар есептелді: " if lang == "kk" else "Данные рассчитаны: ") in main.inner_text()  # stored tables
        hidden = "балаларды қорғау үшін жасырылған" if lang == "kk" else "скрыто для защиты детей"
        assert main.locator(f"[title='{hidden}'], [aria-label='{hidden}']").count() >= 1 or hidden in main.inner_text()
        shot(page, f"{lang}-analytics-city-{width}")
        assert_accessible(page)
        assert width > 400 or not has_horizontal_scroll(page)
        page.goto("/analytics/?district=KZ-71-ESL")
        assert ("Есіл ауданы" if lang == "kk" else "район Есиль") in main.inner_text()
        shot(page, f"{lang}-analytics-district-{width}")
        assert_accessible(page)
        assert width > 400 or not has_horizontal_scroll(page)
    page = new_page(accept_language=lang, viewport={"width": 390, "height": 900})
    sign_in(page, "district-department@demo.sabidamu.kz", PASSWORD)
    page.goto("/analytics/")
    assert ("«Айгөлек» балабақшасы" if lang == "kk" else "Детский сад «Айголек»") in page.locator("main").inner_text()
    shot(page, f"{lang}-analytics-district-department-390")
    assert not has_horizontal_scroll(page)
