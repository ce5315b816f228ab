"""Orders on demand: /orders, the order card, /status, /refill, cancel, tracking, /notify.
The rules (may a refill be asked, what is recorded) are bot.services.tasks and .tracking;
this module reads the update, calls them and words the outcome."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callback, keyboards, texts
from bot.context import get_services
from bot.keyboards import orders as orders_keyboards
from bot.keyboards.orders import ORDERS_PER_PAGE
from bot.order_fields import ascii_digits
from bot.panel import (
    CancelCreated,
    ItemError,
    OrderNotFound,
    OrderStatus,
    PanelError,
    RefillCreated,
)
from bot.services import tasks, tracking
from bot.services.tasks import Asked, Blocked, TaskRequest
from bot.services.tracking import check_and_track
from handlers import waiting
from handlers.common import (
    Context,
    answer_query,
    ask_confirmation,
    edit,
    reply,
    support_note,
    take_confirmation,
    user_key,
    with_note,
)
from storage.models import Order

logger = logging.getLogger(__name__)

MAX_IDS = 100  # per /refill
MAX_STATUS_IDS = 1000  # per /status: a Telegram message holds about that many ids
LINE_PER_ID_UP_TO = 100  # a /status answer with more ids groups them by status
ID_SHAPE = re.compile(r"^\d{1,40}$")


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _query_message(update: Update) -> Message | None:
    query = update.callback_query
    return query.message if query is not None and isinstance(query.message, Message) else None


# --- /orders and the card ----------------------------------------------------------------------


async def list_orders(update: Update, context: Context) -> None:
    await answer_query(update)
    repository = get_services(context).repository
    user_id = _user_id(update)
    # Only a page button carries a page and a choice (its pattern checked them); the menu
    # starts at the first page of all orders.
    data = (
        callback.ORDERS_PAGE.parse(update.callback_query.data) if update.callback_query else None
    )
    page = data.int_arg(0, callback.PAGE) if data is not None else 0
    shown = data.arg(1, "all") if data is not None else "all"
    chosen = tracking.order_filter(shown)
    total = await repository.count_orders(user_id, chosen)
    any_orders = bool(total) if chosen is None else bool(await repository.count_orders(user_id))
    page = keyboards.clamp_page(page, total, ORDERS_PER_PAGE)
    orders = await repository.list_orders(user_id, page * ORDERS_PER_PAGE, ORDERS_PER_PAGE, chosen)
    pages = keyboards.pages(total, ORDERS_PER_PAGE)
    markup = orders_keyboards.orders_list(orders, page, total, shown, any_orders)
    text = texts.orders.orders_list(orders, page, pages, shown)
    message = _query_message(update)
    if data is not None and message is not None:
        await edit(message, text, markup)
    else:
        await reply(update, text, markup)


def _list_page(message: Message | None) -> int:
    """The list page a card's Back returns to, read from the card being redrawn (its Back
    button carries it), so Refresh or Refill keep it; 0 for anything else."""
    markup = message.reply_markup if message is not None else None
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data = callback.ORDERS_PAGE.parse(button.callback_data)
            if data is not None:
                return data.int_arg(0, callback.PAGE)
    return 0


async def _show_card(
    update: Update, context: Context, order: Order, *, in_place: bool, page: int | None = None
) -> None:
    services = get_services(context)
    order_tasks = await services.repository.tasks_for_order(
        order.user_id, order.panel_order_id or ""
    )
    actions = await tasks.card_actions(services, order)
    text = texts.orders.order_card(order, order_tasks)
    message = _query_message(update)
    if page is None:
        page = _list_page(message) if in_place else 0
    markup = orders_keyboards.card(order, refill=actions.refill, cancel=actions.cancel, page=page)
    if in_place and message is not None:
        await edit(message, text, markup)
    else:
        await reply(update, text, markup)


async def _order_from_button(update: Update, context: Context) -> Order | None:
    assert update.callback_query is not None
    data = callback.parse(update.callback_query.data)
    assert data is not None  # the patterns below let only a valid row id through
    order = await get_services(context).repository.get_order(
        data.int_arg(0, callback.ROW_ID), _user_id(update)
    )
    if order is None or order.panel_order_id is None:
        await waiting.answer(update, texts.orders.order_not_found(), alert=True)
        return None
    return order


async def open_card(update: Update, context: Context) -> None:
    order = await _order_from_button(update, context)
    if order is None:
        return
    await answer_query(update)
    data = callback.CARD_OPEN.parse(update.callback_query.data)  # type: ignore[union-attr]
    # From the list the card replaces it; from a push or a receipt it comes as a new message.
    from_list = data is not None and data.arg(1) == callback.LIST_MARK
    page = data.int_arg(2, callback.PAGE, default=0) if data is not None else 0
    await _show_card(update, context, order, in_place=from_list, page=page)


@waiting.patient
async def refresh_card(update: Update, context: Context) -> None:
    order = await _order_from_button(update, context)
    if order is None:
        return
    stored = await user_key(update, context)
    if stored is None:
        return
    services = get_services(context)
    try:
        order = await waiting.call(
            tracking.refresh_order(services.interactive, services.repository, stored, order)
        )
    except OrderNotFound:
        await waiting.reply(update, texts.orders.panel_forgot_order())
        return
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return
    await _show_card(update, context, order, in_place=True)


# --- refill and cancel -------------------------------------------------------------------------


def _refill_blocked(reason: Blocked) -> str:
    if reason is Blocked.UNSUPPORTED:
        return texts.orders.refill_unsupported()
    if reason is Blocked.UNDER_WAY:
        return texts.orders.refill_under_way()
    return texts.orders.refill_not_allowed()


def _cancel_blocked(reason: Blocked) -> str:
    if reason is Blocked.UNSUPPORTED:
        return texts.orders.cancel_unsupported()
    if reason is Blocked.UNDER_WAY:
        return texts.orders.cancel_already()
    return texts.orders.cancel_not_allowed()


@waiting.patient
async def refill_button(update: Update, context: Context) -> None:
    order = await _order_from_button(update, context)
    if order is None:
        return
    blocked = await tasks.refill_blocked(get_services(context), order)
    if blocked is not None:
        await waiting.answer(update, _refill_blocked(blocked), alert=True)
        return
    asked = await _request_refills(update, context, [order.panel_order_id or ""])
    if asked is not None and asked[0]:
        lines, refused = asked
        report = texts.orders.id_report(texts.orders.refill_title(), lines)
        await waiting.reply_all(update, await _with_support(context, report, refused))
        await _show_card(update, context, order, in_place=True)


@waiting.patient
async def refill_command(update: Update, context: Context) -> None:
    ids, problems = _parse_ids(context.args or [])
    if not ids and not problems:
        await reply(update, texts.orders.refill_usage())
        return
    if len(ids) > MAX_IDS:
        await reply(update, texts.orders.too_many_ids(100))
        return
    services = get_services(context)
    if services.panel.capabilities.refill is False:
        await reply(update, texts.orders.refill_unsupported())
        return
    allowed, blocked = await tasks.sort_refills(services, _user_id(update), ids)
    problems.extend((order_id, _refill_blocked(reason)) for order_id, reason in blocked)
    asked = await _request_refills(update, context, allowed) if allowed else ([], False)
    if asked is not None:
        lines, refused = asked
        report = texts.orders.id_report(texts.orders.refill_title(), problems + lines)
        await waiting.reply_all(update, await _with_support(context, report, refused))


async def _request_refills(
    update: Update, context: Context, order_ids: list[str]
) -> tuple[list[tuple[str, str]], bool] | None:
    """Ask the panel once for all ids: a line per id, and whether the panel refused any; None
    when the user was already told what went wrong."""
    stored = await user_key(update, context)
    if stored is None:
        return None
    request = await tasks.request_refills(get_services(context), stored, order_ids, waiting.call)
    if request.asked is not Asked.ANSWERED:
        await _tell_not_answered(update, context, request, refill=True)
        return None
    lines = []
    refused = False
    for order_id, result in request.results.items():
        if isinstance(result, RefillCreated):
            lines.append((order_id, texts.orders.refill_requested(result.refill_id)))
        else:
            refused = True
            lines.append((order_id, _item_problem(result)))
    return lines, refused


async def _with_support(context: Context, report: list[str], refused: bool) -> list[str]:
    """A report where the panel refused something ends with the support line (when set)."""
    note = await support_note(context) if refused else None
    if note is None:
        return report
    return [*report[:-1], with_note(report[-1], note)]


def _item_problem(result: tasks.TaskResult) -> str:
    """One id the panel did not act on: its own words, or (when its answer left the id out)
    that it does not know the order — in our words, never passed off as the panel's."""
    if isinstance(result, ItemError):
        return texts.errors.item_error_line(result.message)
    return texts.errors.panel_error(OrderNotFound("no answer for this id"))


