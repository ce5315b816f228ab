"""Concurrent updates across users, strictly ordered within one user."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def _owner(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


UNBOUNDED = 1_000_000


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """One lock per user: a slow panel call for one user never delays another user's reply,
    while a user's own updates (and so their conversation state) are handled in order.

    The user's lock is taken *before* one of the shared slots, so a user who floods the bot
    queues behind their own lock and cannot fill the slots everyone else needs.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        # PTB's own semaphore (taken before do_process_update) is made wide; the real bound is
        # ours, taken after the user's lock.
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        owner = _owner(update)
        if owner is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(owner, asyncio.Lock())
        self._waiting[owner] = self._waiting.get(owner, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._waiting[owner] -= 1
            if not self._waiting[owner]:  # forget idle users so the dicts do not grow forever
                del self._waiting[owner]
                del self._locks[owner]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
