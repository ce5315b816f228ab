"""Work only one process does at a time, among several on one database (storage.leases).

A lease lasts LEASE_SECONDS and its holder renews it every RENEW_SECONDS; the other processes
try to take it as often. A holder that dies (kill -9) is thus replaced within LEASE_SECONDS +
RENEW_SECONDS, under a minute. A process believes it holds a lease until SAFETY_SECONDS before
it ends in the database (measured from before the statement that took it), so a holder cut
off from the database stops its work before another process may start the same work.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time

from storage.repository import Repository, StorageUnavailable

logger = logging.getLogger(__name__)

LEASE_SECONDS = 45.0
RENEW_SECONDS = 15.0
SAFETY_SECONDS = 5.0


def process_id() -> str:
    """hostname:pid:random — unique per process start (the random part tells apart a restarted
    process that got the same pid, or several applications in one test process)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


class Lease:
    """One named lease, as this process sees it."""

    def __init__(
        self, repository: Repository, name: str, holder: str, seconds: float = LEASE_SECONDS
    ) -> None:
        self._repository = repository
        self.name = name
        self.holder = holder
        self._seconds = seconds
        self._until = 0.0  # monotonic time this process's hold ends (0: not held)

    @property
    def held(self) -> bool:
        return time.monotonic() < self._until

    async def hold(self) -> bool:
        """Take or renew the lease; whether this process holds it now. A database that does
        not answer keeps the hold until it runs out here (before it does in the database)."""
        started = time.monotonic()
        was_held = self.held
        try:
            granted = await self._repository.take_lease(self.name, self.holder, self._seconds)
        except StorageUnavailable:
            if was_held:
                logger.warning("Lease %s not renewed: database unavailable", self.name)
            return self.held
        if granted:
            self._until = started + self._seconds - SAFETY_SECONDS
            if not was_held:
                logger.debug("Lease %s taken by %s", self.name, self.holder)
        else:
            if was_held:
                logger.warning("Lease %s lost: another process holds it", self.name)
            self._until = 0.0
        return granted

    async def release(self) -> None:
        """Give the lease up at once (clean shutdown, work done): another process may take it
        without waiting for it to expire."""
        self._until = 0.0
        try:
            await self._repository.release_lease(self.name, self.holder)
        except StorageUnavailable:
            logger.info("Lease %s not released (database unavailable); it expires", self.name)


class Leases:
    """This process's leases: one holder id for all of them."""

    def __init__(self, repository: Repository, holder: str | None = None) -> None:
        self._repository = repository
        self.holder = holder or process_id()

    @property
    def shared(self) -> bool:
        """Whether other processes may work on this database (PostgreSQL), so work that must
        happen once needs a lease; on SQLite this process is the only one."""
        return self._repository.database_is_shared

    def lease(self, name: str, seconds: float = LEASE_SECONDS) -> Lease:
        return Lease(self._repository, name, self.holder, seconds)

    async def start(self) -> None:
        """At start: on SQLite, leases left by a process that died are dropped (the file lock
        proves it is gone), so the poller and broadcasts go on at once, not after expiry."""
        if self.shared:
            return
        try:
            forgotten = await self._repository.forget_leases()
        except StorageUnavailable:
            return
        if forgotten:
            logger.info("%d lease(s) of a previous run dropped", forgotten)
