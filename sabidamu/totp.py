"""Second factor for staff sign-in: RFC 6238 TOTP (via pyotp) and one-time recovery codes.

TOTP: 6 digits, 30-second steps, HMAC-SHA1 (what every authenticator app speaks). The caller keeps,
per user, the encrypted secret and the last accepted time step::

    secret = new_secret()                         # store sealed; show secret + URI to the user once
    uri = provisioning_uri(secret, user.email)    # otpauth://totp/SabiDamu:...?secret=...&issuer=...
    step = verify_totp(secret, form_code, user.totp_last_step)
    if step is None: refuse
    else: user.totp_last_step = step              # same transaction as the sign-in

A code is accepted at most once: a step at or before ``last_used_step`` is refused, so a code read
over a shoulder or replayed from a log is useless after its first use.

Recovery codes: ``new_recovery_codes()`` gives ten codes like ``k7pq-mx3v-2hbn-wa9e`` to show once;
store only ``hash_recovery_code(code)`` for each. ``match_recovery_code(typed, hashes)`` gives the
index of the matching hash; the caller then clears that entry (set it to None) so it works once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pyotp

TOTP_DIGITS = 6
TOTP_INTERVAL = 30  # seconds per step (RFC 6238 default; what authenticator apps assume)

# 31 symbols without look-alikes (no 0/o, 1/l/i): easy to read aloud and type from paper.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
RECOVERY_GROUPS = 4
RECOVERY_GROUP_LEN = 4
_RECOVERY_LEN = RECOVERY_GROUPS * RECOVERY_GROUP_LEN
_RECOVERY_CHARS = frozenset(RECOVERY_ALPHABET)
_RECOVERY_DOMAIN = b"sabidamu-recovery-code-v1\x00"
_HASH_SCHEME = "sha256"
_SALT_BYTES = 16
_CODE_RE = re.compile(rf"[0-9]{{{TOTP_DIGITS}}}")
_ZERO = timedelta(0)


def new_secret() -> str:
    """A new random base32 TOTP secret (32 characters = 160 bits, RFC 4226's recommendation)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account_name: str, issuer: str = "SabiDamu") -> str:
    """The ``otpauth://`` URI an authenticator app imports (shown as text or as a QR code)."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL).provisioning_uri(
        name=account_name, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The provisioning URI as a QR code: an inline SVG drawn here (segno), so the secret never leaves the
    server and the page needs no script and no image URL. Dark modules on a white square with the quiet zone
    (4 modules) the standard asks for; `title` is the image's accessible name (escaped by segno)."""
    import io

    import segno
    out = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(
        out, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4, dark="#000", light="#fff",
        title=title, svgclass="totp-qr", lineclass=None)
    return out.getvalue().decode("utf-8").replace("<svg ", '<svg role="img" ', 1)


def current_step(now: datetime | None = None) -> int:
    """The RFC 6238 time step (counter) for ``now`` (aware datetime; default: the current time)."""
    now = _aware(now)
    return int(now.timestamp()) // TOTP_INTERVAL


def verify_totp(secret: str, code: str, last_used_step: int | None,
                now: datetime | None = None, valid_window: int = 1) -> int | None:
    """Check ``code`` against the steps ``now +- valid_window``; return the accepted step or None.

    Spaces inside the code are ignored ("123 456"); anything but 6 ASCII digits is refused. A code
    whose step is at or before ``last_used_step`` is refused (replay). ``valid_window=1`` accepts the
    previous and next step too, for clock drift and the seconds the user spends typing.
    """
    if not isinstance(code, str) or valid_window < 0:
        return None
    typed = code.replace(" ", "")
    if not _CODE_RE.fullmatch(typed):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)
    now_step = current_step(now)
    accepted: int | None = None
    # Compare against every step in the window (no early exit) with a constant-time compare.
    for step in range(now_step - valid_window, now_step + valid_window + 1):
        if step < 0:
            continue
        matches = hmac.compare_digest(totp.generate_otp(step).encode(), typed.encode())
        fresh = last_used_step is None or step > last_used_step
        if matches and fresh and accepted is None:
            accepted = step
    return accepted


def new_recovery_codes(n: int = 10) -> list[str]:
    """``n`` random codes of 16 symbols from a 31-symbol alphabet (about 79 bits each)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return [_new_recovery_code() for _ in range(n)]


def normalize_recovery_code(code: str) -> str | None:
    """Lowercase, drop dashes and spaces; None if the result cannot be a recovery code."""
    if not isinstance(code, str):
        return None
    cleaned = code.strip().lower().replace("-", "").replace(" ", "")
    if len(cleaned) != _RECOVERY_LEN or not set(cleaned) <= _RECOVERY_CHARS:
        return None
    return cleaned


def hash_recovery_code(code: str) -> str:
    """``sha256$<salt hex>$<digest hex>`` of the normalized code, with a fresh random salt.

    A fast salted hash is enough here, unlike for passwords: a recovery code is chosen by the
    machine uniformly from 31**16 (about 2**79) values, so guessing it back from the hash costs about
    2**78 SHA-256 evaluations per code even with the hash in hand - far beyond any attacker.
    Slow hashes (scrypt, argon2) exist to stretch low-entropy human passwords; they would only
    make sign-in with ten stored codes slow. The per-code salt stops precomputation and makes
    equal codes (there should be none) hash apart.
    """
    normalized = normalize_recovery_code(code)
    if normalized is None:
        raise ValueError("not a recovery code")
    salt = secrets.token_bytes(_SALT_BYTES)
    return f"{_HASH_SCHEME}${salt.hex()}${_digest(salt, normalized).hex()}"


def match_recovery_code(code: str, hashes: Sequence[str | None]) -> int | None:
    """Index of the stored hash that ``code`` matches, else None. Used entries may be None."""
    normalized = normalize_recovery_code(code)
    if normalized is None:
        return None
    found: int | None = None
    for index, stored in enumerate(hashes):
        if not stored:
            continue
        try:
            scheme, salt_hex, digest_hex = stored.split("$")
            salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(digest_hex)
        except ValueError:
            continue  # a damaged entry never matches
        if scheme != _HASH_SCHEME:
            continue
        # Look at every entry: the time taken does not tell which one matched.
        if hmac.compare_digest(_digest(salt, normalized), expected) and found is None:
            found = index
    return found


def format_secret(secret: str) -> str:
    """The secret in groups of four for typing by hand: 'JBSW Y3DP ...'."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _new_recovery_code() -> str:
    symbols = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(_RECOVERY_LEN))
    return "-".join(symbols[i:i + RECOVERY_GROUP_LEN]
                    for i in range(0, _RECOVERY_LEN, RECOVERY_GROUP_LEN))


def _digest(salt: bytes, normalized: str) -> bytes:
    return hashlib.sha256(_RECOVERY_DOMAIN + salt + normalized.encode("ascii")).digest()


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        # A naive time would be read as local time and shift the step: refuse it.
        raise ValueError("now must be timezone-aware")
    return now
