"""minisign formats: our signer against the real `minisign` tool, both directions, and the vectors."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sabidamu.crypto import minisign
from sabidamu.crypto.minisign import MinisignError

VECTORS = Path(__file__).parent / "vectors"


def require_tool(name: str) -> str:
    """Path of a command-line tool; skip loudly when missing, but fail under CI."""
    path = shutil.which(name)
    if path is None:
        reason = (
            f"!!! REAL-TOOL TEST NOT RUN: '{name}' is not installed "
            "(Debian packages 'age' and 'minisign' provide age, age-keygen, minisign) !!!"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )


@pytest.fixture(scope="module")
def keypair() -> tuple[minisign.SecretKey, minisign.PublicKey]:
    return minisign.generate_keypair()


@pytest.fixture()
def tool_key(tmp_path: Path) -> tuple[Path, Path]:
    """A key pair made by `minisign -G -W` (unencrypted secret key)."""
    tool = require_tool("minisign")
    pub, sec = tmp_path / "tool.pub", tmp_path / "tool.key"
    result = run(tool, "-G", "-W", "-p", pub, "-s", sec)
    assert result.returncode == 0, result.stderr
    return pub, sec


# --------------------------------------------------------------------------------- key formats

def test_public_key_file_matches_minisign_layout(keypair) -> None:
    secret, public = keypair
    text = public.to_file_text()
    first, second = text.splitlines()
    assert first == f"untrusted comment: minisign public key {public.fingerprint}"
    assert re.fullmatch(r"[0-9A-F]{16}", public.fingerprint)
    raw = base64.b64decode(second)
    assert raw == b"Ed" + public.key_id + public.key and len(raw) == 42
    # The shown fingerprint is the little-endian key id read as a number.
    assert int(public.fingerprint, 16) == int.from_bytes(public.key_id, "little")
    assert minisign.fingerprint(secret) == public.fingerprint


def test_parse_public_key_from_file_text_and_base64_line(keypair) -> None:
    _, public = keypair
    assert minisign.parse_public_key(public.to_file_text()) == public
    assert minisign.parse_public_key(public.to_base64()) == public
    assert minisign.parse_public_key("  " + public.to_base64() + "\r\n") == public


@pytest.mark.parametrize(
    "text",
    ["", "not base64 !!", base64.b64encode(b"Xx" + bytes(40)).decode(), base64.b64encode(b"Ed" + bytes(10)).decode(),
     "a\nb\nc"],
)
def test_parse_public_key_rejects_malformed(text: str) -> None:
    with pytest.raises(MinisignError) as caught:
        minisign.parse_public_key(text)
    assert caught.value.code == minisign.MALFORMED


def test_secret_key_storage_round_trip_and_hidden_repr(keypair) -> None:
    secret, public = keypair
    stored = secret.to_bytes()
    assert len(stored) == 40 and stored[:8] == secret.key_id
    restored = minisign.SecretKey.from_bytes(stored)
    assert restored == secret and restored.public_key() == public
    assert secret.seed.hex() not in repr(secret)
    with pytest.raises(MinisignError):
        minisign.SecretKey.from_bytes(stored[:-1])


def test_key_ids_are_random() -> None:
    (a, _), (b, _) = minisign.generate_keypair(), minisign.generate_keypair()
    assert a.key_id != b.key_id and a.seed != b.seed


# ------------------------------------------------------------------------------ sign / verify

def test_sign_verify_round_trip_returns_trusted_comment(keypair) -> None:
    secret, public = keypair
    sig = minisign.sign(secret, b"data", "package 1 from Балдырған")
    lines = sig.splitlines()
    assert lines[0] == "untrusted comment: signature from minisign secret key"
    assert base64.b64decode(lines[1])[:2] == b"ED"  # prehashed, what minisign 0.11 writes
    assert lines[2] == "trusted comment: package 1 from Балдырған"
    assert minisign.verify(public, b"data", sig) == "package 1 from Балдырған"
    assert minisign.verify(public.to_file_text(), b"data", sig.encode()) == "package 1 from Балдырған"


def test_sign_refuses_multiline_comment(keypair) -> None:
    secret, _ = keypair
    with pytest.raises(ValueError):
        minisign.sign(secret, b"data", "one\ntrusted comment: forged")


def test_verify_error_codes(keypair) -> None:
    secret, public = keypair
    _, other_public = minisign.generate_keypair()
    sig = minisign.sign(secret, b"data", "comment")
    lines = sig.splitlines()

    def code_of(public_key, data: bytes, text: str) -> str:
        with pytest.raises(MinisignError) as caught:
            minisign.verify(public_key, data, text)
        return caught.value.code

    assert code_of(public, b"data", "garbage") == "malformed"
    assert code_of(public, b"data", "\n".join(lines[:3])) == "malformed"
    assert code_of(public, b"data", "\n".join([lines[0], "!!!", lines[2], lines[3]])) == "malformed"
    unknown_alg = base64.b64encode(b"XX" + base64.b64decode(lines[1])[2:]).decode()
    assert code_of(public, b"data", "\n".join([lines[0], unknown_alg, lines[2], lines[3]])) == "malformed"
    assert code_of(public, b"data", "\n".join([lines[0], lines[1], "comment", lines[3]])) == "malformed"
    assert code_of(other_public, b"data", sig) == "wrong_key_id"
    assert code_of(public, b"other data", sig) == "bad_signature"
    forged = "\n".join([lines[0], lines[1], "trusted comment: forged", lines[3]])
    assert code_of(public, b"data", forged) == "bad_global_signature"
    assert set(minisign.ERROR_CODES) == {"malformed", "wrong_key_id", "bad_signature", "bad_global_signature"}


def test_verify_accepts_untrusted_comment_changes(keypair) -> None:
    # minisign does not sign the untrusted comment; changing it must not break verification.
    secret, public = keypair
    sig = minisign.sign(secret, b"data", "comment").splitlines()
    sig[0] = "untrusted comment: renamed by someone"
    assert minisign.verify(public, b"data", "\n".join(sig)) == "comment"


# -------------------------------------------------------------------------------- real tool

def test_real_minisign_verifies_our_signature_with_P_and_p(tmp_path: Path, keypair) -> None:
    tool = require_tool("minisign")
    secret, public = keypair
    data = tmp_path / "manifest.json"
    data.write_bytes('{"a": "Әә Ғғ Ққ"}\n'.encode())
    (tmp_path / "manifest.json.minisig").write_text(minisign.sign(secret, data.read_bytes(), "пакет 42"))
    (tmp_path / "sender.pub").write_text(public.to_file_text())

    by_line = run(tool, "-Vm", data, "-P", public.to_base64())
    assert by_line.returncode == 0, by_line.stderr
    assert "Trusted comment: пакет 42" in by_line.stdout
    by_file = run(tool, "-Vm", data, "-p", tmp_path / "sender.pub")
    assert by_file.returncode == 0, by_file.stderr
    prehashed_required = run(tool, "-V", "-H", "-m", data, "-p", tmp_path / "sender.pub")
    assert prehashed_required.returncode == 0, prehashed_required.stderr

    data.write_bytes(b'{"a": "tampered"}\n')
    tampered = run(tool, "-Vm", data, "-p", tmp_path / "sender.pub")
    assert tampered.returncode != 0


def test_we_verify_real_minisign_signatures_prehashed_and_legacy(tmp_path: Path, tool_key) -> None:
    tool = require_tool("minisign")
    pub, sec = tool_key
    public = minisign.parse_public_key(pub.read_text())
    data = tmp_path / "file.bin"
    data.write_bytes(os.urandom(3000))

    signed = run(tool, "-S", "-s", sec, "-m", data, "-t", "from the real tool")
    assert signed.returncode == 0, signed.stderr
    sig_text = (tmp_path / "file.bin.minisig").read_text()
    assert minisign.parse_signature(sig_text).algorithm == b"ED"
    assert minisign.verify(public, data.read_bytes(), sig_text) == "from the real tool"
    # minisign -G prints the key id in the comment (as hex without leading zeros); our fingerprint is the
    # same number written with all 16 digits.
    shown = pub.read_text().splitlines()[0].rsplit(" ", 1)[-1]
    assert int(shown, 16) == int(public.fingerprint, 16) and len(public.fingerprint) == 16

    legacy = run(tool, "-S", "-l", "-s", sec, "-m", data, "-x", tmp_path / "legacy.minisig", "-t", "legacy")
    assert legacy.returncode == 0, legacy.stderr
    legacy_text = (tmp_path / "legacy.minisig").read_text()
    assert minisign.parse_signature(legacy_text).algorithm == b"Ed"
    assert minisign.verify(public, data.read_bytes(), legacy_text) == "legacy"
    with pytest.raises(MinisignError) as caught:
        minisign.verify(public, data.read_bytes() + b"x", legacy_text)
    assert caught.value.code == "bad_signature"


# ----------------------------------------------------------------------------------- vectors

def test_vector_signature_is_reproduced_byte_for_byte() -> None:
    secret = minisign.SecretKey.from_bytes(bytes.fromhex((VECTORS / "minisign_secret.hex").read_text().strip()))
    public = minisign.parse_public_key((VECTORS / "minisign.pub").read_text())
    assert secret.public_key() == public
    assert public.to_file_text() == (VECTORS / "minisign.pub").read_text()
    message = (VECTORS / "message.txt").read_bytes()
    expected = (VECTORS / "message.txt.minisig").read_text()
    # Ed25519 is deterministic, so the same key, data and comment give the same file.
    assert minisign.sign(secret, message, "sabidamu test vector") == expected
    assert minisign.verify(public, message, expected) == "sabidamu test vector"


def test_real_minisign_verifies_vector_signature(tmp_path: Path) -> None:
    tool = require_tool("minisign")
    result = run(
        tool, "-Vm", VECTORS / "message.txt", "-x", VECTORS / "message.txt.minisig", "-p", VECTORS / "minisign.pub"
    )
    assert result.returncode == 0, result.stderr
    assert "Trusted comment: sabidamu test vector" in result.stdout
