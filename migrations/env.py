"""Alembic environment on SQLModel.metadata; the URL comes from SabiDamu's settings."""
from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import sabidamu.models  # noqa: F401  (registers every table)
from sabidamu.config import load_settings
from sabidamu.db import make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or load_settings().database_url
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()  # the pool's connection would otherwise be dropped open (psycopg's ResourceWarning)


def render_item(type_, obj, autogen_context):
    """Render our aware-UTC column type so generated migrations import and rebuild it as it is."""
    from sabidamu.models.base import UTCDateTime
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import sabidamu.models.base")
        return "sabidamu.models.base.UTCDateTime()"
    return False


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite", render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
