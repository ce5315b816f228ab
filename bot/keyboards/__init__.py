"""Inline keyboards, one module per feature (order, orders, key) and the shared pieces here.
Button data always comes from the register in bot.callback; keyboards are pure (what to draw
is decided by the caller), so they are unit-tested on their own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, cast, overload
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback, texts

Button = tuple[str, str]  # (label, callback data)
Link = tuple[str, str]  # (label, URL): a button that opens a web page
T = TypeVar("T")


def markup(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def pages(total: int, per_page: int) -> int:
    return max((total + per_page - 1) // per_page, 1)


def clamp_page(page: int, total: int, per_page: int) -> int:
    return min(max(page, 0), pages(total, per_page) - 1)


def page_nav(
    page: int, total: int, per_page: int, page_data: Callable[[int], str]
) -> list[Button]:
    """The ◀️ n/m ▶️ row; empty when everything fits on one page."""
    count = pages(total, per_page)
    if count <= 1:
        return []
    nav: list[Button] = []
    if page > 0:
        nav.append((texts.common.BUTTON_PREV, page_data(page - 1)))
    nav.append((f"{page + 1}/{count}", page_data(page)))
    if page < count - 1:
        nav.append((texts.common.BUTTON_NEXT, page_data(page + 1)))
    return nav


def paged_rows(
    page_items: Sequence[Button],
    page: int,
    total: int,
    per_page: int,
    page_data: Callable[[int], str],
    footer: Sequence[Button] = (),
) -> InlineKeyboardMarkup:
    """One button a row for the page's items, the page row under them, then the footer row."""
    rows: list[list[Button]] = [[item] for item in page_items]
    nav = page_nav(page, total, per_page, page_data)
    if nav:
        rows.append(nav)
    if footer:
        rows.append(list(footer))
    return markup(rows)


def paginated(
    items: Sequence[T],
    page: int,
    per_page: int,
    page_data: Callable[[int], str],
    footer: Sequence[Button] = (),
    button: Callable[[T], Button] | None = None,
) -> InlineKeyboardMarkup:
    """Like paged_rows, cutting the page out of the whole list; `button` makes an item's
    button, called for the page's items only (catalogues have thousands)."""
    page = clamp_page(page, len(items), per_page)
    page_items = items[page * per_page : (page + 1) * per_page]
    buttons = (
        [button(item) for item in page_items] if button else cast(Sequence[Button], page_items)
    )
    return paged_rows(buttons, page, len(items), per_page, page_data, footer)


def main_menu() -> InlineKeyboardMarkup:
    return markup(
        [
            [(texts.common.button_order(), callback.MENU_ORDER.data())],
            [
                (texts.common.button_orders(), callback.MENU_ORDERS.data()),
                (texts.common.button_balance(), callback.MENU_BALANCE.data()),
            ],
            [
                (texts.common.button_key(), callback.MENU_KEY.data()),
                (texts.common.button_help(), callback.MENU_HELP.data()),
            ],
        ]
    )


def opens(url: str | None) -> bool:
    """A URL Telegram takes for a button (http or https with a host). A bad one would make
    Telegram refuse the whole message, so such a button is left out instead."""
    if not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


@overload
def with_links(base: InlineKeyboardMarkup, links: Sequence[Link]) -> InlineKeyboardMarkup: ...
@overload
def with_links(base: None, links: Sequence[Link]) -> InlineKeyboardMarkup | None: ...
def with_links(
    base: InlineKeyboardMarkup | None, links: Sequence[Link]
) -> InlineKeyboardMarkup | None:
    """`base` with one row of link buttons under it (those whose URL Telegram would take)."""
    row = [InlineKeyboardButton(label, url=url) for label, url in links if opens(url)]
    if not row:
        return base
    rows = [list(r) for r in base.inline_keyboard] if base is not None else []
    return InlineKeyboardMarkup([*rows, row])


def top_up(url: str | None) -> list[Link]:
    """The "💳 Top up" button, wherever the balance is shown or short."""
    return [(texts.common.button_top_up(), url)] if url else []


def panel_orders(url: str | None) -> list[Link]:
    """The panel's own order list, under an order whose outcome is unknown."""
    return [(texts.order.button_panel_orders(), url)] if url else []
