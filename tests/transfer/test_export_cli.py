"""`flask cards export`: one JSON line per child, files + index.txt in --out, exit 1 when a child was refused."""
from __future__ import annotations

import json

from sabidamu.crypto import agekeys
from sabidamu.services.transfer import keys as transfer_keys
from tests.support.transfer import open_as_school
from tests.transfer.conftest import give_school_consent


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["cards", "export", *args], catch_exceptions=False)


def test_group_export_writes_files_and_exit_1_for_a_refused_child(app, db, keyring, handover, tmp_path):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    out = tmp_path / "out"
    result = _run(app, "--group", str(handover.world.groups["A"].id), "--to-org", str(handover.school.id), "--out", str(out),
                  "--lang", "ru", "--as", "head1@example.kz")
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_child = {line["child_id"]: line for line in lines}
    assert set(by_child) == {str(handover.child_a.id), str(handover.child_a2.id)}
    assert by_child[str(handover.child_a2.id)]["refused"] == "no_consent"
    ok = by_child[str(handover.child_a.id)]
    assert sorted(p.name for p in out.iterdir()) == sorted([ok["file"], "index.txt"])
    opened = open_as_school(db, keyring, (out / ok["file"]).read_bytes(), handover.school.id)
    assert opened.manifest["package_id"] == ok["package_id"]
    index = (out / "index.txt").read_text(encoding="utf-8")
    assert ok["package_id"] in index and "Бекзат Оспанов" in index


def test_child_export_exit_0_and_uploaded_key(app, db, keyring, handover, tmp_path):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    pair = agekeys.generate_identity()
    result = _run(app, "--child", str(handover.child_a.id), "--recipient", pair.recipient, "--school-name", "School 45",
                  "--school-bin", handover.school.bin, "--out", str(tmp_path), "--as", "head1@example.kz")
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.stdout.splitlines()]
    assert line["child_id"] == str(handover.child_a.id) and line["file"].endswith(".sdcard")
    assert transfer_keys.identities_for(db, keyring, handover.school.id)  # the school's own key is not the one used
    from sabidamu.crypto.package import open_package
    opened = open_package((tmp_path / line["file"]).read_bytes(), identities=[pair.identity],
                          resolve_sender_key=lambda m: transfer_keys.sender_public_key(
                              db, m["sender"]["signing_key_fingerprint"])[1])
    assert opened.card["child"]["full_name"] == "Әлия Ахметова"


def test_usage_and_access_errors_exit_2(app, db, keyring, handover, tmp_path):
    give_school_consent(db, keyring, handover.world.users["parentA"], handover.child_a, handover.school)
    common = ["--out", str(tmp_path / "x")]
    teacher = _run(app, "--child", str(handover.child_a.id), "--to-org", str(handover.school.id), *common,
                   "--as", "teacher1@example.kz")
    assert teacher.exit_code == 2 and "not the head" in teacher.stderr
    both = _run(app, "--child", str(handover.child_a.id), "--group", str(handover.world.groups["A"].id), "--to-org",
                str(handover.school.id), *common, "--as", "head1@example.kz")
    assert both.exit_code == 2
    no_bin = _run(app, "--child", str(handover.child_a.id), "--recipient", "age1x", *common, "--as", "head1@example.kz")
    assert no_bin.exit_code == 2 and "--school-bin" in no_bin.stderr
    assert not (tmp_path / "x").exists()
