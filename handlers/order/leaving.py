"""Leaving the flow (Cancel, /cancel, /start, /order, the idle timeout), input of another
step, and the information commands (/balance, /orders, /status, /help, /notify) that are
answered mid-order by their own flows while the order stays open."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import texts
from bot.keyboards import order as order_keyboards
from handlers import waiting
from handlers.common import (
    Context,
    ask_confirmation,
    drop_buttons,
    edit,
    reply,
    settle_reader,
    take_confirmation,
    welcome,
)
from handlers.order import browse, questions, summary
from handlers.order.state import (
    END,
    FLOW_KEY,
    OrderFlow,
    State,
    button_data,
    flow,
    leave_flow,
    show,
)

# Answered by their own flows mid-order, without ending it (the conversation does not match
# them); the order's step is shown again under the answer (`still_open`).
INFO_COMMANDS = ("balance", "orders", "status", "help", "notify")
# Runs after group 0, where the command itself was answered.
REMINDER_GROUP = 1


async def cancel(update: Update, context: Context) -> int:
    left = await leave_flow(context)
    query = update.callback_query
    if query is not None:
        await waiting.answer(update)
        if isinstance(query.message, Message):
            await edit(query.message, texts.order.cancelled())
            return END
    chat = update.effective_chat
    if left is not None and chat is not None:
        await drop_buttons(context, chat.id, left.message_id)
    await reply(update, texts.order.cancelled())
    return END


def half_filled(context: Context) -> OrderFlow | None:
    """The open order, once a service is chosen (before that there is nothing to lose)."""
    assert context.user_data is not None
    current = context.user_data.get(FLOW_KEY)
    return current if isinstance(current, OrderFlow) and current.service is not None else None


DROPPING = "drop"  # the question before a half-filled order is dropped (one at a time)


async def _ask_drop(update: Update, context: Context, then: str) -> None:
    """ "Drop the order you are filling in?" Yes / No, as a new message; the step on screen
    stays live until the answer."""
    current = flow(context)
    assert current.service is not None
    sent = await reply(
        update,
        texts.order.drop_question(current.service.name),
        order_keyboards.drop_question(then),
    )
    ask_confirmation(context, DROPPING, str(sent.message_id))


async def restart(update: Update, context: Context) -> int | None:
    """/start inside the flow: asks first once a service is chosen; else leaves the flow and
    greets as /start does."""
    if half_filled(context) is not None:
        await _ask_drop(update, context, "start")
        return None
    left = await leave_flow(context)
    chat = update.effective_chat
    if left is not None and chat is not None:
        await drop_buttons(context, chat.id, left.message_id)
    await welcome(update, context)
    return END


async def order_command(update: Update, context: Context) -> int | None:
    """/order: asks first when an order is half filled in; else the catalogue."""
    if half_filled(context) is not None:
        await _ask_drop(update, context, "order")
        return None
    return await browse.start_order(update, context)


def _answered(update: Update, context: Context) -> Message | None:
    """The question's message, if this is the first answer to it (Yes or No)."""
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    if message is None or not take_confirmation(context, DROPPING, str(message.message_id)):
        return None
    return message


@waiting.patient
async def drop_draft(update: Update, context: Context) -> int | None:
    """Yes: the order is dropped (its draft can no longer be confirmed), then /start or
    /order goes on. A second tap, or a Yes after No, does nothing."""
    then = button_data(update).arg(0)
    message = _answered(update, context)
    if message is None:
        await waiting.answer(update, texts.common.expired())
        return None
    await waiting.answer(update)
    left = await leave_flow(context)
    if left is not None and left.message_id != message.message_id:
        await drop_buttons(context, message.chat_id, left.message_id)
    await edit(message, texts.order.draft_dropped())
    if then == "order":
        return await browse.start_order(update, context)
    await welcome(update, context)
    return END


@waiting.patient
async def keep_draft(update: Update, context: Context) -> int | None:
    """No: the question becomes the order's step again, where the customer was."""
    if _answered(update, context) is None:
        await waiting.answer(update, texts.common.expired())
        return None
    await waiting.answer(update)
    return await reshow(update, context, None, in_place=True)


async def reshow(update: Update, context: Context, note: str | None, *, in_place: bool) -> int:
    """The order's step again (after `note`): the question, or the summary as it was."""
    current = flow(context)
    if current.service is None:
        return await browse.browse_other(update, context)
    if current.current_field() is not None:
        return await questions.ask_next(update, context, in_place=in_place, problem=note)
    if current.draft_id is None:  # after a refusal only Change and Cancel are left
        text = note or texts.order.summary_expected()
        await show(update, context, text, order_keyboards.rejected(), in_place=in_place)
    else:
        text = f"{note}\n\n{current.summary_text}" if note else current.summary_text
        keys = await summary._summary_keys(context)
        await show(update, context, text, keys, in_place=in_place)
    return State.SUMMARY


async def still_open(update: Update, context: Context) -> None:
    """REMINDER_GROUP: an information command was answered mid-order; the step comes again
    under it, so the customer carries on where they were."""
    if half_filled(context) is not None:
        await reshow(update, context, texts.order.still_open(), in_place=False)


def info_commands() -> filters.BaseFilter:
    names = "|".join(INFO_COMMANDS)
    return filters.Regex(rf"^/({names})(@\w+)?(\s|$)")


def build_reminder() -> BaseHandler[Update, Context, Any]:
    return MessageHandler(filters.ChatType.PRIVATE & info_commands(), still_open)


@waiting.patient
async def command_in_flow(update: Update, context: Context) -> int | None:
    """Another command mid-order: say what is expected and show the same step again."""
    current = flow(context)
    if current.service is None:
        return await browse.browse_other(update, context)
    if current.current_field() is None:
        return await summary.summary_other(update, context, texts.order.in_flow_command())
    note = texts.order.in_flow_command()
    return await questions.ask_next(update, context, in_place=False, problem=note)


async def stale_button(update: Update, context: Context) -> None:
    """A button of an earlier step, or unknown data, while an order is open: the live
    question stays as it is."""
    await waiting.answer(update, texts.common.expired())


async def timed_out(update: object, context: Context) -> None:
    # Run by bot.persistence for a conversation idle past the timeout: before the user's next
    # update, or from the sweep with a stand-in update naming the chat and user. Whom the text
    # is for must be read again.
    await settle_reader(update, context)
    left = await leave_flow(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        chat_id = update.effective_chat.id
        if left is not None:
            await drop_buttons(context, chat_id, left.message_id)
        await context.bot.send_message(chat_id, texts.order.timed_out())
