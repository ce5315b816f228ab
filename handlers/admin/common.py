"""What every console section shares: who is an operator, showing a screen in place, waiting
for an operator's typed input, and the audit line every action leaves."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.context import get_services
from handlers.common import Context, edit, reply, stop_waiting_for_key

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]

# user_data key: the typed input the console waits for (section.kind) and since when.
EXPECTING = "console_expects"
# A prompt left unanswered this long no longer takes the operator's next text.
INPUT_TIMEOUT_SECONDS = 900


def is_operator(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and user.id in get_services(context).settings.admin_ids


def operator_only(handler: Handler) -> Handler:
    """Anyone else gets exactly what a stale button or an unknown command gets: nothing about
    the console is revealed, nothing is done."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        if is_operator(update, context):
            await handler(update, context)
            return
        if update.callback_query is not None:
            await update.callback_query.answer(texts.common.expired())
        else:
            await reply(update, texts.common.unknown_command())

    return guarded


async def show(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    toast: str | None = None,
    *,
    answered: bool = False,
) -> None:
    """A console screen: edits the tapped message in place (its button answered, with `toast`
    over it if given; not again when `answered`), or a new message for a command, typed input,
    or a tapped message the bot can no longer edit (too old: Telegram sends it inaccessible)."""
    query = update.callback_query
    if query is not None:
        if not answered:
            await query.answer(toast)
        message = query.message
        # PTB builds a Message even for an inaccessible one (date 0): both checks are needed.
        if isinstance(message, Message) and message.is_accessible:
            await edit(message, text, markup)
            return
    await reply(update, text, markup)


def expect_input(context: Context, kind: str, **details: Any) -> None:
    """The operator's next text (or photo) answers this prompt: `kind` names the section's
    input handler (see handlers.admin.INPUTS); `details` travel with it (ids only)."""
    assert context.user_data is not None
    # A key prompt still open must not take the answer (its guard runs first): the console's
    # prompt is the newer question.
    stop_waiting_for_key(context)
    context.user_data[EXPECTING] = {"kind": kind, "since": time.time(), **details}


def expected_input(context: Context) -> dict[str, Any] | None:
    assert context.user_data is not None
    waiting = context.user_data.get(EXPECTING)
    if not isinstance(waiting, dict):
        return None
    if time.time() - float(waiting.get("since", 0)) > INPUT_TIMEOUT_SECONDS:
        context.user_data.pop(EXPECTING, None)
        return None
    return waiting


def stop_expecting(context: Context) -> None:
    assert context.user_data is not None
    context.user_data.pop(EXPECTING, None)


async def audit(context: Context, operator_id: int, action: str, detail: str = "") -> None:
    """Who did what, when (the console's audit log)."""
    await get_services(context).repository.record_action(operator_id, action, detail)


async def answer(update: Update, toast: str, alert: bool = False) -> None:
    """Only a popup over the tapped button (a stale or forged one, a refusal): the screen stays."""
    if update.callback_query is not None:
        await update.callback_query.answer(toast, show_alert=alert)
