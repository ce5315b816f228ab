"""The console's keyboards: its home screen and the pieces every section's screens share."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import Button, markup


def home() -> InlineKeyboardMarkup:
    """Two buttons a row: a phone shows both labels whole."""
    return markup(
        [
            [
                (texts.console.button_stats(), callback.CONSOLE_STATS.data()),
                (texts.console.button_broadcast(), callback.CONSOLE_BROADCAST.data()),
            ],
            [
                (texts.console.button_settings(), callback.CONSOLE_SETTINGS.data()),
                (texts.console.button_maintenance(), callback.CONSOLE_MAINTENANCE.data()),
            ],
            [
                (texts.console.button_access(), callback.CONSOLE_ACCESS.data()),
                (texts.console.button_panel_check(), callback.CONSOLE_PANEL_CHECK.data()),
            ],
            [(texts.console.button_audit(), callback.CONSOLE_AUDIT.data())],
        ]
    )


def home_button() -> Button:
    return (texts.console.button_home(), callback.CONSOLE_HOME.data())


def back_home() -> InlineKeyboardMarkup:
    return markup([[home_button()]])


def cancel_input() -> InlineKeyboardMarkup:
    """Under a prompt for typed input."""
    return markup([[(texts.console.button_cancel_input(), callback.CONSOLE_CANCEL_INPUT.data())]])
