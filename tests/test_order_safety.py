"""Confirm places exactly one order; slow panels and restarts do not hurt other users."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import app_services
from bot.notifier import notifier_of
from storage.models import Order
from tests.conftest import OTHER_KEY, OTHER_USER, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

DEFAULT = SERVICE_IDS["Default"]


async def reach_summary(customer: Customer, link: str = "https://instagram.com/a") -> BotMessage:
    await customer.open_service(DEFAULT, "Send the <b>link</b>")
    await customer.say(link, "quantity")
    await customer.say("500", "Spread it")
    return await customer.tap("All at once", "Check your order")


def confirm_data(summary: BotMessage) -> str:
    return next(data for row in summary.buttons for label, data in row if "Confirm" in label)


async def test_double_tap_places_one_order(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    await customer.connect()
    summary = await reach_summary(customer)
    data = confirm_data(summary)
    first = telegram.press(customer.user_id, summary.message_id, data)
    second = telegram.press(customer.user_id, summary.message_id, data)
    await telegram.wait_for_message(customer.user_id, "Order placed")
    await telegram.wait_for(lambda: second in telegram.callback_answers)
    assert panel.count("add") == 1
    assert len(panel.orders) == 1
    assert "already" in (telegram.callback_answers[second].get("text") or "")
    assert first in telegram.callback_answers


async def test_timeout_after_send_is_outcome_unknown_and_never_retried(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key, panel_timeout_seconds=0.5)
    async with running(settings):
        customer = Customer(telegram)
        await customer.connect()
        summary = await reach_summary(customer)
        panel.timeout_seconds = 1.5
        panel.fault_actions = {"add"}
        panel.fault = "timeout_after_processing"
        answer = await customer.tap("Confirm", "couldn't confirm")
        assert "not</b> place it again" in answer.text
        assert "/orders" in answer.text
        # The panel did create it; we sent exactly one add and will not send another.
        assert panel.count("add") == 1
        assert len(panel.orders) == 1
        # A late tap on the old Confirm (another device, a retried update) sends nothing.
        query = telegram.press(customer.user_id, summary.message_id, confirm_data(summary))
        await telegram.wait_for(lambda: query in telegram.callback_answers)
        assert "already" in (telegram.callback_answers[query].get("text") or "")
        assert panel.count("add") == 1
        assert "Order placed" not in customer.last().text
        listing = await customer.say("/orders", "Your orders")
        assert "unconfirmed" in listing.text
        assert "check your panel" in listing.text


async def test_slow_panel_for_one_user_does_not_delay_another(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    slow = Customer(telegram)
    fast = Customer(telegram, OTHER_USER)
    await slow.connect()
    await fast.connect(OTHER_KEY)
    await reach_summary(slow)
    panel.delays["add"] = 10
    query = telegram.press_button(slow.user_id, "Confirm")
    # The slow panel shows as ⏳ in the tap's answer (no message of its own).
    placing = await telegram.wait_for(lambda: telegram.callback_answers.get(query))
    assert "Placing" in placing["text"]
    # While the slow user's add is still waiting at the panel, the other user is served.
    answer = await fast.say("/help", "How it works", timeout=5)
    assert "Order placed" not in slow.last().text
    assert answer.text
    panel.delays["add"] = 0


async def test_idle_conversation_ends_with_a_message(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key, conversation_timeout_seconds=1)
    async with running(settings):
        customer = Customer(telegram)
        await customer.connect()
        await customer.open_service(DEFAULT, "Send the <b>link</b>")
        await telegram.wait_for_message(customer.user_id, "left idle", timeout=10)
        # The question's buttons are gone, and typed text is no longer taken as a link.
        question = telegram.messages(customer.user_id)[-2]
        assert not any("Cancel" in label for label in customer.labels(question))
        answer = await customer.say("https://instagram.com/a")
        assert "quantity" not in answer.text
        assert panel.count("add") == 0


async def test_buttons_after_restart(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key)
    customer = Customer(telegram)
    async with running(settings):
        await customer.connect()
        menu = await customer.say("/order", "Choose a category")
        await reach_summary(customer)
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)):
        # The order survived the restart (bot.persistence): a browsing button of an earlier
        # step is "expired", and the summary stays the live step.
        mark = telegram.mark()
        query = telegram.press(customer.user_id, menu.message_id, menu.buttons[0][0][1])
        await telegram.wait_for(lambda: query in telegram.callback_answers)
        assert "expired" in telegram.callback_answers[query]["text"]
        # Confirm places the order the user saw (the draft lives in the database).
        await customer.tap("Confirm", "Order placed")
        assert not any(
            "/order to start again" in m.text
            for m in telegram.messages(customer.user_id)
            if m.changed_at > mark
        )
        assert panel.count("add") == 1


async def age_order_rows(app: Any, **columns: timedelta) -> None:
    """Move the orders' timestamps into the past, as if the time had passed."""
    async with AsyncSession(app_services(app).engine) as session:
        for order in (await session.exec(select(Order))).all():
            for name, delta in columns.items():
                value = getattr(order, name)
                if value is not None:
                    setattr(order, name, value - delta)
            session.add(order)
        await session.commit()


