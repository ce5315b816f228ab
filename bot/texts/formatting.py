"""format"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.panel import (
    OrderState,
)


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def short(value: object, limit: int = 60) -> str:
    """Escaped and cut to `limit` characters, for buttons and one-line summaries."""
    text = str(value)
    return esc(text if len(text) <= limit else text[: limit - 1] + "…")


PANEL_TEXT_LIMIT = 300  # a panel's message is quoted, never allowed to swamp ours


STATUS_LIMIT = 60  # a status word from the panel, however odd


def money(amount: Decimal | None, currency: str | None = None) -> str:
    """Up to 5 decimals (panel rates are that fine), at least 2: 0.9 → "0.90"."""
    if amount is None:
        return "—"
    exact = amount.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP).normalize()
    whole, _, fraction = f"{exact:f}".partition(".")
    text = f"{whole}.{fraction.ljust(2, '0')}"
    return f"{text} {esc(currency)}" if currency else text


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", " ")


def sentence(fragment: str) -> str:
    return fragment[:1].upper() + fragment[1:]


def compact(value: int) -> str:
    """10000 → 10k, 1500000 → 1.5M: min–max on a button must be short."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".removesuffix(".0") + suffix
    return str(value)


STATE_EMOJI: dict[OrderState, str] = {
    OrderState.PENDING: "🕓",
    OrderState.IN_PROGRESS: "🔄",
    OrderState.PROCESSING: "🔄",
    OrderState.ACTIVE: "🔄",
    OrderState.PAUSED: "⏸",
    OrderState.COMPLETED: "✅",
    OrderState.PARTIAL: "🟡",
    OrderState.CANCELED: "🚫",
    OrderState.REFUNDED: "↩️",
    OrderState.FAILED: "❌",
    OrderState.EXPIRED: "⌛",
    OrderState.REJECTED: "❌",
    OrderState.UNKNOWN: "❔",
}


def state_emoji(state: str | None) -> str:
    try:
        return STATE_EMOJI[OrderState(state or "unknown")]
    except ValueError:
        return "❔"


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    # A database in another time zone hands back aware datetimes in its zone.
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# Telegram's limit is 4096 characters; leave room for a title and a closing line.
MESSAGE_BUDGET = 3500


ID_ROW_CHARS = 200


def pack_lines(lines: list[str], budget: int = MESSAGE_BUDGET) -> list[str]:
    """Lines joined into as few messages as fit Telegram's limit."""
    messages: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and len("\n".join(current)) + len(line) + 1 > budget:
            messages.append("\n".join(current))
            current = []
        current.append(line)
    messages.append("\n".join(current))
    return messages
