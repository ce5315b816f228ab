"""Leases: work only one process may do at a time, claimed with one conditional statement.

A lease row rather than a PostgreSQL advisory lock: it works the same on SQLite and PostgreSQL,
it needs no connection held open for as long as the work lasts (an advisory lock dies with its
pooled connection, and a pool recycles connections), and who holds what until when is a row an
operator can read. A holder that dies (kill -9) leaves a row that expires: another process
takes it over then.

Time: UTC. On PostgreSQL the database's clock (the processes may run on hosts whose
clocks differ); on SQLite this host's (SQLite is for one process, so one host).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.base import StoreBase
from storage.models import Lease


class LeaseStore(StoreBase):
    @property
    def database_is_shared(self) -> bool:
        """Whether other processes may use this database (SQLite: never, see
        storage.single_process)."""
        return self._engine.dialect.name != "sqlite"

    async def take_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take the lease, or renew it, for `seconds` from now: granted only when it is free,
        expired or already `holder`'s — one INSERT … ON CONFLICT DO UPDATE … WHERE, so of two
        processes asking at once exactly one gets it."""
        async with self._session() as session:
            now = await _database_now(session, self._engine.dialect.name)
            expires = now + timedelta(seconds=seconds)
            insert: Any = (
                postgresql_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
            )
            statement = (
                insert(Lease)
                .values(name=name, holder=holder, expires_at=expires)
                .on_conflict_do_update(
                    index_elements=[col(Lease.name)],
                    set_={"holder": holder, "expires_at": expires},
                    where=or_(col(Lease.holder) == holder, col(Lease.expires_at) <= now),
                )
                .returning(col(Lease.holder))
            )
            granted = (await session.exec(statement)).first()
            return granted is not None

    async def release_lease(self, name: str, holder: str) -> None:
        """Free the lease at once, if `holder` still has it."""
        async with self._session() as session:
            await session.exec(
                delete(Lease).where(col(Lease.name) == name, col(Lease.holder) == holder)
            )

    async def lease_holder(self, name: str) -> str | None:
        """Who holds the lease now (None: nobody, or it expired)."""
        async with self._session(writes=False) as session:
            now = await _database_now(session, self._engine.dialect.name)
            connection = await session.connection()
            found = await connection.execute(
                select_columns(col(Lease.holder)).where(
                    col(Lease.name) == name, col(Lease.expires_at) > now
                )
            )
            holder = found.scalar_one_or_none()
            return None if holder is None else str(holder)

    async def forget_leases(self) -> int:
        """Drop every lease (SQLite at start: this is the only process, so any row left is a
        dead process's and would only delay the work)."""
        async with self._session() as session:
            result = await session.exec(delete(Lease))
            return int(result.rowcount or 0)


async def _database_now(session: AsyncSession, dialect: str) -> datetime:
    if dialect == "postgresql":
        connection = await session.connection()
        found = await connection.execute(select_columns(func.now()))
        now = found.scalar_one()
        assert isinstance(now, datetime)
        return now.astimezone(UTC)
    return datetime.now(UTC)
