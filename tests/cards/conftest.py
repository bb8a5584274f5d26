"""Fixtures of the card tests: a world (tests/factories.build_world) whose child A has a filled card."""
from __future__ import annotations

import pytest

from sabidamu.models import Group
from tests.factories import make_group
from tests.support.cards import earlier_year, fill, observe, skills

MEASURES_START = "Доптан ойындар, апта сайын 2 рет; ата-анамен бірге үйде жаттығу."
MEASURES_FINAL = "Мектепке дайындық: сурет салу, құрастыру."


@pytest.fixture
def filled(db, keyring, world):
    """Child A (group A, preschool, 2026): start + final filled; a 2025 card from an earlier group; a home note."""
    teacher, group, child = world.users["teacher1"], world.groups["A"], world.children["A"]
    n = {sg: len(skills(group, sg)) for sg in ("physical", "communicative", "cognitive", "creative",
                                                "social_emotional")}
    fill(db, keyring, teacher, group, child, "start", {
        "physical": [1] * n["physical"],                                # I
        "communicative": [2, 3] + [2] * (n["communicative"] - 2),       # mean just above 2 -> II
        "cognitive": [3] * ((n["cognitive"] + 1) // 2) + [None] * (n["cognitive"] // 2),  # half or more observed
        "creative": [1, 2],                                             # fewer than half observed -> no level
        "social_emotional": [2, 3] * (n["social_emotional"] // 2) + [3] * (n["social_emotional"] % 2),  # .5 up -> III
    }, measures={"physical": MEASURES_START})
    fill(db, keyring, teacher, group, child, "final", {sg: [3] * n[sg] for sg in n},
         measures={"creative": MEASURES_FINAL}, final=dict.fromkeys(n, 3) | {"physical": 2})
    old = make_group(db, world.orgs["org1"], "Кіші топ 2025", age_group="senior")
    old.academic_year = 2025
    db.commit()
    earlier_year(db, keyring, child, old, "start",
                 {s.id: 2 for s in skills(old, "physical")}, measures={"physical": "Таңертеңгі жаттығу"})
    observe(db, keyring, world.users["parentA"], child, "Үйде өзі киінеді.", "social_emotional")
    return {"group": group, "child": child, "old": old, "n": n}


def group_of(db, group_id) -> Group:
    return db.get(Group, group_id)
