"""Engines and schema. SQLite (WAL, through aiosqlite) by default, PostgreSQL through psycopg.

At run time the bot only uses an `AsyncEngine`: a query waits in the database driver's own
thread (aiosqlite) or socket (psycopg), never on the event loop, so a locked or slow database
delays only the user whose query waits. The schema is prepared once at start-up, before the
event loop runs, with a short-lived synchronous engine on the same URL.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel, create_engine

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

logger = logging.getLogger(__name__)

# How long a write waits for another writer's lock before the user is asked to try again.
BUSY_TIMEOUT_SECONDS = 5
# How long a query waits for a free pooled connection.
POOL_TIMEOUT_SECONDS = 10
# Connections kept open (plus overflow) for concurrent users' queries.
POOL_SIZE = 5
POOL_OVERFLOW = 5


class DatabaseError(Exception):
    """DATABASE_URL is unusable; the message is one line and never contains the URL."""


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
        parsed.get_backend_name()
    except (ArgumentError, ValueError):
        raise DatabaseError("DATABASE_URL is invalid: not a SQLAlchemy database URL") from None
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in {
        "psycopg2",
        "",
    }:
        # psycopg (3) serves both the start-up engine and the async one on the same URL.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _missing_module(error: BaseException) -> DatabaseError:
    name = getattr(error, "name", None) or "for this database"
    return DatabaseError(
        f"DATABASE_URL needs the Python module {name}, which is not installed "
        "(PostgreSQL works as postgresql+psycopg://…)"
    )


def _sqlite_file(url: URL) -> Path | None:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        return Path(url.database)
    return None


def _connect_args(url: URL) -> dict[str, Any]:
    if _is_sqlite(url):
        return {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
    if url.get_backend_name() == "postgresql":
        # A row or table lock held elsewhere fails the statement instead of hanging it.
        return {"options": f"-c lock_timeout={BUSY_TIMEOUT_SECONDS * 1000}"}
    return {}


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def prepare_database(url: str) -> None:
    """Create the SQLite file owner-only, create missing tables and columns, and check that
    the database can be written: any problem is one DatabaseError line, before the bot starts."""
    parsed = _parse(url)
    path = _sqlite_file(parsed) if _is_sqlite(parsed) else None
    if path is not None:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Owner-only from the start; SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        except OSError as error:
            raise DatabaseError(
                f"cannot write the database file {path} ({error.strerror or 'not writable'})"
            ) from None
    try:
        engine = create_engine(parsed, connect_args=_connect_args(parsed), pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise _missing_module(error) from None
    if _is_sqlite(parsed):
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        SQLModel.metadata.create_all(engine)
        _add_missing_columns(engine)
        _check_writable(engine)
    except SQLAlchemyError as error:
        # The message may quote the URL (and its password): only the kind is logged.
        logger.debug("Database error at start-up: %s", type(error).__name__)
        if path is not None:
            raise DatabaseError(
                f"cannot write the database file {path} (read-only file or folder?)"
            ) from None
        raise DatabaseError(
            "cannot open the database at DATABASE_URL (is the server up?)"
        ) from None
    finally:
        engine.dispose()


def build_engine(url: str) -> AsyncEngine:
    """The run-time engine: every query is awaited, none runs on the event loop."""
    parsed = _parse(url)
    if _is_sqlite(parsed):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    try:
        engine = create_async_engine(
            parsed,
            connect_args=_connect_args(parsed),
            pool_pre_ping=not _is_sqlite(parsed),
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=POOL_TIMEOUT_SECONDS,
        )
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise _missing_module(error) from None
    if _is_sqlite(parsed):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _check_writable(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS write_check (x INTEGER)"))
        connection.execute(text("DROP TABLE write_check"))


def _add_missing_columns(engine: Engine) -> None:
    """Additive changes need no migration tool (anything else will)."""
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
