"""The ordering conversation's keyboards: catalogue pages, a question's buttons, the summary
and what follows a Confirm."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardMarkup

from bot import callback, keyboards, texts
from bot.keyboards import Button, markup
from bot.order_fields import FieldKind, FieldSpec

T = TypeVar("T")

CATEGORIES_PER_PAGE = 10  # a whole catalogue's categories, one a row
PLATFORM_CATEGORIES_PER_PAGE = 24  # a platform's categories (names without it), two a row
SERVICES_PER_PAGE = 10
PLATFORM_LEVEL_FROM = CATEGORIES_PER_PAGE + 1  # categories from which platforms come first
JUMP_ROW = 8  # page numbers in one row
JUMP_ALL_UP_TO = 2 * JUMP_ROW  # pages numbered all (one tap to any); more: a window


def cancel_button() -> Button:
    return (texts.common.button_cancel(), callback.ORDER_CANCEL.data())


def page_rows(page: int, pages: int, page_data: Callable[[int], str]) -> list[list[Button]]:
    """How to move between pages: nothing for one page, ◀️ n/m ▶️ for two; from three on,
    ◀️ ▶️ and the page numbers (the current one marked), so any page is one tap away — up to
    16 pages every number, beyond that the first, the last and two either side of the
    current. One row when it holds them all (8 buttons), else the numbers, then ◀️ ▶️."""
    if pages <= 1:
        return []
    if pages == 2:
        return [keyboards.page_nav(page, pages, 1, page_data)]
    if pages <= JUMP_ALL_UP_TO:
        shown = list(range(pages))
    else:
        shown = sorted({0, pages - 1, *range(max(page - 2, 0), min(page + 3, pages))})
    numbers = [(f"· {n + 1} ·" if n == page else str(n + 1), page_data(n)) for n in shown]
    previous = [(texts.common.BUTTON_PREV, page_data(page - 1))] if page > 0 else []
    following = [(texts.common.BUTTON_NEXT, page_data(page + 1))] if page < pages - 1 else []
    if len(previous) + len(numbers) + len(following) <= JUMP_ROW:
        return [[*previous, *numbers, *following]]
    rows = [numbers[i : i + JUMP_ROW] for i in range(0, len(numbers), JUMP_ROW)]
    return [*rows, [*previous, *following]]


def _grid(
    buttons: Sequence[Button],
    width: int,
    page: int,
    pages: int,
    page_data: Callable[[int], str],
    footer: Sequence[Button],
) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = [
        list(buttons[i : i + width]) for i in range(0, len(buttons), width)
    ]
    rows.extend(page_rows(page, pages, page_data))
    rows.append(list(footer))
    return markup(rows)


def _page_of(items: Sequence[T], page: int, per_page: int) -> tuple[Sequence[T], int, int]:
    pages = keyboards.pages(len(items), per_page)
    page = keyboards.clamp_page(page, len(items), per_page)
    return items[page * per_page : (page + 1) * per_page], page, pages


def platforms(entries: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """The first level of a big catalogue: (platform index, label), two a row, one page."""
    buttons = [(label, callback.ORDER_PLATFORM.data(index, 0)) for index, label in entries]
    return _grid(buttons, 2, 0, 1, callback.ORDER_CATEGORIES.data, [cancel_button()])


def platform(
    platform_index: int, entries: Sequence[tuple[int, str]], page: int
) -> InlineKeyboardMarkup:
    """A page of one platform's categories: (category index, label), two a row; Back goes to
    the platforms."""
    shown, page, pages = _page_of(entries, page, PLATFORM_CATEGORIES_PER_PAGE)
    buttons = [(label, callback.ORDER_CATEGORY.data(index, 0)) for index, label in shown]
    back = (texts.common.button_back(), callback.ORDER_CATEGORIES.data(0))
    return _grid(
        buttons,
        2,
        page,
        pages,
        lambda p: callback.ORDER_PLATFORM.data(platform_index, p),
        [back, cancel_button()],
    )


def categories(entries: Sequence[tuple[int, str]], page: int) -> InlineKeyboardMarkup:
    """A page of a small (or single-platform) catalogue's categories: (index, label)."""
    shown, page, pages = _page_of(entries, page, CATEGORIES_PER_PAGE)
    buttons = [(label, callback.ORDER_CATEGORY.data(index, 0)) for index, label in shown]
    return _grid(buttons, 1, page, pages, callback.ORDER_CATEGORIES.data, [cancel_button()])


