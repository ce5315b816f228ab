"""Broadcasts: the operator's message checked, previewed with the very call users get, and
delivered in the background to every active user, at most once each, even across kill -9.

Crash safety, the rule every step follows: a delivery row is claimed (pending → sending,
committed) before its message goes, and a claimed row is never sent again. A crash between the
claim and Telegram's answer leaves the row 'sending'; the resumed delivery (started at the
bot's start for every broadcast still 'sending') turns such rows into 'unconfirmed' and never
sends them: at most once, and the report says how many cannot be confirmed. The window is
one message per slot in flight (`IN_FLIGHT`), not a batch: rows are read a batch at a time,
but claimed one at a time, right before their send.

Pace: one send every 1/`MESSAGES_PER_SECOND` s, at most `IN_FLIGHT` waiting for Telegram's
answer; each recipient gets one message, so Telegram's one-a-second-per-chat limit is never
near. PTB's AIORateLimiter (bot/app.py, 30/s overall) stays in front: customers' replies and
status pushes share it, and the 5 msg/s left over are theirs. The delivery runs as its own
task (never in an update's), so customers' updates are never held up by it.

Database work per recipient: one claim (a primary-key UPDATE); the batch read, the outcomes
(one UPDATE per kind, and users who blocked the bot marked inactive; written every
`OUTCOMES_AT_ONCE` sends or progress tick) and the progress counts are one query per batch or
per tick. A kill -9 thus leaves 'unconfirmed' the IN_FLIGHT rows and the outcomes not written
yet (about OUTCOMES_AT_ONCE): most of those did arrive; none is sent again.

Several processes on one database: a broadcast is delivered by the process holding its lease
("broadcast:<id>", bot.services.lease), renewed while it sends. Every process tries, every
RENEW_SECONDS, to resume the broadcasts still 'sending' whose lease is free (its holder died or
stopped), so one delivers it and the others leave it alone; a holder that loses the lease stops
sending as at shutdown. Each row is still claimed on its own (pending → sending, a conditional
UPDATE), so even two deliveries of one broadcast would never send a row twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import texts
from bot.html_check import telegram_html_problem, visible_length, visible_text
from bot.i18n import read_as
from bot.keyboards import console_broadcast as keyboards
from bot.services.lease import RENEW_SECONDS, Lease, Leases
from storage.broadcasts import BroadcastState, DeliveryCounts, DeliveryState, Outcome, Recipient
from storage.models import Broadcast
from storage.repository import Repository, StorageUnavailable

logger = logging.getLogger(__name__)

# Telegram's limits for what a user sees (Bot API: sendMessage / sendPhoto).
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024

# Under Telegram's ~30 messages a second overall: what is left is for customers' replies.
MESSAGES_PER_SECOND = 25
# Sends waiting for Telegram's answer at once (also the most rows a kill -9 leaves unconfirmed).
IN_FLIGHT = 8
# Pending rows read at once.
BATCH = 200
# Outcomes are written once this many are known (or at the progress tick, whichever is first):
# rows sent but not written yet are what a kill -9 leaves 'unconfirmed', besides IN_FLIGHT.
OUTCOMES_AT_ONCE = 25
# The progress message is edited at most this often (and once at the end).
PROGRESS_SECONDS = 2.0
# Telegram's pace for one chat: the report does not follow the operator's own copy sooner.
PER_CHAT_SECONDS = 1.0
# A 429 that outlived PTB's own retries: the message was not taken, so it may be tried again.
FLOOD_ATTEMPTS = 3
# After the database failed: the delivery pauses this long, then goes on.
STORAGE_PAUSE_SECONDS = 2.0
# An unexpected failure of the delivery (a bug): tried again this many times in all, after
# this pause each, then finished as stopped with the final report.
UNEXPECTED_ATTEMPTS = 3
UNEXPECTED_PAUSE_SECONDS = 10.0
# At shutdown, how long sends in flight may take to be answered and recorded.
CLOSE_SECONDS = 5.0


class Problem(StrEnum):
    """Why an operator's message cannot be broadcast (worded by texts.broadcast)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"  # params: length, limit
    BROKEN_HTML = "broken_html"  # params: reason (plain English from bot.html_check)
    PHOTO_TOO_LARGE = "photo_too_large"  # params: size, limit (bytes)
    NOT_TEXT_OR_PHOTO = "not_text_or_photo"


