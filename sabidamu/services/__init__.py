"""Use cases. Each takes a session and the acting user, checks access, changes data and writes the
audit event in the same transaction. Views call only these."""


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
