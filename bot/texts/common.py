"""common"""

from __future__ import annotations

from bot.i18n import N_, _, n_
from bot.panel import (
    Balance,
)
from bot.texts.formatting import esc, money, number

# Telegram's command menu: the names stay English (commands are ASCII), the descriptions
# are translated by `command_menu()`.
COMMANDS: tuple[tuple[str, str], ...] = (
    # TRANSLATORS: Telegram's command menu, beside /start (short).
    ("start", N_("Main menu")),
    # TRANSLATORS: Telegram's command menu, beside /order (short).
    ("order", N_("Place an order")),
    # TRANSLATORS: Telegram's command menu, beside /mass (short).
    ("mass", N_("Many orders at once")),
    # TRANSLATORS: Telegram's command menu, beside /orders (short).
    ("orders", N_("My orders")),
    # TRANSLATORS: Telegram's command menu, beside /status (short).
    ("status", N_("Status of order ids")),
    # TRANSLATORS: Telegram's command menu, beside /balance (short).
    ("balance", N_("Panel balance")),
    # TRANSLATORS: Telegram's command menu, beside /refill (short).
    ("refill", N_("Ask for a refill")),
    # TRANSLATORS: Telegram's command menu, beside /notify (short).
    ("notify", N_("Mute or unmute status messages")),
    # TRANSLATORS: Telegram's command menu, beside /key (short).
    ("key", N_("Connect or change your API key")),
    # TRANSLATORS: Telegram's command menu, beside /language (short).
    ("language", N_("Language")),
    # TRANSLATORS: Telegram's command menu, beside /settings (short).
    ("settings", N_("Language and time zone")),
    # TRANSLATORS: Telegram's command menu, beside /help (short).
    ("help", N_("How this bot works")),
    # TRANSLATORS: Telegram's command menu, beside /cancel (short).
    ("cancel", N_("Leave the current step")),
)


def command_menu() -> list[tuple[str, str]]:
    """(command, description) pairs for Telegram's command menu, in the reader's language."""
    return [(command, _(description)) for command, description in COMMANDS]


def button_order() -> str:
    # TRANSLATORS: main-menu button (at most about 30 characters).
    return _("🛒 New order")


def button_orders() -> str:
    # TRANSLATORS: main-menu button (at most about 30 characters).
    return _("📦 My orders")


def button_balance() -> str:
    # TRANSLATORS: main-menu button (at most about 30 characters).
    return _("💰 Balance")


def button_key() -> str:
    # TRANSLATORS: main-menu button (at most about 30 characters).
    return _("🔑 API key")


def button_help() -> str:
    # TRANSLATORS: main-menu button (at most about 30 characters).
    return _("❓ Help")


def button_back() -> str:
    # TRANSLATORS: button back to the previous screen (at most about 30 characters).
    return _("⬅️ Back")


def button_cancel() -> str:
    # TRANSLATORS: button leaving the current step (at most about 30 characters).
    return _("✖️ Cancel")


BUTTON_PREV = "◀️"


BUTTON_NEXT = "▶️"


def welcome(first_name: str, has_key: bool) -> str:
    # TRANSLATORS: {name} is the user's first name in Telegram.
    paragraphs = [_("👋 Hi, {name}!", name=esc(first_name))]
    if has_key:
        paragraphs.append(
            _("I place orders on your SMM panel account. What would you like to do?")
        )
    else:
        paragraphs += [
            _(
                "I place orders on your SMM panel account — followers, likes, views and more, "
                "tracked until they are delivered."
            ),
            _(
                "First, connect your panel <b>API key</b> (you find it on the panel's Account "
                "page)."
            ),
        ]
    return "\n\n".join(paragraphs)


def help_text() -> str:
    return "\n\n".join(
        [
            # TRANSLATORS: /help; the commands stay as they are (they are English on purpose).
            _(
                "<b>How it works</b>\n"
                "1. /key — connect your panel API key (the message with it is deleted at once, "
                "and the key is stored encrypted).\n"
                "2. /order — pick a category and a service, or just type a name or service id "
                "to search; answer the questions and confirm.\n"
                "3. /orders — your orders and their progress. You get a message whenever one "
                "changes."
            ),
            # TRANSLATORS: /help; 123 and 456 are example order ids.
            _(
                "/status 123 456 — status of order ids\n"
                "/refill 123 — ask for a refill\n"
                "/balance — your balance\n"
                "/notify — status messages on or off\n"
                "/disconnect — remove your key from the bot\n"
                "/cancel — leave the current step"
            ),
            # TRANSLATORS: /help; the format stays as it is, its three words translated.
            _(
                "/mass — many orders in one message, one per line: "
                "<code>service_id | link | quantity</code>"
            ),
        ]
    )


