"""Conversations and user data kept in the database: a half-filled order survives a restart
(even kill -9) and continues on another process.

- `DatabasePersistence` is python-telegram-bot's persistence for user_data and the
  conversations' states, backed by storage.persistence (one row per user: user_data pickled,
  the conversations' states and last activity as JSON).
- Write-through: PTB flushes a persistence only every `update_interval` seconds; here each
  user's state is written after each of their updates (`turn`, run by bot.updates'
  PerUserUpdateProcessor), before their next one is handled, and only when it changed. PTB's
  own interval flush then has nothing left to do (its update_* calls are no-ops).
- Read-through (PostgreSQL, where several processes may serve one user): before each update
  the user's advisory lock is taken (held until their state is written back; without it the
  update fails — it is never handled unlocked), and their state is read again when another
  process changed it. On SQLite (one process) the state is read once, on the user's first
  update: memory is the truth. Every write is conditional on the version read: a state
  changed elsewhere meanwhile is never overwritten (logged, and read again next turn).
- Redeliveries (PostgreSQL, and webhook mode on SQLite: Telegram posts an update again after
  a timeout): the ids of the user's last 16 handled updates are kept in their row, and an
  update whose id is among them is skipped. An exact match, not "not newer": Telegram's ids
  may restart lower (a week of silence, a new token) and are ordered per chat, not per user.
  In polling mode on SQLite nothing is redelivered: no id kept, no write for an update that
  changed nothing.
- user_data is pickled and sealed with the repository's keyring (Fernet: authenticated), so
  only what a bot holding ENCRYPTION_KEY wrote is ever unpickled; a row no key opens is
  dropped with a warning (the customer gets the expired answer).
- Expiry across restarts and processes: PTB's conversation_timeout is a job in one process's
  memory, lost on restart. Instead each conversation's last activity is kept with its state:
  an update for a conversation idle past CONVERSATION_TIMEOUT_SECONDS ends it first (its
  TIMEOUT handlers tell the customer), and a periodic sweep ends the idle ones nobody returns
  to; a process claims an idle row (one conditional UPDATE) before ending it, so the message
  goes out once.

PTB keeps a ConversationHandler's states in its private `_conversations` (keyed by
`_get_key`); `PersistentConversation` is the one place that reads and writes it here.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pickle
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, TypeVar

from telegram import Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    BasePersistence,
    CallbackContext,
    ConversationHandler,
    PersistenceInput,
)

from bot.updates import MAX_CONCURRENT_UPDATES
from storage.base import StorageUnavailable
from storage.persistence import (
    KEEP,
    LOCK_CONNECTIONS,
    RECENT_UPDATES,
    Keep,
    StaleState,
    StoredState,
    UserStateStore,
)

logger = logging.getLogger(__name__)

SWEEP_JOB = "conversation-sweep"
SWEEP_EVERY_SECONDS = 60  # at most; a quarter of the timeout when that is shorter
SWEEP_BATCH = 100
SWEEP_CONCURRENCY = 8  # idle users ended at once: one whose turn waits holds up no other
# A state that cannot be stored (user_data that does not pickle) is logged once an hour per
# user, not at every update.
WARN_EVERY_SECONDS = 3600
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
CCT = TypeVar("CCT", bound="CallbackContext[Any, Any, Any, Any]")
ConversationKey = tuple[int | str, ...]  # as PTB builds it: (chat id, user id)
Entry = tuple[ConversationKey, object, float]  # key, state, last activity (Unix time)


class PersistentConversation(ConversationHandler[CCT]):
    """A ConversationHandler (built with persistent=True and a name) kept by
    DatabasePersistence, with each conversation's last activity (wall clock: it means the same
    in another process and after a restart). No conversation_timeout: DatabasePersistence ends
    idle conversations (its TIMEOUT handlers still say so). No __init__ of its own, so PTB's
    construction warnings still name the module that builds it."""

    @cached_property
    def active_at(self) -> dict[ConversationKey, float]:
        return {}

    @cached_property
    def _keys(self) -> dict[int, set[ConversationKey]]:
        """Every key seen, per user (PTB's dict is keyed by (chat, user) only)."""
        return {}

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: AnyApplication,
        check_result: Any,
        context: CCT,
    ) -> object | None:
        key: ConversationKey = check_result[1]
        try:
            return await super().handle_update(update, application, check_result, context)
        finally:
            self.active_at[key] = time.time()
            self._keys.setdefault(int(key[-1]), set()).add(key)

    @staticmethod
    def _user_of(key: ConversationKey) -> int:
        return int(key[-1])  # per_user: the user's id is the key's last part

    def entries(self, user_id: int) -> list[Entry]:
        """The user's open conversations (PTB's private `_conversations`, read here only)."""
        keys = self._keys.get(user_id)
        if not keys:
            return []
        found: list[Entry] = []
        for key in list(keys):
            state = self._conversations.get(key)
            if state is None:
                keys.discard(key)
                self.active_at.pop(key, None)
                continue
            found.append((key, state, self.active_at.get(key) or time.time()))
        if not keys:
            del self._keys[user_id]
        return found

    def restore(self, user_id: int, entries: list[Entry]) -> None:
        """Replace the user's conversations with the stored ones (in place)."""
        for key in self._keys.pop(user_id, set()):
            self._conversations.pop(key, None)
            self.active_at.pop(key, None)
        for key, state, active_at in entries:
            self._conversations[key] = state
            self.active_at[key] = active_at
            self._keys.setdefault(user_id, set()).add(key)

    def end(self, key: ConversationKey) -> None:
        self._conversations.pop(key, None)
        self.active_at.pop(key, None)


