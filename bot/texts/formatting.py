"""Formatting shared by every text: escaping, numbers, money, dates in the reader's ways."""

from __future__ import annotations

import functools
import html
from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_compact_decimal, format_decimal

from bot.i18n import SOURCE_LANGUAGE, isolate, reader
from bot.panel import OrderState


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def cut(value: object, limit: int = 60) -> str:
    """Cut to `limit` characters, not escaped: for plain text (button labels, the toasts of
    a tapped button), or to escape after joining."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short(value: object, limit: int = 60) -> str:
    """Escaped and cut to `limit` characters, for one-line summaries in HTML messages (not
    for buttons or toasts, which are plain text: `cut` them)."""
    return esc(cut(value, limit))


PANEL_TEXT_LIMIT = 300  # a panel's message is quoted, never allowed to swamp ours


STATUS_LIMIT = 60  # a status word from the panel, however odd


def locale() -> Locale:
    """Babel's locale of the reader (numbers, dates and plural rules)."""
    return _babel_locale(reader().language)


@functools.cache
def _babel_locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(SOURCE_LANGUAGE)


def money(amount: Decimal | None, currency: str | None = None, *, spendable: bool = False) -> str:
    """An amount as the panel's customers expect it, grouped and with the decimal sign of the
    reader's language (like quantities: 12,345.60 / 12 345,60), with the panel's currency code
    as it sent it (pass it wherever it is known: every price shows its currency).

    The rule for decimals:
    - **one unit or more**: two decimals — whatever follows the cent is noise to a customer
      (panels keep five: "100.84292"). A price, charge or refund is rounded half-up to the
      cent; a balance (`spendable=True`) is rounded *down*, so it never shows money that
      cannot be spent (100.84292 → 100.84, 45.679 → 45.67, not 45.68).
    - **under one unit**: the digits the value needs, up to five (the panel's precision), at
      least two: 0.9 → 0.90, 0.002 → 0.002, 0.0045 → 0.0045. Here a cent would be a large
      error (a rate of 0.0045 per item is not "0.00"); a balance is cut down at the fifth.
    """
    if amount is None:
        return "—"
    if abs(amount) >= 1:
        exact = amount.quantize(CENT, rounding=ROUND_DOWN if spendable else ROUND_HALF_UP)
    else:
        exact = amount.quantize(FINEST, rounding=ROUND_DOWN if spendable else ROUND_HALF_UP)
    text = format_decimal(exact, format="#,##0.00###", locale=locale())
    return isolate(f"{text} {esc(currency)}" if currency else text)


CENT = Decimal("0.01")
FINEST = Decimal("0.00001")  # the panels' precision


def number(value: int | None) -> str:
    """A count or quantity grouped the reader's way: 10,000 / 10 000 / 10.000."""
    return "—" if value is None else isolate(format_decimal(value, locale=locale()))


def sentence(fragment: str) -> str:
    """The fragment with its first letter capitalised the reader's way (Turkish i → İ)."""
    first = fragment[:1]
    if first == "i" and reader().language in DOTTED_I_LANGUAGES:
        return "İ" + fragment[1:]
    return first.upper() + fragment[1:]


DOTTED_I_LANGUAGES = frozenset({"tr", "az"})


def compact(value: int) -> str:
    """10000 → 10K (in the reader's words): min–max on a button must be short."""
    return format_compact_decimal(value, fraction_digits=1, locale=locale())


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
    """A date and time in the reader's time zone and words, with the zone: "Dec 4, 2026,
    6:20 PM UTC+3" (a database in another zone hands back aware datetimes in its zone)."""
    if moment is None:
        return "—"
    zone = reader().zone
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    shown = (
        f"{format_date(local, 'medium', locale=locale())}, "
        f"{format_time(local, 'short', locale=locale())}"
    )
    return isolate(f"{shown} {zone_label(local)}")


def zone_label(moment: datetime) -> str:
    """UTC, UTC+3, UTC−3:30: short, and the same in every language."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


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
