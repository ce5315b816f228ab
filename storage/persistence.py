"""Users' conversation state (bot.persistence): one row per user, and on PostgreSQL the
per-user advisory lock that keeps two processes from handling one user's updates at once."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import delete, text, update
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlmodel import col, select

from storage.base import StorageUnavailable, StoreBase
from storage.crypto import KeyringError
from storage.models import UserState, utcnow

logger = logging.getLogger("storage.repository")

# pg_advisory_lock(namespace, key): the two-int form, so it never meets a one-bigint lock
# (a poller lease, say). Ids beyond 32 bits fold onto others: two users then merely take turns.
USER_LOCK_NAMESPACE = 0x55534552 & 0x7FFFFFFF  # "USER"
# Each user being handled holds one connection (a session lock lives on its connection):
# their own pool, so handlers' queries never wait behind held locks (and cannot deadlock).
# On PostgreSQL the update processor handles no more users at once than this (bot.updates),
# so a turn never waits for a pooled connection.
LOCK_CONNECTIONS = 32
LOCK_WAIT_SECONDS = 10
# Rows re-sealed per transaction by `python -m bot reencrypt`.
REENCRYPT_BATCH = 500


def user_lock_key(user_id: int) -> int:
    """The second int of the user's advisory lock."""
    return (user_id % 2**32) - 2**31


# The ids of a user's last handled updates kept in their row: a redelivery (webhook timeout)
# is recognised by an exact match, whatever order the ids come in (Telegram's may restart
# lower after a week of silence, and are ordered per chat, not per user).
RECENT_UPDATES = 16


class StaleState(Exception):
    """The user's row changed since this process read it (another process wrote it): the
    write was not made, so a newer state is never overwritten."""


