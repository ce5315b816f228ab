"""The gate every customer update passes first: maintenance, invite-only access and users an
operator blocked. Operators always pass.

The checks, in order, for a message, an edited message or a button from a user who is not an
operator (other updates — a channel post, the user blocking the bot — pass):

1. blocked by an operator (users.blocked_at) → a polite refusal;
2. maintenance on → the operators' maintenance message (or the built-in one); no panel call;
3. invite-only and the user not admitted → `/start <code>` with a valid invite admits them and
   /start goes on to the welcome; anything else gets a refusal saying an invite is needed.
   Admitted means: through an invite, or having connected an API key (necessarily before
   invite-only was switched on: the gate stops everything else, /key included, before that) —
   the customers the bot already served keep it. The access screen says so.

A stopped update gets one reply (a button: a toast) and goes no further
(ApplicationHandlerStop). In a group nothing is said: the refusal is for private chats.
A stopped message that holds something shaped like an API key is deleted all the same (the key
guards run after the gate). The user's flags come from `visitor()` (settle_reader's read, no
second query); a database that could not answer there lets the update through to the flows,
which then meet the same database. Pushes (the status poller) are not updates: they go on.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot import texts
from bot.context import get_services
from bot.i18n import language_from_telegram
from bot.secrets import contains_api_key
from handlers.common import Context, is_private, reply, visitor

logger = logging.getLogger(__name__)

# Right after the reader is settled (the refusal is in the user's language), before anything.
GATE_GROUP = -9

# `/start <payload>` (a deep link): Telegram allows up to 64 of these characters.
_START = re.compile(r"^/start(?:@\w+)?\s+([A-Za-z0-9_\-]{1,64})\s*$")


def start_payload(update: Update) -> str | None:
    """The invite code of `/start <code>` in a private chat, else None."""
    message = update.message
    if message is None or message.text is None or not is_private(update):
        return None
    found = _START.match(message.text)
    return found.group(1) if found else None


async def gate(update: Update, context: Context) -> None:
    user = update.effective_user
    asked = update.message or update.edited_message or update.callback_query
    if user is None or asked is None:
        return
    services = get_services(context)
    if user.id in services.settings.admin_ids:
        return
    reader = visitor()
    if reader is not None and reader.blocked:
        await stop(update, texts.access.blocked(), texts.access.blocked_short())
    console = await services.console.current()
    if console.maintenance:
        await stop(
            update,
            texts.access.maintenance(console.maintenance_message),
            texts.access.maintenance_short(),
        )
    if not console.invite_only or (reader is not None and reader.admitted):
        return
    repository = services.repository
    code = start_payload(update)
    if code is not None:
        language = reader.language if reader else language_from_telegram(user.language_code)
        if await repository.use_invite(code, user.id, language):
            logger.info("User %s admitted through an invite", user.id)
            return  # /start goes on to the welcome
        await stop(update, texts.access.invite_invalid(), texts.access.invite_needed_short())
    # A first-contact user (or an unread row) has no key to be admitted by.
    if reader is not None and await repository.admit_key_holder(user.id):
        logger.info("User %s admitted: connected a key before invite-only", user.id)
        return
    await stop(update, texts.access.invite_needed(), texts.access.invite_needed_short())


async def stop(update: Update, text: str, short: str) -> None:
    """One reply (a toast for a button, nothing in a group), then nothing else runs."""
    query = update.callback_query
    if query is not None:
        await query.answer(short, show_alert=True)
    else:
        message = update.effective_message
        content = (message.text or message.caption) if message is not None else None
        if message is not None and content and contains_api_key(content):
            try:
                await message.delete()
            except TelegramError:
                logger.info("Could not delete a key-like message in chat %s", message.chat_id)
        if is_private(update) and update.edited_message is None:
            await reply(update, text)
    raise ApplicationHandlerStop


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return [TypeHandler(Update, gate)]
