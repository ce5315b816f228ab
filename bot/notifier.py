"""The status poller: reads what is not final yet, stores changes, pushes them to their owners.

Order of work, and why nothing is lost or repeated:
1. **store** — a status read from the panel is written to its row (`status_raw`) at once;
2. **send** — every row whose `status_raw` differs from `announced_status` is owed a message;
3. **mark** — right after Telegram accepts the message, `announced_status` is set to the status
   that message told.
A crash (even `kill -9`) between 1 and 2 leaves the row owed, so the next cycle after the
restart sends it: never lost. After 3 the row is no longer owed: never repeated (a mark that
fails on a busy database is retried; it never causes a second send). The only window for a
repeat is a crash, or a database down for good, between Telegram's answer and the commit of
step 3 (or a send that timed out after Telegram got it); we accept that over the alternative
(marking first), which would lose the message instead. Muted users' rows are marked without
sending, so unmuting does not replay old news.

Streaming: every key is polled on its own task and its users are told as soon as its answers
are stored; pushes go through one PushSender (bot.sender) at Telegram's limits, several changes
of one user packed into one message (bot.pushes).

Several processes on one database: the job runs in each, but a cycle runs only in the process
holding the "poller" lease (bot.services.lease; tried at every cycle and every RENEW_SECONDS,
so a dead holder is replaced within a minute). A holder that loses it stops between keys. At
such a hand-over a key already being polled by the old holder may be polled by the new one as
well: storing the same answers twice is harmless, and telling is guarded per user — on a shared
database (PostgreSQL) a process tells a user only under that user's "push:<id>" lease, reading
what is owed after taking it, and marks with a compare-and-set, so a change is told once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence, Set
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot import callback, texts
from bot.context import BotServices, app_services
from bot.i18n import reading_as
from bot.panel import (
    FINAL_STATE_VALUES,
    InvalidKey,
    ItemError,
    OrderState,
    OrderStatus,
    PanelError,
    TaskStatus,
    normalize_state,
)
from bot.panel.client import MAX_IDS_PER_CALL
from bot.pushes import PushItem, submit_pushes
from bot.sender import Delivery, Outcome, PushSender
from bot.services.health import CallCount, counting_calls
from bot.services.lease import RENEW_SECONDS, Lease
from bot.services.stats import POLL_CYCLE, poll_cycle_record
from storage.models import Order, PanelTask, TaskKind, utcnow
from storage.repository import (
    Announcement,
    News,
    OrderChange,
    PolledKey,
    ReaderSettings,
    Repository,
    StorageUnavailable,
    TaskChange,
    WatchedOrder,
    WatchedTask,
)

logger = logging.getLogger(__name__)

JOB_NAME = "status-poll"
LEASE_JOB_NAME = "status-poll-lease"
POLLER_LEASE = "poller"
# How long one process may take to tell one user (a pack of messages at one a second per chat,
# flood waits included) before another process may tell them what is still owed.
PUSH_CLAIM_SECONDS = 180.0
_Result = TypeVar("_Result", OrderStatus | ItemError, TaskStatus | ItemError)


# A key's poll (all its chunks, retries included) that runs longer than this is abandoned for
# this cycle; its rows are asked again next cycle.
KEY_DEADLINE_FACTOR = 3
# Keys polled at the same time (at least twice PANEL_CONCURRENCY, so the panel slots stay busy).
KEYS_AT_ONCE = 16
# At shutdown, how long the keys being polled may take to finish (their answers stored and
# told); no new key is started meanwhile. Past it they are stopped and asked after the restart.
SHUTDOWN_POLL_SECONDS = 5
# At shutdown, how long messages already queued may take to go out.
SHUTDOWN_DRAIN_SECONDS = 5
# The push log (the console's "pushes in 24 h") loses its rows older than a week this often.
PUSH_LOG_PRUNE_SECONDS = 3600


class StatusNotifier:
    """Streams: each key is polled on its own, and its users are told as soon as its answers
    are stored, whatever the other keys are doing. A key whose previous poll is still running
    is skipped (not queued); the cycle lock only covers listing and launching the keys."""

    def __init__(self) -> None:
        self._cycle = asyncio.Lock()
        self._in_flight: set[str] = set()  # keys queued or being polled
        self._background: set[asyncio.Task[None]] = set()
        self._announcing: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._panel_slots: asyncio.Semaphore | None = None
        self._sender: PushSender | None = None
        # Push outcomes (user id, Delivery code) not logged yet: one insert per cycle.
        self._push_outcomes: list[tuple[int, str]] = []
        self._pruned_at = 0.0
        self._repository: Repository | None = None  # set at the first cycle
        self._keys_started = 0  # keys the cycle being started queued (read under its lock)
        self._stopping = False  # set at shutdown: no new cycle, no new key
        self._lease: Lease | None = None  # the "poller" lease (made at the first use)

    async def close(self) -> None:
        """At shutdown, while the bot can still send: the poller stops between keys — no new
        key is started, the keys being polled get SHUTDOWN_POLL_SECONDS to finish (a key's
        answers stored and told together), then are stopped (their rows are asked again after
        the restart); messages already queued get a few seconds to be sent and marked, then
        are dropped unmarked (owed, so sent after the restart)."""
        self._stopping = True
        if self._background:
            await asyncio.wait(list(self._background), timeout=SHUTDOWN_POLL_SECONDS)
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._sender is not None:
            try:
                await asyncio.wait_for(self._sender.close(), SHUTDOWN_DRAIN_SECONDS)
            except TimeoutError:
                await self._sender.abort()
        await self._log_pushes()
        if self._lease is not None:
            # Even when not held here: a renewal cancelled after its commit leaves the row ours
            # without a local hold. The DELETE checks the holder.
            await self._lease.release()  # another process polls from its next try on

    def lease(self, application: Application[Any, Any, Any, Any, Any, Any]) -> Lease:
        if self._lease is None:
            self._lease = app_services(application).leases.lease(POLLER_LEASE)
        return self._lease

    async def keep_lease(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every RENEW_SECONDS in every process: the holder renews, the others try to take
        over (they succeed once the holder released it or died)."""
        if not self._stopping:  # a process shutting down takes nothing over
            await self._hold(context.application)

    async def _hold(self, application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
        """Take or renew the poller lease; an operator reading the log sees where it moves."""
        lease = self.lease(application)
        was_held = lease.held
        held = await lease.hold()
        if held and not was_held:
            logger.info("Status poller runs in this process (%s)", lease.holder)
        return held

    async def job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run_cycle(context.application, wait=False)

    async def run_cycle(
        self, application: Application[Any, Any, Any, Any, Any, Any], *, wait: bool = True
    ) -> bool:
        """Start one poll of every key with open work; False when another cycle is listing
        keys right now. With `wait`, return once every key started here is done."""
        if self._stopping:
            return False
        if self._cycle.locked():
            logger.debug("Status cycle skipped: the previous one is still starting")
            return False
        async with self._cycle:
            if not await self._hold(application):
                logger.debug("Status cycle skipped: another process polls")
                return False
            started_at, clock = utcnow(), time.monotonic()
            # The panel calls of this cycle's tasks are counted (for the console's stats).
            with counting_calls() as calls:
                started = await self._start_cycle(application)
            if started:
                keys = self._keys_started
                finish = self._finish_cycle(
                    application, list(started), started_at, clock, calls, keys
                )
                started.append(self._spawn(finish))
        if wait and started:
            await asyncio.wait(started)
        return True

    async def _finish_cycle(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        started: list[asyncio.Task[None]],
        started_at: datetime,
        clock: float,
        calls: CallCount,
        keys: int,
    ) -> None:
        """Once every key of the cycle is done: the cycle's record (when, how long, panel
        calls) for the console's stats, the cycle's push outcomes logged in one insert, and
        now and then the old push log pruned. Bookkeeping only: a failure is logged."""
        await asyncio.wait(started)
        repository = app_services(application).repository
        record = poll_cycle_record(
            started_at, time.monotonic() - clock, calls.calls, calls.failed, keys
        )
        try:
            await repository.save_runtime_state(POLL_CYCLE, record)
            await self._log_pushes()
            if time.monotonic() - self._pruned_at > PUSH_LOG_PRUNE_SECONDS:
                self._pruned_at = time.monotonic()
                await repository.prune_push_log()
        except StorageUnavailable:
            logger.info("Poll cycle's figures not recorded: database unavailable")

    async def _log_pushes(self) -> None:
        """The push outcomes gathered so far, in one insert (at the end of a cycle, at
        shutdown)."""
        if not self._push_outcomes or self._repository is None:
            return
        outcomes, self._push_outcomes = self._push_outcomes, []
        try:
            await self._repository.record_pushes(outcomes)
        except StorageUnavailable:
            logger.info("%d push outcomes not logged: database unavailable", len(outcomes))

    async def _start_cycle(
        self, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> list[asyncio.Task[None]]:
        services = app_services(application)
        repository = services.repository
        settings = services.settings
        if self._panel_slots is None:
            self._panel_slots = asyncio.Semaphore(settings.panel_concurrency)
        if self._sender is None:
            self._sender = PushSender(application.bot)
        self._repository = repository
        # A placement interrupted by a crash is "unconfirmed" once no add can still be
        # waiting for its answer.
        grace = timedelta(seconds=2 * settings.panel_timeout_seconds + 60)
        if await repository.expire_interrupted_placements(grace):
            logger.warning("Orders interrupted while being placed are now unconfirmed")
        deadline = KEY_DEADLINE_FACTOR * settings.panel_timeout_seconds + 30
        polled_keys = await repository.polled_keys(FINAL_STATE_VALUES)
        # Changes stored but not told yet (a crash, a failed send) of users whose key is not
        # polled now; the others hear them with their key's fresh answers, in one go.
        polled_users = {user_id for polled in polled_keys for user_id in polled.user_ids}
        lease = self.lease(application)
        started = [self._spawn(self._announce(services, polled_users, lease))]
        queue: deque[PolledKey] = deque()
        for polled in polled_keys:
            if polled.name in self._in_flight:
                logger.debug("Users %s: previous poll still running; skipped", polled.user_ids)
                continue
            self._in_flight.add(polled.name)
            queue.append(polled)
        # A few workers take the keys in turn: memory and database work stay bounded however
        # many keys there are, and a hung key holds one worker, never the others.
        self._keys_started = len(queue)
        workers = min(len(queue), max(KEYS_AT_ONCE, 2 * settings.panel_concurrency))
        for _ in range(workers):
            work = self._work(application.bot, services, queue, deadline, lease)
            started.append(self._spawn(work))
        return started

    async def _work(
        self,
        bot: Bot,
        services: BotServices,
        queue: deque[PolledKey],
        deadline: float,
        lease: Lease,
    ) -> None:
        try:
            while queue and not self._stopping:  # at shutdown: stop between keys
                if not lease.held:  # another process polls now: stop between keys too
                    logger.warning("Poller lease lost; %d keys left to its holder", len(queue))
                    return
                polled = queue.popleft()
                try:
                    await self._poll_key_within(bot, services, polled, deadline)
                finally:
                    self._in_flight.discard(polled.name)
        finally:  # cancelled at shutdown: the keys it would have taken are free again
            for polled in queue:
                self._in_flight.discard(polled.name)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._background.add(task)  # kept referenced until done
        task.add_done_callback(self._background.discard)
        return task

    # --- 1. store ----------------------------------------------------------------------------

    async def _poll_key_within(
        self, bot: Bot, services: BotServices, polled: PolledKey, deadline: float
    ) -> None:
        try:
            await self._poll_key(bot, services, polled, deadline)
        except StorageUnavailable:
            logger.warning("Status poll for users %s not stored; next cycle", polled.user_ids)
        except Exception:  # one key's failure must never stop the others' pushes
            logger.exception("Status poll for users %s failed", polled.user_ids)

    async def _poll_key(
        self, bot: Bot, services: BotServices, polled: PolledKey, deadline: float
    ) -> None:
        repository = services.repository
        key = repository.decrypt_polled(polled)  # decrypted only now, when its turn comes
        if key is None:
            # Told once; polling pauses until they connect the key again (/key).
            zone = await _default_zone(services)
            for user_id in polled.user_ids:
                await repository.set_user_flags(user_id, key_rejected=True)
                with _reading_as(polled.readers.get(user_id), zone):
                    text = texts.key.key_unreadable()
                await _send_quietly(bot, user_id, text)
            return
        work = await repository.open_work(polled.user_ids, FINAL_STATE_VALUES)
        panel = services.panel
        assert self._panel_slots is not None
        slots = self._panel_slots
        plain_key = key  # narrowed to str for the closure

        async def one_call(
            read: Callable[[str, Sequence[str]], Awaitable[dict[str, _Result]]],
            chunk: Sequence[str],
        ) -> dict[str, _Result]:
            async with slots:
                # At shutdown a key still waiting for a panel slot is not started: its rows
                # are asked after the restart. One that has a slot finishes.
                if self._stopping:
                    raise _ShuttingDown
                return await read(plain_key, chunk)

        try:
            # The deadline bounds the panel's part only: telling the users what was stored is
            # never cut short (a cut would leave sent messages unmarked, to be sent again).
            order_results, refill_results, cancel_results = await asyncio.wait_for(
                asyncio.gather(
                    _chunked(one_call, work.orders, "panel_order_id", panel.statuses),
                    _chunked(one_call, work.refills, "panel_task_id", panel.refill_statuses),
                    _chunked(one_call, work.cancels, "panel_task_id", panel.cancel_statuses),
                ),
                deadline,
            )
        except _ShuttingDown:
            return
        except TimeoutError:
            logger.warning("Status poll for users %s took too long; next cycle", polled.user_ids)
        except InvalidKey:
            zone = await _default_zone(services)
            for user_id in polled.user_ids:
                await repository.set_user_flags(user_id, key_rejected=True)
                logger.info("User %s: the panel rejects their key; polling paused", user_id)
                with _reading_as(polled.readers.get(user_id), zone):
                    text = texts.errors.key_invalid_now()
                await _send_quietly(bot, user_id, text)
            return
        except PanelError as error:
            # Nothing is stored: the same rows are asked again next cycle.
            logger.warning(
                "Status poll for users %s skipped this cycle: %s", polled.user_ids, error.message
            )
        else:
            await repository.store_changes(
                _order_changes(work.orders, order_results),
                _task_changes(work.refills, refill_results)
                + _task_changes(work.cancels, cancel_results),
            )
        # Its users only: no query to find who is owed what; each announcer reads its own.
        await asyncio.gather(*(self._announce_user(services, user) for user in polled.user_ids))

    # --- 2. send, 3. mark --------------------------------------------------------------------

    async def _announce(self, services: BotServices, skip: Set[int], lease: Lease) -> None:
        """Tell everyone but `skip` what is stored and not told yet."""
        try:
            owners = sorted(set(await services.repository.owed_users()) - skip)
            for start in range(0, len(owners), KEYS_AT_ONCE):  # a bounded number at once
                if not lease.held:
                    return  # the new holder tells them
                batch = owners[start : start + KEYS_AT_ONCE]
                await asyncio.gather(*(self._announce_user(services, owner) for owner in batch))
        except StorageUnavailable:
            logger.warning("Owed status messages not sent this cycle: database unavailable")

    async def _announce_user(self, services: BotServices, user_id: int) -> None:
        # One announcer per user at a time, reading what is owed inside the lock and holding it
        # until the messages are sent and marked: two keys (or the sweep and a key) finding the
        # same row never both send it.
        lock = self._announcing.setdefault(user_id, asyncio.Lock())
        self._waiting[user_id] = self._waiting.get(user_id, 0) + 1
        try:
            async with lock:
                await self._announce_owed(services, user_id)
        finally:
            self._waiting[user_id] -= 1
            if not self._waiting[user_id]:  # forget idle users so the dicts do not grow
                del self._waiting[user_id]
                del self._announcing[user_id]

    async def _announce_owed(self, services: BotServices, user_id: int) -> None:
        news = await services.repository.news_for(user_id)
        if news is None:
            return
        if not news.orders and not news.tasks:
            return
        if not news.notify:  # muted: recorded as told, so unmuting does not replay old news
            await services.repository.mark_all_announced(
                [_order_announcement(order) for order in news.orders]
                + [_task_announcement(task) for task in news.tasks]
            )
            return
        if not services.leases.shared:  # SQLite: this is the only process
            await self._tell(services, user_id, news)
            return
        claim = services.leases.lease(f"push:{user_id}", PUSH_CLAIM_SECONDS)
        if not await claim.hold():
            logger.info("User %s: another process is telling them their news", user_id)
            return
        try:
            # What is still owed now that no other process may tell it.
            news = await services.repository.news_for(user_id)
            if news is not None and news.notify and (news.orders or news.tasks):
                await self._tell(services, user_id, news)
        finally:
            await claim.release()

    async def _tell(self, services: BotServices, user_id: int, news: News) -> None:
        assert self._sender is not None
        repository = services.repository

        async def mark(told: tuple[tuple[Announcement, ...], ...]) -> None:
            await repository.mark_all_announced([one for item in told for one in item])

        # Every text and button of these messages in the recipient's language and time zone.
        with _reading_as(news.reader, await _default_zone(services)):
            items = news_items(news, utcnow())
            if not items:
                return
            futures = submit_pushes(self._sender, user_id, items, mark)
        # asyncio.wait, not gather: an announcer stopped at shutdown must not cancel messages
        # already queued (the sender still sends and marks them).
        await asyncio.wait(futures)
        self._note_pushes(futures)
        for delivery in (future.result() for future in futures):
            if delivery.outcome is Outcome.BLOCKED:
                # Awaited here, so the cycle ends with the user recorded as unreachable.
                logger.info("User %s blocked the bot; pushes and polling stop", user_id)
                await services.repository.set_user_flags(user_id, active=False)
                return
            if delivery.outcome is Outcome.FAILED:
                logger.warning(
                    "Push to user %s failed (%s); retrying next cycle", user_id, delivery.error
                )

    def _note_pushes(self, futures: Sequence[asyncio.Future[Delivery]]) -> None:
        """Each push's outcome, for the console's "pushes in 24 h" (logged at the cycle's end)."""
        for future in futures:
            if future.done() and not future.cancelled():
                delivery = future.result()
                self._push_outcomes.append((delivery.chat_id, delivery.outcome.value))


class _ShuttingDown(Exception):
    """A key's panel call not made because the bot is stopping."""


_Read = Callable[[str, Sequence[str]], Awaitable[dict[str, _Result]]]


async def _chunked(
    call: Callable[[_Read[_Result], Sequence[str]], Awaitable[dict[str, _Result]]],
    rows: Sequence[WatchedOrder] | Sequence[WatchedTask],
    id_field: str,
    read: _Read[_Result],
) -> dict[str, _Result]:
    """One key's ids asked 100 at a time, the chunks at once (`call` makes one within the
    shared panel slots)."""
    ids = _unique(getattr(row, id_field) for row in rows)
    chunks = [ids[i : i + MAX_IDS_PER_CALL] for i in range(0, len(ids), MAX_IDS_PER_CALL)]
    results: dict[str, _Result] = {}
    for part in await asyncio.gather(*(call(read, chunk) for chunk in chunks)):
        results.update(part)
    return results


def _order_changes(
    orders: Sequence[WatchedOrder], results: Mapping[str, OrderStatus | ItemError]
) -> list[OrderChange]:
    changes = []
    for order in orders:
        result = results.get(order.panel_order_id or "")
        if not isinstance(result, OrderStatus):
            if result is not None:
                logger.debug("Order %s: %s", order.panel_order_id, result.message)
            continue
        charge = result.charge if result.charge is not None else order.charge
        if (
            result.status_raw == order.status_raw
            and result.remains == order.remains
            and result.start_count == order.start_count
            and charge == order.charge
        ):
            continue  # unchanged rows are not written
        assert order.id is not None
        changes.append(
            OrderChange(
                order.id,
                result.state.value,
                result.status_raw,
                result.remains,
                result.start_count,
                result.charge,
            )
        )
    return changes


def _task_changes(
    tasks: Sequence[WatchedTask], results: Mapping[str, TaskStatus | ItemError]
) -> list[TaskChange]:
    changes = []
    for task in tasks:
        result = results.get(task.panel_task_id or "")
        if isinstance(result, TaskStatus) and result.status_raw != task.status_raw:
            assert task.id is not None
            changes.append(TaskChange(task.id, result.state.value, result.status_raw))
    return changes


def _reading_as(
    settings: ReaderSettings | None, default_zone: str | None
) -> AbstractContextManager[object]:
    """Texts built inside are for this user (their stored language and time zone; the
    operators' default zone for a user who never picked one)."""
    if settings is None:
        return reading_as(None, default_zone)
    return reading_as(settings.language, settings.time_zone or default_zone)


async def _default_zone(services: BotServices) -> str | None:
    """The operators' default time zone; None (UTC) when the settings cannot be read — a
    status message is never held back for it."""
    try:
        return (await services.console.current()).default_time_zone
    except Exception:
        logger.warning("Console settings not read; status messages in UTC")
        return None


def _order_announcement(order: Order) -> Announcement:
    assert order.id is not None and order.status_raw is not None
    return Announcement(Order, order.id, order.status_raw, order.announced_status)


def _task_announcement(task: PanelTask) -> Announcement:
    assert task.id is not None and task.status_raw is not None
    return Announcement(PanelTask, task.id, task.status_raw, task.announced_status)


# A cancel the panel reports done while its order still shows an open status waits this long
# for the order's own change (most panels follow within a cycle or two), so the customer gets
# one message — canceled, refunded — not "cancel completed" and then "order canceled".
CANCEL_HOLD = timedelta(minutes=10)

_Told = tuple[Announcement, ...]


def news_items(news: News, now: datetime) -> list[PushItem[_Told]]:
    """One user's owed changes as push items, in order. A cancel request told together with
    its order is one item (the order's message names it); a completed cancel whose order has
    not changed yet is held back (left owed) for up to CANCEL_HOLD."""
    owed_orders = {order.panel_order_id for order in news.orders}
    with_order: dict[str, list[PanelTask]] = {}
    alone: list[PanelTask] = []
    for task in news.tasks:
        if task.kind == TaskKind.CANCEL and task.panel_order_id in owed_orders:
            with_order.setdefault(task.panel_order_id, []).append(task)
        elif not _held(task, news, now):
            alone.append(task)
    items = [
        _order_item(order, with_order.get(order.panel_order_id or "", [])) for order in news.orders
    ]
    items += [_task_item(task, news.cards) for task in alone]
    return items


def _held(task: PanelTask, news: News, now: datetime) -> bool:
    if task.kind != TaskKind.CANCEL or task.panel_order_id not in news.cards:
        return False
    if normalize_state(task.status_raw) is not OrderState.COMPLETED:
        return False
    if news.card_states.get(task.panel_order_id) in FINAL_STATE_VALUES:
        return False  # the order already told its end: nothing to wait for
    changed = task.checked_at or task.created_at
    changed = changed if changed.tzinfo else changed.replace(tzinfo=UTC)
    return now - changed < CANCEL_HOLD


def _order_item(order: Order, cancels: Sequence[PanelTask] = ()) -> PushItem[_Told]:
    assert order.id is not None
    return PushItem(
        texts.pushes.order_push(order, order.announced_status, cancels),
        order.panel_order_id,
        callback.CARD_OPEN.data(order.id),
        (_order_announcement(order), *(_task_announcement(task) for task in cancels)),
    )


def _task_item(task: PanelTask, cards: Mapping[str, int]) -> PushItem[_Told]:
    order_row = cards.get(task.panel_order_id)
    card = callback.CARD_OPEN.data(order_row) if order_row is not None else None
    return PushItem(
        texts.pushes.task_push(task, task.announced_status),
        task.panel_order_id,
        card,
        (_task_announcement(task),),
    )


def _unique(ids: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(i for i in ids if i))


async def _send_quietly(bot: Bot, chat_id: int, text: str) -> None:
    try:
        await bot.send_message(chat_id, text)
    except TelegramError as error:
        logger.info("Could not tell user %s: %s", chat_id, error)


def schedule(application: Application[Any, Any, Any, Any, Any, Any], interval: float) -> None:
    """Register the poller once, by name; APScheduler never overlaps two runs of it."""
    assert application.job_queue is not None
    notifier = StatusNotifier()
    application.bot_data[JOB_NAME] = notifier
    application.job_queue.run_repeating(
        notifier.job,
        interval=interval,
        first=min(interval, 10),
        name=JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    application.job_queue.run_repeating(
        notifier.keep_lease,
        interval=RENEW_SECONDS,
        first=RENEW_SECONDS,
        name=LEASE_JOB_NAME,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the poller if it was started (a start-up that failed early never started it)."""
    running = application.bot_data.get(JOB_NAME)
    if isinstance(running, StatusNotifier):
        await running.close()


def notifier_of(application: Application[Any, Any, Any, Any, Any, Any]) -> StatusNotifier:
    notifier = application.bot_data[JOB_NAME]
    assert isinstance(notifier, StatusNotifier)
    return notifier
