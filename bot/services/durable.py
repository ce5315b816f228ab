"""Recording what the panel already did, through a briefly busy database.

Once the panel has acted (an order placed, a refill or cancel accepted, or an outcome that may
have reached it), the user is told that outcome, never "nothing was saved, try again": a retry
could act twice. What must be recorded is retried with backoff while the database is
unavailable (locked by another process, a failover), for a bounded time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from storage.repository import StorageUnavailable

logger = logging.getLogger(__name__)

PERSIST_SECONDS = 30.0
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 5.0


async def persist(
    write: Callable[[], Awaitable[object]], what: str, *, within: float = PERSIST_SECONDS
) -> bool:
    """Run `write` until it succeeds, retrying while the database is unavailable, for up to
    `within` seconds. False (logged, naming `what`) if it could not be stored; never raises
    for a database failure."""
    deadline = time.monotonic() + within
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            await write()
            return True
        except StorageUnavailable:
            if time.monotonic() + delay > deadline:
                break
            logger.warning("%s: database busy, retrying in %.1fs", what, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        except Exception:
            logger.exception("%s: storing it failed", what)
            return False
    logger.error("%s: could not be stored", what)
    return False