def help_with(addition: str | None, support: str | None) -> str:
    """/help: the built-in help, the operators' addition (their HTML, checked when saved, shown
    as they wrote it) and the support line, each when set."""
    return "\n\n".join(part for part in (help_text(), addition, support) if part)


def support_line(contact: str, url: str) -> str:
    """The operators' support contact, under /help and under every error about money or an
    order that failed: a @username as it is, a web address as a link."""
    # The same words as the console's preview of it (bot/texts/console_settings.py).
    if contact.startswith("@"):
        # TRANSLATORS: under /help and under errors; {contact} is the support's @username.
        return _("💬 Need help? Write to {contact}.", contact=esc(contact))
    # TRANSLATORS: under /help and under errors; keep the <a href="{url}"> and </a> around
    # the words that open the operators' support page.
    return _(
        '💬 Need help? <a href="{url}">Contact support</a>.', url=esc(url).replace('"', "&quot;")
    )


def button_top_up() -> str:
    # TRANSLATORS: a button opening the panel's page where one adds funds (at most about 30
    # characters).
    return _("💳 Top up")


def private_only(bot_username: str) -> str:
    handle = "@" + esc(bot_username)
    # TRANSLATORS: {bot} is the bot's @username.
    return _(
        "🔒 I work in a private chat only — your orders, balance and API key stay between us. "
        "Open a chat with {bot} and send /start.",
        bot=handle,
    )


def edits_ignored() -> str:
    return _("✏️ I don't read edited messages — please send the corrected text as a new one.")


def balance_text(balance: Balance) -> str:
    # TRANSLATORS: {amount} is the amount with the panel's currency code, e.g. "42.50 USD".
    return _(
        "💰 Balance: <b>{amount}</b>",
        amount=money(balance.amount, balance.currency, spendable=True),
    )


def need_key() -> str:
    return _("🔑 Connect your panel API key first: /key")


def storage_busy() -> str:
    return _(
        "⏳ The bot is very busy right now and nothing was saved. Please try again in a few "
        "seconds."
    )


# Shown when the panel has not answered after about a second (a tap's answer or a message).
def asking_panel() -> str:
    # TRANSLATORS: shown while waiting for the panel, also as a short popup.
    return _("⏳ Asking the panel…")


def panel_unavailable() -> str:
    return _("⚠️ The panel is not answering right now. Please try again in a minute.")


def nothing_to_cancel() -> str:
    return _("There is nothing to cancel. /start shows the menu.")


def expired() -> str:
    # TRANSLATORS: short popup after tapping a button of an old menu (at most ~200 characters).
    return _("This menu has expired.")


def expired_message() -> str:
    return _("⌛ This menu has expired. Send /order to start again, or /start for the menu.")


def unknown_command() -> str:
    return _("I don't know that command. /help lists what I can do.")


def not_understood() -> str:
    return _("I didn't understand that. /help lists what I can do, or tap a button.")


def error_generic() -> str:
    return _("⚠️ Something went wrong on my side. Please try again; your data is safe.")


def operator_error_report(kind: str, trace: str, suppressed: int, window_minutes: int) -> str:
    """For the operators: one report per kind of error per window, with the count of the
    ones of that kind that were not reported since the previous report."""
    # TRANSLATORS: for the bot's operators; {kind} is the error's type and place in the code.
    lines = [_("⚠️ <b>Error</b> <code>{kind}</code>", kind=esc(kind))]
    if suppressed:
        lines.append(
            " ".join(
                [
                    # TRANSLATORS: for the bot's operators: errors of this kind not reported.
                    n_(
                        "{count} more of this kind since the previous report.",
                        "{count} more of this kind since the previous report.",
                        suppressed,
                        count=number(suppressed),
                    ),
                    # TRANSLATORS: for the bot's operators: how often a kind is reported.
                    n_(
                        "At most one report per kind is sent every {count} minute.",
                        "At most one report per kind is sent every {count} minutes.",
                        window_minutes,
                        count=number(window_minutes),
                    ),
                ]
            )
        )
    lines.append(f"<pre>{esc(trace[-3500:])}</pre>")
    return "\n".join(lines)
