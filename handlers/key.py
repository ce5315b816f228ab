"""Connecting, replacing and disconnecting the user's panel API key.

Waiting for the key is a timestamp in user_data, checked by a handler in a group of its own
that runs before every flow: while the bot waits for a key, the next text *is* the key (deleted
at once), whatever conversation is open. Any command ends the wait, so a stray text later can
never be taken as a key.

At any other moment a message holding the user's own key (recognised exactly, by fingerprint)
or anything shaped like a panel key (bot.secrets) is deleted by a second guard, before any flow
could echo it back in a search, a "not an order id" line or a summary.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callback, keyboards, texts
from bot.context import get_services
from bot.keyboards import key as key_keyboards
from bot.panel import InvalidKey, PanelError, PanelUnavailable
from bot.secrets import contains_api_key, key_candidates
from handlers.common import (
    Context,
    answer_query,
    ask_confirmation,
    current_key,
    delete_pasted_key,
    edit,
    is_private,
    prompt_for_key,
    reply,
    stop_waiting_for_key,
    take_confirmation,
    waiting_for_key,
)

logger = logging.getLogger(__name__)

KEY_SHAPE = re.compile(r"^[A-Za-z0-9_\-.]{8,256}$")
# Shorter than this, a key mixes letters and digits: "obrigado", "Terimakasih" are words.
LONG_KEY = 20


def key_shaped(text: str) -> bool:
    """One token of key characters that reads like a key rather than a word in any
    language: letters and digits mixed, or long."""
    if not KEY_SHAPE.match(text):
        return False
    mixed = any(c.isdigit() for c in text) and any(c.isalpha() for c in text)
    return mixed or len(text) >= LONG_KEY


async def ask_for_key(update: Update, context: Context) -> None:
    await answer_query(update)
    await prompt_for_key(update, context)


async def receive_key(update: Update, context: Context) -> None:
    """The text the user sent while we wait for a key. A key-shaped text (or any text holding
    something that could be a key) is deleted first; words in any language ("привет", "hola
    amigo") are left alone, never sent to the panel, and the bot keeps waiting."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    key = (message.text or "").strip()
    if not key_shaped(key) and not await might_hold_key(context, user.id, key):
        await reply(update, texts.key.key_shape())
        return
    try:
        await message.delete()
    except TelegramError:
        await reply(update, texts.key.key_not_deleted())
    if not key_shaped(key):
        await reply(update, texts.key.key_shape())
        return
    services = get_services(context)
    checking = await reply(update, texts.key.key_checking())
    try:
        balance = await services.interactive.balance(key)
    except InvalidKey as error:
        await edit(checking, texts.key.key_rejected(error.message))
        return
    except PanelUnavailable:
        await edit(checking, texts.key.key_panel_down())
        return
    except PanelError as error:
        await edit(checking, texts.key.key_rejected(error.message))
        return
    previous = await current_key(context, user.id)
    if previous is not None and previous.key != key:
        services.catalogue.forget(previous.key)
    await services.repository.set_api_key(user.id, key)
    stored = await services.repository.get_api_key(user.id)
    assert stored is not None
    stop_waiting_for_key(context)
    logger.info("User %s connected a panel key", user.id)
    await edit(checking, texts.key.key_connected(stored.masked, balance), keyboards.main_menu())


DISCONNECT = "disconnect"  # the question before the key is deleted


async def ask_disconnect(update: Update, context: Context) -> None:
    """/disconnect and 🗑 Disconnect key: asked first (Yes / No); nothing is deleted yet."""
    await answer_query(update)
    user = update.effective_user
    assert user is not None
    stop_waiting_for_key(context)
    stored = await get_services(context).repository.get_user(user.id)
    if stored is None or stored.api_key_encrypted is None:
        await _show(update, texts.key.key_none())
        return
    readable = await current_key(context, user.id)  # None: one we can no longer decrypt
    ask_confirmation(context, DISCONNECT)
    question = texts.key.disconnect_question(readable.masked if readable else None)
    await _show(update, question, key_keyboards.disconnect_question())


async def disconnect_answer(update: Update, context: Context) -> None:
    """Yes deletes the key, No keeps it; a second tap (or a Yes after No) does nothing."""
    query = update.callback_query
    assert query is not None
    if not take_confirmation(context, DISCONNECT):
        await query.answer(texts.common.expired())
        return
    await query.answer()
    if not callback.KEY_REMOVE_YES.pattern()(query.data):
        await _show(update, texts.key.key_kept())
        return
    user = update.effective_user
    assert user is not None
    services = get_services(context)
    previous = await current_key(context, user.id)
    if previous is not None:
        services.catalogue.forget(previous.key)
    removed = await services.repository.remove_api_key(user.id)
    await _show(update, texts.key.key_removed() if removed else texts.key.key_none())


async def _show(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """In place of the tapped message (the /key prompt, the question), else a new one."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        await edit(query.message, text, markup)
    else:
        await reply(update, text, markup)


async def key_text(update: Update, context: Context) -> None:
    """KEY_GROUP: while a key is awaited, the text is the key and nothing else sees it."""
    timeout = get_services(context).settings.conversation_timeout_seconds
    if waiting_for_key(context, timeout):
        await receive_key(update, context)
        raise ApplicationHandlerStop


async def secret_guard(update: Update, context: Context) -> None:
    """SECRETS_GROUP: a message (a command's arguments, a caption, an edit, in any chat) that
    holds the user's own key or a key-shaped token is deleted and goes no further."""
    message = update.effective_message
    user = update.effective_user
    text = (message.text or message.caption) if message is not None else None
    if not text or user is None:
        return
    if not contains_api_key(text) and not await holds_users_key(context, user.id, text):
        return
    warning = texts.key.key_pasted() if is_private(update) else texts.key.key_group_deleted()
    await delete_pasted_key(update, warning)
    raise ApplicationHandlerStop


async def might_hold_key(context: Context, user_id: int, text: str) -> bool:
    """Text that is not one key but may hold one: a key-shaped token, the user's own key, or
    a run of key characters mixing letters and digits (a key glued to words). Plain words,
    in any script, do not."""
    if contains_api_key(text) or await holds_users_key(context, user_id, text):
        return True
    return any(
        any(char.isdigit() for char in run) and any(char.isalpha() for char in run)
        for run in key_candidates(text)
    )


async def holds_users_key(context: Context, user_id: int, text: str) -> bool:
    """The user's stored key, whatever its shape, anywhere in the text (by fingerprint)."""
    candidates = list(key_candidates(text))
    if not candidates:
        return False
    repository = get_services(context).repository
    user = await repository.get_user(user_id)
    stored = user.key_fingerprint if user is not None else None
    if not stored:
        return False
    return any(
        hmac.compare_digest(repository.key_fingerprint(candidate), stored)
        for candidate in candidates
    )


async def edited_message(update: Update, context: Context) -> None:
    """Edits are not answers: an edited link must not become the answer to a later question."""
    if is_private(update):
        await reply(update, texts.common.edits_ignored())
    raise ApplicationHandlerStop


async def command_while_waiting(update: Update, context: Context) -> None:
    """Group -1: any command ends the wait; /cancel is answered here."""
    if not stop_waiting_for_key(context):
        return
    message = update.effective_message
    if message is not None and (message.text or "").split("@")[0].split()[0] == "/cancel":
        await reply(update, texts.key.cancelled_key())
        raise ApplicationHandlerStop


KEY_GROUP = -5
SECRETS_GROUP = -4
EDITS_GROUP = -3


def build_key_guard() -> list[BaseHandler[Update, Context, Any]]:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(private & filters.COMMAND, command_while_waiting),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, key_text),
    ]


def build_secret_guard() -> BaseHandler[Update, Context, Any]:
    new_or_edited = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    return MessageHandler(new_or_edited & (filters.TEXT | filters.CAPTION), secret_guard)


def build_edit_guard() -> BaseHandler[Update, Context, Any]:
    return MessageHandler(filters.UpdateType.EDITED, edited_message)


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return [
        CommandHandler("key", ask_for_key),
        CommandHandler("disconnect", ask_disconnect),
        CallbackQueryHandler(ask_for_key, pattern=callback.MENU_KEY.pattern()),
        CallbackQueryHandler(ask_disconnect, pattern=callback.KEY_REMOVE.pattern()),
        CallbackQueryHandler(
            disconnect_answer,
            pattern=callback.any_of(
                callback.KEY_REMOVE_YES.pattern(), callback.KEY_REMOVE_NO.pattern()
            ),
        ),
    ]
