""".sdcard transfer package: what the format fixes (entry names, limits, error codes, the dataclasses that describe
a sender, a child and an opened package) and the JSON schemas of manifest.json and card.json.

Building and opening are in .package; reading the ZIP safely in .package_zip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from . import minisign

MiB = 1024 * 1024
FORMAT = "sdcard"
FORMAT_VERSION = 1
SUPPORTED_FORMAT_VERSIONS = (1,)
FILE_EXTENSION = ".sdcard"
MEDIA_TYPE = "application/vnd.sabidamu.sdcard"

MANIFEST_NAME = "manifest.json"
CARD_JSON_NAME = "card.json"
CARD_PDF_NAME = "card.pdf"
SIGNATURE_NAME = "manifest.json.minisig"
# The order is part of the format: builders write it, readers do not depend on it.
ENTRY_NAMES = (MANIFEST_NAME, CARD_JSON_NAME, CARD_PDF_NAME, SIGNATURE_NAME)
HASHED_FILES = (CARD_JSON_NAME, CARD_PDF_NAME)


ERROR_MESSAGES: dict[str, str] = {
    "too_large": "The file is larger than a transfer package may be.",
    "not_age": "The file is not an age-encrypted .sdcard package.",
    "wrong_recipient": "The package is not encrypted to this organization's key.",
    "truncated": "The package file is incomplete (cut off during copying or download).",
    "corrupt": "The package file is damaged: decryption failed its integrity check.",
    "not_zip": "The decrypted package is not a valid ZIP archive.",
    "too_many_entries": "The package contains too many files.",
    "unsafe_path": "The package contains a file name that is not allowed (absolute path, '..', "
    "backslash, directory or duplicate).",
    "zip_bomb": "The package's contents are too large when unpacked.",
    "not_regular_file": "The package contains an entry that is not a regular file (a link, a folder with data or "
    "a device).",
    "unsafe_json": "A file in the package is hostile JSON (nested too deeply, duplicate keys, or numbers that are "
    "not finite).",
    "unexpected_entry": "The package contains a file that does not belong in it.",
    "missing_entry": "A file that every package must contain is missing.",
    "bad_manifest": "The package manifest is missing, unreadable or incomplete.",
    "unknown_format_version": "The package uses a format version this application does not support.",
    "unknown_sender": "The sending organization's signing key is not known here; confirm its "
    "fingerprint with the sender before accepting the package.",
    "sender_not_verified": "The package names a sending organization registered here, but it is not signed with "
    "that organization's registered key.",
    "bad_signature": "The sender's signature on the package is not valid.",
    "hash_mismatch": "A file in the package does not match the checksum in the signed manifest.",
    "bad_card": "The development card in the package is invalid or belongs to another child.",
}
ERROR_CODES: tuple[str, ...] = tuple(ERROR_MESSAGES)


class PackageError(Exception):
    """A package that cannot be built or must not be imported; `code` is one of ERROR_CODES.

    For 'unknown_sender', `fingerprint` holds the signing key fingerprint the manifest claims and
    `manifest` the parsed (not yet trusted) manifest, so the app can hold the package until the key
    is confirmed by phone.
    """

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        fingerprint: str | None = None,
        manifest: dict[str, Any] | None = None,
    ) -> None:
        if code not in ERROR_MESSAGES:
            raise ValueError(f"unknown package error code {code!r}")
        self.code = code
        self.message = ERROR_MESSAGES[code]
        self.detail = detail
        self.fingerprint = fingerprint
        self.manifest = manifest
        super().__init__(f"{code}: {self.message}" + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class Limits:
    max_package_bytes: int = 20 * MiB
    max_entries: int = 16
    max_total_uncompressed: int = 50 * MiB
    # Ratio check only above this size: small JSON files legitimately compress very well.
    ratio_check_min_bytes: int = 1 * MiB
    max_compression_ratio: int = 100


@dataclass(frozen=True)
class SenderInfo:
    org_id: str
    name: str
    bin: str
    signing_secret: minisign.SecretKey

    def __repr__(self) -> str:
        return f"SenderInfo(org_id={self.org_id!r}, name={self.name!r}, bin={self.bin!r})"


@dataclass(frozen=True)
class ChildInfo:
    iin: str
    full_name: str
    birth_date: date | str


@dataclass(frozen=True)
class OpenedPackage:
    manifest: dict[str, Any]
    card: dict[str, Any]
    card_pdf: bytes
    sender_fingerprint: str
    trusted_comment: str = ""
    # True when the manifest names one of the identities' recipients: a package signed for another
    # organization and re-encrypted to us decrypts fine but is False here; the app decides.
    addressed_to_us: bool = True
    raw_manifest: bytes = field(default=b"", repr=False)


# ---------------------------------------------------------------------------------------- schemas

_SCHEMA_DIR = Path(__file__).with_name("schemas")
CARD_SCHEMA_PATH = _SCHEMA_DIR / "card.schema.json"
MANIFEST_SCHEMA_PATH = _SCHEMA_DIR / "manifest.schema.json"


@cache
def _validator(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _schema_errors(path: Path, document: Any) -> list[str]:
    errors = sorted(_validator(path).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors[:5]]


def validate_card(card: Any) -> list[str]:
    """Problems with a card.json document (empty list when it is valid)."""
    return _schema_errors(CARD_SCHEMA_PATH, card)


def validate_manifest(manifest: Any) -> list[str]:
    return _schema_errors(MANIFEST_SCHEMA_PATH, manifest)
