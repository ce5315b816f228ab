"""A list answer (comments, usernames, keywords…) in parts: Telegram splits a long paste into
several messages, and a list may come as a .txt file. Each part is added to the list and
acknowledged ("got N lines so far", one message edited in place, at most once a second); the
list is complete when the user taps Done, or LIST_PAUSE_SECONDS after its last part. Only then
is it checked as a whole (count, line length, the service's min–max) and taken as the answer.

The parts so far live in the flow's state in user_data (`OrderFlow.pending`). The pause is an
asyncio timer per part; the newest part's timer is the only one that may finish the list, and
it does so as one of the user's updates (in their order, through the update processor), so a
part or a tap arriving meanwhile is never lost or raced.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Document, Update
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot import texts
from bot.keyboards import order as order_keyboards
from bot.order_fields import (
    LIST_FILE_MAX_BYTES,
    FieldKind,
    FieldSpec,
    InvalidInput,
    check_list,
    decode_list_file,
    list_maximum,
    list_part,
)
from handlers import waiting
from handlers.common import Context, drop_buttons, reply, settle_reader
from handlers.order import questions
from handlers.order.state import (
    FLOW_KEY,
    OrderFlow,
    PendingList,
    State,
    button_data,
    capabilities,
    flow,
    live_query,
)

logger = logging.getLogger(__name__)

LIST_PAUSE_SECONDS = 2.0  # a list is complete this long after its last part (if no Done)
# The acknowledgement is edited at most this often: a long paste's parts arrive together, and
# an edit per part would run into Telegram's flood limits (each part is counted all the same).
ACK_EDIT_SECONDS = 1.0


def _list_field(current: OrderFlow) -> FieldSpec | None:
    spec = current.current_field() if current.service is not None else None
    return spec if spec is not None and spec.kind is FieldKind.LIST else None


async def typed(update: Update, context: Context) -> int | None:
    """Text at a question: a part of the list, or any other question's answer."""
    current = flow(context)
    spec = _list_field(current)
    if spec is None:
        return await questions.field_text(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    items = list_part(spec.name, message.text)
    if not items:
        return await _refuse(
            update, context, texts.order.invalid_input(InvalidInput("list_empty"))
        )
    await _add(update, context, spec, items)
    return State.FIELD


async def other(update: Update, context: Context) -> int | None:
    """A file, photo or sticker at a question: a .txt file is a part of a list."""
    current = flow(context)
    spec = _list_field(current)
    if spec is None:
        return await questions.field_other(update, context)
    message = update.effective_message
    assert message is not None
    if message.document is None:
        return await _refuse(update, context, texts.order.list_not_text())
    try:
        items = await _read(message.document, spec, current)
    except InvalidInput as error:
        return await _refuse(update, context, texts.order.invalid_input(error))
    await _add(update, context, spec, items)
    return State.FIELD


async def _read(document: Document, spec: FieldSpec, current: OrderFlow) -> list[str]:
    """The items of a .txt file (its encoding noted on the list when it had to be guessed)."""
    name = document.file_name or ""
    if not name.lower().endswith(".txt") and document.mime_type != "text/plain":
        raise InvalidInput("file_not_text")
    if document.file_size is not None and document.file_size > LIST_FILE_MAX_BYTES:
        raise InvalidInput("file_too_big", maximum=LIST_FILE_MAX_BYTES // (1024 * 1024))
    try:
        data = await (await document.get_file()).download_as_bytearray()
    except TelegramError as error:
        logger.info("Could not download a list file: %s", error)
        raise InvalidInput("file_unreadable") from None
    text, guessed = decode_list_file(bytes(data))
    items = list_part(spec.name, text)
    if guessed is not None:
        _pending(current, spec).notes.append((name, guessed))
    return items


def _pending(current: OrderFlow, spec: FieldSpec) -> PendingList:
    if current.pending is None or current.pending.name != spec.name:
        current.pending = PendingList(spec.name)
    return current.pending


async def _add(update: Update, context: Context, spec: FieldSpec, items: list[str]) -> None:
    current = flow(context)
    assert current.service is not None
    pending = _pending(current, spec)
    room = list_maximum(spec, current.service) + 1 - len(pending.lines)
    pending.lines.extend(items[: max(room, 0)])  # beyond the maximum only the count is kept
    pending.count += len(items)
    pending.parts += 1
    context.application.create_task(
        _after_pause(update, context, current, pending.parts), update=update
    )
    await _acknowledge(update, context, pending, spec)


def _ack_text(current: OrderFlow, pending: PendingList, spec: FieldSpec, note: str = "") -> str:
    assert current.service is not None
    text = texts.order.list_so_far(pending.count, list_maximum(spec, current.service))
    notes = [texts.order.list_file_guessed(name, encoding) for name, encoding in pending.notes]
    return "\n\n".join([part for part in (note, text, *notes) if part])


async def _acknowledge(
    update: Update, context: Context, pending: PendingList, spec: FieldSpec, note: str = ""
) -> None:
    """The count so far, with Done: edited into the acknowledgement, or a new one (which then
    carries the live buttons) for the first part or with a `note`."""
    current = flow(context)
    chat = update.effective_chat
    assert chat is not None
    text = _ack_text(current, pending, spec, note)
    markup = order_keyboards.field(spec, ())
    if pending.ack_id is not None and not note:
        wait = pending.acked_at + ACK_EDIT_SECONDS - time.time()
        if wait > 0:  # a paste's parts come at once: one edit for them, a moment later
            if not pending.edit_due:
                pending.edit_due = True
                context.application.create_task(
                    _later(update, context, current, pending, wait), update=update
                )
            return
        pending.acked_at = time.time()
        pending.edit_due = False
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat.id, message_id=pending.ack_id, reply_markup=markup
            )
            return
        except RetryAfter:  # many parts at once: a later part (or the end) shows the count
            logger.info("List acknowledgement not edited: Telegram asks to slow down")
            return
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return
            logger.info("Could not edit a list's acknowledgement: %s", error.message)
    await drop_buttons(context, chat.id, current.message_id)  # the live buttons move down
    sent = await reply(update, text, markup)
    pending.ack_id = current.message_id = sent.message_id
    pending.acked_at = time.time()


async def _later(
    update: Update, context: Context, seen: OrderFlow, pending: PendingList, wait: float
) -> None:
    """The acknowledgement's edit held back for the parts that came at once."""
    await asyncio.sleep(wait)

    async def edit(update: Update, context: Context) -> None:
        assert context.user_data is not None
        current = context.user_data.get(FLOW_KEY)
        spec = _list_field(current) if isinstance(current, OrderFlow) else None
        if current is not seen or current.pending is not pending or spec is None:
            return  # completed, dropped or replaced meanwhile
        await settle_reader(update, context)
        await _acknowledge(update, context, pending, spec)

    await context.application.update_processor.process_update(update, edit(update, context))


async def _refuse(update: Update, context: Context, note: str) -> int:
    """A part that is no list (a photo, another file): said under the list so far, if any."""
    current = flow(context)
    spec = _list_field(current)
    if spec is not None and current.pending is not None and current.pending.name == spec.name:
        await _acknowledge(update, context, current.pending, spec, note)
        return State.FIELD
    return await questions.ask_next(update, context, in_place=False, problem=note)


@waiting.patient
async def done(update: Update, context: Context) -> int | None:
    """Done, under the question or the acknowledgement: the list is complete."""
    current = flow(context)
    spec = _list_field(current)
    if spec is None or button_data(update).arg(0) != spec.name:
        await waiting.answer(update, texts.common.expired())
        return None
    pending = current.pending
    if pending is None or pending.name != spec.name or not pending.count:
        await waiting.answer(update, texts.order.list_nothing_yet())
        return None
    if not await live_query(update, context):
        return None
    return await _finish(update, context)


async def _after_pause(update: Update, context: Context, seen: OrderFlow, parts: int) -> None:
    """The list is complete if no part (nor Done, Back, Cancel) came since this one."""
    await asyncio.sleep(LIST_PAUSE_SECONDS)

    async def finish(update: Update, context: Context) -> None:
        assert context.user_data is not None
        current = context.user_data.get(FLOW_KEY)
        if current is not seen or current.pending is None or current.pending.parts != parts:
            return
        await settle_reader(update, context)  # outside the part's own update: read again
        await _finish(update, context)

    # As one of the user's updates: after any of theirs in progress, before the next.
    await context.application.update_processor.process_update(
        update, waiting.patient(finish)(update, context)
    )


async def _finish(update: Update, context: Context) -> int:
    """The list checked as a whole and taken (or refused, and asked again with the reason);
    then the next question, or the summary."""
    current = flow(context)
    pending, current.pending = current.pending, None
    spec = _list_field(current)
    chat = update.effective_chat
    assert pending is not None and spec is not None and current.service is not None
    assert chat is not None
    notes = [texts.order.list_file_guessed(name, encoding) for name, encoding in pending.notes]
    received = "\n\n".join([texts.order.list_received(pending.count), *notes])
    try:
        if pending.ack_id is not None:
            await context.bot.edit_message_text(
                received, chat_id=chat.id, message_id=pending.ack_id
            )
    except TelegramError as error:  # the list is kept either way
        logger.info("Could not close a list's acknowledgement: %s", error)
    service = current.service
    maximum = list_maximum(spec, service)
    problem: InvalidInput | None
    try:
        if pending.count > maximum and spec.counts_quantity:
            raise InvalidInput(
                "lines_range", count=pending.count, minimum=service.min, maximum=service.max
            )
        value = check_list(pending.lines, maximum)
        problem = questions.accept(current, spec, value, capabilities(context))
    except InvalidInput as error:
        problem = error
    note = texts.order.invalid_input(problem) if problem is not None else None
    return await questions.ask_next(update, context, in_place=False, problem=note)
