"""Typed settings, read once from the environment.

Each secret has one purpose (session signing, master key, blind index). In development the app makes
missing secrets itself and keeps them in instance/keys/ so that `make run` needs no setup; with
SABIDAMU_ENV=production it refuses to start on a missing or placeholder secret instead.
"""
from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDERS = {"", "change-me", "changeme", "secret", "dev", "placeholder", "xxx"}


class ConfigError(RuntimeError):
    """Raised when the app must not start with the settings it was given."""


@dataclass(frozen=True)
class Settings:
    env: str
    instance_dir: Path
    database_url: str
    secret_key: str
    master_keys_file: Path | None
    master_keys_env: str | None
    blind_index_key: bytes
    audit_checkpoint_file: Path
    proxy_hops: int = 0  # reverse proxies in front (their X-Forwarded-For/Proto are trusted)
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Ed25519 key that signs audit checkpoints (outside the database). None in production when unset:
    # `flask audit checkpoint` then refuses to run (see docs/audit.md).
    audit_signing_key_file: Path | None = None
    # HMAC-SHA256 key over each audit event's bytes, written with the event (outside the database, like the
    # master key). Development/tests: instance/keys/audit-mac.key; production refuses a missing one.
    audit_mac_key: bytes = b""
    # Origin line of the signed audit checkpoints (C2SP tlog-checkpoint); also the signing key's name.
    audit_origin: str = "sabidamu.kz/local/audit"
    # Addresses (IPs or networks) that may read /metrics; everyone else gets 404.
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    # Outgoing mail (password reset links). No host: mail is off (development only; see services/mail.py).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"  # none | starttls | ssl
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "SabiDamu <no-reply@localhost>"
    smtp_ca_file: Path | None = None  # a private CA for the mail server's certificate (else the system's)
    # The public address links in e-mails point to (never taken from the request's Host header).
    base_url: str = ""
    privacy_contact: str = ""  # e-mail shown on /privacy for questions about personal data
    # Seconds between runs of the audit log's sequencer (it numbers new events into the Merkle tree and signs a
    # checkpoint; docs/audit.md). Half a second keeps an event's lag to its checkpoint under 2 s at p99 under load
    # (a lag is up to one pause plus one round; docs/benchmarks.md); an idle round is one indexed query.
    audit_sequence_seconds: float = 0.5
    # The screening instruments' YAML files (the repository's screening_instruments/ unless set).
    instruments_dir: Path = REPO_ROOT / "screening_instruments"
    # Defaults for `flask audit backup`/`restore`: the age recipient backups are encrypted to, and the identity file.
    backup_recipient: str | None = None
    backup_identity_file: Path | None = None
    # Set when several worker processes serve /metrics (prometheus_client's multiprocess mode reads it too).
    prometheus_multiproc_dir: Path | None = None
    # The task queue (Huey; sabidamu/jobs/huey_app.py): empty = SQLite in the instance folder (one machine, `make
    # run`); redis://host:6379/0 in production (every node and consumer names the same one).
    queue_url: str = ""
    queue_workers: int = 2  # threads of one `flask queue consume`
    queue_retries: int = 3  # a failing task runs again this many times, after a delay that doubles
    queue_retry_delay: float = 10.0
    job_heartbeat_seconds: float = 10.0  # a running job writes this often; silent for 3 beats = its consumer died
    audit_sequencer: str = "consumer"  # who runs the 1-second audit sequencer: consumer | web
    queue_metrics_port: int = 0  # the consumer's own /metrics port for Prometheus (0 = none)
    # Minutes between the queue's refreshes of the stored district analytics (services/analytics/snapshots.py):
    # how old, at most, the counts an education department reads are after a save changes them.
    analytics_refresh_minutes: int = 5

    @property
    def production(self) -> bool:
        return self.env == "production"


