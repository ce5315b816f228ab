"""The service type's questions, one at a time: typed answers, choices, Skip, Back; and
Change at the summary: pick one field, answer only its question, back to the summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import Update

from bot import callback, texts
from bot.catalogue import Catalogue
from bot.context import get_services
from bot.keyboards import Button
from bot.keyboards import order as order_keyboards
from bot.order_fields import (
    FieldKind,
    FieldSpec,
    InvalidInput,
    field_choices,
    fields_for,
    parse_answer,
    quantity_problem,
    recheck,
)
from bot.panel import Service
from bot.panel.capabilities import Capabilities
from bot.services.quick import amount_fits, quick_amounts
from bot.services.storefront import price_of
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
    load_favourites,
    refused,
    show,
)


def _prompt(current: OrderFlow, spec: FieldSpec, capabilities: Capabilities) -> str:
    assert current.service is not None
    intervals = capabilities.dripfeed_intervals
    if current.editing == spec.name:  # one field changed from the summary: its answer now
        question = texts.order.field_prompt(
            spec, current.service, current.answers, intervals=intervals
        )
        return f"{question}\n\n{texts.order.edit_current(spec.name, current.edited_value)}"
    if not current.history:  # the first question comes under the card of what was chosen
        question = texts.order.field_prompt(
            spec, current.service, current.answers, with_name=False, intervals=intervals
        )
        price = price_of(current.service, current.currency, capabilities)
        card = texts.catalogue.service_card(current.service, price, full=current.card_full)
        return f"{card}\n\n{question}"
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
    assert current.service is not None
    more = (
        order_keyboards.more_row(current.service.id)
        if not current.history
        and not current.card_full
        and texts.catalogue.description_is_long(current.service)
        else []
    )
    markup = order_keyboards.field(spec, field_choices(spec, known))
    markup = await _with_quick_buttons(update, context, current, spec, markup, more)
    await show(update, context, text, markup, in_place=in_place)
    return State.FIELD


async def _with_quick_buttons(
    update: Update,
    context: Context,
    current: OrderFlow,
    spec: FieldSpec,
    markup: Any,
    more: Sequence[Button] = (),
) -> Any:
    """The card's "More" first; quick quantities under the quantity question, the links this
    service was ordered for lately under the link question; the star under the card."""
    assert current.service is not None and update.effective_user is not None
    repository = get_services(context).repository
    top: list[list[Button]] = [list(more)] if more else []
    if spec.name == "quantity" and spec.kind is FieldKind.QUANTITY:
        top += order_keyboards.amounts(spec.name, quick_amounts(current.service))
    elif spec.name == "link" and spec.kind is FieldKind.LINK:
        recent = await repository.recent_links(update.effective_user.id, current.service.id)
        top += order_keyboards.recent_links([(item.order_id, item.link) for item in recent])
    bottom: list[list[Button]] = []
    if not current.history:  # the first question, under the service's card
        starred = await load_favourites(update, context)
        is_starred = any(item.service_id == current.service.id for item in starred)
        bottom = order_keyboards.star(current.service.id, is_starred)
    if not top and not bottom:
        return markup
    return order_keyboards.with_rows(markup, top=top, bottom=bottom)


async def flow_closed(update: Update, context: Context) -> int:
    end_flow(context)
    await reply(update, texts.order.flow_closed())
    return END


def accept(
    current: OrderFlow, spec: FieldSpec, value: str, capabilities: Capabilities
) -> InvalidInput | None:
    """Take a checked answer, unless the quantity it makes is out of the service's range."""
    assert current.service is not None
    if current.editing == spec.name:
        return _accept_edit(current, spec, value, capabilities)
    current.answers[spec.name] = value
    problem = quantity_problem(current.service, current.answers, capabilities)
    if problem is not None:
        del current.answers[spec.name]
        return problem
    current.history.append(spec.name)
    return None


def _accept_edit(
    current: OrderFlow, spec: FieldSpec, value: str, capabilities: Capabilities
) -> InvalidInput | None:
    """The changed field's new answer: the other answers are kept, except those it makes
    wrong or moot (see order_fields.recheck); a dropped one is asked next, after the reason
    (returned). A total out of range refuses the new answer itself."""
    assert current.service is not None
    kept, dropped = recheck(current.service, {**current.answers, spec.name: value}, capabilities)
    problem = quantity_problem(current.service, kept, capabilities)
    if problem is not None:
        return problem
    current.answers.clear()
    current.answers.update(kept)
    _edited(current)
    return dropped


def _edited(current: OrderFlow) -> None:
    """The change is over: Back walks the form's order again."""
    assert current.service is not None
    current.editing = None
    current.edited_value = None
    current.history[:] = [
        spec.name
        for spec in fields_for(current.service) or ()
        if spec.name in current.answers or spec.name in current.skipped
    ]


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
    if spec is None:  # the summary (or the fields to change) is on screen
        if current.draft_id is not None:
            return await summary.summary_other(update, context)
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
        if current.editing == spec.name:
            _edited(current)
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


def _quick_fits(current: OrderFlow, name: str, kind: FieldKind) -> FieldSpec | None:
    """The question a quick button names, if it is the one asked now."""
    spec = current.current_field() if current.service is not None else None
    return spec if spec is not None and spec.name == name and spec.kind is kind else None


