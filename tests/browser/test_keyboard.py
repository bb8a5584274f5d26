"""The login form with the keyboard only: Tab to the fields, type, Enter; the focus is visible all the way."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_user
from tests.support.browser import assert_accessible, shot

FOCUS_OUTLINE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName.toLowerCase(), style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def tab_to(page, element_id: str, limit: int = 15) -> None:
    """Presses Tab until the element has the focus; every element passed on the way shows a visible outline."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_OUTLINE)
        visible = focus["style"] != "none" and focus["width"] > 0
        assert visible, f"no visible focus outline on <{focus['tag']} id={focus['id']!r}>"
        if focus["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} was not reached with {limit} presses of Tab")


@pytest.mark.browser
def test_login_with_the_keyboard_only(page, live_server):
    with live_server.session() as s:
        make_user(s, "keyboard.parent@example.kz")
    page.goto("/login")
    assert_accessible(page)
    tab_to(page, "login")
    page.keyboard.type("keyboard.parent@example.kz")
    tab_to(page, "password", limit=1)
    page.keyboard.type(PASSWORD)
    shot(page, "login-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/parent")
    assert page.locator("form[action$='/logout']").count() == 1
    assert_accessible(page)
