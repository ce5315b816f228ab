"""Is this process fit to serve? What `GET /healthz` answers (webhook mode): the database
answers a `SELECT 1` within two seconds, and how long ago the status poller last finished a
cycle (whichever process ran it: the row is shared)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.stats import POLL_CYCLE
from storage.base import StorageUnavailable
from storage.models import utcnow
from storage.repository import Repository

logger = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS = 2.0
# A cycle may be slow (a slow panel) or skipped once (coalesced): "late" only past three
# intervals and a minute.
LATE_INTERVALS = 3
LATE_GRACE_SECONDS = 60.0


@dataclass(frozen=True)
class Liveness:
    database_ok: bool
    # Seconds since the last poll cycle ended (None: no cycle recorded yet, or not read).
    poll_age_seconds: float | None = None
    poller: str = "not yet"  # "ok" | "late" | "not yet"

    @property
    def http_status(self) -> int:
        return 200 if self.database_ok else 503

    def as_json(self) -> dict[str, Any]:
        if not self.database_ok:
            return {"status": "unavailable", "database": "unreachable"}
        age = None if self.poll_age_seconds is None else round(self.poll_age_seconds, 1)
        return {
            "status": "ok",
            "database": "ok",
            "last_poll_cycle_age_seconds": age,
            "poller": self.poller,
        }


async def check(engine: AsyncEngine, repository: Repository, poll_seconds: float) -> Liveness:
    """One look at the database and the poller, bounded by DATABASE_TIMEOUT_SECONDS."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            recorded = await repository.runtime_state_at(POLL_CYCLE)
    except (TimeoutError, SQLAlchemyError, StorageUnavailable, OSError) as error:
        # The kind only: a driver's message may quote the database URL.
        logger.info("Health check: database unreachable (%s)", type(error).__name__)
        return Liveness(database_ok=False)
    if recorded is None:
        return Liveness(database_ok=True)
    _, written_at = recorded
    if written_at.tzinfo is None:  # SQLite hands back naive UTC
        written_at = written_at.replace(tzinfo=utcnow().tzinfo)
    age = max((utcnow() - written_at).total_seconds(), 0.0)
    late = age > LATE_INTERVALS * poll_seconds + LATE_GRACE_SECONDS
    return Liveness(database_ok=True, poll_age_seconds=age, poller="late" if late else "ok")
