"""Errors of the monitoring rules.

Each carries a stable `code` so the web layer can show a translated message in the user's
language without parsing English text.
"""

from __future__ import annotations


class MonitoringError(ValueError):
    """Base class: bad input to a monitoring rule. `code` is stable, the message is for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidLevel(MonitoringError):
    """A level value that is not 1, 2, 3 or "not observed"."""


class InvalidStageWindows(MonitoringError):
    """A stage window (or month-day) that breaks the academic-year rules."""


class UnknownStage(MonitoringError):
    """A stage id other than start / intermediate / final."""
