"""Leaving the flow (Cancel, /cancel, /start, the idle timeout) and input of another step."""

from __future__ import annotations

from telegram import Message, Update

from bot import texts
from handlers import waiting
from handlers.common import Context, drop_buttons, edit, reply, settle_reader, welcome
from handlers.order import browse, questions, summary
from handlers.order.state import END, flow, leave_flow


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


async def restart(update: Update, context: Context) -> int:
    """/start inside the flow leaves it and greets as /start does."""
    left = await leave_flow(context)
    chat = update.effective_chat
    if left is not None and chat is not None:
        await drop_buttons(context, chat.id, left.message_id)
    await welcome(update, context)
    return END


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
    # Run from the conversation's timeout job, outside the update's own task: whom the text
    # is for must be read again.
    await settle_reader(update, context)
    left = await leave_flow(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        chat_id = update.effective_chat.id
        if left is not None:
            await drop_buttons(context, chat_id, left.message_id)
        await context.bot.send_message(chat_id, texts.order.timed_out())
