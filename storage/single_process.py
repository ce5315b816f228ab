"""SQLite is for one process: an OS file lock beside the database file says which one.

`flock` on `<database file>.lock`, held for the process's lifetime: the kernel releases it when
the process ends however it ends (kill -9 included), so a crash never leaves a stale lock
behind. Within one process it is taken once and kept (the tests build several applications on
one file in one process; they are one process to SQLite, too).
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Lock files this process holds, by resolved path → open descriptor (kept open: closing the
# descriptor would release the lock).
logger = logging.getLogger(__name__)

_held: dict[Path, int] = {}


class DatabaseInUse(Exception):
    """Another process has this SQLite database open; the message is the one line to show."""

    def __init__(self, database: Path) -> None:
        super().__init__(
            f"another bot process is using the SQLite database {database}; SQLite is for one "
            "process — use PostgreSQL (DATABASE_URL) to run several"
        )
        self.database = database


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases, in-memory ones, or a URL
    that does not parse (storage.db reports that one)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def hold_database(url: str) -> None:
    """Make this process the only one on the SQLite database at `url` (nothing to do for
    PostgreSQL), or raise DatabaseInUse. Taken before anything opens the database."""
    database = sqlite_file(url)
    if database is None:
        return
    lock = database.with_name(database.name + ".lock")
    try:
        lock.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return  # an unwritable folder: storage.db says so in its own words
    key = lock.resolve()
    if key in _held:
        return
    try:
        descriptor = os.open(key, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError:
        return  # likewise
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise DatabaseInUse(database) from None
    except OSError as error:
        # A file system without locks (some network or FUSE mounts): not "in use". The bot
        # runs, unguarded; the operator is told once.
        os.close(descriptor)
        logger.warning(
            "Cannot lock %s (%s): a second bot process on this database would not be refused",
            lock,
            error.strerror or type(error).__name__,
        )
        return
    _held[key] = descriptor
