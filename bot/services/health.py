"""The panel's health as the bot sees it, and the operators' alerts.

`PanelHealth.record` is the panel client's `on_call` hook (the patient client and its budget
views share it): it keeps the recent latencies, the last error and the current failure streak
in memory, and counts the calls of a poll cycle (`counting_calls`). It never waits: an alert is
sent by a background task.

Alerts go to every operator (ADMIN_IDS), each in their own stored language and time zone:
- the panel **failing**: every call failing for PANEL_ALERT_SECONDS (the first failure of the
  streak and a failing call at least that long after it, no success in between);
- the panel **recovered**: the first success after that alert;
- an order whose outcome is **unknown** (user, service, link, time), so they can look at the
  panel.
Whether the panel alert is out is one database row (runtime_state "panel_alert"), switched in
one unit of work: across restarts and processes an outage is alerted once, and its recovery
once. No alert text holds a key: the error texts are the client's own words, key scrubbed.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import deque
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.error import TelegramError

from bot import texts
from bot.i18n import reading_as
from storage.models import Order, utcnow
from storage.repository import Repository, StorageUnavailable

if TYPE_CHECKING:
    from bot.context import BotServices

logger = logging.getLogger(__name__)

# Latencies kept for the median (the last this many calls).
RECENT_CALLS = 100
# At shutdown, how long alerts under way may take to go out.
CLOSE_SECONDS = 3.0


@dataclass
class CallCount:
    """Panel calls made inside a `counting_calls` block (its tasks included)."""

    calls: int = 0
    failed: int = 0


_counting: ContextVar[CallCount | None] = ContextVar("panel_calls", default=None)


@contextmanager
def counting_calls() -> Iterator[CallCount]:
    """Count the panel calls of the work started inside (tasks created here inherit it)."""
    count = CallCount()
    token = _counting.set(count)
    try:
        yield count
    finally:
        _counting.reset(token)


@dataclass(frozen=True)
class HealthSnapshot:
    calls: int  # since this process started
    median_seconds: float | None  # of the recent calls that got an answer
    last_error: str | None
    last_error_at: datetime | None
    failing_since: datetime | None  # the current failure streak (None: the last call was fine)
    alerted: bool  # the "panel failing" alert is out


class PanelHealth:
    def __init__(self, alert_after: float, *, clock: Any = time.monotonic) -> None:
        self._alert_after = alert_after
        self._clock = clock
        self._latencies: deque[float] = deque(maxlen=RECENT_CALLS)
        self._calls = 0
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None
        self._streak_from: float | None = None  # clock time of the streak's first failure
        self._streak_at: datetime | None = None
        self._alerted = False  # as recorded in the database (loaded at start)
        self._switching = False  # an alert switch is under way
        self._alerts: OperatorAlerts | None = None

    def attach(self, alerts: OperatorAlerts, alerted: bool) -> None:
        """Alerts go out from now on; `alerted`: an outage alert is out (from the database)."""
        self._alerts = alerts
        self._alerted = alerted

    def recorded_elsewhere(self, alerted: bool) -> None:
        """What the database says now: another process may have alerted (or told the
        recovery), and this one's next call must switch it back once the panel answers —
        even if the process that alerted is gone."""
        if not self._switching:
            self._alerted = alerted

    def record(self, ok: bool, seconds: float, error: str | None) -> None:
        """The panel client's hook: called after every exchange, never blocks."""
        self._calls += 1
        count = _counting.get()
        if count is not None:
            count.calls += 1
            count.failed += 0 if ok else 1
        now = self._clock()
        if ok:
            self._latencies.append(seconds)
            self._streak_from = self._streak_at = None
            if self._alerted:
                self._switch(False, None)
            return
        self._last_error = error or "?"
        self._last_error_at = utcnow()
        if self._streak_from is None:
            self._streak_from, self._streak_at = now, self._last_error_at
        elif now - self._streak_from >= self._alert_after and not self._alerted:
            self._switch(True, self._last_error)

    def snapshot(self) -> HealthSnapshot:
        latencies = list(self._latencies)
        return HealthSnapshot(
            calls=self._calls,
            median_seconds=statistics.median(latencies) if latencies else None,
            last_error=self._last_error,
            last_error_at=self._last_error_at,
            failing_since=self._streak_at,
            alerted=self._alerted,
        )

    def _switch(self, failing: bool, error: str | None) -> None:
        alerts = self._alerts
        if alerts is None or self._switching:
            return
        self._switching = True
        since = self._streak_at
        alerts.spawn(self._announce(alerts, failing, error, since))

    async def _announce(
        self, alerts: OperatorAlerts, failing: bool, error: str | None, since: datetime | None
    ) -> None:
        try:
            detail: dict[str, Any] = {"at": utcnow().isoformat()}
            if failing:
                detail["since"] = since.isoformat() if since else None
                detail["error"] = error
            try:
                changed = await alerts.repository.switch_panel_alert(failing, detail)
            except StorageUnavailable:
                logger.warning("Panel alert not recorded (database unavailable); next call")
                return
            self._alerted = failing  # whoever switched it, it is switched
            if not changed:
                return  # another process (or this one before a restart) told them
            if failing:
                logger.warning("Panel failing since %s: %s; operators alerted", since, error)
                await alerts.send_all(lambda: texts.alerts.panel_failing(since, error or "?"))
            else:
                logger.warning("Panel answering again; operators told")
                await alerts.send_all(texts.alerts.panel_recovered)
        finally:
            self._switching = False


