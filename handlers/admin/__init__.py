"""The operators' console (`/admin`, for ADMIN_IDS only), run from a phone by buttons.

- `common`: the operator check, screens edited in place, typed input, the audit line;
- one module per section: `stats`, `broadcast`, `settings` (what customers see),
  `access` (maintenance, invite-only, invites, blocked users), `audit` (the log and the
  panel check).

Anyone else sending /admin or /stats gets the unknown-command reply, and a console button's
data sent by hand gets the stale-button answer: nothing revealed, nothing done.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callback, texts
from bot.config import Settings
from bot.keyboards import console as console_keyboards
from handlers.admin import access, audit, broadcast, settings, stats
from handlers.admin.common import (
    Handler,
    expected_input,
    is_operator,
    operator_only,
    show,
    stop_expecting,
)
from handlers.common import Context

# Runs before the ordering conversation (group 0): an operator's typed answer to a console
# prompt is never taken for an order's answer. After the key guards: a pasted key is deleted.
INPUT_GROUP = -1

INPUTS: dict[str, Handler] = {
    **stats.INPUTS,
    **broadcast.INPUTS,
    **settings.INPUTS,
    **access.INPUTS,
    **audit.INPUTS,
}


@operator_only
async def home(update: Update, context: Context) -> None:
    stop_expecting(context)
    await show(update, texts.console.home(), console_keyboards.home())


@operator_only
async def cancel_input(update: Update, context: Context) -> None:
    stop_expecting(context)
    await show(update, texts.console.input_cancelled(), console_keyboards.home())


async def route_input(update: Update, context: Context) -> None:
    """An operator's text or photo while a console prompt waits: that prompt's answer (and
    nothing else sees it). A command instead drops the prompt and runs as usual."""
    if not is_operator(update, context):
        return
    waiting = expected_input(context)
    if waiting is None:
        return
    message = update.effective_message
    if message is not None and message.text is not None and message.text.startswith("/"):
        stop_expecting(context)
        return
    handler = INPUTS.get(str(waiting.get("kind")))
    if handler is None:
        stop_expecting(context)
        return
    await handler(update, context)
    raise ApplicationHandlerStop


async def leave_input(update: Update, context: Context) -> None:
    """Any button outside the console (the main menu, an order, a card) leaves the console's
    prompt: the operator's next text is then an answer to that flow, not to the prompt."""
    if is_operator(update, context):
        stop_expecting(context)


def _outside_console(data: object) -> bool:
    return not callback.CONSOLE.owns(data)


def build_input_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return [
        _build_input_handler(),
        # Never stops the update: the button goes on to its own handler.
        CallbackQueryHandler(leave_input, pattern=_outside_console),
    ]


def _build_input_handler() -> BaseHandler[Update, Context, Any]:
    # Stickers too: a broadcast prompt answers them (text or photo only) instead of the
    # generic reply.
    typed = filters.TEXT | filters.PHOTO | filters.Document.ALL | filters.Sticker.ALL
    return MessageHandler(
        filters.ChatType.PRIVATE & typed & filters.UpdateType.MESSAGE, route_input
    )


def build_handlers(config: Settings) -> list[BaseHandler[Update, Context, Any]]:
    operators = filters.ChatType.PRIVATE & filters.User(user_id=config.admin_ids)
    return [
        # Without ADMIN_IDS nobody matches: /admin is then an unknown command for everyone.
        CommandHandler("admin", home, filters=operators),
        CallbackQueryHandler(home, pattern=callback.CONSOLE_HOME.pattern()),
        CallbackQueryHandler(cancel_input, pattern=callback.CONSOLE_CANCEL_INPUT.pattern()),
        *stats.build_handlers(config),
        *broadcast.build_handlers(config),
        *settings.build_handlers(config),
        *access.build_handlers(config),
        *audit.build_handlers(config),
    ]
