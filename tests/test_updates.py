"""Per-user ordering with concurrency across users (pure asyncio, no network)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor


def update(user_id: int, update_id: int) -> Update:
    chat = Chat(user_id, Chat.PRIVATE)
    user = User(user_id, "x", is_bot=False)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_one_users_updates_run_in_order() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=8)
    seen: list[int] = []

    async def handle(number: int) -> None:
        await asyncio.sleep(0.01 * (5 - number))  # later updates would finish first if parallel
        seen.append(number)

    await asyncio.gather(*(processor.process_update(update(1, n), handle(n)) for n in range(5)))
    assert seen == [0, 1, 2, 3, 4]


async def test_a_user_flooding_the_bot_does_not_hold_other_users_back() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=4)
    release = asyncio.Event()
    served = asyncio.Event()

    async def stuck() -> None:
        await release.wait()

    async def quick() -> None:
        served.set()

    flood = [
        asyncio.create_task(processor.process_update(update(1, n), stuck())) for n in range(50)
    ]
    other = asyncio.create_task(processor.process_update(update(2, 999), quick()))
    await asyncio.wait_for(served.wait(), timeout=5)  # while all 50 of user 1 still wait
    assert not release.is_set()
    release.set()
    await asyncio.gather(*flood, other)
