""".sdcard transfer package: build and open.

A package is age-encrypted (X25519 recipient of the receiving school) ZIP with exactly four entries:

  manifest.json         who sent it to whom, about which child, SHA-256 and size of the two files
  card.json             the individual development card, see schemas/card.schema.json
  card.pdf              the same card, printable
  manifest.json.minisig minisign signature of manifest.json by the sending organization

Anyone can open one with the stock tools (`age -d`, `unzip`, `minisign -V`); `open_package` does
the same with every check, in a fixed order so that the cheapest and least trusting checks come
first: size, decryption, ZIP safety, manifest, signature, hashes, card content.
"""


from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import uuid
import zipfile
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pyrage

from . import agekeys, minisign, strict_json
from .package_format import (
    CARD_JSON_NAME,
    CARD_PDF_NAME,
    FORMAT,
    FORMAT_VERSION,
    HASHED_FILES,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    SUPPORTED_FORMAT_VERSIONS,
    ChildInfo,
    Limits,
    OpenedPackage,
    PackageError,
    SenderInfo,
    validate_card,
    validate_manifest,
)
from .package_zip import _unpack

AGE_BINARY_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"
# age STREAM: 16-byte nonce, then chunks of up to 64 KiB plaintext + 16-byte Poly1305 tag.
_AGE_NONCE = 16
_AGE_TAG = 16
_AGE_CHUNK = 64 * 1024 + _AGE_TAG

# A fixed ZIP timestamp would also be deterministic; the creation time (UTC) is just as
# reproducible from the inputs and tells a person unzipping the file when it was made.
_ZIP_FILE_MODE = (stat.S_IFREG | 0o644) << 16
_ZIP_CREATE_SYSTEM_UNIX = 3
_ZIP_COMPRESS_LEVEL = 9


# ------------------------------------------------------------------------------------------ build

def _utc_timestamp(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0)


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _single_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def trusted_comment_for(manifest: Mapping[str, Any]) -> str:
    """The signature's trusted comment: names the package and the sender, shown by `minisign -V`."""
    sender = manifest["sender"]
    # minisign refuses comments over 1024 bytes; the name is the only unbounded part.
    name = _single_line(sender["name"]).encode("utf-8")[:300].decode("utf-8", "ignore")
    return (
        f"sdcard package {manifest['package_id']} from {name} "
        f"(BIN {sender['bin']}, org {sender['org_id']}, key {sender['signing_key_fingerprint']})"
    )


def build_manifest(
    *,
    card_json: bytes,
    card_pdf: bytes,
    sender: SenderInfo,
    recipient_org_id: str | None,
    recipient: str,
    child: ChildInfo,
    created_at: datetime,
    package_id: uuid.UUID,
) -> dict[str, Any]:
    birth_date = child.birth_date.isoformat() if isinstance(child.birth_date, date) else child.birth_date
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_id": str(package_id),
        "created_at": _utc_timestamp(created_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sender": {
            "org_id": str(sender.org_id),
            "name": sender.name,
            "bin": sender.bin,
            "signing_key_fingerprint": minisign.fingerprint(sender.signing_secret),
        },
        "recipient": {
            "org_id": str(recipient_org_id) if recipient_org_id is not None else None,
            "age_recipient": recipient,
        },
        "child": {"iin": child.iin, "full_name": child.full_name, "birth_date": birth_date},
        "files": [
            {"name": CARD_JSON_NAME, "sha256": hashlib.sha256(card_json).hexdigest(), "size": len(card_json)},
            {"name": CARD_PDF_NAME, "sha256": hashlib.sha256(card_pdf).hexdigest(), "size": len(card_pdf)},
        ],
    }


