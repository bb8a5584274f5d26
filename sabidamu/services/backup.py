"""Encrypted backups of the database, taken while the app runs, and restoring them.

A backup file is an age-encrypted (C2SP age, via pyrage) tar archive holding:
  manifest.json     format, database kind, time, alembic revision, row counts per table, sha256 of the dump
  database.sqlite3  a consistent copy made with SQLite's online backup API   (SQLite)
  database.pgdump   `pg_dump -Fc` (one consistent snapshot)                    (PostgreSQL)

The master key file and the audit checkpoint signing key are NOT in the backup: a backup alone opens
nothing sealed (every personal field stays ciphertext), and restoring needs the master key file kept
separately (see docs/threat_model.md). Restoring refuses a non-empty database unless told to
overwrite it; a damaged file, a wrong key or a manifest that does not match the dump is refused before
anything is written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyrage
import sqlalchemy as sa
from sqlmodel import SQLModel

FORMAT = "sabidamu-backup-v1"
MAX_BACKUP_BYTES = 4 * 1024**3
_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_CORE_TABLES = ("user", "child", "auditevent", "organization")


class BackupError(RuntimeError):
    """`code`: 'decrypt' (wrong key or not an age file), 'corrupt', 'not_empty', 'config', 'tool'."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Keys:
    recipients: list  # for create: pyrage recipients (X25519) or empty with a passphrase
    identities: list  # for restore
    passphrase: str | None = None


def load_keys(recipient: str | None = None, identity_file: str | None = None,
              passphrase: str | None = None) -> Keys:
    recipients, identities = [], []
    try:
        if recipient:
            recipients = [pyrage.x25519.Recipient.from_str(r.strip()) for r in recipient.split(",") if r.strip()]
        if identity_file:
            lines = [ln.strip() for ln in Path(identity_file).read_text().splitlines()
                     if ln.strip() and not ln.startswith("#")]
            identities = [pyrage.x25519.Identity.from_str(ln) for ln in lines]
    except (pyrage.RecipientError, pyrage.IdentityError, OSError, ValueError) as exc:
        raise BackupError("config", f"bad backup key: {exc}") from exc
    return Keys(recipients, identities, passphrase or None)


def dialect_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def _sqlite_path(url: str) -> Path:
    return Path(sa.engine.make_url(url).database)


