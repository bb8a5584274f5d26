"""The analytics tests' Astana: two districts, three kindergartens with level counts; department logins."""
from __future__ import annotations

import uuid

from sabidamu.models import LevelCount
from sabidamu.models.base import utcnow
from sabidamu.services.analytics.departments import create_department
from tests.factories import make_group, make_org

YEAR = 2026


def seed_astana(db, keyring, world):
    """Two districts of Astana: org1 and a new kindergarten in Esil, org2 in Saryarka; level counts per group."""
    org1, org2 = world.orgs["org1"], world.orgs["org2"]
    org3 = make_org(db, keyring, "Org Three")
    for org, district in ((org1, "KZ-71-ESL"), (org3, "KZ-71-ESL"), (org2, "KZ-71-SAR")):
        org.district = district
        db.add(org)
    group3 = make_group(db, org3, "Group D")
    counts = [(world.groups["A"], {3: 12, 2: 9, 1: 3, 0: 0}), (group3, {3: 10, 2: 7, 1: 6, 0: 0}),
              (world.groups["C"], {3: 20, 2: 15, 1: 8, 0: 2})]
    for group, levels in counts:
        for level, n in levels.items():
            db.add(LevelCount(org_id=group.org_id, group_id=group.id, academic_year=YEAR, stage="start",
                              skill_group="physical", level=level, count=n, updated_at=utcnow()))
    db.commit()
    return org3


def make_department(db, district=None):
    """A department login of Astana (or of one of its districts); returns the login."""
    login = f"dept-{uuid.uuid4().hex[:6]}@example.kz"
    create_department(db, None, region="KZ-71", district=district, full_name="Білім бөлімі", login=login,
                      password="Bilim-Bolimi-2026!")
    return login


def forget_marks(db):
    """Clears the analytics' change marks, as the periodic refresh takes them (the world's own organizations and
    saves have marked already)."""
    from sabidamu.models.analytics import AnalyticsChange
    db.execute(AnalyticsChange.__table__.delete())
    db.commit()
