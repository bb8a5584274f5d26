"""Helpers for real-browser tests: screenshots, the axe-core accessibility check, signing in, the language switch.

Importable (`from tests.support.browser import shot, assert_accessible`) and also offered as fixtures of the same
names by tests/browser/conftest.py.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

# Impacts that fail a test; "minor" and "moderate" findings are left to review.
FAILING_IMPACTS = ("serious", "critical")
KAZAKH_LETTERS = re.compile("[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")

_axe = Axe()
REPO = Path(__file__).resolve().parents[2]


def screenshot_dir() -> Path:
    """SABIDAMU_SCREENSHOT_DIR, default build/screenshots; a relative path is taken from the repository root."""
    path = Path(os.environ.get("SABIDAMU_SCREENSHOT_DIR") or "build/screenshots")
    if not path.is_absolute():
        path = REPO / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def shot(page, name: str) -> Path:
    """A full-page PNG named `<lang>-<name>.png` (the page's `<html lang>` is the prefix unless `name` has one)."""
    if not re.match(r"^(kk|ru)-", name):
        name = f"{html_lang(page) or 'xx'}-{name}"
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page) -> list[dict]:
    """axe-core's violations of the current page.

    axe is injected with `page.evaluate` (the DevTools protocol's Runtime.evaluate): it runs in the page but is
    not subject to the page's Content-Security-Policy, so the app's CSP (script-src 'self', no inline script)
    stays exactly as served. Neither `bypass_csp` nor `add_script_tag` is used.
    """
    results = _axe.run(page)
    return results.response["violations"]


def assert_accessible(page) -> None:
    """Fails listing rule id, impact, target and help for every serious or critical axe violation."""
    failing = [v for v in accessibility_violations(page) if v.get("impact") in FAILING_IMPACTS]
    if not failing:
        return
    lines = []
    for violation in failing:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            detail = "; ".join(check["message"] for check in checks)
            lines.append(f"- {violation['id']} ({violation['impact']}) at {target}: {violation['help']}"
                         + (f" [{detail}]" if detail else ""))
    raise AssertionError(f"accessibility violations on {page.url}:\n" + "\n".join(lines))


def sign_in(page, login: str, password: str) -> None:
    """Signs in through the login form and waits for the page it leads to."""
    page.goto("/login")
    page.fill("#login", login)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if "/login/code" in page.url:  # staff with a second factor: the code from their authenticator
        from tests.support.auth import totp_code
        for ahead in (0, 1):  # a code used once is refused: a second sign-in in the same 30 s uses the next one
            page.fill("#code", totp_code(login, ahead))
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
            if "/login/code" not in page.url:
                break


def sign_out(page) -> None:
    with page.expect_navigation():
        page.locator("form[action$='/logout'] button[type=submit]").click()


def switch_language(page, lang: str) -> None:
    """Uses the switcher in the top bar (a POST form with a CSRF token) and waits for the same page to return."""
    with page.expect_navigation():
        page.locator(f".langswitch button[name=lang][value={lang}]").click()
    assert html_lang(page) == lang


def field_error(page, field_id: str):
    """The error paragraph the form macro puts under a field (id `<field>-err`)."""
    return page.locator(f"#{field_id}-err")


def has_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
