"""Organization keys for the card's transfer to school: an age X25519 identity (to receive) and a minisign
Ed25519 key (to sign). The secret halves are sealed under the organization's data key (itself wrapped by
the master key); public halves and fingerprints are in clear so a school can confirm them by phone.
Rotation adds a new active key and keeps the old ones: older packages still open."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Field, SQLModel

from .base import created_field, id_field, sealed_field, time_field


class OrgTransferKey(SQLModel, table=True):
    id: uuid.UUID = id_field()
    org_id: uuid.UUID = Field(foreign_key="organization.id", index=True)
    kind: str = Field(max_length=10)              # 'age' (receive) or 'minisign' (sign)
    public: str = Field(max_length=200)           # age1... recipient, or minisign public key base64 line
    fingerprint: str = Field(max_length=40, index=True)  # age: recipient_fingerprint; minisign: key id hex
    key_id: uuid.UUID = Field(foreign_key="datakey.id", index=True)
    secret_ct: bytes | None = sealed_field()      # the age secret key, or the minisign key id + seed (hex)
    active: bool = True
    created_at: dt.datetime = created_field()
    retired_at: dt.datetime | None = time_field()
