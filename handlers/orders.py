"""Orders on demand: /orders, the order card, /status, /refill, cancel, tracking, /notify."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callback, keyboards, texts
from bot.context import get_services
from bot.panel import (
    FINAL_STATE_VALUES,
    ActionUnsupported,
    CancelCreated,
    ItemError,
    OrderNotFound,
    OrderState,
    OrderStatus,
    OutcomeUnknown,
    PanelError,
    PanelUnavailable,
    RefillCreated,
)
from bot.panel.capabilities import Capabilities
from bot.services.tasks import record_task
from bot.services.tracking import check_and_track
from handlers import waiting
from handlers.common import (
    Context,
    answer_query,
    edit,
    reply,
    user_key,
)
from storage.models import Order, Placement, TaskKind, TaskStatus

logger = logging.getLogger(__name__)

PREFIX = "c"
ORDERS_PER_PAGE = 5
MAX_IDS = 100  # per /refill
MAX_STATUS_IDS = 1000  # per /status: a Telegram message holds about that many ids
LINE_PER_ID_UP_TO = 100  # a /status answer with more ids groups them by status
ID_SHAPE = re.compile(r"^\d{1,40}$")
REFILLABLE_STATES = frozenset({OrderState.COMPLETED.value, OrderState.PARTIAL.value})
ID_ARGS = (callback.ROW_ID,)
CARD_ARGS = (callback.ROW_ID, callback.TextArg("l"))  # "l": opened from the list


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
    total = await repository.count_orders(user_id)
    data = callback.parse(update.callback_query.data) if update.callback_query else None
    # Only "c:list" carries a page (its pattern checked it); "m:orders" starts at the first.
    page = data.int_arg(0, callback.PAGE, default=0) if data and data.action == "list" else 0
    page = keyboards.clamp_page(page, total, ORDERS_PER_PAGE)
    orders = await repository.list_orders(user_id, page * ORDERS_PER_PAGE, ORDERS_PER_PAGE)
    pages = keyboards.pages(total, ORDERS_PER_PAGE)
    items = [
        (texts.orders.order_button(o), callback.build(PREFIX, "open", o.id, "l"))
        for o in orders
        if o.panel_order_id is not None
    ]
    markup = keyboards.paged_rows(
        items,
        page,
        total,
        ORDERS_PER_PAGE,
        lambda p: callback.build(PREFIX, "list", p),
        [(texts.order.button_new_order(), callback.build("m", "order"))],
    )
    text = texts.orders.orders_list(orders, page, pages)
    message = _query_message(update)
    if data is not None and data.action == "list" and message is not None:
        await edit(message, text, markup)
    else:
        await reply(update, text, markup)


def _capabilities(context: Context) -> Capabilities:
    """What the panel is known to support (unknown facts: the catalogue's flags decide)."""
    return get_services(context).panel.capabilities


def _card_markup(
    order: Order, has_open_refill: bool, has_open_cancel: bool, capabilities: Capabilities
) -> Any:
    assert order.id is not None
    rows = [[(texts.orders.button_refresh(), callback.build(PREFIX, "ref", order.id))]]
    actions = []
    refill = capabilities.refill is not False and order.can_refill is not False
    if refill and order.status in REFILLABLE_STATES and not has_open_refill:
        actions.append((texts.orders.button_refill(), callback.build(PREFIX, "rf", order.id)))
    cancel = capabilities.cancel is not False and order.can_cancel
    if cancel and order.status not in FINAL_STATE_VALUES and not has_open_cancel:
        actions.append(
            (texts.orders.button_cancel_order(), callback.build(PREFIX, "cx", order.id))
        )
    if actions:
        rows.append(actions)
    if order.service_id:
        rows.append(
            [(texts.orders.button_order_again(), callback.build(PREFIX, "again", order.id))]
        )
    if order.placement == Placement.TRACKED:
        rows.append([(texts.orders.button_untrack(), callback.build(PREFIX, "untrack", order.id))])
    rows.append([(texts.common.button_back(), callback.build(PREFIX, "list", 0))])
    return keyboards.markup(rows)


async def _show_card(update: Update, context: Context, order: Order, *, in_place: bool) -> None:
    tasks = await get_services(context).repository.tasks_for_order(
        order.user_id, order.panel_order_id or ""
    )
    panel_id = order.panel_order_id or ""
    has_refill = await _task_under_way(context, order.user_id, panel_id, TaskKind.REFILL)
    has_cancel = await _task_under_way(context, order.user_id, panel_id, TaskKind.CANCEL)
    text = texts.orders.order_card(order, tasks)
    markup = _card_markup(order, has_refill, has_cancel, _capabilities(context))
    message = _query_message(update)
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
    data = callback.parse(update.callback_query.data)  # type: ignore[union-attr]
    # From the list the card replaces it; from a push or a receipt it comes as a new message.
    await _show_card(update, context, order, in_place=bool(data and data.arg(1) == "l"))


@waiting.patient
async def refresh_card(update: Update, context: Context) -> None:
    order = await _order_from_button(update, context)
    if order is None:
        return
    stored = await user_key(update, context)
    if stored is None:
        return
    panel = get_services(context).interactive
    try:
        status = await waiting.call(panel.status(stored.key, order.panel_order_id or ""))
    except OrderNotFound:
        await waiting.reply(update, texts.orders.panel_forgot_order())
        return
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return
    order = await _store_seen(context, order, status)
    await _show_card(update, context, order, in_place=True)


async def _store_seen(context: Context, order: Order, status: OrderStatus) -> Order:
    assert order.id is not None
    return await get_services(context).repository.record_order_status(
        order.id,
        status=status.state.value,
        status_raw=status.status_raw,
        remains=status.remains,
        start_count=status.start_count,
        charge=status.charge,
        seen_by_user=True,
    )


# --- refill and cancel -------------------------------------------------------------------------


@waiting.patient
async def refill_button(update: Update, context: Context) -> None:
    order = await _order_from_button(update, context)
    if order is None:
        return
    if _capabilities(context).refill is False:  # a button drawn before the panel was known
        await waiting.answer(update, texts.orders.refill_unsupported(), alert=True)
        return
    if await _task_under_way(context, order.user_id, order.panel_order_id or "", TaskKind.REFILL):
        await waiting.answer(update, texts.orders.refill_under_way(), alert=True)
        return
    if order.can_refill is False or order.status not in REFILLABLE_STATES:
        await waiting.answer(update, texts.orders.refill_not_allowed(), alert=True)
        return
    lines = await _request_refills(update, context, [order.panel_order_id or ""])
    if lines:
        await waiting.reply_all(update, texts.orders.id_report(texts.orders.refill_title(), lines))
        await _show_card(update, context, order, in_place=True)


async def _task_under_way(context: Context, user_id: int, panel_order_id: str, kind: str) -> bool:
    """One refill (or cancel) at a time per order: a double tap must not send a second one."""
    return await get_services(context).repository.open_task_exists(
        user_id, panel_order_id, kind, FINAL_STATE_VALUES
    )


@waiting.patient
async def refill_command(update: Update, context: Context) -> None:
    ids, problems = _parse_ids(context.args or [])
    if not ids and not problems:
        await reply(update, texts.orders.refill_usage())
        return
    if len(ids) > MAX_IDS:
        await reply(update, texts.orders.too_many_ids(100))
        return
    if _capabilities(context).refill is False:
        await reply(update, texts.orders.refill_unsupported())
        return
    repository = get_services(context).repository
    allowed = []
    for order_id in ids:
        known = await repository.find_order(_user_id(update), order_id)
        if known is not None and known.can_refill is False:
            problems.append((order_id, texts.orders.refill_not_allowed()))
        elif await _task_under_way(context, _user_id(update), order_id, TaskKind.REFILL):
            problems.append((order_id, texts.orders.refill_under_way()))
        else:
            allowed.append(order_id)
    lines = await _request_refills(update, context, allowed) if allowed else []
    if lines is not None:
        await waiting.reply_all(
            update, texts.orders.id_report(texts.orders.refill_title(), problems + lines)
        )


async def _request_refills(
    update: Update, context: Context, order_ids: list[str]
) -> list[tuple[str, str]] | None:
    """Ask the panel once for all ids; None when the user was already told what went wrong."""
    stored = await user_key(update, context)
    if stored is None:
        return None
    services = get_services(context)
    try:
        results = await waiting.call(services.interactive.refill(stored.key, order_ids))
    except OutcomeUnknown:
        # It may have reached the panel: record it so that repeating it sends nothing.
        for order_id in order_ids:
            await record_task(
                services.repository,
                TaskKind.REFILL,
                stored.user_id,
                order_id,
                None,
                TaskStatus.UNCLEAR,
            )
        await waiting.reply(update, texts.orders.refill_unclear())
        return None
    except PanelUnavailable:
        # Nothing reached the panel, or it broke on the request (BoostedSMM's 500, B24):
        # nothing is recorded; the customer asks again when they like.
        await waiting.reply(update, texts.orders.refill_not_now())
        return None
    except ActionUnsupported:  # SmartPanel's "This action is Invalid" (S33), learned by the client
        await waiting.reply(update, texts.orders.refill_unsupported())
        return None
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return None
    lines = []
    for order_id in order_ids:
        result = results.get(order_id)
        if isinstance(result, RefillCreated):
            await record_task(
                services.repository,
                TaskKind.REFILL,
                stored.user_id,
                order_id,
                result.refill_id,
                TaskStatus.PENDING if result.refill_id else TaskStatus.REQUESTED,
            )
            lines.append((order_id, texts.orders.refill_requested(result.refill_id)))
        else:
            message = result.message if isinstance(result, ItemError) else texts.orders.not_found()
            lines.append((order_id, texts.errors.item_error_line(message)))
    return lines


@waiting.patient
async def cancel_button(update: Update, context: Context) -> None:
    order = await _order_from_button(update, context)
    if order is None:
        return
    repository = get_services(context).repository
    panel_id = order.panel_order_id or ""
    if _capabilities(context).cancel is False:  # a button drawn before the panel was known
        await waiting.answer(update, texts.orders.cancel_unsupported(), alert=True)
        return
    if await _task_under_way(context, order.user_id, panel_id, TaskKind.CANCEL):
        await waiting.answer(update, texts.orders.cancel_already(), alert=True)
        return
    if not order.can_cancel or order.status in FINAL_STATE_VALUES:
        await waiting.answer(update, texts.orders.cancel_not_allowed(), alert=True)
        return
    stored = await user_key(update, context)
    if stored is None:
        return
    try:
        results = await waiting.call(
            get_services(context).interactive.cancel(stored.key, [panel_id])
        )
    except OutcomeUnknown:
        # It may have reached the panel: record it so a second tap cannot send another.
        await record_task(
            repository, TaskKind.CANCEL, order.user_id, panel_id, None, TaskStatus.UNCLEAR
        )
        await waiting.reply(update, texts.orders.cancel_unclear())
        return
    except PanelUnavailable:
        await waiting.reply(update, texts.orders.cancel_not_now())
        return
    except ActionUnsupported:  # SmartPanel (S37), BoostedSMM's `null` (B29)
        await waiting.reply(update, texts.orders.cancel_unsupported())
        return
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return
    result = results.get(panel_id)
    if isinstance(result, CancelCreated):
        await record_task(
            repository,
            TaskKind.CANCEL,
            order.user_id,
            panel_id,
            result.cancel_id,
            TaskStatus.PENDING if result.cancel_id else TaskStatus.REQUESTED,
        )
        await waiting.reply(update, texts.orders.cancel_requested(result.cancel_id))
        await _show_card(update, context, order, in_place=True)
    else:
        message = result.message if isinstance(result, ItemError) else texts.orders.not_found()
        await waiting.reply(update, texts.errors.panel_said(message))


# --- /status and tracking ----------------------------------------------------------------------


def _parse_ids(args: list[str], limit: int = MAX_IDS) -> tuple[list[str], list[tuple[str, str]]]:
    """Order ids from `/status 1 2,3`; anything else is reported per token, not fatal."""
    ids: list[str] = []
    problems: list[tuple[str, str]] = []
    tokens = [token for token in re.split(r"[\s,;]+", " ".join(args)) if token]
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


@waiting.patient
async def track_button(update: Update, context: Context) -> None:
    """The Track button of /status answers sent before tracking took one step."""
    assert update.callback_query is not None
    data = callback.parse(update.callback_query.data)
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


async def toggle_notify(update: Update, context: Context) -> None:
    repository = get_services(context).repository
    user = await repository.touch_user(_user_id(update))
    await repository.set_user_flags(user.telegram_id, notify=not user.notify)
    await reply(update, texts.pushes.notify_state(not user.notify))


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return [
        CommandHandler("orders", list_orders),
        CommandHandler("status", status_command),
        CommandHandler("refill", refill_command),
        CommandHandler("notify", toggle_notify),
        CallbackQueryHandler(list_orders, pattern=callback.pattern("m", "orders")),
        # Button data is checked against its shape here: forged numbers (2^63, negatives,
        # letters) match nothing and are answered by the catch-all "this menu has expired".
        CallbackQueryHandler(
            list_orders, pattern=callback.pattern(PREFIX, "list", args=(callback.PAGE,))
        ),
        CallbackQueryHandler(
            open_card, pattern=callback.pattern(PREFIX, "open", args=CARD_ARGS, required=1)
        ),
        CallbackQueryHandler(refresh_card, pattern=callback.pattern(PREFIX, "ref", args=ID_ARGS)),
        CallbackQueryHandler(refill_button, pattern=callback.pattern(PREFIX, "rf", args=ID_ARGS)),
        CallbackQueryHandler(cancel_button, pattern=callback.pattern(PREFIX, "cx", args=ID_ARGS)),
        CallbackQueryHandler(
            track_button,
            pattern=callback.pattern(PREFIX, "track", args=(callback.PANEL_ORDER_ID,)),
        ),
        CallbackQueryHandler(
            untrack_button, pattern=callback.pattern(PREFIX, "untrack", args=ID_ARGS)
        ),
    ]
