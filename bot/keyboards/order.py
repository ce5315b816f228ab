"""The ordering conversation's keyboards: catalogue pages, a question's buttons, the summary
and what follows a Confirm."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import Button, markup, paginated
from bot.order_fields import FieldKind, FieldSpec
from bot.panel import Service

CATEGORIES_PER_PAGE = 8
SERVICES_PER_PAGE = 8
CATEGORY_LABEL = 60  # characters of a category's name on its button


def cancel_button() -> Button:
    return (texts.common.button_cancel(), callback.ORDER_CANCEL.data())


def categories(names: Sequence[str], indexes: Sequence[int], page: int) -> InlineKeyboardMarkup:
    """A page of the categories at `indexes` (of `names`, the catalogue's categories)."""
    return paginated(
        indexes,
        page,
        CATEGORIES_PER_PAGE,
        callback.ORDER_CATEGORIES.data,
        [cancel_button()],
        lambda index: (names[index][:CATEGORY_LABEL], callback.ORDER_CATEGORY.data(index, 0)),
    )


def _service(service: Service) -> Button:
    return texts.catalogue.service_button(service), callback.ORDER_SERVICE.data(service.id)


def category(services: Sequence[Service], index: int, page: int) -> InlineKeyboardMarkup:
    """A page of one category's services; Back returns to the categories' page holding it."""
    back_page = index // CATEGORIES_PER_PAGE
    return paginated(
        services,
        page,
        SERVICES_PER_PAGE,
        lambda p: callback.ORDER_CATEGORY.data(index, p),
        [(texts.common.button_back(), callback.ORDER_CATEGORIES.data(back_page)), cancel_button()],
        _service,
    )


def search(found: Sequence[Service], page: int) -> InlineKeyboardMarkup:
    return paginated(
        found,
        page,
        SERVICES_PER_PAGE,
        callback.ORDER_SEARCH.data,
        [(texts.common.button_back(), callback.ORDER_CATEGORIES.data(0)), cancel_button()],
        _service,
    )


def field(spec: FieldSpec, choices: Sequence[str]) -> InlineKeyboardMarkup:
    """A question: its choices (or suggested values), Skip when optional, Back and Cancel."""
    rows: list[list[Button]] = []
    if choices:
        buttons = [
            (
                texts.order.choice_label(spec.name, value),
                callback.ORDER_CHOICE.data(spec.name, value),
            )
            for value in choices
        ]
        width = 5 if len(buttons) > 6 or spec.kind is not FieldKind.CHOICE else 2
        rows.extend(buttons[i : i + width] for i in range(0, len(buttons), width))
    if spec.kind is FieldKind.LIST:  # sent in parts (or not): Done says it is complete
        rows.append([(texts.order.button_done(), callback.ORDER_DONE.data(spec.name))])
    if spec.optional:
        rows.append([(texts.order.button_skip(), callback.ORDER_SKIP.data(spec.name))])
    rows.append([(texts.common.button_back(), callback.ORDER_BACK.data()), cancel_button()])
    return markup(rows)


def edit_fields(fields: Sequence[tuple[str, str | None]]) -> InlineKeyboardMarkup:
    """Change, at the summary: one button per field (with its answer), then back, cancel."""
    rows: list[list[Button]] = [
        [(texts.order.edit_field_button(name, value), callback.ORDER_EDIT_FIELD.data(name))]
        for name, value in fields
    ]
    rows.append([(texts.order.button_back_to_summary(), callback.ORDER_SUMMARY.data())])
    rows.append([cancel_button()])
    return markup(rows)


def summary(draft_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [(texts.order.button_confirm(), callback.ORDER_CONFIRM.data(draft_id))],
            [(texts.order.button_change(), callback.ORDER_CHANGE.data()), cancel_button()],
        ]
    )


def rejected() -> InlineKeyboardMarkup:
    """After a refusal only Change and Cancel are left."""
    return markup([[(texts.order.button_change(), callback.ORDER_CHANGE.data()), cancel_button()]])


def after_confirm(order_id: int | None = None) -> InlineKeyboardMarkup:
    """Under a receipt (with the order's card) or an unclear outcome: a new order."""
    rows = [[(texts.order.button_new_order(), callback.MENU_ORDER.data())]]
    if order_id is not None:
        rows.insert(0, [(texts.order.button_order_card(), callback.CARD_OPEN.data(order_id))])
    return markup(rows)


def drop_question(then: str) -> InlineKeyboardMarkup:
    """Under "Drop the order you are filling in?": Yes drops it and goes on with `then` (the
    command typed: start or order), No goes back to the question."""
    return markup(
        [
            [
                (texts.order.button_drop_yes(), callback.ORDER_DROP.data(then)),
                (texts.order.button_drop_no(), callback.ORDER_KEEP.data()),
            ]
        ]
    )
