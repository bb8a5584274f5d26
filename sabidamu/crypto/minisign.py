"""Ed25519 keys and signatures in minisign's exact file formats.

Why our own implementation: the .sdcard transfer package must be verifiable by a school with the
stock `minisign` tool, and the app must verify packages signed by that tool, so both directions use
minisign's formats byte for byte:

  public key file   untrusted comment: minisign public key <KEYID>\n
                    base64("Ed" || key_id[8] || public_key[32])\n
  signature file    untrusted comment: <text>\n
                    base64(alg[2] || key_id[8] || signature[64])\n
                    trusted comment: <text>\n
                    base64(global_signature[64])\n

alg "ED" (what minisign >= 0.11 writes) signs BLAKE2b-512(data); legacy "Ed" signs the data itself.
The global signature covers signature[64] || trusted comment, so the trusted comment cannot be
swapped. The key id is stored little-endian; minisign shows it as a 64-bit number in upper-case hex,
so the displayed fingerprint is the reversed bytes.

Our secret key storage is NOT minisign's scrypt file: it is key_id || seed (40 bytes) and the caller
encrypts it at rest.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEY_ALG = b"Ed"
SIG_ALG_PREHASHED = b"ED"
SIG_ALG_LEGACY = b"Ed"
KEY_ID_BYTES = 8
PUBLIC_KEY_COMMENT_PREFIX = "minisign public key "
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
DEFAULT_UNTRUSTED_COMMENT = "signature from minisign secret key"
SECRET_KEY_STORAGE_BYTES = KEY_ID_BYTES + 32

# Stable error codes (MinisignError.code).
MALFORMED = "malformed"
WRONG_KEY_ID = "wrong_key_id"
BAD_SIGNATURE = "bad_signature"
BAD_GLOBAL_SIGNATURE = "bad_global_signature"
ERROR_CODES = (MALFORMED, WRONG_KEY_ID, BAD_SIGNATURE, BAD_GLOBAL_SIGNATURE)


class MinisignError(Exception):
    """A key or signature that cannot be parsed or does not verify; `code` is one of ERROR_CODES."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PublicKey:
    key_id: bytes  # 8 bytes, as stored in the files (little-endian)
    key: bytes  # 32-byte Ed25519 public key

    @property
    def fingerprint(self) -> str:
        return fingerprint(self)

    def to_base64(self) -> str:
        """The single base64 line minisign accepts with `-P`."""
        return base64.b64encode(KEY_ALG + self.key_id + self.key).decode("ascii")

    def to_file_text(self) -> str:
        """The content of a minisign.pub file."""
        return f"{UNTRUSTED_PREFIX}{PUBLIC_KEY_COMMENT_PREFIX}{self.fingerprint}\n{self.to_base64()}\n"


@dataclass(frozen=True)
class SecretKey:
    key_id: bytes  # 8 bytes
    seed: bytes  # 32-byte Ed25519 private seed

    def __repr__(self) -> str:  # never print the seed into logs or tracebacks
        return f"SecretKey(key_id={self.key_id.hex()}, seed=<hidden>)"

    def public_key(self) -> PublicKey:
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return PublicKey(key_id=self.key_id, key=raw)

    def to_bytes(self) -> bytes:
        """Storage form: key_id || seed. Encrypt it before storing."""
        return self.key_id + self.seed

    @classmethod
    def from_bytes(cls, data: bytes) -> SecretKey:
        if len(data) != SECRET_KEY_STORAGE_BYTES:
            raise MinisignError(MALFORMED, "stored secret key must be 40 bytes (key id + seed)")
        return cls(key_id=bytes(data[:KEY_ID_BYTES]), seed=bytes(data[KEY_ID_BYTES:]))


def generate_keypair() -> tuple[SecretKey, PublicKey]:
    """A new Ed25519 key pair with a random 8-byte key id, as `minisign -G` makes."""
    secret = SecretKey(key_id=os.urandom(KEY_ID_BYTES), seed=os.urandom(32))
    return secret, secret.public_key()


def fingerprint(public: PublicKey | SecretKey) -> str:
    """The key id as minisign shows it: 16 upper-case hex digits of the little-endian number."""
    return public.key_id[::-1].hex().upper()


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MinisignError(MALFORMED, f"{what} is not valid base64") from exc


def parse_public_key(text: str) -> PublicKey:
    """Parse a public key from a minisign.pub file's text or from its bare base64 line."""
    if not isinstance(text, str):
        raise MinisignError(MALFORMED, "public key must be text")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 2 and lines[0].startswith(UNTRUSTED_PREFIX.strip()):
        line = lines[1]
    elif len(lines) == 1:
        line = lines[0]
    else:
        raise MinisignError(MALFORMED, "public key must be a minisign.pub file or one base64 line")
    raw = _b64decode(line, "public key")
    if len(raw) != 2 + KEY_ID_BYTES + 32 or raw[:2] != KEY_ALG:
        raise MinisignError(MALFORMED, "not a minisign Ed25519 public key")
    return PublicKey(key_id=raw[2 : 2 + KEY_ID_BYTES], key=raw[2 + KEY_ID_BYTES :])


