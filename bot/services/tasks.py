"""After the panel accepted a refill or a cancel (or may have): recorded through a briefly busy
database, so that a second tap sends nothing and the request is followed."""

from __future__ import annotations

from functools import partial

from bot.services.durable import persist
from storage.repository import Repository


async def record_task(
    repository: Repository,
    kind: str,
    user_id: int,
    panel_order_id: str,
    panel_task_id: str | None,
    status_raw: str,
) -> bool:
    return await persist(
        partial(repository.add_task, kind, user_id, panel_order_id, panel_task_id, status_raw),
        f"{kind.capitalize()} of order {panel_order_id} for user {user_id}",
    )
