"""The audit log's sequencer and proofs (docs/audit.md, "The Merkle log").

`sequence` runs every second (sabidamu/jobs/periodic.py, `flask audit sequence`). One sequencer at a time
holds the database lock (PostgreSQL: a transaction advisory lock, others skip their turn; SQLite: the
write transaction). It gives the committed, not yet sequenced events consecutive leaf indexes, stores
every full-subtree hash the new leaves complete (AuditNode), signs a C2SP checkpoint of the new tree
and stores it (AuditCheckpoint), all in one transaction. After the commit the new checkpoints are
appended to the notes file outside the database (under a file lock, in tree-size order, catching up
any a crash left out).
"""
from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from ..audit.event import mac_ok, v1_head_detail
from ..audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_key,
    verify_consistency,
    verify_inclusion,
)
from ..audit.note import Checkpoint, NoteSigner
from ..db import session_scope
from ..models import AuditCheckpoint, AuditEvent, AuditNode
from ..models.base import utcnow
from . import NotFound
from .audit import _insert, _values, row_bytes

_PG_SEQUENCER_LOCK = 0x5AB1DA02
BATCH_LIMIT = 50_000
V1_HEAD_ACTION = "audit.v1_head"
EVENT = AuditEvent.__table__.c
NODE = AuditNode.__table__.c
EVENT_COLS = (EVENT.id, EVENT.at, EVENT.actor_id, EVENT.actor_role, EVENT.org_id, EVENT.action,
              EVENT.object_type, EVENT.object_id, EVENT.detail, EVENT.mac)
PENDING = sa.and_(EVENT.leaf_index.is_(None), EVENT.chain_hash.is_(None))


class SequencerError(RuntimeError):
    """The sequencer refuses to go on (e.g. the v1 chain to bridge does not verify)."""


@dataclass
class LogContext:
    """What the sequencer needs from outside the database."""
    signer: NoteSigner
    mac_key: bytes
    notes_file: Path
    v1_head: Callable[[Session], tuple[int, bytes] | None] | None = None  # verified head of the v1 chain


@dataclass
class SequenceResult:
    size_before: int
    size_after: int
    note: str | None = None
    busy: bool = False
    bad_macs: int = 0

    @property
    def line(self) -> str:
        if self.busy:
            return "another sequencer holds the lock; nothing done"
        if self.note is None:
            return f"up to date: tree size {self.size_after}"
        bad = f"; {self.bad_macs} events with a wrong MAC (run `flask audit verify`)" if self.bad_macs else ""
        return f"sequenced {self.size_after - self.size_before} events: tree size {self.size_after}, signed{bad}"


# -- tree state ------------------------------------------------------------------------------------

def head(db: Session) -> tuple[int, bytes]:
    row = db.execute(sa.select(AuditCheckpoint.tree_size, AuditCheckpoint.root_hash)
                     .order_by(AuditCheckpoint.tree_size.desc()).limit(1)).first()
    return (row[0], bytes(row[1])) if row else (0, EMPTY_ROOT)


