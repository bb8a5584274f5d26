"""Data keys: creation, the keyring bound to the database, and online rotation.

Rotation never stops reads: every sealed blob names its data key, old keys stay until no row uses
them, and each batch commits on its own, so an interrupted job resumes where it stopped.
"""
from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..crypto.keyring import Keyring, MasterKeys, new_data_key, unwrap_data_key, wrap_data_key
from ..db import session_scope
from ..models import DataKey
from ..models.base import utcnow
from .sealing import SEALED_TABLES, reseal_row


def create_data_key(db: Session, keyring: Keyring, owner_kind: str, owner_id: uuid.UUID) -> DataKey:
    key_id, key = uuid.uuid4(), new_data_key()
    wrapped, master_id = wrap_data_key(keyring.master, key_id, key)
    row = DataKey(id=key_id, owner_kind=owner_kind, owner_id=owner_id, wrapped=wrapped, master_key_id=master_id)
    db.add(row)
    # The row is not committed yet, so other connections cannot read it: keep the key at hand.
    keyring.prime(key_id, key)
    return row


def active_key(db: Session, keyring: Keyring, owner_kind: str, owner_id: uuid.UUID) -> DataKey:
    row = db.exec(select(DataKey).where(DataKey.owner_kind == owner_kind, DataKey.owner_id == owner_id,
                                        DataKey.active == True)).first()  # noqa: E712
    return row or create_data_key(db, keyring, owner_kind, owner_id)


_KEYRINGS: weakref.WeakKeyDictionary[sa.Engine, Keyring] = weakref.WeakKeyDictionary()


def keyring_of(db: Session) -> Keyring:
    """The keyring bound to this session's database (accounts are sealed where no keyring is passed)."""
    return _KEYRINGS[db.get_bind()]


def keyring_for_engine(engine: sa.Engine, master: MasterKeys, blind_index_key: bytes) -> Keyring:
    def fetch(key_id: uuid.UUID) -> tuple[bytes, str]:
        with session_scope(engine, write=False) as s:
            row = s.get(DataKey, key_id)
            if row is None:
                raise LookupError(f"data key {key_id} not found")
            return row.wrapped, row.master_key_id
    keyring = Keyring(master, blind_index_key, fetch)
    _KEYRINGS[engine] = keyring
    return keyring


@dataclass
class RotationReport:
    rewrapped: int = 0
    new_keys: int = 0
    resealed: int = 0
    retired: int = 0
    remaining: int = 0


def rewrap_all(db: Session, master: MasterKeys, batch_size: int = 200) -> RotationReport:
    """Master key rotation: re-wrap every data key under the active master key."""
    report = RotationReport()
    while True:
        rows = db.exec(select(DataKey).where(DataKey.master_key_id != master.active_id).limit(batch_size)).all()
        if not rows:
            return report
        for row in rows:
            key = unwrap_data_key(master, row.id, row.wrapped, row.master_key_id)
            row.wrapped, row.master_key_id = wrap_data_key(master, row.id, key)
            report.rewrapped += 1
        db.commit()


def start_data_key_rotation(db: Session, keyring: Keyring, owner_kind: str | None = None,
                            owner_id: uuid.UUID | None = None) -> int:
    """Give each selected owner a new active key; the old one keeps opening rows until resealed."""
    query = select(DataKey).where(DataKey.active == True)  # noqa: E712
    if owner_kind:
        query = query.where(DataKey.owner_kind == owner_kind)
    if owner_id:
        query = query.where(DataKey.owner_id == owner_id)
    count = 0
    for old in db.exec(query).all():
        old.active = False
        create_data_key(db, keyring, old.owner_kind, old.owner_id)
        count += 1
    db.commit()
    return count


def continue_rotation(db: Session, keyring: Keyring, batch_size: int = 200,
                      max_rows: int | None = None) -> RotationReport:
    """Re-seal rows still under a retiring key; retire keys no row uses any more. Resumable."""
    report = RotationReport()
    retiring = db.exec(select(DataKey).where(DataKey.active == False, DataKey.retired_at == None)).all()  # noqa: E711,E712
    for old in retiring:
        new = db.exec(select(DataKey).where(DataKey.owner_kind == old.owner_kind, DataKey.owner_id == old.owner_id,
                                            DataKey.active == True)).one()  # noqa: E712
        for model in SEALED_TABLES:
            while max_rows is None or report.resealed < max_rows:
                limit = batch_size if max_rows is None else min(batch_size, max_rows - report.resealed)
                rows = db.exec(select(model).where(model.key_id == old.id).limit(limit)).all()
                if not rows:
                    break
                for row in rows:
                    reseal_row(keyring, row, new.id)
                    report.resealed += 1
                db.commit()
        if not any(db.exec(select(model.id).where(model.key_id == old.id).limit(1)).first() for model in SEALED_TABLES):
            old.retired_at = utcnow()
            report.retired += 1
            db.commit()
    for model in SEALED_TABLES:
        report.remaining += db.exec(
            select(sa.func.count()).select_from(model).join(DataKey, DataKey.id == model.key_id)
            .where(DataKey.active == False)).one()  # noqa: E712
    return report