async def _tell_not_answered(
    update: Update, context: Context, request: TaskRequest, *, refill: bool
) -> None:
    """A refill or cancel the panel did not take (or did not clearly take), with the support
    line (when set)."""
    if request.asked is Asked.FAILED:
        assert request.error is not None
        text = texts.errors.panel_error(request.error)
    else:
        words = {
            Asked.UNCLEAR: (texts.orders.refill_unclear, texts.orders.cancel_unclear),
            Asked.NOT_NOW: (texts.orders.refill_not_now, texts.orders.cancel_not_now),
            Asked.UNSUPPORTED: (texts.orders.refill_unsupported, texts.orders.cancel_unsupported),
        }[request.asked]
        text = (words[0] if refill else words[1])()
    await waiting.reply(update, with_note(text, await support_note(context)))


def _cancelling(order: Order) -> str:
    return f"cancel:{order.id}"


async def cancel_button(update: Update, context: Context) -> None:
    """✖️ Cancel order: asked first, in place of the card (Yes / No); nothing is sent yet."""
    order = await _order_from_button(update, context)
    if order is None:
        return
    assert order.id is not None
    blocked = await tasks.cancel_blocked(get_services(context), order)
    if blocked is not None:
        await waiting.answer(update, _cancel_blocked(blocked), alert=True)
        return
    await answer_query(update)
    ask_confirmation(context, _cancelling(order))
    question = texts.orders.cancel_question(order)
    await edit(_query_message(update), question, orders_keyboards.cancel_question(order.id))


