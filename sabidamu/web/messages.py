"""Every refusal the user can read, in one table: a code -> a sentence in the user's language.

The keys are unambiguous across the whole application. A service raises ServiceError(code) with one of them; the
refusals of the pure packages are looked up under a prefix: sabidamu.iin.IINError as iin_<code>,
sabidamu.monitoring.InvalidStageWindows as stage_windows_<code>, sabidamu.crypto.package.PackageError as
package_<code>, the export's per-child refusals as export_<code>. Forms show them with web.common.apply_service_error.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from ..iin import IINError
from ..services import ServiceError
from .formatting import localized_params, long_date

MESSAGES = {
    # General (sign-in, registration, children, staff, organizations, consents, referrals)
    "login_failed": _l("The login or password is wrong."),
    "account_deactivated": _l("This account has been deactivated. If you still work here, ask your head."),
    "staff_self": _l("You cannot deactivate your own account here."),
    "login_locked": _l("Too many failed attempts. Try again in %(minutes)s min."),
    "login_taken": _l("An account with this e-mail or phone already exists."),
    "password_short": _l("The password must have at least 10 characters."),
    "password_long": _l("The password is too long (at most 200 characters)."),
    "password_common": _l("This password is one of the most common passwords and is easy to guess. Choose another "
                          "one: for example, three or four words you will remember."),
    "password_personal": _l("The password must not be your name, e-mail or phone number."),
    "password_wrong": _l("The current password is wrong."),
    "iin_exists": _l("A child with this IIN is already registered. If the child attends a kindergarten, ask it to "
                     "link you."),
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
                                "screenings, card or conclusions; for a school tick conclusions or home "
                                "observations."),
    "until_in_past": _l("The end date cannot be in the past."),
    "paper_purpose": _l("A paper consent can be recorded here for kindergarten monitoring, specialist access or the "
                        "transfer of the card to a school only."),
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

    # Accounts: sign-in links and codes, registration, settings (sabidamu.services.auth, recovery, account)
    "too_many_requests": _l("Too many requests from here. Try again in %(minutes)s min."),
    "link_invalid": _l("This link has expired or was already used. Ask for a new one."),
    "code_invalid": _l("The code is wrong, has expired or was already used. Check the phone number and the code, or "
                       "ask the kindergarten head for a new code."),
    "code_no_account": _l("No parent account uses this e-mail or phone. Check it with the parent."),
    "code_not_parent_here": _l("This account is not the parent of a child in your kindergarten, so you cannot give "
                               "it a code. The parent can ask the head of their child's kindergarten."),
    "name_required": _l("Enter your name."),
    "account_unconfirmed": _l("Your account is not confirmed yet. Open the link we sent to your e-mail (or register "
                              "again to get a new link)."),
    "account_unconfirmed_by_phone": _l("Your account is not confirmed yet. Ask the head of your child's "
                                       "kindergarten for a code and enter it on the page \"I have a code from the "
                                       "kindergarten\"."),
    "login_required": _l("Keep at least an e-mail or a phone number: you sign in with it."),

    # Two-step sign-in and a parent's data rights (sabidamu.services.totp_setup, data_rights)
    "totp_invalid": _l("The code is wrong or was already used. Enter the current code from your app (or, at "
                       "sign-in, one of your recovery codes)."),
    "totp_not_started": _l("Start the setup first: press \"Set up two-step sign-in\"."),
    "totp_not_enabled": _l("Two-step sign-in is not turned on for this account."),
    "totp_required": _l("Your role requires two-step sign-in, so it cannot be turned off. You can move it to a new "
                        "phone instead."),
    "deletion_pending": _l("A deletion request for this child is already recorded."),
    "totp_proof_wrong": _l("This is not a current code, an unused recovery code or your password. Try again."),

    # Screening answers (sabidamu.services.screening; AnswerErrors per answer as answer_<code>)
    "answer_bad_answer": _l("Choose one of the answers offered."),
    "answer_unknown_item": _l("The answers sent do not belong to this page. Reload the page and answer again."),
    "answer_too_many": _l("Too many answers were sent. Reload the page and answer again."),
    "answers_stale": _l("These answers were changed in another window or by another person. The page now shows the "
                        "saved answers: check them and save again."),
    "not_in_progress": _l("This screening is already finished. Its result is shown below."),

    # Monitoring and home observations (sabidamu.services.monitoring)
    "unknown_level": _l("Choose a level: I, II, III or “not observed”."),
    "api_bad_scope": _l("Choose at least one scope from the list."),
    "api_name_too_long": _l("The name may have at most %(max)d characters."),
    "api_region_scope": _l("A region's client may only read the analytics counts (analytics:read). Cards, rosters and "
                           "levels are given to a client of each organization, registered by its head."),
    "unknown_stage": _l("Choose one of the three stages: start, intermediate or final."),
    "api_card_invalid": _l("The child's IIN or the kindergarten's BIN is missing."),
    "unknown_skill_group": _l("Choose one of the five areas of development."),
    "unknown_skill": _l("This skill is not in the monitoring framework. Reload the page."),
    "skill_not_in_age_group": _l("This skill belongs to another age group. Reload the page."),
    "child_not_in_group": _l("This child is not in this group now. Reload the page."),
    "wrong_year": _l("This page is for another academic year. Reload the page."),
    "bad_version": _l("The page is out of date. Reload it and enter the values again."),
    "window_late": _l("The entry period for this stage has ended. Only the head of the kindergarten can enter late "
                      "values now."),
    "window_early": _l("The entry period for this stage has not started yet."),
    "window_outside_year": _l("Today is not in this group's academic year: its stages can no longer be entered."),
    "measures_too_long": _l("At most %(max)d characters."),
    "final_only_at_final": _l("Final levels are set at the final stage only."),
    "observation_empty": _l("Write a few words about what you noticed."),
    "observation_too_long": _l("At most %(max)d characters."),

    # Ending an enrolment (sabidamu.services.enrolment_end); dates read as long_date (see DATE_AS_LONG_DATE)
    "not_enrolled": _l("This child is no longer in the group."),
    "leave_date_future": _l("The leave date cannot be in the future. Enter it on the child's last day or later."),
    "leave_date_too_early": _l("The leave date cannot be before %(date)s (the start of the academic year or the day "
                               "the child joined the group)."),
    "graduation_too_early": _l("The group can graduate from %(date)s, when the final stage begins: enter the final "
                               "stage first."),

    # Handing cards to a school: the export form (sabidamu.services.transfer)
    "target_required": _l("Choose a school from the list, or choose another school and give its public key."),
    "not_a_school": _l("Choose a school from the list."),
    "school_has_no_key": _l("This school has no transfer key yet: ask its head to open the school's transfer keys "
                            "page."),
    "bad_recipient": _l("This is not an age public key: it starts with age1 and has 62 characters. Ask the school "
                        "for its age-recipient.txt file."),
    "school_name": _l("Enter the school's name (at most 300 characters)."),
    "school_bin": _l("The BIN must have exactly 12 digits."),
    "school_not_in_directory": _l("No school with BIN %(bin)s is registered here, so no parent's consent can name "
                                  "it. Cards are handed only to a school a parent has consented to."),
    "no_children": _l("Tick at least one child."),
    "too_many_children": _l("At most %(max)s children at once."),
    "bad_lang": _l("Choose the language of the cards."),

    # The school's side (sabidamu.services.school_view, transfer)
    "bad_public_key": _l("This is not a minisign public key. Paste the key line the sender gave you."),
    "fingerprint_mismatch": _l("This key's fingerprint differs from the one in the package. Do not accept the "
                               "package; call the sender again."),
    "sender_is_local": _l("This package names a kindergarten registered in SabiDamu. Its key is known here, so it "
                          "cannot be confirmed by phone: the package was not signed by that kindergarten."),
    "not_held": _l("This package is no longer waiting for a key confirmation."),
    "not_delivered": _l("This transfer has already been decided."),
    "not_a_grade1_class": _l("Choose a first-grade class of your school."),
    "place_no_iin": _l("The child has no IIN on record and cannot be placed by IIN."),
    "already_in_class": _l("This child is already in this class."),
    "class_request_pending": _l("This child's parent has not yet confirmed the earlier request."),

    # A card package the school uploads: sabidamu.crypto.package_format.ERROR_CODES as package_<code> (as the import
    # services raise them), the import's own outcomes, the uploaded ZIP file (sabidamu.crypto.bundle) as bundle_<code>
    # sabidamu.crypto.package_format.ERROR_CODES
    "package_too_large": _l("The file is larger than a card package can be (at most %(mib)s MB)."),
    "package_not_age": _l("This file is not a card package. Upload the .sdcard files or the ZIP file the "
                          "kindergarten gave you."),
    "package_wrong_recipient": _l("This card was prepared for another school, so your school cannot open it. Ask "
                                  "the kindergarten to send it to your school."),
    "package_truncated": _l("The file is incomplete: it was cut off while being copied or downloaded. Ask the "
                            "kindergarten for the file again."),
    "package_corrupt": _l("The file is damaged or was changed after the kindergarten made it, so it cannot be "
                          "opened. Ask the kindergarten for the file again."),
    "package_not_zip": _l("The package is damaged: its contents cannot be read. Ask the kindergarten for the file "
                          "again."),
    "package_too_many_entries": _l("The package holds too many files, so it was refused."),
    "package_unsafe_path": _l("The package holds a file with a forbidden name, so it was refused."),
    "package_not_regular_file": _l("The package holds a link, a folder or a device instead of an ordinary file, so "
                                   "it was refused."),
    "package_unsafe_json": _l("The package holds data made to overload the application, so it was refused."),
    "package_zip_bomb": _l("The package would be far too large once unpacked, so it was refused."),
    "package_unexpected_entry": _l("The package holds a file that does not belong in a card package, so it was "
                                   "refused."),
    "package_missing_entry": _l("A part that every card package must hold is missing. Ask the kindergarten for the "
                                "file again."),
    "package_bad_manifest": _l("The package's list of contents is missing or cannot be read. Ask the kindergarten "
                               "for the file again."),
    "package_unknown_format_version": _l("The package was made by a newer version of SabiDamu that this application "
                                         "cannot read yet."),
    "package_unknown_sender": _l("The kindergarten that signed the package is not known here yet."),
    "package_sender_not_verified": _l("The package names a kindergarten registered in SabiDamu, but it was not "
                                      "signed with that kindergarten's key. It may be forged and was refused. Ask "
                                      "the kindergarten to send the card again."),
    "package_bad_signature": _l("The kindergarten's signature on the package does not match: the package may have "
                                "been changed, so it was refused."),
    "package_hash_mismatch": _l("A part of the package was changed after the kindergarten signed it, so it was "
                                "refused."),
    "package_bad_card": _l("The development card in the package is not valid or belongs to another child."),
    # the import's own outcomes (sabidamu.services.transfer.importing, .batch)
    "imported": _l("The card has been imported."),
    "already_imported": _l("This card has already been imported; nothing was changed."),
    "held": _l("The kindergarten's signature cannot be checked yet: its key is not known here. The package is kept "
               "until the school head confirms the key with the kindergarten by phone."),
    "too_many_files": _l("Too many files at once: upload at most %(count)s files."),
    "upload_too_large": _l("The files together are too large: upload at most %(mib)s MB at once."),
    "no_files": _l("Choose one or more .sdcard files or the ZIP file from the kindergarten."),
    "not_a_package": _l("This file in the ZIP file is not a card package, so it was skipped."),
    "empty_bundle": _l("The ZIP file holds no card packages."),
    "too_many_packages": _l("Too many card packages at once: this one was not imported. Upload at most %(count)s at "
                            "once."),
    "import_failed": _l("This file could not be imported because of an error in the application; nothing of it was "
                        "saved. Try again later or tell the administrator."),
    # the uploaded ZIP file as a whole (sabidamu.crypto.bundle)
    "bundle_not_zip": _l("This ZIP file is damaged and cannot be opened."),
    "bundle_too_many_entries": _l("The ZIP file holds too many files: at most %(count)s card packages at once."),
    "bundle_zip_bomb": _l("The ZIP file would be far too large once unpacked, so it was refused."),
    "bundle_other": _l("The ZIP file holds a file with a forbidden name, so it was refused."),

    # The IIN as typed (sabidamu.iin.IINError) as iin_<code>
    "iin_empty": _l("Enter the IIN."),
    "iin_not_digits": _l("The IIN must contain digits only."),
    "iin_length": _l("The IIN must have exactly 12 digits."),
    "iin_century_digit": _l("The 7th digit of the IIN must be from 1 to 6 (century and sex)."),
    "iin_bad_date": _l("The first six digits of the IIN must be a real birth date (YYMMDD)."),
    "iin_checksum": _l("The IIN's check digit does not match: check the number for a typo."),
    "iin_birth_date_mismatch": _l("The birth date in the IIN does not match the birth date entered."),

    # The organization's monitoring periods (sabidamu.monitoring.InvalidStageWindows) as stage_windows_<code>
    "stage_windows_bad_date": _l("One of the days does not exist every year (29 February cannot be used)."),
    "stage_windows_outside_year": _l("A period must lie within one academic year (1 September – 31 August) and must "
                                     "not run backwards."),
    "stage_windows_order": _l("The stages must come in order: start, then intermediate, then final."),
    "stage_windows_overlap": _l("The periods of two stages overlap. Each day may belong to one stage only."),

    # Why a card cannot be handed to a school (sabidamu.services.transfer export checks) as export_<code>
    "export_no_consent": _l("No parent's consent to hand the card to this school."),
    "export_no_iin": _l("The child's IIN is not recorded."),
    "export_no_bin": _l("The kindergarten's BIN is not recorded: ask the administrator to add it."),
    "export_no_signing_key": _l("The kindergarten has no signing key: open the transfer keys page and make new keys."),
    "export_card_invalid": _l("The card could not be prepared; tell the administrator."),

    # The education department's analytics (sabidamu.services.analytics)
    "unknown_region": _l("Unknown region: enter its code, for example KZ-75, or its name."),
    "unknown_district": _l("Unknown district of this region: enter its code, for example KZ-75-ALA."),
    "unknown_year": _l("Choose an academic year between 2000 and 2100."),
}
DEFAULT = _l("The request could not be completed.")
IMPORT_FALLBACK = _l("The file could not be imported.")
# The sentences of these codes put the date where the nominative form reads right (kk «… күнінен», ru «раньше / с …»).
DATE_AS_LONG_DATE = frozenset({"leave_date_too_early", "graduation_too_early"})
IMPORT_OUTCOMES = frozenset({"imported", "already_imported", "held", "too_many_files", "upload_too_large", "no_files",
                             "not_a_package", "empty_bundle", "too_many_packages", "import_failed"})
IMPORT_CODES = IMPORT_OUTCOMES | {code for code in MESSAGES if code.startswith(("package_", "bundle_"))}
IMPORT_DEFAULTS = {"mib": 20, "count": 200}


def message(code: str, params: dict | None = None) -> str:
    """The sentence for `code`, its %(name)s parts filled in the page's language; never the code itself."""
    text = MESSAGES.get(code)
    if text is None:
        return str(DEFAULT)
    text = str(text)
    if not params or "%(" not in text:
        return text
    if code in DATE_AS_LONG_DATE:
        return text % {k: long_date(v) if isinstance(v, dt.date) else v for k, v in params.items()}
    return text % localized_params(params)