def fetch_nodes(db: Session, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not wanted:
        return {}
    keys = {node_key(level, index): (level, index) for level, index in wanted}
    rows = db.execute(sa.select(NODE.last_leaf, NODE.level, NODE.hash).where(
        sa.tuple_(NODE.last_leaf, NODE.level).in_([(k, lv) for k, (lv, _i) in keys.items()]))).all()
    return {(level, ((last + 1) >> level) - 1): bytes(h) for last, level, h in rows}


def _with_nodes(db: Session, compute):
    """Run a proof computation twice: once to learn which nodes it reads, then with them fetched at once."""
    wanted: set[tuple[int, int]] = set()
    compute(lambda level, index: wanted.add((level, index)) or EMPTY_ROOT)
    nodes = fetch_nodes(db, wanted)

    def get(level: int, index: int) -> bytes:
        try:
            return nodes[(level, index)]
        except KeyError:
            raise ProofError(f"tree node ({level}, {index}) is missing from the database") from None
    return compute(get)


# -- sequencing ------------------------------------------------------------------------------------

def sequence(engine: sa.Engine, log: LogContext, limit: int = BATCH_LIMIT) -> SequenceResult:
    """One round: integrate pending events (up to `limit`) and sign the new tree. Safe to run anywhere."""
    with session_scope(engine, write=False) as db:
        size, _root = head(db)
        pending = db.execute(sa.select(EVENT.id).where(PENDING).limit(1)).first() is not None
        v1 = size == 0 and db.execute(sa.select(EVENT.id).where(EVENT.chain_hash.is_not(None)).limit(1)).first()
    if not pending and not v1:
        sync_notes_file(engine, log.notes_file)
        return SequenceResult(size, size)
    with session_scope(engine, write=True) as db:
        if db.get_bind().dialect.name == "postgresql" and not db.execute(
                sa.text("SELECT pg_try_advisory_xact_lock(:k)").bindparams(k=_PG_SEQUENCER_LOCK)).scalar():
            return SequenceResult(size, size, busy=True)
        result = _integrate(db, log, limit)
    sync_notes_file(engine, log.notes_file)
    return result


def _integrate(db: Session, log: LogContext, limit: int) -> SequenceResult:
    size, _root = head(db)  # re-read under the lock
    first: list = []
    if size == 0 and db.execute(sa.select(EVENT.id).where(EVENT.chain_hash.is_not(None)).limit(1)).first():
        first = [_bridge_v1(db, log)]
    rows = first + list(db.execute(sa.select(*EVENT_COLS).where(PENDING, EVENT.action != V1_HEAD_ACTION)
                                   .order_by(EVENT.seq).limit(limit)).all())
    if not rows:
        return SequenceResult(size, size)
    cr = _with_nodes(db, lambda get: CompactRange.load(size, get))
    updates, nodes, bad = [], [], 0
    for row in rows:
        data = row_bytes(row)
        bad += not mac_ok(log.mac_key, data, row.mac)
        updates.append({"id": row.id, "leaf_index": cr.size})
        nodes.extend({"last_leaf": node_key(level, index), "level": level, "hash": h}
                     for level, index, h in cr.append(leaf_hash(data)))
    _store(db, updates, nodes)
    root = cr.root()
    note = log.signer.sign(Checkpoint(log.signer.name, cr.size, root).text())
    db.execute(sa.insert(AuditCheckpoint.__table__).values(tree_size=cr.size, root_hash=root, note=note,
                                                           at=utcnow()))
    return SequenceResult(size, cr.size, note, bad_macs=bad)


def _store(db: Session, updates: list[dict], nodes: list[dict]) -> None:
    if db.get_bind().dialect.name != "postgresql":
        db.execute(sa.update(AuditEvent), updates)  # executemany by primary key
        db.execute(sa.insert(AuditNode.__table__), nodes)
        return
    # PostgreSQL: one statement each, the values as arrays (far faster than one statement per row).
    db.execute(sa.text("UPDATE auditevent AS e SET leaf_index = v.li FROM unnest(CAST(:ids AS uuid[]), "
                       "CAST(:lis AS bigint[])) AS v(id, li) WHERE e.id = v.id"),
               {"ids": [u["id"] for u in updates], "lis": [u["leaf_index"] for u in updates]})
    db.execute(sa.text("INSERT INTO auditnode (last_leaf, level, hash) SELECT * FROM unnest(CAST(:k AS bigint[]), "
                       "CAST(:l AS smallint[]), CAST(:h AS bytea[]))"),
               {"k": [n["last_leaf"] for n in nodes], "l": [n["level"] for n in nodes],
                "h": [n["hash"] for n in nodes]})


def _bridge_v1(db: Session, log: LogContext):
    """Leaf 0: an event holding the final head of the v1 hash chain, so one proof links the two logs."""
    found = log.v1_head(db) if log.v1_head is not None else None
    if found is None:
        raise SequencerError("the v1 audit chain does not verify: not bridging it into the Merkle log "
                             "(run `flask audit verify`)")
    seq, head_hash = found
    values = _values(log.mac_key, None, V1_HEAD_ACTION, "system", None, None, None,
                     v1_head_detail(seq, head_hash), utcnow())
    _insert(db, [values])
    return db.execute(sa.select(*EVENT_COLS).where(EVENT.id == values["id"])).one()


# -- the notes file outside the database -----------------------------------------------------------

def read_notes_file(path: Path) -> list[str]:
    """The signed notes in the file, in order (each: checkpoint text, blank line, signature lines)."""
    if not path.exists():
        return []
    notes, current, in_sigs = [], [], False
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line == "":
            if current and in_sigs:
                notes.append("\n".join(current) + "\n")
                current, in_sigs = [], False
            elif current:
                current.append("")
                in_sigs = True
            continue
        current.append(line)
    if current:  # an interrupted write: keep it so the reader reports it as malformed
        notes.append("\n".join(current) + "\n")
    return notes


def _last_size_in_file(path: Path) -> int:
    """Tree size of the file's last complete note (read from its tail only)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 8192))
        lines = fh.read().decode("utf-8", "replace").split("\n")
    for j in range(len(lines) - 1, 2, -1):  # the last signature line after a blank line; size is 3 above
        if lines[j].startswith("\u2014 ") and lines[j - 1] == "" and lines[j - 3].isdigit():
            return int(lines[j - 3])
    return 0


def sync_notes_file(engine: sa.Engine, path: Path) -> int:
    """Append the database's checkpoints newer than the file's last one, in order; returns how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        last = _last_size_in_file(path)
        with session_scope(engine, write=False) as db:
            notes = db.execute(sa.select(AuditCheckpoint.note).where(AuditCheckpoint.tree_size > last)
                               .order_by(AuditCheckpoint.tree_size)).scalars().all()
        if notes:
            created = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, "".join(note + "\n" for note in notes).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                dir_fd = os.open(path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
    return len(notes)


# -- proofs ----------------------------------------------------------------------------------------

def checkpoint_at(db: Session, size: int | None = None) -> AuditCheckpoint:
    query = sa.select(AuditCheckpoint)
    query = query.where(AuditCheckpoint.tree_size == size) if size is not None else \
        query.order_by(AuditCheckpoint.tree_size.desc()).limit(1)
    found = db.execute(query).scalars().first()
    if found is None:
        raise NotFound()
    return found


def event_proof(db: Session, event_id: uuid.UUID, size: int | None = None) -> dict:
    """Inclusion proof of one event in the latest (or a given) signed checkpoint; checked before it is given.
    NotFound when the event is unknown or not sequenced yet (a second or two after it was written)."""
    row = db.execute(sa.select(*EVENT_COLS, EVENT.leaf_index).where(EVENT.id == event_id)).first()
    if row is None or row.leaf_index is None:
        raise NotFound()
    cp = checkpoint_at(db, size)
    if row.leaf_index >= cp.tree_size:
        raise NotFound()
    data = row_bytes(row)
    leaf = leaf_hash(data)
    path = _with_nodes(db, lambda get: inclusion_proof(row.leaf_index, cp.tree_size, get))
    verify_inclusion(row.leaf_index, cp.tree_size, leaf, path, bytes(cp.root_hash))  # ProofError: tampered
    return {"leaf_index": row.leaf_index, "tree_size": cp.tree_size, "leaf_hash": leaf.hex(),
            "inclusion_path": [p.hex() for p in path], "checkpoint": cp.note, "_leaf_data": data}


def consistency(db: Session, size1: int, size2: int) -> dict:
    """Consistency proof between two signed checkpoints (both sizes must have one)."""
    first, second = checkpoint_at(db, size1), checkpoint_at(db, size2)
    if size1 > size2:
        raise ProofError("--from must not be larger than --to")
    proof = [] if size1 == size2 else _with_nodes(db, lambda get: consistency_proof(size1, size2, get))
    verify_consistency(size1, size2, proof, bytes(first.root_hash), bytes(second.root_hash))
    return {"size1": size1, "size2": size2, "proof": [p.hex() for p in proof]}


__all__ = ["LogContext", "SequenceResult", "SequencerError", "checkpoint_at", "consistency", "event_proof",
           "fetch_nodes", "head", "read_notes_file", "sequence", "sync_notes_file"]
