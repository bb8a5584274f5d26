"""Demo data: a kindergarten with a pre-school group of 20 children and a younger group, staff, two parents
and a primary school. Running it again changes nothing (it finds the demo kindergarten by its BIN)."""
from __future__ import annotations

import datetime as dt
import random

from sqlmodel import Session, select

from .crypto.keyring import Keyring
from .iin import make_iin
from .models import Child, Enrollment, Group, GroupTeacher, Guardianship, Membership, Organization, User
from .models.base import utcnow
from .passwords import hash_password
from .services.children import _seal_child, iin_index
from .services.keys import active_key
from .services.orgs import add_staff, create_org

KINDERGARTEN_BIN = "990140001234"
SCHOOL_BIN = "990140005678"
PASSWORD = "SabiDamu-demo-2026"
DEMO_PARENT_PHONE = "+77011234567"  # parent@demo.sabidamu.kz can also sign in with this phone

BOYS = ["Әлихан Серіков", "Нұрсұлтан Әбдіров", "Ерасыл Қасымов", "Дамир Жұмабаев", "Арсен Төлеуов",
        "Иван Петров", "Максим Ковалёв", "Ислам Бекенов", "Алдияр Нұрланұлы", "Тимур Ахметов"]
GIRLS = ["Айым Сапарова", "Інжу Қайратқызы", "Аружан Мұратова", "Жансая Өмірбекова", "Томирис Ғалымжанова",
         "Анна Смирнова", "София Ким", "Дана Есенова", "Әмина Құрманова", "Мария Волкова"]
YOUNGER = [("Айсұлу Бекова", "f"), ("Ержан Мұхтаров", "m"), ("Ева Павлова", "f"), ("Нұрислам Оспанов", "m"),
           ("Мадина Әлиева", "f"), ("Артём Соколов", "m"), ("Ақбота Серікқызы", "f"), ("Рамазан Исаев", "m")]


