"""HMAC-SHA256 blind index: find a child by IIN without storing the IIN in clear.

The index key is separate from the master key, so the index alone reveals nothing without it; an
IIN has little entropy, which is why the key must stay secret and is never stored in the database.
"""
import hashlib
import hmac


def iin_index(key: bytes, iin: str) -> str:
    normalized = "".join(ch for ch in iin if ch.isdigit())
    return hmac.new(key, b"iin|" + normalized.encode(), hashlib.sha256).hexdigest()


def login_index(key: bytes, kind: str, normalized: str) -> str:
    """Blind index of an account's e-mail (lower-cased) or phone (+7XXXXXXXXXX); kind is 'email' or 'phone'."""
    return hmac.new(key, f"login|{kind}|".encode() + normalized.encode(), hashlib.sha256).hexdigest()
