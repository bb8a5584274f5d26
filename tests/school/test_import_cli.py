"""`flask cards import --org ID FILE...`: one JSON line per file, exit 1 when any file was rejected."""
from __future__ import annotations

import json

from .conftest import counts


def run(app, *args):
    return app.test_cli_runner().invoke(args=["cards", "import", *args])


def test_cli_json_lines_and_exit_codes(app, db, ctx, tmp_path):
    good, again, bad = tmp_path / "good.sdcard", tmp_path / "again.sdcard", tmp_path / "bad.sdcard"
    good.write_bytes(ctx.build.build())
    again.write_bytes(good.read_bytes())
    data = bytearray(ctx.build.build())
    data[-20] ^= 1
    bad.write_bytes(bytes(data))

    result = run(app, "--org", str(ctx.school.id), str(good))
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip())
    assert set(line) == {"file", "status", "code", "message", "child_id", "package_id"}
    assert (line["file"], line["status"], line["code"]) == (str(good), "imported", None)
    assert line["child_id"] and line["package_id"]

    result = run(app, "--org", str(ctx.school.id), str(again), str(bad))
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert [(x["status"], x["code"]) for x in lines] == [("already_imported", "already_imported"),
                                                         ("rejected", "corrupt")]
    assert "integrity check" in lines[1]["message"] and lines[1]["child_id"] is None
    assert counts(db)["imported_card"] == 1


def test_cli_acting_user_and_usage_errors(app, db, ctx, tmp_path):
    package = tmp_path / "p.sdcard"
    package.write_bytes(ctx.build.build())
    result = run(app, "--org", str(ctx.school.id), "--as", "otherhead@example.kz", str(package))
    assert result.exit_code == 2 and "may not import" in result.stderr
    result = run(app, "--org", str(ctx.kg.id), str(package))  # a kindergarten cannot import
    assert result.exit_code == 2 and "not_a_school" in result.stderr
    result = run(app, "--org", "nope", str(package))
    assert result.exit_code == 2
    assert counts(db)["imported_card"] == 0
    result = run(app, "--org", str(ctx.school.id), "--as", "schoolteacher@example.kz", str(package))
    assert result.exit_code == 0 and json.loads(result.stdout)["status"] == "imported"