def _academic_year(today: dt.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def _child(db: Session, keyring: Keyring, key_id, name: str, birth: dt.date, sex: str, serial: int, creator) -> Child:
    iin = make_iin(birth, sex, serial)
    child = Child(key_id=key_id, created_by=creator.id if creator else None,
                  iin_index=iin_index(keyring.blind_index_key, iin))
    _seal_child(keyring, child, {"name": name, "birth_date": birth.isoformat(), "iin": iin, "sex": sex,
                                 "gestational_weeks": None, "notes": None})
    db.add(child)
    db.flush()
    return child


def _user(db: Session, full_name: str, email: str, locale: str, is_admin: bool = False,
          phone: str | None = None) -> User:
    from .services.identity import seal_identity
    user = User(password_hash=hash_password(PASSWORD), locale=locale, is_admin=is_admin)
    seal_identity(db, user, name=full_name, email=email, phone=phone, readable_name=is_admin)  # parents: sealed only
    db.add(user)
    db.flush()
    return user


def load_demo(db: Session, keyring: Keyring, today: dt.date | None = None) -> dict:
    existing = db.exec(select(Organization).where(Organization.bin == KINDERGARTEN_BIN)).first()
    if existing is None:
        _create(db, keyring, today or dt.date.today())
        db.commit()
        created = True
    else:
        created = False
    ensure_transfer_demo(db, keyring, today or dt.date.today())
    _analytics_demo(db, keyring, today or dt.date.today())
    db.commit()
    summary = describe(db)
    summary["created"] = created
    return summary


def _create(db: Session, keyring: Keyring, today: dt.date) -> None:
    rnd = random.Random(2026)
    year = _academic_year(today)
    _user(db, "Платформа әкімшісі", "admin@demo.sabidamu.kz", "kk", is_admin=True)
    kg = create_org(db, keyring, None, kind="kindergarten", name_kk="«Балдырған» балабақшасы",
                    name_ru="Детский сад «Балдырган»", region="Астана", bin=KINDERGARTEN_BIN)
    school = create_org(db, keyring, None, kind="school", name_kk="№ 45 мектеп-гимназия",
                        name_ru="Школа-гимназия № 45", region="Астана", bin=SCHOOL_BIN)
    db.flush()
    head = add_staff(db, None, kg, full_name="Гүлнар Әбенова", login="head@demo.sabidamu.kz", password=PASSWORD,
                     role="head", locale="kk")
    teacher = add_staff(db, None, kg, full_name="Сәуле Жұмабекова", login="teacher@demo.sabidamu.kz",
                        password=PASSWORD, role="teacher", locale="kk")
    teacher2 = add_staff(db, None, kg, full_name="Ольга Иванова", login="teacher2@demo.sabidamu.kz",
                         password=PASSWORD, role="teacher", locale="ru")
    school_head = add_staff(db, None, school, full_name="Бауыржан Темірханов", login="school@demo.sabidamu.kz",
                            password=PASSWORD, role="head", locale="kk")
    speech = add_staff(db, None, kg, full_name="Динара Құлжанова", login="speech@demo.sabidamu.kz", password=PASSWORD,
                       role="specialist", locale="kk")
    db.flush()
    db.exec(select(Membership).where(Membership.user_id == speech.id)).one().specialist_kind = "speech_therapist"
    for user in (head, teacher, teacher2, school_head, speech):  # the README's shared demo password stays valid
        user.must_change_password = False
    from .models import User
    for user in db.exec(select(User).where(User.must_change_password)).all():
        user.must_change_password = False  # the demo's passwords are published on purpose: no forced change
    pre = Group(org_id=kg.id, name="Күншуақ", age_group="preschool", academic_year=year)
    mid = Group(org_id=kg.id, name="Балапан", age_group="middle", academic_year=year)
    db.add_all([pre, mid])
    db.flush()
    db.add_all([GroupTeacher(group_id=pre.id, user_id=teacher.id), GroupTeacher(group_id=mid.id, user_id=teacher2.id)])
    org_key = active_key(db, keyring, "org", kg.id)
    db.flush()

    parent1 = _user(db, "Айгерім Серікова", "parent@demo.sabidamu.kz", "kk", phone=DEMO_PARENT_PHONE)
    parent2 = _user(db, "Елена Петрова", "parent2@demo.sabidamu.kz", "ru")
    names = [(n, "m") for n in BOYS] + [(n, "f") for n in GIRLS]
    rnd.shuffle(names)
    serial = 100
    for i, (name, sex) in enumerate(names):  # born in the pre-school year's range: 5 to 6 years old on 1 September
        birth = dt.date(year - 6, 9, 1) + dt.timedelta(days=rnd.randrange(0, 364))
        child = _child(db, keyring, org_key.id, name, birth, sex, serial + i, head)
        db.add(Enrollment(child_id=child.id, group_id=pre.id, status="active", requested_by=head.id,
                          decided_at=utcnow()))
        if name == "Әлихан Серіков":
            db.add(Guardianship(child_id=child.id, user_id=parent1.id))
            alikhan = child
        elif name == "Дана Есенова":
            dana = child
    for i, (name, sex) in enumerate(YOUNGER):
        birth = dt.date(year - 4, 9, 1) + dt.timedelta(days=rnd.randrange(0, 364))
        child = _child(db, keyring, org_key.id, name, birth, sex, 300 + i, head)
        db.add(Enrollment(child_id=child.id, group_id=mid.id, status="active", requested_by=head.id,
                          decided_at=utcnow()))
    _demo_consents(db, keyring, kg, head, teacher, speech, alikhan, dana, today)
    # Children at home, enrolled nowhere: sealed under each family's own key.
    for parent, name, sex, months in ((parent1, "Айша Серікова", "f", 20), (parent2, "Миша Петров", "m", 30)):
        family_key = active_key(db, keyring, "family", parent.id)
        db.flush()
        birth = today - dt.timedelta(days=int(months * 30.44))
        child = _child(db, keyring, family_key.id, name, birth, sex, 500 + months, parent)
        db.add(Guardianship(child_id=child.id, user_id=parent.id))


def guardian_of(keyring: Keyring, child: Child) -> str:
    """The name a parent signs a paper form with: the child's family name and an initial («Серіков А.»)."""
    from .services.children import open_child
    words = open_child(keyring, child, ("name", "birth_date")).name.split()
    return f"{words[-1]} {'АЕМГ'[len(words[0]) % 4]}." if words else "—"


def _demo_consents(db: Session, keyring: Keyring, kg, head, teacher, speech, alikhan, dana, today: dt.date) -> None:
    """Paper monitoring consents for the enrolled children; the teacher refers two children to the speech
    therapist: Дана's paper consent is recorded (the therapist sees her), Әлихан's waits for his parent."""
    from .models import Consent, Referral
    for child in db.exec(select(Child).where(Child.key_id == alikhan.key_id)).all():
        row = Consent(child_id=child.id, purpose="kindergarten_monitoring", recipient_org_id=kg.id, method="paper",
                      given_by=head.id, paper_date=today, key_id=child.key_id, parts=[])
        row.guardian_name_ct = keyring.seal(child.key_id, "consent", row.id, "guardian_name",
                                            guardian_of(keyring, child))
        db.add(row)
    for child, status in ((dana, "open"), (alikhan, "awaiting_consent")):
        ref = Referral(child_id=child.id, to_org_id=kg.id, to_user_id=speech.id, key_id=child.key_id, status=status,
                       created_by=teacher.id, created_by_role="teacher",
                       opened_at=utcnow() if status == "open" else None)
        ref.reason_ct = keyring.seal(child.key_id, "referral", ref.id, "reason",
                                     "Бірнеше дыбысты анық айтпайды (р, ш).")  # the teacher writes in Kazakh
        db.add(ref)
    row = Consent(child_id=dana.id, purpose="specialist_access", recipient_org_id=kg.id, recipient_user_id=speech.id,
                  parts=["screenings", "card"], method="paper", given_by=speech.id, paper_date=today,
                  key_id=dana.key_id)
    row.guardian_name_ct = keyring.seal(dana.key_id, "consent", row.id, "guardian_name", "Есенова Г.")
    db.add(row)
    db.flush()


# The pre-school group's teacher writes in Kazakh: one language per note.
MEASURES = {
    "physical": "Доппен ойындар, аптасына екі рет.",
    "communicative": "Сурет бойынша әңгіме құрау.",
    "cognitive": "1-ден 10-ға дейін санау ойындары.",
}


def demo_windows(today: dt.date) -> dict | None:
    """The demo kindergarten's own periods when no default period contains `today`: the next stage opens today
    (after the final stage, the final period runs to 31 August), so a newcomer can try the grid at once."""
    from .monitoring import STAGE_IDS, academic_year_of, current_stage, default_stage_windows, stage_window
    default = default_stage_windows()
    if current_stage(default, today) is not None:
        return None
    windows = {stage: [str(a), str(b)] for stage, (a, b) in default.as_dict().items()}
    year = academic_year_of(today)
    day = "02-28" if (today.month, today.day) == (2, 29) else today.strftime("%m-%d")  # 29 Feb is not every year's
    for stage in STAGE_IDS:
        if stage_window(default, year, stage)[0] > today:
            windows[stage][0] = day
            return windows
    windows["final"][1] = "08-31"
    return windows


def fill_monitoring(db: Session, keyring: Keyring, group: Group, actor: User, rnd: random.Random,
                    today: dt.date | None = None) -> int:
    """Levels for every skill at the stages of the group's year whose period has opened by `today` (all children
    for a closed period, every other child for the open one, so the grid still has cells to try), measures for
    some skill groups, and at the final stage the final levels derived from that stage's skill levels; LevelCount
    kept equal to a recount (services.monitoring's own helpers). Stages a child already has are left alone
    (idempotent). Returns the number of rows written."""
    from .models import CardStage
    from .monitoring import STAGE_IDS, derive_level, stage_window
    from .services.monitoring import _new_row, _recount_change, _seal_json, framework, org_windows

    fw = framework()
    today = today or dt.date.today()
    windows = org_windows(db.get(Organization, group.org_id))
    periods = {stage: stage_window(windows, group.academic_year, stage) for stage in STAGE_IDS}
    child_ids = sorted(db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group.id,
                                                                 Enrollment.status == "active")).all(), key=str)
    written = 0
    for number, child_id in enumerate(child_ids):
        child = db.get(Child, child_id)
        base = rnd.choice((1, 2, 2, 3))
        for index, stage in enumerate(STAGE_IDS):
            first, last = periods[stage]
            if today < first or (today <= last and number % 2):
                continue  # not opened yet; or open now, and this child is left for the newcomer to enter
            exists = db.exec(select(CardStage.id).where(CardStage.child_id == child.id,
                                                        CardStage.academic_year == group.academic_year,
                                                        CardStage.stage == stage)).first()
            if exists is not None:
                continue
            levels = {}
            for sg in fw.skill_group_ids:
                for skill in fw.skills(group.age_group, sg):
                    levels[skill.id] = max(1, min(3, base + rnd.choice((0, 0, index, -1 if index == 0 else 1))))
            row = _new_row(child, group, stage)
            row.version, row.updated_by, row.updated_at = 1, actor.id, utcnow()
            db.add(row)
            _seal_json(keyring, row, "levels", levels)
            _seal_json(keyring, row, "measures", {sg: text for sg, text in MEASURES.items() if rnd.random() < 0.7})
            final = None
            if stage == "final":  # the teacher's final level of each area follows the final stage's skills
                final = {sg: derive_level(levels.get(s.id) for s in fw.skills(group.age_group, sg)).level
                         for sg in fw.skill_group_ids}
            _seal_json(keyring, row, "final_levels", final)
            db.flush()
            _recount_change(db, fw, group, row, None, None, levels)
            written += 1
    return written


