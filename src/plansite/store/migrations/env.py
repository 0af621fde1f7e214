"""Alembic environment: run migrations on the connection ``store/migrate.py`` hands over.

There is no alembic.ini: the URL comes from PlanSiteOS settings, so ``plansite db upgrade``
and the server's start-up migrate exactly the database the service uses.
"""

from __future__ import annotations

from alembic import context

from plansite.store.db import make_engine
from plansite.store.migrate import target_metadata

config = context.config


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata(),
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
