"""Race (issue 10, item 9b): two users save a child's FIRST stage row of a year at the same instant. Both read
"no row yet" (version 0), both insert, and on PostgreSQL the second insert broke the unique constraint (a 500)
instead of showing the conflict dialog. The same race on the plain level counts (two children's first rows of a
group at once) broke LevelCount's unique constraint.

Two sessions on two connections, in two threads; a barrier right after each has read the row holds both there,
so both have read before either writes (the race, every time). With the fix the second save waits for the first
before reading; the barrier then times out for the first thread alone, which goes on (a timeout here is not an
assertion about time: either order of arrival gives the same result)."""
from __future__ import annotations

import contextlib
import os
import threading

import pytest
from sqlmodel import Session, select

from sabidamu.models import CardStage, LevelCount, User
from sabidamu.services import monitoring as svc
from tests.access.conftest import OPEN_DAY
from tests.factories import make_child
from tests.support.auth import world_user
from tests.support.cards import skills

pytestmark = pytest.mark.skipif(os.environ.get("SABIDAMU_TEST_DB") != "postgresql",
                                reason="the race needs two concurrent writers (PostgreSQL)")


def _race(monkeypatch, engine, jobs):
    """Runs each job(session) in its own thread and connection, all held after reading their stage row."""
    barrier = threading.Barrier(len(jobs), timeout=3)
    original = svc.saves._load_row

    def load_then_wait(db, child_id, year, stage):
        row = original(db, child_id, year, stage)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return row

    monkeypatch.setattr(svc.saves, "_load_row", load_then_wait)  # where save_cell finds it
    results: list = [None] * len(jobs)

    def run(index, job):
        with Session(engine, expire_on_commit=False) as session:
            try:
                results[index] = job(session)
            except Exception as exc:  # noqa: BLE001 - the failure this test is about
                session.rollback()
                results[index] = exc
    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_first_saves_of_one_child_give_a_conflict_not_an_error(db, keyring, world, monkeypatch):
    group, child = world.groups["A"], world.children["A"]
    teacher, head = world_user(db, "teacher1"), world_user(db, "head1")
    skill = skills(group, "physical")[0].id
    engine = db.get_bind()
    db.rollback()

    def save(actor_id, level):
        return lambda s: svc.save_cell(s, keyring, s.get(User, actor_id), group.id, child.id, "start", skill, level,
                                       0, OPEN_DAY)

    results = _race(monkeypatch, engine, [save(teacher.id, "3"), save(head.id, "1")])
    assert not [r for r in results if isinstance(r, Exception)], results
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["CellSaved", "Conflict"]
    conflict = next(r for r in results if isinstance(r, svc.Conflict))
    assert conflict.version == 1 and conflict.cells[skill][1] in (1, 3)
    with Session(engine) as fresh:
        rows = fresh.exec(select(CardStage).where(CardStage.child_id == child.id)).all()
        assert len(rows) == 1 and rows[0].version == 1


def test_two_childrens_first_rows_at_once_keep_the_counts_right(db, keyring, world, monkeypatch):
    group, teacher, head = world.groups["A"], world_user(db, "teacher1"), world_user(db, "head1")
    other = make_child(db, keyring, "Дәулет Серікұлы", group=group, sex="m")
    db.commit()
    first = world.children["A"]
    skill = skills(group, "physical")[0].id
    engine = db.get_bind()
    db.rollback()

    def save(actor_id, child_id):
        return lambda s: svc.save_cell(s, keyring, s.get(User, actor_id), group.id, child_id, "start", skill, "2", 0,
                                       OPEN_DAY)

    results = _race(monkeypatch, engine, [save(teacher.id, first.id), save(head.id, other.id)])
    assert [type(r).__name__ for r in results] == ["CellSaved", "CellSaved"], results
    with Session(engine) as fresh:
        counts = fresh.exec(select(LevelCount).where(LevelCount.group_id == group.id, LevelCount.stage == "start",
                                                     LevelCount.skill_group == "physical")).all()
        assert sum(c.count for c in counts) == 2
