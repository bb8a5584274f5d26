"""What the school reads for each import outcome: PackageError codes and the import's own codes, in kk/ru."""
from flask_babel import lazy_gettext as _l

# Plain words only (issue 9.4): no "age", "manifest", "checksum" or internal codes; each says what to do next.
IMPORT_MESSAGES = {
    # sabidamu.crypto.package.ERROR_CODES
    "too_large": _l("The file is larger than a card package can be (at most %(mib)s MB)."),
    "not_age": _l("This file is not a card package. Upload the .sdcard files or the ZIP file the kindergarten gave "
                  "you."),
    "wrong_recipient": _l("This card was prepared for another school, so your school cannot open it. Ask the "
                          "kindergarten to send it to your school."),
    "truncated": _l("The file is incomplete: it was cut off while being copied or downloaded. Ask the kindergarten "
                    "for the file again."),
    "corrupt": _l("The file is damaged or was changed after the kindergarten made it, so it cannot be opened. Ask "
                  "the kindergarten for the file again."),
    "not_zip": _l("The package is damaged: its contents cannot be read. Ask the kindergarten for the file again."),
    "too_many_entries": _l("The package holds too many files, so it was refused."),
    "unsafe_path": _l("The package holds a file with a forbidden name, so it was refused."),
    "not_regular_file": _l("The package holds a link, a folder or a device instead of an ordinary file, so it was "
                           "refused."),
    "unsafe_json": _l("The package holds data made to overload the application, so it was refused."),
    "zip_bomb": _l("The package would be far too large once unpacked, so it was refused."),
    "unexpected_entry": _l("The package holds a file that does not belong in a card package, so it was refused."),
    "missing_entry": _l("A part that every card package must hold is missing. Ask the kindergarten for the file "
                        "again."),
    "bad_manifest": _l("The package's list of contents is missing or cannot be read. Ask the kindergarten for the "
                       "file again."),
    "unknown_format_version": _l("The package was made by a newer version of SabiDamu that this application cannot "
                                 "read yet."),
    "unknown_sender": _l("The kindergarten that signed the package is not known here yet."),
    "sender_not_verified": _l("The package names a kindergarten registered in SabiDamu, but it was not signed with "
                              "that kindergarten's key. It may be forged and was refused. Ask the kindergarten to "
                              "send the card again."),
    "bad_signature": _l("The kindergarten's signature on the package does not match: the package may have been "
                        "changed, so it was refused."),
    "hash_mismatch": _l("A part of the package was changed after the kindergarten signed it, so it was refused."),
    "bad_card": _l("The development card in the package is not valid or belongs to another child."),
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
    "too_many_packages": _l("Too many card packages at once: this one was not imported. Upload at most %(count)s "
                            "at once."),
    "import_failed": _l("This file could not be imported because of an error in the application; nothing of it "
                        "was saved. Try again later or tell the administrator."),
    # the uploaded ZIP file as a whole (sabidamu.crypto.bundle)
    "bundle_not_zip": _l("This ZIP file is damaged and cannot be opened."),
    "bundle_too_many_entries": _l("The ZIP file holds too many files: at most %(count)s card packages at once."),
    "bundle_zip_bomb": _l("The ZIP file would be far too large once unpacked, so it was refused."),
    "bundle_other": _l("The ZIP file holds a file with a forbidden name, so it was refused."),
}
FALLBACK = _l("The file could not be imported.")

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
    """The sentence for one upload line or refusal; never the internal code itself."""
    key = status if status in ("imported", "already_imported", "held") else (code or status or "")
    if key.startswith("package_"):
        key = key[len("package_"):]
    if key.startswith("bundle_") and key not in IMPORT_MESSAGES:
        key = "bundle_other"
    text = IMPORT_MESSAGES.get(key, FALLBACK)
    defaults = {"mib": 20, "count": 200}
    return str(text) % {**defaults, **params} if "%(" in str(text) else str(text)


def service_message(code: str) -> str:
    if code.startswith("package_"):
        return import_message(code[len("package_"):])
    return str(SERVICE_MESSAGES.get(code, _l("The request could not be completed.")))
