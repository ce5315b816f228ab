"""/status: the panel asked once per 100 ids, and every order the panel knows for the user's key
stored in one step — known orders get the status they just saw, orders placed on the panel's
website are tracked from now on (pushed when their status changes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.panel import FINAL_STATE_VALUES, ItemError, OrderStatus, PanelClient
from storage.models import Order, utcnow
from storage.repository import OrderFilter, Repository, SeenStatus, StoredKey


@dataclass(frozen=True)
class StatusCheck:
    results: dict[str, OrderStatus | ItemError]  # every requested id, in request order
    orders: dict[str, Order]  # the user's stored orders among them (by panel order id)
    newly_tracked: list[str]  # panel order ids tracked from now on
    # The user's orders whose outcome is unknown, when one id is newly tracked: it may be
    # one of them (see attach_unknown).
    unconfirmed: list[Order] = field(default_factory=list)


# Unknown outcomes offered for attaching: recent ones, a few (newest first).
UNCONFIRMED_DAYS = 30
UNCONFIRMED_OFFERED = 3


async def check_and_track(
    panel: PanelClient, repository: Repository, stored: StoredKey, order_ids: Sequence[str]
) -> StatusCheck:
    """One `status` call per 100 ids, then one transaction for the whole batch."""
    results = await panel.statuses(stored.key, order_ids)
    seen = [
        SeenStatus(
            panel_order_id=order_id,
            status=result.state.value,
            status_raw=result.status_raw,
            remains=result.remains,
            start_count=result.start_count,
            charge=result.charge,
        )
        for order_id, result in results.items()
        if isinstance(result, OrderStatus)
    ]
    tracked = await repository.track_orders(stored.user_id, seen)
    unconfirmed: list[Order] = []
    if len(tracked.new) == 1:
        since = utcnow() - timedelta(days=UNCONFIRMED_DAYS)
        unconfirmed = await repository.unknown_orders(stored.user_id, since, UNCONFIRMED_OFFERED)
    return StatusCheck(results, tracked.orders, tracked.new, unconfirmed)


async def attach_unknown(
    repository: Repository, user_id: int, unknown_id: int, tracked_id: int
) -> Order | None:
    """The customer says the order /status just found is the one whose outcome was unknown.

    Why the customer decides: API v2 has no order list, and `status` answers only the status,
    charge, start count and remains of an id — not its service, link or quantity — so the bot
    cannot find the order by itself nor prove a match; the poller never sees an unknown order
    (it has no id). The customer (or an operator, in the panel's admin) finds it in the panel's
    orders, sends `/status <id>`, and picks the unconfirmed order it is. The unknown row is
    then placed with that id (followed and pushed from now on) instead of a duplicate row."""
    return await repository.attach_unknown(user_id, unknown_id, tracked_id)


async def refresh_order(
    panel: PanelClient, repository: Repository, stored: StoredKey, order: Order
) -> Order:
    """The card's Refresh: the order's status asked once and stored as seen by the user.
    Raises the panel's errors (OrderNotFound: the panel no longer knows it)."""
    assert order.id is not None
    status = await panel.status(stored.key, order.panel_order_id or "")
    return await repository.record_order_status(
        order.id,
        status=status.state.value,
        status_raw=status.status_raw,
        remains=status.remains,
        start_count=status.start_count,
        charge=status.charge,
        seen_by_user=True,
    )


async def notify_enabled(repository: Repository, user_id: int) -> bool:
    """/notify: whether status messages are on (a user seen for the first time: on)."""
    user = await repository.get_user(user_id)
    return user.notify if user is not None else True


async def set_notify(repository: Repository, user_id: int, enabled: bool) -> None:
    """/notify's button: status messages on or muted (setting it twice changes nothing)."""
    user = await repository.touch_user(user_id)
    if user.notify != enabled:
        await repository.set_user_flags(user.telegram_id, notify=enabled)


def order_filter(shown: str) -> OrderFilter | None:
    """/orders' choice ("all", "active", "done") as the repository's filter (None: all)."""
    if shown == "active":
        return OrderFilter(finished=False, final_states=FINAL_STATE_VALUES)
    if shown == "done":
        return OrderFilter(finished=True, final_states=FINAL_STATE_VALUES)
    return None
