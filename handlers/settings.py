"""The reader's language and time zone: who each update is for, /language and /settings.

- READER_GROUP, before every other group: every update first learns whom its texts are for
  (`settle_reader`); it never stops the update.
- SETTINGS_GROUP: /language, /settings, their buttons and the typed time zone, after the key
  guards (a pasted key is deleted before it could be read as a time zone) and before the
  order conversation: they work in the middle of an order too (the order stays open
  underneath) and stop the update once handled. Waiting for a typed time zone is a timestamp
  in user_data, like the wait for a key: any command ends it, /cancel says so.
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callback, keyboards, texts, time_zones
from bot.context import get_services
from bot.i18n import LANGUAGES, known_language, read_as, reader
from bot.keyboards import Button
from bot.texts import settings as settings_texts
from handlers.common import (
    Context,
    answer_query,
    edit,
    reply,
    settle_reader,
    stop_waiting_for_key,
)

READER_GROUP = -10
SETTINGS_GROUP = -2

LANGUAGES_PER_ROW = 2
ZONES_PER_ROW = 2

AWAITING_ZONE = "awaiting_time_zone_since"


# --- whom the update is for ----------------------------------------------------------------


async def reader_of_update(update: object, context: Context) -> None:
    await settle_reader(update, context)


# --- screens ---------------------------------------------------------------------------------


def _language_markup() -> list[list[Button]]:
    current = reader().language
    buttons = [
        (
            settings_texts.button_language(code, code == current),
            callback.SETTINGS_LANGUAGE.data(code),
        )
        for code in LANGUAGES
    ]
    rows = [
        buttons[start : start + LANGUAGES_PER_ROW]
        for start in range(0, len(buttons), LANGUAGES_PER_ROW)
    ]
    rows.append([(settings_texts.button_time_zone(), callback.SETTINGS_ZONES.data())])
    return rows


def _zones_markup() -> list[list[Button]]:
    current = reader().time_zone
    buttons = [
        (settings_texts.button_zone(zone, zone == current), callback.SETTINGS_ZONE.data(zone))
        for zone in time_zones.COMMON_ZONES
    ]
    rows = [
        buttons[start : start + ZONES_PER_ROW] for start in range(0, len(buttons), ZONES_PER_ROW)
    ]
    rows.append([(texts.common.button_back(), callback.SETTINGS_HOME.data())])
    return rows


def _settings_markup() -> list[list[Button]]:
    return [
        [
            (settings_texts.button_language_menu(), callback.SETTINGS_LANGUAGES.data()),
            (settings_texts.button_time_zone(), callback.SETTINGS_ZONES.data()),
        ]
    ]


async def _show(update: Update, text: str, rows: list[list[Button]]) -> None:
    """In place after a tap (its old buttons disappear), as a new message after a command."""
    query = update.callback_query
    markup = keyboards.markup(rows)
    if query is not None and isinstance(query.message, Message):
        await edit(query.message, text, markup)
    else:
        await reply(update, text, markup)


async def language_command(update: Update, context: Context) -> None:
    _stop_waiting_for_zone(context)
    await answer_query(update)
    await _show(update, settings_texts.language_menu(), _language_markup())
    raise ApplicationHandlerStop


async def settings_command(update: Update, context: Context) -> None:
    _stop_waiting_for_zone(context)
    await answer_query(update)
    await _show(update, settings_texts.settings_screen(), _settings_markup())
    raise ApplicationHandlerStop


async def choose_language(update: Update, context: Context) -> None:
    """A language button: stored, and the answer is already in the new language. A code no
    longer offered (removed since the button was sent) is English."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = callback.SETTINGS_LANGUAGE.parse(query.data)
    language = known_language(data.arg(0) if data else None)
    await get_services(context).repository.set_reader_settings(user.id, language=language)
    read_as(language, reader().time_zone)
    await answer_query(update, settings_texts.language_chosen())
    await _show(
        update,
        f"{settings_texts.language_chosen()}\n\n{settings_texts.language_menu()}",
        _language_markup(),
    )
    raise ApplicationHandlerStop


