"""What is left over: expired buttons, stray text and commands, and the error handler."""

from __future__ import annotations

import contextlib
import logging
import traceback
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import keyboards, texts
from bot.context import get_services
from bot.error_reports import error_kind
from bot.i18n import reading_as
from handlers.common import Context, reply
from storage.repository import StorageUnavailable

logger = logging.getLogger(__name__)


async def expired_button(update: Update, context: Context) -> None:
    """Registered last: a button whose flow is finished or was forgotten (e.g. a restart)."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.common.expired())
    if query.message is not None and query.message.chat.type == ChatType.PRIVATE:
        await reply(update, texts.common.expired_message(), keyboards.main_menu())


async def cancel_outside_flow(update: Update, context: Context) -> None:
    await reply(update, texts.common.nothing_to_cancel())


async def private_text(update: Update, context: Context) -> None:
    await reply(update, texts.common.not_understood(), keyboards.main_menu())


async def group_command(update: Update, context: Context) -> None:
    """Orders, balances and keys are private: in a group every command points to a private chat."""
    await reply(update, texts.common.private_only(context.bot.username))


async def unknown_command(update: Update, context: Context) -> None:
    await reply(update, texts.common.unknown_command())


async def other_message(update: Update, context: Context) -> None:
    await reply(update, texts.common.not_understood(), keyboards.main_menu())


async def error_handler(update: object, context: Context) -> None:
    """Log first, then tell the user briefly, then send escaped details to the operators —
    at most one report per kind of error per window, so no user can flood them."""
    error = context.error
    if isinstance(error, StorageUnavailable):
        # Busy or failing database: nothing of that step was kept; the user tries again.
        logger.warning("An update could not be handled: the database is unavailable")
        if isinstance(update, Update) and update.effective_chat is not None:
            await _tell_quietly(update, texts.common.storage_busy())
        return
    if error is None:
        return
    services = get_services(context)
    kind = error_kind(error)
    report = await services.error_reports.admit(kind)
    if report is not None:
        logger.error("Unhandled error while handling an update (%s)", kind, exc_info=error)
    else:
        logger.error("Unhandled error while handling an update (%s), again", kind)
    if isinstance(error, Forbidden):
        return  # the user blocked the bot: nothing to tell them
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(texts.common.error_generic())
        except TelegramError:
            logger.warning("Could not tell the user about the error")
    admins = services.settings.admin_ids
    if not admins or report is None:
        return
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    minutes = round(services.error_reports.window / 60)
    for admin_id in admins:
        # In the operator's own language and time zone (English for one who never wrote).
        try:
            stored = await services.repository.reader_settings(admin_id)
        except StorageUnavailable:
            stored = None
        with reading_as(stored.language if stored else None, stored.time_zone if stored else None):
            details = texts.common.operator_error_report(kind, trace, report.suppressed, minutes)
        try:
            await context.bot.send_message(admin_id, details)
        except TelegramError:
            logger.warning("Could not send error details to operator %s", admin_id)


async def _tell_quietly(update: Update, text: str) -> None:
    assert update.effective_chat is not None
    if update.callback_query is not None:
        # The handler may have answered the tap already: Telegram refuses a second answer.
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        await update.effective_chat.send_message(text)
    except TelegramError:
        logger.warning("Could not tell the user about the error")


def build_group_guard() -> BaseHandler[Update, Context, Any]:
    shared = filters.ChatType.GROUPS | filters.ChatType.CHANNEL
    return MessageHandler(shared & filters.COMMAND, group_command)


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("cancel", cancel_outside_flow),
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & filters.TEXT, private_text),
        MessageHandler(private & ~filters.StatusUpdate.ALL, other_message),
        CallbackQueryHandler(expired_button),
    ]
