"""A customer waiting on the panel: ⏳ when it is slow, "not answering" when it hangs — never a
long silence — while the status poller keeps its patience. Real HTTP against both stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot import texts
from tests.conftest import USER_KEY, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

HUNG = 30  # seconds: far beyond the budget (the stand-in wakes up when the test ends)
SLOW = 1.6  # seconds: past the ⏳ patience (1 s), well within the budget
BUDGET = 3  # PANEL_INTERACTIVE_SECONDS in these tests
NOT_ANSWERING = "not answering"


@pytest.fixture
async def app(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    settings = make_settings(
        tmp_path,
        panel,
        telegram,
        fernet_key,
        panel_timeout_seconds=5,  # one attempt alone would outlast the budget
        panel_interactive_seconds=BUDGET,
    )
    async with running(settings) as application:
        yield application


def answers_of(telegram: FakeTelegram, query_id: str) -> list[dict[str, Any]]:
    return [
        params
        for params in telegram.calls_of("answerCallbackQuery")
        if str(params.get("callback_query_id")) == query_id
    ]


async def test_hung_panel_on_balance_command_says_not_answering(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.delays["balance"] = HUNG
    answer = await customer.say("/balance", NOT_ANSWERING)
    assert answer.text == texts.common.panel_unavailable()
    # The ⏳ shown meanwhile became that answer: no "asking" message is left behind.
    assert texts.common.asking_panel() not in [m.text for m in telegram.messages(customer.user_id)]


async def test_hung_panel_on_balance_button_says_not_answering(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.delays["balance"] = HUNG
    mark = telegram.mark()
    query = telegram.press_button(customer.user_id, texts.common.button_balance())
    await telegram.wait_for_message(customer.user_id, NOT_ANSWERING, after=mark)
    # The tap was answered once, with the ⏳ (its toast), and nothing else was sent.
    assert [a.get("text") for a in answers_of(telegram, query)] == [texts.common.asking_panel()]


async def test_slow_balance_command_shows_hourglass_then_the_answer_in_its_place(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.delays["balance"] = SLOW
    before = len(telegram.calls_of("sendMessage"))
    answer = await customer.say("/balance", "Balance: <b>100")
    sent = [call["text"] for call in telegram.calls_of("sendMessage")[before:]]
    assert sent == [texts.common.asking_panel()]  # the ⏳ first, then edited into the balance
    assert answer.edited
    assert customer.last().message_id == answer.message_id


async def test_slow_balance_button_answers_the_tap_with_hourglass(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.delays["balance"] = SLOW
    mark = telegram.mark()
    query = telegram.press_button(customer.user_id, texts.common.button_balance())
    await telegram.wait_for_message(customer.user_id, "Balance: <b>100", after=mark)
    assert [a.get("text") for a in answers_of(telegram, query)] == [texts.common.asking_panel()]


async def test_quick_panel_shows_no_hourglass(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    mark = telegram.mark()
    query = telegram.press_button(customer.user_id, texts.common.button_balance())
    await telegram.wait_for_message(customer.user_id, "Balance: <b>100", after=mark)
    await telegram.wait_for(lambda: answers_of(telegram, query))
    assert [a.get("text") for a in answers_of(telegram, query)] == [None]
    await customer.say("/balance", "Balance: <b>100")
    assert texts.common.asking_panel() not in telegram.all_text()


async def test_slow_catalogue_on_order_shows_hourglass_then_the_categories(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.delays["services"] = SLOW
    before = len(telegram.calls_of("sendMessage"))
    menu = await customer.say("/order", "Choose a category")
    sent = [call["text"] for call in telegram.calls_of("sendMessage")[before:]]
    assert sent == [texts.common.asking_panel()]
    assert "Instagram Followers" in customer.labels(menu)
    # Browsing on: the list is the live message, its buttons work.
    page = await customer.tap("Instagram Followers", "Instagram Followers")
    assert page.message_id == menu.message_id


async def test_slow_status_shows_hourglass_then_the_report(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    website = panel.create_order(USER_KEY, 1, 300, "https://instagram.com/w", "In progress")
    panel.delays["status"] = SLOW
    before = len(telegram.calls_of("sendMessage"))
    answer = await customer.say(f"/status {website}", "Order status")
    assert [call["text"] for call in telegram.calls_of("sendMessage")[before:]] == [
        texts.common.asking_panel()
    ]
    assert "In progress" in answer.text
    assert "Now tracking 1 order" in answer.plain


async def test_hung_panel_on_refresh_says_not_answering(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    website = panel.create_order(USER_KEY, 1, 300, "https://instagram.com/w", "In progress")
    await customer.say(f"/status {website}", "Now tracking")
    await customer.say("/orders", "Your orders")
    card = await customer.tap(website, f"Order {website}")
    panel.delays["status"] = HUNG
    mark = telegram.mark()
    query = telegram.press_button(customer.user_id, "Refresh")
    await telegram.wait_for_message(customer.user_id, NOT_ANSWERING, after=mark)
    assert [a.get("text") for a in answers_of(telegram, query)] == [texts.common.asking_panel()]
    assert customer.labels(card)  # the card stays as it was, buttons and all
    assert (
        panel.count("status") == 2
    )  # /status, then one Refresh attempt: no retries past the budget


async def test_hung_panel_on_confirm_is_outcome_unknown_and_never_repeated(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.open_service(1, "Send the <b>link</b>")
    await customer.say("https://instagram.com/a", "quantity")
    await customer.say("500", "Spread it")
    await customer.tap("All at once", "Check your order")
    panel.delays["add"] = HUNG
    mark = telegram.mark()
    query = telegram.press_button(customer.user_id, "Confirm")
    answer = await telegram.wait_for_message(customer.user_id, "couldn't confirm", after=mark)
    assert "not</b> place it again" in answer.text
    assert [a.get("text") for a in answers_of(telegram, query)] == [texts.order.placing()]
    assert panel.count("add") == 1
