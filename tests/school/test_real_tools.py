"""A package made with the stock tools (`minisign -G/-S`, `age -r`) is imported by the application: held for
the unknown key, then confirmed with the .pub file's key and imported with every check."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess
import uuid
import zipfile

from sqlmodel import select

from sabidamu.crypto import minisign
from sabidamu.models import ImportedCard, TransferPackage
from sabidamu.services.transfer import importing as svc
from sabidamu.services.transfer import inbox as inbox_svc
from tests.conftest import need_tool

from .conftest import SAMPLE_PDF


def run(*args, cwd):
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done


def test_package_made_with_age_and_minisign_is_imported(db, keyring, ctx, tmp_path):
    age, minisign_tool = need_tool("age"), need_tool("minisign")
    run(minisign_tool, "-G", "-W", "-p", "kg.pub", "-s", "kg.key", cwd=tmp_path)
    public = minisign.parse_public_key((tmp_path / "kg.pub").read_text())
    child = ctx.build.new_child(name="Тимур Асқаров", sex="m")
    card = ctx.build.card(child)
    card_json = json.dumps(card, ensure_ascii=False, indent=1).encode()
    package_id = str(uuid.uuid4())
    manifest = {
        "format": "sdcard", "format_version": 1, "package_id": package_id,
        "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sender": {"org_id": str(uuid.uuid4()), "name": "Қолмен жасалған балабақша", "bin": "110340012345",
                   "signing_key_fingerprint": public.fingerprint},
        "recipient": {"org_id": str(ctx.school.id), "age_recipient": ctx.build.recipient},
        "child": card["child"],
        "files": [{"name": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                  for n, b in (("card.json", card_json), ("card.pdf", SAMPLE_PDF))],
    }
    (tmp_path / "manifest.json").write_bytes(json.dumps(manifest, ensure_ascii=False).encode())
    run(minisign_tool, "-S", "-s", "kg.key", "-m", "manifest.json", "-t", f"sdcard package {package_id}", cwd=tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", (tmp_path / "manifest.json").read_bytes())
        archive.writestr("card.json", card_json)
        archive.writestr("card.pdf", SAMPLE_PDF)
        archive.writestr("manifest.json.minisig", (tmp_path / "manifest.json.minisig").read_bytes())
    (tmp_path / "card.zip").write_bytes(buffer.getvalue())
    run(age, "-r", ctx.build.recipient, "-o", "card.sdcard", "card.zip", cwd=tmp_path)
    data = (tmp_path / "card.sdcard").read_bytes()

    held = svc.import_package(db, keyring, ctx.school.id, data, ctx.head)
    assert (held.status, held.code, str(held.package_id)) == ("held", "unknown_sender", package_id)
    row = db.exec(select(TransferPackage).where(TransferPackage.package_id == held.package_id)).one()
    assert row.sender_fingerprint == public.fingerprint
    done = inbox_svc.confirm_sender_key(db, keyring, ctx.head, row.id, (tmp_path / "kg.pub").read_text())
    assert done.status == "imported"
    stored = db.exec(select(ImportedCard).where(ImportedCard.child_id == done.child_id)).one()
    assert json.loads(keyring.open("imported_card", stored.id, "card_json", stored.card_json_ct)) == card
    # The same file again is a no-op.
    assert svc.import_package(db, keyring, ctx.school.id, data, ctx.head).status == "already_imported"
