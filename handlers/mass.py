"""/mass: many orders in one message (`service_id | link | quantity` a line) → one summary
pricing every valid line and naming every bad one → one Confirm → one results message.

The rules (reading the lines, the drafts, placing each line exactly once) are
bot.services.mass; this module reads the update and shows the outcome. A list sent while a
summary is on screen replaces it (a corrected list), or — when Telegram split one long paste
into several messages — is read together with it. Confirm and Cancel also work outside the
conversation (after a restart the mass row is the truth).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from functools import partial
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callback, keyboards, texts
from bot.catalogue import Catalogue
from bot.config import Settings
from bot.context import get_services
from bot.keyboards import mass as mass_keyboards
from bot.order_fields import InvalidInput
from bot.panel import Balance, PanelError
from bot.persistence import PersistentConversation
from bot.services.health import alert_unknown_outcome
from bot.services.mass import (
    MAX_LINES,
    LineOutcome,
    MassOutcome,
    MassPlacing,
    abandon_mass_order,
    example_line,
    new_mass_order,
    place_mass_order,
    read_lines,
)
from bot.services.storefront import ShopRules, storefront
from handlers import waiting
from handlers.common import (
    Context,
    drop_buttons,
    edit,
    reply,
    settle_reader,
    stop_waiting_for_key,
    support_note,
    top_up_url,
    user_key,
    with_note,
)

logger = logging.getLogger(__name__)

END = ConversationHandler.END
FLOW_KEY = "mass_flow"
# Parts of one paste that Telegram split into several messages carry (nearly) the same date.
SPLIT_PASTE = timedelta(seconds=2)


class State(IntEnum):
    LINES = 1  # waiting for the lines
    SUMMARY = 2  # a summary is on screen (a new list replaces it)


@dataclass
class MassFlow:
    mass_id: int | None = None  # the mass row behind the summary on screen
    message_id: int | None = None  # that summary
    text: str = ""  # the lines it was made of
    sent_at: datetime | None = None  # when the user sent them


def flow(context: Context) -> MassFlow:
    assert context.user_data is not None
    current = context.user_data.get(FLOW_KEY)
    if not isinstance(current, MassFlow):
        current = context.user_data[FLOW_KEY] = MassFlow()
    return current


async def _retire(update: Update, context: Context) -> MassFlow | None:
    """The summary on screen is replaced or closed: its Confirm can no longer place it."""
    assert context.user_data is not None
    user = update.effective_user
    current = context.user_data.pop(FLOW_KEY, None)
    if not isinstance(current, MassFlow) or current.mass_id is None or user is None:
        return None
    await abandon_mass_order(get_services(context), current.mass_id, user.id)
    chat = update.effective_chat
    if chat is not None:
        await drop_buttons(context, chat.id, current.message_id)
    return current


async def _catalogue(update: Update, context: Context, key: str) -> Catalogue | None:
    """The catalogue as customers see it (hidden services left out), or None after saying why."""
    services = get_services(context)
    try:
        full = await waiting.call(services.catalogue.get(key))
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return None
    return storefront(full, ShopRules.of(await services.console.current()))


async def _balance(context: Context, key: str) -> Balance | None:
    try:
        return await waiting.call(get_services(context).interactive.balance(key))
    except PanelError:
        return None  # the summary says the balance is unknown; ordering still works


@waiting.patient
async def start_mass(update: Update, context: Context) -> int:
    """/mass: the format and an example; lines after the command are read at once."""
    stop_waiting_for_key(context)
    await _retire(update, context)
    message = update.effective_message
    assert message is not None
    stored = await user_key(update, context)
    if stored is None:
        return END
    parts = (message.text or "").split(maxsplit=1)  # the lines may follow the command
    typed = parts[1] if len(parts) > 1 else ""
    if typed.strip():
        return await _read(update, context, typed)
    shown = await _catalogue(update, context, stored.key)
    if shown is None:
        return END
    await waiting.reply(update, texts.mass.prompt(MAX_LINES, example_line(shown)))
    return State.LINES


@waiting.patient
async def lines_text(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    current = flow(context)
    text = message.text
    if (
        current.mass_id is not None
        and current.sent_at is not None
        and abs(message.date - current.sent_at) <= SPLIT_PASTE
    ):
        text = f"{current.text}\n{text}"  # the next part of one long paste
    return await _read(update, context, text)


async def _read(update: Update, context: Context, text: str) -> int:
    """Check and price the lines; a summary with a Confirm when any line is valid."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    current = flow(context)
    waiting_state = State.SUMMARY if current.mass_id is not None else State.LINES
    stored = await user_key(update, context)
    if stored is None:
        await _retire(update, context)
        return END
    shown = await _catalogue(update, context, stored.key)
    if shown is None:
        return waiting_state
    services = get_services(context)
    try:
        found = read_lines(text, shown, services.panel.capabilities)
    except InvalidInput as problem:
        if problem.reason == "mass_too_many":
            count = int(str(problem.params["count"]))
            await waiting.reply(update, texts.mass.too_many(count, MAX_LINES))
        else:
            await waiting.reply(update, texts.mass.empty())
        return waiting_state
    if not found.lines:  # every line named; a summary on screen stays as it is
        await waiting.reply(update, texts.mass.summary(found, None))
        return waiting_state
    await _retire(update, context)  # a new list replaces the summary on screen
    current = flow(context)
    balance = await _balance(context, stored.key)
    summary = texts.mass.summary(found, balance)
    currency = balance.currency if balance else None
    mass_id = await new_mass_order(services, user.id, found.lines, currency)
    markup = mass_keyboards.summary(mass_id, len(found.lines))
    if balance is not None and balance.amount < found.total:
        markup = keyboards.with_links(markup, keyboards.top_up(await top_up_url(context)))
    sent = await waiting.reply(update, summary, markup)
    current.mass_id, current.message_id = mass_id, sent.message_id
    current.text, current.sent_at = text, message.date
    return State.SUMMARY