def _zip_entries(entries: list[tuple[str, bytes]], when: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _ZIP_FILE_MODE
            info.create_system = _ZIP_CREATE_SYSTEM_UNIX
            archive.writestr(info, content, compresslevel=_ZIP_COMPRESS_LEVEL)
    return buffer.getvalue()


def build_archive(
    *,
    card: dict[str, Any],
    card_pdf: bytes,
    sender: SenderInfo,
    recipient_org_id: str | None,
    recipient: str,
    child: ChildInfo,
    created_at: datetime | None = None,
    package_id: uuid.UUID | None = None,
) -> bytes:
    """The unencrypted ZIP of a package; deterministic for the same inputs."""
    recipient = agekeys.normalize_recipient(recipient)
    problems = validate_card(card)
    if problems:
        raise PackageError("bad_card", "; ".join(problems))
    if card["child"]["iin"] != child.iin:
        raise PackageError("bad_card", "the card's child IIN differs from the package's child")
    card_json = _json_bytes(card)
    created = _utc_timestamp(created_at or datetime.now(UTC))
    manifest = build_manifest(
        card_json=card_json,
        card_pdf=card_pdf,
        sender=sender,
        recipient_org_id=recipient_org_id,
        recipient=recipient,
        child=child,
        created_at=created,
        package_id=package_id or uuid.uuid4(),
    )
    problems = validate_manifest(manifest)
    if problems:
        raise PackageError("bad_manifest", "; ".join(problems))
    manifest_json = _json_bytes(manifest)
    signature = minisign.sign(sender.signing_secret, manifest_json, trusted_comment_for(manifest))
    return _zip_entries(
        [
            (MANIFEST_NAME, manifest_json),
            (CARD_JSON_NAME, card_json),
            (CARD_PDF_NAME, card_pdf),
            (SIGNATURE_NAME, signature.encode("utf-8")),
        ],
        created,
    )


def build_package(
    *,
    card: dict[str, Any],
    card_pdf: bytes,
    sender: SenderInfo,
    recipient_org_id: str | None,
    recipient: str,
    child: ChildInfo,
    created_at: datetime | None = None,
    package_id: uuid.UUID | None = None,
) -> bytes:
    """A .sdcard file: age-encrypt(ZIP{manifest.json, card.json, card.pdf, manifest.json.minisig})."""
    archive = build_archive(
        card=card,
        card_pdf=card_pdf,
        sender=sender,
        recipient_org_id=recipient_org_id,
        recipient=recipient,
        child=child,
        created_at=created_at,
        package_id=package_id,
    )
    encrypted: bytes = pyrage.encrypt(archive, [agekeys.parse_recipient(recipient)])
    return encrypted


# ------------------------------------------------------------------------------------------- open

def _age_payload_is_cut(data: bytes) -> bool:
    """True when a binary age file's payload length is impossible for a complete file.

    A complete payload is a 16-byte nonce and chunks of 64 KiB + 16; the last chunk holds at least
    one byte plus its tag unless the whole plaintext is empty. Cuts that land on other lengths are
    indistinguishable from damage: authenticated encryption only says "not intact".
    """
    if not data.startswith(AGE_BINARY_MAGIC):
        return False
    end = data.find(b"\n--- ")
    if end < 0:
        return True
    newline = data.find(b"\n", end + 1)
    if newline < 0:
        return True
    payload = len(data) - (newline + 1) - _AGE_NONCE
    if payload < _AGE_TAG:
        return True
    rest = payload % _AGE_CHUNK
    return payload > _AGE_CHUNK and 0 < rest <= _AGE_TAG


def _decrypt(data: bytes, identities: list[str]) -> bytes:
    parsed = [agekeys.parse_identity(text) for text in identities]
    try:
        decrypted: bytes = pyrage.decrypt(data, parsed)
        return decrypted
    except pyrage.DecryptError as exc:
        reason = str(exc)
        # pyrage raises one exception type; its text tells the cases apart (checked in the tests).
        if "No matching keys" in reason:
            raise PackageError("wrong_recipient") from exc
        if "fill whole buffer" in reason or _age_payload_is_cut(data):
            raise PackageError("truncated", reason) from exc
        raise PackageError("corrupt", reason) from exc


def load_json(raw: bytes, code: str) -> Any:
    """Strict JSON of a package file: `code` ('bad_manifest', 'bad_card') when it is not JSON at all,
    'unsafe_json' when it is hostile (deep nesting, duplicate keys, NaN/Infinity or overflowing numbers)."""
    try:
        return strict_json.loads(raw)
    except strict_json.HostileJSON as exc:
        raise PackageError("unsafe_json", f"{code}: {str(exc)[:80]}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(code, f"not JSON: {str(exc)[:200]}") from exc


def _parse_manifest(raw: bytes) -> dict[str, Any]:
    manifest = load_json(raw, "bad_manifest")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageError("bad_manifest", "format is not 'sdcard'")
    version = manifest.get("format_version")
    if type(version) is not int:
        raise PackageError("bad_manifest", "format_version must be an integer")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        raise PackageError("unknown_format_version", f"format_version {version}")
    problems = validate_manifest(manifest)
    if problems:
        raise PackageError("bad_manifest", "; ".join(problems))
    return manifest


def _check_signature(
    manifest: dict[str, Any],
    raw_manifest: bytes,
    signature: bytes,
    resolve_sender_key: Callable[[dict[str, Any]], str | None],
) -> tuple[str, str]:
    claimed = manifest["sender"]["signing_key_fingerprint"]
    key_text = resolve_sender_key(manifest)
    if key_text is None:
        raise PackageError("unknown_sender", f"key {claimed}", fingerprint=claimed, manifest=manifest)
    try:
        public = minisign.parse_public_key(key_text)
    except minisign.MinisignError as exc:
        raise PackageError("bad_signature", f"stored sender key unusable: {exc.message}") from exc
    try:
        trusted_comment = minisign.verify(public, raw_manifest, signature)
    except minisign.MinisignError as exc:
        raise PackageError("bad_signature", f"{exc.code}: {exc.message}") from exc
    if public.fingerprint != claimed:
        raise PackageError("bad_signature", f"manifest names key {claimed}, signed by {public.fingerprint}")
    return public.fingerprint, trusted_comment


def _check_files(manifest: dict[str, Any], contents: Mapping[str, bytes]) -> None:
    listed = {entry["name"]: entry for entry in manifest["files"]}
    if sorted(listed) != sorted(HASHED_FILES):
        raise PackageError("bad_manifest", "files must list card.json and card.pdf once each")
    for name in HASHED_FILES:
        content = contents[name]
        if len(content) != listed[name]["size"]:
            raise PackageError("hash_mismatch", f"{name} size")
        if hashlib.sha256(content).hexdigest() != listed[name]["sha256"]:
            raise PackageError("hash_mismatch", f"{name} sha256")


def _parse_card(raw: bytes, manifest: dict[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = load_json(raw, "bad_card")  # an object once validate_card finds no problem
    problems = validate_card(card)
    if problems:
        raise PackageError("bad_card", "; ".join(problems))
    if card["child"]["iin"] != manifest["child"]["iin"]:
        raise PackageError("bad_card", "the card's child IIN differs from the manifest's")
    return card


def open_package(
    data: bytes,
    *,
    identities: list[str],
    resolve_sender_key: Callable[[dict[str, Any]], str | None],
    limits: Limits = Limits(),
) -> OpenedPackage:
    """Decrypt and check a .sdcard file; raise PackageError at the first failed check.

    `identities`: age secret-key strings of the receiving organization (current and past).
    `resolve_sender_key(manifest)`: the sender's minisign public key (file text or base64 line)
    that this installation already trusts, or None.
    """
    # a. Limits before any cryptography, then the cheap shape check.
    if len(data) > limits.max_package_bytes:
        raise PackageError("too_large", f"{len(data)} bytes")
    if not data or not (data.startswith(AGE_BINARY_MAGIC) or data.startswith(AGE_ARMOR_MAGIC)):
        raise PackageError("not_age")
    # b. Decrypt.
    plaintext = _decrypt(data, identities)
    # c. ZIP safety and the four expected entries.
    contents = _unpack(plaintext, limits)
    # d. Manifest.
    raw_manifest = contents[MANIFEST_NAME]
    manifest = _parse_manifest(raw_manifest)
    # e. Sender key and signature.
    fingerprint, trusted_comment = _check_signature(
        manifest, raw_manifest, contents[SIGNATURE_NAME], resolve_sender_key
    )
    # f. The signed manifest vouches for the other files.
    _check_files(manifest, contents)
    # g. The card itself.
    card = _parse_card(contents[CARD_JSON_NAME], manifest)
    our_recipients = {agekeys.recipient_of(text) for text in identities}
    return OpenedPackage(
        manifest=manifest,
        card=card,
        card_pdf=contents[CARD_PDF_NAME],
        sender_fingerprint=fingerprint,
        trusted_comment=trusted_comment,
        addressed_to_us=manifest["recipient"]["age_recipient"] in our_recipients,
        raw_manifest=raw_manifest,
    )
