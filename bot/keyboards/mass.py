"""The mass order's summary: place every valid line, or cancel."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import markup


def summary(mass_id: int, count: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [(texts.mass.button_place(count), callback.MASS_CONFIRM.data(mass_id))],
            [(texts.common.button_cancel(), callback.MASS_CANCEL.data(mass_id))],
        ]
    )