def _read_or_create_secret(path: Path, nbytes: int) -> str:
    """Development only: a random secret kept in instance/keys/ (mode 0600)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = base64.b64encode(secrets.token_bytes(nbytes)).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def _decode_key(name: str, value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ConfigError(f"{name} must be base64") from exc
    if len(raw) < 32:
        raise ConfigError(f"{name} must hold at least 32 random bytes")
    return raw


def _audit_signing_key_file(env: dict, instance: Path, production: bool) -> Path | None:
    value = env.get("SABIDAMU_AUDIT_SIGNING_KEY_FILE", "").strip()
    if value:
        return Path(value)
    # Development: created on first use (0600). Production must name it; nothing is made up there.
    return None if production else instance / "keys" / "audit-signing.key"


def _networks(value: str) -> tuple[str, ...]:
    import ipaddress
    nets = tuple(part.strip() for part in value.split(",") if part.strip())
    for net in nets:
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError as exc:
            raise ConfigError(f"SABIDAMU_METRICS_ALLOW: {net!r} is not an address or network") from exc
    return nets


def load_settings(environ: dict | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    mode = env.get("SABIDAMU_ENV", "development")
    instance = Path(env.get("SABIDAMU_INSTANCE_DIR", REPO_ROOT / "instance"))
    production = mode == "production"

    def secret(name: str, dev_file: str, nbytes: int = 32) -> str:
        value = env.get(name, "").strip()
        if value.lower() in PLACEHOLDERS:
            if production:
                raise ConfigError(f"{name} is missing or a placeholder; refusing to start in production")
            value = _read_or_create_secret(instance / "keys" / dev_file, nbytes)
        return value

    secret_key = secret("SABIDAMU_SECRET_KEY", "session.key")
    if production and len(secret_key) < 32:
        raise ConfigError("SABIDAMU_SECRET_KEY must be at least 32 characters")
    blind_key = _decode_key("SABIDAMU_BLIND_INDEX_KEY", secret("SABIDAMU_BLIND_INDEX_KEY", "blind-index.key"))

    master_env = env.get("SABIDAMU_MASTER_KEYS", "").strip() or None
    master_file = env.get("SABIDAMU_MASTER_KEY_FILE", "").strip()
    if master_env is None and not master_file:
        if production:
            raise ConfigError("Set SABIDAMU_MASTER_KEY_FILE or SABIDAMU_MASTER_KEYS; refusing to start in production")
        master_file = str(instance / "keys" / "master.keys")
    master_path = Path(master_file) if master_file else None
    if production and master_path is not None and not master_path.exists():
        raise ConfigError(f"Master key file {master_path} does not exist")

    audit_mac_key = _decode_key("SABIDAMU_AUDIT_MAC_KEY", secret("SABIDAMU_AUDIT_MAC_KEY", "audit-mac.key"))
    installation = env.get("SABIDAMU_INSTALLATION", "").strip() or "local"
    audit_origin = env.get("SABIDAMU_AUDIT_ORIGIN", "").strip() or f"sabidamu.kz/{installation}/audit"
    if any(ch.isspace() or ch == "+" for ch in audit_origin):
        raise ConfigError("SABIDAMU_AUDIT_ORIGIN must have no spaces and no '+'")

    default_db = f"sqlite:///{instance / 'sabidamu.sqlite3'}"
    database_url = env.get("SABIDAMU_DATABASE_URL", "").strip() or default_db
    if production and database_url.startswith("sqlite") and env.get("SABIDAMU_ALLOW_SQLITE") != "1":
        raise ConfigError("Production runs on PostgreSQL: set SABIDAMU_DATABASE_URL (or SABIDAMU_ALLOW_SQLITE=1)")

    smtp_tls = env.get("SABIDAMU_SMTP_TLS", "starttls").strip().lower() or "starttls"
    if smtp_tls not in ("none", "starttls", "ssl"):
        raise ConfigError("SABIDAMU_SMTP_TLS must be none, starttls or ssl")
    smtp_host = env.get("SABIDAMU_SMTP_HOST", "").strip()
    smtp_port = env.get("SABIDAMU_SMTP_PORT", "").strip()
    smtp_ca = env.get("SABIDAMU_SMTP_CA_FILE", "").strip()
    try:
        audit_sequence_seconds = float(env.get("SABIDAMU_AUDIT_SEQUENCE_SECONDS", "").strip() or "0.5")
    except ValueError as exc:
        raise ConfigError("SABIDAMU_AUDIT_SEQUENCE_SECONDS must be a number of seconds") from exc
    queue = _queue_settings(env)

    return Settings(
        env=mode,
        instance_dir=instance,
        database_url=database_url,
        secret_key=secret_key,
        master_keys_file=master_path,
        master_keys_env=master_env,
        blind_index_key=blind_key,
        audit_checkpoint_file=Path(env.get("SABIDAMU_AUDIT_CHECKPOINTS", instance / "audit-checkpoints.jsonl")),
        audit_signing_key_file=_audit_signing_key_file(env, instance, production),
        audit_mac_key=audit_mac_key,
        audit_origin=audit_origin,
        proxy_hops=int(env.get("SABIDAMU_PROXY_HOPS", "0")),
        session_idle_minutes=int(env.get("SABIDAMU_SESSION_IDLE_MINUTES", "30")),
        session_absolute_hours=int(env.get("SABIDAMU_SESSION_ABSOLUTE_HOURS", "12")),
        metrics_allow=_networks(env.get("SABIDAMU_METRICS_ALLOW", "127.0.0.1/32,::1/128")),
        smtp_host=smtp_host,
        smtp_port=int(smtp_port) if smtp_port else {"ssl": 465, "none": 25}.get(smtp_tls, 587),
        smtp_tls=smtp_tls,
        smtp_user=env.get("SABIDAMU_SMTP_USER", "").strip(),
        smtp_password=env.get("SABIDAMU_SMTP_PASSWORD", ""),
        smtp_from=env.get("SABIDAMU_SMTP_FROM", "").strip() or "SabiDamu <no-reply@localhost>",
        smtp_ca_file=Path(smtp_ca) if smtp_ca else None,
        base_url=env.get("SABIDAMU_BASE_URL", "").strip().rstrip("/"),
        privacy_contact=env.get("SABIDAMU_PRIVACY_CONTACT", "").strip(),
        audit_sequence_seconds=audit_sequence_seconds,
        instruments_dir=instruments_dir(env),
        backup_recipient=env.get("SABIDAMU_BACKUP_RECIPIENT", "").strip() or None,
        backup_identity_file=_optional_path(env, "SABIDAMU_BACKUP_IDENTITY_FILE"),
        prometheus_multiproc_dir=_optional_path(env, "PROMETHEUS_MULTIPROC_DIR"),
        **queue,
    )


def _queue_settings(env: Mapping[str, str]) -> dict:
    url = env.get("SABIDAMU_QUEUE_URL", "").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://", "sqlite:///")):
        raise ConfigError("SABIDAMU_QUEUE_URL must be redis://..., rediss://..., unix://... or sqlite:///path")
    sequencer = env.get("SABIDAMU_AUDIT_SEQUENCER", "").strip() or "consumer"
    if sequencer not in ("consumer", "web"):
        raise ConfigError("SABIDAMU_AUDIT_SEQUENCER must be consumer or web")

    def number(name: str, default: str, kind=float):
        try:
            value = kind(env.get(name, "").strip() or default)
        except ValueError as exc:
            raise ConfigError(f"{name} must be a number") from exc
        if value < 0:
            raise ConfigError(f"{name} must not be negative")
        return value

    return {"queue_url": url, "audit_sequencer": sequencer,
            "queue_workers": max(1, number("SABIDAMU_QUEUE_WORKERS", "2", int)),
            "queue_retries": number("SABIDAMU_QUEUE_RETRIES", "3", int),
            "queue_retry_delay": number("SABIDAMU_QUEUE_RETRY_DELAY", "10"),
            "job_heartbeat_seconds": max(0.2, number("SABIDAMU_JOB_HEARTBEAT_SECONDS", "10")),
            "queue_metrics_port": number("SABIDAMU_QUEUE_METRICS_PORT", "0", int),
            "analytics_refresh_minutes": _refresh_minutes(number("SABIDAMU_ANALYTICS_REFRESH_MINUTES", "5", int))}


def _refresh_minutes(minutes: int) -> int:
    # The queue's clock is a cron of minutes: */N for N of 1..60 (a divisor of 60 keeps the pauses equal).
    if not 1 <= minutes <= 60:
        raise ConfigError("SABIDAMU_ANALYTICS_REFRESH_MINUTES must be from 1 to 60")
    return minutes


def instruments_dir(environ: dict | None = None) -> Path:
    """SABIDAMU_INSTRUMENTS_DIR, else the repository's screening_instruments/ (for commands run without an app)."""
    env = os.environ if environ is None else environ
    return _optional_path(env, "SABIDAMU_INSTRUMENTS_DIR") or REPO_ROOT / "screening_instruments"


def named_variable(name: str, environ: dict | None = None) -> str | None:
    """A variable the operator names on the command line (`flask backup restore --passphrase-env NAME`)."""
    return (os.environ if environ is None else environ).get(name)


def _optional_path(env: Mapping[str, str], name: str) -> Path | None:
    value = env.get(name, "").strip()
    return Path(value) if value else None
