"""Issue 10.7, attack tests: hostile JSON inside a package (nesting that exhausts the parser, duplicate keys,
NaN/Infinity) and ZIP entries that are not regular files (symlinks, directories with data, devices) are refused
per file with their own code and audit event, never a 500; nothing is written."""
from __future__ import annotations

import io
import json
import stat
import zipfile

import pyrage
import pytest

from sabidamu.crypto import agekeys, strict_json
from sabidamu.services.transfer import importing as svc
from tests.school.conftest import SAMPLE_PDF, audit_actions, counts


def _seal(ctx, entries, modes=None) -> bytes:
    """A ZIP whose entries' Unix modes the test sets (`modes`: name -> st_mode), age-encrypted to the school."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 5, 29, 9, 30, 0))
            info.create_system = 3
            info.external_attr = (modes or {}).get(name, stat.S_IFREG | 0o644) << 16
            archive.writestr(info, content)
    return pyrage.encrypt(buffer.getvalue(), [agekeys.parse_recipient(ctx.build.recipient)])


def _refused(db, keyring, ctx, data, code):
    before = counts(db)
    result = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    assert (result.status, result.code) == ("rejected", code)
    assert counts(db) == before
    action, detail = audit_actions(db)[-1]
    assert action == "card.import_rejected" and detail["code"] == code


DEEP = b"[" * 200_000 + b"]" * 200_000


def _deep_card(depth):
    inner: object = "x"
    for _ in range(depth):
        inner = [inner]
    return inner


@pytest.mark.parametrize("case", ["deep_manifest", "deep_card", "moderately_deep_card", "duplicate_keys", "nan"])
def test_hostile_json_is_refused_with_its_own_code(db, keyring, ctx, case):
    build = ctx.build
    if case == "deep_manifest":
        entries = build.entries()
        entries[0] = ("manifest.json", DEEP)
    elif case == "deep_card":  # signed by the kindergarten, so it passes the checksums and reaches the parser
        entries = build.entries(card_json=DEEP)
    elif case == "moderately_deep_card":  # within the parser's limit, far beyond any card
        child = build.new_child()
        card = build.card(child)
        card["extra"] = _deep_card(500)
        entries = build.entries(child, card_json=json.dumps(card).encode())
    elif case == "duplicate_keys":
        def twice(manifest):
            manifest["__dup__"] = True
        entries = build.entries(edit_manifest=twice)
        raw = entries[0][1].replace(b'"__dup__": true', b'"format": "sdcard"')
        entries[0] = ("manifest.json", raw)
    else:
        child = build.new_child()
        raw = json.dumps(build.card(child)).encode().replace(b'"years"', b'"x": NaN, "years"', 1)
        entries = build.entries(child, card_json=raw)
    _refused(db, keyring, ctx, _seal(ctx, entries), "unsafe_json")


@pytest.mark.parametrize("name,mode", [
    ("card.pdf", stat.S_IFLNK | 0o777),       # a symlink whose "content" is a path
    ("card.json", stat.S_IFDIR | 0o755),      # a directory entry carrying data
    ("card.pdf", stat.S_IFCHR | 0o600),       # a character device
    ("manifest.json.minisig", stat.S_IFIFO | 0o600),
])
def test_entries_that_are_not_regular_files_are_refused(db, keyring, ctx, name, mode):
    # The manifest signs the bytes of every entry, so only the entry's type is wrong.
    entries = ctx.build.entries(card_pdf=b"/etc/passwd" if name == "card.pdf" else SAMPLE_PDF)
    _refused(db, keyring, ctx, _seal(ctx, entries, {name: mode}), "not_regular_file")


def test_a_package_with_regular_unix_modes_still_imports(db, keyring, ctx):
    result = svc.import_package(db, keyring, ctx.school.id, _seal(ctx, ctx.build.entries()), ctx.head)
    assert result.status == "imported"


def test_strict_json_limits():
    assert strict_json.loads(b'{"a": [1, 2.5, {"b": null}]}') == {"a": [1, 2.5, {"b": None}]}
    for raw in (b'{"a": 1, "a": 2}', b"[Infinity]", b"[1e999]", DEEP, json.dumps(_deep_card(30)).encode()):
        with pytest.raises(strict_json.HostileJSON):
            strict_json.loads(raw)
    with pytest.raises(ValueError):
        strict_json.loads(b"{not json")
