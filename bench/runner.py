"""The real application run as `python -m bot` runs it, and one poll cycle through it.

Kept free of the stand-ins, so a child process (bench.memory_child) imports only the bot.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.notifier import JOB_NAME, notifier_of

App = Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[App]:
    """The real application, polling the stand-in Bot API as `python -m bot` does; its
    scheduled status job is removed so that only the bench starts poll cycles."""
    application = build_application(settings)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    assert application.job_queue is not None and application.updater is not None
    for job in application.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        assert application.post_stop is not None
        await application.post_stop(application)
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


async def run_cycle(application: App) -> float:
    """One poll-and-push cycle through the real notifier; its wall time in seconds."""
    started = time.perf_counter()
    ran = await notifier_of(application).run_cycle(application)
    if not ran:
        raise RuntimeError("the poll cycle was skipped: another one is running")
    return time.perf_counter() - started
