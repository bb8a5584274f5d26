"""Service refusal codes -> sentences in the user's language."""
from flask_babel import lazy_gettext as _l

from ..iin import IINError
from .formatting import localized_params
from ..services import ServiceError

SERVICE_MESSAGES = {
    "login_failed": _l("The login or password is wrong."),
    "account_deactivated": _l("This account has been deactivated. If you still work here, ask your head."),
    "staff_self": _l("You cannot deactivate your own account here."),
    "login_locked": _l("Too many failed attempts. Try again in %(minutes)s min."),
    "login_taken": _l("An account with this e-mail or phone already exists."),
    "password_short": _l("The password must have at least 10 characters."),
    "password_long": _l("The password is too long (at most 200 characters)."),
    "password_common": _l("This password is one of the most common passwords and is easy to guess. "
                          "Choose another one: for example, three or four words you will remember."),
    "password_personal": _l("The password must not be your name, e-mail or phone number."),
    "password_wrong": _l("The current password is wrong."),
    "iin_exists": _l("A child with this IIN is already registered. If the child attends a kindergarten, ask it to link you."),
    "stale": _l("Someone changed this record while you were editing. Reload the page to see the new values."),
    "already_enrolled": _l("This child is already in this group."),
    "already_pending": _l("An earlier request to enrol this child in this group has not been answered yet."),
    "need_name_and_birth_date": _l("Enter the child's full name and birth date."),
    "enrol_throttled": _l("Too many enrolment attempts in an hour. Try again in %(minutes)s min."),
    "school_by_transfer": _l("A school receives children through the card transfer only: import the card the "
                             "kindergarten sent, then place the child in a first-grade class."),
    "not_pending": _l("This request has already been answered."),
    "bin_taken": _l("An organization with this BIN already exists."),
    "teacher_not_in_org": _l("Choose teachers of this organization only."),
    # Consents and referrals (sabidamu.services.consent, sabidamu.services.referrals)
    "not_guardian": _l("Only the child's parent or legal representative can give or revoke a consent for this child."),
    "bad_purpose": _l("Choose what the consent is for."),
    "recipient_not_for_purpose": _l("This recipient does not fit the purpose: choose a kindergarten for monitoring, "
                                    "a specialist or a specialists' organization for specialist access, a school "
                                    "for the transfer of the card."),
    "parts_not_for_purpose": _l("Some of the ticked parts do not apply to this purpose: for a specialist tick "
                                "screenings, card or conclusions; for a school tick conclusions or home observations."),
    "until_in_past": _l("The end date cannot be in the past."),
    "paper_purpose": _l("A paper consent can be recorded here for kindergarten monitoring, specialist access or "
                        "the transfer of the card to a school only."),
    "handed_to_school": _l("The card was handed to the school %(school)s on %(date)s; it is read-only."),
    "not_your_child": _l("No child with this IIN is enrolled in your kindergarten or referred to you. Check the IIN."),
    "paper_date_future": _l("The date on the paper form cannot be in the future."),
    "guardian_name": _l("Enter the parent's name as written on the form (at most 200 characters)."),
    "already_revoked": _l("This consent has already been revoked."),
    "paper_before_revocation": _l("The parent revoked this consent on %(date)s. A paper form dated on or before "
                                  "that day cannot be recorded: ask the parent to sign a new form or to consent in "
                                  "the app."),
    "paper_second_person": _l("You recorded this paper consent yourself: another head of the organization must "
                              "confirm it."),
    "paper_already_decided": _l("This paper consent has already been confirmed or turned down."),
    "consent_required": _l("To refer your child, tick the consent box: the specialist sees your child only with it."),
    "reason_empty": _l("Write the reason for the referral."),
    "reason_long": _l("The reason is too long: at most %(max)s characters."),
    "screening_not_of_child": _l("This screening belongs to another child."),
    "referral_not_open": _l("This referral is not open for you: the parent's consent may have been revoked."),
    "conclusion_empty": _l("Write the conclusion."),
    "conclusion_long": _l("The conclusion is too long: at most %(max)s characters."),
    "recommendations_empty": _l("Write the recommendations."),
    "recommendations_long": _l("The recommendations are too long: at most %(max)s characters."),
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
    return str(text) % localized_params(error.params) if error.params else str(text)


def iin_message(error: IINError) -> str:
    return str(IIN_MESSAGES.get(error.code, IIN_MESSAGES["checksum"]))
