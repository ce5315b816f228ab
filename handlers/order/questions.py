"""The service type's questions, one at a time: typed answers, choices, Skip, Back, Change."""

from __future__ import annotations

from telegram import Update

from bot import callback, texts
from bot.keyboards import order as order_keyboards
from bot.order_fields import (
    FieldKind,
    FieldSpec,
    InvalidInput,
    field_choices,
    parse_answer,
    quantity_problem,
)
from bot.panel import Service
from bot.panel.capabilities import Capabilities
from handlers import waiting
from handlers.common import Context, reply
from handlers.order import summary
from handlers.order.lists import view
from handlers.order.state import (
    END,
    OrderFlow,
    State,
    abandon,
    button_data,
    capabilities,
    catalogue,
    end_flow,
    flow,
    live_query,
    refused,
    show,
)


def _prompt(current: OrderFlow, spec: FieldSpec, capabilities: Capabilities) -> str:
    assert current.service is not None
    intervals = capabilities.dripfeed_intervals
    if not current.history:  # the first question comes under the card of what was chosen
        question = texts.order.field_prompt(
            spec, current.service, current.answers, with_name=False, intervals=intervals
        )
        return f"{texts.catalogue.service_card(current.service, None)}\n\n{question}"
    return texts.order.field_prompt(spec, current.service, current.answers, intervals=intervals)


async def ask_next(
    update: Update, context: Context, *, in_place: bool, problem: str | None = None
) -> int:
    """The next unanswered question (after `problem`, if any); the summary when none is left."""
    current = flow(context)
    spec = current.current_field()
    if spec is None:
        return await summary.show_summary(update, context, in_place=in_place)
    known = capabilities(context)
    text = _prompt(current, spec, known)
    if problem:
        text = f"{problem}\n\n{text}"
    markup = order_keyboards.field(spec, field_choices(spec, known))
    await show(update, context, text, markup, in_place=in_place)
    return State.FIELD


async def flow_closed(update: Update, context: Context) -> int:
    end_flow(context)
    await reply(update, texts.order.flow_closed())
    return END


def accept(
    current: OrderFlow, spec: FieldSpec, value: str, capabilities: Capabilities
) -> InvalidInput | None:
    """Take a checked answer, unless the quantity it makes is out of the service's range."""
    assert current.service is not None
    current.answers[spec.name] = value
    problem = quantity_problem(current.service, current.answers, capabilities)
    if problem is not None:
        del current.answers[spec.name]
        return problem
    current.history.append(spec.name)
    return None


def answer(
    current: OrderFlow, spec: FieldSpec, typed: str, capabilities: Capabilities
) -> InvalidInput | None:
    """A typed answer (or a choice's name) checked and taken; the problem if it does not fit."""
    assert current.service is not None
    try:
        if spec.kind is FieldKind.CHOICE:
            value = choice_from_text(spec, typed)
        else:
            value = parse_answer(spec, typed, current.service, current.answers, capabilities)
        return accept(current, spec, value, capabilities)
    except InvalidInput as error:
        return error


def choice_from_text(spec: FieldSpec, typed: str) -> str:
    typed = typed.strip().casefold()
    for value in spec.choices:
        if typed in {value.casefold(), texts.order.choice_label(spec.name, value).casefold()}:
            return value
    raise InvalidInput("choose_button")


@waiting.patient
async def field_text(update: Update, context: Context) -> int:
    message = update.effective_message
    assert message is not None and message.text is not None
    current = flow(context)
    if current.service is None:  # the flow was closed (idle timeout) as this text arrived
        return await flow_closed(update, context)
    spec = current.current_field()
    if spec is None:
        return await summary.show_summary(update, context, in_place=False)
    problem = answer(current, spec, message.text, capabilities(context))
    note = texts.order.invalid_input(problem) if problem is not None else None
    return await ask_next(update, context, in_place=False, problem=note)


def _button_fits(
    spec: FieldSpec | None, skip: bool, name: str, value: str, capabilities: Capabilities
) -> bool:
    """Skip and choices name their question, so a double tap cannot answer the next one."""
    if spec is None or name != spec.name:
        return False
    if skip:
        return spec.optional
    return value in field_choices(spec, capabilities)


@waiting.patient
async def field_button(update: Update, context: Context) -> int | None:
    """Back, Skip or a choice."""
    current = flow(context)
    data = button_data(update)
    if data.action == callback.ORDER_BACK.action:
        if not await live_query(update, context):
            return None
        return await _go_back(update, context)
    known = capabilities(context)
    spec = current.current_field() if current.service else None
    skip = data.action == callback.ORDER_SKIP.action
    if not _button_fits(spec, skip, data.arg(0), data.arg(1), known):
        await waiting.answer(update, texts.common.expired())
        return None
    if not await live_query(update, context):
        return None
    assert spec is not None and current.service is not None
    if skip:
        current.skipped.add(spec.name)
        current.history.append(spec.name)
        return await ask_next(update, context, in_place=True)
    problem = _choose(current, current.service, spec, data.arg(1), known)
    note = texts.order.invalid_input(problem) if problem is not None else None
    return await ask_next(update, context, in_place=True, problem=note)


def _choose(
    current: OrderFlow, service: Service, spec: FieldSpec, value: str, capabilities: Capabilities
) -> InvalidInput | None:
    try:
        if spec.kind is not FieldKind.CHOICE:  # a suggested number (interval): check it
            value = parse_answer(spec, value, service, current.answers, capabilities)
        return accept(current, spec, value, capabilities)
    except InvalidInput as error:
        return error


async def _go_back(update: Update, context: Context) -> int:
    current = flow(context)
    assert current.service is not None
    if not current.history:  # back to the list the service was picked from
        shown = await catalogue(update, context)
        if shown is None:
            return State.FIELD
        text, markup = view(shown, current, refused(context))
        current.service = None
        await show(update, context, text, markup, in_place=True)
        return State.BROWSE
    last = current.history.pop()
    current.answers.pop(last, None)
    current.skipped.discard(last)
    return await ask_next(update, context, in_place=True)


async def field_other(update: Update, context: Context) -> int:
    """A photo, sticker or voice where a typed answer (or a tap) is expected."""
    current = flow(context)
    spec = current.current_field() if current.service else None
    if spec is None:
        return await flow_closed(update, context)
    problem = (
        texts.order.expect_button() if spec.kind is FieldKind.CHOICE else texts.order.expect_text()
    )
    return await ask_next(update, context, in_place=False, problem=problem)


async def change_order(update: Update, context: Context) -> int | None:
    """Change, at the summary: the questions again from the first."""
    if not await live_query(update, context):
        return None
    current = flow(context)
    if current.service is None:
        return END
    await abandon(context, current)
    current.reset_fields()
    return await ask_next(update, context, in_place=True)
