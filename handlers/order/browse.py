"""Browsing the catalogue: platforms, categories, a category's services, search by name or
service id (also typed outside any flow: `search_entry`), and choosing a service."""

from __future__ import annotations

from telegram import Update

from bot import callback, texts
from bot.catalogue import Catalogue
from bot.context import get_services
from bot.order_fields import fields_for
from bot.panel import Service
from handlers import waiting
from handlers.common import Context, reply, stop_waiting_for_key
from handlers.order import questions
from handlers.order.lists import categories_view, view
from handlers.order.state import (
    END,
    State,
    button_data,
    capabilities,
    catalogue,
    flow,
    leave_flow,
    live_query,
    load_favourites,
    refused,
    show,
)
from storage.favourites import MAX_FAVOURITES

MAX_QUERY = 100


@waiting.patient
async def start_order(update: Update, context: Context) -> int:
    await waiting.answer(update)
    stop_waiting_for_key(context)
    await leave_flow(context)
    shown = await catalogue(update, context)
    if shown is None:
        return END
    if not shown.services:
        await reply(update, texts.catalogue.catalogue_empty())
        return END
    await load_favourites(update, context)
    text, markup = view(shown, flow(context), refused(context), capabilities(context))
    await show(update, context, text, markup, in_place=False)
    return State.BROWSE


@waiting.patient
async def search_entry(update: Update, context: Context) -> int:
    """Text typed outside any flow: a search of the catalogue (or the service with that id),
    which opens the order flow there. Without a key: how to connect one."""
    await leave_flow(context)
    shown = await catalogue(update, context)
    if shown is None:
        return END
    if not shown.services:
        await reply(update, texts.catalogue.catalogue_empty())
        return END
    return await _search(update, context, shown)


@waiting.patient
async def browse_button(update: Update, context: Context) -> int:
    if not await live_query(update, context):
        return State.BROWSE
    data = button_data(update)
    shown = await catalogue(update, context)
    if shown is None:
        return State.BROWSE
    current = flow(context)
    if data.action == callback.ORDER_CATEGORIES.action:
        current.view = ("cats", 0, data.int_arg(0, callback.PAGE))
    elif data.action == callback.ORDER_PLATFORM.action:
        index, page = data.int_arg(0, callback.INDEX), data.int_arg(1, callback.PAGE)
        current.view = ("platform", index, page)
    elif data.action == callback.ORDER_CATEGORY.action:
        current.view = ("cat", data.int_arg(0, callback.INDEX), data.int_arg(1, callback.PAGE))
    elif data.action == callback.ORDER_FAVOURITES.action:
        await load_favourites(update, context)
        current.view = ("favs", 0, 0)
    else:  # a page of search results
        current.view = ("search", 0, data.int_arg(0, callback.PAGE))
    text, markup = view(shown, current, refused(context), capabilities(context))
    await show(update, context, text, markup, in_place=True)
    return State.BROWSE


@waiting.patient
async def browse_text(update: Update, context: Context) -> int:
    """Typed text while browsing: a service id jumps to it, anything else searches."""
    message = update.effective_message
    assert message is not None and message.text is not None
    shown = await catalogue(update, context)
    if shown is None:
        return State.BROWSE
    return await _search(update, context, shown)


async def _search(update: Update, context: Context, shown: Catalogue) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    typed = message.text.strip()
    service = shown.find(typed) if typed.isdigit() else None
    if service is not None:
        return await choose_service(update, context, service, in_place=False)
    current = flow(context)
    current.query = typed[:MAX_QUERY]
    current.view = ("search", 0, 0)
    text, markup = view(shown, current, refused(context), capabilities(context))
    await show(update, context, text, markup, in_place=False)
    return State.BROWSE


@waiting.patient
async def browse_other(update: Update, context: Context) -> int:
    """A photo, sticker or command while browsing: say so, and show the same list again."""
    shown = await catalogue(update, context)
    if shown is None:
        return State.BROWSE
    text, markup = view(shown, flow(context), refused(context), capabilities(context))
    await show(
        update, context, f"{texts.order.browse_expected()}\n\n{text}", markup, in_place=False
    )
    return State.BROWSE


