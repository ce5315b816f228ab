"""Engines and schema. SQLite (WAL, through aiosqlite) by default, PostgreSQL through psycopg.

At run time the bot only uses an `AsyncEngine`: a query waits in the database driver's own
thread (aiosqlite) or socket (psycopg), never on the event loop, so a locked or slow database
delays only the user whose query waits. The schema is prepared once at start-up, before the
event loop runs, with a short-lived synchronous engine on the same URL: it upgrades the schema
through Alembic (storage/migrations), all or nothing, one process at a time.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import MetaData, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator
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


def parse_url(url: str) -> URL:
    """DATABASE_URL as the bot uses it (PostgreSQL through psycopg 3); DatabaseError if bad."""
    return _parse(url)


def migration_options(dialect_name: str) -> dict[str, Any]:
    """Alembic's options, shared by the bot's own upgrade and developers' `alembic` commands."""
    return {
        "target_metadata": SQLModel.metadata,
        # SQLite alters a table by copying it: autogenerate writes batch operations for it.
        "render_as_batch": dialect_name == "sqlite",
        "compare_type": True,
        "render_item": _render_item,
    }


def _render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    """Revisions name plain SQLAlchemy types (String, DateTime…), never the models' own
    (DecimalText, sqlmodel's AutoString): a revision must not change when the models do."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl_instance!r}"
    return False


def prepare_database(url: str, extra_versions: Path | None = None) -> None:
    """Create the SQLite file owner-only, check that the database can be written and upgrade
    its schema to the newest revision: any problem is one DatabaseError line, before the bot
    starts. `extra_versions`: one more folder of revisions (tests only)."""
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
        _prepare(engine, path, _scripts(extra_versions))
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


def _check_writable(connection: Connection) -> None:
    connection.execute(text("CREATE TABLE IF NOT EXISTS write_check (x INTEGER)"))
    connection.execute(text("DROP TABLE write_check"))
    connection.commit()


# --- migrations --------------------------------------------------------------------------------

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
# The revision a database made before migrations existed (tables, no alembic_version) is at.
BASELINE = "0001"
# pg_advisory_lock key ("SMMBOT"): one process upgrades, the others wait and find nothing to do.
UPGRADE_LOCK_KEY = 0x534D4D424F54
UPGRADE_LOCK_WAIT_SECONDS = 300
# Inside the upgrade, DDL may wait this long for a running bot's row locks to go.
UPGRADE_LOCK_TIMEOUT = "60s"


def head_revision(extra_versions: Path | None = None) -> str:
    """The revision this version of the bot upgrades databases to."""
    head = _scripts(extra_versions).get_current_head()
    assert head is not None
    return head


def _scripts(extra_versions: Path | None) -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    locations = [MIGRATIONS / "versions", *([extra_versions] if extra_versions else [])]
    config.set_main_option("version_locations", os.pathsep.join(map(str, locations)))
    return ScriptDirectory.from_config(config)


class _UpgradeFailed(Exception):
    def __init__(self, revision: str, error: BaseException) -> None:
        super().__init__(revision)
        self.revision = revision
        self.kind = type(error).__name__


def _prepare(engine: Engine, path: Path | None, scripts: ScriptDirectory) -> None:
    """Check that the database can be written, then bring its schema to head in one go: all
    or nothing (one transaction on PostgreSQL, a copy of the file put back on SQLite), by one
    process at a time (an advisory lock: two bots started together check and upgrade in
    turn)."""
    # Alembic's own INFO lines ("Context impl…", "Running upgrade…") would double ours.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    postgres = engine.dialect.name == "postgresql"
    if path is not None:
        _restore_interrupted(path)
    with engine.connect() as connection:
        if postgres:
            _lock(connection)
        try:
            _check_writable(connection)
            legacy, pending = _pending(connection, scripts)
            if not legacy and not pending:
                return
            backup = _backup(connection, path) if path is not None else None
            try:
                _apply(connection, scripts, legacy, pending)
            except _UpgradeFailed as failed:
                if backup is not None and path is not None:
                    connection.close()
                    engine.dispose()
                    _restore(backup, path)
                raise DatabaseError(
                    f"database upgrade to {failed.revision} failed ({failed.kind}); "
                    "the database was left as it was"
                ) from None
            if backup is not None:
                backup.unlink()
        finally:
            if postgres:
                _unlock(connection)


def _lock(connection: Connection) -> None:
    deadline = time.monotonic() + UPGRADE_LOCK_WAIT_SECONDS
    query = text("SELECT pg_try_advisory_lock(:key)")
    while not connection.execute(query, {"key": UPGRADE_LOCK_KEY}).scalar():
        if time.monotonic() > deadline:
            raise DatabaseError(
                "another process has been upgrading the database for "
                f"{UPGRADE_LOCK_WAIT_SECONDS // 60} minutes; try again when it is done"
            )
        connection.commit()
        time.sleep(0.5)
    connection.commit()  # the lock is the session's; only the query's transaction ends


def _unlock(connection: Connection) -> None:
    if connection.closed:
        return
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": UPGRADE_LOCK_KEY})
        connection.commit()
    except SQLAlchemyError:
        pass  # a lost connection took the lock with it


def _pending(connection: Connection, scripts: ScriptDirectory) -> tuple[bool, list[str]]:
    """Whether the database predates migrations, and the revisions to apply, oldest first."""
    heads = MigrationContext.configure(connection).get_current_heads()
    for head in heads:
        try:
            scripts.get_revision(head)
        except (CommandError, RevisionError):
            raise DatabaseError(
                f"the database was upgraded by a newer version of the bot (revision {head}); "
                "install that version"
            ) from None
    legacy = not heads and inspect(connection).has_table("users")
    connection.commit()
    lower = BASELINE if legacy else (heads[0] if heads else "base")
    revisions = scripts.iterate_revisions("head", lower)
    return legacy, [revision.revision for revision in reversed(list(revisions))]


def _apply(
    connection: Connection, scripts: ScriptDirectory, legacy: bool, pending: list[str]
) -> None:
    """Apply the pending revisions (after the baseline, for a database from before
    migrations) in one transaction; _UpgradeFailed names the revision that failed."""
    remaining = [BASELINE, *pending] if legacy else list(pending)

    def applied(
        ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Any
    ) -> None:
        revision = str(step.up_revision_id)
        logger.info("Database upgraded to revision %s (%s)", revision, _doc(scripts, revision))
        remaining.remove(revision)

    def steps(revision: Any, _context: MigrationContext) -> Any:
        return scripts._upgrade_revs("head", revision)

    environment = EnvironmentContext(Config(), scripts, fn=steps, destination_rev="head")
    try:
        with environment, connection.begin():
            if connection.dialect.name == "postgresql":
                lock_timeout = f"SET LOCAL lock_timeout = '{UPGRADE_LOCK_TIMEOUT}'"
                connection.execute(text(lock_timeout))
            environment.configure(
                connection=connection,
                on_version_apply=applied,
                **migration_options(connection.dialect.name),
            )
            if legacy:
                _baseline(connection, scripts)
                environment.get_context().stamp(scripts, BASELINE)
                logger.info("Database from before migrations brought to revision %s", BASELINE)
                remaining.remove(BASELINE)
            environment.run_migrations()
    except Exception as error:
        # The cause may quote the URL or the data: only its kind is shown and logged.
        logger.debug("Database upgrade failed: %s", type(error).__name__, exc_info=True)
        raise _UpgradeFailed(remaining[0] if remaining else "head", error) from None


def _doc(scripts: ScriptDirectory, revision: str) -> str:
    script = scripts.get_revision(revision)
    return script.doc if script is not None else ""


def _baseline(connection: Connection, scripts: ScriptDirectory) -> None:
    """What the bot did before migrations, frozen at the baseline's schema: create the
    missing tables, add the missing nullable columns (older installs)."""
    schema: MetaData = scripts.get_revision(BASELINE).module.schema()
    schema.create_all(connection, checkfirst=True)
    inspector = inspect(connection)
    for table in schema.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present or not column.nullable:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            connection.execute(
                text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
            )
            logger.warning("Added column %s.%s to the existing table", table.name, column.name)


def _backup(connection: Connection, path: Path) -> Path:
    """A copy of the SQLite file to put back if the upgrade fails (SQLite commits some DDL on
    its own, so a rollback alone could leave it half-migrated)."""
    # Everything in the main file first: the copy then needs no -wal beside it. Busy (another
    # process is reading or writing): the copy would miss commits, so nothing is done.
    busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    connection.commit()
    if busy is None or busy[0]:
        raise DatabaseError(
            f"cannot upgrade the database file {path}: another program is using it "
            "(stop it, then start the bot again); nothing was changed"
        )
    backup = _backup_of(path)
    try:
        shutil.copy2(path, backup)
    except OSError as error:
        backup.unlink(missing_ok=True)
        raise DatabaseError(
            f"cannot copy the database file aside before upgrading it to {backup} "
            f"({error.strerror or 'not writable'}); nothing was changed"
        ) from None
    return backup


def _backup_of(path: Path) -> Path:
    return path.with_name(path.name + ".before-upgrade")


def _restore_interrupted(path: Path) -> None:
    """A copy left from an upgrade that never finished (the process was killed in it): the
    file may be half-upgraded, so the copy is put back before upgrading again."""
    backup = _backup_of(path)
    if not backup.exists():
        return
    logger.warning(
        "A previous database upgrade was interrupted: %s restored from %s, then upgraded",
        path,
        backup.name,
    )
    try:
        _restore(backup, path)
    except OSError as error:
        raise DatabaseError(
            f"cannot put back {backup} after an interrupted upgrade "
            f"({error.strerror or 'not writable'}); move it over {path} by hand"
        ) from None


def _restore(backup: Path, path: Path) -> None:
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    os.replace(backup, path)