def category(
    labels: Sequence[tuple[str, str]], index: int, page: int, total: int, back: str
) -> InlineKeyboardMarkup:
    """A page of one category's services: (label, service id) of this page's, `total` in
    all; Back (`back`: its data) returns to the list holding the category."""
    pages = keyboards.pages(total, SERVICES_PER_PAGE)
    buttons = [(label, callback.ORDER_SERVICE.data(service_id)) for label, service_id in labels]
    return _grid(
        buttons,
        1,
        page,
        pages,
        lambda p: callback.ORDER_CATEGORY.data(index, p),
        [(texts.common.button_back(), back), cancel_button()],
    )


def search(labels: Sequence[tuple[str, str]], page: int, total: int) -> InlineKeyboardMarkup:
    pages = keyboards.pages(total, SERVICES_PER_PAGE)
    buttons = [(label, callback.ORDER_SERVICE.data(service_id)) for label, service_id in labels]
    return _grid(
        buttons,
        1,
        page,
        pages,
        callback.ORDER_SEARCH.data,
        [(texts.common.button_back(), callback.ORDER_CATEGORIES.data(0)), cancel_button()],
    )


def more_row(service_id: str) -> list[Button]:
    """Under a card whose description was shortened: show it whole."""
    return [(texts.catalogue.button_more(), callback.ORDER_MORE.data(service_id))]


def field(
    spec: FieldSpec, choices: Sequence[str], more: Sequence[Button] = ()
) -> InlineKeyboardMarkup:
    """A question: its choices (or suggested values), Skip when optional, Back and Cancel;
    `more`: a row shown first (the card's "More" under the first question)."""
    rows: list[list[Button]] = [list(more)] if more else []
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


# --- favourites and quick repeats ----------------------------------------------------------


def with_rows(
    base: InlineKeyboardMarkup,
    top: Sequence[Sequence[Button]] = (),
    bottom: Sequence[Sequence[Button]] = (),
) -> InlineKeyboardMarkup:
    """`base` with rows added on top and just above its last row (Back and Cancel)."""
    rows = list(base.inline_keyboard)
    added_top, added_bottom = markup(top).inline_keyboard, markup(bottom).inline_keyboard
    return InlineKeyboardMarkup([*added_top, *rows[:-1], *added_bottom, *rows[-1:]])


def amounts(field_name: str, values: Sequence[int]) -> list[list[Button]]:
    """Quick quantities, in one row."""
    if not values:
        return []
    return [
        [
            (texts.formatting.number(value), callback.ORDER_AMOUNT.data(field_name, value))
            for value in values
        ]
    ]


def recent_links(links: Sequence[tuple[int, str]]) -> list[list[Button]]:
    """Links the service was ordered for lately, one a row (by the order row holding each)."""
    return [
        [(texts.favourites.recent_link(link), callback.ORDER_RECENT_LINK.data(order_id))]
        for order_id, link in links
    ]


def star(service_id: str, starred: bool) -> list[list[Button]]:
    label = texts.favourites.button_unstar() if starred else texts.favourites.button_star()
    return [[(label, callback.ORDER_STAR.data(service_id))]]


def favourites_entry(count: int) -> list[list[Button]]:
    """The first row in /order when the customer has favourites."""
    return [[(texts.favourites.button_favourites(count), callback.ORDER_FAVOURITES.data())]]


def favourites(
    available: Sequence[tuple[str, str]], unavailable: Sequence[tuple[str, str]]
) -> InlineKeyboardMarkup:
    """The favourites that can be ordered ((label, service id), as in a category), then those
    that can't (a tap removes one: (service id, name when starred)), Back to the catalogue's
    top and Cancel."""
    rows: list[list[Button]] = [
        [(label, callback.ORDER_SERVICE.data(service_id))] for label, service_id in available
    ]
    rows.extend(
        [(texts.favourites.button_unavailable(name), callback.ORDER_UNSTAR.data(service_id))]
        for service_id, name in unavailable
    )
    rows.append([(texts.common.button_back(), callback.ORDER_CATEGORIES.data(0)), cancel_button()])
    return markup(rows)
