"""Maintenance and access: what a stopped customer reads, and the console's screens for both."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import _, n_
from bot.texts.formatting import esc, number, when

# --- what customers read (the gate) -------------------------------------------------------------


def blocked() -> str:
    return _(
        "🚫 Sorry, this bot is not available to you. "
        "If you think this is a mistake, please contact the bot's owner."
    )


def blocked_short() -> str:
    # TRANSLATORS: a toast over a tapped button (at most 200 characters).
    return _("🚫 Sorry, this bot is not available to you.")


def maintenance(message: str | None) -> str:
    """The operators' message (their own HTML, checked when saved) or the built-in one."""
    if message:
        return _("🚧 {message}", message=message)
    return _(
        "🚧 The bot is under maintenance right now. Please try again a little later — "
        "your orders at the panel are not affected."
    )


def maintenance_short() -> str:
    # TRANSLATORS: a toast over a tapped button (at most 200 characters).
    return _("🚧 The bot is under maintenance. Please try again a little later.")


def invite_needed() -> str:
    return _(
        "🔐 This bot is open by invitation only. "
        "Please ask the bot's owner for an invite link and open it."
    )


def invite_needed_short() -> str:
    # TRANSLATORS: a toast over a tapped button (at most 200 characters).
    return _("🔐 This bot is open by invitation only.")


def invite_invalid() -> str:
    """One wording for an unknown, revoked, expired or used-up code: nothing to probe."""
    return _(
        "🔐 This invite link is invalid or has expired. Please ask the bot's owner for a new one."
    )


# --- the console: maintenance -------------------------------------------------------------------


def maintenance_screen(on: bool, message: str | None) -> str:
    state = (
        _("🔴 <b>On</b>: customers are stopped.") if on else _("🟢 <b>Off</b>: the bot is open.")
    )
    own = (
        _("Your message is shown (below).")
        if message
        else _("No message of yours: the built-in one is shown (below).")
    )
    return "\n".join(
        [
            _("🚧 <b>Maintenance</b>"),
            state,
            _(
                "While it is on, customers get the message instead of any menu or order "
                "(the panel is not called). Operators keep full use, and status messages "
                "keep going."
            ),
            own,
            "",
            _("<b>Customers see:</b>"),
            maintenance(message),
        ]
    )


def button_maintenance_on() -> str:
    # TRANSLATORS: console button (short).
    return _("🔴 Turn on")


def button_maintenance_off() -> str:
    # TRANSLATORS: console button (short).
    return _("🟢 Turn off")


def button_set_message() -> str:
    # TRANSLATORS: console button (short).
    return _("✏️ Set message")


def button_clear_message() -> str:
    # TRANSLATORS: console button (short): back to the built-in maintenance message.
    return _("🗑 Built-in message")


def maintenance_message_prompt(limit: int) -> str:
    return _(
        "✏️ Send the message customers will see during maintenance (up to {limit} characters; "
        "HTML such as &lt;b&gt;bold&lt;/b&gt; is allowed).",
        limit=number(limit),
    )


def message_empty() -> str:
    return _("The message is empty. Send some text, or tap Cancel.")


def message_too_long(length: int, limit: int) -> str:
    return _(
        "The message has {length} characters; the limit is {limit}. Please shorten it.",
        length=number(length),
        limit=number(limit),
    )


def message_bad_html(problem: str) -> str:
    return _(
        "Telegram would refuse this message: {problem}. Please fix it and send it again.",
        problem=esc(problem),
    )


def message_refused(reason: str) -> str:
    # TRANSLATORS: {reason} is Telegram's own reason, in English.
    return _(
        "Telegram refused this text: {reason}. Nothing was saved; please fix it and send it "
        "again.",
        reason=esc(reason),
    )


def message_not_text() -> str:
    return _("Please send the message as text, or tap Cancel.")


# --- the console: access ------------------------------------------------------------------------


def access_screen(invite_only: bool, blocked_count: int) -> str:
    mode = (
        _("🔐 <b>Invite-only</b>: new users need an invite link.")
        if invite_only
        else _("🔓 <b>Open</b>: anyone can use the bot.")
    )
    return "\n".join(
        [
            _("🔐 <b>Access</b>"),
            mode,
            _(
                "Invite-only lets in: operators, users who opened an invite link, and users "
                "who had already connected an API key (the customers you already serve)."
            ),
            n_(
                "{count} user is blocked.",
                "{count} users are blocked.",
                blocked_count,
                count=number(blocked_count),
            ),
        ]
    )


def button_open() -> str:
    # TRANSLATORS: console button (short): anyone may use the bot.
    return _("🔓 Make open")


def button_invite_only() -> str:
    # TRANSLATORS: console button (short): only invited users may use the bot.
    return _("🔐 Make invite-only")


def button_invites() -> str:
    # TRANSLATORS: console button (short).
    return _("🎟 Invites")


def button_new_invite() -> str:
    # TRANSLATORS: console button (short).
    return _("➕ New invite")


def button_users() -> str:
    # TRANSLATORS: console button (short): the list of users, to block or unblock.
    return _("👥 Users")


def button_user_by_id() -> str:
    # TRANSLATORS: console button (short): find a user by their Telegram id.
    return _("🔎 User by id")


def invite_uses_question() -> str:
    return _("🎟 <b>New invite</b>\nHow many people may use it?")


