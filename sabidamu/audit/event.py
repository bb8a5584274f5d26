"""Audit events as Merkle tree leaves (log v2): canonical bytes and their HMAC. Pure module.

An event's leaf bytes are canonical JSON (sorted keys, no whitespace, UTF-8, see
:func:`sabidamu.audit.chain.canonical_json`) of::

    {"action", "actor_id", "actor_role", "at", "detail", "event_id", "object_id", "object_type",
     "org_id", "v": 2}

The position in the log is not part of the bytes (it is the leaf index, fixed by the tree). The writer
stores ``HMAC-SHA256(mac key, leaf bytes)`` with the row at once, in the request's transaction, so a row
changed while it waits for the sequencer is detected too; the MAC key lives outside the database.
The tree's leaf hash is SHA-256(0x00 || leaf bytes) (:func:`sabidamu.audit.merkle.leaf_hash`).
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from json.encoder import encode_basestring as _encode_str  # the C escaper the encoder uses (no ASCII escapes)
from typing import Any

from .chain import _DETAIL_DEPTH, _ENCODER, AuditFormatError, _check_plain, _check_utc, _check_uuid, _format_utc

VERSION = 2
_OPTIONAL = ("actor_id", "actor_role", "org_id", "object_type", "object_id")


def event_bytes(*, event_id: str, at: datetime, action: str, actor_id: str | None = None,
                actor_role: str | None = None, org_id: str | None = None, object_type: str | None = None,
                object_id: str | None = None, detail: dict[str, Any] | None = None,
                check: bool = True) -> bytes:
    """The canonical leaf bytes. ``check=False`` skips validation (the verifier re-reading stored rows:
    a value that does not round-trip simply gives other bytes and fails the MAC and the tree)."""
    detail = {} if detail is None else detail
    if check:
        _check_uuid(event_id)
        _check_utc(at)
        if not isinstance(action, str) or not action:
            raise AuditFormatError("action must be a non-empty str")
        for name, value in zip(_OPTIONAL, (actor_id, actor_role, org_id, object_type, object_id), strict=True):
            if value is not None and not isinstance(value, str):
                raise AuditFormatError(f"{name} must be str or None, got {type(value).__name__}")
        if not isinstance(detail, dict):
            raise AuditFormatError("detail must be a dict")
        _check_plain(detail, _DETAIL_DEPTH)
    return text_bytes(event_id, _format_utc(at), action, actor_id, actor_role, org_id, object_type, object_id,
                      detail)


def text_bytes(event_id: str, at_text: str, action: str, actor_id: str | None, actor_role: str | None,
               org_id: str | None, object_type: str | None, object_id: str | None, detail: dict[str, Any]) -> bytes:
    """event_bytes from already canonical text fields (the verifier reads them as text from PostgreSQL)."""
    # The canonical JSON written out key by key (sorted, as the encoder would): several times faster than
    # encoding a dict, which matters when the verifier re-reads millions of rows. tests/audit/test_event.py
    # checks it equals _ENCODER.encode of the same dict.
    try:
        return (f'{{"action":{_s(action)},"actor_id":{_s(actor_id)},"actor_role":{_s(actor_role)},'
                f'"at":"{at_text}","detail":{_ENCODER.encode(detail)},"event_id":{_s(event_id)},'
                f'"object_id":{_s(object_id)},"object_type":{_s(object_type)},"org_id":{_s(org_id)},'
                f'"v":{VERSION}}}').encode()
    except (UnicodeEncodeError, ValueError, TypeError, AttributeError) as exc:
        raise AuditFormatError(f"event cannot be encoded: {exc}") from exc


def reference_bytes(**fields: Any) -> bytes:
    """The same bytes through the generic canonical encoder (for tests)."""
    body = dict(fields, at=_format_utc(fields["at"]), v=VERSION)
    return _ENCODER.encode(body).encode("utf-8")


def _s(value: str | None) -> str:
    return "null" if value is None else _encode_str(value)


def event_mac(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, hashlib.sha256)


def mac_ok(key: bytes, data: bytes, mac: bytes | None) -> bool:
    return mac is not None and hmac.compare_digest(hmac.digest(key, data, hashlib.sha256), bytes(mac))


def v1_head_detail(seq: int, head_hash: bytes) -> dict[str, Any]:
    """The detail of the bridge event, leaf 0 of the tree: the final head of the v1 hash chain."""
    return {"v1_head_hash": head_hash.hex(), "v1_seq": seq}
