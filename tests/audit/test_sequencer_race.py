"""Two sequencers started at once (two processes, each with its own database connection) while requests keep
writing events: they never sign two different trees of the same size, every leaf is sequenced exactly once,
and the result verifies.
Runs on PostgreSQL only (SABIDAMU_TEST_DB=postgresql); SQLite's single writer needs no test of its own."""
from __future__ import annotations

import multiprocessing as mp
import traceback

import pytest
import sqlalchemy as sa

from sabidamu.audit.note import open_checkpoint
from sabidamu.services.audit_admin import notes_path
from sabidamu.services.audit_log import read_notes_file
from tests.conftest import TEST_DB
from tests.support.audit import run_cli

ROUNDS = 25


def _sequencer(environ: dict, barrier, out) -> None:
    from sabidamu import create_app
    from sabidamu.services.audit_admin import log_context
    from sabidamu.services.audit_log import sequence
    app = create_app({"TESTING": True}, environ=environ)
    engine, context = app.extensions["sabidamu.engine"], log_context(app.config["SETTINGS"], create_key=False)
    signed = []
    try:
        for _ in range(ROUNDS):
            barrier.wait(timeout=600)  # both start each round together
            result = sequence(engine, context)
            if result.note:
                signed.append(result.note)
    except Exception:
        out.put(traceback.format_exc())
        raise
    out.put(signed)
    engine.dispose()


def _writer(environ: dict, barrier) -> None:
    from sabidamu import create_app
    from sabidamu.db import session_scope
    from sabidamu.services.audit import record
    app = create_app({"TESTING": True}, environ=environ)
    for i in range(ROUNDS):
        barrier.wait(timeout=600)
        with session_scope(app.extensions["sabidamu.engine"]) as s:
            for j in range(3):
                record(s, None, "test.race", role="system", detail={"i": i, "j": j})
    app.extensions["sabidamu.engine"].dispose()


@pytest.mark.skipif(TEST_DB != "postgresql", reason="the advisory lock is PostgreSQL's (SABIDAMU_TEST_DB=postgresql)")
def test_two_sequencers_at_once_never_sign_two_trees_of_one_size(app, environ, db):
    assert run_cli(app, "audit", "public-key")[0] == 0  # the signing key exists before the processes start
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_sequencer, args=(environ, barrier, out)) for _ in range(2)]
    procs.append(ctx.Process(target=_writer, args=(environ, barrier)))
    for p in procs:
        p.start()
    results = [out.get(timeout=900) for _ in range(2)]
    assert all(isinstance(r, list) for r in results), results  # a traceback from a sequencer otherwise
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    settings = app.config["SETTINGS"]
    verifier = __import__("sabidamu.services.audit_admin", fromlist=["x"]).read_verifiers(settings)
    by_size: dict[int, set[bytes]] = {}
    for note in results[0] + results[1] + read_notes_file(notes_path(settings)):
        cp = open_checkpoint(note, verifier, settings.audit_origin)
        by_size.setdefault(cp.size, set()).add(cp.root)
    assert by_size and all(len(roots) == 1 for roots in by_size.values())
    assert sum(len(r) for r in results) >= 2  # rounds really signed (the writer adds events every round)
    sizes = [open_checkpoint(n, verifier).size for n in read_notes_file(notes_path(settings))]
    assert sizes == sorted(set(sizes))  # the file: each size once, in order
    run_cli(app, "audit", "sequence")
    leaves = db.execute(sa.text("SELECT count(*), count(DISTINCT leaf_index), max(leaf_index) FROM auditevent "
                                "WHERE action = 'test.race'")).one()
    assert leaves[0] == ROUNDS * 3 == leaves[1]
    code, text = run_cli(app, "audit", "verify")
    assert code == 0, text
