"""Pushes at Telegram's limits, over real HTTP against the limit-enforcing stand-in."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from telegram import Bot

from bot import callback, texts
from bot.pushes import PushItem, submit_pushes
from bot.sender import Delivery, Outcome, PushSender
from tests.conftest import TOKEN
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def limited(telegram: FakeTelegram) -> FakeTelegram:
    telegram.enforce_limits()  # 30 sends a second overall, about 1 a second per chat
    return telegram


@pytest.fixture
async def bare_bot(limited: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    """A Bot without PTB's rate limiter: the sender's own 429 handling is all there is."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with Bot(TOKEN, base_url=f"{limited.base_url}/bot") as bot:
        yield bot


class Marks:
    """on_sent callbacks that record what was marked announced."""

    def __init__(self) -> None:
        self.done: Counter[str] = Counter()

    def of(self, name: str) -> Callable[[], Any]:
        async def mark() -> None:
            self.done[name] += 1

        return mark


def texts_in(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [m.text for m in telegram.messages(chat_id)]


async def test_every_push_arrives_once_in_order_at_the_limits(
    app: Any, limited: FakeTelegram
) -> None:
    chats, each = range(1, 41), 4  # 40 chats want 40 messages a second: over the 30/s cap
    marks = Marks()
    started = time.monotonic()
    async with PushSender(app.bot) as sender:
        futures = [
            sender.submit(chat, f"chat {chat} #{n}", on_sent=marks.of(f"{chat}/{n}"))
            for n in range(each)
            for chat in chats
        ]
    elapsed = time.monotonic() - started
    print(
        f"{len(futures)} pushes in {elapsed:.2f} s = {len(futures) / elapsed:.1f}/s, "
        f"{len(limited.limit_violations)} refused by the limits"
    )
    deliveries = [f.result() for f in futures]
    assert {d.outcome for d in deliveries} == {Outcome.SENT}
    assert all(d.marked for d in deliveries)
    for chat in chats:
        assert texts_in(limited, chat) == [f"chat {chat} #{n}" for n in range(each)]
    assert set(marks.done.values()) == {1}
    assert len(marks.done) == len(futures)
    # Paced from Telegram's answers, the sender never even brushes a limit.
    assert limited.limit_violations == []


async def test_floods_through_ptbs_limiter_do_not_cascade(app: Any, limited: FakeTelegram) -> None:
    # PTB's AIORateLimiter answers a 429 by pausing every request, then releasing them at once.
    for chat in (3, 4, 5):
        limited.flood(chat, retry_after=1)
    chats, each = range(1, 31), 3
    async with PushSender(app.bot) as sender:
        futures = [sender.submit(c, f"{c}/{n}") for n in range(each) for c in chats]
    assert {f.result().outcome for f in futures} == {Outcome.SENT}
    for chat in chats:
        assert texts_in(limited, chat) == [f"{chat}/{n}" for n in range(each)]
    assert [e[:2] for e in limited.errors] == [("sendMessage", 429)] * 3  # the forced ones
    assert limited.limit_violations == []


async def test_a_chat_waiting_its_second_does_not_hold_back_other_chats(
    app: Any, limited: FakeTelegram
) -> None:
    async with PushSender(app.bot) as sender:
        sender.submit(1, "first for chat 1")
        # Sending starts at the first submit, while the caller is still finding more.
        await limited.wait_for_message(1, "first for chat 1")
        sender.submit(1, "second for chat 1")
        sender.submit(1, "third for chat 1")
        for chat in range(2, 7):
            sender.submit(chat, f"only one for chat {chat}")
    second = limited.messages(1)[1]
    assert second.text == "second for chat 1"
    for chat in range(2, 7):
        [other] = limited.messages(chat)
        assert other.changed_at < second.changed_at  # they did not queue behind chat 1
    assert texts_in(limited, 1) == [f"{n} for chat 1" for n in ("first", "second", "third")]


async def test_a_flood_answer_is_waited_out_and_the_push_delivered_once(
    app: Any, limited: FakeTelegram
) -> None:
    limited.flood(7, retry_after=1)
    marks = Marks()
    async with PushSender(app.bot) as sender:
        future = sender.submit(7, "Order 1 completed", on_sent=marks.of("1"))
        sender.submit(8, "Order 2 completed")
    assert future.result().outcome is Outcome.SENT
    assert texts_in(limited, 7) == ["Order 1 completed"]
    assert texts_in(limited, 8) == ["Order 2 completed"]
    assert marks.done == {"1": 1}
    assert [e[:2] for e in limited.errors] == [("sendMessage", 429)]


async def test_without_ptbs_limiter_the_sender_retries_floods_itself(
    bare_bot: Bot, limited: FakeTelegram
) -> None:
    limited.flood(7, retry_after=1, times=2)
    async with PushSender(bare_bot) as sender:
        future = sender.submit(7, "Order 1 completed")
        later = sender.submit(7, "Order 1 refilled")
    assert (future.result().outcome, later.result().outcome) == (Outcome.SENT, Outcome.SENT)
    assert texts_in(limited, 7) == ["Order 1 completed", "Order 1 refilled"]
    assert len([c for c in limited.calls_of("sendMessage") if c["chat_id"] == 7]) == 4


async def test_a_push_refused_too_often_fails_and_stays_owed(
    bare_bot: Bot, limited: FakeTelegram
) -> None:
    limited.flood(7, retry_after=1, times=2)
    marks = Marks()
    async with PushSender(bare_bot, max_attempts=2) as sender:
        refused = sender.submit(7, "Order 1 completed", on_sent=marks.of("1"))
        after = sender.submit(7, "Order 2 completed", on_sent=marks.of("2"))
    assert refused.result().outcome is Outcome.FAILED
    assert after.result().outcome is Outcome.SENT
    assert texts_in(limited, 7) == ["Order 2 completed"]
    assert marks.done == {"2": 1}  # the first is still owed: the next cycle sends it


async def test_a_blocked_user_gets_nothing_more(app: Any, limited: FakeTelegram) -> None:
    limited.block(5)
    blocked: list[int] = []
    recorded = asyncio.Event()

    async def deactivate(chat_id: int) -> None:
        await recorded.wait()  # the database is slow to record it
        blocked.append(chat_id)

    marks = Marks()
    sender = PushSender(app.bot, on_blocked=deactivate)  # one for the application
    first = [sender.submit(5, f"#{n}", on_sent=marks.of(f"5/{n}")) for n in range(3)]
    other = sender.submit(6, "for chat 6", on_sent=marks.of("6"))
    await first[0]
    meanwhile = sender.submit(5, "while the block is being recorded")
    recorded.set()
    await sender.drain()
    assert {f.result().outcome for f in [*first, meanwhile]} == {Outcome.BLOCKED}
    assert other.result().outcome is Outcome.SENT
    assert blocked == [5]
    assert len([c for c in limited.calls_of("sendMessage") if c["chat_id"] == 5]) == 1
    assert texts_in(limited, 6) == ["for chat 6"]
    assert marks.done == {"6": 1}

    # Later the user comes back (/start): the same sender gives a new message a real try.
    limited.unblock(5)
    back = sender.submit(5, "welcome back")
    await sender.close()
    assert back.result().outcome is Outcome.SENT
    assert texts_in(limited, 5) == ["welcome back"]


async def test_other_errors_fail_that_push_and_the_chat_goes_on(
    app: Any, limited: FakeTelegram
) -> None:
    limited.fail_method("sendMessage", code=400, description="Bad Request: chat not found")
    async with PushSender(app.bot) as sender:
        failed = sender.submit(3, "lost in transit")
        sent = sender.submit(3, "next one")
    assert failed.result() == Delivery(3, Outcome.FAILED, error="Chat not found")
    assert sent.result().outcome is Outcome.SENT
    assert texts_in(limited, 3) == ["next one"]


async def test_a_failing_mark_is_retried_and_the_push_never_sent_twice(
    app: Any, limited: FakeTelegram
) -> None:
    attempts: Counter[str] = Counter()

    def flaky(name: str, failures: int) -> Callable[[], Any]:
        async def mark() -> None:
            attempts[name] += 1
            if attempts[name] <= failures:
                raise RuntimeError("database is locked")

        return mark

    async with PushSender(app.bot, mark_attempts=3, mark_backoff=0.01) as sender:
        recovers = sender.submit(1, "Order 1 completed", on_sent=flaky("recovers", 2))
        never = sender.submit(2, "Order 2 completed", on_sent=flaky("never", 99))
    assert recovers.result().marked
    assert never.result() == Delivery(2, Outcome.SENT, never.result().message_id, marked=False)
    assert attempts == {"recovers": 3, "never": 3}
    assert texts_in(limited, 1) == ["Order 1 completed"]
    assert texts_in(limited, 2) == ["Order 2 completed"]
    assert len(limited.calls_of("sendMessage")) == 2


async def test_leaving_on_an_error_cancels_what_was_not_sent(
    app: Any, limited: FakeTelegram
) -> None:
    futures: list[asyncio.Future[Delivery]] = []

    async def interrupted_cycle() -> None:
        async with PushSender(app.bot) as sender:
            futures.append(sender.submit(1, "first"))
            futures.append(sender.submit(1, "second"))  # must wait a second for chat 1
            await futures[0]
            raise RuntimeError("cycle interrupted")

    with pytest.raises(RuntimeError, match="cycle interrupted"):
        await interrupted_cycle()
    sent, queued = futures
    assert sent.result().outcome is Outcome.SENT
    assert queued.cancelled()
    assert texts_in(limited, 1) == ["first"]


async def test_one_users_changes_arrive_as_one_message_and_are_all_marked(
    app: Any, limited: FakeTelegram
) -> None:
    items = [
        PushItem(f"🔔 <b>Order {n}</b> · In progress", str(n), callback.build("c", "open", n), n)
        for n in range(1, 11)
    ]
    marked: list[tuple[int, ...]] = []

    async def mark(tokens: tuple[int, ...]) -> None:
        marked.append(tokens)

    async with PushSender(app.bot) as sender:
        [future] = submit_pushes(sender, 9, items, mark)
    assert future.result().outcome is Outcome.SENT
    [message] = limited.messages(9)
    assert message.text.startswith(f"{texts.pushes.PUSH_MARK}<b>10 status updates</b>")
    assert all(f"<b>Order {n}</b>" in message.text for n in range(1, 11))
    assert [data for row in message.buttons for _, data in row] == [
        f"c:open:{n}" for n in range(1, 11)
    ]
    assert marked == [tuple(range(1, 11))]
