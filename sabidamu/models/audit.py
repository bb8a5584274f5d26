"""Append-only audit events (who, what, when; never card content) and the Merkle tree over them.

v2 (docs/audit.md): a request inserts an event with its HMAC and no lock; the sequencer later gives it
`leaf_index`, stores the tree's full-subtree hashes in AuditNode and signs an AuditCheckpoint.
v1 rows (before the Merkle log) keep their `chain_hash`; the final v1 head is leaf 0 of the tree.
"""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, created_field, id_field

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class AuditEvent(SQLModel, table=True):
    __table_args__ = (
        # The sequencer's queue: events not yet in the tree, in insertion order.
        sa.Index("ix_auditevent_pending", "seq", postgresql_where=sa.text("leaf_index IS NULL AND chain_hash IS NULL"),
                 sqlite_where=sa.text("leaf_index IS NULL AND chain_hash IS NULL")),
    )
    id: uuid.UUID = id_field()
    # Insertion order (PostgreSQL identity: no lock; SQLite: max + 1 under its single writer). Not gapless:
    # a rolled-back request's number is never used. The log's order is leaf_index.
    seq: int | None = Field(default=None, sa_column=sa.Column(_BIGINT, sa.Identity(), unique=True, index=True))
    at: dt.datetime = created_field()
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_role: str | None = Field(default=None, max_length=20)
    org_id: uuid.UUID | None = Field(default=None, index=True)
    action: str = Field(max_length=60)
    object_type: str | None = Field(default=None, max_length=30)
    object_id: uuid.UUID | None = Field(default=None, index=True)
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    chain_hash: bytes | None = Field(default=None, sa_type=sa.LargeBinary)  # v1 rows only
    mac: bytes | None = Field(default=None, sa_type=sa.LargeBinary)  # v2: HMAC-SHA256 of the leaf bytes
    leaf_index: int | None = Field(default=None, sa_column=sa.Column(_BIGINT, unique=True, nullable=True))


class AuditNode(SQLModel, table=True):
    """Hash of one full subtree (level 0: a leaf hash). Keyed by (last leaf it covers, level): the order
    in which an appending tree creates nodes, so verification streams them alongside the leaves."""
    last_leaf: int = Field(sa_column=sa.Column(_BIGINT, primary_key=True, autoincrement=False))
    level: int = Field(sa_column=sa.Column(sa.SmallInteger, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_type=sa.LargeBinary, nullable=False)


class AuditCheckpoint(SQLModel, table=True):
    """A signed checkpoint (C2SP signed note) of the tree at `tree_size`; also appended to a file outside
    the database. The newest row is the tree's current size."""
    tree_size: int = Field(sa_column=sa.Column(_BIGINT, primary_key=True, autoincrement=False))
    root_hash: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    note: str = Field(sa_type=sa.Text, nullable=False)
    at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC), sa_type=UTCDateTime,
                            nullable=False)