async def cancel_declined(update: Update, context: Context) -> None:
    """No: back to the card, nothing sent."""
    order = await _order_from_button(update, context)
    if order is None:
        return
    take_confirmation(context, _cancelling(order))
    await answer_query(update)
    await _show_card(update, context, order, in_place=True)


@waiting.patient
async def cancel_confirmed(update: Update, context: Context) -> None:
    """Yes: the cancel is sent once. A second tap, a Yes after a No, a forged or an old Yes
    (from before a restart) sends nothing."""
    order = await _order_from_button(update, context)
    if order is None:
        return
    services = get_services(context)
    blocked = await tasks.cancel_blocked(services, order)
    if not take_confirmation(context, _cancelling(order)) or blocked is not None:
        why = _cancel_blocked(blocked) if blocked is not None else texts.common.expired()
        await waiting.answer(update, why, alert=blocked is not None)
        return
    stored = await user_key(update, context)
    if stored is None:
        return
    panel_id = order.panel_order_id or ""
    request = await tasks.request_cancel(services, stored, panel_id, waiting.call)
    if request.asked is not Asked.ANSWERED:
        await _tell_not_answered(update, context, request, refill=False)
    else:
        result = request.results.get(panel_id)
        if isinstance(result, CancelCreated):
            await waiting.reply(update, texts.orders.cancel_requested(result.cancel_id))
        else:
            problem = result.message if isinstance(result, ItemError) else None
            text = texts.errors.panel_said(problem) if problem else _item_problem(result)
            await waiting.reply(update, with_note(text, await support_note(context)))
    # The question becomes the card again (with the request, or its Cancel button back).
    await _show_card(update, context, order, in_place=True)


