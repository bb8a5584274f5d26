"""C2SP signed notes with Ed25519 keys, and C2SP tlog-checkpoint bodies. Pure module.

Signed note (https://c2sp.org/signed-note, the format of golang.org/x/mod/sumdb/note)::

    <text: one or more lines, each ending in a newline>
    <blank line>
    — <key name> <base64(4-byte key id || 64-byte Ed25519 signature over the text)>

The key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key); 0x01 is the
Ed25519 algorithm byte. A verifier key is written ``<name>+<8 hex key id>+<base64(0x01 || public key)>``.

Checkpoint (https://c2sp.org/tlog-checkpoint), the note text::

    <origin>
    <tree size, decimal>
    <base64 root hash>
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
SIG_PREFIX = "\u2014 "  # em dash and a space
MAX_NOTE_BYTES = 16 * 1024
MAX_SIGNATURES = 100
_NAME = re.compile(r"[^\s+]+")  # no spaces, no '+', not empty (Unicode allowed)
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")


class NoteError(ValueError):
    """A note, key or checkpoint is malformed, or no known key signed it."""


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def vkey(name: str, public_key: bytes) -> str:
    """The verifier key string, e.g. ``sabidamu.kz/almaty/audit+1a2b3c4d+AXk...``."""
    _check_name(name)
    return f"{name}+{key_id(name, public_key).hex()}+{_b64(bytes([ALG_ED25519]) + public_key)}"


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: bytes

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_vkey(text: str) -> Verifier:
    parts = text.strip().split("+", 2)  # the base64 key may itself hold "+"
    if len(parts) != 3 or not _NAME.fullmatch(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise NoteError("a verifier key is <name>+<8 hex digits>+<base64 key>")
    raw = _unb64(parts[2])
    if raw is None or len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("the verifier key is not an Ed25519 key (0x01 followed by 32 bytes)")
    name, public_key = parts[0], raw[1:]
    if key_id(name, public_key).hex() != parts[1]:
        raise NoteError("the verifier key's id does not match its name and key")
    return Verifier(name, bytes.fromhex(parts[1]), public_key)


class NoteSigner:
    """Signs note texts with one Ed25519 key under one key name."""

    def __init__(self, name: str, private_key: bytes) -> None:
        _check_name(name)
        if len(private_key) != 32:
            raise ValueError("an Ed25519 private key is 32 raw bytes")
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(bytes(private_key))
        self.public_key = self._key.public_key().public_bytes(serialization.Encoding.Raw,
                                                              serialization.PublicFormat.Raw)
        self.key_id = key_id(name, self.public_key)

    @property
    def vkey(self) -> str:
        return vkey(self.name, self.public_key)

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.public_key)

    def sign(self, text: str) -> str:
        _check_text(text)
        signature = self._key.sign(text.encode())
        return f"{text}\n{SIG_PREFIX}{self.name} {_b64(self.key_id + signature)}\n"


@dataclass(frozen=True)
class OpenedNote:
    text: str
    signed_by: tuple[str, ...]  # names of the known keys whose signatures verified


def open_note(note: str | bytes, verifiers: list[Verifier]) -> OpenedNote:
    """Split a signed note and check its signatures. At least one must be by a known key and every
    signature by a known key must verify; signatures by unknown keys are ignored (C2SP)."""
    raw = note.encode() if isinstance(note, str) else bytes(note)
    if len(raw) > MAX_NOTE_BYTES:
        raise NoteError("note too long")
    try:
        whole = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("note is not UTF-8") from exc
    split = whole.rfind("\n\n")
    if split < 0 or not whole.endswith("\n"):
        raise NoteError("malformed note (no blank line before the signatures, or no final newline)")
    text, sig_block = whole[:split + 1], whole[split + 2:]
    _check_text(text)
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError("too many signatures")
    known = {(v.name, v.key_id): v for v in verifiers}
    signed_by = []
    for line in lines:
        if not line.startswith(SIG_PREFIX):
            raise NoteError("malformed signature line")
        name, _, encoded = line[len(SIG_PREFIX):].partition(" ")
        blob = _unb64(encoded)
        if not _NAME.fullmatch(name) or blob is None or len(blob) < 5:
            raise NoteError("malformed signature line")
        verifier = known.get((name, blob[:4]))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), blob[4:]):
            raise NoteError(f"invalid signature for key {name}+{blob[:4].hex()}")
        signed_by.append(name)
    if not signed_by:
        raise NoteError("the note has no signature by a known key")
    return OpenedNote(text, tuple(signed_by))


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash line")
    origin, size, root_b64 = lines[0], lines[1], lines[2]
    if not origin or not _SIZE.fullmatch(size):
        raise NoteError("bad checkpoint origin or tree size")
    root = _unb64(root_b64)
    if root is None or len(root) != 32:
        raise NoteError("bad checkpoint root hash")
    return Checkpoint(origin, int(size), root)


def open_checkpoint(note: str | bytes, verifiers: list[Verifier], origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint note and return its contents (NoteError if anything is off)."""
    checkpoint = parse_checkpoint(open_note(note, verifiers).text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint is for origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError("a key name is non-empty and has no spaces or '+'")


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise NoteError("malformed note text (must be lines ending in newlines, no blank line)")
    if any(ch < " " and ch != "\n" for ch in text):
        raise NoteError("control characters in note text")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes | None:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if _b64(raw) == text else None  # only the canonical spelling
