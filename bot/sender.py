"""PushSender: status pushes at Telegram's ceiling, each delivered once, in order per chat.

Telegram lets a bot send about 30 messages a second overall and about one a second to one chat.
The sender keeps both busy at once:

- every chat has a FIFO queue and a *next allowed* time; a heap orders the chats that have
  something to send by that time. A chat that must wait sits in the heap and holds nothing, so
  chats that may send now go first: no slot is ever held through a sleep;
- one dispatcher takes the chat whose time has come, spacing sends `1 /
  OVERALL_MESSAGES_PER_SECOND` apart (no bursts) and keeping the sends in flight plus those
  answered in the last second under `OVERALL_MESSAGES_PER_SECOND`;
- both limits are reckoned from Telegram's *answer*, not from when a request left: a chat's
  next message goes `PER_CHAT_INTERVAL_SECONDS` after the previous one was answered. Telegram
  has a message by the time it answers, so whatever the latency, jitter or a pause in between,
  Telegram never sees more than 30 in any second nor two within a second in one chat. The cost
  is one round trip per second: 30/(1 s + latency), 29.3/s measured against the stand-in;
- a 429 (`RetryAfter`) means Telegram did not take the message: the same message goes back to the
  head of its chat's queue and that chat waits `retry_after`, up to `MAX_SEND_ATTEMPTS` tries (a
  wait over `MAX_RETRY_AFTER_SECONDS` is not sat out). Nothing else is retried, so nothing is
  sent twice: after a timeout Telegram may have the message, so it is FAILED and the caller's
  row stays owed (the notifier's one accepted repeat window, never a loss).

Use: one sender for the application (its per-chat times then span poll cycles and keys)::

    sender = PushSender(application.bot, on_blocked=deactivate)
    ...                                      # while polling is still going on:
    future = sender.submit(user_id, text, markup, on_sent=mark_announced)
    delivery = await future                  # or not: the callbacks do the bookkeeping
    ...
    await sender.close()                     # at shutdown: drains, then stops

or one per batch: `async with PushSender(bot) as sender:` drains when the block ends.

`submit()` is synchronous and returns an `asyncio.Future[Delivery]` at once; sending starts at
the first submit, while the caller goes on finding more. Outcomes:

- SENT: Telegram accepted it and `on_sent()` (async, no arguments) has run. If that raises (e.g.
  the database is locked) it is retried `MARK_ATTEMPTS` times with a short doubling backoff; the
  message is never sent again. `Delivery.marked` says whether the mark finally succeeded.
- BLOCKED: 403 `Forbidden` (the user blocked the bot, deleted the account...). `on_blocked(chat)`
  runs once (retried like a mark); every message for that chat already queued, or submitted
  before `on_blocked` is done, is BLOCKED without a call. A message submitted after that gets a
  real try: the user may have come back (/start).
- FAILED: any other `TelegramError`, or a 429 too often or too long; the caller's row stays owed.

`drain()` waits until every message submitted so far (and during the wait) has its outcome;
`close()` drains and stops; `abort()` stops without waiting (what is in flight may or may not
have arrived; it is not marked, so it stays owed). The `async with` block closes on success and
aborts on an exception.

PTB's `AIORateLimiter` (bot/app.py: 30/s overall, 5 retries on a 429) stays in front of pushes
on purpose: it is the gate interactive replies and pushes share, so together they stay under
Telegram's 30/s. Measured against the limit-enforcing stand-in (1,000 messages for 100 chats):
with no 429, the rate is the same with and without it (29.3/s both; the sender paces evenly, so
the limiter's bucket never fills). The limits did stack badly on a 429 while this sender paced
from send times: PTB answers a 429 by pausing *every* request for `retry_after`, then releases
what piled up at once; that burst broke the limits again and cascaded (5 forced 429s: 96
further 429s, 24.1 msg/s). Pacing from answers removed it: the same run now has no further 429
(27.8 msg/s, the pause itself being the cost), and the test suite checks it. PTB's retry comes
first (the sender only sees a 429 after PTB's 5 retries; Telegram refused each, so still no
double send); a `Bot` without a limiter gets the sender's per-chat retry alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import TracebackType

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

logger = logging.getLogger(__name__)

# Telegram's broadcast limits (Bots FAQ: "My bot is hitting limits, how do I avoid this?").
OVERALL_MESSAGES_PER_SECOND = 30
PER_CHAT_INTERVAL_SECONDS = 1.0
OVERALL_WINDOW_SECONDS = 1.0
# 429s for one message before it is given up (FAILED, still owed).
MAX_SEND_ATTEMPTS = 5
# A longer flood wait is not sat out inside one cycle.
MAX_RETRY_AFTER_SECONDS = 60.0
# on_sent / on_blocked: tries, and the first pause between them (doubling).
MARK_ATTEMPTS = 5
MARK_BACKOFF_SECONDS = 0.2

# A long-lived sender looks for idle chats to forget once it knows this many (then twice as many).
SWEEP_MIN_CHATS = 1000

OnSent = Callable[[], Awaitable[object]]
OnBlocked = Callable[[int], Awaitable[object]]


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    chat_id: int
    outcome: Outcome
    message_id: int | None = None  # Telegram's id of the sent message
    marked: bool = False  # SENT and on_sent (if any) finally succeeded
    error: str | None = None  # why it was BLOCKED or FAILED


@dataclass(eq=False)
class _Push:
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    on_sent: OnSent | None
    future: asyncio.Future[Delivery]
    attempts: int = 0


@dataclass(eq=False)
class _Chat:
    chat_id: int
    queue: deque[_Push] = field(default_factory=deque)
    next_at: float = 0.0  # loop time from which this chat may be sent to again
    waiting: bool = False  # in the ready heap
    sending: bool = False  # one of its messages is in flight
    blocked: bool = False


class PushSender:
    """Sends pushes at Telegram's limits; see the module docstring."""

    def __init__(
        self,
        bot: Bot,
        *,
        on_blocked: OnBlocked | None = None,
        messages_per_second: float = OVERALL_MESSAGES_PER_SECOND,
        per_chat_interval: float = PER_CHAT_INTERVAL_SECONDS,
        max_attempts: int = MAX_SEND_ATTEMPTS,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
        mark_attempts: int = MARK_ATTEMPTS,
        mark_backoff: float = MARK_BACKOFF_SECONDS,
    ) -> None:
        self._bot = bot
        self._on_blocked = on_blocked
        self._spacing = 1 / messages_per_second
        self._per_chat_interval = per_chat_interval
        self._max_attempts = max_attempts
        self._max_retry_after = max_retry_after
        self._mark_attempts = mark_attempts
        self._mark_backoff = mark_backoff
        self._per_second = max(int(messages_per_second), 1)
        self._in_flight = 0
        self._answered: deque[float] = deque()  # answer times of the last second's sends
        self._chats: dict[int, _Chat] = {}
        self._sweep_at = SWEEP_MIN_CHATS
        self._ready: list[tuple[float, int, _Chat]] = []  # (allowed at, tie-break, chat)
        self._order = itertools.count()
        self._next_send_at = 0.0
        self._wake = asyncio.Event()
        self._pending: set[asyncio.Future[Delivery]] = set()
        self._sends: set[asyncio.Task[object]] = set()  # HTTP calls in flight
        self._marks: set[asyncio.Task[object]] = set()  # on_sent / on_blocked callbacks
        self._dispatcher: asyncio.Task[None] | None = None
        self._closed = False

    # --- public -----------------------------------------------------------------------------

    def submit(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        on_sent: OnSent | None = None,
    ) -> asyncio.Future[Delivery]:
        """Queue one message for `chat_id`; sent after the chat's earlier ones, never twice."""
        if self._closed:
            raise RuntimeError("PushSender is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Delivery] = loop.create_future()
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= self._sweep_at:
                self._forget_idle_chats(loop.time())
            chat = self._chats[chat_id] = _Chat(chat_id)
        if chat.blocked:
            future.set_result(Delivery(chat_id, Outcome.BLOCKED, error="blocked just now"))
            return future
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        chat.queue.append(_Push(chat_id, text, markup, on_sent, future))
        self._schedule(chat)
        if self._dispatcher is None:
            self._dispatcher = loop.create_task(self._dispatch(), name="push-sender")
        return future

    def _forget_idle_chats(self, now: float) -> None:
        """A long-lived sender forgets chats with nothing queued whose second has passed.
        Amortised O(1) per new chat."""
        self._chats = {
            chat_id: chat
            for chat_id, chat in self._chats.items()
            if chat.queue or chat.sending or chat.waiting or chat.blocked or chat.next_at > now
        }
        self._sweep_at = 2 * len(self._chats) + SWEEP_MIN_CHATS

    @property
    def pending(self) -> int:
        """Messages submitted whose outcome is not known yet."""
        return len(self._pending)

    async def drain(self) -> None:
        """Wait until every submitted message has its outcome and every callback is done."""
        while self._pending or self._marks:
            await asyncio.gather(*self._pending, *self._marks, return_exceptions=True)

    async def close(self) -> None:
        """Drain, then stop; later submits raise."""
        await self.drain()
        self._closed = True
        await self._stop_dispatcher()

    async def abort(self) -> None:
        """Stop now: queued messages are cancelled; sends in flight are cancelled (they may or
        may not have arrived, and are not marked); marks already running finish."""
        self._closed = True
        await self._stop_dispatcher()
        for chat in self._chats.values():
            for push in chat.queue:
                push.future.cancel()
            chat.queue.clear()
        sends = list(self._sends)
        for task in sends:
            task.cancel()
        await asyncio.gather(*sends, return_exceptions=True)
        for future in list(self._pending):
            future.cancel()
        await asyncio.gather(*self._marks, return_exceptions=True)

    async def __aenter__(self) -> PushSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            await self.close()
        else:
            await self.abort()

    # --- scheduling ---------------------------------------------------------------------------

    def _schedule(self, chat: _Chat) -> None:
        """Put a chat with something to send in the ready heap (once)."""
        if chat.queue and not chat.waiting and not chat.sending and not chat.blocked:
            chat.waiting = True
            heapq.heappush(self._ready, (chat.next_at, next(self._order), chat))
            self._wake.set()

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._wake.clear()
                if not self._ready:
                    await self._wake.wait()
                    continue
                allowed_at, _, chat = self._ready[0]
                now = loop.time()
                start = max(allowed_at, self._next_send_at, self._window_opens(now))
                if start > now:
                    # Sleep until then, unless a chat that may go sooner turns up or a send
                    # in flight ends (the window can then be reckoned).
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(None if start == math.inf else start - now):
                            await self._wake.wait()
                    continue
                heapq.heappop(self._ready)
                chat.waiting = False
                if not chat.queue or chat.blocked:
                    continue
                self._next_send_at = max(now, self._next_send_at) + self._spacing
                self._in_flight += 1
                chat.sending = True
                self._start(self._send(chat, chat.queue.popleft()), self._sends)
        except Exception:  # a bug here must not leave callers waiting forever
            logger.exception("Push sender stopped")
            for chat in self._chats.values():
                while chat.queue:
                    push = chat.queue.popleft()
                    self._resolve(push, Outcome.FAILED, error="sender stopped")
            raise

    def _window_opens(self, now: float) -> float:
        """When one more send fits the overall limit: sends in flight and sends answered in
        the last second must stay under `messages_per_second` (math.inf: when one answers)."""
        recent = self._answered
        while recent and recent[0] <= now - OVERALL_WINDOW_SECONDS:
            recent.popleft()
        excess = len(recent) + self._in_flight - (self._per_second - 1)
        if excess <= 0:
            return now
        if excess <= len(recent):
            return recent[excess - 1] + OVERALL_WINDOW_SECONDS
        return math.inf

    async def _stop_dispatcher(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
            self._dispatcher = None

    @staticmethod
    def _start(work: Coroutine[object, object, object], tasks: set[asyncio.Task[object]]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    # --- one send -------------------------------------------------------------------------------

    async def _send(self, chat: _Chat, push: _Push) -> None:
        loop = asyncio.get_running_loop()
        try:
            try:
                message = await self._bot.send_message(
                    push.chat_id, push.text, reply_markup=push.markup
                )
            finally:
                # Telegram got it at the latest now: the chat's second and the overall window
                # are reckoned from here, whatever the latency or a pause in between.
                answered = loop.time()
                self._in_flight -= 1
                self._answered.append(answered)
                chat.next_at = answered + self._per_chat_interval
                self._wake.set()
        except RetryAfter as flood:
            push.attempts += 1
            wait = _seconds(flood.retry_after)
            chat.next_at = max(chat.next_at, answered + wait)
            if push.attempts < self._max_attempts and wait <= self._max_retry_after:
                logger.info("Flood control for chat %s: retrying in %.1f s", chat.chat_id, wait)
                chat.queue.appendleft(push)
            else:
                logger.warning(
                    "Push to chat %s refused %s times (retry after %.0f s); it stays owed",
                    chat.chat_id,
                    push.attempts,
                    wait,
                )
                self._resolve(push, Outcome.FAILED, error=str(flood))
        except Forbidden as error:
            logger.info("Chat %s refuses messages (%s)", chat.chat_id, error.message)
            chat.blocked = True
            self._resolve(push, Outcome.BLOCKED, error=error.message)
            while chat.queue:
                self._resolve(chat.queue.popleft(), Outcome.BLOCKED, error=error.message)
            self._start(self._handle_block(chat), self._marks)
        except TelegramError as error:
            logger.warning("Push to chat %s failed (%s); it stays owed", chat.chat_id, error)
            self._resolve(push, Outcome.FAILED, error=str(error))
        except Exception as error:  # never leave the caller waiting on a bug
            logger.exception("Push to chat %s failed", chat.chat_id)
            self._resolve(push, Outcome.FAILED, error=repr(error))
        else:
            self._start(self._mark(push, message.message_id), self._marks)
        finally:
            chat.sending = False
            self._schedule(chat)

    async def _handle_block(self, chat: _Chat) -> None:
        """Run on_blocked; until it is done, new messages for the chat are refused too (the
        caller is still recording that the user is gone). Later ones get a real try: the
        user may come back."""
        try:
            if self._on_blocked is not None:
                on_blocked = self._on_blocked
                await self._retry(lambda: on_blocked(chat.chat_id), f"block of {chat.chat_id}")
        finally:
            chat.blocked = False

    async def _mark(self, push: _Push, message_id: int) -> None:
        marked = True
        if push.on_sent is not None:
            marked = await self._retry(push.on_sent, f"mark of a push to {push.chat_id}")
        self._resolve(push, Outcome.SENT, message_id=message_id, marked=marked)

    async def _retry(self, callback: Callable[[], Awaitable[object]], what: str) -> bool:
        """Run a bookkeeping callback, retrying with backoff; the message is never re-sent."""
        pause = self._mark_backoff
        for attempt in range(1, self._mark_attempts + 1):
            try:
                await callback()
            except Exception as error:
                if attempt == self._mark_attempts:
                    logger.error("The %s failed %s times, giving up: %r", what, attempt, error)
                    return False
                logger.warning("The %s failed (%r); retrying in %.1f s", what, error, pause)
                await asyncio.sleep(pause)
                pause *= 2
            else:
                return True
        return False

    @staticmethod
    def _resolve(
        push: _Push,
        outcome: Outcome,
        *,
        message_id: int | None = None,
        marked: bool = False,
        error: str | None = None,
    ) -> None:
        if not push.future.done():
            push.future.set_result(Delivery(push.chat_id, outcome, message_id, marked, error))


def _seconds(retry_after: timedelta | float) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