# --- /status and tracking ----------------------------------------------------------------------


def _parse_ids(args: list[str], limit: int = MAX_IDS) -> tuple[list[str], list[tuple[str, str]]]:
    """Order ids from `/status 1 2,3`; anything else is reported per token, not fatal."""
    ids: list[str] = []
    problems: list[tuple[str, str]] = []
    # Ids copied from an Arabic message carry direction marks; Arabic-Indic digits read too.
    typed = ascii_digits(" ".join(args))
    tokens = [token for token in re.split(r"[\s,;،]+", typed) if token]
    if len(tokens) > limit:  # bad tokens count too: one message, one bounded reply
        return tokens, []
    for token in tokens:
        if ID_SHAPE.match(token):
            if token not in ids:
                ids.append(token)
        else:
            problems.append((token[:40], texts.errors.item_error_line(texts.orders.not_an_id())))
    return ids, problems


@waiting.patient
async def status_command(update: Update, context: Context) -> None:
    """Statuses of the ids (one panel call per 100); the user's orders among them are stored,
    and those placed on the panel's website tracked from now on — in one step."""
    ids, problems = _parse_ids(context.args or [], MAX_STATUS_IDS)
    if not ids and not problems:
        await reply(update, texts.orders.status_usage())
        return
    if len(ids) > MAX_STATUS_IDS:
        await reply(update, texts.orders.too_many_ids(MAX_STATUS_IDS))
        return
    if not ids:
        await waiting.reply_all(
            update, texts.orders.id_report(texts.orders.status_title(), problems)
        )
        return
    stored = await user_key(update, context)
    if stored is None:
        return
    services = get_services(context)
    try:
        check = await waiting.call(
            check_and_track(services.interactive, services.repository, stored, ids)
        )
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return
    footer = texts.orders.now_tracking(len(check.newly_tracked)) if check.newly_tracked else ""
    if len(ids) + len(problems) > LINE_PER_ID_UP_TO:
        found = [
            (order_id, result if isinstance(result, OrderStatus) else None)
            for order_id, result in check.results.items()
        ]
        report = texts.orders.status_groups(texts.orders.status_title(), found, footer)
    else:
        lines = list(problems)
        for order_id, result in check.results.items():
            if isinstance(result, OrderStatus):
                known = check.orders.get(order_id)
                lines.append((order_id, texts.orders.status_line(result, known)))
            else:
                lines.append((order_id, texts.errors.item_error_line(texts.orders.not_found())))
        report = texts.orders.id_report(texts.orders.status_title(), lines)
        if footer:
            report[-1] += f"\n\n{footer}"
    await waiting.reply_all(update, report)
    new = check.orders.get(check.newly_tracked[0]) if check.newly_tracked else None
    if new is not None and check.unconfirmed:  # it may be an order whose outcome is unknown
        offer = texts.orders.attach_offer(check.newly_tracked[0])
        await reply(update, offer, orders_keyboards.attach_offer(new, check.unconfirmed))


async def attach_button(update: Update, context: Context) -> None:
    """The order /status found is the one whose outcome was unknown: one row, not two."""
    assert update.callback_query is not None
    data = callback.CARD_ATTACH.parse(update.callback_query.data)
    assert data is not None  # the pattern lets only two valid row ids through
    order = await tracking.attach_unknown(
        get_services(context).repository,
        _user_id(update),
        data.int_arg(0, callback.ROW_ID),
        data.int_arg(1, callback.ROW_ID),
    )
    if order is None:
        await waiting.answer(update, texts.orders.attach_stale(), alert=True)
        return
    await answer_query(update)
    await edit(_query_message(update), texts.orders.attached(order.panel_order_id))
    await _show_card(update, context, order, in_place=False)


