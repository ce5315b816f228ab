"""The order flow's shared state: where one user is, and the helpers every step uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from telegram import Message, Update
from telegram.ext import ConversationHandler

from bot import callback, texts
from bot.catalogue import Catalogue
from bot.context import get_services
from bot.order_fields import FieldSpec, fields_for, next_field, refused_types
from bot.panel import PanelError, Service, ServiceType
from bot.panel.capabilities import Capabilities
from bot.services.placement import abandon_draft
from bot.services.storefront import ShopRules, storefront
from handlers import waiting
from handlers.common import Context, edit, user_key
from storage.favourites import Starred

END = ConversationHandler.END
FLOW_KEY = "order_flow"


class State(IntEnum):
    BROWSE = 1
    FIELD = 2
    SUMMARY = 3


@dataclass
class PendingList:
    """A list answer coming in parts (messages, .txt files) until Done or a short pause."""

    name: str  # the question it answers
    lines: list[str] = field(default_factory=list)  # kept up to one more than the maximum
    count: int = 0  # every item sent
    ack_id: int | None = None  # the "got N lines so far" message, edited as parts come
    acked_at: float = 0.0  # when it was last sent or edited (wall clock: kept in the database)
    edit_due: bool = False  # an edit is held back (parts came less than a second apart)
    parts: int = 0  # bumped by each part: a pause timer finishes only the list it saw last
    # Files whose encoding had to be guessed (name, encoding): said with the count.
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class OrderFlow:
    """Where one user is in the flow (kept in the database with the conversation's state by
    bot.persistence: it must stay picklable)."""

    message_id: int | None = None  # the message whose buttons are live
    query: str = ""
    # The list last shown (kind, category index, page): Back from a service returns to it.
    view: tuple[str, int, int] = ("cats", 0, 0)
    service: Service | None = None
    currency: str | None = None  # the account's, as the catalogue last read it
    card_full: bool = False  # the card shows the service's whole description ("More")
    draft_id: int | None = None  # the draft behind the summary on screen
    summary_text: str = ""
    short_of_funds: bool = False  # the summary on screen says the balance is too low
    answers: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    history: list[str] = field(default_factory=list)  # answered or skipped, in order
    pending: PendingList | None = None  # a list answer still coming in
    # The one field being changed from the summary, and its answer before (None: skipped).
    editing: str | None = None
    edited_value: str | None = None
    # The customer's favourites as last read (the list in /order, the star on a card).
    favourites: tuple[Starred, ...] = ()

    def reset_fields(self) -> None:
        self.answers.clear()
        self.skipped.clear()
        self.history.clear()
        self.pending = None
        self.editing = None

    def current_field(self) -> FieldSpec | None:
        assert self.service is not None
        return next_field(fields_for(self.service) or (), self.answers, frozenset(self.skipped))


def flow(context: Context) -> OrderFlow:
    assert context.user_data is not None
    current = context.user_data.get(FLOW_KEY)
    if not isinstance(current, OrderFlow):
        current = context.user_data[FLOW_KEY] = OrderFlow()
    return current


def end_flow(context: Context) -> OrderFlow | None:
    assert context.user_data is not None
    ended = context.user_data.pop(FLOW_KEY, None)
    return ended if isinstance(ended, OrderFlow) else None


async def abandon(context: Context, current: OrderFlow | None) -> None:
    """The summary on screen is replaced or closed: its Confirm must no longer place it."""
    if current is not None and current.draft_id is not None:
        await abandon_draft(get_services(context), current.draft_id)
        current.draft_id = None


async def leave_flow(context: Context) -> OrderFlow | None:
    ended = end_flow(context)
    await abandon(context, ended)
    return ended


def capabilities(context: Context) -> Capabilities:
    """What the panel is known to support (unknown facts: behave as the seed protocol)."""
    return get_services(context).panel.capabilities


def refused(context: Context) -> frozenset[ServiceType]:
    return refused_types(capabilities(context))


def button_data(update: Update) -> callback.CallbackData:
    assert update.callback_query is not None
    parsed = callback.parse(update.callback_query.data)
    assert parsed is not None  # handlers are registered with anchored patterns
    return parsed


async def live_query(update: Update, context: Context) -> bool:
    """True for a button on the flow's live message; anything older is answered as expired."""
    query = update.callback_query
    assert query is not None
    message_id = query.message.message_id if query.message else None
    if message_id != flow(context).message_id:
        await waiting.answer(update, texts.common.expired())
        return False
    await waiting.answer(update)
    return True


async def show(
    update: Update, context: Context, text: str, markup: Any, *, in_place: bool
) -> None:
    """Edit the live message (after a button) or send a new one (after typed text). The old
    message keeps its buttons: they are answered "expired" (see the package doc)."""
    current = flow(context)
    query = update.callback_query
    if in_place and query is not None and isinstance(query.message, Message):
        await edit(query.message, text, markup)
        current.message_id = query.message.message_id
        return
    sent = await waiting.reply(update, text, markup)
    current.message_id = sent.message_id


async def catalogue(update: Update, context: Context) -> Catalogue | None:
    """The user's catalogue as customers see it (the operators' hidden services left out,
    their display names shown: bot.services.storefront), or None after telling them why not
    (no key, panel error)."""
    stored = await user_key(update, context)
    if stored is None:
        return None
    services = get_services(context)
    try:
        full = await waiting.call(services.catalogue.get(stored.key))
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
        return None
    flow(context).currency = full.currency
    return storefront(full, ShopRules.of(await services.console.current()))


async def load_favourites(update: Update, context: Context) -> tuple[Starred, ...]:
    """The customer's favourites, read again (the list and the star show them as they are)."""
    assert update.effective_user is not None
    current = flow(context)
    starred = await get_services(context).repository.favourites(update.effective_user.id)
    current.favourites = tuple(starred)
    return current.favourites
