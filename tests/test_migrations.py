"""Alembic: `upgrade head` on an empty database builds the schema, and the head matches the models."""
import contextlib

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import sabidamu.models  # noqa: F401
from sabidamu.db import alembic_config
from tests.conftest import PG_ADMIN_URL, TEST_DB


@contextlib.contextmanager
def _fresh_database(tmp_path):
    """The URL of an empty database (SQLite file or a new PostgreSQL database), dropped afterwards."""
    url, cleanup = _empty_db(tmp_path)
    try:
        yield url
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


def _empty_db(tmp_path):
    if TEST_DB != "postgresql":
        return f"sqlite:///{tmp_path / 'migrate.sqlite3'}", None
    import uuid
    name = f"sabidamu_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, (admin, name)


def test_upgrade_head_matches_models(tmp_path, database_template):
    with _fresh_database(tmp_path) as url:
        cfg = alembic_config(url)
        cfg.attributes["configure_logger"] = False
        command.upgrade(cfg, "head")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        engine.dispose()
        assert not diff, f"models and migrations differ: {diff}"
        assert set(SQLModel.metadata.tables) <= tables


def test_latest_revision_goes_down_and_up_again(tmp_path, database_template):
    """A rollback of the two newest migrations (0006: stored analytics tables; 0005: region clients, parents'
    exports) and their repeat work, and the schema's rule 'one organization or one region' holds for a client row."""
    with _fresh_database(tmp_path) as url:
        cfg = alembic_config(url)
        cfg.attributes["configure_logger"] = False
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "0004")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert not {"analyticssnapshot", "analyticschange"} & set(sa.inspect(conn).get_table_names())
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert {"analyticssnapshot", "analyticschange"} <= set(sa.inspect(conn).get_table_names())
            columns = {c["name"]: c for c in sa.inspect(conn).get_columns("apiclient")}
            assert columns["org_id"]["nullable"] and "region" in columns
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO \"user\" (id, full_name, password_hash, is_admin, created_at) "
                "VALUES ('00000000000000000000000000000001', 'x', '!', false, CURRENT_TIMESTAMP)"
                if engine.dialect.name == "sqlite" else
                "INSERT INTO \"user\" (id, full_name, password_hash, is_admin, created_at) "
                "VALUES ('00000000-0000-0000-0000-000000000001', 'x', '!', false, CURRENT_TIMESTAMP)")
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO apiclient (id, user_id, name, scopes, secret_hash, created_at) VALUES "
                + ("('00000000000000000000000000000002', '00000000000000000000000000000001', 'n', '[]', 'h', "
                   "CURRENT_TIMESTAMP)" if engine.dialect.name == "sqlite" else
                   "('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'n', '[]', "
                   "'h', CURRENT_TIMESTAMP)"))
        engine.dispose()
