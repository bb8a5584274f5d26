"""The one check for "next" targets (sign-in, the one-time-code step, the language switch).

Browsers drop tabs and newlines anywhere in a URL and leading/trailing control characters and spaces, and
treat a backslash like a slash: `/\\t/evil.example` and `/\\\\evil.example` both go to evil.example. So the
target is first cleaned the way a browser would read it, then accepted only as a path on this site.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_LENGTH = 2000


def _visible(ch: str) -> bool:
    # Control (Cc), format (Cf, e.g. zero-width and bidi marks), separators and every kind of whitespace.
    return not (ch.isspace() or unicodedata.category(ch)[0] in ("C", "Z"))


def safe_next(target: str | None, fallback: str) -> str:
    """`target` cleaned of control characters and whitespace if it is a path on this site, else `fallback`."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return fallback
    cleaned = "".join(ch for ch in target if _visible(ch))
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return fallback
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return fallback
    return cleaned
