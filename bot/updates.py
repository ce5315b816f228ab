"""Concurrent updates across users, strictly ordered within one user."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor


class UserTurns(Protocol):
    """Around each of a user's updates (bot.persistence.DatabasePersistence.turn): their
    state made current before, written after; False: the update was handled already."""

    def turn(self, update: Update, fresh: bool) -> AbstractAsyncContextManager[bool]: ...


def _owner(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


def _delivered(coroutine: Awaitable[Any]) -> bool:
    """A delivered update (Application.process_update), not a follow-up of an earlier one that
    runs as one of the user's updates (a list's pause timer, say): only the former may be a
    redelivery, or find its conversation expired."""
    return getattr(coroutine, "cr_code", None) is Application.process_update.__code__


UNBOUNDED = 1_000_000
# Users handled at once (on PostgreSQL no more than the user-lock pool: bot.persistence).
MAX_CONCURRENT_UPDATES = 256


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """One lock per user: a slow panel call for one user never delays another user's reply,
    while a user's own updates (and so their conversation state) are handled in order.

    The user's lock is taken *before* one of the shared slots, so a user who floods the bot
    queues behind their own lock and cannot fill the slots everyone else needs.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        # PTB's own semaphore (taken before do_process_update) is made wide; the real bound is
        # ours, taken after the user's lock.
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.turns: UserTurns | None = None

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
                await self._take_turn(update, coroutine)
        finally:
            self._waiting[owner] -= 1
            if not self._waiting[owner]:  # forget idle users so the dicts do not grow forever
                del self._waiting[owner]
                del self._locks[owner]

    async def _take_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        turns = self.turns
        if turns is None or not isinstance(update, Update) or update.effective_user is None:
            await coroutine
            return
        started = False
        try:
            async with turns.turn(update, _delivered(coroutine)) as go:
                if go:
                    started = True
                    await coroutine
        finally:
            if not started:
                # Skipped (handled already), or the turn could not be had (its error goes on
                # to the caller): never awaited, on purpose.
                close = getattr(coroutine, "close", None)
                if close is not None:
                    close()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
