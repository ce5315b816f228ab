"""After the panel placed an order: its id is recorded, even through a briefly busy database."""

from __future__ import annotations

from functools import partial

from bot.services.durable import PERSIST_SECONDS, persist
from storage.models import Placement
from storage.repository import Repository


async def record_placed(
    repository: Repository,
    order_id: int,
    panel_order_id: str,
    *,
    within: float = PERSIST_SECONDS,
) -> bool:
    """Mark the row placed with the panel's id: the order exists at the panel, and without its
    id it would be listed as "unconfirmed" and never followed. False (logged) if it could not
    be stored within `within` seconds."""
    return await persist(
        partial(
            repository.finish_placement, order_id, Placement.PLACED, panel_order_id=panel_order_id
        ),
        f"Order {order_id} placed at the panel as {panel_order_id}",
        within=within,
    )


async def record_outcome(
    repository: Repository, order_id: int, placement: str, *, error: str | None = None
) -> bool:
    """Any other outcome of a claimed draft (unknown, rejected, back to draft), recorded
    through a briefly busy database."""
    return await persist(
        partial(repository.finish_placement, order_id, placement, error=error),
        f"Order {order_id} ({placement})",
    )
