#!/usr/bin/env python3
"""Re-extract the catalogue, merge it into kk and ru, fill empty translations from
translations/pending/*.json, and compile. Safe to run from several shells at once (file lock).

A pending file maps a msgid to its translations:
    {"Save": {"kk": "Сақтау", "ru": "Сохранить"},
     "%(num)d child": {"kk": ["%(num)d бала", "%(num)d бала"],
                       "ru": ["%(num)d ребенок", "%(num)d ребенка", "%(num)d детей"]}}
(plural entries are keyed by the singular msgid; a list gives every plural form).
"""
import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "translations"
POT = CATALOG_DIR / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT)


def pending() -> dict:
    merged: dict = {}
    for path in sorted((CATALOG_DIR / "pending").glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def fill(lang: str, table: dict) -> list[str]:
    path = CATALOG_DIR / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = []
    for msg in catalog:
        if not msg.id:
            continue
        key = msg.id[0] if isinstance(msg.id, (list, tuple)) else msg.id
        strings = msg.string if isinstance(msg.string, (list, tuple)) else [msg.string]
        if all(s and s.strip() for s in strings) and not msg.fuzzy:
            continue
        entry = table.get(key, {}).get(lang)
        if entry is None:
            missing.append(key)
            continue
        if isinstance(msg.id, (list, tuple)):
            forms = entry if isinstance(entry, list) else [entry] * len(strings)
            msg.string = tuple(forms)
        else:
            msg.string = entry if isinstance(entry, str) else entry[0]
        msg.flags.discard("fuzzy")
    with open(path, "wb") as fh:
        write_po(fh, catalog, ignore_obsolete=True, include_previous=False, width=76)
    return missing


def main() -> int:
    with open(CATALOG_DIR / ".merge.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--omit-header", "--sort-output",
                "--add-comments", "Translators:", "-o", str(POT), "sabidamu")
        pybabel("update", "-i", str(POT), "-d", str(CATALOG_DIR), "--no-fuzzy-matching", "--ignore-obsolete")
        table = pending()
        status = 0
        for lang in ("kk", "ru"):
            missing = fill(lang, table)
            if missing:
                status = 1
                print(f"{lang}: {len(missing)} msgids still untranslated:")
                for m in missing:
                    print("   ", json.dumps(m, ensure_ascii=False))
        pybabel("compile", "-d", str(CATALOG_DIR))
        return status


if __name__ == "__main__":
    sys.exit(main())
