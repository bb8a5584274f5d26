"""Column helpers shared by every table: UUID keys, aware UTC times, sealed (encrypted) blobs."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field

KAZAKHSTAN_TIME = dt.timezone(dt.timedelta(hours=5))  # one zone for the whole country, all year, since 1 March 2024


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores UTC; always returns timezone-aware datetimes (SQLite keeps no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def id_field() -> uuid.UUID:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def created_field():
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def time_field(nullable: bool = True, index: bool = False):
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def sealed_field():
    """Ciphertext of a personal or developmental value; see sabidamu.crypto.aead."""
    return Field(default=None, sa_type=sa.LargeBinary, nullable=True)
