"""The rules behind the handlers: panel and repository work, with no screens in it.

A service is called with the bot's services and what the update said, and returns an outcome
value the handler words with bot.texts (in the reader's language); the database gets codes,
never sentences."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol, TypeVar

T = TypeVar("T")


class PanelWait(Protocol):
    """How a customer waits on a panel call (the handler's ⏳); `as_is` for nobody."""

    def __call__(self, call: Awaitable[T], /) -> Awaitable[T]: ...


async def as_is(call: Awaitable[T], /) -> T:
    return await call
