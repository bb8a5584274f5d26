"""Packages for the school side: built with the pure library (build_package) from the test vector's card,
from a kindergarten of this installation to a school of this installation (both with real transfer keys)."""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pyrage
import pytest
import sqlalchemy as sa

from sabidamu.crypto import agekeys, minisign, package
from sabidamu.crypto.package import ChildInfo, SenderInfo
from sabidamu.iin import make_iin
from sabidamu.services.transfer import keys as transfer_keys
from tests.factories import make_school

VECTORS = Path(__file__).parents[1] / "crypto" / "vectors"
SAMPLE_CARD: dict = json.loads((VECTORS / "card.json").read_text(encoding="utf-8"))
SAMPLE_PDF: bytes = (VECTORS / "card.pdf").read_bytes()
KG_BIN = "120340012345"
COUNTED = ("child", "imported_card", "transfer_package", "trusted_sender_key", "enrollment")


def card_for(iin: str, name: str, birth: dt.date, kg_id, *, years: list[dict] | None = None,
             final_levels: dict | None = None, academic_year: str = "2025-2026") -> dict:
    card = copy.deepcopy(SAMPLE_CARD)
    card["child"] = {"iin": iin, "full_name": name, "birth_date": birth.isoformat()}
    card["organization"]["id"] = str(kg_id)
    card["years"][0]["academic_year"] = academic_year
    if final_levels is not None:
        card["years"][0]["final_levels"] = final_levels
    if years is not None:
        card["years"] = years
    return card


class Builder:
    """Makes .sdcard files for one school; `sender` is this installation's kindergarten unless replaced."""

    def __init__(self, db, keyring, kg, school):
        self.kg, self.school = kg, school
        self.recipient = transfer_keys.active(db, school.id, "age").public
        self.secret = transfer_keys.signing_secret(db, keyring, kg.id)
        self.sender = SenderInfo(org_id=str(kg.id), name=kg.name_kk, bin=KG_BIN, signing_secret=self.secret)
        self._serial = 3000

    def new_child(self, birth=dt.date(2019, 3, 15), sex="f", name="Әлиева Айгерім Нұрланқызы"):
        self._serial += 7
        return SimpleNamespace(iin=make_iin(birth, sex, self._serial), name=name, birth=birth)

    def card(self, child, **kw) -> dict:
        return card_for(child.iin, child.name, child.birth, self.kg.id, **kw)

    def build(self, child=None, *, card=None, sender=None, recipient=None, package_id=None, **kw) -> bytes:
        child = child or self.new_child()
        card = card or self.card(child, **kw)
        return package.build_package(
            card=card, card_pdf=SAMPLE_PDF, sender=sender or self.sender, recipient_org_id=str(self.school.id),
            recipient=recipient or self.recipient, child=ChildInfo(**card["child"]), package_id=package_id)

    def entries(self, child=None, *, edit_manifest=None, card_pdf=SAMPLE_PDF, card_json=None):
        """The four entries of a package whose parts a test controls (signed by the kindergarten)."""
        child = child or self.new_child()
        card = self.card(child)
        card_json = card_json or json.dumps(card, ensure_ascii=False).encode()
        manifest = package.build_manifest(
            card_json=card_json, card_pdf=card_pdf, sender=self.sender, recipient_org_id=str(self.school.id),
            recipient=self.recipient, child=ChildInfo(**card["child"]), created_at=dt.datetime.now(dt.UTC),
            package_id=uuid.uuid4())
        if edit_manifest:
            edit_manifest(manifest)
        raw = json.dumps(manifest, ensure_ascii=False).encode()
        signature = minisign.sign(self.secret, raw, "test").encode()
        return [("manifest.json", raw), ("card.json", card_json), ("card.pdf", card_pdf),
                ("manifest.json.minisig", signature)]

    def seal(self, entries) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in entries:
                info = zipfile.ZipInfo(name, date_time=(2026, 5, 29, 9, 30, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content)
        return pyrage.encrypt(buffer.getvalue(), [agekeys.parse_recipient(self.recipient)])


@pytest.fixture
def ctx(app, db, keyring, world):
    """world (two kindergartens, parents, teachers) + school1 (head, school_teacher) + school2 (head)."""
    kg = world.orgs["org1"]
    kg.bin = KG_BIN
    s1 = make_school(db, keyring, "School One", head_email="schoolhead@example.kz",
                     teacher_email="schoolteacher@example.kz")
    s2 = make_school(db, keyring, "School Two", head_email="otherhead@example.kz")
    db.commit()
    return SimpleNamespace(world=world, kg=kg, school=s1.org, head=s1.head, teacher=s1.teacher, school2=s2.org,
                           head2=s2.head, build=Builder(db, keyring, kg, s1.org))


def counts(db) -> dict:
    db.commit()  # a fresh snapshot: the app wrote through its own sessions
    return {t: db.exec(sa.text(f"SELECT COUNT(*) FROM {t}")).one()[0] for t in COUNTED}


def audit_actions(db) -> list[tuple[str, dict]]:
    db.commit()
    rows = db.exec(sa.text("SELECT action, detail FROM auditevent ORDER BY seq")).all()
    return [(a, d if isinstance(d, dict) else json.loads(d or "{}")) for a, d in rows]
