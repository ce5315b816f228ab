"""Alerts to the operators (ADMIN_IDS): the panel failing and back, an order's unknown outcome.
Short: they arrive as notifications on a phone."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import _
from bot.texts.formatting import PANEL_TEXT_LIMIT, esc, short, when


def panel_failing(since: datetime | None, error: str) -> str:
    # TRANSLATORS: alert to the operators; {since} is a date and time, {error} our own words
    # for the last failure ("Cannot connect to the panel").
    return _(
        "🔴 <b>The panel is not answering</b>\n"
        "Every call has failed since {since}.\n"
        "Last error: {error}\n"
        "Customers cannot order or see their balance until it is back. "
        "You will get one message when it answers again.",
        since=when(since),
        error=short(error, PANEL_TEXT_LIMIT),
    )


def panel_recovered() -> str:
    # TRANSLATORS: alert to the operators, after "The panel is not answering".
    return _("🟢 <b>The panel answers again.</b> Orders and balances work as usual.")


def order_unknown(
    user_id: int,
    service_id: str,
    service_name: str,
    link: str,
    moment: datetime | None,
    order_id: int | None,
) -> str:
    # TRANSLATORS: alert to the operators: an order was sent to the panel but no clear answer
    # came back. {user} is a Telegram user id, {order} our own row number.
    return _(
        "❔ <b>Order outcome unknown</b> (#{order})\n"
        "User: <code>{user}</code>\n"
        "Service: {service_id} {service}\n"
        "Link: {link}\n"
        "Sent: {moment}\n"
        "The panel may or may not have placed it: look for it in the panel's orders. "
        "The bot will not send it again.",
        order=order_id if order_id is not None else "—",
        user=user_id,
        service_id=esc(service_id),
        service=short(service_name, 80),
        link=short(link or "—", 200),
        moment=when(moment),
    )
