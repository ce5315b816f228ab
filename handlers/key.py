"""Connecting, replacing and disconnecting the user's panel API key.

Waiting for the key is a timestamp in user_data rather than a ConversationHandler, so that
starting any other flow simply supersedes it and a stray text can never be taken as a key later.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callback, keyboards, texts
from bot.context import get_services
from bot.panel import InvalidKey, PanelError, PanelUnavailable
from handlers.common import Context, answer_query, edit, reply

logger = logging.getLogger(__name__)

AWAITING_KEY = "awaiting_key_since"
KEY_SHAPE = re.compile(r"^[A-Za-z0-9_\-.]{8,256}$")


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


def stop_waiting_for_key(context: Context) -> bool:
    assert context.user_data is not None
    return context.user_data.pop(AWAITING_KEY, None) is not None


def waiting_for_key(context: Context, timeout: float) -> bool:
    assert context.user_data is not None
    since = context.user_data.get(AWAITING_KEY)
    if since is None:
        return False
    if time.monotonic() - since > timeout:
        del context.user_data[AWAITING_KEY]
        return False
    return True


async def ask_for_key(update: Update, context: Context) -> None:
    await answer_query(update)
    if not is_private(update):
        await reply(update, texts.KEY_PRIVATE_ONLY)
        return
    user = update.effective_user
    assert user is not None and context.user_data is not None
    stored = get_services(context).repository.get_api_key(user.id)
    markup = None
    if stored is not None:
        markup = keyboards.markup([[(texts.BUTTON_KEY_REMOVE, callback.build("k", "remove"))]])
    context.user_data[AWAITING_KEY] = time.monotonic()
    await reply(update, texts.key_prompt(stored.masked if stored else None), markup)


async def receive_key(update: Update, context: Context) -> None:
    """The text the user sent while we wait for a key. The message is deleted first, always."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    key = (message.text or "").strip()
    try:
        await message.delete()
    except TelegramError:
        await reply(update, texts.KEY_NOT_DELETED)
    if not KEY_SHAPE.match(key):
        await reply(update, texts.KEY_SHAPE)
        return
    services = get_services(context)
    checking = await reply(update, texts.KEY_CHECKING)
    try:
        balance = await services.panel.balance(key)
    except InvalidKey as error:
        await edit(checking, texts.key_rejected(error.message))
        return
    except PanelUnavailable:
        await edit(checking, texts.panel_unavailable() + "\n\nSend the key again, or /cancel.")
        return
    except PanelError as error:
        await edit(checking, texts.key_rejected(error.message))
        return
    services.repository.set_api_key(user.id, key)
    stored = services.repository.get_api_key(user.id)
    assert stored is not None
    stop_waiting_for_key(context)
    logger.info("User %s connected a panel key", user.id)
    await edit(checking, texts.key_connected(stored.masked, balance), keyboards.main_menu())


async def remove_key(update: Update, context: Context) -> None:
    await answer_query(update)
    user = update.effective_user
    assert user is not None
    stop_waiting_for_key(context)
    removed = get_services(context).repository.remove_api_key(user.id)
    if update.callback_query is not None:
        await edit(update.callback_query.message, texts.KEY_REMOVED if removed else texts.KEY_NONE)  # type: ignore[arg-type]
    else:
        await reply(update, texts.KEY_REMOVED if removed else texts.KEY_NONE)


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return [
        CommandHandler("key", ask_for_key),
        CommandHandler("disconnect", remove_key),
        CallbackQueryHandler(ask_for_key, pattern=callback.pattern("m", "key")),
        CallbackQueryHandler(remove_key, pattern=callback.pattern("k", "remove")),
    ]