def button_uses(uses: int) -> str:
    # TRANSLATORS: console button (short): how many people may use an invite.
    if uses == 0:
        return _("Any number")
    if uses == 1:
        return _("One person")
    return n_("{count} person", "{count} people", uses, count=number(uses))


def invite_expiry_question(uses: int) -> str:
    return "\n".join([_("🎟 <b>New invite</b>"), uses_line(uses), _("How long is it valid?")])


def uses_line(uses: int) -> str:
    if uses == 0:
        return _("For any number of people.")
    return n_("For {count} person.", "For {count} people.", uses, count=number(uses))


def button_days(days: int) -> str:
    # TRANSLATORS: console button (short): how long an invite is valid.
    if days == 0:
        return _("Never expires")
    return n_("{count} day", "{count} days", days, count=number(days))


def invite_created(link: str, uses: int, expires_at: datetime | None) -> str:
    expiry = (
        _("Valid until {moment}.", moment=when(expires_at))
        if expires_at is not None
        else _("It never expires.")
    )
    return "\n".join(
        [
            _("✅ <b>Invite created</b>"),
            uses_line(uses),
            expiry,
            _("Send this link to the person you invite:"),
            f"<code>{esc(link)}</code>",
        ]
    )


def invites_title(total: int) -> str:
    return n_("🎟 <b>{count} invite</b>", "🎟 <b>{count} invites</b>", total, count=number(total))


def invites_empty() -> str:
    return _("🎟 No invites yet. Tap New invite to create one.")


def invite_line(
    short_code: str, uses: int, max_uses: int | None, expires_at: datetime | None, state: str
) -> str:
    used = (
        _("{uses} of {limit} used", uses=number(uses), limit=number(max_uses))
        if max_uses is not None
        else _("{uses} used, no limit", uses=number(uses))
    )
    expiry = (
        _("until {moment}", moment=when(expires_at))
        if expires_at is not None
        else _("never expires")
    )
    return _(
        "{mark} <code>{code}</code> · {used} · {expiry} · {state}",
        mark=INVITE_MARKS.get(state, "•"),
        code=esc(short_code),
        used=used,
        expiry=expiry,
        state=invite_state(state),
    )


INVITE_MARKS = {"active": "🟢", "used_up": "⚪️", "expired": "⌛", "revoked": "🚫"}


def invite_state(state: str) -> str:
    if state == "active":
        # TRANSLATORS: the state of an invite link.
        return _("active")
    if state == "used_up":
        # TRANSLATORS: the state of an invite link.
        return _("used up")
    if state == "expired":
        # TRANSLATORS: the state of an invite link.
        return _("expired")
    # TRANSLATORS: the state of an invite link.
    return _("revoked")


def button_revoke(short_code: str) -> str:
    # TRANSLATORS: console button revoking the invite whose code starts so (short).
    return _("🚫 Revoke {code}", code=short_code)


def invite_revoked() -> str:
    # TRANSLATORS: a toast after revoking an invite.
    return _("Invite revoked: its link no longer lets anyone in.")


def invite_already_revoked() -> str:
    # TRANSLATORS: a toast.
    return _("That invite was already revoked.")


def users_title(total: int) -> str:
    return "\n".join(
        [
            n_("👥 <b>{count} user</b>", "👥 <b>{count} users</b>", total, count=number(total)),
            _("Blocked users first. 🚫 blocked · 🔑 has a key. Tap a user to block or unblock."),
        ]
    )


def user_button(telegram_id: int, created_at: datetime, has_key: bool, blocked: bool) -> str:
    """A row of the user list: id, first seen, marks (a button label: plain text)."""
    marks = ("🚫" if blocked else "") + ("🔑" if has_key else "")
    return f"{marks} {telegram_id} · {when(created_at)}".strip()


def user_card(
    telegram_id: int, created_at: datetime, has_key: bool, blocked: bool, admitted: bool
) -> str:
    lines = [
        _("👤 <b>User</b> <code>{id}</code>", id=telegram_id),
        _("First seen: {moment}", moment=when(created_at)),
        _("🔑 Has an API key.") if has_key else _("No API key connected."),
    ]
    if admitted:
        lines.append(_("🎟 Admitted (invite or key)."))
    lines.append(
        _("🚫 <b>Blocked</b>: gets a polite refusal for everything.")
        if blocked
        else _("✅ Not blocked.")
    )
    return "\n".join(lines)


def button_block() -> str:
    # TRANSLATORS: console button (short).
    return _("🚫 Block")


def button_unblock() -> str:
    # TRANSLATORS: console button (short).
    return _("✅ Unblock")


def button_user_list() -> str:
    # TRANSLATORS: console button back to the list of users (short).
    return _("👥 All users")


def user_id_prompt() -> str:
    return _("🔎 Send the user's Telegram id (digits only).")


def user_id_invalid() -> str:
    return _("That is not a Telegram user id: send digits only, such as 123456789.")


def user_unknown(telegram_id: int) -> str:
    return _(
        "No user <code>{id}</code> has written to the bot yet, so there is nothing to block.",
        id=telegram_id,
    )


def cannot_block_operator() -> str:
    # TRANSLATORS: a toast (short).
    return _("Operators cannot be blocked.")


def user_blocked_toast() -> str:
    # TRANSLATORS: a toast (short).
    return _("Blocked.")


def user_unblocked_toast() -> str:
    # TRANSLATORS: a toast (short).
    return _("Unblocked.")
