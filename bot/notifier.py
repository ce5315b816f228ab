"""The status poller: reads what is not final yet, stores changes, pushes them to their owners.

Order of work, and why nothing is lost or repeated:
1. **store** — a status read from the panel is written to its row (`status_raw`) at once;
2. **send** — every row whose `status_raw` differs from `announced_status` is owed a message;
3. **mark** — right after Telegram accepts the message, `announced_status` is set to the status
   that message told.
A crash (even `kill -9`) between 1 and 2 leaves the row owed, so the next cycle after the
restart sends it: never lost. After 3 the row is no longer owed: never repeated. The only window
for a repeat is the few milliseconds between Telegram's answer and the commit of step 3; we
accept that over the alternative (marking first), which would lose the message instead.
Muted users' rows are marked without sending, so unmuting does not replay old news.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot import callback, keyboards, texts
from bot.context import BotServices, app_services
from bot.panel import (
    FINAL_STATE_VALUES,
    InvalidKey,
    ItemError,
    OrderStatus,
    PanelError,
    TaskStatus,
)
from storage.models import Order, PanelTask, TaskKind

logger = logging.getLogger(__name__)

JOB_NAME = "status-poll"
# Telegram allows about one message a second to the same chat.
PER_CHAT_INTERVAL_SECONDS = 1.0
MAX_CHATS_AT_ONCE = 16


@dataclass(frozen=True)
class Push:
    user_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    mark_announced: Callable[[], None]


class StatusNotifier:
    def __init__(self, per_chat_interval: float = PER_CHAT_INTERVAL_SECONDS) -> None:
        self._cycle = asyncio.Lock()
        self.per_chat_interval = per_chat_interval

    async def job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.run_cycle(context.application)

    async def run_cycle(self, application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
        """One poll-and-push cycle; False when the previous cycle is still running."""
        if self._cycle.locked():
            logger.info("Status cycle skipped: the previous one is still running")
            return False
        async with self._cycle:
            services = app_services(application)
            # A placement interrupted by a crash is "unconfirmed" once no add can still be
            # waiting for its answer.
            grace = timedelta(seconds=2 * services.settings.panel_timeout_seconds + 60)
            if services.repository.expire_interrupted_placements(grace):
                logger.warning("Orders interrupted while being placed are now unconfirmed")
            await self._poll(application.bot, services)
            await self._announce(application.bot, services)
        return True

    # --- 1. store ----------------------------------------------------------------------------

    async def _poll(self, bot: Bot, services: BotServices) -> None:
        # Users sharing one panel key are asked about together: one call per 100 ids per key.
        users_by_key: dict[str, list[int]] = defaultdict(list)
        for stored in services.repository.pollable_keys():
            users_by_key[stored.key].append(stored.user_id)
        limit = asyncio.Semaphore(services.settings.panel_concurrency)
        await asyncio.gather(
            *(
                self._poll_key(bot, services, key, user_ids, limit)
                for key, user_ids in users_by_key.items()
            )
        )

    async def _poll_key(
        self,
        bot: Bot,
        services: BotServices,
        key: str,
        user_ids: list[int],
        limit: asyncio.Semaphore,
    ) -> None:
        repository = services.repository
        orders = [o for u in user_ids for o in repository.open_orders(u, FINAL_STATE_VALUES)]
        refills = [
            t
            for u in user_ids
            for t in repository.open_tasks(u, TaskKind.REFILL, FINAL_STATE_VALUES)
        ]
        cancels = [
            t
            for u in user_ids
            for t in repository.open_tasks(u, TaskKind.CANCEL, FINAL_STATE_VALUES)
        ]
        panel = services.panel
        try:
            if orders:
                async with limit:
                    results = await panel.statuses(key, _unique(o.panel_order_id for o in orders))
                self._store_orders(services, orders, results)
            for tasks, read in (
                (refills, panel.refill_statuses),
                (cancels, panel.cancel_statuses),
            ):
                if tasks:
                    async with limit:
                        task_results = await read(key, _unique(t.panel_task_id for t in tasks))
                    self._store_tasks(services, tasks, task_results)
        except InvalidKey:
            for user_id in user_ids:
                repository.set_user_flags(user_id, key_rejected=True)
                logger.info("User %s: the panel rejects their key; polling paused", user_id)
                await _send_quietly(bot, user_id, texts.KEY_INVALID_NOW)
        except PanelError as error:
            # Nothing is marked: the same rows are asked again next cycle.
            logger.warning(
                "Status poll for users %s skipped this cycle: %s", user_ids, error.message
            )

    @staticmethod
    def _store_orders(
        services: BotServices,
        orders: Sequence[Order],
        results: dict[str, OrderStatus | ItemError],
    ) -> None:
        for order in orders:
            result = results.get(order.panel_order_id or "")
            if isinstance(result, ItemError) or result is None:
                if result is not None:
                    logger.info("Order %s: %s", order.panel_order_id, result.message)
                continue
            services.repository.record_order_status(
                order.id,  # type: ignore[arg-type]
                status=result.state.value,
                status_raw=result.status_raw,
                remains=result.remains,
                start_count=result.start_count,
                charge=result.charge,
            )

    @staticmethod
    def _store_tasks(
        services: BotServices,
        tasks: Sequence[PanelTask],
        results: dict[str, TaskStatus | ItemError],
    ) -> None:
        for task in tasks:
            result = results.get(task.panel_task_id or "")
            if isinstance(result, TaskStatus) and result.status_raw != task.status_raw:
                services.repository.record_task_status(
                    task.id,  # type: ignore[arg-type]
                    status=result.state.value,
                    status_raw=result.status_raw,
                )

    # --- 2. send, 3. mark --------------------------------------------------------------------

    async def _announce(self, bot: Bot, services: BotServices) -> None:
        repository = services.repository
        pushes: dict[int, list[Push]] = defaultdict(list)
        for order in repository.owed_order_announcements():
            pushes[order.user_id].append(_order_push(services, order))
        for task in repository.owed_task_announcements():
            pushes[task.user_id].append(_task_push(services, task))
        limit = asyncio.Semaphore(MAX_CHATS_AT_ONCE)
        await asyncio.gather(
            *(
                self._push_to_user(bot, services, user_id, items, limit)
                for user_id, items in pushes.items()
            )
        )

    async def _push_to_user(
        self,
        bot: Bot,
        services: BotServices,
        user_id: int,
        pushes: list[Push],
        limit: asyncio.Semaphore,
    ) -> None:
        user = services.repository.get_user(user_id)
        if user is None:
            return
        async with limit:
            for index, push in enumerate(pushes):
                if not user.notify:
                    push.mark_announced()
                    continue
                if index:
                    await asyncio.sleep(self.per_chat_interval)
                try:
                    await bot.send_message(user_id, push.text, reply_markup=push.markup)
                except Forbidden:
                    logger.info("User %s blocked the bot; pushes and polling stop", user_id)
                    services.repository.set_user_flags(user_id, active=False)
                    return
                except RetryAfter:
                    # The rate limiter already waited and retried; the row stays owed.
                    logger.warning("Flood control for user %s; retrying next cycle", user_id)
                    return
                except TelegramError as error:
                    logger.warning(
                        "Push to user %s failed (%s); retrying next cycle", user_id, error
                    )
                    continue
                push.mark_announced()


def _order_push(services: BotServices, order: Order) -> Push:
    assert order.id is not None and order.status_raw is not None
    row_id, told, previously = order.id, order.status_raw, order.announced_status
    markup = keyboards.markup([[(texts.BUTTON_ORDER_CARD, callback.build("c", "open", row_id))]])
    return Push(
        order.user_id,
        texts.order_push(order, previously),
        markup,
        lambda: services.repository.mark_announced(Order, row_id, told, previously),
    )


def _task_push(services: BotServices, task: PanelTask) -> Push:
    assert task.id is not None and task.status_raw is not None
    row_id, told, previously = task.id, task.status_raw, task.announced_status
    order = services.repository.find_order(task.user_id, task.panel_order_id)
    markup = None
    if order is not None and order.id is not None:
        button = (texts.BUTTON_ORDER_CARD, callback.build("c", "open", order.id))
        markup = keyboards.markup([[button]])
    return Push(
        task.user_id,
        texts.task_push(task, previously),
        markup,
        lambda: services.repository.mark_announced(PanelTask, row_id, told, previously),
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


def notifier_of(application: Application[Any, Any, Any, Any, Any, Any]) -> StatusNotifier:
    notifier = application.bot_data[JOB_NAME]
    assert isinstance(notifier, StatusNotifier)
    return notifier
