"""Errors raised by the instrument engine.

Every error a user can cause carries a machine ``code`` so that the web layer can pick a translated
message and the CLI can print ``error[code]: ...`` without parsing English text.
"""

from __future__ import annotations


class ScreeningInputError(ValueError):
    """Bad input for a screening: dates, gestational age, answers, follow-up answers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InstrumentError(Exception):
    """Base class for problems with instrument files or instrument look-ups."""

    code = "instrument_error"


class UnknownInstrument(InstrumentError, LookupError):
    code = "unknown_instrument"


class UnknownVersion(InstrumentError, LookupError):
    code = "unknown_version"


class InstrumentValidationError(InstrumentError):
    """An instrument file failed the JSON Schema or the semantic checks.

    ``errors`` holds one line per problem, each naming the file, the JSON path and the reason.
    """

    code = "invalid_instrument"

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors) if self.errors else "invalid instrument")
