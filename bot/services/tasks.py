"""Refill and cancel requests: whether one may be asked, asking the panel once, and recording
what it accepted (or may have) through a briefly busy database, so that a second tap sends
nothing and the request is followed. Statuses are stored as codes (TaskStatus)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING

from bot.panel import (
    FINAL_STATE_VALUES,
    ActionUnsupported,
    CancelCreated,
    ItemError,
    OrderState,
    OutcomeUnknown,
    PanelError,
    PanelUnavailable,
    RefillCreated,
)
from bot.panel.capabilities import Capabilities
from bot.services import PanelWait, as_is
from bot.services.durable import persist
from storage.models import Order, TaskKind, TaskStatus
from storage.repository import Repository, StoredKey

if TYPE_CHECKING:
    from bot.context import BotServices

REFILLABLE_STATES = frozenset({OrderState.COMPLETED.value, OrderState.PARTIAL.value})


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


# --- may it be asked -----------------------------------------------------------------------------


class Blocked(Enum):
    """Why a refill or cancel is not sent."""

    UNSUPPORTED = "unsupported"  # the panel has no such action
    UNDER_WAY = "under_way"  # one is followed and not final yet (a double tap)
    NOT_ALLOWED = "not_allowed"  # the service or the order's status does not allow it


def refill_offered(order: Order, capabilities: Capabilities) -> bool:
    """The order's state and service allow a refill on this panel (the card's button)."""
    return (
        capabilities.refill is not False
        and order.can_refill is not False
        and order.status in REFILLABLE_STATES
    )


def cancel_offered(order: Order, capabilities: Capabilities) -> bool:
    return (
        capabilities.cancel is not False
        and bool(order.can_cancel)
        and order.status not in FINAL_STATE_VALUES
    )


async def under_way(repository: Repository, user_id: int, panel_order_id: str, kind: str) -> bool:
    """One refill (or cancel) at a time per order: a double tap must not send a second one."""
    return await repository.open_task_exists(user_id, panel_order_id, kind, FINAL_STATE_VALUES)


@dataclass(frozen=True)
class CardActions:
    """The card's Refill and Cancel buttons."""

    refill: bool
    cancel: bool


async def card_actions(services: BotServices, order: Order) -> CardActions:
    capabilities = services.panel.capabilities
    panel_id = order.panel_order_id or ""
    refill = refill_offered(order, capabilities) and not await under_way(
        services.repository, order.user_id, panel_id, TaskKind.REFILL
    )
    cancel = cancel_offered(order, capabilities) and not await under_way(
        services.repository, order.user_id, panel_id, TaskKind.CANCEL
    )
    return CardActions(refill, cancel)


async def refill_blocked(services: BotServices, order: Order) -> Blocked | None:
    """The card's Refill button: None when it may be sent."""
    if services.panel.capabilities.refill is False:  # a button drawn before the panel was known
        return Blocked.UNSUPPORTED
    panel_id = order.panel_order_id or ""
    if await under_way(services.repository, order.user_id, panel_id, TaskKind.REFILL):
        return Blocked.UNDER_WAY
    if order.can_refill is False or order.status not in REFILLABLE_STATES:
        return Blocked.NOT_ALLOWED
    return None


async def sort_refills(
    services: BotServices, user_id: int, order_ids: Sequence[str]
) -> tuple[list[str], list[tuple[str, Blocked]]]:
    """/refill's ids: those to send, and those not sent with the reason. Ids the bot does not
    know are sent (the panel decides)."""
    allowed: list[str] = []
    blocked: list[tuple[str, Blocked]] = []
    for order_id in order_ids:
        known = await services.repository.find_order(user_id, order_id)
        if known is not None and known.can_refill is False:
            blocked.append((order_id, Blocked.NOT_ALLOWED))
        elif await under_way(services.repository, user_id, order_id, TaskKind.REFILL):
            blocked.append((order_id, Blocked.UNDER_WAY))
        else:
            allowed.append(order_id)
    return allowed, blocked


async def cancel_blocked(services: BotServices, order: Order) -> Blocked | None:
    if services.panel.capabilities.cancel is False:  # a button drawn before the panel was known
        return Blocked.UNSUPPORTED
    panel_id = order.panel_order_id or ""
    if await under_way(services.repository, order.user_id, panel_id, TaskKind.CANCEL):
        return Blocked.UNDER_WAY
    if not order.can_cancel or order.status in FINAL_STATE_VALUES:
        return Blocked.NOT_ALLOWED
    return None


# --- asking the panel ----------------------------------------------------------------------------


class Asked(Enum):
    """What asking the panel came to, as a whole."""

    ANSWERED = "answered"  # per id: see TaskRequest.results
    UNCLEAR = "unclear"  # it may have reached the panel: recorded, so repeating sends nothing
    NOT_NOW = "not_now"  # nothing reached the panel (or it broke on it): nothing recorded
    UNSUPPORTED = "unsupported"  # the panel has no such action (learned by the client)
    FAILED = "failed"  # another panel error (TaskRequest.error)


TaskResult = RefillCreated | CancelCreated | ItemError | None  # None: missing from the answer


@dataclass(frozen=True)
class TaskRequest:
    asked: Asked
    # ANSWERED: every id asked, in order; accepted ones are recorded (PENDING, or REQUESTED
    # when the panel gave no id to follow).
    results: dict[str, TaskResult] = field(default_factory=dict)
    error: PanelError | None = None


async def request_refills(
    services: BotServices, stored: StoredKey, order_ids: Sequence[str], wait: PanelWait = as_is
) -> TaskRequest:
    """Ask the panel once for all ids."""
    return await _request(services, stored, TaskKind.REFILL, order_ids, wait)


async def request_cancel(
    services: BotServices, stored: StoredKey, panel_order_id: str, wait: PanelWait = as_is
) -> TaskRequest:
    return await _request(services, stored, TaskKind.CANCEL, [panel_order_id], wait)


async def _request(
    services: BotServices,
    stored: StoredKey,
    kind: str,
    order_ids: Sequence[str],
    wait: PanelWait,
) -> TaskRequest:
    panel = services.interactive
    ids = list(order_ids)
    try:
        if kind == TaskKind.REFILL:
            answer: dict[str, TaskResult] = dict(await wait(panel.refill(stored.key, ids)))
        else:
            answer = dict(await wait(panel.cancel(stored.key, ids)))
    except OutcomeUnknown:
        # It may have reached the panel: record it so that repeating it sends nothing.
        for order_id in ids:
            await record_task(
                services.repository, kind, stored.user_id, order_id, None, TaskStatus.UNCLEAR
            )
        return TaskRequest(Asked.UNCLEAR)
    except PanelUnavailable:
        # Nothing reached the panel, or it broke on the request (BoostedSMM's refill 500,
        # B24): nothing is recorded; the customer asks again when they like.
        return TaskRequest(Asked.NOT_NOW)
    except ActionUnsupported:  # SmartPanel (S33, S37), BoostedSMM's cancel `null` (B29)
        return TaskRequest(Asked.UNSUPPORTED)
    except PanelError as error:
        return TaskRequest(Asked.FAILED, error=error)
    results: dict[str, TaskResult] = {}
    for order_id in ids:
        result = answer.get(order_id)
        if isinstance(result, RefillCreated | CancelCreated):
            task_id = result.refill_id if isinstance(result, RefillCreated) else result.cancel_id
            status = TaskStatus.PENDING if task_id else TaskStatus.REQUESTED
            await record_task(services.repository, kind, stored.user_id, order_id, task_id, status)
        results[order_id] = result
    return TaskRequest(Asked.ANSWERED, results)
