"""The summary and Confirm: a draft row for exactly what the summary shows, placed exactly once
by bot.services.placement; this module only shows the outcome."""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import partial
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import callback, keyboards, texts
from bot.context import get_services
from bot.keyboards import order as order_keyboards
from bot.panel import Balance, NotEnoughFunds, PanelError, ServiceType
from bot.services.health import alert_unknown_outcome
from bot.services.placement import Outcome, Placing, new_draft, place_draft
from handlers import waiting
from handlers.common import (
    Context,
    edit,
    panel_orders_url,
    reply,
    support_note,
    top_up_url,
    user_key,
    with_note,
)
from handlers.order.state import END, State, button_data, end_flow, flow, leave_flow, show

logger = logging.getLogger(__name__)


async def _balance(context: Context, key: str) -> Balance | None:
    try:
        return await waiting.call(get_services(context).interactive.balance(key))
    except PanelError:
        return None  # the summary says the balance is unknown; ordering still works


async def show_summary(update: Update, context: Context, *, in_place: bool) -> int:
    """A new draft row for exactly what the summary shows; the one it replaces is abandoned."""
    current = flow(context)
    service = current.service
    user = update.effective_user
    assert service is not None and user is not None
    stored = await user_key(update, context)
    if stored is None:
        await leave_flow(context)
        return END
    balance = await _balance(context, stored.key)
    draft = await new_draft(
        get_services(context),
        user.id,
        service,
        current.answers,
        balance.currency if balance else None,
        replacing=current.draft_id,
    )
    current.draft_id = draft.id
    current.summary_text = texts.order.summary(
        service,
        current.answers,
        draft.quantity,
        draft.price,
        balance,
        comma_split=draft.comma_split,
    )
    current.short_of_funds = balance is not None and balance.amount < draft.price
    await show(
        update, context, current.summary_text, await _summary_keys(context), in_place=in_place
    )
    return State.SUMMARY


async def _summary_keys(context: Context) -> InlineKeyboardMarkup:
    """Confirm, Change, Cancel; and "💳 Top up" when the balance is short."""
    current = flow(context)
    assert current.draft_id is not None
    markup = order_keyboards.summary(current.draft_id)
    if not current.short_of_funds:
        return markup
    return keyboards.with_links(markup, keyboards.top_up(await top_up_url(context)))


async def summary_other(update: Update, context: Context, note: str | None = None) -> int:
    """Text, a photo or a command at the summary: say what is expected, show it again."""
    current = flow(context)
    note = note or texts.order.summary_expected()
    if current.draft_id is None:  # after a refusal only Change and Cancel are left
        await show(update, context, note, order_keyboards.rejected(), in_place=False)
    else:
        text = f"{note}\n\n{current.summary_text}"
        await show(update, context, text, await _summary_keys(context), in_place=False)
    return State.SUMMARY


# What the conversation does after each outcome (None: it stays where it is).
NEXT_STATE: dict[Placing, int | None] = {
    Placing.PLACED: END,
    Placing.UNKNOWN: END,
    Placing.NO_KEY: END,
    Placing.UNAVAILABLE: State.SUMMARY,
    Placing.REFUSED: State.SUMMARY,
    Placing.ALREADY_PLACING: None,
    Placing.ALREADY_DONE: None,
    Placing.EXPIRED: None,
}


@waiting.patient
async def confirm(update: Update, context: Context) -> int | None:
    """Places the draft exactly once, whatever the number of taps, devices or processes.
    The summary stays as it is while the panel works (a slow panel shows ⏳ in the tap's
    answer); a second tap on it finds the draft claimed."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    draft_id = button_data(update).int_arg(0, callback.ROW_ID)
    message = query.message if isinstance(query.message, Message) else None
    outcome = await place_draft(
        get_services(context),
        draft_id,
        user.id,
        announce=partial(_announce, update, context, message),
        wait=partial(waiting.call, hint=texts.order.placing()),
    )
    if outcome.kind is Placing.UNKNOWN:  # the customer was told; the operators hear of it too
        alert_unknown_outcome(get_services(context), outcome.order)
    return NEXT_STATE[outcome.kind]


async def _announce(
    update: Update, context: Context, message: Message | None, outcome: Outcome
) -> None:
    """Each outcome in words. A second tap, another device, a retried update, a replaced or
    an old summary: only the tap's answer; the live conversation (if any) stays as it is."""
    kind = outcome.kind
    if kind is Placing.ALREADY_PLACING:
        await waiting.answer(update, texts.order.already_placing())
    elif kind is Placing.ALREADY_DONE:
        await waiting.answer(update, texts.order.already_done(), alert=True)
    elif kind is Placing.EXPIRED:
        await waiting.answer(update, texts.common.expired())
    elif kind is Placing.NO_KEY:
        await edit(message, texts.common.need_key())
        end_flow(context)
    elif kind is Placing.UNKNOWN:
        end_flow(context)
        text = f"{texts.order.outcome_unknown()}\n{texts.order.outcome_unknown_attach()}"
        text = with_note(text, await support_note(context))
        panel_orders = keyboards.panel_orders(await panel_orders_url(context))
        await _tell_result(update, message, text, keyboards.with_links(_after(), panel_orders))
    elif kind is Placing.UNAVAILABLE:
        draft = outcome.order.id if outcome.order is not None else None
        assert draft is not None
        markup = order_keyboards.summary(draft)
        text = with_note(texts.order.not_placed_try_again(), await support_note(context))
        await _tell_result(update, message, text, markup)
    elif kind is Placing.REFUSED:
        flow(context).draft_id = None
        text = with_note(_refusal(outcome), await support_note(context))
        markup = order_keyboards.rejected()
        if isinstance(outcome.error, NotEnoughFunds):
            markup = keyboards.with_links(markup, keyboards.top_up(await top_up_url(context)))
        await _tell_result(update, message, text, markup)
    else:
        await _receipt(update, context, message, outcome)


def _after(order_id: int | None = None) -> Any:
    return order_keyboards.after_confirm(order_id)


def _refusal(outcome: Outcome) -> str:
    assert outcome.error is not None and outcome.order is not None
    if outcome.refused_type is not None:
        return texts.catalogue.panel_cannot_take(
            outcome.refused_type, outcome.order.service_name or ""
        )
    return texts.order.rejected(outcome.error.message)


async def _receipt(
    update: Update, context: Context, message: Message | None, outcome: Outcome
) -> None:
    """The order exists at the panel: the user learns its id first, whatever happens next."""
    order = outcome.order
    assert order is not None and outcome.panel_order_id is not None
    end_flow(context)
    await waiting.settle(update)
    receipt = texts.order.placed(
        outcome.panel_order_id,
        order.service_name,
        order.price or Decimal(0),
        order.currency,
        per_post=order.service_type == ServiceType.SUBSCRIPTIONS.value,
    )
    await _tell_result(update, message, receipt, _after(order.id))


async def _tell_result(update: Update, message: Message | None, text: str, markup: Any) -> None:
    """The outcome of a Confirm always reaches the user: edited into the summary, or as a new
    message if that fails. Never raises — a "try again" error here could cause a second order."""
    try:
        if message is not None:
            await edit(message, text, markup)
            return
    except TelegramError as error:
        logger.warning("Could not edit the order result in place: %s", error)
    try:
        await reply(update, text, markup)
    except TelegramError:
        logger.exception("Could not tell the user the result of their order")
