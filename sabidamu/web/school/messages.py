"""What the school reads for each import outcome: PackageError codes and the import's own codes, in kk/ru."""
from flask_babel import lazy_gettext as _l

IMPORT_MESSAGES = {
    # sabidamu.crypto.package.ERROR_CODES
    "too_large": _l("The file is larger than a transfer package may be (at most %(mib)s MB)."),
    "not_age": _l("This is not a .sdcard transfer package: the file is not age-encrypted."),
    "wrong_recipient": _l("This package was prepared for another school: it is not encrypted to your school's key. "
                          "Ask the kindergarten to send it to your school."),
    "truncated": _l("The file is incomplete: it was cut off while being copied or downloaded. Ask for the file again."),
    "corrupt": _l("The file is damaged or has been altered: decryption failed its integrity check. Ask for the file again."),
    "not_zip": _l("The package is damaged: its contents are not a valid archive."),
    "too_many_entries": _l("The package contains too many files and was refused."),
    "unsafe_path": _l("The package contains a file name that is not allowed and was refused."),
    "zip_bomb": _l("The package's contents are far too large when unpacked and were refused."),
    "unexpected_entry": _l("The package contains a file that does not belong in it and was refused."),
    "missing_entry": _l("A file that every package must contain is missing."),
    "bad_manifest": _l("The package's description (manifest) is missing, unreadable or incomplete."),
    "unknown_format_version": _l("The package was made in a newer format version that this application cannot read yet."),
    "unknown_sender": _l("The sending organization's signing key is not known here."),
    "sender_not_verified": _l("The package names a kindergarten registered in SabiDamu, but it was not signed with "
                              "that kindergarten's key. It may be forged and was refused. Ask the kindergarten to "
                              "send the card again."),
    "bad_signature": _l("The sender's signature on the package is not valid: the package may have been altered."),
    "hash_mismatch": _l("A file in the package does not match the checksum the sender signed: the package was altered."),
    "bad_card": _l("The development card in the package is invalid or belongs to another child."),
    # the import's own outcomes (sabidamu.services.transfer_import)
    "imported": _l("The card has been imported."),
    "already_imported": _l("This card has already been imported; nothing was changed."),
    "held": _l("The sender's signing key is not known here. The package is kept until the school head confirms "
               "the key's fingerprint with the sender by phone."),
    "too_many_files": _l("Too many files at once: upload at most %(count)s files."),
    "upload_too_large": _l("The files together are too large: upload at most %(mib)s MB at once."),
    "no_files": _l("Choose one or more .sdcard files."),
}

SERVICE_MESSAGES = {
    "bad_public_key": _l("This is not a minisign public key. Paste the key line the sender gave you."),
    "fingerprint_mismatch": _l("This key's fingerprint differs from the one in the package. Do not accept the "
                               "package; call the sender again."),
    "sender_is_local": _l("This package names a kindergarten registered in SabiDamu. Its key is known here, so it "
                          "cannot be confirmed by phone: the package was not signed by that kindergarten."),
    "not_held": _l("This package is no longer waiting for a key confirmation."),
    "not_delivered": _l("This transfer has already been decided."),
    "not_a_grade1_class": _l("Choose a first-grade class of your school."),
    "no_iin": _l("The child has no IIN on record and cannot be placed by IIN."),
    "already_enrolled": _l("This child is already in this class."),
    "already_pending": _l("This child's parent has not yet confirmed the earlier request."),
}


def import_message(code: str | None, status: str | None = None, **params) -> str:
    key = status if status in ("imported", "already_imported", "held") else (code or status or "")
    if key.startswith("package_"):
        key = key[len("package_"):]
    text = IMPORT_MESSAGES.get(key)
    return str(text % params) if text is not None and params else str(text or key)


def service_message(code: str) -> str:
    if code.startswith("package_"):
        return import_message(code[len("package_"):], mib=20)
    return str(SERVICE_MESSAGES.get(code, code))