async def not_text(update: Update, context: Context) -> int:
    """A photo, a file or a sticker instead of the lines."""
    if flow(context).mass_id is not None:
        await reply(update, texts.mass.summary_expected())
        return State.SUMMARY
    await reply(update, texts.mass.expect_text())
    return State.LINES


@waiting.patient
async def confirm(update: Update, context: Context) -> int | None:
    """Places every valid line exactly once, whatever the number of taps, devices or
    processes: the first tap claims the mass row; any other gets only a short answer."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = callback.MASS_CONFIRM.parse(query.data)
    assert data is not None  # registered with the button's own pattern
    mass_id = data.int_arg(0)
    message = query.message if isinstance(query.message, Message) else None
    services = get_services(context)
    outcome = await place_mass_order(
        services,
        mass_id,
        user.id,
        started=partial(_started, update, context, message),
        wait=waiting.call,  # a slow panel: "⏳ Asking the panel…", replaced by the results
    )
    if outcome.kind is MassPlacing.ALREADY_PLACING:
        await waiting.answer(update, texts.mass.already_placing())
        return None
    if outcome.kind is MassPlacing.ALREADY_DONE:
        await waiting.answer(update, texts.mass.already_done(), alert=True)
        return None
    if outcome.kind is MassPlacing.EXPIRED:
        await waiting.answer(update, texts.common.expired())
        return None
    await _tell_results(update, context, outcome)
    for result in outcome.results:
        if result.kind is LineOutcome.UNKNOWN:
            alert_unknown_outcome(services, result.order)
    return _leave_if_current(context, mass_id)


async def _started(update: Update, context: Context, message: Message | None, count: int) -> None:
    """The claim is won: the tap hears it, the summary's buttons go (never raises: the lines
    are about to be sent)."""
    try:
        await waiting.answer(update, texts.mass.placing(count))
        if message is not None:
            await drop_buttons(context, message.chat_id, message.message_id)
    except TelegramError as error:
        logger.info("Could not show that a mass order is being placed: %s", error)


async def _tell_results(update: Update, context: Context, outcome: MassOutcome) -> None:
    """The one results message. Never raises: a "try again" here could only confuse."""
    results = outcome.results
    currency = next((r.order.currency for r in results if r.order.currency), None)
    text = texts.mass.results(results, outcome.stopped, currency)
    if outcome.stopped is not None or any(r.kind is not LineOutcome.PLACED for r in results):
        text = with_note(text, await support_note(context))
    try:
        await waiting.reply(update, text)
    except TelegramError:
        logger.exception("Could not tell the user the results of their mass order")


def _leave_if_current(context: Context, mass_id: int) -> int | None:
    assert context.user_data is not None
    current = context.user_data.get(FLOW_KEY)
    if isinstance(current, MassFlow) and current.mass_id == mass_id:
        context.user_data.pop(FLOW_KEY, None)
        return END
    return None


async def cancel_button(update: Update, context: Context) -> int | None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = callback.MASS_CANCEL.parse(query.data)
    assert data is not None
    mass_id = data.int_arg(0)
    if not await abandon_mass_order(get_services(context), mass_id, user.id):
        await waiting.answer(update, texts.common.expired())
        return None
    await waiting.answer(update)
    if isinstance(query.message, Message):
        await edit(query.message, texts.mass.cancelled())
    return _leave_if_current(context, mass_id)


async def cancel_command(update: Update, context: Context) -> int:
    await _retire(update, context)
    await reply(update, texts.mass.cancelled())
    return END


async def timed_out(update: object, context: Context) -> None:
    # Run by bot.persistence for a conversation idle past the timeout (see handlers.order's
    # timed_out): whom the text is for must be read again.
    await settle_reader(update, context)
    if not isinstance(update, Update):
        return
    left = await _retire(update, context)
    if left is not None and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, texts.mass.timed_out())


def build_handlers(settings: Settings) -> list[BaseHandler[Update, Context, Any]]:
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    confirm_pattern = callback.MASS_CONFIRM.pattern()
    cancel_pattern = callback.MASS_CANCEL.pattern()
    # per_message=False is deliberate (typed lines and buttons): silence exactly the warning
    # PTB's FAQ says to ignore for that.
    warnings.filterwarnings(
        "ignore", message="If 'per_message=False'", category=PTBUserWarning, module=__name__
    )
    # Kept in the database (bot.persistence): it survives a restart and continues on another
    # process; idle past CONVERSATION_TIMEOUT_SECONDS it ends through the TIMEOUT state.
    conversation: PersistentConversation[Context] = PersistentConversation(
        entry_points=[CommandHandler("mass", start_mass)],
        states={
            State.LINES: [MessageHandler(text, lines_text), MessageHandler(other, not_text)],
            State.SUMMARY: [MessageHandler(text, lines_text), MessageHandler(other, not_text)],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        # Other commands are not the flow's: /orders, /balance… answer as usual, and the
        # summary stays (its buttons work from anywhere).
        fallbacks=[
            CommandHandler("cancel", cancel_command),
            CallbackQueryHandler(confirm, pattern=confirm_pattern),
            CallbackQueryHandler(cancel_button, pattern=cancel_pattern),
        ],
        allow_reentry=True,
        persistent=True,
        name="mass",
    )
    return [
        conversation,
        # After a restart (or once the conversation ended) the mass row is the truth.
        CallbackQueryHandler(confirm, pattern=confirm_pattern),
        CallbackQueryHandler(cancel_button, pattern=cancel_pattern),
    ]
