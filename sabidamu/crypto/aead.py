"""Sealed fields: AES-256-GCM with a random 96-bit nonce.

Blob layout: version (1 byte) | key id (16 bytes, UUID) | nonce (12) | ciphertext+tag.
The associated data binds the version, the key id and the caller's context (table, row id, field), so
a ciphertext copied to another row, field or key fails to decrypt instead of showing wrong data.
"""
from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
HEADER_LEN = 1 + 16 + 12


class DecryptionError(Exception):
    """The blob is damaged, was moved, or the key is not the one it was sealed with."""


def context(table: str, row_id: uuid.UUID | str, field: str) -> bytes:
    return f"{table}|{row_id}|{field}".encode()


def seal(aead: AESGCM, key_id: uuid.UUID, ctx: bytes, plaintext: bytes) -> bytes:
    nonce = os.urandom(12)
    header = VERSION + key_id.bytes
    return header + nonce + aead.encrypt(nonce, plaintext, header + ctx)


def key_id_of(blob: bytes) -> uuid.UUID:
    if len(blob) < HEADER_LEN + 16 or blob[:1] != VERSION:
        raise DecryptionError("not a sealed value")
    return uuid.UUID(bytes=bytes(blob[1:17]))


def open_sealed(aead: AESGCM, ctx: bytes, blob: bytes) -> bytes:
    blob = bytes(blob)
    key_id_of(blob)  # validates the header
    header, nonce, body = blob[:17], blob[17:HEADER_LEN], blob[HEADER_LEN:]
    try:
        return aead.decrypt(nonce, body, header + ctx)
    except InvalidTag as exc:
        raise DecryptionError("sealed value does not open in this context") from exc
