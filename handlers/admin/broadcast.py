"""Console → broadcast: the operator sends a text or a photo with a caption, sees it exactly as
users will (the same send call, to their own chat), confirms; the delivery then runs in the
background (bot.services.broadcast) and edits one progress message, with Stop."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callback, texts
from bot.config import Settings
from bot.context import get_services
from bot.html_check import operator_html
from bot.keyboards import console as console_keyboards
from bot.keyboards import console_broadcast as keyboards
from bot.services import broadcast as service
from handlers.admin.common import Handler, audit, expect_input, operator_only, show, stop_expecting
from handlers.common import Context, reply

MESSAGE = "bc:message"


@operator_only
async def prompt(update: Update, context: Context) -> None:
    expect_input(context, MESSAGE)
    await show(update, texts.broadcast.prompt(), console_keyboards.cancel_input())


async def message_input(update: Update, context: Context) -> None:
    """The operator's message (routed by handlers.admin.route_input, operators only): checked,
    previewed with the very call users get, then saved as a draft under Send / Discard. A
    message that cannot go keeps the prompt open and nothing is saved."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    try:
        if message.photo:
            largest = message.photo[-1]
            draft = service.check_photo(largest.file_id, largest.file_size, operator_html(message))
        elif message.text is not None:
            draft = service.check_text(operator_html(message))
        else:  # a document (the only other kind routed here) or a sticker
            raise service.InvalidBroadcast(service.Problem.NOT_TEXT_OR_PHOTO)
    except service.InvalidBroadcast as invalid:
        await reply(
            update,
            texts.broadcast.invalid(invalid.problem, **invalid.params),
            console_keyboards.cancel_input(),
        )
        return
    try:
        await service.send(context.bot, message.chat_id, draft)
    except TelegramError as error:
        await reply(
            update,
            texts.broadcast.preview_refused(error.message),
            console_keyboards.cancel_input(),
        )
        return
    stop_expecting(context)
    services = get_services(context)
    broadcast_id = await services.repository.create_broadcast(user.id, draft.text, draft.photo)
    await audit(context, user.id, "broadcast_created", f"#{broadcast_id}")
    invite_only = (await services.console.current()).invite_only
    count = await services.repository.count_audience(invite_only, services.settings.admin_ids)
    text = texts.broadcast.confirm(count) if count else texts.broadcast.nobody()
    await reply(update, text, keyboards.confirm(broadcast_id, count))


@operator_only
async def send(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = callback.CONSOLE_BROADCAST_SEND.parse(query.data)
    if data is None or query.message is None:
        await query.answer(texts.common.expired())
        return
    broadcast_id = data.int_arg(0)
    services = get_services(context)
    count = await services.broadcasts.confirm(
        context.bot,
        broadcast_id,
        query.message.chat.id,
        query.message.message_id,
        (await services.console.current()).invite_only,
        services.settings.admin_ids,
    )
    if count is None:
        await query.answer(texts.broadcast.already_handled())
        return
    await query.answer()
    await audit(context, user.id, "broadcast_sent", f"#{broadcast_id} to {count}")


@operator_only
async def discard(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = callback.CONSOLE_BROADCAST_DISCARD.parse(query.data)
    if data is None:
        await query.answer(texts.common.expired())
        return
    broadcast_id = data.int_arg(0)
    if not await get_services(context).repository.discard_broadcast(broadcast_id):
        await query.answer(texts.broadcast.already_handled())
        return
    await audit(context, user.id, "broadcast_discarded", f"#{broadcast_id}")
    await show(update, texts.broadcast.discarded(), console_keyboards.back_home())


@operator_only
async def stop(update: Update, context: Context) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = callback.CONSOLE_BROADCAST_STOP.parse(query.data)
    if data is None:
        await query.answer(texts.common.expired())
        return
    broadcast_id = data.int_arg(0)
    if not await get_services(context).broadcasts.stop(broadcast_id):
        await query.answer(texts.broadcast.not_sending())
        return
    await query.answer(texts.broadcast.stopping())
    await audit(context, user.id, "broadcast_stopped", f"#{broadcast_id}")


# Typed input this section waits for, by kind (see handlers.admin.common.expect_input).
INPUTS: dict[str, Handler] = {MESSAGE: message_input}


def build_handlers(config: Settings) -> list[BaseHandler[Update, Context, Any]]:
    return [
        CallbackQueryHandler(prompt, pattern=callback.CONSOLE_BROADCAST.pattern()),
        CallbackQueryHandler(send, pattern=callback.CONSOLE_BROADCAST_SEND.pattern()),
        CallbackQueryHandler(discard, pattern=callback.CONSOLE_BROADCAST_DISCARD.pattern()),
        CallbackQueryHandler(stop, pattern=callback.CONSOLE_BROADCAST_STOP.pattern()),
    ]
