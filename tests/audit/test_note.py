"""C2SP signed notes and checkpoints.

Vectors: golang.org/x/mod/sumdb/note, note_test.go (BSD-3-Clause), TestNewVerifier, TestSign, TestOpen:
https://github.com/golang/mod/blob/master/sumdb/note/note_test.go — the reference implementation of
https://c2sp.org/signed-note. Ed25519 signatures are deterministic, so our signature must equal theirs byte
for byte.
"""
from __future__ import annotations

import base64

import pytest

from sabidamu.audit.note import (
    Checkpoint,
    NoteError,
    NoteSigner,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_vkey,
)

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6"
             "RyyBwJnAM=\n")
ENOCH_SIG = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1"
             "RvMc+QQ=\n")


def _peter_signer() -> NoteSigner:
    seed = base64.b64decode(PETER_SKEY.split("+", 4)[4])[1:]  # 0x01 || 32-byte Ed25519 seed
    return NoteSigner("PeterNeumann", seed)


def test_key_id_and_vkey_match_the_go_implementation():
    signer = _peter_signer()
    assert signer.key_id.hex() == "c74f20a3"
    assert signer.vkey == PETER_VKEY
    verifier = parse_vkey(PETER_VKEY)
    assert verifier.name == "PeterNeumann" and verifier.public_key == signer.public_key
    assert parse_vkey(ENOCH_VKEY).key_id.hex() == "af0cfe78"


def test_sign_matches_the_go_implementation_byte_for_byte():
    assert _peter_signer().sign(TEXT) == TEXT + "\n" + PETER_SIG


def test_open_with_one_known_and_one_unknown_key():
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    opened = open_note(note, [parse_vkey(PETER_VKEY)])
    assert opened.text == TEXT and opened.signed_by == ("PeterNeumann",)
    both = open_note(note, [parse_vkey(PETER_VKEY), parse_vkey(ENOCH_VKEY)])
    assert both.signed_by == ("PeterNeumann", "EnochRoot")
    with pytest.raises(NoteError, match="no signature by a known key"):
        open_note(note, [])


@pytest.mark.parametrize("bad", [
    TEXT,
    TEXT + "\n",
    TEXT + "\n" + PETER_SIG[:-1],
    "\x01" + TEXT + "\n" + PETER_SIG,
    TEXT + "\n" + "\u2014 Bad Name "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
    TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
    TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:],  # invalid signature by the known key
])
def test_malformed_or_forged_notes_are_refused(bad):
    with pytest.raises(NoteError):
        open_note(bad, [parse_vkey(PETER_VKEY)])


@pytest.mark.parametrize("bad", [
    PETER_VKEY[:-1],
    PETER_VKEY.replace("c74f20a3", "c74f20a4"),
    "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",  # wrong length
    "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # unknown algorithm
])
def test_mangled_verifier_keys_are_refused(bad):
    with pytest.raises(NoteError):
        parse_vkey(bad)


def test_checkpoint_round_trip_and_origin_check():
    signer = NoteSigner("sabidamu.kz/test/audit", b"\x07" * 32)
    cp = Checkpoint("sabidamu.kz/test/audit", 12345, bytes(range(32)))
    assert cp.text() == "sabidamu.kz/test/audit\n12345\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    note = signer.sign(cp.text())
    assert open_checkpoint(note, [signer.verifier()], "sabidamu.kz/test/audit") == cp
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, [signer.verifier()], "sabidamu.kz/other/audit")
    forged = note.replace("\n12345\n", "\n12346\n")
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(forged, [signer.verifier()])
    for bad in ("o\n01\nAAEC\n", "o\n5\nnot-base64\n", "o\n5\n" + "QUJD\n", "\n5\nAAAA\n", "o\n5\n"):
        with pytest.raises(NoteError):
            parse_checkpoint(bad)
