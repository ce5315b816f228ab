"""The operators' console: its home screen and what every console screen shares."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import N_, _
from bot.texts.formatting import esc, short, when

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


# --- the audit log (handlers/admin/audit.py) ---------------------------------------------------


def audit_title(page: int) -> str:
    if page == 0:
        # TRANSLATORS: console: title of the list of the operators' latest actions.
        return _("📜 <b>Audit log</b>: the latest actions")
    # TRANSLATORS: console: title of an older page of the audit log; {page} counts from 2.
    return _("📜 <b>Audit log</b>, page {page}", page=page + 1)


def audit_empty() -> str:
    return _("No operator action recorded yet.")


def audit_line(moment: datetime, operator: str, action: str, detail: str) -> str:
    """One action: when (the reader's zone), who, what (codes and details as recorded)."""
    what = f"<code>{esc(action)}</code>"
    if detail:
        what += f" {short(detail, 80)}"
    # TRANSLATORS: console audit log line: "{when} · {who}: {what}".
    return _("{when} · {who}: {what}", when=when(moment), who=operator, what=what)


def audit_operator(operator_id: int, name: str | None) -> str:
    """Who did it: a name when Telegram gives one, always the id."""
    if name:
        return f"{short(name, 30)} (<code>{operator_id}</code>)"
    return f"<code>{operator_id}</code>"


# --- the panel check (handlers/admin/audit.py) -------------------------------------------------


def panel_check_running() -> str:
    # TRANSLATORS: console: shown while the panel check runs (it takes a few seconds).
    return _("⏳ Checking the panel… this takes a few seconds.")


def panel_check_needs_key() -> str:
    # TRANSLATORS: console: the panel check uses the operator's own panel key; /key is the
    # command, keep it.
    return _("🩺 The panel check uses your own panel key: connect it with /key first.")


def panel_check_report(lines: list[str]) -> str:
    """The report of `python -m bot panel-check` (plain lines, escaped here), cut to fit."""
    # TRANSLATORS: console: title above the panel check's report.
    title = _("🩺 <b>Panel check</b>")
    body = esc("\n".join(lines))
    if len(body) > PANEL_REPORT_LIMIT:
        body = body[: PANEL_REPORT_LIMIT - 1]
        amp = body.rfind("&")
        if amp != -1 and ";" not in body[amp:]:
            body = body[:amp]  # never half an entity
        body += "…"
    return f"{title}\n<pre>{body}</pre>"


def panel_check_failed() -> str:
    # TRANSLATORS: console: the panel check itself could not run (not the panel's answer).
    return _("🩺 The panel check could not run just now. Try again in a minute.")


def button_check_again() -> str:
    # TRANSLATORS: console button under the panel check's report.
    return _("🔄 Check again")


# Telegram takes 4096 characters; the title and <pre> tags fit in the rest (escaping may
# lengthen the body: it is cut after escaping, never inside an entity).
PANEL_REPORT_LIMIT = 3800
