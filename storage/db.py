"""Engine creation and schema; SQLite (WAL) by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import SQLModel, create_engine

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

logger = logging.getLogger(__name__)


class DatabaseError(Exception):
    """DATABASE_URL is unusable; the message is one line and never contains the URL."""


def build_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ValueError):
        raise DatabaseError("DATABASE_URL is invalid: not a SQLAlchemy database URL") from None
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        name = getattr(error, "name", None) or "for this database"
        raise DatabaseError(
            f"DATABASE_URL needs the Python module {name}, which is not installed "
            "(PostgreSQL works as postgresql+psycopg://…)"
        ) from None
    if parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Owner-only from the start; SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def create_schema(engine: Engine) -> None:
    """Create missing tables, and add missing nullable columns to existing ones: additive
    changes need no migration tool (anything else will)."""
    try:
        SQLModel.metadata.create_all(engine)
        _add_missing_columns(engine)
    except SQLAlchemyError as error:
        # The message may quote the URL (and its password): only the kind is logged.
        logger.debug("Database error at start-up: %s", type(error).__name__)
        raise DatabaseError(
            "cannot open the database at DATABASE_URL (is the server up?)"
        ) from None


def _add_missing_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present or not column.nullable:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            with engine.begin() as connection:
                connection.execute(
                    text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
                )
            logger.warning("Added column %s.%s to the existing table", table.name, column.name)