def service_message(error: ServiceError) -> str:
    code = error.code
    if code.startswith("package_"):
        return import_message(code)
    if code == "account_unconfirmed" and error.params.get("by_phone"):
        return message("account_unconfirmed_by_phone")
    return message(code, error.params)


def import_message(code: str | None, status: str | None = None, **params) -> str:
    """The sentence for one upload line or import refusal (a package, bundle or import code)."""
    key = status if status in ("imported", "already_imported", "held") else (code or status or "")
    key = key.removeprefix("package_")
    if "package_" + key in MESSAGES:
        key = "package_" + key
    elif key.startswith("bundle_") and key not in MESSAGES:
        key = "bundle_other"
    text = str(MESSAGES[key] if key in IMPORT_CODES else IMPORT_FALLBACK)
    return text % {**IMPORT_DEFAULTS, **params} if "%(" in text else text


def iin_message(error: IINError) -> str:
    return str(MESSAGES.get("iin_" + error.code, MESSAGES["iin_checksum"]))


def answer_message(code: str) -> str:
    return str(MESSAGES.get("answer_" + code, MESSAGES["answer_bad_answer"]))


def stage_windows_message(code: str) -> str:
    return str(MESSAGES.get("stage_windows_" + code, MESSAGES["stage_windows_bad_date"]))


def export_refusal_message(code: str) -> str:
    return message("export_" + code)
