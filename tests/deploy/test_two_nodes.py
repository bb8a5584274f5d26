"""Two app nodes and the queue's consumers as separate processes, the way production runs them (docs/deployment.md).

Two gunicorn nodes with instance folders of their own share one PostgreSQL database (created for this test), one
Redis and one master key file; a consumer process (`flask queue consume`) runs the tasks. A head starts a group
PDF on node A, follows it and downloads it from node B; the consumer is SIGKILLed mid-job and restarted and the
job still finishes (or is shown failed), never stuck; two consumers running at once never sign two checkpoints of
the same size.

Runs under CI=true (and fails there when Redis or PostgreSQL is missing); elsewhere it skips LOUDLY without them.
"""
from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CI = os.environ.get("CI") == "true"
PG_ADMIN_URL = os.environ.get("SABIDAMU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/14"
EXTRA_CHILDREN = 12  # enough cards that the PDF is still being made when the consumer is killed


def _missing() -> list[str]:
    missing = []
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        missing.append("Redis on 127.0.0.1:6379")
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        missing.append(f"PostgreSQL at {PG_ADMIN_URL}")
    if not (VENV_BIN / "gunicorn").exists():
        missing.append("gunicorn")
    return missing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}
        self.db_name = f"sabidamu_two_nodes_{uuid.uuid4().hex[:8]}"
        self.db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.db_name
        key_file = tmp / "master.keys"
        key_file.write_text("mk-deploy:" + base64.b64encode(os.urandom(32)).decode() + "\n")
        key_file.chmod(0o600)
        self.common = {
            "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(tmp)),
            "SABIDAMU_ENV": "development", "SABIDAMU_DATABASE_URL": self.db_url,
            "SABIDAMU_SECRET_KEY": "two-nodes-secret-" + "s" * 32,
            "SABIDAMU_MASTER_KEY_FILE": str(key_file),
            "SABIDAMU_BLIND_INDEX_KEY": base64.b64encode(b"\x22" * 32).decode(),
            "SABIDAMU_AUDIT_MAC_KEY": base64.b64encode(b"\x44" * 32).decode(),
            "SABIDAMU_AUDIT_SIGNING_KEY_FILE": str(tmp / "audit-signing.key"),
            "SABIDAMU_QUEUE_URL": REDIS_URL, "SABIDAMU_AUDIT_SEQUENCER": "consumer",
            "SABIDAMU_JOB_HEARTBEAT_SECONDS": "0.5", "SABIDAMU_QUEUE_RETRY_DELAY": "0.5",
            "SABIDAMU_AUDIT_SEQUENCE_SECONDS": "0.3",
        }
        self.ports = {"A": _free_port(), "B": _free_port()}

    def env(self, node: str) -> dict:
        return {**self.common, "SABIDAMU_INSTANCE_DIR": str(self.tmp / f"instance-{node}"),
                "SABIDAMU_AUDIT_CHECKPOINTS": str(self.tmp / f"checkpoints-{node}.txt")}

    def url(self, node: str) -> str:
        return f"http://127.0.0.1:{self.ports[node]}"

    def start(self, name: str, args: list[str], node: str) -> None:
        with open(self.tmp / f"{name}.log", "ab") as log:  # the child keeps its own copy of the descriptor
            self.procs[name] = subprocess.Popen(args, cwd=REPO, env=self.env(node), stdout=log, stderr=log)

    def start_node(self, node: str) -> None:
        self.start(f"node-{node}", [str(VENV_BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{self.ports[node]}",
                                    "--graceful-timeout", "2", "app:app"], node)

    def start_consumer(self, name: str) -> None:
        self.start(name, [str(VENV_BIN / "flask"), "--app", "app", "queue", "consume", "--workers", "1"], name)

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.tmp.glob("*.log"))


def _wait(predicate, what: str, cluster: Cluster, seconds: float = 90.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}\n{cluster.logs()}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    missing = _missing()
    if missing:
        message = "the two-node deployment test needs " + ", ".join(missing)
        if CI:
            pytest.fail(message)
        print(f"\n\n*** SKIPPED LOUDLY: {message} ***\n", file=sys.stderr)
        pytest.skip("SKIPPED LOUDLY: " + message)
    import redis
    from sqlmodel import SQLModel

    from sabidamu import create_app
    from sabidamu.db import alembic_config, session_scope
    from sabidamu.services.audit_admin import sequence_once
    from sabidamu.services.auth import start_session
    from tests import factories

    tmp = tmp_path_factory.mktemp("two-nodes")
    cluster = Cluster(tmp)
    redis.Redis.from_url(REDIS_URL).flushdb()  # db 14 is this test's own
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{cluster.db_name}"')
    try:
        from alembic.script import ScriptDirectory
        heads = ScriptDirectory.from_config(alembic_config(cluster.db_url)).get_heads()
        engine = sa.create_engine(cluster.db_url)
        SQLModel.metadata.create_all(engine)
        with engine.begin() as c:  # the schema is the models' own: marked at the migrations' head
            c.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
            for head in heads:
                c.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
        engine.dispose()
        # The world, written through the services by a third process's app (the seeding one), then a session of
        # the head: the nodes share SABIDAMU_SECRET_KEY, so the cookie signed here opens on both.
        seeder = create_app({"TESTING": True}, environ=cluster.env("seed"))
        with session_scope(seeder.extensions["sabidamu.engine"]) as db:
            keyring = seeder.extensions["sabidamu.keyring"]
            # build_world records the heads' TOTP secrets by e-mail for sign_in; this world's must not replace
            # those of the suite's own world (every later test's head would then fail its second step).
            saved_secrets = dict(factories.TOTP_SECRETS)
            try:
                world = factories.build_world(db, keyring)
            finally:
                factories.TOTP_SECRETS.clear()
                factories.TOTP_SECRETS.update(saved_secrets)
            for i in range(EXTRA_CHILDREN):
                factories.make_child(db, keyring, f"Бала {i} Тестова", group=world.groups["A"])
            db.commit()
            cluster.group_id = str(world.groups["A"].id)
            cluster.child_id = str(world.children["A"].id)
            token = start_session(db, db.merge(world.users["head1"]))
        cluster.cookie = seeder.session_interface.get_signing_serializer(seeder).dumps({"sid": token})
        settings = seeder.config["SETTINGS"]
        code, line = sequence_once(seeder.extensions["sabidamu.engine"], settings, create_key=True)  # the signing key
        assert code == 0, line
        seeder.extensions["sabidamu.engine"].dispose()
        for node in ("A", "B"):
            cluster.start_node(node)
        cluster.start_consumer("consumer-1")
        for node in ("A", "B"):
            _wait(lambda n=node: _ready(cluster, n), f"node {node} to be ready", cluster)
        yield cluster
    finally:
        cluster.stop_all()
        redis.Redis.from_url(REDIS_URL).flushdb()
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{cluster.db_name}" WITH (FORCE)')
        admin.dispose()


