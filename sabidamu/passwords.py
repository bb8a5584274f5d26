"""Argon2id password hashing at the OWASP minimum (19 MiB memory, 2 iterations, 1 lane), and the check of a
new password against the most common passwords.

The common-password list is the 30,000 most common passwords that the zxcvbn package ships
(zxcvbn.frequency_lists "passwords", drawn from a list of 10 million leaked passwords; MIT licence); it is
read from the installed package, never fetched over the network. A password is refused when it, lower-cased,
is on the list, or when it is a listed password with only digits and punctuation added at the end or at the
start ("password2026!", "1qwertyuiop"): NIST SP 800-63B §5.1.1.2 asks for such a blocklist.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH, MAX_LENGTH = 10, 200
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)
# Checked when the account does not exist, so an unknown login costs the same time as a known one.
_DUMMY_HASH = _hasher.hash("sabidamu-no-such-user")
_PADDING = "0123456789!@#$%^&*()-_=+.,?;:~ "


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """True when the password is one of the most common ones, or one of them padded with digits/punctuation."""
    lowered = password.lower()
    listed = common_passwords()
    if lowered in listed:
        return True
    padding = set(_PADDING)
    for cut in range(4, len(lowered)):
        head, tail = lowered[:cut], lowered[cut:]
        if head in listed and set(tail) <= padding:
            return True
        head, tail = lowered[:-cut], lowered[-cut:]
        if tail in listed and set(head) <= padding:
            return True
    return len(set(lowered)) < 4  # "aaaaaaaaaa", "abababababab"


def password_problem(password: str, *personal: str | None) -> str | None:
    """Why a new password is refused (a ServiceError code), or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return "password_short"
    if len(password) > MAX_LENGTH:
        return "password_long"
    if is_common(password):
        return "password_common"
    lowered = password.lower()
    for value in personal:  # the login or the name as the password
        value = (value or "").lower().strip()
        if len(value) >= 4 and value in lowered and set(lowered.replace(value, "")) <= set(_PADDING):
            return "password_personal"
    return None
