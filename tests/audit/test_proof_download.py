"""The parent's "check" link: a real downloaded proof verifies with the independent script
(scripts/verify_audit_proof.py, standard library + cryptography only), in a separate process; a changed proof
or another log's key does not; the download is access-checked like the log itself."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from sabidamu.config import REPO_ROOT
from sabidamu.jobs.periodic import run_once
from tests.support.auth import sign_in_with_password

SCRIPT = REPO_ROOT / "scripts" / "verify_audit_proof.py"


def _verify(path, *key) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(path), *key], capture_output=True, text=True,
                          timeout=60)


def test_check_link_downloads_a_proof_that_the_independent_script_verifies(app, client, db, world, tmp_path):
    child = world.children["A"]
    sign_in_with_password(client, "teacher1@example.kz")
    assert client.get(f"/children/{child.id}").status_code == 200
    client.post("/logout")
    assert run_once(app).startswith("sequenced ")

    sign_in_with_password(client, "parenta@example.kz")
    page = client.get(f"/account/children/{child.id}/access-log")
    links = re.findall(r'href="(/account/children/[^"]+/proof)"', page.text)
    assert links, page.text
    response = client.get(links[0])
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    proof = json.loads(response.data)
    assert {"leaf_index", "tree_size", "leaf_hash", "inclusion_path", "checkpoint", "event",
            "verifier_key"} <= set(proof)
    assert json.loads(proof["event"])["object_id"] == str(child.id)
    path = tmp_path / "proof.json"
    path.write_bytes(response.data)

    published = app.test_cli_runner().invoke(args=["audit", "public-key"]).output.strip()
    done = _verify(path, published)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("VERIFIED: entry ") and app.config["SETTINGS"].audit_origin in done.stdout

    changed = dict(proof, event=proof["event"].replace('"teacher"', '"head"'))
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    done = _verify(tmp_path / "changed.json")
    assert done.returncode != 0 and "NOT VERIFIED" in done.stderr
    from sabidamu.audit.note import NoteSigner
    other_key = NoteSigner(app.config["SETTINGS"].audit_origin, b"\x05" * 32).vkey  # same name, another key
    done = _verify(path, other_key)
    assert done.returncode != 0 and "no signature by this key" in done.stderr

    # Another parent cannot download it; nor can this parent fetch an event outside the child's log.
    client.post("/logout")
    sign_in_with_password(client, "parentb@example.kz")
    assert client.get(links[0]).status_code == 403
    client.post("/logout")
    sign_in_with_password(client, "parenta@example.kz")
    other_child = world.children["B"]
    event_id = links[0].rsplit("/", 2)[-2]
    assert client.get(f"/account/children/{other_child.id}/access-log/{event_id}/proof").status_code in (403, 404)
    assert client.get(f"/account/children/{child.id}/access-log/not-a-uuid/proof").status_code == 404
