"""The enrolment page shows the key as a QR code drawn on the server (segno): inline SVG, no script, no image URL,
nothing sent to another service; the code decodes (zbarimg) to the same otpauth:// URI as the key."""
from __future__ import annotations

import html
import re
import subprocess

import pytest

from sabidamu.totp import qr_svg
from tests.conftest import need_tool
from tests.support.totp import password_step


def _enrolment_page(client) -> str:
    password_step(client, "teacher1@example.kz")
    assert client.post("/account/totp/begin").status_code == 302
    response = client.get("/account/security")
    assert response.status_code == 200
    return response.text


def test_the_qr_code_is_inline_svg_and_follows_the_csp(client, world):
    page = _enrolment_page(client)
    svg = re.search(r"<svg [^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<title>" in svg
    for forbidden in ("<script", "href", "src=", "style=", "<image", "<foreignObject", "url("):
        assert forbidden not in svg
    assert "<img" not in page and "<script>" not in page  # no image URL, no inline script
    csp = client.get("/account/security").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_qr_code_carries_the_same_uri_as_the_key(client, world, tmp_path):
    zbarimg = need_tool("zbarimg")
    page = _enrolment_page(client)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    uri = html.unescape(re.search(r'<code class="prewrap">([^<]+)</code>', page).group(1))
    assert f"secret={secret}" in uri
    svg = re.search(r"<svg [^>]*>.*?</svg>", page, re.S).group(0)
    png = _svg_to_png(svg, tmp_path)
    decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(png)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == uri


def _svg_to_png(svg: str, tmp_path):
    """Renders the SVG with WeasyPrint (PDF) and pdftoppm (PNG), both already used by the app's tests."""
    from weasyprint import HTML
    pdftoppm = need_tool("pdftoppm")
    sized = svg.replace('<svg role="img"', '<svg role="img" width="400" height="400"', 1)
    pdf = tmp_path / "qr.pdf"
    HTML(string=f"<html><body style='margin:0'>{sized}</body></html>").write_pdf(pdf)
    subprocess.run([pdftoppm, "-r", "100", "-png", "-singlefile", str(pdf), str(tmp_path / "qr")], check=True)
    return tmp_path / "qr.png"


@pytest.mark.parametrize("title", ["QR", "Қ <b>&amp;"])
def test_the_title_is_escaped(title):
    svg = qr_svg("otpauth://totp/SabiDamu:x?secret=ABCDEFGH&issuer=SabiDamu", title)
    assert "<b>" not in svg and svg.startswith('<svg role="img" ')
