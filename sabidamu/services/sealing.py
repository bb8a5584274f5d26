"""Which tables hold sealed fields, and moving a row from one data key to another.

A sealed table has a `key_id` column and, for each sealed field F, a column `F_ct`.
Later tables (screenings, card stages, ...) register here so that rotation covers them.
"""
from __future__ import annotations

import uuid

from ..crypto.keyring import Keyring
from ..models import CardStage, Child, HomeObservation, Screening
from ..models import Consent, Referral, SpecialistConclusion
from ..models.consent import SEALED_CONCLUSION_FIELDS, SEALED_CONSENT_FIELDS, SEALED_REFERRAL_FIELDS
from ..models.consent import PendingPaperConsent
from ..models.monitoring import SEALED_STAGE_FIELDS
from ..models.screening import SEALED_FIELDS as SCREENING_SEALED_FIELDS
from ..models.transfer import OrgTransferKey
from ..models.user import SEALED_USER_FIELDS, User
from ..models.transfer_package import SEALED_IMPORTED_CARD_FIELDS, ImportedCard

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
