"""Pushed status changes: batched polling, exactly-once announcements, Telegram's limits."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.context import app_services
from bot.notifier import notifier_of
from storage.models import Order, User
from tests.conftest import (
    OTHER_KEY,
    OTHER_USER,
    USER,
    USER_KEY,
    on_both_databases,
    on_every_dialect,
    running,
)
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.orders import placed_order
from tests.test_order_safety import reach_summary

DEFAULT = SERVICE_IDS["Default"]
pytestmark = on_both_databases


async def track(app: Any, panel: FakePanel, user: int, key: str, count: int) -> list[str]:
    """`count` orders of `user` at the panel, stored the way the bot stores a placed order."""
    repository = app_services(app).repository
    await repository.touch_user(user)
    await repository.set_api_key(user, key)
    links = [f"https://instagram.com/p{index}" for index in range(count)]
    return [(await placed_order(app, panel, user, key, link))[1] for link in links]


async def cycle(app: Any) -> None:
    assert await notifier_of(app).run_cycle(app)


def pushes(telegram: FakeTelegram, chat_id: int, order_id: str) -> list[str]:
    return [m.text for m in telegram.messages(chat_id) if f"Order {order_id}</b>" in m.text]


async def test_one_status_call_per_hundred_orders_per_key(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await track(app, panel, USER, USER_KEY, 250)
    await track(app, panel, OTHER_USER, OTHER_KEY, 30)
    panel.reset_counts()
    await cycle(app)
    # ⌈250/100⌉ + ⌈30/100⌉ = 4, and each call carries at most 100 ids.
    assert panel.count("status") == 4
    sizes = sorted(len(form["orders"].split(",")) for action, form in panel.requests)
    assert sizes == [30, 50, 100, 100]


async def test_each_change_is_announced_once_and_final_stops_polling(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    await cycle(app)
    assert pushes(telegram, USER, order_id) == []  # nothing changed yet

    panel.set_order(order_id, status="In progress", remains=60, start_count=1200)
    await cycle(app)
    await cycle(app)
    [push] = pushes(telegram, USER, order_id)
    assert "Pending → 🔄 <b>In progress</b>" in push
    assert "40%" in push  # delivered 40 of 100
    [[(label, data)]] = telegram.messages(USER)[-1].buttons
    assert "Open order" in label
    assert data.startswith("c:open:")

    panel.set_order(order_id, status="Completed", remains=0)
    await cycle(app)
    assert len(pushes(telegram, USER, order_id)) == 2
    assert "In progress → ✅ <b>Completed</b>" in pushes(telegram, USER, order_id)[-1]

    panel.reset_counts()
    await cycle(app)
    assert panel.count("status") == 0  # final: no longer polled
    assert len(pushes(telegram, USER, order_id)) == 2


async def test_push_button_opens_the_order_card(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    panel.set_order(order_id, status="Partial", remains=30)
    await cycle(app)
    card = await Customer(telegram).tap("Open order", "Remains")
    assert f"Order {order_id}" in card.text
    assert "Partial" in card.text


async def test_unknown_status_is_shown_verbatim_and_polled_on(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    panel.set_order(order_id, status="Awaiting <moderation>")
    await cycle(app)
    [push] = pushes(telegram, USER, order_id)
    assert "Awaiting &lt;moderation&gt;" in push
    panel.reset_counts()
    await cycle(app)
    assert panel.count("status") == 1


async def test_change_stored_before_a_restart_is_announced_after_it(
    settings: Settings, telegram: FakeTelegram, panel: FakePanel
) -> None:
    async with running(settings) as first:
        [order_id] = await track(first, panel, USER, USER_KEY, 1)
        panel.set_order(order_id, status="In progress", remains=50)
        telegram.fail_method("sendMessage", times=1, code=500, description="Internal error")
        await cycle(first)  # stored, but the push failed
        assert pushes(telegram, USER, order_id) == []
    async with running(settings) as second:
        await cycle(second)
        await cycle(second)
    assert len(pushes(telegram, USER, order_id)) == 1


async def test_flood_answer_delays_but_does_not_lose_a_push(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    panel.set_order(order_id, status="In progress")
    telegram.flood(chat_id=USER, retry_after=1, times=1)
    await cycle(app)
    assert len(pushes(telegram, USER, order_id)) == 1
    attempts = [c for c in telegram.calls_of("sendMessage") if c["chat_id"] == USER]
    assert len(attempts) == 2  # the 429, then the message after waiting it out


async def test_blocked_user_gets_no_more_pushes_or_polling_until_start(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    telegram.block(USER)
    panel.set_order(order_id, status="In progress")
    await cycle(app)
    assert (await app_services(app).repository.get_user(USER)).active is False  # type: ignore[union-attr]
    panel.set_order(order_id, status="Completed", remains=0)
    panel.reset_counts()
    sends_before = len(telegram.calls_of("sendMessage"))
    await cycle(app)
    assert panel.count("status") == 0
    assert len(telegram.calls_of("sendMessage")) == sends_before

    telegram.unblock(USER)
    await Customer(telegram).say("/start", "Hi")
    await cycle(app)
    [push] = pushes(telegram, USER, order_id)
    assert "Completed" in push


async def test_rejected_key_is_told_once_and_pauses_polling(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await track(app, panel, USER, USER_KEY, 2)
    panel.revoke_key(USER_KEY)
    await cycle(app)
    await cycle(app)
    told = [m for m in telegram.messages(USER) if "no longer accepts your API key" in m.text]
    assert len(told) == 1
    panel.reset_counts()
    await cycle(app)
    assert panel.count("status") == 0


async def test_panel_down_skips_the_cycle_and_loses_nothing(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    panel.set_order(order_id, status="In progress")
    panel.fault = "html502"
    await cycle(app)
    assert pushes(telegram, USER, order_id) == []
    panel.fault = None
    await cycle(app)
    assert len(pushes(telegram, USER, order_id)) == 1


async def test_mixed_good_and_error_entries(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    good, vanished = await track(app, panel, USER, USER_KEY, 2)
    del panel.orders[vanished]  # the panel now answers "Incorrect order ID" for it
    panel.set_order(good, status="In progress")
    await cycle(app)
    assert len(pushes(telegram, USER, good)) == 1
    assert pushes(telegram, USER, vanished) == []


async def test_muted_changes_are_recorded_not_pushed(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    customer = Customer(telegram)
    await customer.say("/notify", "<b>on</b>")
    await customer.tap("Mute", "muted")
    panel.set_order(order_id, status="In progress")
    await cycle(app)
    assert pushes(telegram, USER, order_id) == []
    listing = await customer.say("/orders", "Your orders")
    assert "In progress" in listing.text
    await customer.say("/notify", "muted")
    await customer.tap("Turn status messages on", "<b>on</b>")
    await cycle(app)
    assert pushes(telegram, USER, order_id) == []  # old news is not replayed


async def test_refill_and_cancel_results_are_pushed(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [done] = await track(app, panel, USER, USER_KEY, 1)
    panel.complete(done)
    await cycle(app)
    customer = Customer(telegram)
    await customer.say(f"/refill {done}", "requested")
    [refill_id] = list(panel.refills)
    panel.set_refill(refill_id, "Completed")
    await cycle(app)
    assert any(
        f"Refill {refill_id}" in m.text and "Completed" in m.text for m in telegram.messages(USER)
    )

    await reach_summary(customer)
    await customer.tap("Confirm", "Order placed")
    await customer.tap("Open order", "Remains")
    await customer.tap("Cancel order", "The panel may refund")
    await customer.tap("Yes, cancel", "Cancellation requested")
    [cancel_id] = list(panel.cancels)
    panel.set_cancel(cancel_id, "Completed")
    # The panel cancels the order too: one message tells both (tests/test_status_messages.py).
    panel.set_order(panel.cancels[cancel_id].order_id, status="Canceled", refund=True)
    await cycle(app)
    assert any(
        f"Cancel request {cancel_id}: Completed" in m.text and "Canceled" in m.text
        for m in telegram.messages(USER)
    )


async def test_cycles_never_overlap(app: Any, telegram: FakeTelegram, panel: FakePanel) -> None:
    await track(app, panel, USER, USER_KEY, 1)
    panel.delays["status"] = 1
    notifier = notifier_of(app)
    first, second = await asyncio.gather(notifier.run_cycle(app), notifier.run_cycle(app))
    assert sorted([first, second]) == [False, True]
    assert panel.count("status") == 1


async def test_users_sharing_a_key_are_polled_in_one_call(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    mine = await track(app, panel, USER, USER_KEY, 30)
    theirs = await track(app, panel, OTHER_USER, USER_KEY, 30)
    panel.set_order(mine[0], status="In progress")
    panel.set_order(theirs[0], status="Completed", remains=0)
    panel.reset_counts()
    await cycle(app)
    assert panel.count("status") == 1  # ⌈60/100⌉ for the one key
    assert len(pushes(telegram, USER, mine[0])) == 1
    assert len(pushes(telegram, OTHER_USER, theirs[0])) == 1
    assert pushes(telegram, USER, theirs[0]) == []


async def test_a_panel_spelling_statuses_in_lowercase_causes_no_pushes(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    panel.status_spelling = {"Pending": "pending", "In progress": "in progress"}
    await cycle(app)
    assert pushes(telegram, USER, order_id) == []
    panel.set_order(order_id, status="In progress")
    await cycle(app)
    [push] = pushes(telegram, USER, order_id)
    # A known state reads in the bot's words (the reader's language), whatever the spelling.
    assert "Pending → 🔄 <b>In progress</b>" in push


async def test_an_announcement_never_overwrites_a_newer_one(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    repository = app_services(app).repository
    order = await repository.find_order(USER, order_id)
    assert order is not None
    assert order.id is not None
    # The user saw "Completed" (Refresh) while a push of "In progress" was being sent.
    await repository.record_order_status(
        order.id,
        status="completed",
        status_raw="Completed",
        remains=0,
        start_count=1,
        charge=None,
        seen_by_user=True,
    )
    await repository.mark_announced(Order, order.id, "In progress", previously="Pending")
    assert (await repository.find_order(USER, order_id)).announced_status == "Completed"  # type: ignore[union-attr]


async def test_one_unreadable_stored_key_does_not_stop_everyone_elses_pushes(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    [order_id] = await track(app, panel, USER, USER_KEY, 1)
    await track(app, panel, OTHER_USER, OTHER_KEY, 1)
    # e.g. its old ENCRYPTION_KEY dropped
    async with AsyncSession(app_services(app).engine) as session:
        other = await session.get(User, OTHER_USER)
        assert other is not None
        other.api_key_encrypted = Fernet.generate_key().decode()
        session.add(other)
        await session.commit()
    panel.set_order(order_id, status="In progress")
    await cycle(app)
    assert len(pushes(telegram, USER, order_id)) == 1


async def test_several_changes_of_one_user_arrive_as_one_message(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    ids = await track(app, panel, USER, USER_KEY, 5)
    for order_id in ids:
        panel.set_order(order_id, status="Completed", remains=0)
    before = len(telegram.messages(USER))
    await cycle(app)
    [digest] = telegram.messages(USER)[before:]
    for order_id in ids:  # each order named, with a button to its card
        assert order_id in digest.text
        assert any(order_id in label for row in digest.buttons for label, _ in row)
    assert digest.text.count("Completed") == 5
    await cycle(app)  # told once: nothing more
    assert len(telegram.messages(USER)) == before + 1


async def test_a_hung_key_never_holds_back_another_keys_push(
    app: Any, telegram: FakeTelegram, panel: FakePanel, caplog: pytest.LogCaptureFixture
) -> None:
    [stuck] = await track(app, panel, USER, USER_KEY, 1)
    [moving] = await track(app, panel, OTHER_USER, OTHER_KEY, 1)
    panel.hung_keys.add(USER_KEY)  # this customer's panel account never answers
    panel.set_order(stuck, status="In progress")
    panel.set_order(moving, status="In progress")
    notifier = notifier_of(app)
    try:
        # The job's way: the cycle starts every key and does not wait for any of them.
        assert await notifier.run_cycle(app, wait=False)
        await telegram.wait_for_message(OTHER_USER, f"Order {moving}", timeout=5)
        assert pushes(telegram, USER, stuck) == []
        # The next cycle skips the key still in flight instead of queueing a second poll
        # (said at DEBUG: it repeats every cycle while the key hangs).
        with caplog.at_level(logging.DEBUG, logger="bot.notifier"):
            assert await notifier.run_cycle(app)
        assert f"Users [{USER}]: previous poll still running; skipped" in caplog.messages
    finally:
        panel.hung_keys.clear()


@on_every_dialect
async def test_a_status_change_is_pushed_on_every_panel_dialect(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    """BoostedSMM answers `status` for one order only (B23): the poller falls back to one call
    per order and the customer gets the same message, once."""
    await app_services(app).catalogue.get(USER_KEY)  # the panel is recognised from its catalogue
    ids = await track(app, panel, USER, USER_KEY, 3)
    panel.set_order(ids[0], status="Completed", remains=0)
    await cycle(app)
    [push] = [m for m in telegram.messages(USER) if ids[0] in m.text]
    assert "Completed" in push.text
    forms = [form for action, form in panel.requests if action == "status"]
    if panel.dialect == "boostedsmm":
        assert sorted(form["order"] for form in forms if "order" in form) == sorted(ids)
    else:
        assert [len(form["orders"].split(",")) for form in forms] == [3]
    await cycle(app)  # told once
    assert len([m for m in telegram.messages(USER) if ids[0] in m.text]) == 1