async def test_confirm_places_even_if_showing_placing_fails(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    await customer.connect()
    await reach_summary(customer)
    panel.delays["add"] = 1.5  # slow enough for the ⏳, which Telegram refuses
    telegram.fail_method(
        "answerCallbackQuery", times=1, code=400, description="Bad Request: query is too old"
    )
    await customer.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


async def test_a_summary_older_than_the_conversation_timeout_no_longer_places(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    await customer.connect()
    summary = await reach_summary(customer)
    await age_order_rows(app, created_at=timedelta(hours=1))  # idle far beyond the 15 minutes
    query = telegram.press(customer.user_id, summary.message_id, confirm_data(summary))
    await telegram.wait_for(lambda: query in telegram.callback_answers)
    assert "expired" in telegram.callback_answers[query]["text"]
    assert panel.count("add") == 0


async def test_a_placement_cut_short_by_a_crash_shows_as_unconfirmed(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    await customer.connect()
    await reach_summary(customer)
    repository = app_services(app).repository
    assert await repository.list_orders(customer.user_id, 0, 10) == []  # a draft is no order yet
    async with AsyncSession(app_services(app).engine) as session:
        [row] = (await session.exec(select(Order))).all()
    assert await repository.claim_draft(row.id, customer.user_id) is not None  # type: ignore[arg-type]
    await customer.say("/cancel", "cancelled")  # leaves the chat flow; the claim stands
    listing = await customer.say("/orders", "Your orders")
    assert "being placed" in listing.text
    await age_order_rows(app, claimed_at=timedelta(hours=1))  # the process died mid-`add`
    assert await notifier_of(app).run_cycle(app)
    listing = await customer.say("/orders", "Your orders")
    assert "unconfirmed" in listing.text
    assert panel.count("add") == 0


async def test_the_receipt_arrives_even_if_the_summary_cannot_be_edited(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    await customer.connect()
    await reach_summary(customer)
    # The receipt edit fails (e.g. the summary was deleted meanwhile).
    telegram.fail_method("editMessageText", times=1, code=400, description="Bad Request: gone")
    mark = telegram.mark()
    telegram.press_button(customer.user_id, "Confirm")
    receipt = await telegram.wait_for_message(customer.user_id, "Order placed", after=mark)
    assert next(iter(panel.orders)) in receipt.text
    assert panel.count("add") == 1
    assert "Something went wrong" not in telegram.all_text()


async def test_a_placed_order_is_recorded_through_a_busy_database(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key)
    async with running(settings):
        customer = Customer(telegram)
        await customer.connect()
        await reach_summary(customer)
        panel.delays["add"] = 0.5
        mark = telegram.mark()
        telegram.press_button(customer.user_id, "Confirm")
        await telegram.wait_for(lambda: panel.count("add") == 1)
        # Another process holds the database's write lock longer than a write waits for it.
        locker = sqlite3.connect(tmp_path / "data" / "bot.db", isolation_level=None)
        try:
            locker.execute("BEGIN IMMEDIATE")
            receipt = await telegram.wait_for_message(customer.user_id, "Order placed", after=mark)
            panel_id = next(iter(panel.orders))
            assert panel_id in receipt.text  # the user has the panel's id in any case
            with caplog.at_level(logging.WARNING, logger="bot.services.placement"):
                await telegram.wait_for(lambda: "database busy" in caplog.text, timeout=15)
        finally:
            locker.execute("COMMIT")
            locker.close()
        # Recorded once the database is free again: listed with its id, not as unconfirmed.
        listing = await customer.say("/orders", "Your orders", timeout=15)
        assert panel_id in listing.text
        assert "unconfirmed" not in listing.text
        assert panel.count("add") == 1
