"""common"""

from __future__ import annotations

from bot.panel import (
    Balance,
)
from bot.texts.formatting import esc, money

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Main menu"),
    ("order", "Place an order"),
    ("orders", "My orders"),
    ("status", "Status of order ids"),
    ("balance", "Panel balance"),
    ("refill", "Ask for a refill"),
    ("notify", "Mute or unmute status messages"),
    ("key", "Connect or change your API key"),
    ("help", "How this bot works"),
    ("cancel", "Leave the current step"),
)


def button_order() -> str:
    return "🛒 New order"


def button_orders() -> str:
    return "📦 My orders"


def button_balance() -> str:
    return "💰 Balance"


def button_key() -> str:
    return "🔑 API key"


def button_help() -> str:
    return "❓ Help"


def button_back() -> str:
    return "⬅️ Back"


def button_cancel() -> str:
    return "✖️ Cancel"


BUTTON_PREV = "◀️"


BUTTON_NEXT = "▶️"


def welcome(first_name: str, has_key: bool) -> str:
    greeting = f"👋 Hi, {esc(first_name)}!\n\nI place orders on your SMM panel account"
    if has_key:
        return f"{greeting}. What would you like to do?"
    return (
        f"{greeting} — followers, likes, views and more, tracked until they are delivered.\n\n"
        "First, connect your panel <b>API key</b> (you find it on the panel's Account page)."
    )


def help_text() -> str:
    return (
        "<b>How it works</b>\n"
        "1. /key — connect your panel API key (the message with it is deleted at once, "
        "and the key is stored encrypted).\n"
        "2. /order — pick a category and a service, or just type a name or service id to "
        "search; answer the questions and confirm.\n"
        "3. /orders — your orders and their progress. You get a message whenever one "
        "changes.\n\n"
        "/status 123 456 — status of order ids\n"
        "/refill 123 — ask for a refill\n"
        "/balance — your balance\n"
        "/cancel — leave the current step"
    )


def private_only(bot_username: str) -> str:
    return (
        "🔒 I work in a private chat only — your orders, balance and API key stay between us. "
        f"Open a chat with @{esc(bot_username)} and send /start."
    )


def edits_ignored() -> str:
    return "✏️ I don't read edited messages — please send the corrected text as a new one."


def balance_text(balance: Balance) -> str:
    return f"💰 Balance: <b>{money(balance.amount, balance.currency)}</b>"


def need_key() -> str:
    return "🔑 Connect your panel API key first: /key"


def storage_busy() -> str:
    return (
        "⏳ The bot is very busy right now and nothing was saved. Please try again in a few "
        "seconds."
    )


# Shown when the panel has not answered after about a second (a tap's answer or a message).
def asking_panel() -> str:
    return "⏳ Asking the panel…"


def panel_unavailable() -> str:
    return "⚠️ The panel is not answering right now. Please try again in a minute."


def nothing_to_cancel() -> str:
    return "There is nothing to cancel. /start shows the menu."


def expired() -> str:
    return "This menu has expired."


def expired_message() -> str:
    return "⌛ This menu has expired. Send /order to start again, or /start for the menu."


def unknown_command() -> str:
    return "I don't know that command. /help lists what I can do."


def not_understood() -> str:
    return "I didn't understand that. /help lists what I can do, or tap a button."


def error_generic() -> str:
    return "⚠️ Something went wrong on my side. Please try again; your data is safe."


def operator_error_report(kind: str, trace: str, suppressed: int, window_minutes: int) -> str:
    """For the operators: one report per kind of error per window, with the count of the
    ones of that kind that were not reported since the previous report."""
    repeats = (
        f"\n{suppressed} more of this kind since the previous report (at most one report "
        f"per kind every {window_minutes} min)."
        if suppressed
        else ""
    )
    return f"⚠️ <b>Error</b> <code>{esc(kind)}</code>{repeats}\n<pre>{esc(trace[-3500:])}</pre>"
