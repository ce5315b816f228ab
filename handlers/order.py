"""The ordering conversation: catalogue → service → the type's fields → summary → confirm.

Browsing edits one message in place. Each typed answer gets the next question as a new message;
the old one keeps its buttons, which costs no call and does no harm: every button of the flow is
answered "expired" unless it is on the live message (choices and Skip also name their question),
Cancel only ends the flow, and Confirm claims a draft row in the database — the first Confirm to
claim it (in any process) is the only one that reaches the panel.

Handlers that may wait on the panel are `waiting.patient`: a slow panel shows ⏳ (in the tap's
answer, or a message the answer replaces), and the interactive budget bounds the wait.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from enum import IntEnum
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
from bot.order_fields import (
    FieldKind,
    FieldSpec,
    InvalidInput,
    field_choices,
    fields_for,
    next_field,
    order_price,
    order_quantity,
    panel_fields,
    parse_answer,
    quantity_problem,
    refused_types,
    splits_comments,
)
from bot.panel import (
    BadLink,
    Balance,
    OutcomeUnknown,
    PanelError,
    PanelUnavailable,
    Service,
    ServiceType,
    normalize_service_type,
)
from bot.panel.capabilities import Capabilities
from bot.services.placement import record_outcome, record_placed
from handlers import start as start_flow
from handlers import waiting
from handlers.common import (
    Context,
    drop_buttons,
    edit,
    reply,
    stop_waiting_for_key,
    user_key,
)
from storage.models import Placement
from storage.repository import DraftOrder, UnreadableKey

logger = logging.getLogger(__name__)

END = ConversationHandler.END
PREFIX = "o"
FLOW_KEY = "order_flow"
CATEGORIES_PER_PAGE = 8
SERVICES_PER_PAGE = 8
MAX_QUERY = 100
PAGE_ARGS = (callback.PAGE,)
CATEGORY_ARGS = (callback.INDEX, callback.PAGE)


class State(IntEnum):
    BROWSE = 1
    FIELD = 2
    SUMMARY = 3


@dataclass
class OrderFlow:
    """Where one user is in the flow (per-process, like PTB's conversation state)."""

    message_id: int | None = None  # the message whose buttons are live
    query: str = ""
    # The list last shown (kind, category index, page): Back from a service returns to it.
    view: tuple[str, int, int] = ("cats", 0, 0)
    service: Service | None = None
    draft_id: int | None = None  # the draft behind the summary on screen
    summary_text: str = ""
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


def _capabilities(context: Context) -> Capabilities:
    """What the panel is known to support (unknown facts: behave as the seed protocol)."""
    return get_services(context).panel.capabilities


def _refused(context: Context) -> frozenset[ServiceType]:
    return refused_types(_capabilities(context))


def _offered(
    services: tuple[Service, ...], refused: frozenset[ServiceType]
) -> tuple[Service, ...]:
    """A list without the services of types the panel cannot take (most panels: all of it)."""
    if not refused:
        return services
    return tuple(service for service in services if service.type not in refused)


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
        await waiting.answer(update, texts.common.expired())
        return False
    await waiting.answer(update)
    return True


async def _show(
    update: Update, context: Context, text: str, markup: Any, *, in_place: bool
) -> None:
    """Edit the live message (after a button) or send a new one (after typed text). The old
    message keeps its buttons: they are answered "expired" (see the module doc)."""
    flow = _flow(context)
    query = update.callback_query
    if in_place and query is not None and isinstance(query.message, Message):
        await edit(query.message, text, markup)
        flow.message_id = query.message.message_id
        return
    sent = await waiting.reply(update, text, markup)
    flow.message_id = sent.message_id


async def _catalogue(update: Update, context: Context) -> Catalogue | None:
    stored = await user_key(update, context)
    if stored is None:
        return None
    try:
        return await waiting.call(get_services(context).catalogue.get(stored.key))
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
    return None


# --- browsing ----------------------------------------------------------------------------------


def _cancel_button() -> tuple[str, str]:
    return (texts.common.button_cancel(), callback.build(PREFIX, "x"))


def _categories_view(
    catalogue: Catalogue, page: int, refused: frozenset[ServiceType] = frozenset()
) -> tuple[str, Any]:
    indexes: Sequence[int] = range(len(catalogue.categories))
    if refused:  # a category of refused services only is not offered either
        indexes = [i for i in indexes if _offered(catalogue.in_category(i), refused)]
    page = keyboards.clamp_page(page, len(indexes), CATEGORIES_PER_PAGE)
    markup = keyboards.paginated(
        indexes,
        page,
        CATEGORIES_PER_PAGE,
        lambda p: callback.build(PREFIX, "cats", p),
        [_cancel_button()],
        lambda index: (catalogue.categories[index][:60], callback.build(PREFIX, "c", index, 0)),
    )
    pages = keyboards.pages(len(indexes), CATEGORIES_PER_PAGE)
    return texts.catalogue.categories_title(page, pages), markup


def _service_item(service: Service) -> tuple[str, str]:
    return texts.catalogue.service_button(service), callback.build(PREFIX, "s", service.id)


def _category_view(
    catalogue: Catalogue, index: int, page: int, refused: frozenset[ServiceType]
) -> tuple[str, Any]:
    services = _offered(catalogue.in_category(index), refused)
    page = keyboards.clamp_page(page, len(services), SERVICES_PER_PAGE)
    back_page = index // CATEGORIES_PER_PAGE
    markup = keyboards.paginated(
        services,
        page,
        SERVICES_PER_PAGE,
        lambda p: callback.build(PREFIX, "c", index, p),
        [
            (texts.common.button_back(), callback.build(PREFIX, "cats", back_page)),
            _cancel_button(),
        ],
        _service_item,
    )
    pages = keyboards.pages(len(services), SERVICES_PER_PAGE)
    return texts.catalogue.services_title(catalogue.categories[index], page, pages), markup


def _search_view(
    catalogue: Catalogue, query: str, page: int, refused: frozenset[ServiceType]
) -> tuple[str, Any]:
    found = _offered(catalogue.search(query), refused)
    if not found:
        _, markup = _categories_view(catalogue, 0, refused)
        return texts.catalogue.search_none(query), markup
    page = keyboards.clamp_page(page, len(found), SERVICES_PER_PAGE)
    markup = keyboards.paginated(
        found,
        page,
        SERVICES_PER_PAGE,
        lambda p: callback.build(PREFIX, "sr", p),
        [(texts.common.button_back(), callback.build(PREFIX, "cats", 0)), _cancel_button()],
        _service_item,
    )
    pages = keyboards.pages(len(found), SERVICES_PER_PAGE)
    return texts.catalogue.search_title(query, len(found), page, pages), markup


def _view(
    catalogue: Catalogue, flow: OrderFlow, refused: frozenset[ServiceType] = frozenset()
) -> tuple[str, Any]:
    kind, index, page = flow.view
    if kind == "cat" and 0 <= index < len(catalogue.categories):
        return _category_view(catalogue, index, page, refused)
    if kind == "search":
        return _search_view(catalogue, flow.query, page, refused)
    return _categories_view(catalogue, page if kind == "cats" else 0, refused)


async def _abandon_draft(context: Context, flow: OrderFlow | None) -> None:
    """The summary on screen is replaced or closed: its Confirm must no longer place it."""
    if flow is not None and flow.draft_id is not None:
        await get_services(context).repository.abandon_draft(flow.draft_id)
        flow.draft_id = None


async def _leave_flow(context: Context) -> OrderFlow | None:
    flow = _end_flow(context)
    await _abandon_draft(context, flow)
    return flow


@waiting.patient
async def start_order(update: Update, context: Context) -> int:
    await waiting.answer(update)
    stop_waiting_for_key(context)
    await _leave_flow(context)
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return END
    if not catalogue.services:
        await reply(update, texts.catalogue.catalogue_empty())
        return END
    text, markup = _view(catalogue, _flow(context), _refused(context))
    await _show(update, context, text, markup, in_place=False)
    return State.BROWSE


@waiting.patient
async def browse_button(update: Update, context: Context) -> int:
    if not await _live_query(update, context):
        return State.BROWSE
    data = _data(update)
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return State.BROWSE
    flow = _flow(context)
    if data.action == "cats":
        flow.view = ("cats", 0, data.int_arg(0, callback.PAGE))
    elif data.action == "c":
        flow.view = ("cat", data.int_arg(0, callback.INDEX), data.int_arg(1, callback.PAGE))
    else:  # "sr": a page of search results
        flow.view = ("search", 0, data.int_arg(0, callback.PAGE))
    text, markup = _view(catalogue, flow, _refused(context))
    await _show(update, context, text, markup, in_place=True)
    return State.BROWSE


@waiting.patient
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
    flow.view = ("search", 0, 0)
    text, markup = _view(catalogue, flow, _refused(context))
    await _show(update, context, text, markup, in_place=False)
    return State.BROWSE


@waiting.patient
async def browse_other(update: Update, context: Context) -> int:
    """A photo, sticker or command while browsing: say so, and show the same list again."""
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return State.BROWSE
    text, markup = _view(catalogue, _flow(context), _refused(context))
    await _show(
        update, context, f"{texts.order.browse_expected()}\n\n{text}", markup, in_place=False
    )
    return State.BROWSE


@waiting.patient
async def service_button(update: Update, context: Context) -> int:
    if not await _live_query(update, context):
        return State.BROWSE
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return State.BROWSE
    service = catalogue.find(_data(update).arg(0))
    if service is None:
        text, markup = _categories_view(catalogue, 0, _refused(context))
        await _show(
            update, context, f"{texts.catalogue.service_gone()}\n\n{text}", markup, in_place=True
        )
        return State.BROWSE
    return await _choose_service(update, context, service, in_place=True)


async def _choose_service(
    update: Update, context: Context, service: Service, *, in_place: bool
) -> int:
    flow = _flow(context)
    refused = service.type in _refused(context)
    if fields_for(service) is None or refused:
        # Offer what can be ordered: the categories (this service's own may hold only it).
        catalogue = await _catalogue(update, context)
        if catalogue is None:
            return State.BROWSE
        flow.view = ("cats", 0, 0)
        text, markup = _view(catalogue, flow, _refused(context))
        why = (
            texts.catalogue.panel_cannot_take(service.type, service.name)
            if refused
            else texts.catalogue.service_unsupported(service)
        )
        message = f"{why}\n\n{text}"
        await _show(update, context, message, markup, in_place=in_place)
        return State.BROWSE
    flow.service = service
    flow.reset_fields()
    return await _ask_next(update, context, in_place=in_place)


@waiting.patient
async def order_again(update: Update, context: Context) -> int:
    """From an order card: the same service and fields, straight to the summary."""
    await waiting.answer(update)
    stop_waiting_for_key(context)
    await _leave_flow(context)
    user = update.effective_user
    assert user is not None
    order_id = _data(update).int_arg(0, callback.ROW_ID)
    previous = await get_services(context).repository.get_order(order_id, user.id)
    if previous is None or not previous.service_id:
        await reply(update, texts.orders.order_not_found())
        return END
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return END
    service = catalogue.find(previous.service_id)
    if service is not None and service.type in _refused(context):
        return await _choose_service(update, context, service, in_place=False)
    fields = fields_for(service) if service is not None else None
    if service is None or fields is None:
        text, markup = _categories_view(catalogue, 0, _refused(context))
        await _show(
            update, context, f"{texts.catalogue.service_gone()}\n\n{text}", markup, in_place=False
        )
        return State.BROWSE
    sent = json.loads(previous.fields_json)
    if any(spec.name == "dripfeed" for spec in fields):
        sent["dripfeed"] = "yes" if "runs" in sent else "no"
    flow = _flow(context)
    flow.service = service
    capabilities = _capabilities(context)
    # Each old answer is checked again as if typed now (the service's limits or a date may
    # have changed); the first one that no longer fits is asked again, with the reason.
    problem: InvalidInput | None = None
    for spec in fields:
        if not spec.applies(flow.answers):
            continue
        if spec.name in sent:
            value = str(sent[spec.name])
            try:
                if spec.kind is FieldKind.CHOICE:
                    value = _choice_from_text(spec, value)
                else:
                    value = parse_answer(spec, value, service, flow.answers, capabilities)
                problem = _accept(flow, spec, value, capabilities)
            except InvalidInput as error:
                problem = error
            if problem is not None:
                break
        elif spec.optional:  # skipped last time: skipped again
            flow.skipped.add(spec.name)
            flow.history.append(spec.name)
        else:
            break  # the service now asks for more: ask it
    if flow.current_field() is not None:
        note = texts.order.invalid_input(problem) if problem is not None else None
        return await _ask_next(update, context, in_place=False, problem=note)
    return await _show_summary(update, context, in_place=False)


# --- the type's fields -------------------------------------------------------------------------


def _field_markup(spec: FieldSpec, capabilities: Capabilities) -> Any:
    rows: list[list[tuple[str, str]]] = []
    choices = field_choices(spec, capabilities)
    if choices:
        buttons = [
            (
                texts.order.choice_label(spec.name, value),
                callback.build(PREFIX, "ch", spec.name, value),
            )
            for value in choices
        ]
        width = 5 if len(buttons) > 6 or spec.kind is not FieldKind.CHOICE else 2
        rows.extend(buttons[i : i + width] for i in range(0, len(buttons), width))
    if spec.optional:
        rows.append([(texts.order.button_skip(), callback.build(PREFIX, "skip", spec.name))])
    rows.append([(texts.common.button_back(), callback.build(PREFIX, "back")), _cancel_button()])
    return keyboards.markup(rows)


def _prompt(flow: OrderFlow, spec: FieldSpec, capabilities: Capabilities) -> str:
    assert flow.service is not None
    intervals = capabilities.dripfeed_intervals
    if not flow.history:  # the first question comes under the card of what was chosen
        question = texts.order.field_prompt(
            spec, flow.service, flow.answers, with_name=False, intervals=intervals
        )
        return f"{texts.catalogue.service_card(flow.service, None)}\n\n{question}"
    return texts.order.field_prompt(spec, flow.service, flow.answers, intervals=intervals)


async def _ask_next(
    update: Update, context: Context, *, in_place: bool, problem: str | None = None
) -> int:
    flow = _flow(context)
    spec = flow.current_field()
    if spec is None:
        return await _show_summary(update, context, in_place=in_place)
    capabilities = _capabilities(context)
    text = _prompt(flow, spec, capabilities)
    if problem:
        text = f"{problem}\n\n{text}"
    markup = _field_markup(spec, capabilities)
    await _show(update, context, text, markup, in_place=in_place)
    return State.FIELD


async def _flow_closed(update: Update, context: Context) -> int:
    _end_flow(context)
    await reply(update, texts.order.flow_closed())
    return END


def _accept(
    flow: OrderFlow, spec: FieldSpec, value: str, capabilities: Capabilities
) -> InvalidInput | None:
    assert flow.service is not None
    flow.answers[spec.name] = value
    problem = quantity_problem(flow.service, flow.answers, capabilities)
    if problem is not None:
        del flow.answers[spec.name]
        return problem
    flow.history.append(spec.name)
    return None


@waiting.patient
async def field_text(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    flow = _flow(context)
    if flow.service is None:  # the flow was closed (idle timeout) as this text arrived
        return await _flow_closed(update, context)
    spec = flow.current_field()
    if spec is None:
        return await _show_summary(update, context, in_place=False)
    capabilities = _capabilities(context)
    try:
        if spec.kind is FieldKind.CHOICE:
            value = _choice_from_text(spec, message.text)
        else:
            value = parse_answer(spec, message.text, flow.service, flow.answers, capabilities)
        problem = _accept(flow, spec, value, capabilities)
    except InvalidInput as error:
        problem = error
    if problem is not None:
        return await _ask_next(
            update, context, in_place=False, problem=texts.order.invalid_input(problem)
        )
    return await _ask_next(update, context, in_place=False)


def _choice_from_text(spec: FieldSpec, typed: str) -> str:
    typed = typed.strip().casefold()
    for value in spec.choices:
        if typed in {value.casefold(), texts.order.choice_label(spec.name, value).casefold()}:
            return value
    raise InvalidInput("choose_button")


@waiting.patient
async def field_button(update: Update, context: Context) -> int | None:
    """Back, Skip or a choice. Skip and choices name their question, so a double tap cannot
    answer the question that follows."""
    flow = _flow(context)
    data = _data(update)
    spec = flow.current_field() if flow.service else None
    if data.action == "back":
        if not await _live_query(update, context):
            return None
        return await _go_back(update, context)
    capabilities = _capabilities(context)
    fits = spec is not None and data.arg(0) == spec.name
    if data.action == "skip":
        fits = fits and spec is not None and spec.optional
    else:
        fits = fits and spec is not None and data.arg(1) in field_choices(spec, capabilities)
    if not fits:
        await waiting.answer(update, texts.common.expired())
        return None
    if not await _live_query(update, context):
        return None
    assert spec is not None and flow.service is not None
    if data.action == "skip":
        flow.skipped.add(spec.name)
        flow.history.append(spec.name)
    else:
        problem = None
        value = data.arg(1)
        try:
            if spec.kind is not FieldKind.CHOICE:  # a suggested number (interval): check it
                value = parse_answer(spec, value, flow.service, flow.answers, capabilities)
            problem = _accept(flow, spec, value, capabilities)
        except InvalidInput as error:
            problem = error
        if problem is not None:
            return await _ask_next(
                update, context, in_place=True, problem=texts.order.invalid_input(problem)
            )
    return await _ask_next(update, context, in_place=True)


async def _go_back(update: Update, context: Context) -> int:
    flow = _flow(context)
    assert flow.service is not None
    if not flow.history:  # back to the list the service was picked from
        catalogue = await _catalogue(update, context)
        if catalogue is None:
            return State.FIELD
        text, markup = _view(catalogue, flow, _refused(context))
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
    problem = (
        texts.order.expect_button() if spec.kind is FieldKind.CHOICE else texts.order.expect_text()
    )
    return await _ask_next(update, context, in_place=False, problem=problem)


# --- summary and confirm -----------------------------------------------------------------------


async def _balance(context: Context, key: str) -> Balance | None:
    try:
        return await waiting.call(get_services(context).interactive.balance(key))
    except PanelError:
        return None  # the summary says the balance is unknown; ordering still works


def _summary_markup(draft_id: int) -> Any:
    return keyboards.markup(
        [
            [(texts.order.button_confirm(), callback.build(PREFIX, "ok", draft_id))],
            [(texts.order.button_change(), callback.build(PREFIX, "edit")), _cancel_button()],
        ]
    )


async def _show_summary(update: Update, context: Context, *, in_place: bool) -> int:
    """A new draft row for exactly what the summary shows; the one it replaces is abandoned."""
    flow = _flow(context)
    service = flow.service
    user = update.effective_user
    assert service is not None and user is not None
    stored = await user_key(update, context)
    if stored is None:
        await _leave_flow(context)
        return END
    balance = await _balance(context, stored.key)
    capabilities = _capabilities(context)
    quantity = order_quantity(service, flow.answers, capabilities)
    price = order_price(service, flow.answers, capabilities)
    await _abandon_draft(context, flow)
    flow.draft_id = await get_services(context).repository.create_draft(
        DraftOrder(
            user_id=user.id,
            service_id=service.id,
            service_name=service.name,
            service_type=service.type.value,
            link=flow.answers.get("link"),
            quantity=quantity,
            fields=panel_fields(service, flow.answers, capabilities),
            price=price,
            currency=balance.currency if balance else None,
            can_refill=service.refill,
            can_cancel=service.cancel,
        )
    )
    flow.summary_text = texts.order.summary(
        service,
        flow.answers,
        quantity,
        price,
        balance,
        comma_split=splits_comments(service, flow.answers, capabilities),
    )
    await _show(
        update, context, flow.summary_text, _summary_markup(flow.draft_id), in_place=in_place
    )
    return State.SUMMARY


async def change_order(update: Update, context: Context) -> int | None:
    if not await _live_query(update, context):
        return None
    flow = _flow(context)
    if flow.service is None:
        return END
    await _abandon_draft(context, flow)
    flow.reset_fields()
    return await _ask_next(update, context, in_place=True)


async def summary_other(update: Update, context: Context, note: str | None = None) -> int:
    """Text, a photo or a command at the summary: say what is expected, show it again."""
    flow = _flow(context)
    note = note or texts.order.summary_expected()
    if flow.draft_id is None:  # after a refusal only Change and Cancel are left
        await _show(update, context, note, _rejected_markup(), in_place=False)
    else:
        text = f"{note}\n\n{flow.summary_text}"
        await _show(update, context, text, _summary_markup(flow.draft_id), in_place=False)
    return State.SUMMARY


@waiting.patient
async def confirm(update: Update, context: Context) -> int | None:
    """Places the draft exactly once, whatever the number of taps, devices or processes.
    The summary stays as it is while the panel works (a slow panel shows ⏳ in the tap's
    answer); a second tap on it finds the draft claimed."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    draft_id = _data(update).int_arg(0, callback.ROW_ID)
    services = get_services(context)
    repository = services.repository
    # A summary is good for as long as an idle conversation lives (also across restarts).
    max_age = timedelta(seconds=services.settings.conversation_timeout_seconds)
    order = await repository.claim_draft(draft_id, user.id, max_age)
    if order is None:
        # A second tap, another device, a retried update, a replaced or an old summary:
        # nothing to place. The live conversation (if any) stays where it is.
        existing = await repository.get_order(draft_id, user.id)
        placement = existing.placement if existing is not None else None
        if placement == Placement.PLACING:
            await waiting.answer(update, texts.order.already_placing())
        elif placement in {Placement.PLACED, Placement.REJECTED, Placement.UNKNOWN}:
            await waiting.answer(update, texts.order.already_done(), alert=True)
        else:
            await waiting.answer(update, texts.common.expired())
        return None
    message = query.message if isinstance(query.message, Message) else None
    sent = False
    try:
        try:
            stored = await repository.get_api_key(user.id)
        except UnreadableKey:
            stored = None
        if stored is None:
            await record_outcome(repository, draft_id, Placement.ABANDONED)
            await edit(message, texts.common.need_key())
            _end_flow(context)
            return END
        sent = True  # from here on the request may reach the panel
        panel_id = await waiting.call(
            services.interactive.add(stored.key, order.service_id, json.loads(order.fields_json)),
            texts.order.placing(),
        )
    # Each outcome is told first, then recorded (retried through a busy database): the user
    # must never read "try again" about an order the panel may have. Their next update waits
    # for the record (one user's updates run in order).
    except OutcomeUnknown:
        logger.warning("Order %s: outcome unknown after sending add", draft_id)
        _end_flow(context)
        await _tell_result(update, message, texts.order.outcome_unknown(), _after_markup())
        await record_outcome(repository, draft_id, Placement.UNKNOWN)
        return END
    except PanelUnavailable:
        # Certainly not received (the client says "unavailable" for add only then): the same
        # draft can be confirmed again.
        await _tell_result(
            update, message, texts.order.not_placed_try_again(), _summary_markup(draft_id)
        )
        await record_outcome(repository, draft_id, Placement.DRAFT)
        return State.SUMMARY
    except PanelError as error:
        _flow(context).draft_id = None
        refusal = texts.order.rejected(error.message)
        if isinstance(error, BadLink) and "link" not in json.loads(order.fields_json):
            # A form without a link refused as a bad link (SmartPanel's subscriptions, S11):
            # the panel cannot take this type through its API; it is not offered again.
            service_type = normalize_service_type(order.service_type or "")
            await services.panel.note_refused_type(
                service_type.value, "a form without a link was refused as a bad link"
            )
            refusal = texts.catalogue.panel_cannot_take(service_type, order.service_name or "")
        await _tell_result(update, message, refusal, _rejected_markup())
        await record_outcome(repository, draft_id, Placement.REJECTED, error=error.message)
        return State.SUMMARY
    except BaseException:
        # Our own failure (or shutdown) mid-way: never leave the row stuck in 'placing'.
        await record_outcome(repository, draft_id, Placement.UNKNOWN if sent else Placement.DRAFT)
        raise
    logger.info("Order %s placed at the panel as %s", draft_id, panel_id)
    _end_flow(context)
    await waiting.settle(update)
    # The order exists at the panel: the user learns its id first, whatever happens next.
    receipt = texts.order.placed(
        panel_id,
        order.service_name,
        order.price or Decimal(0),
        order.currency,
        per_post=order.service_type == ServiceType.SUBSCRIPTIONS.value,
    )
    await _tell_result(update, message, receipt, _after_markup(draft_id))
    # Then its id is recorded, waiting out a briefly busy database (this user's next update
    # waits for it; nobody else does).
    await record_placed(repository, draft_id, panel_id)
    return END


async def _tell_result(update: Update, message: Message | None, text: str, markup: Any) -> None:
    """The outcome of a Confirm always reaches the user: edited into the summary, or as a new
    message if that fails. Never raises — a "try again" error here could cause a second order."""
    try:
        if message is not None:
            await edit(message, text, markup)
            return
    except TelegramError as error:
        logger.warning("Could not edit the order result in place: %s", error)
    try:
        await reply(update, text, markup)
    except TelegramError:
        logger.exception("Could not tell the user the result of their order")


def _after_markup(order_id: int | None = None) -> Any:
    rows = [[(texts.order.button_new_order(), callback.build("m", "order"))]]
    if order_id is not None:
        rows.insert(0, [(texts.order.button_order_card(), callback.build("c", "open", order_id))])
    return keyboards.markup(rows)


def _rejected_markup() -> Any:
    return keyboards.markup(
        [[(texts.order.button_change(), callback.build(PREFIX, "edit")), _cancel_button()]]
    )


# --- leaving and stray input -------------------------------------------------------------------


async def cancel(update: Update, context: Context) -> int:
    flow = await _leave_flow(context)
    query = update.callback_query
    if query is not None:
        await waiting.answer(update)
        if isinstance(query.message, Message):
            await edit(query.message, texts.order.cancelled())
            return END
    chat = update.effective_chat
    if flow is not None and chat is not None:
        await drop_buttons(context, chat.id, flow.message_id)
    await reply(update, texts.order.cancelled())
    return END


async def restart(update: Update, context: Context) -> int:
    """/start inside the flow leaves it and shows the menu."""
    flow = await _leave_flow(context)
    chat = update.effective_chat
    if flow is not None and chat is not None:
        await drop_buttons(context, chat.id, flow.message_id)
    await start_flow.start(update, context)
    return END


@waiting.patient
async def command_in_flow(update: Update, context: Context) -> int | None:
    """Another command mid-order: say what is expected and show the same step again."""
    flow = _flow(context)
    if flow.service is None:
        return await browse_other(update, context)
    if flow.current_field() is None:
        return await summary_other(update, context, texts.order.in_flow_command())
    return await _ask_next(update, context, in_place=False, problem=texts.order.in_flow_command())


async def stale_button(update: Update, context: Context) -> None:
    """A button of an earlier step, or unknown data, while an order is open: the live
    question stays as it is."""
    await waiting.answer(update, texts.common.expired())


async def timed_out(update: object, context: Context) -> None:
    flow = await _leave_flow(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        chat_id = update.effective_chat.id
        if flow is not None:
            await drop_buttons(context, chat_id, flow.message_id)
        await context.bot.send_message(chat_id, texts.order.timed_out())


def build_conversation(settings: Settings) -> ConversationHandler[Context]:
    text = filters.TEXT & ~filters.COMMAND
    not_text = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    confirm_handler: BaseHandler[Update, Context, Any] = CallbackQueryHandler(
        confirm, pattern=callback.pattern(PREFIX, "ok", args=(callback.ROW_ID,))
    )
    cancel_button: BaseHandler[Update, Context, Any] = CallbackQueryHandler(
        cancel, pattern=callback.pattern(PREFIX, "x")
    )
    # per_message=False is deliberate (the flow mixes typed answers and buttons): silence
    # exactly the warning PTB's FAQ says to ignore for that.
    warnings.filterwarnings(
        "ignore", message="If 'per_message=False'", category=PTBUserWarning, module=__name__
    )
    return ConversationHandler(
        entry_points=[
            CommandHandler("order", start_order),
            CallbackQueryHandler(start_order, pattern=callback.pattern("m", "order")),
            CallbackQueryHandler(
                order_again, pattern=callback.pattern("c", "again", args=(callback.ROW_ID,))
            ),
        ],
        states={
            State.BROWSE: [
                # Forged numbers (out of range, not digits) match none of these: answered
                # as stale by the fallback below.
                CallbackQueryHandler(
                    browse_button, pattern=callback.pattern(PREFIX, "cats", "sr", args=PAGE_ARGS)
                ),
                CallbackQueryHandler(
                    browse_button, pattern=callback.pattern(PREFIX, "c", args=CATEGORY_ARGS)
                ),
                CallbackQueryHandler(
                    service_button, pattern=callback.pattern(PREFIX, "s", args=(callback.ANY,))
                ),
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
            # Menu (m:), card (c:) and key (k:) buttons keep working mid-order; anything else
            # is a leftover of this flow.
            CallbackQueryHandler(stale_button, pattern=r"^(?!(m|c|k):)"),
        ],
        allow_reentry=True,
        conversation_timeout=settings.conversation_timeout_seconds,
        name="order",
    )


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """Confirm works outside the conversation too: after a restart the draft row is the truth."""
    return [
        CallbackQueryHandler(
            confirm, pattern=callback.pattern(PREFIX, "ok", args=(callback.ROW_ID,))
        )
    ]
