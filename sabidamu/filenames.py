"""Names of the files the app hands out: what the file is and whom it is about, in Latin letters, never an IIN.

    download_name("screening", "Айжан Серікова", dt.date(2026, 12, 4), "pdf")  ->  "Aizhan-S_screening_2026-12-04.pdf"

A person is named by the given name and the surname's initial (enough to tell two children's files apart, little
to anyone who sees the file list); a group or an organization by its name. Kazakh and Russian Cyrillic are
transliterated to plain ASCII, so the name survives every browser, mail client and file system. Pure: services
(the .sdcard files in a ZIP, the data export) and web (sabidamu.web.downloads) use the same names.
"""
from __future__ import annotations

import datetime as dt
import re

# Kazakh letters first, then Russian; a practical ASCII scheme (ә->a, қ->q, ң->n, ұ/ү->u, і->i, й->i, ж->zh ...).
_LATIN = {
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_DIGITS = re.compile(r"\d{6,}")  # an IIN or any long number never goes into a file name


def latin(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in _LATIN:
            repl = _LATIN[low]
            out.append(repl.capitalize() if ch != low and repl else repl)
        else:
            out.append(ch)
    return "".join(out)


def _slug(text: str, limit: int = 40) -> str:
    text = _DIGITS.sub("", latin(text or ""))
    return _UNSAFE.sub("-", text).strip("-")[:limit].strip("-")


def person_part(full_name: str) -> str:
    """«Айжан Серікова» -> «Aizhan-S»; one word stays whole."""
    words = [w for w in _slug(full_name, 200).split("-") if w]
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{words[0]}-{words[1][0].upper()}"


def download_name(what: str, whom: str | None = None, on: dt.date | None = None, ext: str = "pdf", *,
                  person: bool = True, extra: str | None = None) -> str:
    """`what` is a fixed ASCII word ("screening", "card", "group-cards", "data-export", ...); `whom` a person's
    full name (person=True) or a group's / an organization's name (person=False); `extra` e.g. a language."""
    parts = [person_part(whom) if person else _slug(whom or "")] if whom else []
    parts.append(what)
    if on is not None:
        parts.append(on.isoformat())
    if extra:
        parts.append(_slug(extra))
    return "_".join(p for p in parts if p) + "." + ext.lstrip(".")
