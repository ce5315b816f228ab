"""Placing an order: a confirmed draft is claimed, sent to the panel once, and its outcome
recorded (the panel's id even through a briefly busy database); drafts for the summary."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING

from bot.order_fields import order_price, order_quantity, panel_fields, splits_comments
from bot.panel import (
    BadLink,
    OutcomeUnknown,
    PanelError,
    PanelUnavailable,
    Service,
    ServiceType,
    normalize_service_type,
)
from bot.services import PanelWait, as_is
from bot.services.durable import PERSIST_SECONDS, persist
from storage.models import Order, Placement
from storage.repository import DraftOrder, Repository, UnreadableKey

if TYPE_CHECKING:
    from bot.context import BotServices

logger = logging.getLogger(__name__)


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


# --- placing a confirmed draft -------------------------------------------------------------------


class Placing(Enum):
    """What a Confirm came to."""

    PLACED = "placed"  # the panel returned an order id
    # The request may have reached the panel: never sent again by itself. Resolved when the
    # customer finds it at the panel and attaches it (services.tracking.attach_unknown).
    UNKNOWN = "unknown"
    UNAVAILABLE = "unavailable"  # certainly not received: the same draft can be confirmed again
    REFUSED = "refused"  # the panel said no: nothing was ordered
    NO_KEY = "no_key"  # no (readable) key: nothing was sent, the draft is abandoned
    ALREADY_PLACING = "already_placing"  # another tap is placing it right now
    ALREADY_DONE = "already_done"  # placed, refused or unclear before
    EXPIRED = "expired"  # a replaced, abandoned or too old summary (or not this user's)


@dataclass(frozen=True)
class Outcome:
    kind: Placing
    order: Order | None = None  # the claimed row (when the draft was claimed)
    panel_order_id: str | None = None  # PLACED
    error: PanelError | None = None  # REFUSED: the panel's refusal
    # REFUSED because the panel cannot take this type through its API (learned now).
    refused_type: ServiceType | None = None


Announce = Callable[[Outcome], Awaitable[None]]


async def place_draft(
    services: BotServices,
    draft_id: int,
    user_id: int,
    *,
    announce: Announce,
    wait: PanelWait = as_is,
    max_age: timedelta | None = None,
) -> Outcome:
    """Claim the draft → `add` → record: the draft is placed exactly once, whatever the number
    of taps, devices or processes (the first claim wins; the others get ALREADY_* or EXPIRED).

    `announce` tells the user the outcome (called once, never skipped). What may have reached
    the panel is announced first and recorded after (retried through a busy database): the
    user must never read "try again" about an order the panel may have, and their next update
    waits for the record anyway (one user's updates run in order). `wait` wraps the panel
    call (the handler's ⏳). `max_age`: how old the draft may be (default: as long as an
    idle conversation lives; a mass order checks its own age when claimed)."""
    repository = services.repository
    # A summary is good for as long as an idle conversation lives (also across restarts).
    max_age = max_age or timedelta(seconds=services.settings.conversation_timeout_seconds)
    order = await repository.claim_draft(draft_id, user_id, max_age)
    if order is None:
        outcome = Outcome(await _why_not_claimed(repository, draft_id, user_id))
        await announce(outcome)
        return outcome
    try:
        stored = await repository.get_api_key(user_id)
    except UnreadableKey:
        stored = None
    except BaseException:
        # Nothing was sent: never leave the row stuck in 'placing'.
        await record_outcome(repository, draft_id, Placement.DRAFT)
        raise
    if stored is None:
        await record_outcome(repository, draft_id, Placement.ABANDONED)
        outcome = Outcome(Placing.NO_KEY, order)
        await announce(outcome)
        return outcome
    outcome, placement, error = await _send(services, order, stored.key, wait)
    try:
        await announce(outcome)
    finally:
        if outcome.kind is Placing.PLACED:
            assert outcome.panel_order_id is not None
            await record_placed(repository, draft_id, outcome.panel_order_id)
        else:
            await record_outcome(repository, draft_id, placement, error=error)
    return outcome


async def _why_not_claimed(repository: Repository, draft_id: int, user_id: int) -> Placing:
    """A second tap, another device, a retried update, a replaced or an old summary."""
    existing = await repository.get_order(draft_id, user_id)
    placement = existing.placement if existing is not None else None
    if placement == Placement.PLACING:
        return Placing.ALREADY_PLACING
    if placement in {Placement.PLACED, Placement.REJECTED, Placement.UNKNOWN}:
        return Placing.ALREADY_DONE
    return Placing.EXPIRED


async def _send(
    services: BotServices, order: Order, key: str, wait: PanelWait
) -> tuple[Outcome, str, str | None]:
    """The `add` call (never retried once it may have reached the panel): the outcome, and
    the placement and error to record for it."""
    assert order.id is not None
    fields = json.loads(order.fields_json)
    try:
        panel_id = await wait(services.interactive.add(key, order.service_id, fields))
    except OutcomeUnknown:
        logger.warning("Order %s: outcome unknown after sending add", order.id)
        return Outcome(Placing.UNKNOWN, order), Placement.UNKNOWN, None
    except PanelUnavailable:
        # Certainly not received (the client says "unavailable" for add only then).
        return Outcome(Placing.UNAVAILABLE, order), Placement.DRAFT, None
    except PanelError as error:
        refused_type = None
        if isinstance(error, BadLink) and "link" not in fields:
            # A form without a link refused as a bad link (SmartPanel's subscriptions, S11):
            # the panel cannot take this type through its API; it is not offered again.
            refused_type = normalize_service_type(order.service_type or "")
            await services.panel.note_refused_type(
                refused_type.value, "a form without a link was refused as a bad link"
            )
        outcome = Outcome(Placing.REFUSED, order, error=error, refused_type=refused_type)
        return outcome, Placement.REJECTED, error.message
    except BaseException:
        # Our own failure (or shutdown) mid-way: never leave the row stuck in 'placing'.
        await record_outcome(services.repository, order.id, Placement.UNKNOWN)
        raise
    logger.info("Order %s placed at the panel as %s", order.id, panel_id)
    return Outcome(Placing.PLACED, order, panel_order_id=panel_id), Placement.PLACED, None


# --- drafts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """The row behind a summary on screen, and what the summary shows."""

    id: int
    quantity: int | None
    price: Decimal
    comma_split: bool  # comments counted the way a comma-splitting panel counts them


async def new_draft(
    services: BotServices,
    user_id: int,
    service: Service,
    answers: Mapping[str, str],
    currency: str | None,
    *,
    replacing: int | None = None,
) -> Draft:
    """A new draft row for exactly what the summary will show; the one it replaces (if any)
    is abandoned, so its Confirm can no longer place it."""
    capabilities = services.panel.capabilities
    quantity = order_quantity(service, answers, capabilities)
    price = order_price(service, answers, capabilities)
    if replacing is not None:
        await services.repository.abandon_draft(replacing)
    draft_id = await services.repository.create_draft(
        DraftOrder(
            user_id=user_id,
            service_id=service.id,
            service_name=service.name,
            service_type=service.type.value,
            link=answers.get("link"),
            quantity=quantity,
            fields=panel_fields(service, answers, capabilities),
            price=price,
            currency=currency,
            can_refill=service.refill,
            can_cancel=service.cancel,
        )
    )
    return Draft(draft_id, quantity, price, splits_comments(service, answers, capabilities))


async def abandon_draft(services: BotServices, draft_id: int | None) -> None:
    """A summary replaced or closed: its Confirm must no longer place it."""
    if draft_id is not None:
        await services.repository.abandon_draft(draft_id)
