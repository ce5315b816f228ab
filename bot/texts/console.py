"""The operators' console: its home screen and what every console screen shares."""

from __future__ import annotations

from bot.i18n import N_, _

# The operators' command menu (registered for their chats only, on top of everyone's).
OPERATOR_COMMANDS: tuple[tuple[str, str], ...] = (
    # TRANSLATORS: Telegram's command menu, beside /admin (operators only, short).
    ("admin", N_("Operator console")),
    # TRANSLATORS: Telegram's command menu, beside /stats (operators only, short).
    ("stats", N_("Bot statistics")),
)


def operator_command_menu() -> list[tuple[str, str]]:
    return [(command, _(description)) for command, description in OPERATOR_COMMANDS]


def home() -> str:
    return _(
        "🛠 <b>Operator console</b>\n"
        "Everything here changes the bot for every customer. Pick a section."
    )


def button_stats() -> str:
    # TRANSLATORS: console button (short: two buttons share a row on a phone).
    return _("📊 Stats")


def button_broadcast() -> str:
    # TRANSLATORS: console button (short).
    return _("📣 Broadcast")


def button_settings() -> str:
    # TRANSLATORS: console button (short).
    return _("⚙️ Settings")


def button_maintenance() -> str:
    # TRANSLATORS: console button (short).
    return _("🚧 Maintenance")


def button_access() -> str:
    # TRANSLATORS: console button (short).
    return _("🔐 Access")


def button_panel_check() -> str:
    # TRANSLATORS: console button (short).
    return _("🩺 Panel check")


def button_audit() -> str:
    # TRANSLATORS: console button (short).
    return _("📜 Audit log")


def button_home() -> str:
    # TRANSLATORS: console button back to the console's home screen.
    return _("⬅️ Console")


def button_back() -> str:
    # TRANSLATORS: console button back to the previous screen.
    return _("⬅️ Back")


def button_cancel_input() -> str:
    # TRANSLATORS: console button under a prompt for typed input.
    return _("✖️ Cancel")


def input_cancelled() -> str:
    return _("Cancelled: nothing was changed.")
