"""Benchmark data and servers: a seeded SQLite instance, gunicorn on loopback, and a signed-in cookie.

Reused by every benchmark (keep the API):
  seed(instance_dir, children=10000, groups=400) -> dict   idempotent; ids and logins
  serve(instance_dir, app_module="app:app", port=None)     context manager yielding base_url
  login_cookie(base_url, login, password) -> str           "name=value" for a Cookie header

The seed builds rows directly (one Argon2id hash reused by every account, children sealed with the app's
Keyring and blind index, bulk inserts in batches) so 10,000 children take seconds, not minutes.
Run alone: .venv/bin/python bench/seed.py [INSTANCE_DIR] [--children N] [--groups N]
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html.parser
import http.cookiejar
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_INSTANCE = REPO_ROOT / "build" / "bench" / "instance"
MARKER = "bench-seed.json"
PASSWORD = "SabiDamu-bench-2026"
GROUPS_PER_ORG = 10
BATCH = 1000
GUNICORN = REPO_ROOT / ".venv" / "bin" / "gunicorn"

FIRST_M = ["Әлихан", "Нұрсұлтан", "Ерасыл", "Дамир", "Арсен", "Иван", "Максим", "Ислам", "Алдияр", "Тимур",
           "Ержан", "Нұрислам", "Артём", "Рамазан", "Санжар", "Данияр"]
FIRST_F = ["Айым", "Інжу", "Аружан", "Жансая", "Томирис", "Анна", "София", "Дана", "Әмина", "Мария",
           "Айсұлу", "Ева", "Мадина", "Ақбота", "Зере", "Өмірзая"]
LAST = ["Серіков", "Әбдіров", "Қасымов", "Жұмабаев", "Төлеуов", "Петров", "Ковалёв", "Бекенов", "Ахметов",
        "Мұхтаров", "Оспанов", "Соколов", "Исаев", "Ғалымжанов", "Құрманов", "Есенов"]


def bench_environ(instance_dir: Path) -> dict:
    """The process environment with every SABIDAMU_* setting removed but the instance dir: the benchmark
    always runs on its own SQLite file and the development keys kept in that instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SABIDAMU_")}
    env["SABIDAMU_INSTANCE_DIR"] = str(Path(instance_dir).resolve())
    return env


def _female_name(last: str) -> str:
    return last + "а"  # Серіков -> Серікова, Ахметов -> Ахметова (every surname in LAST ends in -ов/-ев/-ёв)


def seed(instance_dir: Path, children: int = 10000, groups: int = 400) -> dict:
    """Seeds `children` children in `groups` groups (10 groups per kindergarten) into a SQLite instance.

    Idempotent: an instance already seeded with the same sizes is reused as it is. Returns
    {"org_id", "head_login", "teacher_login", "parent_login", "password", "group_ids", "parent_child_ids"}:
    the head of the first kindergarten, the teacher of its first group, and a parent of two of its children.
    """
    instance_dir = Path(instance_dir).resolve()
    marker = instance_dir / MARKER
    if marker.exists():
        info = json.loads(marker.read_text())
        if info.get("children") == children and info.get("groups") == groups:
            _migrate(instance_dir)  # migrations added since the seed apply to the reused instance too
            print(f"seed: reusing {instance_dir} ({children} children, {groups} groups)", flush=True)
            return info["result"]
        raise RuntimeError(f"{instance_dir} was seeded with other sizes ({info.get('children')} children, "
                           f"{info.get('groups')} groups); remove it or use another instance dir")
    if groups < 1 or children < 2:
        raise ValueError("need at least one group and two children")
    instance_dir.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    from sqlmodel import select

    from sabidamu import create_app
    from sabidamu.db import session_scope
    from sabidamu.models import Child

    app = create_app(environ=bench_environ(instance_dir))
    url = app.config["DATABASE_URL"]
    if not url.startswith("sqlite"):
        raise RuntimeError("the benchmark seeds SQLite only")
    _migrate(instance_dir)
    engine = app.extensions["sabidamu.engine"]
    keyring = app.extensions["sabidamu.keyring"]
    t_setup = time.perf_counter()
    with app.app_context(), session_scope(engine) as db:
        if db.exec(select(Child.id).limit(1)).first() is not None:
            raise RuntimeError(f"{instance_dir} holds children but no {MARKER}; use an empty instance dir")
        result, timings = _build(db, keyring, children, groups)
        t_commit = time.perf_counter()
    t_end = time.perf_counter()
    timings["commit"] = t_end - t_commit
    timings["setup (app, migrations)"] = t_setup - t0
    timings["total"] = t_end - t0
    marker.write_text(json.dumps({"children": children, "groups": groups, "timings": timings,
                                  "result": result}, indent=2))
    print(f"seed: {children} children in {groups} groups into {instance_dir} in {timings['total']:.1f} s "
          + "(" + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items() if k != "total") + ")", flush=True)
    return result


