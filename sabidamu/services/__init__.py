"""Use cases. Each takes a session and the acting user, checks access, changes data and writes the
audit event in the same transaction. Views call only these."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

T = TypeVar("T")


class ServiceError(Exception):
    """A refusal the user should read: `code` picks the translated message, `field` the form field."""

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


class AccessDenied(Exception):
    """The acting user may not do this to this object (rendered as 403 and audited)."""


class NotFound(Exception):
    """No such object (rendered as 404)."""


def fetch(db: Session, model: type[T], ident: Any) -> T:
    """The row of `model` with primary key `ident`, or NotFound (a 404 for the user)."""
    row = db.get(model, ident)
    if row is None:
        raise NotFound()
    return row
