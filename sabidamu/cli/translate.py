"""`flask translate extract|update|compile`: the message catalogues (kk, ru) through pybabel."""
from __future__ import annotations

import subprocess
import sys

from flask.cli import AppGroup

from ..config import REPO_ROOT

translate_cli = AppGroup("translate", help="Message catalogues (kk, ru).")

CATALOG_DIR = REPO_ROOT / "translations"
POT = CATALOG_DIR / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=REPO_ROOT)


@translate_cli.command("extract")
def translate_extract():
    """Extract msgids from the code and templates into translations/messages.pot (deterministic)."""
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--omit-header", "--sort-output",
            "--add-comments", "Translators:", "-o", str(POT), "sabidamu")


@translate_cli.command("update")
def translate_update():
    """Extract, then merge the new msgids into the kk and ru catalogues."""
    translate_extract.callback()
    pybabel("update", "-i", str(POT), "-d", str(CATALOG_DIR), "--no-fuzzy-matching",
            "--ignore-obsolete")


@translate_cli.command("compile")
def translate_compile():
    """Compile messages.po into messages.mo for kk and ru."""
    pybabel("compile", "-d", str(CATALOG_DIR), "--statistics")
