"""Demo data for the education department's analytics (issue 15): the demo kindergarten and five more in two
districts of Astana, each with a group whose start stage is filled, screening zone counts, and two department
logins (Astana's city department and the Yesil district's). Enough children that the tables show real numbers,
few enough in some kindergartens that small-number protection hides cells. Running it again changes nothing
(each kindergarten is found by its BIN)."""
from __future__ import annotations

import datetime as dt
import random

from sqlmodel import Session, select

from .crypto.keyring import Keyring
from .models import Enrollment, Group, Organization, User
from .models.analytics import ScreeningZoneCount
from .models.base import utcnow
from .services.analytics.counting import bump
from .services.analytics.departments import create_department_user
from .services.auth import find_user
from .services.keys import active_key
from .services.orgs import create_org

REGION = "KZ-71"  # Astana
DEPARTMENTS: tuple[tuple[str, str | None, str], ...] = (
    ("city-department@demo.sabidamu.kz", None, "Астана қаласының білім басқармасы"),
    ("district-department@demo.sabidamu.kz", "KZ-71-ESL", "Есіл ауданының білім бөлімі"),
)
# (BIN, district, name in Kazakh, name in Russian, children in its group). Small groups (3, 4) make cells that
# the protection hides, and the counts from which they could be worked out with them.
KINDERGARTENS = (
    ("990140011001", "KZ-71-ESL", "«Айгөлек» балабақшасы", "Детский сад «Айголек»", 24),
    ("990140011002", "KZ-71-ESL", "«Ақбота» балабақшасы", "Детский сад «Акбота»", 18),
    ("990140011003", "KZ-71-ESL", "«Шұғыла» шағын орталығы", "Мини-центр «Шугыла»", 4),
    ("990140011004", "KZ-71-SAR", "«Қарлығаш» балабақшасы", "Детский сад «Карлыгаш»", 22),
    ("990140011005", "KZ-71-SAR", "«Балауса» балабақшасы", "Детский сад «Балауса»", 16),
    ("990140011006", "KZ-71-SAR", "«Еркетай» шағын орталығы", "Мини-центр «Еркетай»", 3),
)
NAMES = ["Әлия", "Нұрлан", "Аяна", "Ерлан", "Камила", "Санжар", "Мирас", "Алина", "Даниял", "Жания", "Арман",
         "Елизавета", "Руслан", "Томирис", "Алихан", "Ксения"]
SURNAMES = ["Қасымова", "Бекұлы", "Омарова", "Сейітов", "Ким", "Ахметов", "Жақсыбекова", "Иванова"]
# The home screening's domains (screening_instruments/sabidamu-dev-screen.v2.yaml) and how often a child's
# result in each is "refer" in the demo (made-up rates for a demo, not figures about real children).
SCREENING_DOMAINS = {"communication": 0.18, "gross_motor": 0.06, "fine_motor": 0.1, "problem_solving": 0.08,
                     "personal_social": 0.12}


def ensure_analytics_demo(db: Session, keyring: Keyring, today: dt.date, *, demo_kindergarten: Organization,
                          demo_school: Organization | None, actor: User, password: str, make_child, fill_monitoring,
                          windows: dict | None) -> None:
    """Adds what is missing; the caller commits. `make_child` and `fill_monitoring` are sabidamu.demo's own."""
    from .monitoring import academic_year_of
    year = academic_year_of(today)
    for org, district in ((demo_kindergarten, "KZ-71-ESL"), (demo_school, "KZ-71-SAR")):
        if org is not None and org.district is None:
            org.district = district
    rnd = random.Random(2028)
    serial = 1000
    for bin_, district, name_kk, name_ru, size in KINDERGARTENS:
        serial += 100
        if db.exec(select(Organization.id).where(Organization.bin == bin_)).first() is not None:
            continue
        org = create_org(db, keyring, None, kind="kindergarten", name_kk=name_kk, name_ru=name_ru, region=REGION,
                         bin=bin_)
        org.district, org.stage_windows = district, windows
        db.flush()
        group = Group(org_id=org.id, name="Ересек топ", age_group="preschool", academic_year=year)
        db.add(group)
        key = active_key(db, keyring, "org", org.id)
        db.flush()
        for i in range(size):
            sex = "f" if i % 2 else "m"
            birth = dt.date(year - 6, 9, 1) + dt.timedelta(days=rnd.randrange(0, 364))
            name = f"{rnd.choice(NAMES)} {rnd.choice(SURNAMES)}"
            child = make_child(db, keyring, key.id, name, birth, sex, serial + i, actor)
            db.add(Enrollment(child_id=child.id, group_id=group.id, status="active", requested_by=actor.id,
                              decided_at=utcnow()))
        db.flush()
        fill_monitoring(db, keyring, group, actor, rnd, today)
        _screening_counts(db, org.id, year, size, rnd)
    if db.exec(select(ScreeningZoneCount.id).where(ScreeningZoneCount.org_id == demo_kindergarten.id)).first() is None:
        _screening_counts(db, demo_kindergarten.id, year, 20, rnd)
    for login, department_district, name in DEPARTMENTS:
        if find_user(db, login) is None:
            user = create_department_user(db, None, region=REGION, district=department_district, full_name=name,
                                          login=login,
                                          password=password, locale="kk")
            user.must_change_password = False  # the demo's passwords are published on purpose
    db.flush()


def _screening_counts(db: Session, org_id, year: int, screened: int, rnd: random.Random) -> None:
    """The counts services.analytics.counting keeps when a screening completes, for `screened` children of one
    kindergarten (the demo children have no screening of their own: only these counts exist)."""
    for domain, rate in SCREENING_DOMAINS.items():
        refer = sum(1 for _ in range(screened) if rnd.random() < rate)
        for zone, n in (("refer", refer), ("monitor", max(0, screened // 5 - refer // 2)),
                        ("on_track", screened - refer - max(0, screened // 5 - refer // 2))):
            if n > 0:
                bump(db, org_id, year, domain, zone, n)
