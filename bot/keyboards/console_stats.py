"""Keyboards of the console's stats, audit log and panel check screens."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import Button, markup
from bot.keyboards.console import home_button


def stats() -> InlineKeyboardMarkup:
    return markup(
        [[(texts.stats.button_refresh(), callback.CONSOLE_STATS_REFRESH.data())], [home_button()]]
    )


def audit(page: int, has_older: bool) -> InlineKeyboardMarkup:
    """◀️ newer · older ▶️ (page 0 is the newest), then back to the console."""
    nav: list[Button] = []
    if page > 0:
        nav.append((texts.common.BUTTON_PREV, callback.CONSOLE_AUDIT_PAGE.data(page - 1)))
    if has_older:
        nav.append((texts.common.BUTTON_NEXT, callback.CONSOLE_AUDIT_PAGE.data(page + 1)))
    rows = [nav] if nav else []
    return markup([*rows, [home_button()]])


def panel_check() -> InlineKeyboardMarkup:
    return markup(
        [
            [(texts.console.button_check_again(), callback.CONSOLE_PANEL_CHECK.data())],
            [home_button()],
        ]
    )