def _migrate(instance_dir: Path) -> None:
    from alembic import command

    from sabidamu.config import load_settings
    from sabidamu.db import alembic_config
    url = load_settings(bench_environ(instance_dir)).database_url
    command.upgrade(alembic_config(url), "head")


def _build(db, keyring, n_children: int, n_groups: int) -> tuple[dict, dict]:
    import sqlalchemy as sa

    from sabidamu.crypto.blind_index import iin_index
    from sabidamu.iin import make_iin
    from sabidamu.models import AGE_GROUPS, Child, Enrollment, Group, GroupTeacher, Guardianship, Membership, User
    from sabidamu.models.base import utcnow
    from sabidamu.passwords import hash_password
    from sabidamu.services.children import TABLE
    from sabidamu.services.keys import active_key
    from sabidamu.services.orgs import create_org

    timings: dict[str, float] = {}
    t = time.perf_counter()
    rnd = random.Random(2026)
    now = utcnow()
    today = now.date()
    year = today.year if today.month >= 9 else today.year - 1
    pw_hash = hash_password(PASSWORD)  # one Argon2id hash for every seeded account
    timings["password hash"] = time.perf_counter() - t

    t = time.perf_counter()
    n_orgs = max(1, -(-n_groups // GROUPS_PER_ORG))
    orgs = [create_org(db, keyring, None, kind="kindergarten", name_kk=f"№ {i + 1} балабақша",
                       name_ru=f"Детский сад № {i + 1}", region="Астана", bin=None) for i in range(n_orgs)]
    db.flush()
    keys = {org.id: active_key(db, keyring, "org", org.id).id for org in orgs}
    from sabidamu.services.identity import seal_identity
    head = User(password_hash=pw_hash, locale="kk")
    seal_identity(db, head, name="Гүлнар Әбенова", email="head@bench.sabidamu.kz", phone=None, readable_name=True,
                  keyring=keyring)
    teacher = User(password_hash=pw_hash, locale="kk")
    seal_identity(db, teacher, name="Сәуле Жұмабекова", email="teacher@bench.sabidamu.kz", phone=None,
                  readable_name=True, keyring=keyring)
    parent = User(password_hash=pw_hash, locale="kk")
    seal_identity(db, parent, name="Айгерім Серікова", email="parent@bench.sabidamu.kz", phone=None,
                  readable_name=False, keyring=keyring)
    db.add_all([head, teacher, parent])
    db.flush()
    db.add_all([Membership(user_id=head.id, org_id=orgs[0].id, role="head"),
                Membership(user_id=teacher.id, org_id=orgs[0].id, role="teacher")])
    group_rows = []
    for i in range(n_groups):
        age_index = i % len(AGE_GROUPS)
        group_rows.append(Group(org_id=orgs[i // GROUPS_PER_ORG].id, name=f"Топ {i + 1:03d}",
                                age_group=AGE_GROUPS[age_index], academic_year=year))
    db.add_all(group_rows)
    db.flush()
    db.add(GroupTeacher(group_id=group_rows[0].id, user_id=teacher.id))
    db.flush()
    timings["orgs, users, groups"] = time.perf_counter() - t

    t = time.perf_counter()
    child_table, enrol_table = Child.__table__, Enrollment.__table__
    seen_iins: set[str] = set()
    child_rows: list[dict] = []
    enrol_rows: list[dict] = []
    first_group_children: list[uuid.UUID] = []
    seal_time = 0.0
    conn = db.connection()
    for i in range(n_children):
        g_index = i % n_groups  # round robin: 10,000 / 400 = 25 per group
        group = group_rows[g_index]
        sex = "m" if rnd.random() < 0.5 else "f"
        last = rnd.choice(LAST)
        name = f"{rnd.choice(FIRST_M)} {last}" if sex == "m" else f"{rnd.choice(FIRST_F)} {_female_name(last)}"
        age_years = 2 + AGE_GROUPS.index(group.age_group)  # early ~2, ..., preschool ~6 on 1 September
        birth = dt.date(year - age_years, 9, 1) + dt.timedelta(days=rnd.randrange(0, 365))
        serial = i
        iin = make_iin(birth, sex, serial)
        while iin in seen_iins:
            serial += 1
            iin = make_iin(birth, sex, serial)
        seen_iins.add(iin)
        child_id = uuid.uuid4()
        key_id = keys[group.org_id]
        s = time.perf_counter()
        sealed = {f"{field}_ct": keyring.seal(key_id, TABLE, child_id, field, value)
                  for field, value in (("name", name), ("birth_date", birth.isoformat()), ("iin", iin), ("sex", sex),
                                       ("gestational_weeks", None), ("notes", None))}
        index = iin_index(keyring.blind_index_key, iin)
        seal_time += time.perf_counter() - s
        child_rows.append({"id": child_id, "key_id": key_id, **sealed, "iin_index": index, "created_by": head.id,
                           "created_at": now, "version": 1})
        enrol_rows.append({"id": uuid.uuid4(), "child_id": child_id, "group_id": group.id, "status": "active",
                           "requested_by": head.id, "created_at": now, "decided_at": now})
        if g_index == 0:
            first_group_children.append(child_id)
        if len(child_rows) >= BATCH:
            conn.execute(sa.insert(child_table), child_rows)
            conn.execute(sa.insert(enrol_table), enrol_rows)
            child_rows, enrol_rows = [], []
    if child_rows:
        conn.execute(sa.insert(child_table), child_rows)
        conn.execute(sa.insert(enrol_table), enrol_rows)
    timings["children (seal + insert)"] = time.perf_counter() - t
    timings["of which sealing + blind index"] = seal_time

    # The parent has two children, both in the first kindergarten (the second in another group if there is one).
    if n_groups > 1:
        second = next(c for c in _children_of(db, group_rows[1].id))
    else:
        second = first_group_children[1]
    parent_children = [first_group_children[0], second]
    db.add_all([Guardianship(child_id=c, user_id=parent.id, created_at=now) for c in parent_children])
    db.flush()
    result = {"org_id": str(orgs[0].id), "head_login": "head@bench.sabidamu.kz",
              "teacher_login": "teacher@bench.sabidamu.kz",
              "parent_login": "parent@bench.sabidamu.kz", "password": PASSWORD,
              "group_ids": [str(g.id) for g in group_rows], "parent_child_ids": [str(c) for c in parent_children]}
    return result, timings


def _children_of(db, group_id):
    from sqlmodel import select

    from sabidamu.models import Enrollment
    return db.exec(select(Enrollment.child_id).where(Enrollment.group_id == group_id)).all()


# --- servers ---------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base_url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(base_url + "/", timeout=2) as resp:
                resp.read()
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {base_url} within {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # the gunicorn master stops its workers
    try:
        proc.wait(timeout=15)
        return
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # the group we started (start_new_session) and nothing else
    proc.wait(timeout=10)


@contextlib.contextmanager
def serve(instance_dir, app_module: str = "app:app", port: int | None = None, workers: int = 2):
    """Starts gunicorn (sync workers, 2 by default) on 127.0.0.1 from the repository root, with
    SABIDAMU_INSTANCE_DIR pointing at `instance_dir`; yields the base URL; always stops it."""
    instance_dir = Path(instance_dir).resolve()
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_dir = instance_dir.parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"gunicorn-{app_module.replace(':', '_').replace('.', '_')}-{port}.log"
    cmd = [str(GUNICORN), "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
           "--chdir", str(REPO_ROOT), "--log-level", "warning", "--error-logfile", str(log_path),
           "--graceful-timeout", "5", "--timeout", "60", app_module]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=bench_environ(instance_dir), stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_ready(base_url, proc)
        yield base_url
    finally:
        _stop(proc)


# --- signing in ------------------------------------------------------------------------------------------

class _CsrfFinder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token" and self.token is None:
            self.token = a.get("value")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login_cookie(base_url: str, login: str, password: str) -> str:
    """Signs in through the real /login form (CSRF token from the form, cookie kept) and returns the
    session cookie as "name=value", ready for `wrk -H "Cookie: ..."`."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    with opener.open(base_url + "/login", timeout=10) as resp:
        page = resp.read().decode()
    finder = _CsrfFinder()
    finder.feed(page)
    if not finder.token:
        raise RuntimeError("no csrf_token in the sign-in form")
    body = urllib.parse.urlencode({"csrf_token": finder.token, "login": login, "password": password}).encode()
    try:
        with opener.open(base_url + "/login", data=body, timeout=30) as resp:
            status = resp.status
    except urllib.error.HTTPError as exc:  # the redirect that follows a good sign-in lands here (not followed)
        status = exc.code
    if status != 302:
        raise RuntimeError(f"sign-in as {login} failed (HTTP {status})")
    cookies = [c for c in jar if c.name == "sabidamu"]
    if not cookies:
        raise RuntimeError("the sign-in set no session cookie")
    return f"{cookies[0].name}={cookies[0].value}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance_dir", nargs="?", type=Path, default=DEFAULT_INSTANCE)
    ap.add_argument("--children", type=int, default=10000)
    ap.add_argument("--groups", type=int, default=400)
    args = ap.parse_args(argv)
    info = seed(args.instance_dir, args.children, args.groups)
    shown = dict(info, group_ids=info["group_ids"][:3] + ["..."])
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
