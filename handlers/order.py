"""The ordering conversation: catalogue → service → the type's fields → summary → confirm.

Browsing edits one message in place. Each typed answer gets the next question as a new message
(the old one loses its buttons). Confirm is idempotent through the database: the summary creates
a draft row and the first Confirm to claim it (in any process) is the only one that reaches the
panel.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from telegram import Message, Update
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
from bot.order_fields import (
    FieldKind,
    FieldSpec,
    InvalidInput,
    fields_for,
    next_field,
    order_price,
    order_quantity,
    panel_fields,
    parse_answer,
    quantity_problem,
)
from bot.panel import (
    Balance,
    InvalidKey,
    OutcomeUnknown,
    PanelError,
    PanelUnavailable,
    Service,
)
from handlers import key as key_flow
from handlers import start as start_flow
from handlers.common import Context, answer_query, drop_buttons, edit, reply, user_key
from storage.models import Placement
from storage.repository import DraftOrder

logger = logging.getLogger(__name__)

END = ConversationHandler.END
PREFIX = "o"
FLOW_KEY = "order_flow"
CATEGORIES_PER_PAGE = 8
SERVICES_PER_PAGE = 8
MAX_QUERY = 100


class State(IntEnum):
    BROWSE = 1
    FIELD = 2
    SUMMARY = 3


@dataclass
class OrderFlow:
    """Where one user is in the flow (per-process, like PTB's conversation state)."""

    message_id: int | None = None  # the message whose buttons are live
    query: str = ""
    service: Service | None = None
    answers: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    history: list[str] = field(default_factory=list)  # answered or skipped, in order

    def reset_fields(self) -> None:
        self.answers.clear()
        self.skipped.clear()
        self.history.clear()

    def current_field(self) -> FieldSpec | None:
        assert self.service is not None
        return next_field(fields_for(self.service) or (), self.answers, frozenset(self.skipped))


def _flow(context: Context) -> OrderFlow:
    assert context.user_data is not None
    flow = context.user_data.get(FLOW_KEY)
    if not isinstance(flow, OrderFlow):
        flow = context.user_data[FLOW_KEY] = OrderFlow()
    return flow


def _end_flow(context: Context) -> OrderFlow | None:
    assert context.user_data is not None
    return context.user_data.pop(FLOW_KEY, None)


def _data(update: Update) -> callback.CallbackData:
    assert update.callback_query is not None
    parsed = callback.parse(update.callback_query.data)
    assert parsed is not None  # handlers are registered with anchored patterns
    return parsed


async def _live_query(update: Update, context: Context) -> bool:
    """True for a button on the flow's live message; anything older is answered as expired."""
    query = update.callback_query
    assert query is not None
    message_id = query.message.message_id if query.message else None
    if message_id != _flow(context).message_id:
        await query.answer(texts.EXPIRED)
        return False
    await query.answer()
    return True


async def _show(
    update: Update, context: Context, text: str, markup: Any, *, in_place: bool
) -> None:
    """Edit the live message (after a button) or send a new one (after typed text)."""
    flow = _flow(context)
    query = update.callback_query
    if in_place and query is not None and isinstance(query.message, Message):
        await edit(query.message, text, markup)
        flow.message_id = query.message.message_id
        return
    chat = update.effective_chat
    assert chat is not None
    await drop_buttons(context, chat.id, flow.message_id)
    sent = await reply(update, text, markup)
    flow.message_id = sent.message_id


async def _catalogue(update: Update, context: Context) -> Catalogue | None:
    stored = await user_key(update, context)
    if stored is None:
        return None
    try:
        return await get_services(context).catalogue.get(stored.key)
    except InvalidKey:
        await reply(update, texts.KEY_INVALID_NOW)
    except PanelUnavailable:
        await reply(update, texts.panel_unavailable())
    except PanelError as error:
        await reply(update, texts.panel_said(error.message))
    return None


# --- browsing ----------------------------------------------------------------------------------


def _cancel_button() -> tuple[str, str]:
    return (texts.BUTTON_CANCEL, callback.build(PREFIX, "x"))


def _categories_view(catalogue: Catalogue, page: int) -> tuple[str, Any]:
    items = [
        (name[:60], callback.build(PREFIX, "c", index, 0))
        for index, name in enumerate(catalogue.categories)
    ]
    page = keyboards.clamp_page(page, len(items), CATEGORIES_PER_PAGE)
    markup = keyboards.paginated(
        items,
        page,
        CATEGORIES_PER_PAGE,
        lambda p: callback.build(PREFIX, "cats", p),
        [_cancel_button()],
    )
    return texts.categories_title(page, keyboards.pages(len(items), CATEGORIES_PER_PAGE)), markup


def _service_items(services: tuple[Service, ...]) -> list[tuple[str, str]]:
    return [(texts.service_button(s), callback.build(PREFIX, "s", s.id)) for s in services]


def _category_view(catalogue: Catalogue, index: int, page: int) -> tuple[str, Any]:
    services = catalogue.in_category(index)
    page = keyboards.clamp_page(page, len(services), SERVICES_PER_PAGE)
    back_page = index // CATEGORIES_PER_PAGE
    markup = keyboards.paginated(
        _service_items(services),
        page,
        SERVICES_PER_PAGE,
        lambda p: callback.build(PREFIX, "c", index, p),
        [(texts.BUTTON_BACK, callback.build(PREFIX, "cats", back_page)), _cancel_button()],
    )
    pages = keyboards.pages(len(services), SERVICES_PER_PAGE)
    return texts.services_title(catalogue.categories[index], page, pages), markup


def _search_view(catalogue: Catalogue, query: str, page: int) -> tuple[str, Any]:
    found = catalogue.search(query)
    if not found:
        _, markup = _categories_view(catalogue, 0)
        return texts.search_none(query), markup
    page = keyboards.clamp_page(page, len(found), SERVICES_PER_PAGE)
    markup = keyboards.paginated(
        _service_items(found),
        page,
        SERVICES_PER_PAGE,
        lambda p: callback.build(PREFIX, "sr", p),
        [(texts.BUTTON_BACK, callback.build(PREFIX, "cats", 0)), _cancel_button()],
    )
    pages = keyboards.pages(len(found), SERVICES_PER_PAGE)
    return texts.search_title(query, len(found), page, pages), markup


async def start_order(update: Update, context: Context) -> int:
    await answer_query(update)
    key_flow.stop_waiting_for_key(context)
    _end_flow(context)
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return END
    if not catalogue.services:
        await reply(update, texts.CATALOGUE_EMPTY)
        return END
    text, markup = _categories_view(catalogue, 0)
    await _show(update, context, text, markup, in_place=False)
    return State.BROWSE


async def browse_button(update: Update, context: Context) -> int:
    if not await _live_query(update, context):
        return State.BROWSE
    data = _data(update)
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return State.BROWSE
    if data.action == "cats":
        text, markup = _categories_view(catalogue, data.int_arg(0))
    elif data.action == "c":
        index = data.int_arg(0)
        if not 0 <= index < len(catalogue.categories):
            text, markup = _categories_view(catalogue, 0)
        else:
            text, markup = _category_view(catalogue, index, data.int_arg(1))
    else:  # "sr": a page of search results
        text, markup = _search_view(catalogue, _flow(context).query, data.int_arg(0))
    await _show(update, context, text, markup, in_place=True)
    return State.BROWSE


async def browse_text(update: Update, context: Context) -> int:
    """Typed text while browsing: a service id jumps to it, anything else searches."""
    message = update.effective_message
    assert message is not None and message.text is not None
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return State.BROWSE
    typed = message.text.strip()
    service = catalogue.find(typed) if typed.isdigit() else None
    if service is not None:
        return await _choose_service(update, context, service, in_place=False)
    flow = _flow(context)
    flow.query = typed[:MAX_QUERY]
    text, markup = _search_view(catalogue, flow.query, 0)
    await _show(update, context, text, markup, in_place=False)
    return State.BROWSE


async def browse_other(update: Update, context: Context) -> int:
    await reply(update, texts.expect_text(texts.categories_title(0, 1)))
    return State.BROWSE


async def service_button(update: Update, context: Context) -> int:
    if not await _live_query(update, context):
        return State.BROWSE
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return State.BROWSE
    service = catalogue.find(_data(update).arg(0))
    if service is None:
        text, markup = _categories_view(catalogue, 0)
        await _show(update, context, f"{texts.SERVICE_GONE}\n\n{text}", markup, in_place=True)
        return State.BROWSE
    return await _choose_service(update, context, service, in_place=True)


async def _choose_service(
    update: Update, context: Context, service: Service, *, in_place: bool
) -> int:
    flow = _flow(context)
    if fields_for(service) is None:
        catalogue = await _catalogue(update, context)
        assert catalogue is not None
        _, markup = _category_view(catalogue, catalogue.category_index(service), 0)
        await _show(update, context, texts.service_unsupported(service), markup, in_place=in_place)
        return State.BROWSE
    flow.service = service
    flow.reset_fields()
    return await _ask_next(update, context, in_place=in_place)


async def order_again(update: Update, context: Context) -> int:
    """From an order card: the same service and fields, straight to the summary."""
    await answer_query(update)
    key_flow.stop_waiting_for_key(context)
    _end_flow(context)
    user = update.effective_user
    assert user is not None
    previous = get_services(context).repository.get_order(_data(update).int_arg(0), user.id)
    catalogue = await _catalogue(update, context)
    if previous is None or catalogue is None:
        return END
    service = catalogue.find(previous.service_id)
    fields = fields_for(service) if service is not None else None
    if service is None or fields is None:
        text, markup = _categories_view(catalogue, 0)
        await _show(update, context, f"{texts.SERVICE_GONE}\n\n{text}", markup, in_place=False)
        return State.BROWSE
    sent = json.loads(previous.fields_json)
    if any(spec.name == "dripfeed" for spec in fields):
        sent["dripfeed"] = "yes" if "runs" in sent else "no"
    flow = _flow(context)
    flow.service = service
    # In the order the questions are asked, so Back and the summary read naturally.
    for spec in fields:
        if spec.name in sent:
            flow.answers[spec.name] = str(sent[spec.name])
            flow.history.append(spec.name)
    if flow.current_field() is not None:  # the service now asks for more: ask it
        return await _ask_next(update, context, in_place=False)
    return await _show_summary(update, context, in_place=False)


# --- the type's fields -------------------------------------------------------------------------


def _field_markup(spec: FieldSpec) -> Any:
    rows: list[list[tuple[str, str]]] = []
    if spec.kind is FieldKind.CHOICE:
        buttons = [
            (texts.choice_label(spec.name, value), callback.build(PREFIX, "ch", value))
            for value in spec.choices
        ]
        width = 5 if len(buttons) > 6 else 2
        rows.extend(buttons[i : i + width] for i in range(0, len(buttons), width))
    if spec.optional:
        rows.append([(texts.BUTTON_SKIP, callback.build(PREFIX, "skip"))])
    rows.append([(texts.BUTTON_BACK, callback.build(PREFIX, "back")), _cancel_button()])
    return keyboards.markup(rows)


def _prompt(flow: OrderFlow, spec: FieldSpec) -> str:
    assert flow.service is not None
    prompt = texts.field_prompt(spec, flow.service, flow.answers)
    if not flow.history:  # the first question also shows what was chosen
        currency = None
        prompt = f"{texts.service_card(flow.service, currency)}\n\n{prompt}"
    return prompt


async def _ask_next(
    update: Update, context: Context, *, in_place: bool, problem: str | None = None
) -> int:
    flow = _flow(context)
    spec = flow.current_field()
    if spec is None:
        return await _show_summary(update, context, in_place=in_place)
    text = _prompt(flow, spec)
    if problem:
        text = f"{problem}\n\n{text}"
    await _show(update, context, text, _field_markup(spec), in_place=in_place)
    return State.FIELD


async def _flow_closed(update: Update, context: Context) -> int:
    _end_flow(context)
    await reply(update, texts.FLOW_CLOSED)
    return END


def _accept(flow: OrderFlow, spec: FieldSpec, value: str) -> InvalidInput | None:
    assert flow.service is not None
    flow.answers[spec.name] = value
    problem = quantity_problem(flow.service, flow.answers)
    if problem is not None:
        del flow.answers[spec.name]
        return problem
    flow.history.append(spec.name)
    return None


async def field_text(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    flow = _flow(context)
    if flow.service is None:  # the flow was closed (idle timeout) as this text arrived
        return await _flow_closed(update, context)
    spec = flow.current_field()
    if spec is None:
        return await _show_summary(update, context, in_place=False)
    try:
        if spec.kind is FieldKind.CHOICE:
            value = _choice_from_text(spec, message.text)
        else:
            value = parse_answer(spec, message.text, flow.service, flow.answers)
        problem = _accept(flow, spec, value)
    except InvalidInput as error:
        problem = error
    if problem is not None:
        return await _ask_next(
            update, context, in_place=False, problem=texts.invalid_input(problem)
        )
    return await _ask_next(update, context, in_place=False)


def _choice_from_text(spec: FieldSpec, typed: str) -> str:
    typed = typed.strip().casefold()
    for value in spec.choices:
        if typed in {value.casefold(), texts.choice_label(spec.name, value).casefold()}:
            return value
    raise InvalidInput("choose_button")


async def field_button(update: Update, context: Context) -> int:
    if not await _live_query(update, context):
        return State.FIELD
    flow = _flow(context)
    data = _data(update)
    if flow.service is None:
        return END
    spec = flow.current_field()
    if data.action == "back":
        return await _go_back(update, context)
    if spec is None:
        return await _show_summary(update, context, in_place=True)
    if data.action == "skip" and spec.optional:
        flow.skipped.add(spec.name)
        flow.history.append(spec.name)
    elif data.action == "ch" and data.arg(0) in spec.choices:
        _accept(flow, spec, data.arg(0))
    return await _ask_next(update, context, in_place=True)


async def _go_back(update: Update, context: Context) -> int:
    flow = _flow(context)
    assert flow.service is not None
    if not flow.history:
        catalogue = await _catalogue(update, context)
        if catalogue is None:
            return State.FIELD
        index = catalogue.category_index(flow.service)
        text, markup = _category_view(catalogue, index, 0)
        flow.service = None
        await _show(update, context, text, markup, in_place=True)
        return State.BROWSE
    last = flow.history.pop()
    flow.answers.pop(last, None)
    flow.skipped.discard(last)
    return await _ask_next(update, context, in_place=True)


async def field_other(update: Update, context: Context) -> int:
    """A photo, sticker or voice where a typed answer (or a tap) is expected."""
    flow = _flow(context)
    spec = flow.current_field() if flow.service else None
    if spec is None:
        return await _flow_closed(update, context)
    if spec.kind is FieldKind.CHOICE:
        return await _ask_next(update, context, in_place=False, problem=texts.expect_button())
    return await _ask_next(update, context, in_place=False, problem=texts.expect_text(""))


# --- summary and confirm -----------------------------------------------------------------------


async def _balance(context: Context, key: str) -> Balance | None:
    try:
        return await get_services(context).panel.balance(key)
    except PanelError:
        return None  # the summary says the balance is unknown; ordering still works


def _summary_markup(draft_id: int) -> Any:
    return keyboards.markup(
        [
            [(texts.BUTTON_CONFIRM, callback.build(PREFIX, "ok", draft_id))],
            [(texts.BUTTON_CHANGE, callback.build(PREFIX, "edit")), _cancel_button()],
        ]
    )


async def _show_summary(update: Update, context: Context, *, in_place: bool) -> int:
    flow = _flow(context)
    service = flow.service
    user = update.effective_user
    assert service is not None and user is not None
    stored = await user_key(update, context)
    if stored is None:
        _end_flow(context)
        return END
    balance = await _balance(context, stored.key)
    quantity = order_quantity(service, flow.answers)
    price = order_price(service, flow.answers)
    draft_id = get_services(context).repository.create_draft(
        DraftOrder(
            user_id=user.id,
            service_id=service.id,
            service_name=service.name,
            service_type=service.type.value,
            link=flow.answers.get("link"),
            quantity=quantity,
            fields=panel_fields(service, flow.answers),
            price=price,
            currency=balance.currency if balance else None,
            can_refill=service.refill,
            can_cancel=service.cancel,
        )
    )
    text = texts.summary(service, flow.answers, quantity, price, balance)
    await _show(update, context, text, _summary_markup(draft_id), in_place=in_place)
    return State.SUMMARY


async def change_order(update: Update, context: Context) -> int:
    if not await _live_query(update, context):
        return State.SUMMARY
    flow = _flow(context)
    if flow.service is None:
        return END
    flow.reset_fields()
    return await _ask_next(update, context, in_place=True)


async def summary_other(update: Update, context: Context) -> int:
    await reply(update, texts.expect_button())
    return State.SUMMARY


async def confirm(update: Update, context: Context) -> int:
    """Places the draft exactly once, whatever the number of taps, devices or processes."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    draft_id = _data(update).int_arg(0)
    repository = get_services(context).repository
    order = repository.claim_draft(draft_id, user.id)
    if order is None:
        existing = repository.get_order(draft_id, user.id)
        if existing is not None and existing.placement == Placement.PLACING:
            await query.answer(texts.ALREADY_PLACING)
        elif existing is not None:
            await query.answer(texts.ALREADY_DONE, show_alert=True)
        else:
            await query.answer(texts.EXPIRED)
        return END
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    await edit(message, texts.PLACING)
    stored = repository.get_api_key(user.id)
    if stored is None:
        repository.finish_placement(draft_id, Placement.DRAFT)
        await edit(message, texts.NEED_KEY)
        return END
    fields = json.loads(order.fields_json)
    try:
        panel_id = await get_services(context).panel.add(stored.key, order.service_id, fields)
    except OutcomeUnknown:
        logger.warning("Order %s: outcome unknown after sending add", draft_id)
        repository.finish_placement(draft_id, Placement.UNKNOWN)
        await edit(message, texts.outcome_unknown(), _after_markup())
        _end_flow(context)
        return END
    except PanelUnavailable:
        # Certainly not sent (the client only says "unavailable" for add before sending):
        # the draft can be confirmed again.
        repository.finish_placement(draft_id, Placement.DRAFT)
        text = texts.panel_unavailable() + "\nNothing was ordered. Tap Confirm to try again."
        await edit(message, text, _summary_markup(draft_id))
        return State.SUMMARY
    except PanelError as error:
        repository.finish_placement(draft_id, Placement.REJECTED, error=error.message)
        await edit(message, texts.rejected(error.message), _rejected_markup())
        return State.SUMMARY
    placed = repository.finish_placement(draft_id, Placement.PLACED, panel_order_id=panel_id)
    logger.info("Order %s placed at the panel as %s", draft_id, panel_id)
    await edit(
        message,
        texts.placed(panel_id, placed.service_name, placed.price or 0, placed.currency),  # type: ignore[arg-type]
        _after_markup(draft_id),
    )
    _end_flow(context)
    return END


def _after_markup(order_id: int | None = None) -> Any:
    rows = [[(texts.BUTTON_NEW_ORDER, callback.build("m", "order"))]]
    if order_id is not None:
        rows.insert(0, [(texts.BUTTON_ORDER_CARD, callback.build("c", "open", order_id))])
    return keyboards.markup(rows)


def _rejected_markup() -> Any:
    return keyboards.markup(
        [[(texts.BUTTON_CHANGE, callback.build(PREFIX, "edit")), _cancel_button()]]
    )


# --- leaving -----------------------------------------------------------------------------------


async def cancel(update: Update, context: Context) -> int:
    flow = _end_flow(context)
    query = update.callback_query
    if query is not None:
        await query.answer()
        if isinstance(query.message, Message):
            await edit(query.message, texts.CANCELLED)
            return END
    chat = update.effective_chat
    if flow is not None and chat is not None:
        await drop_buttons(context, chat.id, flow.message_id)
    await reply(update, texts.CANCELLED)
    return END


async def restart(update: Update, context: Context) -> int:
    """/start inside the flow leaves it and shows the menu."""
    flow = _end_flow(context)
    chat = update.effective_chat
    if flow is not None and chat is not None:
        await drop_buttons(context, chat.id, flow.message_id)
    await start_flow.start(update, context)
    return END


async def command_in_flow(update: Update, context: Context) -> int | None:
    """Another command mid-order: say what is expected and ask the same step again."""
    flow = _flow(context)
    note = "⚠️ You're in the middle of an order — answer the question, or /cancel first."
    if flow.service is not None and flow.current_field() is not None:
        return await _ask_next(update, context, in_place=False, problem=note)
    await reply(update, note)
    return None


async def timed_out(update: object, context: Context) -> None:
    flow = _end_flow(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        chat_id = update.effective_chat.id
        if flow is not None:
            await drop_buttons(context, chat_id, flow.message_id)
        await context.bot.send_message(chat_id, texts.TIMED_OUT)


def build_conversation(settings: Settings) -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    not_text = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    confirm_handler = CallbackQueryHandler(confirm, pattern=callback.pattern(PREFIX, "ok"))
    cancel_button = CallbackQueryHandler(cancel, pattern=callback.pattern(PREFIX, "x"))
    # per_message=False is deliberate (the flow mixes typed answers and buttons): silence
    # exactly the warning PTB's FAQ says to ignore for that.
    warnings.filterwarnings(
        "ignore", message="If 'per_message=False'", category=PTBUserWarning, module=__name__
    )
    return ConversationHandler(
        entry_points=[
            CommandHandler("order", start_order),
            CallbackQueryHandler(start_order, pattern=callback.pattern("m", "order")),
            CallbackQueryHandler(order_again, pattern=callback.pattern("c", "again")),
        ],
        states={
            State.BROWSE: [
                CallbackQueryHandler(
                    browse_button, pattern=callback.pattern(PREFIX, "cats", "c", "sr")
                ),
                CallbackQueryHandler(service_button, pattern=callback.pattern(PREFIX, "s")),
                MessageHandler(text, browse_text),
                MessageHandler(not_text, browse_other),
            ],
            State.FIELD: [
                CallbackQueryHandler(
                    field_button, pattern=callback.pattern(PREFIX, "ch", "skip", "back")
                ),
                MessageHandler(text, field_text),
                MessageHandler(not_text, field_other),
            ],
            State.SUMMARY: [
                confirm_handler,
                CallbackQueryHandler(change_order, pattern=callback.pattern(PREFIX, "edit")),
                MessageHandler(text | not_text, summary_other),
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            cancel_button,
            CommandHandler("start", restart),
            MessageHandler(filters.COMMAND, command_in_flow),
            confirm_handler,
        ],
        allow_reentry=True,
        conversation_timeout=settings.conversation_timeout_seconds,
        name="order",
    )


def build_handlers() -> list[BaseHandler[Update, Context, object]]:
    """Confirm works outside the conversation too: after a restart the draft row is the truth."""
    return [CallbackQueryHandler(confirm, pattern=callback.pattern(PREFIX, "ok"))]
