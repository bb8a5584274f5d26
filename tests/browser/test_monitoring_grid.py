"""The monitoring grid in a real browser: a teacher fills the start stage of a small group from the keyboard only,
reloads and sees every value; a second person (another browser context) edits the same child with a stale
version and gets the conflict with both values; screenshots in kk and ru; the grid passes axe."""
from __future__ import annotations

import datetime as dt

import pytest

from sabidamu.monitoring import load_framework
from sabidamu.services.identity import login_of
from tests.factories import PASSWORD, add_member, enrol_totp, make_child, make_group, make_org, make_user
from tests.support.browser import assert_accessible, shot, sign_in, switch_language

SKILLS = [s.id for s in load_framework().skills("preschool", "physical")]
MARKS = {"1": "I", "2": "II", "3": "III", "": "—"}


@pytest.fixture
def monitored_group(live_server):
    """A preschool group of three children; "today" in Almaty is inside the start stage's window."""
    live_server.app.config["MONITORING_TODAY"] = dt.date(2026, 10, 1)
    with live_server.session() as s:
        org = make_org(s, live_server.keyring, "Балдырған")
        head = make_user(s, "head@baldyrgan.kz")
        teacher = make_user(s, "teacher@baldyrgan.kz")
        add_member(s, head, org, "head")
        enrol_totp(s, live_server.keyring, head)  # heads sign in with a second factor
        add_member(s, teacher, org, "teacher")
        group = make_group(s, org, "Күнбағыс", teacher)
        for name, sex in (("Әлия Ахметова", "f"), ("Бауыржан Омаров", "m"), ("Дана Сейтқали", "f")):
            make_child(s, live_server.keyring, name, sex=sex, group=group)
        return {"group": str(group.id), "head": login_of(head), "teacher": login_of(teacher)}


def grid_url(group_id: str) -> str:
    return f"/groups/{group_id}/monitoring?stage=start&skill_group=physical"


def plan(row: int, col: int) -> str:
    """The level typed in each cell: a mix of I, II, III and "not observed" (0)."""
    return "0123"[(row + 2 * col) % 4]


def wait_saved(page, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('td.gr-cell.is-saved').length >= n && "
        "!document.querySelector('td.gr-cell.is-saving, td.gr-cell.is-error')", arg=count)


def test_teacher_fills_a_stage_from_the_keyboard(page, new_page, monitored_group):
    sign_in(page, monitored_group["teacher"], PASSWORD)
    page.goto(grid_url(monitored_group["group"]))
    rows = page.locator("#grid tbody tr").count()
    assert rows == 3
    cols = len(SKILLS)
    page.locator("#grid tbody tr").first.locator("select.gr-select").first.focus()
    typed = 0
    for r in range(rows):
        for c in range(cols):
            key = plan(r, c)
            page.keyboard.press(key)
            if key != "0":
                typed += 1
            if c < cols - 1:
                page.keyboard.press("ArrowRight")
        if r < rows - 1:
            page.keyboard.press("ArrowDown")
            for _ in range(cols - 1):
                page.keyboard.press("ArrowLeft")
    # Cells set to "not observed" on an empty row change nothing on the server but still report "saved".
    wait_saved(page, rows * cols)
    filled = [page.locator("#grid tbody tr").nth(r).locator(".gr-filled").inner_text() for r in range(rows)]
    assert filled == [str(sum(1 for c in range(cols) if plan(r, c) != "0")) for r in range(rows)]

    page.reload()
    for r in range(rows):
        selects = page.locator("#grid tbody tr").nth(r).locator("select.gr-select")
        values = [selects.nth(c).input_value() for c in range(cols)]
        assert values == [("" if plan(r, c) == "0" else plan(r, c)) for c in range(cols)]
    assert page.locator("#grid tbody tr").first.get_attribute("data-version") != "0"
    assert typed > 0

    assert_accessible(page)
    shot(page, "kk-monitoring-grid")
    switch_language(page, "ru")
    assert page.locator("#grid caption").inner_text().strip().startswith("Развитие физических качеств")
    shot(page, "ru-monitoring-grid")
    assert_accessible(page)


def test_second_person_gets_the_conflict_and_chooses(page, new_page, monitored_group):
    sign_in(page, monitored_group["teacher"], PASSWORD)
    page.goto(grid_url(monitored_group["group"]))
    other = new_page()  # another device of the teacher (or a colleague): its own cookies and page
    sign_in(other, monitored_group["teacher"], PASSWORD)
    other.goto(grid_url(monitored_group["group"]))  # both pages show version 0 of the first child

    first = page.locator("#grid tbody tr").first.locator("select.gr-select").first
    first.focus()
    page.keyboard.press("3")
    wait_saved(page, 1)

    theirs = other.locator("#grid tbody tr").first.locator("select.gr-select").first
    theirs.focus()
    other.keyboard.press("1")
    box = other.locator(".gr-conflict-box").first
    box.wait_for()
    text = box.inner_text()
    assert "III" in text and "I" in text.replace("III", "")  # both values are shown
    shot(other, "kk-monitoring-conflict")
    box.locator("button.gr-keep-mine").click()
    wait_saved(other, 1)
    assert other.locator(".gr-conflict-box").count() == 0

    page.reload()
    assert page.locator("#grid tbody tr").first.locator("select.gr-select").first.input_value() == "1"
    # After the reload the page holds the new version, so the next change saves without a conflict.
    page.locator("#grid tbody tr").first.locator("select.gr-select").first.focus()
    page.keyboard.press("2")
    wait_saved(page, 1)
    assert page.locator(".gr-conflict-box").count() == 0


def test_grid_on_a_phone_scrolls_inside_its_box(new_page, monitored_group):
    phone = new_page(viewport={"width": 375, "height": 740})
    sign_in(phone, monitored_group["teacher"], PASSWORD)
    phone.goto(grid_url(monitored_group["group"]))
    assert not phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    wrap_scrolls = phone.evaluate("(() => { const w = document.querySelector('.gr-wrap'); "
                                  "return w.scrollWidth > w.clientWidth; })()")
    assert wrap_scrolls
    assert phone.evaluate("getComputedStyle(document.querySelector('tbody th.gr-name')).position") == "sticky"
    shot(phone, "kk-monitoring-grid-phone")
