"""key"""

from __future__ import annotations

from bot.panel import (
    Balance,
    InvalidKey,
    classify_error,
)
from bot.texts.errors import key_wrong, refusal
from bot.texts.formatting import PANEL_TEXT_LIMIT, esc, money, short


def key_prompt(current_masked: str | None) -> str:
    now = f"Connected now: <code>{esc(current_masked)}</code>\n\n" if current_masked else ""
    return (
        f"🔑 {now}Send me your panel <b>API key</b> as a message.\n"
        "I delete that message straight away and keep the key encrypted.\n\n"
        "/cancel to stop."
    )


def key_private_only() -> str:
    return (
        "🔒 For your safety I only take API keys in a private chat. Open a chat with me and "
        "send /key there."
    )


def key_group_deleted() -> str:
    return (
        "⚠️ That looked like an API key, so I deleted it and did not store it. Never post your key "
        "in a group — change it on the panel if others could see it. Send /key in a private chat."
    )


def key_panel_down() -> str:
    return (
        "⚠️ The panel is not answering right now, so I couldn't check the key. "
        "Send it again in a minute, or /cancel."
    )


def key_pasted() -> str:
    return (
        "🔒 That looked like an API key, so I deleted it from the chat. To connect or change your "
        "key, use /key."
    )


def cancelled_key() -> str:
    return "Okay, no key was changed."


def key_checking() -> str:
    return "⏳ Checking the key with the panel…"


def key_shape() -> str:
    return (
        "That doesn't look like an API key (one word, letters and digits, no spaces). "
        "Send it again, or /cancel."
    )


def key_removed() -> str:
    return "🗑 Your API key was deleted from the bot. Use /key to connect one again."


def key_none() -> str:
    return "You have no API key connected. Use /key to connect one."


def button_key_remove() -> str:
    return "🗑 Disconnect key"


def key_not_deleted() -> str:
    return "⚠️ I could not delete your message with the key — please delete it yourself."


def key_pasted_not_deleted() -> str:
    return (
        "⚠️ That looked like an API key, but I could not delete the message. Delete it yourself "
        "now, and change the key on the panel: anyone who saw it could spend your balance. "
        "Then connect the new key with /key in a private chat with me."
    )


def key_connected(masked: str, balance: Balance) -> str:
    return (
        f"✅ Key <code>{esc(masked)}</code> connected.\n"
        f"Balance: <b>{money(balance.amount, balance.currency)}</b>\n\nReady: /order"
    )


def key_rejected(reason: str) -> str:
    error = classify_error(reason)
    why = (
        key_wrong()
        if isinstance(error, InvalidKey)
        else refusal(error) or f"<i>{short(reason, PANEL_TEXT_LIMIT)}</i>"
    )
    return (
        f"❌ The panel did not accept this key: {why}\n"
        "Nothing was stored. Check the key and send it again, or /cancel."
    )


def key_unreadable() -> str:
    return "🔑 Your saved API key can no longer be read on our side. Please connect it again: /key"
