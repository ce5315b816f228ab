"""Every handler is registered here, in one deliberate order (the first match in a group wins)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ConversationHandler

from bot.config import Settings


def register_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    from handlers import admin, errors, gate, key, mass, order, orders, start
    from handlers import settings as reader_settings

    # -10. Whom each update is for: the user's language and time zone (never stops it).
    application.add_handler(reader_settings.build_reader(), group=reader_settings.READER_GROUP)
    # -9. Maintenance, invite-only access and blocked users: a customer stopped here gets one
    #     short reply and nothing else runs (operators always pass; pushes are not updates).
    application.add_handlers(gate.build_handlers(), group=gate.GATE_GROUP)
    # -5. While the bot waits for an API key, the next text is the key, before any flow sees
    #     it (and a command ends the wait).
    application.add_handlers(key.build_key_guard(), group=key.KEY_GROUP)
    # -4. Any other message holding an API key (the user's own, or key-shaped), new or edited,
    #     in any chat, is deleted before a flow could echo it (`/status <key>`, a search).
    application.add_handler(key.build_secret_guard(), group=key.SECRETS_GROUP)
    # -3. Edited messages are not answers (an edited link must not answer a later question).
    application.add_handler(key.build_edit_guard(), group=key.EDITS_GROUP)
    # -2. In private chats, /language, /settings, their buttons and a typed time zone, even
    #     mid-order (handled here and stopped: the order conversation never sees them, and
    #     stays open). After the key guards: a pasted key is deleted, never read as a zone.
    application.add_handlers(
        reader_settings.build_handlers(), group=reader_settings.SETTINGS_GROUP
    )
    # -1. An operator's typed answer to a console prompt (a broadcast, a welcome text, an id).
    application.add_handlers(admin.build_input_handlers(), group=admin.INPUT_GROUP)
    # Group 0 from here on, in this order (the first match wins).
    # 0. In groups and channels nothing but a pointer to a private chat (keys, balances and
    #    orders are private).
    application.add_handler(errors.build_group_guard())
    # 1. The operators' console (its commands only match ADMIN_IDS; anyone else's /admin
    #    reaches the unknown-command reply). Before the order: it works mid-order.
    application.add_handlers(admin.build_handlers(settings))
    # 2. The ordering conversation first: while a user is inside it, it owns their text,
    #    buttons and commands (its fallbacks answer /start, /cancel and stray commands).
    mass_handlers = mass.build_handlers(settings)
    mass_flow = next(h for h in mass_handlers if isinstance(h, ConversationHandler))
    application.add_handler(order.build_conversation(settings, mass_flow.check_update))
    # 3. Buttons that must work outside the conversation too (confirm after a restart).
    application.add_handlers(order.build_handlers())
    # 3b. Mass orders (/mass): their own flow; mid-order the order conversation owns /mass.
    application.add_handlers(mass_handlers)
    # 4. Plain commands and menu buttons.
    application.add_handlers(start.build_handlers())
    application.add_handlers(key.build_handlers())
    application.add_handlers(orders.build_handlers())
    # 5. Last: leftovers — /cancel outside a flow, stray text (maybe a key we wait for),
    #    unknown commands, and the catch-all for expired buttons.
    application.add_handlers(errors.build_handlers())
    # 1. After an information command (/balance, /orders, /status, /help, /notify) answered
    #    mid-order in group 0: the order's step again under the answer, to carry on from.
    application.add_handler(order.build_reminder(), group=order.REMINDER_GROUP)
    application.add_error_handler(errors.error_handler)
