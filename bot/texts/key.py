"""key"""

from __future__ import annotations

from bot.i18n import _
from bot.panel import (
    Balance,
    InvalidKey,
    classify_error,
)
from bot.texts.errors import key_wrong, refusal
from bot.texts.formatting import PANEL_TEXT_LIMIT, esc, money, short


def key_prompt(current_masked: str | None) -> str:
    paragraphs = []
    if current_masked:
        # TRANSLATORS: {key} is the connected key with most of it hidden (abc…xyz).
        paragraphs.append(_("Connected now: <code>{key}</code>", key=esc(current_masked)))
    paragraphs += [
        _(
            "Send me your panel <b>API key</b> as a message.\n"
            "I delete that message straight away and keep the key encrypted."
        ),
        _("/cancel to stop."),
    ]
    return "🔑 " + "\n\n".join(paragraphs)


def key_private_only() -> str:
    return _(
        "🔒 For your safety I only take API keys in a private chat. Open a chat with me and "
        "send /key there."
    )


def key_group_deleted() -> str:
    return _(
        "⚠️ That looked like an API key, so I deleted it and did not store it. Never post your key "
        "in a group — change it on the panel if others could see it. Send /key in a private chat."
    )


def key_panel_down() -> str:
    return _(
        "⚠️ The panel is not answering right now, so I couldn't check the key. "
        "Send it again in a minute, or /cancel."
    )


def key_pasted() -> str:
    return _(
        "🔒 That looked like an API key, so I deleted it from the chat. To connect or change your "
        "key, use /key."
    )


def cancelled_key() -> str:
    return _("Okay, no key was changed.")


def key_checking() -> str:
    return _("⏳ Checking the key with the panel…")


def key_shape() -> str:
    return _(
        "That doesn't look like an API key (one word, letters and digits, no spaces). "
        "Send it again, or /cancel."
    )


def key_removed() -> str:
    return _("🗑 Your API key was deleted from the bot. Use /key to connect one again.")


def key_none() -> str:
    return _("You have no API key connected. Use /key to connect one.")


def button_key_remove() -> str:
    # TRANSLATORS: button (at most about 30 characters): removes the user's key from the bot.
    return _("🗑 Disconnect key")


def key_not_deleted() -> str:
    return _("⚠️ I could not delete your message with the key — please delete it yourself.")


def key_pasted_not_deleted() -> str:
    return _(
        "⚠️ That looked like an API key, but I could not delete the message. Delete it yourself "
        "now, and change the key on the panel: anyone who saw it could spend your balance. "
        "Then connect the new key with /key in a private chat with me."
    )


def key_connected(masked: str, balance: Balance) -> str:
    return "\n\n".join(
        [
            # TRANSLATORS: {key} is the key with most of it hidden (abc…xyz); {balance} the
            # amount with the panel's currency code.
            _(
                "✅ Key <code>{key}</code> connected.\nBalance: <b>{balance}</b>",
                key=esc(masked),
                balance=money(balance.amount, balance.currency, spendable=True),
            ),
            _("Ready: /order"),
        ]
    )


def key_rejected(reason: str) -> str:
    error = classify_error(reason)
    why = (
        key_wrong()
        if isinstance(error, InvalidKey)
        else refusal(error) or f"<i>{short(reason, PANEL_TEXT_LIMIT)}</i>"
    )
    # TRANSLATORS: {why} is a lower-case clause ending with a full stop ("it says the key is
    # wrong…"), or the panel's own words in italics.
    return _(
        "❌ The panel did not accept this key: {why}\n"
        "Nothing was stored. Check the key and send it again, or /cancel.",
        why=why,
    )


def key_unreadable() -> str:
    return _(
        "🔑 Your saved API key can no longer be read on our side. Please connect it again: /key"
    )


def disconnect_question(masked: str | None) -> str:
    """/disconnect (or 🗑 Disconnect key) asks first; Yes / No below."""
    # TRANSLATORS: keep the command /key as it is. Yes / No buttons follow.
    tail = _("Orders already placed go on at the panel; /key connects a key again.")
    if masked is None:  # a key the bot can no longer read
        return "\n\n".join([_("❓ Delete your API key from the bot?"), tail])
    # TRANSLATORS: {key} is the connected key with most of it hidden (abc…xyz).
    question = _("❓ Delete your API key <code>{key}</code> from the bot?", key=esc(masked))
    return "\n\n".join([question, tail])


def button_disconnect_yes() -> str:
    # TRANSLATORS: button under "Delete your API key?" (≤ 30 characters).
    return _("🗑 Yes, delete it")


def button_disconnect_no() -> str:
    # TRANSLATORS: button under "Delete your API key?" (≤ 30 characters).
    return _("↩️ No, keep it")


def key_kept() -> str:
    return _("👍 Your API key stays connected.")