@dataclass(frozen=True)
class _Known:
    """What this process last read or wrote for a user."""

    version: int | None
    digest: bytes
    conversations: str | None
    updates: tuple[int, ...] = ()  # the last handled update ids (where redeliveries happen)


NOTHING_KNOWN = _Known(None, b"", None)


class UnreadableState(Exception):
    """A stored state this version of the bot cannot read (a class renamed since, say)."""


def _digest(blob: bytes | None) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest() if blob else b""


def _stand_in(chat_id: int, user_id: int) -> Update:
    """An update naming the conversation's chat and user, for its TIMEOUT handlers when no
    update of the user is at hand (the sweep)."""
    kind = ChatType.PRIVATE if chat_id == user_id else ChatType.GROUP
    message = Message(
        message_id=0,
        date=datetime.now(UTC),
        chat=Chat(chat_id, kind),
        from_user=User(user_id, "", is_bot=False),
    )
    return Update(update_id=0, message=message)


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self, store: UserStateStore, timeout_seconds: float, redeliveries: bool = False
    ) -> None:
        """`redeliveries`: updates may come again (webhook mode); on PostgreSQL always."""
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
        )
        self._store = store
        self._timeout = timeout_seconds
        self._application: AnyApplication | None = None
        self._known: dict[int, _Known] = {}
        self._rewrite: set[int] = set()
        self._track = redeliveries or store.shared_database
        self._warned: dict[int, float] = {}

    @property
    def max_turns(self) -> int:
        """Users handled at once (bot.updates): on PostgreSQL each holds a lock connection, so
        no more than the lock pool has — a turn never waits for one."""
        if self._store.shared_database:
            return min(MAX_CONCURRENT_UPDATES, LOCK_CONNECTIONS)
        return MAX_CONCURRENT_UPDATES

    def attach(self, application: AnyApplication) -> None:
        """The application whose user_data and conversations are kept."""
        self._application = application

    @property
    def application(self) -> AnyApplication:
        assert self._application is not None, "attach() the application first"
        return self._application

    def _conversations(self) -> Iterator[PersistentConversation[Any]]:
        for group in self.application.handlers.values():
            for handler in group:
                if isinstance(handler, PersistentConversation):
                    yield handler

    # --- one user's turn (bot.updates.PerUserUpdateProcessor) --------------------------------

    @asynccontextmanager
    async def turn(self, update: Update, fresh: bool) -> AsyncIterator[bool]:
        """Around the handling of one of the user's updates (`fresh`: a delivered update, not
        a follow-up task of an earlier one): the user's state is current before (yields
        False for an update already handled: skip it) and written back after.
        StorageUnavailable (PostgreSQL: the user's lock or state cannot be had): the update is
        not handled (webhook: Telegram delivers it again; polling: the user is asked to try
        again)."""
        assert update.effective_user is not None
        user_id = update.effective_user.id
        async with self._store.user_turn(user_id):
            await self._read(user_id)
            known = self._known.get(user_id)
            if fresh and self._track and known and update.update_id in known.updates:
                logger.info("Update %s was handled already; skipped", update.update_id)
                yield False
                return
            if fresh:
                await self._expire(user_id, update)
            try:
                yield True
            finally:
                await self._write(user_id, update.update_id if fresh and self._track else None)

    async def _read(self, user_id: int) -> None:
        """The user's stored state into memory, unless memory has it already (SQLite: after
        their first update; PostgreSQL: unless another process wrote it since)."""
        known = self._known.get(user_id)
        shared = self._store.shared_database
        if known is not None and not shared:
            return
        try:
            stored = await self._store.user_state(user_id)
        except StorageUnavailable:
            if shared:
                raise  # not handled blind: it may have been handled, or changed, elsewhere
            return  # SQLite: handled with what memory holds
        if stored is None:
            if known is None or known.version is not None:
                self._apply(user_id, {}, {})
            self._known[user_id] = NOTHING_KNOWN
            return
        if known is not None and known.version == stored.version:
            return  # this process wrote it last: memory is current (objects kept)
        try:
            data, entries = self._decode(stored)
        except UnreadableState as error:
            logger.warning("User %s: stored conversation state dropped (%s)", user_id, error)
            self._apply(user_id, {}, {})
            self._known[user_id] = _Known(None, b"", None, stored.recent_updates)
            with suppress(StorageUnavailable, StaleState):
                version = await self._store.save_user_state(
                    user_id,
                    data=None,
                    conversations=None,
                    idle_since=None,
                    recent_updates=stored.recent_updates,
                    expected_version=stored.version,
                )
                self._known[user_id] = _Known(version, b"", None, stored.recent_updates)
            return
        self._apply(user_id, data, entries)
        self._known[user_id] = _Known(
            stored.version, _digest(stored.data), stored.conversations, stored.recent_updates
        )

    @staticmethod
    def _decode(stored: StoredState) -> tuple[dict[Any, Any], dict[str, list[Entry]]]:
        if stored.unreadable is not None:
            raise UnreadableState(stored.unreadable)
        try:
            data = pickle.loads(stored.data) if stored.data else {}
            raw = json.loads(stored.conversations) if stored.conversations else {}
            entries = {
                name: [(tuple(key), state, float(active)) for key, state, active in rows]
                for name, rows in raw.items()
            }
        except Exception as error:  # whatever an old or damaged row raises
            raise UnreadableState(type(error).__name__) from None
        if not isinstance(data, dict):
            raise UnreadableState(type(data).__name__)
        return data, entries

    def _apply(self, user_id: int, data: dict[Any, Any], entries: dict[str, list[Entry]]) -> None:
        held = self.application.user_data[user_id]  # PTB's mapping creates it: mutated in place
        held.clear()
        held.update(data)
        for conversation in self._conversations():
            assert conversation.name is not None
            conversation.restore(user_id, entries.get(conversation.name, []))

    async def _write(self, user_id: int, update_id: int | None) -> None:
        """The user's state, if it changed since last read or written, over the row as read
        (and the update's id where redeliveries happen, so that one is recognised)."""
        known = self._known.get(user_id)
        data = self.application.user_data.get(user_id)
        blob: bytes | Keep | None
        try:
            blob = pickle.dumps(data, pickle.HIGHEST_PROTOCOL) if data else None
            digest = _digest(blob)
        except Exception as error:
            # The rest is still stored (conversation states, update id); the data stays as
            # last stored.
            self._warn(user_id, "user data", type(error).__name__)
            blob, digest = KEEP, known.digest if known else b""
        raw: dict[str, list[Any]] = {}
        for conversation in self._conversations():
            entries = conversation.entries(user_id)
            if entries and conversation.name is not None:
                raw[conversation.name] = [[list(k), s, a] for k, s, a in entries]
        conversations: str | Keep | None
        try:
            conversations = json.dumps(raw, sort_keys=True) if raw else None
        except (TypeError, ValueError) as error:
            self._warn(user_id, "conversation states", type(error).__name__)
            conversations = KEEP
        if isinstance(conversations, Keep):
            written = known.conversations if known else None
        else:
            written = conversations
        idle_since = min((row[2] for rows in raw.values() for row in rows), default=None)
        updates = known.updates if known else ()
        if update_id is not None:
            updates = (*(u for u in updates if u != update_id), update_id)[-RECENT_UPDATES:]
        unchanged = known is not None and known.digest == digest and known.conversations == written
        if unchanged and update_id is None and user_id not in self._rewrite:
            return
        self._rewrite.discard(user_id)
        try:
            version = await self._store.save_user_state(
                user_id,
                data=blob,
                conversations=conversations,
                idle_since=idle_since,
                recent_updates=updates if self._track else (),
                expected_version=known.version if known else None,
            )
        except StaleState:
            # Another process (or this one's sweep) changed it meanwhile: theirs is kept, and
            # read at the user's next update.
            logger.warning("User %s: state changed elsewhere meanwhile; not overwritten", user_id)
            self._known.pop(user_id, None)
            return
        except StorageUnavailable:
            # Kept in memory and written at their next update. What this process knows stays
            # known: re-reading now would bring back the row one step behind what the customer
            # was last shown; a write made elsewhere meanwhile shows as a version change.
            return
        self._known[user_id] = _Known(version, digest, written, updates)

    def _warn(self, user_id: int, what: str, kind: str) -> None:
        """A WARNING at most once an hour per user (DEBUG in between)."""
        now = time.monotonic()
        last = self._warned.get(user_id)
        level = logging.DEBUG
        if last is None or now - last >= WARN_EVERY_SECONDS:
            self._warned[user_id] = now
            level = logging.WARNING
        logger.log(level, "User %s: %s not stored (%s)", user_id, what, kind)

    # --- expiry -------------------------------------------------------------------------------

    async def _expire(self, user_id: int, update: Update | None) -> None:
        """End the user's conversations idle past the timeout, each with its TIMEOUT handlers
        (the customer is told), before anything else of theirs is handled."""
        now = time.time()
        for conversation in self._conversations():
            for key, _state, active_at in conversation.entries(user_id):
                if now - active_at <= self._timeout:
                    continue
                chat = update.effective_chat if update is not None else None
                here = update if update is not None and chat and chat.id == key[0] else None
                await self._time_out(conversation, key, here or _stand_in(int(key[0]), user_id))

    async def _time_out(
        self, conversation: PersistentConversation[Any], key: ConversationKey, update: Update
    ) -> None:
        application = self.application
        conversation.end(key)  # whatever the handlers do, it ends (not told again)
        context = application.context_types.context.from_update(update, application)
        await context.refresh_data()
        for handler in conversation.states.get(ConversationHandler.TIMEOUT, []):
            check = handler.check_update(update)
            if check is None or check is False:
                continue
            try:
                await handler.handle_update(update, application, check, context)
            except Exception as error:
                await application.process_error(update, error)

    async def sweep(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """The periodic job: conversations idle past the timeout are ended with their message,
        by the one process that claims each row."""
        before = time.time() - self._timeout
        try:
            idle = await self._store.idle_user_states(before, SWEEP_BATCH)
        except StorageUnavailable:
            return
        processor = self.application.update_processor
        limit = asyncio.Semaphore(SWEEP_CONCURRENCY)

        async def end_idle(user_id: int, version: int) -> None:
            async with limit:
                try:
                    if not await self._store.claim_idle_state(user_id, version, before):
                        return  # active again, or another process took it
                except StorageUnavailable:
                    return
                # The claim cleared the row's idle mark: written again whatever the turn finds.
                self._rewrite.add(user_id)
                # As one of the user's updates: after any of theirs in progress, before the
                # next.
                try:
                    await processor.process_update(
                        _stand_in(user_id, user_id), self._expire(user_id, None)
                    )
                except StorageUnavailable:
                    logger.warning("User %s: idle conversation not ended now", user_id)

        await asyncio.gather(*(end_idle(user_id, version) for user_id, version in idle))

    def schedule(self, application: AnyApplication) -> None:
        """Register the sweep once, by name."""
        for conversation in self._conversations():
            if not (conversation.persistent and conversation.per_user) or conversation.per_message:
                raise ValueError(f"conversation {conversation.name}: persistent, per user")
        assert application.job_queue is not None
        every = min(SWEEP_EVERY_SECONDS, self._timeout / 4)
        application.job_queue.run_repeating(
            self.sweep,
            interval=every,
            first=every,
            name=SWEEP_JOB,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )

    # --- BasePersistence ----------------------------------------------------------------------
    # Users' states are read on their first update (bot.updates), not all at start-up, and
    # written after each update (`turn`): PTB's interval flush has nothing to add — and on
    # PostgreSQL its copy could be older than another process's newer state.

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        return {}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        self._known.pop(user_id, None)
        await self._store.drop_user_state(user_id)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None  # read before the update, with the conversations (`turn`)

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        await self._store.close_user_locks()