def _ready(cluster: Cluster, node: str) -> bool:
    import requests
    try:
        return requests.get(cluster.url(node) + "/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _browser(cluster: Cluster):
    import requests
    session = requests.Session()
    session.cookies.set("sabidamu", cluster.cookie, domain="127.0.0.1", path="/")
    return session


def _job(cluster: Cluster) -> dict | None:
    engine = sa.create_engine(cluster.db_url)
    try:
        with engine.connect() as c:
            row = c.execute(sa.text("SELECT state, attempts, done, total FROM job_result")).mappings().first()
            return dict(row) if row else None
    finally:
        engine.dispose()


def test_a_job_started_on_node_a_survives_its_consumer_and_downloads_from_node_b(cluster):
    browser = _browser(cluster)
    a, b = cluster.url("A"), cluster.url("B")
    page = browser.get(f"{a}/groups/{cluster.group_id}/report", timeout=30)
    assert page.status_code == 200, page.status_code
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) \
        or re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, "no CSRF token on the report page"
    started = browser.post(f"{a}/groups/{cluster.group_id}/cards.pdf", data={"lang": "ru", "csrf_token": csrf[1]},
                           allow_redirects=False, timeout=30)
    assert started.status_code == 303, started.text[:500]
    job_path = started.headers["Location"].removeprefix(a)

    # The consumer takes the job; it is killed (SIGKILL: no goodbye) while the PDF is being made.
    at_kill = _wait(lambda: (j := _job(cluster)) and j["attempts"] >= 1 and j, "the consumer to take the job", cluster)
    cluster.kill("consumer-1")
    assert at_kill["state"] == "running"
    # Followed on node B: still running (not lost, not failed) while no consumer lives.
    assert browser.get(f"{b}{job_path}/progress", timeout=10).json()["state"] in ("running", "done")

    cluster.start_consumer("consumer-2")
    progress = _wait(lambda: (d := browser.get(f"{b}{job_path}/progress", timeout=10).json())["state"] != "running"
                     and d, "the job to finish after the consumer's restart", cluster)
    assert progress["state"] == "done", progress
    body = browser.get(f"{b}{job_path}/download", timeout=30)
    assert body.status_code == 200 and body.content.startswith(b"%PDF")
    assert browser.get(f"{a}{job_path}/download", timeout=10).status_code == 404  # downloaded once, on any node
    assert _job(cluster) is None  # the sealed result is gone from the database


def test_two_consumers_never_sign_two_checkpoints_of_one_size(cluster):
    cluster.start_consumer("consumer-3")  # beside consumer-2: two consumers sequence at once
    browser = _browser(cluster)
    for i in range(12):  # audited card views on both nodes, in bursts, while both consumers sequence
        node = cluster.url("AB"[i % 2])
        assert browser.get(f"{node}/children/{cluster.child_id}", timeout=30).status_code == 200
        time.sleep(0.25)
    engine = sa.create_engine(cluster.db_url)
    try:
        def sequenced():
            with engine.connect() as c:
                return c.execute(sa.text("SELECT count(*) FROM auditevent WHERE leaf_index IS NULL "
                                         "AND chain_hash IS NULL")).scalar() == 0
        _wait(sequenced, "every audit event to be sequenced", cluster)
        with engine.connect() as c:
            notes = dict(c.execute(sa.text("SELECT tree_size, note FROM auditcheckpoint")).all())
    finally:
        engine.dispose()
    time.sleep(1)  # the consumers copy new checkpoints to their files after signing
    signed_in_files = 0
    for name in ("consumer-2", "consumer-3"):
        path = cluster.tmp / f"checkpoints-{name}.notes"  # audit_admin.notes_path: the copy outside the database
        text = path.read_text() if path.exists() else ""
        sizes = [int(size) for size in re.findall(r"^(\d+)$", text, re.M)]  # a note's second line is its size
        assert len(sizes) == len(set(sizes)), f"{name} wrote two checkpoints of one size: {sizes}"
        for size in sizes:  # ...and each is the one note of that size, signed once
            assert notes[size].strip() in text
        signed_in_files += len(sizes)
    assert len(notes) >= 2 and signed_in_files, cluster.logs()
