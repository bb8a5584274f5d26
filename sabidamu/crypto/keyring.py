"""Master keys and per-owner data keys.

The master keys live outside the database: a file with one `key-id:base64` line per key (the last
line is the active one) or the SABIDAMU_MASTER_KEYS variable in the same form, comma separated.
Data keys (one per organization, one per family) are random 256-bit keys stored in the database only
wrapped (AES-GCM) by a master key; the wrap's associated data names the data key and the master key.
"""
from __future__ import annotations

import base64
import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import aead

_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


class KeyringError(Exception):
    """A key is missing or malformed."""


@dataclass(frozen=True)
class MasterKeys:
    keys: dict[str, bytes]
    active_id: str

    @classmethod
    def parse(cls, text: str) -> MasterKeys:
        keys: dict[str, bytes] = {}
        active = None
        for raw in re.split(r"[,\n]", text):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key_id, _, b64 = line.partition(":")
            if not _KEY_ID.match(key_id):
                raise KeyringError(f"bad master key id {key_id!r}")
            try:
                key = base64.b64decode(b64, validate=True)
            except ValueError as exc:
                raise KeyringError(f"master key {key_id} is not base64") from exc
            if len(key) != 32:
                raise KeyringError(f"master key {key_id} must be 32 bytes")
            keys[key_id] = key
            active = key_id
        if active is None:
            raise KeyringError("no master key configured")
        return cls(keys, active)

    @staticmethod
    def new_line() -> str:
        key_id = "mk-" + secrets.token_hex(4)
        return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def load_master_keys(path: Path | None, env_value: str | None, create: bool) -> MasterKeys:
    if env_value:
        return MasterKeys.parse(env_value)
    assert path is not None
    if not path.exists():
        if not create:
            raise KeyringError(f"master key file {path} is missing")
        add_master_key(path)
    return MasterKeys.parse(path.read_text())


def add_master_key(path: Path) -> str:
    """Append a new master key (it becomes the active one); returns its id."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = MasterKeys.new_line()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return line.split(":", 1)[0]


def _wrap_context(data_key_id: uuid.UUID, master_id: str) -> bytes:
    return f"datakey|{data_key_id}|{master_id}".encode()


def wrap_data_key(master: MasterKeys, data_key_id: uuid.UUID, key: bytes,
                  master_id: str | None = None) -> tuple[bytes, str]:
    mid = master_id or master.active_id
    ctx = _wrap_context(data_key_id, mid)
    # The master key id is bound through the context; the blob's key-id slot carries the data key id.
    return aead.seal(AESGCM(master.keys[mid]), data_key_id, ctx, key), mid


def unwrap_data_key(master: MasterKeys, data_key_id: uuid.UUID, wrapped: bytes, master_id: str) -> bytes:
    if master_id not in master.keys:
        raise KeyringError(f"master key {master_id} is not available")
    return aead.open_sealed(AESGCM(master.keys[master_id]), _wrap_context(data_key_id, master_id), wrapped)


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


class Keyring:
    """Opens and seals field values; caches unwrapped data keys per process.

    `fetch_wrapped(key_id) -> (wrapped, master_id)` reads a data key row; the cache is safe across
    rotations because a data key's bytes never change for its id (re-wrapping changes only the wrap).
    """

    def __init__(self, master: MasterKeys, blind_index_key: bytes,
                 fetch_wrapped: Callable[[uuid.UUID], tuple[bytes, str]]):
        self.master = master
        self.blind_index_key = blind_index_key
        self._fetch = fetch_wrapped
        self._aeads: dict[uuid.UUID, AESGCM] = {}
        self._lock = threading.Lock()

    def aead_for(self, key_id: uuid.UUID) -> AESGCM:
        found = self._aeads.get(key_id)
        if found is None:
            wrapped, master_id = self._fetch(key_id)
            found = AESGCM(unwrap_data_key(self.master, key_id, wrapped, master_id))
            with self._lock:
                self._aeads[key_id] = found
        return found

    def prime(self, key_id: uuid.UUID, key: bytes) -> None:
        with self._lock:
            self._aeads[key_id] = AESGCM(key)

    def seal(self, key_id: uuid.UUID, table: str, row_id: uuid.UUID | str, field: str,
             value: str | None) -> bytes | None:
        if value is None:
            return None
        return aead.seal(self.aead_for(key_id), key_id, aead.context(table, row_id, field), value.encode())

    def open(self, table: str, row_id: uuid.UUID | str, field: str, blob: bytes | None) -> str | None:
        if blob is None:
            return None
        key_id = aead.key_id_of(blob)
        return aead.open_sealed(self.aead_for(key_id), aead.context(table, row_id, field), blob).decode()