@waiting.patient
async def track_button(update: Update, context: Context) -> None:
    """The Track button of /status answers sent before tracking took one step."""
    assert update.callback_query is not None
    data = callback.CARD_TRACK.parse(update.callback_query.data)
    order_id = data.arg(0) if data else ""
    stored = await user_key(update, context)
    if stored is None or not ID_SHAPE.match(order_id):
        return
    services = get_services(context)
    try:
        check = await waiting.call(
            check_and_track(services.interactive, services.repository, stored, [order_id])
        )
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return
    order = check.orders.get(order_id)
    if order is None:
        await waiting.reply(update, texts.orders.order_not_found())
        return
    await waiting.reply(update, texts.orders.tracked())
    await _show_card(update, context, order, in_place=False)


async def untrack_button(update: Update, context: Context) -> None:
    order = await _order_from_button(update, context)
    if order is None:
        return
    assert order.id is not None
    await answer_query(update)
    if await get_services(context).repository.untrack_order(order.id, order.user_id):
        await edit(_query_message(update), texts.orders.untracked(order.panel_order_id))


# --- /notify -----------------------------------------------------------------------------------


async def notify_command(update: Update, context: Context) -> None:
    """/notify shows the setting; its button changes it."""
    enabled = await tracking.notify_enabled(get_services(context).repository, _user_id(update))
    await reply(update, texts.orders.notify_status(enabled), orders_keyboards.notify(enabled))


async def notify_button(update: Update, context: Context) -> None:
    """Sets (never toggles) what the button says: a double tap or an old message is harmless."""
    data = callback.NOTIFY_SET.parse(update.callback_query.data)  # type: ignore[union-attr]
    assert data is not None  # the pattern let only "on" or "off" through
    enabled = data.arg(0) == "on"
    await tracking.set_notify(get_services(context).repository, _user_id(update), enabled)
    await answer_query(update)
    await edit(
        _query_message(update),
        texts.orders.notify_status(enabled),
        orders_keyboards.notify(enabled),
    )


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return [
        CommandHandler("orders", list_orders),
        CommandHandler("status", status_command),
        CommandHandler("refill", refill_command),
        CommandHandler("notify", notify_command),
        CallbackQueryHandler(notify_button, pattern=callback.NOTIFY_SET.pattern()),
        CallbackQueryHandler(list_orders, pattern=callback.MENU_ORDERS.pattern()),
        # Button data is checked against its shape here: forged numbers (2^63, negatives,
        # letters) match nothing and are answered by the catch-all "this menu has expired".
        CallbackQueryHandler(list_orders, pattern=callback.ORDERS_PAGE.pattern()),
        CallbackQueryHandler(open_card, pattern=callback.CARD_OPEN.pattern()),
        CallbackQueryHandler(refresh_card, pattern=callback.CARD_REFRESH.pattern()),
        CallbackQueryHandler(refill_button, pattern=callback.CARD_REFILL.pattern()),
        CallbackQueryHandler(cancel_button, pattern=callback.CARD_CANCEL.pattern()),
        CallbackQueryHandler(cancel_confirmed, pattern=callback.CARD_CANCEL_YES.pattern()),
        CallbackQueryHandler(cancel_declined, pattern=callback.CARD_CANCEL_NO.pattern()),
        CallbackQueryHandler(track_button, pattern=callback.CARD_TRACK.pattern()),
        CallbackQueryHandler(untrack_button, pattern=callback.CARD_UNTRACK.pattern()),
        CallbackQueryHandler(attach_button, pattern=callback.CARD_ATTACH.pattern()),
    ]
