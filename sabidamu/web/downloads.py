"""Downloads: every file the app hands out gets its name from sabidamu.filenames and its Content-Disposition
from here, with both filename (ASCII) and filename* (RFC 6266 / RFC 5987, UTF-8)."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response

from ..filenames import download_name, latin, person_part  # noqa: F401  (re-exported for the routes)

_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(name: str) -> str:
    """attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded> (both, for old and new clients)."""
    ascii_name = _UNSAFE_IN_NAME.sub("-", latin(name)) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def as_attachment(response: Response, name: str, mimetype: str | None = None) -> Response:
    """Marks a response as a download named `name` (see download_name)."""
    if mimetype:
        response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = content_disposition(name)
    return response
