"""Service refusal codes -> sentences in the user's language."""
from flask_babel import lazy_gettext as _l

from ..iin import IINError
from ..services import ServiceError

SERVICE_MESSAGES = {
    "login_failed": _l("The login or password is wrong."),
    "login_locked": _l("Too many failed attempts. Try again in %(minutes)s min."),
    "login_taken": _l("An account with this e-mail or phone already exists."),
    "iin_exists": _l("A child with this IIN is already registered. If the child attends a kindergarten, ask it to link you."),
    "stale": _l("Someone changed this record while you were editing. Reload the page to see the new values."),
    "already_enrolled": _l("This child is already in this group."),
    "already_pending": _l("This child's parent has not yet confirmed the earlier request."),
    "need_name_and_birth_date": _l("No child with this IIN is registered yet: enter the child's name and birth date to add them."),
    "not_pending": _l("This request has already been answered."),
    "bin_taken": _l("An organization with this BIN already exists."),
    "teacher_not_in_org": _l("Choose teachers of this organization only."),
}

IIN_MESSAGES = {
    "empty": _l("Enter the IIN."),
    "not_digits": _l("The IIN must contain digits only."),
    "length": _l("The IIN must have exactly 12 digits."),
    "century_digit": _l("The 7th digit of the IIN must be from 1 to 6 (century and sex)."),
    "bad_date": _l("The first six digits of the IIN must be a real birth date (YYMMDD)."),
    "checksum": _l("The IIN's check digit does not match: check the number for a typo."),
    "birth_date_mismatch": _l("The birth date in the IIN does not match the birth date entered."),
}


def service_message(error: ServiceError) -> str:
    text = SERVICE_MESSAGES.get(error.code)
    if text is None:
        return str(_l("The request could not be completed."))
    return str(text) % error.params if error.params else str(text)


def iin_message(error: IINError) -> str:
    return str(IIN_MESSAGES.get(error.code, IIN_MESSAGES["checksum"]))
