"""After the panel placed an order: its id is recorded, even through a briefly busy database."""

from __future__ import annotations

import asyncio
import logging
import time

from storage.models import Placement
from storage.repository import Repository, StorageUnavailable

logger = logging.getLogger(__name__)

# How long recording a placed order's id keeps trying while the database is busy (locked,
# a failover): the order exists at the panel, and without its id it would be listed as
# "unconfirmed" and never followed.
RECORD_PLACED_SECONDS = 30.0
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 5.0


async def record_placed(
    repository: Repository,
    order_id: int,
    panel_order_id: str,
    *,
    within: float = RECORD_PLACED_SECONDS,
) -> bool:
    """Mark the row placed with the panel's id, retrying with backoff while the database is
    unavailable, for up to `within` seconds. False (logged) if it could not be stored."""
    deadline = time.monotonic() + within
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            await repository.finish_placement(
                order_id, Placement.PLACED, panel_order_id=panel_order_id
            )
            return True
        except StorageUnavailable:
            if time.monotonic() + delay > deadline:
                break
            logger.warning(
                "Order %s placed as %s: database busy, retrying in %.1fs",
                order_id,
                panel_order_id,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)
        except Exception:
            logger.exception("Order %s placed as %s: storing it failed", order_id, panel_order_id)
            return False
    logger.error(
        "Order %s was placed at the panel as %s but could not be stored", order_id, panel_order_id
    )
    return False
