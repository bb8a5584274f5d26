"""Consent tests: the shared world (tests/factories.build_world) plus specialists.

org1 (kindergarten) gets a speech therapist `speech1`; a correction room `room` gets a psychologist `psy`;
org2 gets a defectologist `defect2`. org1 gets a second head `head1b`, the room a head `roomhead`.
"""
from __future__ import annotations

import pytest

from sabidamu.models import Membership
from tests.factories import enrol_totp, make_org, make_user


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
    # Second heads: a paper consent naming one's own organization needs another head to confirm it.
    world.users["head1b"] = make_user(db, "head1b@example.kz")
    db.add(Membership(user_id=world.users["head1b"].id, org_id=world.orgs["org1"].id, role="head"))
    world.users["roomhead"] = make_user(db, "roomhead@example.kz")
    db.add(Membership(user_id=world.users["roomhead"].id, org_id=world.orgs["room"].id, role="head"))
    for head in ("head1b", "roomhead"):  # heads must have a second factor to use the app
        enrol_totp(db, keyring, world.users[head])
    db.commit()
    return world

