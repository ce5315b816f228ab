"""The stand-ins, the real application polling them, and customers timing their replies."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from bench.runner import App, run_cycle, running
from bot.config import Settings, load_settings
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

__all__ = ["App", "Player", "Stage", "TimedTelegram", "run_cycle", "running", "stage"]

TOKEN = "123456:BENCH-token-for-the-stand-in"


class TimedTelegram(FakeTelegram):
    """The stand-in Bot API, also noting when each change (a call, a sent or edited message)
    was recorded, so a reply's latency is measured where the user would see it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.change_times: dict[int, float] = {}

    def _changed(self) -> int:
        # Called with the lock held; the time is noted before any waiter can see the change.
        self.change_times[self._state.version + 1] = time.perf_counter()
        return super()._changed()

    def chat_calls(self, since: int = 0) -> list[tuple[str, dict[str, Any]]]:
        """Calls after index `since` of `calls`, except getUpdates."""
        with self._cond:
            return [(m, p) for m, p in self.calls[since:] if m != "getUpdates"]


def limited_telegram(token: str = TOKEN) -> TimedTelegram:
    """A stand-in enforcing Telegram's limits (30/s overall, ~1/s per chat, 429 with
    retry_after)."""
    return TimedTelegram(token=token, enforce_limits=True)


@dataclass
class Stage:
    """A fresh folder, the two stand-ins on 127.0.0.1, and settings pointing at them."""

    folder: Path
    panel: FakePanel
    telegram: TimedTelegram
    settings: Settings


@contextmanager
def stage(
    panel: FakePanel | None = None, telegram: TimedTelegram | None = None, **settings: Any
) -> Iterator[Stage]:
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    panel = panel or FakePanel()
    telegram = telegram or TimedTelegram(token=TOKEN)
    try:
        with panel, telegram:
            values: dict[str, Any] = {
                "_env_file": None,
                "bot_token": telegram.token,
                "telegram_api_url": telegram.base_url,
                "smm_api_url": panel.url,
                "data_dir": folder / "data",
                "encryption_key": Fernet.generate_key().decode(),
                "status_poll_seconds": 3600,  # the bench runs cycles itself
                "log_level": "WARNING",
            }
            values.update(settings)
            yield Stage(folder, panel, telegram, load_settings(**values))
            if panel.handler_errors:
                raise RuntimeError(f"stand-in panel crashed: {panel.handler_errors[0]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Player:
    """A user on a phone: queues an update, and times it until the stand-in records the reply
    (a new or edited message in the chat containing `expect`)."""

    def __init__(self, telegram: TimedTelegram, user_id: int, timeout: float = 120) -> None:
        self.telegram = telegram
        self.user_id = user_id
        self.timeout = timeout

    async def say(self, text: str, expect: str) -> float:
        mark = self.telegram.mark()
        queued = time.perf_counter()
        self.telegram.send_text(self.user_id, text)
        return await self._reply(mark, queued, expect)

    async def tap(self, label: str, expect: str | Callable[[str], str]) -> float:
        mark = self.telegram.mark()
        queued = time.perf_counter()
        query_id = self.telegram.press_button(self.user_id, label)
        return await self._reply(mark, queued, expect(query_id) if callable(expect) else expect)

    async def _reply(self, mark: int, queued: float, expect: str) -> float:
        message = await self.telegram.wait_for_message(
            self.user_id, expect, after=mark, timeout=self.timeout
        )
        return self.telegram.change_times[message.changed_at] - queued


class WarningCounter(logging.Handler):
    """Counts the warnings (and worse) logged while attached, by logger and message template
    (`Status poll for users %s not stored`), so that a run's table can say what went wrong."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.name}: {record.msg}"] += 1

    def __enter__(self) -> WarningCounter:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger().removeHandler(self)


def quiet_logs() -> None:
    """Warnings only: the bench prints its own progress."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]
