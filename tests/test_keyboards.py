"""The keyboards on their own: their shape, labels a phone can show, and data that is the
register's (each button answered by exactly one declared button kind) and within 64 bytes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from telegram import InlineKeyboardMarkup

from bot import callback, keyboards, texts
from bot.catalogue import Catalogue
from bot.keyboards import key as key_keyboards
from bot.keyboards import order as order_keyboards
from bot.keyboards import orders as orders_keyboards
from bot.order_fields import FIELDS, FieldKind, FieldSpec, field_choices
from bot.panel import Service, ServiceType
from bot.panel.capabilities import Capabilities
from bot.services.storefront import price_of
from handlers.order.lists import category_view
from storage.models import Order, Placement

# Telegram documents no length for a label (only that it is not empty); a phone shows about
# 40 characters a row. Our own bound, so a name from the panel can never blow a row up.
MAX_LABEL = 80
BIGGEST_ROW_ID = callback.MAX_ROW_ID


def buttons(markup: InlineKeyboardMarkup | None) -> Iterator[tuple[str, str]]:
    assert markup is not None
    for row in markup.inline_keyboard:
        for button in row:
            assert isinstance(button.callback_data, str)
            yield button.text, button.callback_data


def rows(markup: InlineKeyboardMarkup) -> list[list[str]]:
    return [[button.text for button in row] for row in markup.inline_keyboard]


def owners(data: str) -> list[callback.Button]:
    return [kind for kind in callback.buttons() if kind.pattern()(data)]


def assert_well_formed(markup: InlineKeyboardMarkup | None) -> None:
    for label, data in buttons(markup):
        assert 0 < len(label) <= MAX_LABEL, label
        assert len(data.encode()) <= callback.MAX_BYTES, data
        assert len(owners(data)) == 1, data  # one declared button kind answers it


def service(number: int, name: str = "Instagram Followers", **changes: object) -> Service:
    values: dict[str, object] = {
        "id": str(number),
        "name": name,
        "type": ServiceType.DEFAULT,
        "type_raw": "Default",
        "category": "Instagram",
        "rate": Decimal("0.50"),
        "min": 10,
        "max": 100_000,
        "dripfeed": False,
        "refill": True,
        "cancel": True,
    }
    values.update(changes)
    return Service(**values)  # type: ignore[arg-type]


def test_the_main_menu_has_its_five_buttons_in_three_rows() -> None:
    markup = keyboards.main_menu()
    assert [len(row) for row in rows(markup)] == [1, 2, 2]
    data = [data for _, data in buttons(markup)]
    menu = [
        callback.MENU_ORDER,
        callback.MENU_ORDERS,
        callback.MENU_BALANCE,
        callback.MENU_KEY,
        callback.MENU_HELP,
    ]
    assert data == [kind.data() for kind in menu]
    assert_well_formed(markup)


def labelled(services: list[Service]) -> list[tuple[str, str]]:
    return [(texts.catalogue.service_button(s, price_of(s, "USD")), s.id) for s in services]


def test_a_page_of_categories_cuts_long_names_and_pages_the_rest() -> None:
    names = [f"Category {n} " + "x" * 100 for n in range(20)]
    entries = [(n, texts.catalogue.category_label(name, False)) for n, name in enumerate(names)]
    markup = order_keyboards.categories(entries, 1)
    layout = rows(markup)
    assert len(layout) == order_keyboards.CATEGORIES_PER_PAGE + 2  # items, pages, Cancel
    assert layout[0][0] == names[10][: texts.catalogue.CATEGORY_LABEL - 1] + "…"
    assert layout[-2] == [texts.common.BUTTON_PREV, "2/2"]  # two pages: ◀️ 2/2
    assert layout[-1] == [texts.common.button_cancel()]
    data = dict(buttons(markup))
    assert callback.ORDER_CATEGORY.parse(data[layout[0][0]]) == callback.CallbackData(
        "o", "c", ("10", "0")
    )
    assert_well_formed(markup)


def test_many_pages_are_one_tap_apart() -> None:
    """From three pages on, the page numbers: any page in one tap (the current one marked)."""
    entries = [(n, f"Category {n}") for n in range(45)]
    layout = rows(order_keyboards.categories(entries, 2))
    assert layout[-2] == ["◀️", "1", "2", "· 3 ·", "4", "5", "▶️"]
    many = [(n, f"C{n}") for n in range(30 * order_keyboards.CATEGORIES_PER_PAGE)]
    markup = order_keyboards.categories(many, 14)
    assert rows(markup)[-3:-1] == [["1", "13", "14", "· 15 ·", "16", "17", "30"], ["◀️", "▶️"]]
    first = rows(order_keyboards.categories(many, 0))
    assert first[-2] == ["· 1 ·", "2", "3", "30", "▶️"]
    assert_well_formed(markup)


def test_a_platforms_categories_come_two_a_row_and_back_goes_to_the_platforms() -> None:
    entries = [(n, f"Followers {n}") for n in range(30)]
    markup = order_keyboards.platform(3, entries, 1)
    layout = rows(markup)
    assert layout[0] == ["Followers 24", "Followers 25"]
    assert layout[-2] == [texts.common.BUTTON_PREV, "2/2"]
    data = dict(buttons(markup))
    assert data[texts.common.BUTTON_PREV] == callback.ORDER_PLATFORM.data(3, 0)
    assert data[texts.common.button_back()] == callback.ORDER_CATEGORIES.data(0)
    assert_well_formed(markup)


def test_one_page_of_services_has_no_page_row() -> None:
    labels = labelled([service(n) for n in range(3)])
    back = callback.ORDER_CATEGORIES.data(1)
    markup = order_keyboards.category(labels, 9, 0, 3, back)
    layout = rows(markup)
    assert len(layout) == 4
    assert layout[-1] == [texts.common.button_back(), texts.common.button_cancel()]
    assert dict(buttons(markup))[texts.common.button_back()] == back
    assert_well_formed(markup)


def test_search_results_with_the_longest_service_ids_fit() -> None:
    long_name = "Followers " * 20
    found = [service(10**40 - 1 - n, long_name) for n in range(12)]
    markup = order_keyboards.search(labelled(found[10:]), 1, 12)
    labels = [label for label, _ in buttons(markup)]
    assert len(labels) == 2 + 2 + 2  # the last 2 results, ◀️ 2/2, Back and Cancel
    assert all(label.startswith("0.50 USD/1k · ") for label in labels[:2])  # price first
    assert_well_formed(markup)


@pytest.mark.parametrize(
    "spec",
    [spec for specs in FIELDS.values() for spec in specs],
    ids=lambda spec: spec.name,
)
def test_every_question_keyboard_is_well_formed(spec: FieldSpec) -> None:
    for capabilities in (Capabilities(), Capabilities(dripfeed_intervals=(1, 5, 15, 60, 1440))):
        choices = field_choices(spec, capabilities)
        markup = order_keyboards.field(spec, choices)
        labels = [label for label, _ in buttons(markup)]
        assert labels[-2:] == [texts.common.button_back(), texts.common.button_cancel()]
        assert (texts.order.button_skip() in labels) == spec.optional
        is_list = spec.kind is FieldKind.LIST  # a list may come in parts: Done completes it
        assert (texts.order.button_done() in labels) == is_list
        assert len(labels) == len(choices) + spec.optional + is_list + 2
        assert_well_formed(markup)


def test_change_lists_every_field_with_its_answer_cut_short() -> None:
    names = list(dict.fromkeys(spec.name for specs in FIELDS.values() for spec in specs))
    values = ["https://instagram.com/" + "p" * 300, "a\nb\nc", None]
    markup = order_keyboards.edit_fields(
        [(name, values[i % len(values)]) for i, name in enumerate(names)]
    )
    labels = [label for label, _ in buttons(markup)]
    assert labels[-2:] == [texts.order.button_back_to_summary(), texts.common.button_cancel()]
    assert all(len(label) <= 40 for label in labels)
    assert "💬 Comments: 3 lines" in labels or "👥 Usernames: 3 lines" in labels
    assert_well_formed(markup)


def test_the_summary_with_the_largest_draft_id_fits() -> None:
    markup = order_keyboards.summary(BIGGEST_ROW_ID)
    assert rows(markup) == [
        [texts.order.button_confirm()],
        [texts.order.button_change(), texts.common.button_cancel()],
    ]
    confirm = dict(buttons(markup))[texts.order.button_confirm()]
    assert callback.ORDER_CONFIRM.parse(confirm) is not None
    assert_well_formed(markup)
    assert_well_formed(order_keyboards.rejected())


def test_after_a_confirm_the_receipt_offers_the_card_and_a_new_order() -> None:
    assert rows(order_keyboards.after_confirm(BIGGEST_ROW_ID)) == [
        [texts.order.button_order_card()],
        [texts.order.button_new_order()],
    ]
    assert rows(order_keyboards.after_confirm()) == [[texts.order.button_new_order()]]
    assert_well_formed(order_keyboards.after_confirm(BIGGEST_ROW_ID))


def order(**changes: object) -> Order:
    values: dict[str, object] = {
        "id": BIGGEST_ROW_ID,
        "user_id": 1,
        "placement": Placement.PLACED,
        "panel_order_id": "9" * 40,
        "service_id": "101",
        "service_name": "Instagram Followers " * 5,
        "status": "completed",
    }
    values.update(changes)
    return Order(**values)


def test_the_card_shows_only_the_actions_allowed() -> None:
    full = orders_keyboards.card(order(), refill=True, cancel=True)
    assert rows(full) == [
        [texts.orders.button_refresh()],
        [texts.orders.button_refill(), texts.orders.button_cancel_order()],
        [texts.orders.button_order_again()],
        [texts.common.button_back()],
    ]
    assert_well_formed(full)
    assert list(buttons(full))[-1][1] == callback.ORDERS_PAGE.data(0)
    bare = orders_keyboards.card(
        order(service_id="", placement=Placement.TRACKED, status="in_progress"),
        refill=False,
        cancel=False,
        page=3,
    )
    assert rows(bare) == [
        [texts.orders.button_refresh()],
        [texts.orders.button_order_again()],  # its service is picked (the panel never says)
        [texts.orders.button_untrack()],
        [texts.common.button_back()],
    ]
    assert list(buttons(bare))[-1][1] == callback.ORDERS_PAGE.data(3)  # back to the list's page
    assert_well_formed(bare)
    # A finished website order sends no more messages: nothing to stop tracking.
    finished = orders_keyboards.card(
        order(service_id="", placement=Placement.TRACKED), refill=False, cancel=False
    )
    assert rows(finished) == [
        [texts.orders.button_refresh()],
        [texts.orders.button_order_again()],
        [texts.common.button_back()],
    ]


def test_the_orders_list_has_a_card_button_for_confirmed_orders_only() -> None:
    orders = [order(id=n, panel_order_id=str(n)) for n in range(1, 5)]
    orders.append(order(id=5, panel_order_id=None, placement=Placement.UNKNOWN))
    markup = orders_keyboards.orders_list(orders, 1, 12)
    data = [data for _, data in buttons(markup)]
    assert data[:4] == [callback.CARD_OPEN.data(n, callback.LIST_MARK, 1) for n in range(1, 5)]
    assert len(rows(markup)[-3]) == 3
    assert rows(markup)[-3][1] == "2/3"
    assert rows(markup)[-2] == ["• All •", "Running", "Finished"]  # the choice under the pages
    assert rows(markup)[-1] == [texts.order.button_new_order()]
    assert_well_formed(markup)


def test_the_key_prompt_offers_remove_only_with_a_key() -> None:
    assert key_keyboards.key_prompt(False) is None
    markup = key_keyboards.key_prompt(True)
    assert [data for _, data in buttons(markup)] == [callback.KEY_REMOVE.data()]


def test_a_catalogue_page_is_built_from_the_page_only() -> None:
    catalogue = Catalogue(tuple(service(n) for n in range(1000)))
    _, markup = category_view(catalogue, 0, 99, frozenset())
    assert len(rows(markup)) == order_keyboards.SERVICES_PER_PAGE + 2
    assert_well_formed(markup)