def _check_comment(comment: str, what: str) -> None:
    # A newline would let a comment forge the next line of the file.
    if "\n" in comment or "\r" in comment:
        raise ValueError(f"{what} must be a single line")


def sign(
    secret: SecretKey,
    data: bytes,
    trusted_comment: str,
    untrusted_comment: str = DEFAULT_UNTRUSTED_COMMENT,
) -> str:
    """A .minisig file (prehashed "ED" algorithm) that `minisign -V` accepts."""
    _check_comment(trusted_comment, "trusted comment")
    _check_comment(untrusted_comment, "untrusted comment")
    private = Ed25519PrivateKey.from_private_bytes(secret.seed)
    signature = private.sign(hashlib.blake2b(data, digest_size=64).digest())
    global_signature = private.sign(signature + trusted_comment.encode("utf-8"))
    blob = base64.b64encode(SIG_ALG_PREHASHED + secret.key_id + signature).decode("ascii")
    return (
        f"{UNTRUSTED_PREFIX}{untrusted_comment}\n{blob}\n"
        f"{TRUSTED_PREFIX}{trusted_comment}\n"
        f"{base64.b64encode(global_signature).decode('ascii')}\n"
    )


@dataclass(frozen=True)
class ParsedSignature:
    algorithm: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes

    @property
    def fingerprint(self) -> str:
        return self.key_id[::-1].hex().upper()


def parse_signature(minisig_text: str | bytes) -> ParsedSignature:
    """Parse a .minisig file without verifying it."""
    if isinstance(minisig_text, bytes):
        try:
            minisig_text = minisig_text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MinisignError(MALFORMED, "signature file is not UTF-8 text") from exc
    lines = minisig_text.replace("\r\n", "\n").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    if len(lines) != 4:
        raise MinisignError(MALFORMED, "signature file must have exactly four lines")
    untrusted, sig_line, trusted, global_line = lines
    if not untrusted.startswith(UNTRUSTED_PREFIX):
        raise MinisignError(MALFORMED, "signature file must start with an untrusted comment")
    if not trusted.startswith(TRUSTED_PREFIX):
        raise MinisignError(MALFORMED, "signature file has no trusted comment line")
    raw = _b64decode(sig_line, "signature")
    if len(raw) != 2 + KEY_ID_BYTES + 64:
        raise MinisignError(MALFORMED, "signature has the wrong length")
    algorithm = raw[:2]
    if algorithm not in (SIG_ALG_PREHASHED, SIG_ALG_LEGACY):
        raise MinisignError(MALFORMED, "unsupported signature algorithm")
    global_signature = _b64decode(global_line, "global signature")
    if len(global_signature) != 64:
        raise MinisignError(MALFORMED, "global signature has the wrong length")
    return ParsedSignature(
        algorithm=algorithm,
        key_id=raw[2 : 2 + KEY_ID_BYTES],
        signature=raw[2 + KEY_ID_BYTES :],
        trusted_comment=trusted[len(TRUSTED_PREFIX) :],
        global_signature=global_signature,
    )


def verify(public: PublicKey | str, data: bytes, minisig_text: str | bytes) -> str:
    """Verify `data` against a .minisig file; return the trusted comment.

    Checks in minisign's order: format, key id, signature over the data, global signature over the
    signature and the trusted comment.
    """
    if isinstance(public, str):
        public = parse_public_key(public)
    parsed = parse_signature(minisig_text)
    if parsed.key_id != public.key_id:
        raise MinisignError(
            WRONG_KEY_ID,
            f"signature key id {parsed.fingerprint} does not match public key {public.fingerprint}",
        )
    verifier = Ed25519PublicKey.from_public_bytes(public.key)
    if parsed.algorithm == SIG_ALG_PREHASHED:
        message = hashlib.blake2b(data, digest_size=64).digest()
    else:
        message = data
    try:
        verifier.verify(parsed.signature, message)
    except InvalidSignature as exc:
        raise MinisignError(BAD_SIGNATURE, "signature verification failed") from exc
    try:
        verifier.verify(parsed.global_signature, parsed.signature + parsed.trusted_comment.encode("utf-8"))
    except InvalidSignature as exc:
        raise MinisignError(BAD_GLOBAL_SIGNATURE, "trusted comment signature verification failed") from exc
    return parsed.trusted_comment