class InvalidBroadcast(ValueError):
    def __init__(self, problem: Problem, **params: Any) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.params = params


@dataclass(frozen=True)
class BroadcastMessage:
    """What every recipient gets: Telegram HTML text, or a photo (file id) with it as caption."""

    text: str
    photo: str | None = None


def check_text(text: str | None) -> BroadcastMessage:
    """An operator's text (Telegram HTML as they typed it), or InvalidBroadcast."""
    return _checked(text, None, MAX_TEXT_LENGTH)


def check_photo(file_id: str, file_size: int | None, caption: str | None) -> BroadcastMessage:
    """A photo (its largest size) with an optional caption, or InvalidBroadcast."""
    if file_size is not None and file_size > MAX_PHOTO_BYTES:
        raise InvalidBroadcast(Problem.PHOTO_TOO_LARGE, size=file_size, limit=MAX_PHOTO_BYTES)
    return _checked(caption, file_id, MAX_CAPTION_LENGTH)


def _checked(text: str | None, photo: str | None, limit: int) -> BroadcastMessage:
    text = (text or "").strip()
    if not text and photo is None:
        raise InvalidBroadcast(Problem.EMPTY)
    problem = telegram_html_problem(text) if text else None
    if problem is not None:
        raise InvalidBroadcast(Problem.BROKEN_HTML, reason=problem)
    length = visible_length(text)
    if photo is None and not visible_text(text).strip():
        raise InvalidBroadcast(Problem.EMPTY)  # markup only: Telegram sees an empty message
    if length > limit:
        raise InvalidBroadcast(Problem.TOO_LONG, length=length, limit=limit)
    return BroadcastMessage(text, photo)


async def send(bot: Bot, chat_id: int, message: BroadcastMessage) -> Message:
    """The one call that puts a broadcast in a chat: the operator's preview and every
    recipient's copy (HTML parse mode from the application's Defaults)."""
    if message.photo is not None:
        return await bot.send_photo(chat_id, message.photo, caption=message.text or None)
    return await bot.send_message(chat_id, message.text)


@dataclass(eq=False)
class _Run:
    """One broadcast being delivered by this process."""

    broadcast_id: int
    lease: Lease
    progress_chat_id: int | None = None
    task: asyncio.Task[None] | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)  # an operator's Stop
    closing: bool = False  # the bot shuts down: resumed at the next start
    outcomes: list[Outcome] = field(default_factory=list)  # not written yet
    answered: deque[float] = field(default_factory=deque)  # loop times of Telegram's answers
    # When the operator's own copy was answered (the report keeps a second away from it).
    own_copy_at: float | None = None

    @property
    def halted(self) -> bool:
        return self.closing or self.stop.is_set()


