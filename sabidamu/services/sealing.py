"""Which tables hold sealed fields, and moving a row from one data key to another.

A sealed table has a `key_id` column and, for each sealed field F, a column `F_ct`.
Later tables (screenings, card stages, ...) register here so that rotation covers them.
"""
from __future__ import annotations

import uuid

from sqlmodel import Session, select

from ..crypto.keyring import Keyring
from ..models import CardStage, Child, Consent, HomeObservation, Referral, Screening, SpecialistConclusion
from ..models.consent import (
    SEALED_CONCLUSION_FIELDS,
    SEALED_CONSENT_FIELDS,
    SEALED_REFERRAL_FIELDS,
    PendingPaperConsent,
)
from ..models.monitoring import SEALED_STAGE_FIELDS
from ..models.screening import SEALED_FIELDS as SCREENING_SEALED_FIELDS
from ..models.transfer import OrgTransferKey
from ..models.transfer_package import SEALED_IMPORTED_CARD_FIELDS, ImportedCard
from ..models.user import SEALED_USER_FIELDS, User

SEALED_TABLES: dict[type, tuple[str, ...]] = {
    Child: ("name", "birth_date", "iin", "sex", "gestational_weeks", "notes"),
    Screening: SCREENING_SEALED_FIELDS,
    CardStage: SEALED_STAGE_FIELDS,
    HomeObservation: ("text",),
    Consent: SEALED_CONSENT_FIELDS,
    PendingPaperConsent: SEALED_CONSENT_FIELDS,
    Referral: SEALED_REFERRAL_FIELDS,
    SpecialistConclusion: SEALED_CONCLUSION_FIELDS,
    OrgTransferKey: ("secret",),
    ImportedCard: SEALED_IMPORTED_CARD_FIELDS,
    User: SEALED_USER_FIELDS,  # the accounts key (services/identity.py)
}


# The tables whose rows belong to one child and follow the child's data key (re-sealed beside the child row when
# the child moves to an organization's key, e.g. on enrolment).
CHILD_RECORD_TABLES: tuple[type, ...] = (Screening, CardStage, HomeObservation, Consent, PendingPaperConsent, Referral,
                                         SpecialistConclusion)


def register_sealed(model: type, fields: tuple[str, ...]) -> None:
    SEALED_TABLES[model] = fields


def table_name(model_or_row) -> str:
    return model_or_row.__tablename__


def reseal_row(keyring: Keyring, row, new_key_id: uuid.UUID) -> None:
    table = table_name(row)
    for field in SEALED_TABLES[type(row)]:
        value = keyring.open(table, row.id, field, getattr(row, f"{field}_ct"))
        setattr(row, f"{field}_ct", keyring.seal(new_key_id, table, row.id, field, value))
    row.key_id = new_key_id


def reseal_child_records(db: Session, keyring: Keyring, child_id: uuid.UUID, new_key_id: uuid.UUID) -> int:
    """Re-seal the child's screenings, card stages, home observations, consents, referrals and conclusions under
    `new_key_id` (rows under any older key too); the number of rows moved."""
    moved = 0
    for model in CHILD_RECORD_TABLES:
        for row in db.exec(select(model).where(model.child_id == child_id, model.key_id != new_key_id)).all():
            reseal_row(keyring, row, new_key_id)
            moved += 1
    return moved
