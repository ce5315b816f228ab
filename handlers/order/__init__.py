"""The ordering conversation: catalogue → service → the type's fields → summary → confirm.

- `state`: where a user is in the flow, and the helpers every step uses;
- `lists`: the catalogue's lists (text and keyboard); `browse`: browsing and choosing;
- `questions`: the type's questions, and Change (one field); `collect`: a list answer in
  parts (messages, .txt files) until Done or a pause; `summary`: the summary and Confirm
  (placement itself is bot.services.placement); `again`: Order again from a card;
  `leaving`: Cancel, /start, the idle timeout and input of another step.

Browsing edits one message in place. Each typed answer gets the next question as a new message;
the old one keeps its buttons, which costs no call and does no harm: every button of the flow is
answered "expired" unless it is on the live message (choices and Skip also name their question),
Cancel only ends the flow, and Confirm claims a draft row in the database — the first Confirm to
claim it (in any process) is the only one that reaches the panel.

Handlers that may wait on the panel are `waiting.patient`: a slow panel shows ⏳ (in the tap's
answer, or a message the answer replaces), and the interactive budget bounds the wait.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callback
from bot.config import Settings
from bot.persistence import PersistentConversation
from handlers.common import Context
from handlers.order.again import order_again
from handlers.order.browse import (
    browse_button,
    browse_other,
    browse_text,
    more_button,
    search_entry,
    service_button,
    star_button,
    start_order,
    unstar_button,
)
from handlers.order.collect import done, other, typed
from handlers.order.leaving import (
    REMINDER_GROUP,
    build_reminder,
    cancel,
    command_in_flow,
    drop_draft,
    info_commands,
    keep_draft,
    order_command,
    restart,
    stale_button,
    timed_out,
)
from handlers.order.questions import (
    amount_button,
    back_to_summary,
    change_order,
    edit_field,
    field_button,
    recent_link_button,
)
from handlers.order.state import State
from handlers.order.summary import confirm, summary_other

__all__ = ["REMINDER_GROUP", "State", "build_conversation", "build_handlers", "build_reminder"]


class _OutsideTheFlow(filters.UpdateFilter):
    """Updates of users not inside this conversation. With allow_reentry, PTB tries the entry
    points before the state's handlers: a text entry point must step aside mid-order, or it
    would take every typed answer. (PTB keeps the states in `_conversations`, keyed by
    `_get_key`: what its persistence reads too.)"""

    def __init__(self, elsewhere: Callable[[Update], object] | None = None) -> None:
        super().__init__(name="outside the order flow")
        self.conversation: ConversationHandler[Context] | None = None
        # Another flow that owns this update (its check_update), e.g. a mass order's lines.
        self.elsewhere = elsewhere

    def filter(self, update: Update) -> bool:
        conversation = self.conversation
        if conversation is None:
            return False
        if self.elsewhere is not None and self.elsewhere(update):
            return False
        try:
            key = conversation._get_key(update)
        except RuntimeError:
            return False
        return conversation._conversations.get(key) is None


def build_conversation(
    settings: Settings, elsewhere: Callable[[Update], object] | None = None
) -> ConversationHandler[Context]:
    """`elsewhere`: whether another flow (registered after this one) owns an update; typed
    text it owns is not taken for a catalogue search."""
    text = filters.TEXT & ~filters.COMMAND
    outside = _OutsideTheFlow(elsewhere)
    not_text = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    confirm_handler: BaseHandler[Update, Context, Any] = CallbackQueryHandler(
        confirm, pattern=callback.ORDER_CONFIRM.pattern()
    )
    cancel_button: BaseHandler[Update, Context, Any] = CallbackQueryHandler(
        cancel, pattern=callback.ORDER_CANCEL.pattern()
    )
    change_handlers: list[BaseHandler[Update, Context, Any]] = [
        CallbackQueryHandler(change_order, pattern=callback.ORDER_CHANGE.pattern()),
        CallbackQueryHandler(edit_field, pattern=callback.ORDER_EDIT_FIELD.pattern()),
        CallbackQueryHandler(back_to_summary, pattern=callback.ORDER_SUMMARY.pattern()),
    ]
    # per_message=False is deliberate (the flow mixes typed answers and buttons): silence
    # exactly the warning PTB's FAQ says to ignore for that.
    warnings.filterwarnings(
        "ignore", message="If 'per_message=False'", category=PTBUserWarning, module=__name__
    )
    # Kept in the database (bot.persistence): it survives a restart and continues on another
    # process; idle past CONVERSATION_TIMEOUT_SECONDS it ends through the TIMEOUT state.
    conversation: PersistentConversation[Context] = PersistentConversation(
        entry_points=[
            # With an order half filled in, /order asks before dropping it.
            CommandHandler("order", order_command),
            CallbackQueryHandler(start_order, pattern=callback.MENU_ORDER.pattern()),
            CallbackQueryHandler(order_again, pattern=callback.CARD_AGAIN.pattern()),
            # Text typed in a private chat outside any flow searches the catalogue (after the
            # key, settings and console guards of the earlier groups; handlers/__init__.py).
            MessageHandler(filters.ChatType.PRIVATE & text & outside, search_entry),
        ],
        states={
            State.BROWSE: [
                # Forged numbers (out of range, not digits) match none of these: answered
                # as stale by the fallback below.
                CallbackQueryHandler(
                    browse_button,
                    pattern=callback.any_of(
                        callback.ORDER_CATEGORIES.pattern(),
                        callback.ORDER_PLATFORM.pattern(),
                        callback.ORDER_CATEGORY.pattern(),
                        callback.ORDER_SEARCH.pattern(),
                        callback.ORDER_FAVOURITES.pattern(),
                    ),
                ),
                CallbackQueryHandler(service_button, pattern=callback.ORDER_SERVICE.pattern()),
                CallbackQueryHandler(unstar_button, pattern=callback.ORDER_UNSTAR.pattern()),
                MessageHandler(text, browse_text),
                MessageHandler(not_text, browse_other),
            ],
            State.FIELD: [
                CallbackQueryHandler(more_button, pattern=callback.ORDER_MORE.pattern()),
                CallbackQueryHandler(
                    field_button,
                    pattern=callback.any_of(
                        callback.ORDER_CHOICE.pattern(),
                        callback.ORDER_SKIP.pattern(),
                        callback.ORDER_BACK.pattern(),
                    ),
                ),
                CallbackQueryHandler(done, pattern=callback.ORDER_DONE.pattern()),
                CallbackQueryHandler(star_button, pattern=callback.ORDER_STAR.pattern()),
                CallbackQueryHandler(amount_button, pattern=callback.ORDER_AMOUNT.pattern()),
                CallbackQueryHandler(
                    recent_link_button, pattern=callback.ORDER_RECENT_LINK.pattern()
                ),
                # A list completed by the pause after its last part shows what follows (the
                # summary, maybe) without a new state: its buttons work here too.
                *change_handlers,
                MessageHandler(text, typed),
                MessageHandler(not_text, other),
            ],
            State.SUMMARY: [
                confirm_handler,
                *change_handlers,
                MessageHandler(text | not_text, summary_other),
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            cancel_button,
            CommandHandler("start", restart),  # asks first, like /order
            CallbackQueryHandler(drop_draft, pattern=callback.ORDER_DROP.pattern()),
            CallbackQueryHandler(keep_draft, pattern=callback.ORDER_KEEP.pattern()),
            # Information commands match nothing here: their own flows answer them and the
            # order stays open (build_reminder shows its step again under the answer).
            MessageHandler(filters.COMMAND & ~info_commands(), command_in_flow),
            confirm_handler,
            # Every other feature's buttons (menu, card, key, …) keep working mid-order;
            # anything else is a leftover of this flow (or forged).
            CallbackQueryHandler(stale_button, pattern=callback.leftover_of(callback.ORDER)),
        ],
        allow_reentry=True,
        persistent=True,
        name="order",
    )
    outside.conversation = conversation
    return conversation


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """Confirm works outside the conversation too: after a restart the draft row is the truth."""
    return [CallbackQueryHandler(confirm, pattern=callback.ORDER_CONFIRM.pattern())]
