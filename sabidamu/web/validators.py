"""Field validators shared by forms; every message is in the user's language."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from ..iin import IINError, parse_iin
from ..passwords import password_problem
from .messages import MESSAGES, iin_message

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def login_value(form, field) -> None:
    value = (field.data or "").strip()
    if "@" in value:
        if not EMAIL.match(value) or len(value) > 254:
            raise ValidationError(_l("Enter a valid e-mail address, for example name@mail.kz."))
        return
    digits = "".join(ch for ch in value if ch.isdigit())
    if not (len(digits) == 11 and digits[0] in "78") or re.search(r"[^\d\s()+-]", value):
        raise ValidationError(_l("Enter an e-mail or a Kazakhstan phone number, for example +7 701 234 56 78."))


def strong_password(form, field) -> None:
    """Length and the common-password list (sabidamu.passwords); the services check the same again."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(MESSAGES[problem])


def valid_iin(birth_date_field: str | None = None, required: bool = False):
    def check(form, field) -> None:
        value = (field.data or "").strip()
        if not value:
            if required:
                raise ValidationError(iin_message(IINError("empty")))
            return
        birth = getattr(form, birth_date_field).data if birth_date_field else None
        try:
            parse_iin(value, birth if isinstance(birth, dt.date) else None)
        except IINError as exc:
            raise ValidationError(iin_message(exc)) from exc
    return check


def not_in_future(form, field) -> None:
    if field.data and field.data > dt.date.today():
        raise ValidationError(_l("The date cannot be in the future."))


def plausible_child_birth(form, field) -> None:
    if field.data and field.data < dt.date.today() - dt.timedelta(days=365 * 12):
        raise ValidationError(_l("SabiDamu is for children up to 12 years old: check the birth date."))