@waiting.patient
async def service_button(update: Update, context: Context) -> int:
    if not await live_query(update, context):
        return State.BROWSE
    shown = await catalogue(update, context)
    if shown is None:
        return State.BROWSE
    service_id = button_data(update).arg(0)
    service = shown.find(service_id)
    if service is None:
        return await service_gone(update, context, shown, service_id, in_place=True)
    return await choose_service(update, context, service, in_place=True)


async def service_gone(
    update: Update, context: Context, shown: Catalogue, service_id: str, *, in_place: bool
) -> int:
    """The service is no longer in the catalogue, or no longer offered here (the operators
    hid it), or can no longer be ordered here."""
    text, markup = categories_view(shown, 0, refused(context))
    why = (
        texts.catalogue.service_not_offered()
        if shown.is_withheld(service_id)
        else texts.catalogue.service_gone()
    )
    message = f"{why}\n\n{text}"
    await show(update, context, message, markup, in_place=in_place)
    return State.BROWSE


async def choose_service(
    update: Update, context: Context, service: Service, *, in_place: bool
) -> int:
    current = flow(context)
    is_refused = service.type in refused(context)
    if fields_for(service) is None or is_refused:
        # Offer what can be ordered: the categories (this service's own may hold only it).
        shown = await catalogue(update, context)
        if shown is None:
            return State.BROWSE
        current.view = ("cats", 0, 0)
        text, markup = view(shown, current, refused(context), capabilities(context))
        why = (
            texts.catalogue.panel_cannot_take(service.type, service.name)
            if is_refused
            else texts.catalogue.service_unsupported(service)
        )
        await show(update, context, f"{why}\n\n{text}", markup, in_place=in_place)
        return State.BROWSE
    current.service = service
    current.card_full = False
    current.reset_fields()
    return await questions.ask_next(update, context, in_place=in_place)


async def more_button(update: Update, context: Context) -> int | None:
    """The card's "More": the same step, the service's whole description shown."""
    current = flow(context)
    if current.service is None or button_data(update).arg(0) != current.service.id:
        await waiting.answer(update, texts.common.expired())
        return None
    if not await live_query(update, context):
        return None
    current.card_full = True
    return await questions.ask_next(update, context, in_place=True)


@waiting.patient
async def unstar_button(update: Update, context: Context) -> int:
    """A favourite that can no longer be ordered, tapped in the favourites list: removed."""
    if not await live_query(update, context):
        return State.BROWSE
    assert update.effective_user is not None
    service_id = button_data(update).arg(0)
    current = flow(context)
    name = next((s.service_name for s in current.favourites if s.service_id == service_id), "")
    shown = await catalogue(update, context)
    if shown is None:
        return State.BROWSE
    repository = get_services(context).repository
    await repository.remove_favourite(update.effective_user.id, service_id)
    await load_favourites(update, context)
    text, markup = view(shown, current, refused(context), capabilities(context))
    await show(
        update, context, f"{texts.favourites.removed(name)}\n\n{text}", markup, in_place=True
    )
    return State.BROWSE


@waiting.patient
async def star_button(update: Update, context: Context) -> int | None:
    """The star under a service's card: add it to the favourites, or remove it."""
    current = flow(context)
    service = current.service
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    on_live = query.message is not None and query.message.message_id == current.message_id
    if service is None or service.id != button_data(update).arg(0) or not on_live:
        await waiting.answer(update, texts.common.expired())
        return None
    user_id = update.effective_user.id
    repository = get_services(context).repository
    starred = await load_favourites(update, context)
    if any(item.service_id == service.id for item in starred):
        await repository.remove_favourite(user_id, service.id)
        toast = texts.favourites.unstarred()
    elif await repository.add_favourite(user_id, service.id, service.name):
        toast = texts.favourites.starred()
    else:
        await waiting.answer(update, texts.favourites.too_many(MAX_FAVOURITES), alert=True)
        return None
    await waiting.answer(update, toast)
    return await questions.ask_next(update, context, in_place=True)
