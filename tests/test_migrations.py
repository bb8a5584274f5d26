"""Alembic: `upgrade head` on an empty database builds the schema, and the head matches the models."""
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import sabidamu.models  # noqa: F401
from sabidamu.db import alembic_config
from tests.conftest import PG_ADMIN_URL, TEST_DB


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
    url, cleanup = _empty_db(tmp_path)
    try:
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
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
