"""Alembic's environment for developers' commands (`alembic upgrade head`,
`alembic revision --autogenerate -m "…"`), on DATABASE_URL or the default SQLite file.

The bot never runs this file: storage.db.prepare_database upgrades programmatically, with the
same options (storage.db.migration_options)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import pool
from sqlmodel import create_engine

from storage.db import migration_options, parse_url

url = parse_url(os.environ.get("DATABASE_URL") or "sqlite:///data/bot.db")

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, **migration_options(url.get_backend_name()))
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **migration_options(connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
