"""Both catalogues are complete, consistent with the code, and safe to render."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_message_translated_and_not_fuzzy(lang):
    cat = catalog(lang)
    problems = []
    for msg in cat:
        if not msg.id:
            continue
        strings = msg.string if isinstance(msg.string, (list, tuple)) else [msg.string]
        if msg.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(msg.id if isinstance(msg.id, str) else msg.id[0])
    assert not problems, f"{lang}: {len(problems)} untranslated or fuzzy, e.g. {problems[:5]}"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_placeholders_and_tags_match(lang):
    bad = []
    for msg in catalog(lang):
        if not msg.id:
            continue
        ids = msg.id if isinstance(msg.id, (list, tuple)) else [msg.id]
        strings = msg.string if isinstance(msg.string, (list, tuple)) else [msg.string]
        want_ph = set(PLACEHOLDER.findall(ids[-1]))
        want_tags = sorted(TAG.findall(ids[0]))
        for s in strings:
            # Kazakh and Russian forms for "one" may spell the number out; all forms keep named placeholders.
            found = set(PLACEHOLDER.findall(s))
            if found != want_ph and not (len(strings) > 1 and found <= want_ph):
                bad.append((ids[0], s))
            if sorted(TAG.findall(s)) != want_tags:
                bad.append((ids[0], s))
    assert not bad, f"{lang}: placeholders or tags differ: {bad[:5]}"


def test_plural_forms_headers():
    assert catalog("ru").num_plurals == 3
    assert catalog("kk").num_plurals == 2


def test_reextraction_changes_nothing(tmp_path):
    """The committed template equals what the code and templates produce now (no stale or missing msgids)."""
    out = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "--no-location", "--omit-header", "--sort-output", "--add-comments", "Translators:",
                    "-o", str(out), "sabidamu"], cwd=ROOT, check=True, capture_output=True)
    assert out.read_text(encoding="utf-8") == (ROOT / "translations" / "messages.pot").read_text(encoding="utf-8"), \
        "run `flask translate update` and translate the new messages"
    with out.open("rb") as fh:
        pot_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    for lang in ("kk", "ru"):
        po_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(lang) if m.id}
        assert pot_ids == po_ids, f"{lang}: catalogue out of date: {sorted(pot_ids ^ po_ids)[:5]}"


@pytest.mark.parametrize("lang,word", [("kk", "Кіру"), ("ru", "Войти")])
def test_pages_render_translated(client, lang, word):
    client.post("/lang", data={"lang": lang})
    assert word in client.get("/login").text