class BroadcastService:
    """Owns the background deliveries (one task per broadcast being sent)."""

    def __init__(
        self,
        repository: Repository,
        *,
        messages_per_second: int = MESSAGES_PER_SECOND,
        in_flight: int = IN_FLIGHT,
        progress_seconds: float = PROGRESS_SECONDS,
        leases: Leases | None = None,
    ) -> None:
        self._repository = repository
        self._leases = leases or Leases(repository)
        self._per_second = messages_per_second
        self._interval = 1 / messages_per_second
        self._in_flight = in_flight
        self._progress_seconds = progress_seconds
        self._runs: dict[int, _Run] = {}

    # --- what handlers and the application call -------------------------------------------

    async def confirm(
        self,
        bot: Bot,
        broadcast_id: int,
        progress_chat_id: int,
        progress_message_id: int,
        invite_only: bool = False,
        operators: Sequence[int] = (),
    ) -> int | None:
        """The operator confirmed: deliveries created (one transaction), delivery started, its
        progress edited into that message. The number of recipients; None if the broadcast
        is no draft any more (a second tap, discarded)."""
        count = await self._repository.start_broadcast(
            broadcast_id, progress_chat_id, progress_message_id, invite_only, operators
        )
        if count is None:
            return None
        broadcast = await self._repository.get_broadcast(broadcast_id)
        assert broadcast is not None
        lease = self._leases.lease(_lease_name(broadcast_id))
        # Not taken (the database failing just now): the next resume round delivers it.
        if await lease.hold() and broadcast_id not in self._runs:
            self._launch(bot, broadcast, lease, resumed=False)
        return count

    async def stop(self, broadcast_id: int) -> bool:
        """What is still pending is cancelled (sends in flight finish); False if it was not
        being sent. The delivery then writes its final report."""
        stopped = await self._repository.stop_broadcast(broadcast_id)
        run = self._runs.get(broadcast_id)
        if run is not None:
            run.stop.set()
        return stopped

    async def resume(self, bot: Bot) -> int:
        """At start, and every RENEW_SECONDS after: every broadcast still 'sending' that no
        process delivers (its lease is free) goes on where it stopped, here. How many this
        process took up."""
        resumed = 0
        for broadcast in await self._repository.broadcasts_sending():
            assert broadcast.id is not None
            if broadcast.id in self._runs:
                continue
            lease = self._leases.lease(_lease_name(broadcast.id))
            # Checked again after the await: a confirm in this process may have launched it.
            if not await lease.hold() or broadcast.id in self._runs:
                continue
            # A run that ended between the list and the lease released it: not again.
            current = await self._repository.get_broadcast(broadcast.id)
            if current is None or current.state != BroadcastState.SENDING:
                await lease.release()
                continue
            logger.info("Broadcast %s: resuming", broadcast.id)
            self._launch(bot, broadcast, lease, resumed=True)
            resumed += 1
        return resumed

    def running(self) -> list[int]:
        return list(self._runs)

    async def close(self, grace: float = CLOSE_SECONDS) -> None:
        """At shutdown: no new sends; those in flight get `grace` seconds to be answered and
        recorded. Unfinished broadcasts stay 'sending' and resume at the next start."""
        runs = list(self._runs.values())
        for run in runs:
            run.closing = True
            run.stop.set()
        tasks = [run.task for run in runs if run.task is not None]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # --- the delivery ---------------------------------------------------------------------

    def _launch(self, bot: Bot, broadcast: Broadcast, lease: Lease, *, resumed: bool) -> None:
        assert broadcast.id is not None
        run = _Run(broadcast.id, lease, broadcast.progress_chat_id)
        self._runs[broadcast.id] = run
        run.task = asyncio.create_task(
            self._deliver(bot, broadcast, run, resumed), name=f"broadcast-{broadcast.id}"
        )

    async def _deliver(self, bot: Bot, broadcast: Broadcast, run: _Run, resumed: bool) -> None:
        """The delivery; an unexpected failure (a bug, not the database or Telegram, which are
        handled where they happen) is logged and the delivery tried again from where it
        stopped, after a pause; after UNEXPECTED_ATTEMPTS it is finished as stopped, with the
        final report, rather than left 'sending' with a frozen progress message."""
        keeper = asyncio.create_task(self._keep_lease(run))
        try:
            await self._reader_for(broadcast)
            for attempt in range(1, UNEXPECTED_ATTEMPTS + 1):
                try:
                    await self._attempt(bot, broadcast, run, resumed or attempt > 1)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception(
                        "Broadcast %s: delivery failed (attempt %s of %s)",
                        run.broadcast_id,
                        attempt,
                        UNEXPECTED_ATTEMPTS,
                    )
                if run.closing:
                    return
                if attempt < UNEXPECTED_ATTEMPTS:
                    await self._pause(run, UNEXPECTED_PAUSE_SECONDS)
            await self._give_up(bot, broadcast, run)
        finally:
            keeper.cancel()
            kept = (await asyncio.gather(keeper, return_exceptions=True))[0]
            if isinstance(kept, Exception):
                logger.warning("Broadcast %s: lease keeper failed: %r", run.broadcast_id, kept)
            self._runs.pop(run.broadcast_id, None)
            await run.lease.release()  # finished, or stopped: another process may go on now

    @staticmethod
    async def _keep_lease(run: _Run) -> None:
        """Renew the delivery's lease; once it is lost (another process took it over after
        this one could not renew it), stop sending, as at shutdown."""
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            if not await run.lease.hold():
                logger.warning("Broadcast %s: lease lost; delivery stops here", run.broadcast_id)
                run.closing = True
                run.stop.set()
                return

    async def _attempt(self, bot: Bot, broadcast: Broadcast, run: _Run, resumed: bool) -> None:
        if resumed:  # rows claimed before (a crash, a failed attempt) are never sent again
            await self._retry_storage(lambda: self._flush(run), run)
            await self._retry_storage(
                lambda: self._repository.unconfirm_claimed(run.broadcast_id), run
            )
        progress = asyncio.create_task(self._show_progress(bot, broadcast, run))
        try:
            message = BroadcastMessage(broadcast.text, broadcast.photo_file_id)
            await self._send_all(bot, message, run)
        finally:
            progress.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await progress
        await self._retry_storage(lambda: self._flush(run), run)
        if run.closing:
            return
        state = await self._retry_storage(
            lambda: self._repository.finish_broadcast(run.broadcast_id), run
        )
        await self._final_report(bot, broadcast, state, run)

    async def _give_up(self, bot: Bot, broadcast: Broadcast, run: _Run) -> None:
        """The delivery keeps failing: what is pending is cancelled, the broadcast finished as
        stopped, the operator gets the final report (each step tried even if one fails)."""
        logger.error(
            "Broadcast %s: stopped after %s failed attempts", run.broadcast_id, UNEXPECTED_ATTEMPTS
        )
        state: str | None = None
        for step in (
            lambda: self._flush(run),
            lambda: self._repository.stop_broadcast(run.broadcast_id),
            lambda: self._repository.unconfirm_claimed(run.broadcast_id),
        ):
            try:
                await step()
            except Exception:
                logger.exception("Broadcast %s: not stopped cleanly", run.broadcast_id)
        try:
            state = await self._repository.finish_broadcast(run.broadcast_id)
            await self._final_report(bot, broadcast, state, run)
        except Exception:
            logger.exception("Broadcast %s: final report not sent", run.broadcast_id)

    async def _reader_for(self, broadcast: Broadcast) -> None:
        """The progress and the report are read by the operator, in their language."""
        chat_id = broadcast.progress_chat_id or broadcast.operator_id
        try:
            settings = await self._repository.reader_settings(chat_id)
        except StorageUnavailable:
            settings = None
        if settings is not None:
            read_as(settings.language, settings.time_zone)

    async def _send_all(self, bot: Bot, message: BroadcastMessage, run: _Run) -> None:
        loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(self._in_flight)
        sends: set[asyncio.Task[None]] = set()
        next_at = loop.time()
        try:
            while not run.halted:
                try:
                    batch = await self._repository.next_recipients(run.broadcast_id, BATCH)
                except StorageUnavailable:
                    await self._pause(run)
                    continue
                if not batch:
                    break
                for recipient in batch:
                    await slots.acquire()
                    await self._wait_for_room(run, len(sends))
                    now = loop.time()
                    if next_at > now:
                        await self._pause(run, next_at - now)
                    next_at = max(now, next_at) + self._interval
                    claimed = False
                    if not run.halted:
                        try:
                            claimed = await self._repository.claim_delivery(recipient.delivery_id)
                        except StorageUnavailable:
                            await self._pause(run)
                    if not claimed:
                        slots.release()
                        if run.halted:
                            break
                        continue
                    task = asyncio.create_task(self._send_one(bot, message, recipient, run))
                    sends.add(task)
                    task.add_done_callback(sends.discard)
                    task.add_done_callback(lambda _: slots.release())
            if sends:
                await asyncio.wait(set(sends))
        finally:
            for task in sends:
                task.cancel()

    async def _wait_for_room(self, run: _Run, in_flight: int) -> None:
        """Telegram counts a message when it arrives, which is before its answer: the sends
        in flight plus those answered in the last second bound what it saw in any second.
        Kept under `messages_per_second` (spacing alone is not enough: a stall in between
        releases a burst)."""
        loop = asyncio.get_running_loop()
        while not run.halted:
            now = loop.time()
            while run.answered and run.answered[0] <= now - 1.0:
                run.answered.popleft()
            if in_flight + len(run.answered) < self._per_second:
                return
            wait = run.answered[0] + 1.0 - now if run.answered else self._interval
            await self._pause(run, max(wait, 0.001))

    async def _send_one(
        self, bot: Bot, message: BroadcastMessage, recipient: Recipient, run: _Run
    ) -> None:
        state = DeliveryState.FAILED
        for _attempt in range(FLOOD_ATTEMPTS):
            try:
                await send(bot, recipient.user_id, message)
                state = DeliveryState.SENT
            except Forbidden:
                state = DeliveryState.BLOCKED
            except BadRequest as error:
                logger.info("Broadcast %s: refused for one chat: %s", run.broadcast_id, error)
                state = DeliveryState.FAILED
            except RetryAfter as error:  # not taken: it may go again, once the wait is over
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except NetworkError:  # a timeout or a lost connection: it may have arrived
                state = DeliveryState.UNCONFIRMED
            except TelegramError as error:
                logger.info("Broadcast %s: not sent: %s", run.broadcast_id, error)
                state = DeliveryState.FAILED
            except Exception:  # a bug: the message may have gone; never sent again
                logger.exception("Broadcast %s: send failed unexpectedly", run.broadcast_id)
                state = DeliveryState.UNCONFIRMED
            finally:
                run.answered.append(asyncio.get_running_loop().time())
            break
        if recipient.user_id == run.progress_chat_id:
            run.own_copy_at = asyncio.get_running_loop().time()
        run.outcomes.append(Outcome(recipient.delivery_id, recipient.user_id, state))
        if len(run.outcomes) >= OUTCOMES_AT_ONCE:
            with contextlib.suppress(StorageUnavailable):  # kept for the next write
                await self._flush(run)

    async def _flush(self, run: _Run) -> None:
        outcomes, run.outcomes = run.outcomes, []
        try:
            await self._repository.record_outcomes(outcomes)
        except BaseException:
            run.outcomes[:0] = outcomes  # written with the next ones
            raise

    async def _show_progress(self, bot: Bot, broadcast: Broadcast, run: _Run) -> None:
        """The progress message, edited at once and then at most every PROGRESS_SECONDS."""
        shown = ""
        while True:
            try:
                await self._flush(run)
                counts = await self._repository.delivery_counts(run.broadcast_id)
            except StorageUnavailable:
                counts = None
            if counts is not None:
                text = texts.broadcast.progress(run.broadcast_id, counts)
                if text != shown:
                    stop = keyboards.progress(run.broadcast_id)
                    await self._edit_progress(bot, broadcast, text, stop)
                    shown = text
            await asyncio.sleep(self._progress_seconds)

    async def _final_report(
        self, bot: Bot, broadcast: Broadcast, state: str | None, run: _Run
    ) -> None:
        assert broadcast.id is not None
        counts = await self._repository.delivery_counts(broadcast.id)
        await self._edit_progress(
            bot, broadcast, texts.broadcast.progress(broadcast.id, counts, final_state=state)
        )
        chat_id = broadcast.progress_chat_id or broadcast.operator_id
        if run.own_copy_at is not None:  # one message a second per chat
            await asyncio.sleep(
                run.own_copy_at + PER_CHAT_SECONDS - asyncio.get_running_loop().time()
            )
        try:
            await bot.send_message(chat_id, texts.broadcast.report(broadcast.id, counts, state))
        except TelegramError as error:
            logger.warning("Broadcast %s: report not sent: %s", broadcast.id, error)

    @staticmethod
    async def _edit_progress(
        bot: Bot, broadcast: Broadcast, text: str, markup: Any = None
    ) -> None:
        if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
            return
        try:
            await bot.edit_message_text(
                text,
                chat_id=broadcast.progress_chat_id,
                message_id=broadcast.progress_message_id,
                reply_markup=markup,
            )
        except TelegramError as error:  # "not modified", a deleted message: the report still goes
            logger.debug("Broadcast %s: progress not edited: %s", broadcast.id, error)

    async def _pause(self, run: _Run, seconds: float = STORAGE_PAUSE_SECONDS) -> None:
        """Sleep, cut short by Stop or shutdown."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.stop.wait(), seconds)

    async def _retry_storage(self, work: Any, run: _Run) -> Any:
        """Bookkeeping that must happen: retried while the database is unavailable (until
        shutdown, when the next start picks it up)."""
        while True:
            try:
                return await work()
            except StorageUnavailable:
                if run.closing:
                    raise
                await asyncio.sleep(STORAGE_PAUSE_SECONDS)


def _lease_name(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def _seconds(retry_after: timedelta | float) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


__all__ = [
    "BroadcastMessage",
    "BroadcastService",
    "DeliveryCounts",
    "InvalidBroadcast",
    "Problem",
    "check_photo",
    "check_text",
    "send",
]