async def ask_time_zone(update: Update, context: Context) -> None:
    assert context.user_data is not None
    stop_waiting_for_key(context)  # the next text is a time zone, not a key
    context.user_data[AWAITING_ZONE] = time.time()  # wall clock: kept with the state
    await answer_query(update)
    await _show(update, settings_texts.time_zone_question(), _zones_markup())
    raise ApplicationHandlerStop


async def choose_time_zone(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.SETTINGS_ZONE.parse(query.data)
    zone = time_zones.parse_time_zone(data.arg(0)) if data else None
    if zone is None:  # a name the tz database no longer has (or forged): the menu is stale
        await answer_query(update, texts.common.expired())
        raise ApplicationHandlerStop
    await _store_zone(update, context, zone)
    await answer_query(update)
    await _show(update, settings_texts.time_zone_chosen(), _settings_markup())
    raise ApplicationHandlerStop


async def typed_time_zone(update: Update, context: Context) -> None:
    """A text while a time zone is awaited: the zone, or the same question again."""
    if not _waiting_for_zone(context):
        return  # not ours: the update goes on to the flows
    message = update.effective_message
    assert message is not None
    typed = (message.text or "").strip()
    zone = time_zones.parse_time_zone(typed)
    if zone is None:
        await reply(
            update, settings_texts.time_zone_unknown(typed), keyboards.markup(_zones_markup())
        )
        raise ApplicationHandlerStop
    await _store_zone(update, context, zone)
    await reply(update, settings_texts.time_zone_chosen(), keyboards.markup(_settings_markup()))
    raise ApplicationHandlerStop


async def command_while_waiting(update: Update, context: Context) -> None:
    """Any command ends the wait for a time zone; /cancel is answered here."""
    if not _stop_waiting_for_zone(context):
        return
    message = update.effective_message
    if message is not None and (message.text or "").split("@")[0].split()[0] == "/cancel":
        await reply(update, settings_texts.time_zone_kept())
        raise ApplicationHandlerStop


async def other_button(update: Update, context: Context) -> None:
    """Any other button ends the wait for a time zone (another flow has begun)."""
    _stop_waiting_for_zone(context)


async def _store_zone(update: Update, context: Context, zone: str) -> None:
    user = update.effective_user
    assert user is not None
    _stop_waiting_for_zone(context)
    repository = get_services(context).repository
    if zone == time_zones.UTC_NAME:
        await repository.set_reader_settings(user.id, utc=True)
    else:
        await repository.set_reader_settings(user.id, time_zone=zone)
    read_as(reader().language, zone)


def _waiting_for_zone(context: Context) -> bool:
    assert context.user_data is not None
    since = context.user_data.get(AWAITING_ZONE)
    if since is None:
        return False
    timeout = get_services(context).settings.conversation_timeout_seconds
    if time.time() - since > timeout:
        del context.user_data[AWAITING_ZONE]
        return False
    return True


def _stop_waiting_for_zone(context: Context) -> bool:
    if context.user_data is None:
        return False
    return context.user_data.pop(AWAITING_ZONE, None) is not None


def build_reader() -> BaseHandler[Update, Context, Any]:
    return TypeHandler(Update, reader_of_update)


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("language", language_command, filters=private),
        CommandHandler("settings", settings_command, filters=private),
        CallbackQueryHandler(language_command, pattern=callback.SETTINGS_LANGUAGES.pattern()),
        CallbackQueryHandler(settings_command, pattern=callback.SETTINGS_HOME.pattern()),
        CallbackQueryHandler(ask_time_zone, pattern=callback.SETTINGS_ZONES.pattern()),
        # Forged data (not of these shapes) matches nothing here: the usual stale answer.
        CallbackQueryHandler(choose_language, pattern=callback.SETTINGS_LANGUAGE.pattern()),
        CallbackQueryHandler(choose_time_zone, pattern=callback.SETTINGS_ZONE.pattern()),
        MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.COMMAND, command_while_waiting
        ),
        MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
            typed_time_zone,
        ),
        CallbackQueryHandler(other_button),
    ]
