"""The in-app checkpoint job signs the head into the file outside the database, and verify accepts it."""
from sabidamu.audit_scheduler import run_once


def test_run_once_appends_a_verifiable_checkpoint(app, client, world):
    client.get("/")  # any request; events exist from the world
    first = run_once(app)
    assert "signed checkpoint" in first
    path = app.config["SETTINGS"].audit_checkpoint_file
    assert path.exists() and len(path.read_text().splitlines()) == 1
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    second = run_once(app)  # the checkpoint's own audit event moved the head: signed again
    assert "signed checkpoint" in second or "up to date" in second
