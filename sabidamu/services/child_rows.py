"""Every row that belongs to a child, found through the foreign keys (so tables added later are covered too):
what a deletion removes (data_rights) and what the child's access log shows (audit_ops)."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from ..models import Child


def _dependents(table: sa.Table) -> list[tuple[sa.Table, sa.Column]]:
    """(table, column) pairs whose column is a foreign key to `table`'s primary key."""
    found = []
    for other in SQLModel.metadata.sorted_tables:
        for column in other.columns:
            for fk in column.foreign_keys:
                if fk.column.table is table:
                    found.append((other, column))
    return found


def _collect(db: Session, table: sa.Table, ids: set, plan: dict[str, set], seen: set) -> None:
    """Every row that (transitively) references the given rows, keyed by table name."""
    name = str(table.name)  # SQLAlchemy's quoted_name is a str subclass the audit log refuses
    new = set(ids) - plan.setdefault(name, set())
    if not new:
        return
    plan[name] |= new
    for other, column in _dependents(table):
        if (other.name, column.name) in seen and other is table:
            continue
        pk = list(other.primary_key.columns)
        if len(pk) != 1:  # association rows without their own id: delete by the reference itself
            plan.setdefault(f"{other.name}#{column.name}", set()).update(new)  # f-string: plain str
            continue
        rows = set(db.execute(sa.select(pk[0]).where(column.in_(new))).scalars().all())
        if rows:
            _collect(db, other, rows, plan, seen | {(other.name, column.name)})


def child_rows(db: Session, child_id: uuid.UUID) -> dict[str, set]:
    plan: dict[str, set] = {}
    _collect(db, Child.__table__, {child_id}, plan, set())
    return {str(name): ids for name, ids in plan.items()}
