"""What several flows share: replying, editing in place, fetching the user's key, waiting for
a key, and the two screens more than one flow shows (the welcome and the key prompt). Flow
modules import this module (and handlers.waiting), never each other."""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.context import get_services
from bot.i18n import language_from_telegram, read_as, reader
from bot.keyboards import key as key_keyboards
from bot.services.console import ConsoleSettings
from storage.models import as_utc, utcnow
from storage.repository import ReaderSettings, StorageUnavailable, StoredKey, UnreadableKey

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None, **kwargs: Any
) -> Message:
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(text, reply_markup=markup, **kwargs)


async def edit(
    message: Message | None, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | bool | None:
    """Edit a bot message in place; an identical edit ("not modified") is not an error."""
    if message is None:
        return None
    try:
        return await message.edit_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" in error.message.lower():
            return None
        raise


async def drop_buttons(context: Context, chat_id: int, message_id: int | None) -> None:
    """Stale buttons disappear once their step is done; a vanished message is fine."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as error:
        logger.debug("Could not drop buttons of message %s: %s", message_id, error.message)


async def delete_pasted_key(update: Update, warning: str) -> None:
    """Delete a message holding a key, then say so; where the bot may not delete (a group
    without the right, an old message), the user is told to delete it and change the key."""
    message = update.effective_message
    assert message is not None
    try:
        await message.delete()
    except TelegramError:
        logger.info("Could not delete a key-like message in chat %s", message.chat_id)
        warning = texts.key.key_pasted_not_deleted()
    await reply(update, warning)


AWAITING_KEY = "awaiting_key_since"
# users.seen_at ("active in 7 days") is written at most this often per user.
SEEN_EVERY = timedelta(hours=1)
_VISITOR: ContextVar[ReaderSettings | None] = ContextVar("visitor", default=None)


def start_waiting_for_key(context: Context) -> None:
    assert context.user_data is not None
    # Wall clock: it is kept with the user's state, read after a restart or by another process.
    context.user_data[AWAITING_KEY] = time.time()


def stop_waiting_for_key(context: Context) -> bool:
    """Any other flow that starts ends the wait for a key."""
    assert context.user_data is not None
    return context.user_data.pop(AWAITING_KEY, None) is not None


def waiting_for_key(context: Context, timeout: float) -> bool:
    assert context.user_data is not None
    since = context.user_data.get(AWAITING_KEY)
    if since is None:
        return False
    if time.time() - since > timeout:
        del context.user_data[AWAITING_KEY]
        return False
    return True


# --- questions before what can't be undone ("Cancel order …?" Yes / No) ----------------------

CONFIRMING = "confirming"


def ask_confirmation(context: Context, what: str, which: str = "") -> None:
    """A Yes/No question about `what` is on screen (`which` one, when the question can be asked
    again elsewhere: it replaces the earlier one): only its first Yes or No acts."""
    assert context.user_data is not None
    context.user_data.setdefault(CONFIRMING, {})[what] = which


def take_confirmation(context: Context, what: str, which: str = "") -> bool:
    """Yes or No: True for the first answer to the question still open; False for a second
    tap, a Yes after a No, an earlier question's button, a forged one or one from before a
    restart (nothing is done)."""
    assert context.user_data is not None
    asked: dict[str, str] = context.user_data.get(CONFIRMING, {})
    if asked.get(what) != which:
        return False
    del asked[what]
    return True


async def answer_query(update: Update, text: str | None = None, alert: bool = False) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=alert)


async def user_key(update: Update, context: Context) -> StoredKey | None:
    """The user's panel key, or None after telling them how to connect one."""
    user = update.effective_user
    assert user is not None
    try:
        # settle_reader's read of the row, if it was this update's: no second query.
        stored = await get_services(context).repository.get_api_key(user.id, read=visitor())
    except UnreadableKey:
        await reply(update, texts.key.key_unreadable())
        return None
    if stored is None:
        await reply(update, texts.common.need_key())
    return stored


async def settle_reader(update: object, context: Context) -> None:
    """Whom this update's texts are for: the user's stored language and time zone, for the
    rest of the update's task (`bot.i18n.read_as`). A user seen for the first time gets the
    language of their Telegram app (one of ours, else the operators' default language, else
    English), stored at once; a user who never picked a time zone reads the operators' default
    one. The row read here (access flags included) is `visitor()` for the later groups (the
    gate). Never raises: a database that cannot answer leaves the defaults for this update."""
    _VISITOR.set(None)
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        read_as(None)  # a channel post or a poll: the bot's own language
        return
    services = get_services(context)
    try:
        console = await services.console.current()
    except Exception:  # the defaults below; the gate reads the settings again and says so
        logger.warning("User %s: console settings not read", user.id)
        console = None
    default_language = console.default_language if console else None
    default_zone = console.default_time_zone if console else None
    telegram_language = language_from_telegram(user.language_code, default_language)
    read_as(telegram_language, default_zone)
    repository = services.repository
    try:
        stored = await repository.reader_settings(user.id)
        if stored is None:
            await repository.touch_user(user.id, telegram_language)
            return
    except StorageUnavailable:
        logger.warning("User %s: language not read (database unavailable)", user.id)
        return
    except Exception:  # whom a text is for must never stop the update itself
        logger.exception("User %s: language not read", user.id)
        return
    _VISITOR.set(stored)
    read_as(stored.language, stored.time_zone or default_zone)
    if stored.seen_at is None or utcnow() - as_utc(stored.seen_at) > SEEN_EVERY:
        try:
            await repository.mark_seen(user.id)
        except Exception:  # "active in 7 days" may lag; the update goes on
            logger.debug("User %s: last seen not recorded", user.id)


def visitor() -> ReaderSettings | None:
    """The user's row as settle_reader read it for this update (language, zone, access flags);
    None for a user seen for the first time or when the database could not answer."""
    return _VISITOR.get()


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def current_key(context: Context, user_id: int) -> StoredKey | None:
    """The connected key; an unreadable one (ENCRYPTION_KEY changed) counts as none, so /key
    replaces it and /disconnect removes it."""
    try:
        return await get_services(context).repository.get_api_key(user_id)
    except UnreadableKey:
        return None


async def prompt_for_key(update: Update, context: Context) -> None:
    """/key's prompt (also after /start without a key): the next text is the key."""
    if not is_private(update):
        await reply(update, texts.key.key_private_only())
        return
    user = update.effective_user
    assert user is not None and context.user_data is not None
    stored = await current_key(context, user.id)
    start_waiting_for_key(context)
    markup = key_keyboards.key_prompt(stored is not None)
    await reply(update, texts.key.key_prompt(stored.masked if stored else None), markup)


async def welcome(update: Update, context: Context) -> None:
    """/start (also inside a flow): greets — with the operators' welcome in the reader's
    language when they wrote one, else the built-in greeting; without a key, leads straight
    into connecting one. Deep-link payloads (invite codes) are read by the gate
    (handlers/gate.py) before this."""
    user = update.effective_user
    assert user is not None
    repository = get_services(context).repository
    # The language settle_reader chose (the operators' default for an unknown Telegram one).
    stored = await repository.touch_user(user.id, reader().language)
    has_key = stored.api_key_encrypted is not None
    console = await console_settings(context)
    # Operators' HTML, checked when saved: sent as they wrote it.
    custom = console.welcome.get(reader().language) if console is not None else None
    greeting = custom or texts.common.welcome(user.first_name, has_key)
    if has_key:
        await reply(update, greeting, keyboards.main_menu())
        return
    await reply(update, greeting)
    await prompt_for_key(update, context)


# --- what the operators set for customers to see (the console's settings) ------------------


async def console_settings(context: Context) -> ConsoleSettings | None:
    """The operators' settings for texts around a flow (welcome, help, support, top-up); None
    when they cannot be read: the built-in texts are shown, never an error instead of them."""
    try:
        return await get_services(context).console.current()
    except Exception:
        logger.warning("Console settings not read; built-in texts shown")
        return None


async def support_note(context: Context) -> str | None:
    """The support line under an error about money or an order that failed (when set)."""
    console = await console_settings(context)
    url = console.support_url() if console is not None else None
    if console is None or console.support_contact is None or url is None:
        return None
    return texts.common.support_line(console.support_contact, url)


async def top_up_url(context: Context) -> str | None:
    """Where customers add funds (the operators' page, else <panel website>/addfunds)."""
    console = await console_settings(context)
    return console.top_up_url if console is not None else None


async def panel_orders_url(context: Context) -> str | None:
    """The customer's order list on the panel's website (<panel website>/orders)."""
    console = await console_settings(context)
    return console.panel_web_url.rstrip("/") + "/orders" if console is not None else None


def with_note(text: str, note: str | None) -> str:
    return f"{text}\n\n{note}" if note else text