def _pg_url(url: str) -> str:
    """libpq form for pg_dump/pg_restore (no SQLAlchemy driver suffix)."""
    u = sa.engine.make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def row_counts(engine: sa.Engine) -> dict[str, int]:
    names = set(sa.inspect(engine).get_table_names())
    counts = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in names:
                counts[table.name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return counts


def _revision(engine: sa.Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


def _dump(url: str, workdir: Path) -> Path:
    kind = dialect_of(url)
    target = workdir / _MEMBERS[kind]
    if kind == "sqlite":
        src = sqlite3.connect(f"file:{_sqlite_path(url)}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # a consistent snapshot even while the app writes (WAL)
        finally:
            dst.close()
            src.close()
        return target
    try:
        subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(target), _pg_url(url)], check=True,
                       capture_output=True, timeout=3600)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError("tool", f"pg_dump failed: {getattr(exc, 'stderr', b'') or exc}") from exc
    return target


def create_backup(engine: sa.Engine, url: str, out: Path, keys: Keys) -> dict:
    """Write an encrypted backup to `out` (mode 0600); returns the manifest."""
    if not keys.recipients and not keys.passphrase:
        raise BackupError("config", "no backup recipient or passphrase given")
    with tempfile.TemporaryDirectory(prefix="sabidamu-backup-") as tmp:
        dump = _dump(url, Path(tmp))
        body = dump.read_bytes()
        manifest = {"format": FORMAT, "database": dialect_of(url), "member": dump.name,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(), "alembic_revision": _revision(engine),
                    "row_counts": row_counts(engine), "sha256": hashlib.sha256(body).hexdigest(),
                    "not_included": ["master key file", "audit checkpoint signing key", "audit checkpoint file"]}
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            for name, data in (("manifest.json", json.dumps(manifest, indent=2).encode()), (dump.name, body)):
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o600
                tar.addfile(info, io.BytesIO(data))
    plain = archive.getvalue()
    try:
        sealed = (pyrage.encrypt(plain, keys.recipients) if keys.recipients
                  else pyrage.passphrase.encrypt(plain, keys.passphrase))
    except pyrage.EncryptError as exc:
        raise BackupError("config", f"encryption failed: {exc}") from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(sealed)
        fh.flush()
        os.fsync(fh.fileno())
    return manifest


def open_backup(path: Path, keys: Keys) -> tuple[dict, bytes]:
    """Decrypt and check a backup completely (nothing is written): (manifest, database dump)."""
    if path.stat().st_size > MAX_BACKUP_BYTES:
        raise BackupError("corrupt", "the file is larger than any backup this tool writes")
    data = path.read_bytes()
    try:
        if keys.identities:
            plain = pyrage.decrypt(data, keys.identities)
        elif keys.passphrase:
            plain = pyrage.passphrase.decrypt(data, keys.passphrase)
        else:
            raise BackupError("config", "no backup identity or passphrase given")
    except pyrage.DecryptError as exc:
        raise BackupError("decrypt", "cannot decrypt the backup: wrong key or passphrase, or the file is "
                                     f"damaged or not an age file ({exc})") from exc
    try:
        with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
            manifest = json.loads(tar.extractfile(members["manifest.json"]).read())
            body = tar.extractfile(members[manifest["member"]]).read()
    except (tarfile.TarError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise BackupError("corrupt", f"the backup archive is damaged or not a SabiDamu backup ({exc})") from exc
    if manifest.get("format") != FORMAT or manifest.get("member") != _MEMBERS.get(manifest.get("database")):
        raise BackupError("corrupt", "not a SabiDamu backup of a known format")
    if hashlib.sha256(body).hexdigest() != manifest.get("sha256"):
        raise BackupError("corrupt", "the database dump does not match its checksum")
    return manifest, body


def is_empty(engine: sa.Engine) -> bool:
    names = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        for name in _CORE_TABLES:
            if name in names and conn.execute(sa.text(f'SELECT 1 FROM "{name}" LIMIT 1')).first():
                return False
    return True


def restore_backup(engine: sa.Engine, url: str, path: Path, keys: Keys, *, overwrite: bool) -> dict:
    """Restore into the configured database (empty, or anything with overwrite). Returns the manifest."""
    manifest, body = open_backup(path, keys)
    kind = dialect_of(url)
    if manifest["database"] != kind:
        raise BackupError("config", f"this backup is of a {manifest['database']} database; the configured one "
                                    f"is {kind}")
    if not overwrite and not is_empty(engine):
        raise BackupError("not_empty", "the database is not empty: restore into an empty one, or pass --yes "
                                       "to replace its contents")
    with tempfile.TemporaryDirectory(prefix="sabidamu-restore-") as tmp:
        dump = Path(tmp) / manifest["member"]
        dump.write_bytes(body)
        if kind == "sqlite":
            _restore_sqlite(engine, url, dump)
        else:
            _restore_pg(url, dump)
    counts = row_counts(engine)
    if counts != manifest["row_counts"]:
        raise BackupError("corrupt", f"restored row counts differ from the manifest: {counts}")
    return manifest


def _restore_sqlite(engine: sa.Engine, url: str, dump: Path) -> None:
    src = sqlite3.connect(dump)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("corrupt", "the database in the backup fails SQLite's integrity check")
        engine.dispose()  # no pooled connection may hold the old file open
        dst = sqlite3.connect(_sqlite_path(url))
        try:
            src.backup(dst)  # replaces the whole database in one step
        finally:
            dst.close()
    finally:
        src.close()


def _restore_pg(url: str, dump: Path) -> None:
    try:
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "-d", _pg_url(url), str(dump)], check=True, capture_output=True, timeout=3600)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError("tool", f"pg_restore failed: {getattr(exc, 'stderr', b'') or exc}") from exc