@waiting.patient
async def amount_button(update: Update, context: Context) -> int | None:
    """A quick quantity: checked against the catalogue of now (the limits may have changed
    since the button was drawn: then the question again, with the new limits and buttons).
    Any other amount (forged) is checked as if typed."""
    current = flow(context)
    data = button_data(update)
    spec = _quick_fits(current, data.arg(0), FieldKind.QUANTITY)
    if spec is None:
        await waiting.answer(update, texts.common.expired())
        return None
    if not await live_query(update, context):
        return None
    assert current.service is not None
    shown = await catalogue(update, context)
    if shown is None:
        return None
    fresh = shown.find(current.service.id)
    if fresh is None or fresh.type is not current.service.type:
        return await _service_left(update, context, shown, current.service.id)
    drawn, current.service = current.service, fresh
    amount = data.int_arg(1, callback.AMOUNT)
    if amount in quick_amounts(drawn) and not amount_fits(fresh, amount):
        changed = texts.favourites.limits_changed(fresh.min, fresh.max)
        return await ask_next(update, context, in_place=True, problem=changed)
    problem = answer(current, spec, str(amount), capabilities(context))
    note = texts.order.invalid_input(problem) if problem is not None else None
    return await ask_next(update, context, in_place=True, problem=note)


async def _service_left(
    update: Update, context: Context, shown: Catalogue, service_id: str
) -> int:
    """The service being ordered left the catalogue (or the operators hid it) meanwhile."""
    current = flow(context)
    current.service = None
    current.reset_fields()
    current.view = ("cats", 0, 0)
    text, markup = view(shown, current, refused(context), capabilities(context))
    why = (
        texts.catalogue.service_not_offered()
        if shown.is_withheld(service_id)
        else texts.catalogue.service_gone()
    )
    await show(update, context, f"{why}\n\n{text}", markup, in_place=True)
    return State.BROWSE


@waiting.patient
async def recent_link_button(update: Update, context: Context) -> int | None:
    """A link this service was ordered for lately: read from that order row (this user's,
    this service's) and checked as if typed."""
    current = flow(context)
    spec = _quick_fits(current, "link", FieldKind.LINK)
    assert update.effective_user is not None
    row_id = button_data(update).int_arg(0, callback.ROW_ID)
    order = await get_services(context).repository.get_order(row_id, update.effective_user.id)
    if (
        spec is None
        or current.service is None
        or order is None
        or order.service_id != current.service.id
        or not order.link
    ):
        await waiting.answer(update, texts.common.expired())
        return None
    if not await live_query(update, context):
        return None
    problem = answer(current, spec, order.link, capabilities(context))
    note = texts.order.invalid_input(problem) if problem is not None else None
    return await ask_next(update, context, in_place=True, problem=note)


async def _go_back(update: Update, context: Context) -> int:
    current = flow(context)
    assert current.service is not None
    current.pending = None
    if current.editing is not None:  # changing one field: back to the summary as it was
        _keep_as_it_was(current)
        return await summary.show_summary(update, context, in_place=True)
    if not current.history:  # back to the list the service was picked from
        shown = await catalogue(update, context)
        if shown is None:
            return State.FIELD
        text, markup = view(shown, current, refused(context), capabilities(context))
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
    if current.service is None:
        return await flow_closed(update, context)
    spec = current.current_field()
    if spec is None:  # the summary (or the fields to change) is on screen
        return await summary.summary_other(update, context)
    problem = (
        texts.order.expect_button() if spec.kind is FieldKind.CHOICE else texts.order.expect_text()
    )
    return await ask_next(update, context, in_place=False, problem=problem)


def _keep_as_it_was(current: OrderFlow) -> None:
    """A change given up: the field's answer (or its skip) back, in the form's order."""
    assert current.service is not None and current.editing is not None
    answers = dict(current.answers)
    if current.edited_value is None:
        current.skipped.add(current.editing)
    else:
        answers[current.editing] = current.edited_value
    current.answers.clear()
    current.answers.update(
        (spec.name, answers[spec.name])
        for spec in fields_for(current.service) or ()
        if spec.name in answers
    )
    _edited(current)


def _editable(current: OrderFlow) -> list[tuple[str, str | None]]:
    """The fields the summary shows, in the form's order, with their answers (None: skipped)."""
    assert current.service is not None
    return [
        (spec.name, current.answers.get(spec.name))
        for spec in fields_for(current.service) or ()
        if spec.name in current.answers or spec.name in current.skipped
    ]


async def change_order(update: Update, context: Context) -> int | None:
    """Change, at the summary: the fields, each a button. The summary's draft is abandoned
    now, so its Confirm (on any copy of it) can no longer place it."""
    if not await live_query(update, context):
        return None
    current = flow(context)
    if current.service is None:
        return END
    await abandon(context, current)
    if current.editing is not None:
        _keep_as_it_was(current)
    markup = order_keyboards.edit_fields(_editable(current))
    await show(update, context, texts.order.edit_fields_title(), markup, in_place=True)
    return State.SUMMARY


@waiting.patient
async def edit_field(update: Update, context: Context) -> int | None:
    """One field picked to change: only its question, with its answer now."""
    current = flow(context)
    name = button_data(update).arg(0)
    fields = dict(_editable(current)) if current.service is not None else {}
    if name not in fields or current.editing is not None or current.draft_id is not None:
        await waiting.answer(update, texts.common.expired())
        return None
    if not await live_query(update, context):
        return None
    current.editing = name
    current.edited_value = current.answers.pop(name, None)
    current.skipped.discard(name)
    current.pending = None
    return await ask_next(update, context, in_place=True)


@waiting.patient
async def back_to_summary(update: Update, context: Context) -> int | None:
    """Nothing changed after all: the summary again (a new draft)."""
    if not await live_query(update, context):
        return None
    current = flow(context)
    if current.service is None:
        return END
    if current.editing is not None:
        _keep_as_it_was(current)
    return await ask_next(update, context, in_place=True)  # the summary: nothing is left
