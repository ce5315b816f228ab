"""What every store shares: one short session per unit of work, committed inside, and the
turn-taking of SQLite's writers. The Repository is assembled from one store per feature."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.crypto import Keyring, KeyringError
from storage.db import BUSY_TIMEOUT_SECONDS

logger = logging.getLogger("storage.repository")


class UnreadableKey(KeyringError):
    """The stored key cannot be decrypted with the configured ENCRYPTION_KEY (changed or
    lost): the user must connect their key again."""


class StorageUnavailable(Exception):
    """The database could not do this unit of work now (locked, full, unreachable); nothing of
    it was kept, and the user is asked to try again."""


class StoreBase:
    def __init__(self, engine: AsyncEngine, keyring: Keyring) -> None:
        self._engine = engine
        self._keyring = keyring
        # SQLite has one writer at a time: this process's writers take turns here instead of
        # spinning in SQLite's busy handler (where many of them starve past the busy timeout).
        # Readers never wait (WAL). PostgreSQL locks rows, not the database: no turn-taking.
        self._writer = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    @asynccontextmanager
    async def _session(self, *, writes: bool = True) -> AsyncIterator[AsyncSession]:
        """One short unit of work, committed on leaving; any database failure (a lock held
        too long, a full disk, a lost server) becomes StorageUnavailable, rolled back whole."""
        if writes:
            async with self._writers_turn(), self._unit_of_work() as session:
                yield session
        else:
            async with self._unit_of_work() as session:
                yield session

    @asynccontextmanager
    async def _writers_turn(self) -> AsyncIterator[None]:
        """This process's SQLite writers take turns (a queue here instead of SQLite's busy
        loop); waiting too long is StorageUnavailable. Nothing to wait for on PostgreSQL."""
        if self._writer is None:
            yield
            return
        try:
            await asyncio.wait_for(self._writer.acquire(), BUSY_TIMEOUT_SECONDS)
        except TimeoutError:
            logger.warning("Database unavailable: this process's writers are queued up")
            raise StorageUnavailable("writers queued up") from None
        try:
            yield
        finally:
            self._writer.release()

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        """A Core read on a bare connection, for the read every update makes: half the work
        of a session (no session bookkeeping, nothing to commit: one rollback on leaving,
        where a session commits and the pool rolls back — with SQLite every driver call is a
        trip to the driver's thread). Failures as `_session`'s."""
        try:
            async with self._engine.connect() as connection:
                yield connection
        except SQLAlchemyError as error:
            logger.warning("Database unavailable: %s", type(error).__name__)
            raise StorageUnavailable(type(error).__name__) from None

    @asynccontextmanager
    async def _unit_of_work(self) -> AsyncIterator[AsyncSession]:
        try:
            async with AsyncSession(self._engine, expire_on_commit=False) as session:
                try:
                    yield session
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise
        except SQLAlchemyError as error:
            # The message may quote SQL parameters: only the kind is logged.
            logger.warning("Database unavailable: %s", type(error).__name__)
            raise StorageUnavailable(type(error).__name__) from None
