"""Sentences for the account services' refusal codes (sign-in, registration, recovery, settings)."""
from flask_babel import lazy_gettext as _l

from ...services import ServiceError
from ..common import apply_service_error
from ..messages import service_message

ACCOUNT_MESSAGES = {
    "too_many_requests": _l("Too many requests from here. Try again in %(minutes)s min."),
    "link_invalid": _l("This link has expired or was already used. Ask for a new one."),
    "code_invalid": _l("The code is wrong, has expired or was already used. Check the phone number and the code, "
                       "or ask the kindergarten head for a new code."),
    "code_no_account": _l("No parent account uses this e-mail or phone. Check it with the parent."),
    "code_not_parent_here": _l("This account is not the parent of a child in your kindergarten, so you cannot give "
                               "it a code. The parent can ask the head of their child's kindergarten."),
    "name_required": _l("Enter your name."),
    "login_required": _l("Keep at least an e-mail or a phone number: you sign in with it."),
}
UNCONFIRMED = {
    False: _l("Your account is not confirmed yet. Open the link we sent to your e-mail (or register again to get "
              "a new link)."),
    True: _l("Your account is not confirmed yet. Ask the head of your child's kindergarten for a code and enter it "
             "on the page \"I have a code from the kindergarten\"."),
}


def account_message(exc: ServiceError) -> str:
    if exc.code == "account_unconfirmed":
        return str(UNCONFIRMED[bool(exc.params.get("by_phone"))])
    text = ACCOUNT_MESSAGES.get(exc.code)
    if text is None:
        return service_message(exc)
    return str(text) % exc.params if exc.params else str(text)


def show_error(form, exc: ServiceError, aliases: dict[str, str] | None = None) -> None:
    apply_service_error(form, exc, message=account_message(exc), aliases=aliases)
