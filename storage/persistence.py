"""Users' conversation state (bot.persistence): one row per user, and on PostgreSQL the
per-user advisory lock that keeps two processes from handling one user's updates at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel import col, select

from storage.base import StorageUnavailable, StoreBase
from storage.db import BUSY_TIMEOUT_SECONDS
from storage.models import UserState, utcnow

logger = logging.getLogger("storage.repository")

# pg_advisory_lock(namespace, key): the two-int form, so it never meets a one-bigint lock
# (a poller lease, say). Ids beyond 32 bits fold onto others: two users then merely take turns.
USER_LOCK_NAMESPACE = 0x55534552 & 0x7FFFFFFF  # "USER"
# Each user being handled holds one connection (a session lock lives on its connection):
# their own pool, so handlers' queries never wait behind held locks (and cannot deadlock).
LOCK_CONNECTIONS = 32
LOCK_WAIT_SECONDS = 60


def _lock_key(user_id: int) -> int:
    return (user_id % 2**32) - 2**31


@dataclass(frozen=True)
class StoredState:
    data: bytes | None
    conversations: str | None
    last_update_id: int | None
    version: int


class UserStateStore(StoreBase):
    _locks_engine: AsyncEngine | None = None

    @property
    def shared_database(self) -> bool:
        """PostgreSQL: several processes may serve the same users (SQLite is one process's)."""
        return self._engine.dialect.name == "postgresql"

    async def user_state(self, user_id: int) -> StoredState | None:
        async with self._session(writes=False) as session:
            row = await session.get(UserState, user_id)
            if row is None:
                return None
            return StoredState(row.data, row.conversations, row.last_update_id, row.version)

    async def save_user_state(
        self,
        user_id: int,
        *,
        data: bytes | None,
        conversations: str | None,
        idle_since: float | None,
        last_update_id: int | None = None,
    ) -> int | None:
        """Store the user's state (None for both: nothing to keep, the row goes unless it
        remembers an update id); `last_update_id` None keeps the stored one. Returns the row's
        new version (None: no row). Written after each update of the user's that changed it:
        one statement on a plain connection (an ORM session costs about a millisecond more)."""
        values: dict[str, Any] = {
            "data": data,
            "conversations": conversations,
            "idle_since": idle_since,
            "updated_at": utcnow(),
        }
        if last_update_id is not None:
            values["last_update_id"] = last_update_id
        empty = data is None and conversations is None and last_update_id is None
        table = UserState.__table__  # type: ignore[attr-defined]
        async with self._connection() as connection:
            if empty:
                await connection.execute(
                    delete(table).where(
                        table.c.user_id == user_id, table.c.last_update_id.is_(None)
                    )
                )
            changed = await connection.execute(
                update(table)
                .where(table.c.user_id == user_id)
                .values(version=table.c.version + 1, **values)
                .returning(table.c.version)
            )
            version = changed.scalar_one_or_none()
            if version is not None:
                return int(version)
            if empty:
                return None
            await connection.execute(insert(table).values(user_id=user_id, version=1, **values))
            return 1

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """A writing unit of work on a plain connection, with _session's rules: this
        process's SQLite writers take turns, a failure is StorageUnavailable, rolled back."""
        if self._writer is not None:
            try:
                await asyncio.wait_for(self._writer.acquire(), BUSY_TIMEOUT_SECONDS)
            except TimeoutError:
                logger.warning("Database unavailable: this process's writers are queued up")
                raise StorageUnavailable("writers queued up") from None
        try:
            async with self._engine.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            logger.warning("Database unavailable: %s", type(error).__name__)
            raise StorageUnavailable(type(error).__name__) from None
        finally:
            if self._writer is not None:
                self._writer.release()

    async def drop_user_state(self, user_id: int) -> None:
        async with self._session() as session:
            await session.exec(delete(UserState).where(col(UserState.user_id) == user_id))

    async def idle_user_states(self, before: float, limit: int = 100) -> list[tuple[int, int]]:
        """(user id, version) of rows whose open conversations were idle since before
        `before` (Unix time), the longest idle first."""
        async with self._session(writes=False) as session:
            found = await session.exec(
                select(UserState.user_id, UserState.version)
                .where(col(UserState.idle_since) < before)
                .order_by(col(UserState.idle_since))
                .limit(limit)
            )
            return [(int(user_id), int(version)) for user_id, version in found.all()]

    async def claim_idle_state(self, user_id: int, version: int, before: float) -> bool:
        """One conditional UPDATE: True for the one caller (in any process) that found the
        row still as it read it, and still idle."""
        async with self._session() as session:
            result = await session.exec(
                update(UserState)
                .where(
                    col(UserState.user_id) == user_id,
                    col(UserState.version) == version,
                    col(UserState.idle_since) < before,
                )
                .values(idle_since=None, version=col(UserState.version) + 1)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    # --- one process at a time per user (PostgreSQL) -----------------------------------------

    @asynccontextmanager
    async def user_turn(self, user_id: int) -> AsyncIterator[None]:
        """Hold the user's advisory lock (waiting for another process's turn to end); on
        SQLite, nothing to hold. StorageUnavailable when the lock cannot be taken."""
        if not self.shared_database:
            yield
            return
        connection = await self._lock(user_id)
        try:
            yield
        finally:
            await self._unlock(connection, user_id)

    async def _lock(self, user_id: int) -> AsyncConnection:
        engine = self._locks()
        try:
            connection = await engine.connect()
        except SQLAlchemyError as error:
            logger.warning("User lock not taken: %s", type(error).__name__)
            raise StorageUnavailable(type(error).__name__) from None
        try:
            await connection.execute(
                text("SELECT pg_advisory_lock(:namespace, :key)"),
                {"namespace": USER_LOCK_NAMESPACE, "key": _lock_key(user_id)},
            )
        except BaseException as error:
            await connection.invalidate()  # a wait cut short may still be granted: never reuse
            await connection.close()
            if isinstance(error, SQLAlchemyError):
                logger.warning("User lock not taken: %s", type(error).__name__)
                raise StorageUnavailable(type(error).__name__) from None
            raise
        return connection

    async def _unlock(self, connection: AsyncConnection, user_id: int) -> None:
        try:
            await connection.execute(
                text("SELECT pg_advisory_unlock(:namespace, :key)"),
                {"namespace": USER_LOCK_NAMESPACE, "key": _lock_key(user_id)},
            )
        except SQLAlchemyError as error:
            # The server ends a lost session's locks itself; this connection is not reused.
            logger.warning("User lock not released: %s", type(error).__name__)
            await connection.invalidate()
        finally:
            await connection.close()

    def _locks(self) -> AsyncEngine:
        if self._locks_engine is None:
            self._locks_engine = create_async_engine(
                self._engine.url,
                pool_size=LOCK_CONNECTIONS,
                max_overflow=0,
                pool_timeout=LOCK_WAIT_SECONDS,
                pool_pre_ping=True,
                # A turn held longer than this elsewhere (a hung process) is not waited out.
                connect_args={"options": f"-c lock_timeout={LOCK_WAIT_SECONDS * 1000}"},
                isolation_level="AUTOCOMMIT",  # a lock, no transaction left open around it
            )
        return self._locks_engine

    async def close_user_locks(self) -> None:
        if self._locks_engine is not None:
            await self._locks_engine.dispose()
            self._locks_engine = None
