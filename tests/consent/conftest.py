"""Consent tests: the shared world (tests/factories.build_world) plus specialists.

org1 (kindergarten) gets a speech therapist `speech1`; a correction room `room` gets a psychologist `psy`;
org2 gets a defectologist `defect2`.
"""
from __future__ import annotations

import pytest

from sabidamu.models import Membership
from tests.factories import make_org, make_user


def add_specialist(db, org, email: str, kind: str):
    user = make_user(db, email)
    db.add(Membership(user_id=user.id, org_id=org.id, role="specialist", specialist_kind=kind))
    db.flush()
    return user


@pytest.fixture
def spec(world, db, keyring):
    world.orgs["room"] = make_org(db, keyring, "Correction Room", kind="correction_room")
    world.users["speech1"] = add_specialist(db, world.orgs["org1"], "speech1@example.kz", "speech_therapist")
    world.users["psy"] = add_specialist(db, world.orgs["room"], "psy@example.kz", "psychologist")
    world.users["defect2"] = add_specialist(db, world.orgs["org2"], "defect2@example.kz", "defectologist")
    db.commit()
    return world