class Keep(Enum):
    """save_user_state: leave this column as stored (its new value could not be made)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class StoredState:
    data: bytes | None  # the pickled user_data, decrypted
    conversations: str | None
    recent_updates: tuple[int, ...]
    version: int
    # Why the stored data cannot be used (not decryptable with ENCRYPTION_KEY), if so.
    unreadable: str | None = None


def _recent(raw: str | None) -> tuple[int, ...]:
    try:
        found = json.loads(raw) if raw else []
        return tuple(int(update_id) for update_id in found)[-RECENT_UPDATES:]
    except (ValueError, TypeError):
        return ()


class UserStateStore(StoreBase):
    _locks_engine: AsyncEngine | None = None
    # How long a turn waits for the user's lock held elsewhere (set before the first turn).
    lock_wait_seconds: float = LOCK_WAIT_SECONDS

    @property
    def shared_database(self) -> bool:
        """PostgreSQL: several processes may serve the same users (SQLite is one process's)."""
        return self._engine.dialect.name == "postgresql"

    async def user_state(self, user_id: int) -> StoredState | None:
        async with self._session(writes=False) as session:
            row = await session.get(UserState, user_id)
            if row is None:
                return None
            data, unreadable = row.data, None
            if data is not None:
                try:
                    # Sealed (Fernet: authenticated): what is unpickled was written by a bot
                    # holding the key, never bytes put into the database by anyone else.
                    data = self._keyring.open(data)
                except KeyringError:
                    data, unreadable = None, "not decryptable with ENCRYPTION_KEY"
            return StoredState(
                data, row.conversations, _recent(row.recent_updates), row.version, unreadable
            )

    async def save_user_state(
        self,
        user_id: int,
        *,
        data: bytes | Keep | None,
        conversations: str | Keep | None,
        idle_since: float | None,
        recent_updates: tuple[int, ...] = (),
        expected_version: int | None,
    ) -> int | None:
        """Store the user's state over the row as this process last read or wrote it
        (`expected_version`; None: no row). Nothing to keep (no data, no conversation, no
        update id): the row goes. Returns the row's new version (None: no row); StaleState
        when the row is not as expected (nothing written). `data` is sealed with the keyring.
        Written after each update of the user's that changed it: one statement on a plain
        connection (an ORM session costs about a millisecond more)."""
        values: dict[str, Any] = {
            "idle_since": idle_since,
            "recent_updates": json.dumps(list(recent_updates[-RECENT_UPDATES:]))
            if recent_updates
            else None,
            "updated_at": utcnow(),
        }
        if not isinstance(data, Keep):
            values["data"] = self._keyring.seal(data) if data is not None else None
        if not isinstance(conversations, Keep):
            values["conversations"] = conversations
        empty = data is None and conversations is None and not recent_updates
        table = UserState.__table__  # type: ignore[attr-defined]
        async with self._connection() as connection:
            if expected_version is None:
                if empty:
                    return None
                insert = postgresql_insert(table) if self.shared_database else sqlite_insert(table)
                added = await connection.execute(
                    insert.values(
                        user_id=user_id,
                        version=1,
                        **{"data": None, "conversations": None, **values},
                    )
                    .on_conflict_do_nothing(index_elements=[table.c.user_id])
                    .returning(table.c.version)
                )
                if added.scalar_one_or_none() is None:
                    raise StaleState(user_id)
                return 1
            mine = (table.c.user_id == user_id) & (table.c.version == expected_version)
            if empty:
                gone = await connection.execute(delete(table).where(mine))
                if gone.rowcount != 1:
                    raise StaleState(user_id)
                return None
            changed = await connection.execute(
                update(table)
                .where(mine)
                .values(version=table.c.version + 1, **values)
                .returning(table.c.version)
            )
            version = changed.scalar_one_or_none()
            if version is None:
                raise StaleState(user_id)
            return int(version)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """A writing unit of work on a plain connection, with _session's rules: this
        process's SQLite writers take turns, a failure is StorageUnavailable, rolled back."""
        async with self._writers_turn():
            try:
                async with self._engine.begin() as connection:
                    yield connection
            except SQLAlchemyError as error:
                logger.warning("Database unavailable: %s", type(error).__name__)
                raise StorageUnavailable(type(error).__name__) from None

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
        row still as it read it, and still idle. The idle mark is cleared (no other claim
        succeeds) but the version kept: a turn of the user's already under way elsewhere
        still writes its newer state (and the claimer's turn then finds it active)."""
        async with self._session() as session:
            result = await session.exec(
                update(UserState)
                .where(
                    col(UserState.user_id) == user_id,
                    col(UserState.version) == version,
                    col(UserState.idle_since) < before,
                )
                .values(idle_since=None)
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def reencrypt_user_states(self) -> int:
        """Re-seal every stored state with the primary key (after a rotation); one no key
        opens is left as it is (dropped, with a warning, when its user is next handled).
        Each row only if unchanged since read (a running bot's newer state is kept). In
        batches, each its own short transaction: a running bot's writes never wait long."""
        table = UserState.__table__  # type: ignore[attr-defined]
        count = 0
        after: int | None = None
        while True:
            query = (
                select_columns(table.c.user_id, table.c.data, table.c.version)
                .where(table.c.data.is_not(None))
                .order_by(table.c.user_id)
                .limit(REENCRYPT_BATCH)
            )
            if after is not None:
                query = query.where(table.c.user_id > after)
            async with self._connection() as connection:
                rows = (await connection.execute(query)).all()
                for user_id, data, version in rows:
                    try:
                        sealed = self._keyring.reseal(data)
                    except KeyringError:
                        continue
                    done = await connection.execute(
                        update(table)
                        .where(table.c.user_id == user_id, table.c.version == version)
                        .values(data=sealed)
                    )
                    count += done.rowcount
            if len(rows) < REENCRYPT_BATCH:
                return count
            after = rows[-1][0]

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
                {"namespace": USER_LOCK_NAMESPACE, "key": user_lock_key(user_id)},
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
                {"namespace": USER_LOCK_NAMESPACE, "key": user_lock_key(user_id)},
            )
        except BaseException as error:
            # Whatever cut the unlock short (a lost server, a cancelled task), the connection
            # is thrown away, not pooled: the server then ends its session and the lock with
            # it. Pooled, it would keep the user locked for good.
            try:
                await connection.invalidate()
            finally:
                await connection.close()
            if not isinstance(error, SQLAlchemyError):
                raise
            logger.warning("User lock not released: %s", type(error).__name__)
        else:
            await connection.close()

    def _locks(self) -> AsyncEngine:
        if self._locks_engine is None:
            self._locks_engine = create_async_engine(
                self._engine.url,
                pool_size=LOCK_CONNECTIONS,
                max_overflow=0,
                pool_timeout=self.lock_wait_seconds,
                pool_pre_ping=True,
                # A turn held longer than this elsewhere (a hung process) is not waited out:
                # the update fails (and is delivered again, or the user asked to try again).
                connect_args={"options": f"-c lock_timeout={int(self.lock_wait_seconds * 1000)}"},
                isolation_level="AUTOCOMMIT",  # a lock, no transaction left open around it
            )
        return self._locks_engine

    async def close_user_locks(self) -> None:
        if self._locks_engine is not None:
            await self._locks_engine.dispose()
            self._locks_engine = None
