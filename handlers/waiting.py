"""A customer waiting on the panel sees ⏳ after about a second, and an answer within the budget.

Handlers that may wait on the panel are wrapped with `patient`. Inside one, `call()` runs a
panel call; if it has not finished after PATIENCE_SECONDS the customer sees ⏳:
- after a tap, in the tap's answer: every tap is answered anyway, so it costs no extra call.
  Such a tap is answered once — by `answer(text)` when the handler has something to say, else
  with the ⏳, else silently when the handler ends (the button's own spinner shows meanwhile);
- after a typed command or answer, as a short "⏳ Asking the panel…" message, which the answer
  then replaces (`reply()` edits it), so a slow panel costs one call more, a quick one none.
The panel client's budget (PANEL_INTERACTIVE_SECONDS) bounds how long the ⏳ stays.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import texts
from bot.panel import PanelError
from handlers.common import Context
from handlers.common import reply as send

logger = logging.getLogger(__name__)

PATIENCE_SECONDS = 1.0

_T = TypeVar("_T")
_R = TypeVar("_R")
Handler = Callable[[Update, Context], Coroutine[Any, Any, _R]]


@dataclass
class _Wait:
    """One update's wait on the panel."""

    update: Update
    answered: bool = False  # the tap (if any) has its answer
    shown: bool = False  # the ⏳ was shown (once per update)
    placeholder: Message | None = None  # the ⏳ message the answer replaces


_current: ContextVar[_Wait | None] = ContextVar("panel_wait", default=None)


def patient(handler: Handler[_R]) -> Handler[_R]:
    """Wrap a handler that may wait on the panel (see the module doc)."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: Context) -> _R:
        if _current.get() is not None:  # called from another patient handler
            return await handler(update, context)
        wait = _Wait(update)
        token = _current.set(wait)
        try:
            return await handler(update, context)
        finally:
            _current.reset(token)
            await _finish(wait)

    return wrapped


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the tap (if this update is one). Inside a patient handler a silent answer waits
    for the handler's end (or the ⏳), and a tap is never answered twice."""
    query = update.callback_query
    if query is None:
        return
    wait = _current.get()
    if wait is None:
        await query.answer(text, show_alert=alert)
        return
    if wait.answered or text is None:
        return
    wait.answered = True
    await query.answer(text, show_alert=alert)


async def settle(update: Update) -> None:
    """Answer the tap now if nothing has (before work that may take long after the panel)."""
    wait = _current.get()
    if wait is not None and update.callback_query is not None and not wait.answered:
        wait.answered = True
        try:
            await update.callback_query.answer()
        except TelegramError as error:
            logger.info("Could not answer a tap: %s", error)


async def call(awaitable: Awaitable[_T], hint: str | None = None) -> _T:
    """Await a panel call, showing `hint` (default "⏳ Asking the panel…", in the reader's
    language) if it takes longer than PATIENCE_SECONDS. Showing it never disturbs the call:
    a failure to show it is only logged."""
    task = asyncio.ensure_future(awaitable)
    wait = _current.get()
    try:
        if wait is not None and not wait.shown:
            done, _ = await asyncio.wait({task}, timeout=PATIENCE_SECONDS)
            if not done:
                await _show(wait, hint or texts.common.asking_panel())
        return await task
    finally:
        task.cancel()  # only if this handler itself is cancelled; a finished task ignores it


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Send the answer: into the ⏳ message if one is showing, else as a new message."""
    wait = _current.get()
    placeholder = wait.placeholder if wait is not None else None
    if wait is not None and placeholder is not None:
        wait.placeholder = None
        try:
            edited = await placeholder.edit_text(text, reply_markup=markup)
            if isinstance(edited, Message):
                return edited
        except TelegramError as error:
            logger.info("Could not put the answer into the ⏳ message: %s", error)
    return await send(update, text, markup)


async def reply_all(update: Update, messages: list[str]) -> None:
    """Several messages in order (a long report); the first replaces the ⏳ message."""
    for index, text in enumerate(messages):
        await (reply(update, text) if index == 0 else send(update, text))


async def tell_panel_error(update: Update, error: PanelError) -> None:
    await reply(update, texts.errors.panel_error(error))


async def _show(wait: _Wait, hint: str) -> None:
    wait.shown = True
    query = wait.update.callback_query
    try:
        if query is not None and not wait.answered:
            wait.answered = True
            await query.answer(hint)
            return
        chat = wait.update.effective_chat
        if chat is not None:
            wait.placeholder = await chat.send_message(hint)
    except TelegramError as error:
        logger.info("Could not show that the panel is slow: %s", error)


async def _finish(wait: _Wait) -> None:
    """Every tap gets its one answer; a ⏳ message no answer replaced does not linger."""
    try:
        if wait.update.callback_query is not None and not wait.answered:
            wait.answered = True
            await wait.update.callback_query.answer()
        if wait.placeholder is not None:
            await wait.placeholder.delete()
    except TelegramError as error:
        logger.info("Could not finish a wait on the panel: %s", error)