def ensure_transfer_demo(db: Session, keyring: Keyring, today: dt.date) -> None:
    """The pre-school group ready to be handed to the demo school: monitoring of all three stages, and each child's
    consent to the transfer, recorded as a paper consent by the head (most demo children have no parent account).
    Runs on every `flask demo` and adds only what is missing."""
    from .models.base import utcnow
    from .services.consent import Recipient, active_consent, record_paper

    kg = db.exec(select(Organization).where(Organization.bin == KINDERGARTEN_BIN)).first()
    school = db.exec(select(Organization).where(Organization.bin == SCHOOL_BIN)).first()
    from .services.auth import find_user
    head = find_user(db, "head@demo.sabidamu.kz")
    if kg is None or school is None or head is None:
        return
    if kg.stage_windows is None:  # the defaults, and none open today: open the next one (demo_windows)
        kg.stage_windows = demo_windows(today)
        db.flush()
    rnd = random.Random(2027)
    for group in db.exec(select(Group).where(Group.org_id == kg.id, Group.age_group == "preschool")).all():
        fill_monitoring(db, keyring, group, head, rnd, today)
        for child_id in db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group.id,
                                                                  Enrollment.status == "active")).all():
            if active_consent(db, child_id, "school_transfer", Recipient(school.id)) is not None:
                continue
            record_paper(db, keyring, head, child_id, org_id=kg.id, purpose="school_transfer", for_me=False,
                         parts=["home_observations"], paper_date=min(today, utcnow().date()),
                         guardian_name=guardian_of(keyring, db.get(Child, child_id)), school_id=school.id)
    db.flush()


