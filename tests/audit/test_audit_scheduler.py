"""The in-app sequencer round puts pending events in the tree and signs a checkpoint into the database and the
notes file outside it; `flask audit verify` accepts it."""
from sabidamu.jobs.periodic import run_once
from sabidamu.services.audit_admin import notes_path


def test_run_once_sequences_and_signs_a_verifiable_checkpoint(app, client, world):
    client.get("/")  # any request; events exist from the world
    first = run_once(app)
    assert first.startswith("sequenced ") and "signed" in first
    notes = notes_path(app.config["SETTINGS"]).read_text()
    assert notes.startswith(app.config["SETTINGS"].audit_origin + "\n") and "\n\n\u2014 " in notes
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    second = run_once(app)  # the verify run's own audit event is pending: sequenced and signed again
    assert second.startswith("sequenced 1 events")
    assert run_once(app).startswith("up to date")
