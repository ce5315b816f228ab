"""Packing one user's status changes into as few messages as fit (pure; no I/O).

Every message costs a second of that user's chat (Telegram's ~1 message/s per chat) and a
thirtieth of the bot's whole second, so ten changes found in one cycle go out as one digest:
every change named, in the order given, with a "📋 #id" button per order while buttons fit.
One change alone reads and looks exactly as before (`texts.pushes.order_push` /
`texts.pushes.task_push`
with its "📦 Open order" button). Messages never exceed Telegram's 4096 characters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from telegram import InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot import keyboards, texts
from bot.sender import Delivery, PushSender

T = TypeVar("T")

MAX_MESSAGE_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
# Card buttons under one digest: four rows of three read well on a phone.
MAX_CARD_BUTTONS = 12
CARD_BUTTONS_PER_ROW = 3


@dataclass(frozen=True)
class PushItem(Generic[T]):
    """One owed announcement."""

    text: str  # texts.pushes.order_push(...) or texts.pushes.task_push(...)
    order_id: str | None  # the panel order it is about: names its card button
    card: str | None  # callback data opening that order's card; None: no button
    token: T  # whatever the caller needs to mark it announced once sent


@dataclass(frozen=True)
class PushMessage(Generic[T]):
    text: str
    markup: InlineKeyboardMarkup | None
    tokens: tuple[T, ...]  # the items this message announces, in order


def pack_pushes(
    items: Sequence[PushItem[T]], limit: int = MAX_MESSAGE_LENGTH
) -> list[PushMessage[T]]:
    """One user's pushes as few messages as fit in `limit` characters, in the given order.

    Each item's own text must fit alone (the push builders bound every part of it)."""
    if len(items) == 1:
        return [_single(items[0])]
    groups: list[list[PushItem[T]]] = []
    current: list[PushItem[T]] = []
    for item in items:
        # The title's "(part/parts)" is measured at its widest, so numbering never overflows.
        widest = texts.pushes.push_digest(
            [i.text for i in [*current, item]], len(items), len(items)
        )
        if current and _length(widest) > limit:
            groups.append(current)
            current = []
        current.append(item)
    if current:
        groups.append(current)
    count = len(groups)
    return [
        PushMessage(
            texts.pushes.push_digest([i.text for i in group], part, count),
            _card_buttons(group),
            tuple(i.token for i in group),
        )
        for part, group in enumerate(groups, start=1)
    ]


def _single(item: PushItem[T]) -> PushMessage[T]:
    markup = (
        keyboards.markup([[(texts.order.button_order_card(), item.card)]]) if item.card else None
    )
    return PushMessage(item.text, markup, (item.token,))


def _card_buttons(group: Sequence[PushItem[T]]) -> InlineKeyboardMarkup | None:
    cards: dict[str, str | None] = {}  # callback data -> order id, one button per order
    for item in group:
        if item.card and item.card not in cards and len(cards) < MAX_CARD_BUTTONS:
            cards[item.card] = item.order_id
    buttons = [(texts.pushes.push_card_button(order_id), data) for data, order_id in cards.items()]
    if not buttons:
        return None
    rows = [
        buttons[start : start + CARD_BUTTONS_PER_ROW]
        for start in range(0, len(buttons), CARD_BUTTONS_PER_ROW)
    ]
    return keyboards.markup(rows)


def _length(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji can be two); tags only make this larger."""
    return len(text.encode("utf-16-le")) // 2


def submit_pushes(
    sender: PushSender,
    chat_id: int,
    items: Sequence[PushItem[T]],
    mark: Callable[[tuple[T, ...]], Awaitable[object]],
) -> list[asyncio.Future[Delivery]]:
    """Pack one user's pushes and queue them; once Telegram accepts a message, `mark` gets the
    tokens of every change it told (retried if it fails, never re-sent: see bot.sender).
    `mark` must be safe to run twice (a compare-and-set, like Repository.mark_announced)."""
    return [
        sender.submit(chat_id, message.text, message.markup, on_sent=partial(mark, message.tokens))
        for message in pack_pushes(items)
    ]