class OperatorAlerts:
    """Short messages to every operator, in their language, sent in the background."""

    def __init__(self, bot: Bot, services: BotServices) -> None:
        self._bot = bot
        self._services = services
        self._tasks: set[asyncio.Task[object]] = set()

    @property
    def repository(self) -> Repository:
        return self._services.repository

    def spawn(self, work: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Operator alert failed", exc_info=task.exception())

    async def send_all(self, text: Any) -> int:
        """`text()` built for each operator in their language and zone; how many got it."""
        sent = 0
        try:
            console = await self._services.console.current()
            default_zone = console.default_time_zone
        except Exception:
            default_zone = None
        for operator in self._services.settings.admin_ids:
            try:
                stored = await self.repository.reader_settings(operator)
            except StorageUnavailable:
                stored = None
            language = stored.language if stored else None
            zone = (stored.time_zone if stored else None) or default_zone
            with reading_as(language, zone):
                message = text()
            try:
                await self._bot.send_message(operator, message)
            except TelegramError as error:
                logger.info("Could not alert operator %s: %s", operator, error)
            else:
                sent += 1
        return sent

    def unknown_outcome(self, order: Order) -> None:
        """An order's outcome is unknown: the operators hear of it (in the background)."""
        moment = order.claimed_at or order.created_at
        self.spawn(
            self.send_all(
                lambda: texts.alerts.order_unknown(
                    order.user_id,
                    order.service_id,
                    order.service_name,
                    order.link or "",
                    moment,
                    order.id,
                )
            )
        )

    async def close(self) -> None:
        """At shutdown, while the bot can still send: alerts under way get a few seconds."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=CLOSE_SECONDS)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


async def start_alerts(services: BotServices, bot: Bot) -> None:
    """At start (post_init): alerts go out from now on; whether an outage alert is already out
    is read from the database."""
    alerts = OperatorAlerts(bot, services)
    services.alerts = alerts
    services.health.attach(alerts, await _alert_out(services) or False)


async def sync_alerts(services: BotServices) -> None:
    """Now and then (several processes): whether an outage alert is out, from the database."""
    alerted = await _alert_out(services)
    if alerted is not None:
        services.health.recorded_elsewhere(alerted)


async def _alert_out(services: BotServices) -> bool | None:
    """Whether the database records an outage alert (None: it cannot be read now)."""
    try:
        state = await services.repository.runtime_state("panel_alert")
    except StorageUnavailable:
        return None
    return isinstance(state, dict) and bool(state.get("failing"))


def alert_unknown_outcome(services: BotServices, order: Order | None) -> None:
    """The handler told the customer their order's outcome is unknown: the operators hear of
    it too, in the background (never holding the customer's update)."""
    if order is None or services.alerts is None or not services.settings.admin_ids:
        return
    services.alerts.unknown_outcome(order)
