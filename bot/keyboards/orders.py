"""The customer's orders: the list and the order card."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import Button, markup, page_nav
from bot.panel import FINAL_STATE_VALUES
from storage.models import Order, Placement

ORDERS_PER_PAGE = 5


SHOWN_CHOICES = ("all", "active", "done")


def orders_list(
    orders: Sequence[Order], page: int, total: int, shown: str = "all", any_orders: bool = True
) -> InlineKeyboardMarkup:
    """A page of orders (those the panel confirmed get a card button, which carries the page),
    pages, the All · Running · Finished choice (once there are orders), Another order (the
    menu's New order when there is none yet)."""
    items = [
        (
            texts.orders.order_button(order),
            callback.CARD_OPEN.data(order.id, callback.LIST_MARK, page),
        )
        for order in orders
        if order.panel_order_id is not None and order.id is not None
    ]
    new_order = texts.order.button_new_order() if any_orders else texts.common.button_order()
    rows: list[list[Button]] = [[item] for item in items]
    nav = page_nav(page, total, ORDERS_PER_PAGE, lambda to: callback.ORDERS_PAGE.data(to, shown))
    if nav:
        rows.append(nav)
    if any_orders:
        rows.append(
            [
                (
                    texts.orders.shown_choice(choice, choice == shown),
                    callback.ORDERS_PAGE.data(0, choice),
                )
                for choice in SHOWN_CHOICES
            ]
        )
    rows.append([(new_order, callback.MENU_ORDER.data())])
    return markup(rows)


def attach_offer(found: Order, unconfirmed: Sequence[Order]) -> InlineKeyboardMarkup:
    """One button per order whose outcome is unknown: "the order just found is this one"."""
    assert found.id is not None
    rows: list[list[Button]] = []
    for order in unconfirmed:
        assert order.id is not None
        data = callback.CARD_ATTACH.data(order.id, found.id)
        rows.append([(texts.orders.attach_button(order), data)])
    return markup(rows)


def card(order: Order, *, refill: bool, cancel: bool, page: int = 0) -> InlineKeyboardMarkup:
    """Refresh; Refill and Cancel where they may be asked; Order again; Stop tracking for a
    website order still under way (a finished one sends no more messages); Back to the list's
    `page`."""
    assert order.id is not None
    rows: list[list[Button]] = [
        [(texts.orders.button_refresh(), callback.CARD_REFRESH.data(order.id))]
    ]
    actions = []
    if refill:
        actions.append((texts.orders.button_refill(), callback.CARD_REFILL.data(order.id)))
    if cancel:
        actions.append((texts.orders.button_cancel_order(), callback.CARD_CANCEL.data(order.id)))
    if actions:
        rows.append(actions)
    # Any order: one placed on the panel's website gets its service picked (the panel never
    # says which it was).
    rows.append([(texts.orders.button_order_again(), callback.CARD_AGAIN.data(order.id))])
    if order.placement == Placement.TRACKED and order.status not in FINAL_STATE_VALUES:
        rows.append([(texts.orders.button_untrack(), callback.CARD_UNTRACK.data(order.id))])
    rows.append([(texts.common.button_back(), callback.ORDERS_PAGE.data(page))])
    return markup(rows)


def cancel_question(order_id: int) -> InlineKeyboardMarkup:
    """Under "Cancel order …?": Yes sends it, No goes back to the card."""
    return markup(
        [
            [
                (texts.orders.button_cancel_yes(), callback.CARD_CANCEL_YES.data(order_id)),
                (texts.orders.button_cancel_no(), callback.CARD_CANCEL_NO.data(order_id)),
            ]
        ]
    )


def notify(enabled: bool) -> InlineKeyboardMarkup:
    """Under /notify: the one button that changes the setting."""
    switch = "off" if enabled else "on"
    label = texts.orders.button_notify(turn_on=not enabled)
    return markup([[(label, callback.NOTIFY_SET.data(switch))]])