def _analytics_demo(db: Session, keyring: Keyring, today: dt.date) -> None:
    from .demo_analytics import ensure_analytics_demo
    from .services.auth import find_user
    kg = db.exec(select(Organization).where(Organization.bin == KINDERGARTEN_BIN)).first()
    admin = find_user(db, "admin@demo.sabidamu.kz")
    if kg is None or admin is None:
        return
    school = db.exec(select(Organization).where(Organization.bin == SCHOOL_BIN)).first()
    ensure_analytics_demo(db, keyring, today, demo_kindergarten=kg, demo_school=school, actor=admin, password=PASSWORD,
                          make_child=_child, fill_monitoring=fill_monitoring, windows=kg.stage_windows)


def describe(db: Session) -> dict:
    kg = db.exec(select(Organization).where(Organization.bin == KINDERGARTEN_BIN)).one()
    school = db.exec(select(Organization).where(Organization.bin == SCHOOL_BIN)).one()
    groups = db.exec(select(Group).where(Group.org_id == kg.id).order_by(Group.name)).all()
    from .services.auth import find_user
    from .services.identity import login_of
    logins = []
    rows = db.exec(select(User, Membership.role, Organization)
                   .join(Membership, Membership.user_id == User.id)
                   .join(Organization, Organization.id == Membership.org_id)).all()
    for user, role, org in rows:
        login = login_of(user)
        if login.endswith("@demo.sabidamu.kz"):
            logins.append({"login": login, "password": PASSWORD, "role": role, "organization": org.name_ru})
    for email, role in (("parent@demo.sabidamu.kz", "parent"), ("parent2@demo.sabidamu.kz", "parent"),
                        ("admin@demo.sabidamu.kz", "admin"),
                        ("city-department@demo.sabidamu.kz", "education_department"),
                        ("district-department@demo.sabidamu.kz", "education_department")):
        logins.append({"login": email, "password": PASSWORD, "role": role, "organization": None})
    out = {"organizations": [{"id": str(kg.id), "name": kg.name_ru, "kind": kg.kind},
                             {"id": str(school.id), "name": school.name_ru, "kind": school.kind}],
           "groups": [], "logins": logins}
    for group in groups:
        child_ids = db.exec(select(Enrollment.child_id)
                            .where(Enrollment.group_id == group.id, Enrollment.status == "active")).all()
        out["groups"].append({"id": str(group.id), "name": group.name, "age_group": group.age_group,
                              "academic_year": group.academic_year, "children": [str(c) for c in child_ids]})
    parents = [u.id for u in (find_user(db, "parent@demo.sabidamu.kz"), find_user(db, "parent2@demo.sabidamu.kz")) if u]
    home = db.exec(select(Guardianship.child_id).where(Guardianship.user_id.in_(parents))).all()
    out["parents_children"] = [str(c) for c in home]
    return out
