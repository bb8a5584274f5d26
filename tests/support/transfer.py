"""Helpers of the card-transfer tests (the `handover` world of tests/transfer/conftest.py): a package opened as the
school would, an export on a paper consent, the school accepting a card in December."""
from __future__ import annotations

import datetime as dt

from sqlmodel import select

from sabidamu.crypto.package import open_package
from sabidamu.models import TransferPackage
from sabidamu.services import consent as consent_svc
from sabidamu.services.transfer import export as transfer_export
from sabidamu.services.transfer import inbox as inbox_svc
from sabidamu.services.transfer import keys as transfer_keys

ACCEPTED_IN_DECEMBER = dt.date(2026, 12, 10)  # the group's academic year is 2026-2027


def open_as_school(db, keyring, data: bytes, school_id):
    """Opens an .sdcard with the school's own identities, its sender key looked up as the import does."""
    def resolve(manifest):
        found = transfer_keys.sender_public_key(db, manifest["sender"]["signing_key_fingerprint"])
        return found[1] if found else None
    return open_package(data, identities=transfer_keys.identities_for(db, keyring, school_id),
                        resolve_sender_key=resolve)


def export_on_paper_consent(app, db, keyring, handover, *, parts=("home_observations",), on: dt.date | None = None):
    """The head records the parent's paper consent for the school and hands child A's card over; the export."""
    consent_svc.record_paper(db, keyring, handover.head, handover.child_a.id, org_id=handover.org.id, purpose="school_transfer",
                             for_me=False, parts=list(parts), paper_date=on or dt.date.today(),
                             guardian_name="Ахметова Гүлнар", school_id=handover.school.id)
    with app.app_context():
        result = transfer_export.export_cards(db, keyring, handover.head, [handover.child_a.id], to_org_id=handover.school.id,
                                              lang="kk")
    (item,) = result.exported
    return item


def accept_in_december(app, db, keyring, handover) -> TransferPackage:
    """Child A's card handed over (without the home notes) and accepted by the school on 10 December 2026."""
    export_on_paper_consent(app, db, keyring, handover, parts=())
    inbox = db.exec(select(TransferPackage).where(TransferPackage.direction == "inbox")).one()
    result = inbox_svc.accept(db, keyring, handover.school_head, inbox.id, today=ACCEPTED_IN_DECEMBER)
    assert result.status == "imported"
    db.expire_all()
    return db.get(TransferPackage, inbox.id)
