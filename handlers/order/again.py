"""Order again, from an order card: the same service and answers, straight to the summary —
each old answer checked again as if typed now (the service's limits or a date may have
changed); the first that no longer fits is asked again, with the reason."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from telegram import Update

from bot import callback, texts
from bot.catalogue import Catalogue
from bot.context import get_services
from bot.order_fields import FieldSpec, InvalidInput, fields_for
from bot.panel.capabilities import Capabilities
from handlers import waiting
from handlers.common import Context, reply, stop_waiting_for_key
from handlers.order import browse, questions
from handlers.order.lists import view
from handlers.order.state import (
    END,
    OrderFlow,
    State,
    button_data,
    capabilities,
    catalogue,
    flow,
    leave_flow,
    load_favourites,
    refused,
    show,
)
from storage.models import Order


@waiting.patient
async def order_again(update: Update, context: Context) -> int:
    await waiting.answer(update)
    stop_waiting_for_key(context)
    await leave_flow(context)
    previous = await _previous_order(update, context)
    if previous is None:
        await reply(update, texts.orders.order_not_found())
        return END
    shown = await catalogue(update, context)
    if shown is None:
        return END
    if not previous.service_id:  # placed on the panel's website: its service is not known
        return await _pick_service(update, context, shown)
    service = shown.find(previous.service_id)
    if service is not None and service.type in refused(context):
        return await browse.choose_service(update, context, service, in_place=False)
    fields = fields_for(service) if service is not None else None
    if service is None or fields is None:
        return await browse.service_gone(
            update, context, shown, previous.service_id, in_place=False
        )
    current = flow(context)
    current.service = service
    problem = replay(current, fields, sent_answers(previous, fields), capabilities(context))
    note = texts.order.invalid_input(problem) if problem is not None else None
    # The summary when every answer still fits, else the first question left.
    return await questions.ask_next(update, context, in_place=False, problem=note)


async def _previous_order(update: Update, context: Context) -> Order | None:
    """The card's order (this user's)."""
    user = update.effective_user
    assert user is not None
    order_id = button_data(update).int_arg(0, callback.ROW_ID)
    return await get_services(context).repository.get_order(order_id, user.id)


async def _pick_service(update: Update, context: Context, shown: Catalogue) -> int:
    """Order again of an order tracked from the panel's website: the panel never says which
    service an order is, so the customer picks it (favourites first, as in /order)."""
    await load_favourites(update, context)
    text, markup = view(shown, flow(context), refused(context), capabilities(context))
    await show(
        update,
        context,
        f"{texts.favourites.again_pick_service()}\n\n{text}",
        markup,
        in_place=False,
    )
    return State.BROWSE


def sent_answers(previous: Order, fields: Sequence[FieldSpec]) -> dict[str, Any]:
    """What was sent to the panel, as answers (drip-feed is our own question: runs tell it)."""
    sent: dict[str, Any] = json.loads(previous.fields_json)
    if any(spec.name == "dripfeed" for spec in fields):
        sent["dripfeed"] = "yes" if "runs" in sent else "no"
    return sent


def replay(
    current: OrderFlow,
    fields: Sequence[FieldSpec],
    sent: dict[str, Any],
    capabilities: Capabilities,
) -> InvalidInput | None:
    """Answer the questions with the old answers, in order, until one no longer fits (its
    problem is returned) or the service asks for something new (asked next)."""
    for spec in fields:
        if not spec.applies(current.answers):
            continue
        if spec.name in sent:
            problem = questions.answer(current, spec, str(sent[spec.name]), capabilities)
            if problem is not None:
                return problem
        elif spec.optional:  # skipped last time: skipped again
            current.skipped.add(spec.name)
            current.history.append(spec.name)
        else:
            return None  # the service now asks for more: ask it
    return None
