"""Console → broadcast: the confirmation under the preview and the progress message's Stop."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import Button, markup


def confirm(broadcast_id: int, count: int) -> InlineKeyboardMarkup:
    """Send (only when someone would get it) and Discard."""
    discard: Button = (
        texts.broadcast.button_discard(),
        callback.CONSOLE_BROADCAST_DISCARD.data(broadcast_id),
    )
    if count <= 0:
        return markup([[discard]])
    send: Button = (
        texts.broadcast.button_send(count),
        callback.CONSOLE_BROADCAST_SEND.data(broadcast_id),
    )
    return markup([[send], [discard]])


def progress(broadcast_id: int) -> InlineKeyboardMarkup:
    return markup(
        [[(texts.broadcast.button_stop(), callback.CONSOLE_BROADCAST_STOP.data(broadcast_id))]]
    )
