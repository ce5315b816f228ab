"""The API key's keyboard."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import markup


def key_prompt(connected: bool) -> InlineKeyboardMarkup | None:
    """Under /key: Remove, when a key is connected."""
    if not connected:
        return None
    return markup([[(texts.key.button_key_remove(), callback.KEY_REMOVE.data())]])


def disconnect_question() -> InlineKeyboardMarkup:
    """Under "Disconnect your key?": Yes deletes it, No keeps it."""
    return markup(
        [
            [
                (texts.key.button_disconnect_yes(), callback.KEY_REMOVE_YES.data()),
                (texts.key.button_disconnect_no(), callback.KEY_REMOVE_NO.data()),
            ]
        ]
    )
