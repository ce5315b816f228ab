"""Commands mid-order (issue 11, item 10): /balance, /orders, /status, /help and /notify are
answered without ending the order (its step comes again under the answer); /start and /order
ask before dropping a half-filled order; the old menu's buttons keep working.

Everything goes through the running bot, the stand-in Bot API and the stand-in panel over real
HTTP; assertions look at what the customer sees and what the panel received.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import USER_KEY
from tests.customer import Customer
from tests.fakes.panel import PLAIN_SERVICE_ID, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram
from tests.orders import placed_order

LINK = "https://instagram.com/p/C0ffee"
LINK_Q = "Send the <b>link</b>"
QUANTITY_Q = "Send the <b>quantity</b>"
SUMMARY = "Check your order"
CATEGORIES = "Choose a category"
STILL_OPEN = "📝 Your order is still open"
DROP = "Drop the order you are filling in"
DROPPED = "was dropped"
EXPIRED = "expired"
MENU = "What would you like to do"


class Shopper(Customer):
    """Waits for a *new* bot message after typing (a question shown again repeats the text)."""

    def newest_id(self) -> int:
        messages = self.telegram.messages(self.user_id)
        return max((m.message_id for m in messages), default=0)

    async def say(self, text: str, expect: str | None = None, timeout: float = 10) -> BotMessage:
        newest = self.newest_id()
        self.telegram.send_text(self.user_id, text)
        return await self.telegram.wait_for(
            lambda: next(
                (
                    m
                    for m in self.telegram.messages(self.user_id)
                    if m.message_id > newest and (expect is None or expect in m.text)
                ),
                None,
            ),
            timeout=timeout,
            what=f"a new message with {expect!r}",
        )


@pytest.fixture
async def shopper(app: Any, telegram: FakeTelegram) -> Shopper:
    shopper = Shopper(telegram)
    await shopper.connect()
    return shopper


async def at_quantity(shopper: Shopper) -> BotMessage:
    """A plain service (link, quantity), the link answered: the quantity question."""
    await shopper.open_service(PLAIN_SERVICE_ID, LINK_Q)
    return await shopper.say(LINK, QUANTITY_Q)


def only_add(panel: FakePanel) -> dict[str, str]:
    adds = [fields for action, fields in panel.requests if action == "add"]
    assert len(adds) == 1, adds
    return adds[0]


# --- information commands ----------------------------------------------------------------------


async def test_the_draft_survives_balance_and_the_next_answer_completes_the_order(
    shopper: Shopper, panel: FakePanel
) -> None:
    question = await at_quantity(shopper)
    mark = shopper.newest_id()
    again = await shopper.say("/balance", STILL_OPEN)  # the step again, under the answer
    [balance] = [
        m
        for m in shopper.telegram.messages(shopper.user_id)
        if m.message_id > mark and "Balance: <b>100" in m.text
    ]
    assert again.message_id > balance.message_id
    assert again.text.endswith(question.text)
    assert again.buttons == question.buttons
    summary = await shopper.say("100", SUMMARY)
    assert LINK in summary.text
    await shopper.tap("Confirm", "Order placed")
    fields = only_add(panel)
    assert fields["link"] == LINK
    assert fields["quantity"] == "100"
    assert fields["service"] == str(PLAIN_SERVICE_ID)


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        ("/orders", "Your orders"),
        ("/status 1", "Order status"),
        ("/help", "How it works"),
        ("/notify", "Status messages are"),
    ],
)
async def test_information_commands_answer_and_keep_the_question(
    command: str, answer: str, app: Any, shopper: Shopper, panel: FakePanel
) -> None:
    await placed_order(app, panel)
    question = await at_quantity(shopper)
    mark = shopper.newest_id()
    reminder = await shopper.say(command, STILL_OPEN)
    answered = [m for m in shopper.telegram.messages(shopper.user_id) if mark < m.message_id]
    assert any(answer in m.text for m in answered), [m.text for m in answered]
    assert reminder.message_id == max(m.message_id for m in answered)  # the step comes last
    assert reminder.text.endswith(question.text)
    assert "You're in the middle of an order" not in shopper.telegram.all_text()
    await shopper.say("100", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


async def test_balance_at_the_summary_shows_the_summary_again_and_confirm_places_once(
    shopper: Shopper, panel: FakePanel
) -> None:
    await at_quantity(shopper)
    summary = await shopper.say("100", SUMMARY)
    again = await shopper.say("/balance", STILL_OPEN)
    assert again.text.endswith(summary.text)
    assert again.buttons == summary.buttons  # the same draft behind both Confirms
    await shopper.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


async def test_the_old_menus_buttons_keep_working_mid_order(
    shopper: Shopper, panel: FakePanel
) -> None:
    await shopper.say("/start", MENU)
    question = await at_quantity(shopper)
    await shopper.tap("Balance", "Balance")
    await shopper.say("100", SUMMARY)  # the question above still takes its answer
    assert question.text
    await shopper.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


async def test_other_commands_mid_order_are_still_refused(shopper: Shopper) -> None:
    question = await at_quantity(shopper)
    refused = await shopper.say("/key", "You're in the middle of an order")
    assert refused.text.endswith(question.text)


# --- /start and /order ask before dropping the order ------------------------------------------


async def test_start_mid_order_asks_and_no_shows_the_question_again(
    shopper: Shopper, panel: FakePanel
) -> None:
    question = await at_quantity(shopper)
    ask = await shopper.say("/start", DROP)
    assert "Instagram Followers" in ask.plain  # the service being ordered
    assert shopper.labels(ask) == ["🗑 Yes, drop it", "↩️ No, carry on"]
    assert MENU not in shopper.telegram.all_text()
    back = await shopper.tap("No, carry on", QUANTITY_Q)
    assert back.message_id == ask.message_id  # the question, in place of the question
    assert back.text == question.text
    assert back.buttons == question.buttons
    await shopper.say("100", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


async def test_start_yes_drops_the_order_and_greets(shopper: Shopper, panel: FakePanel) -> None:
    await at_quantity(shopper)
    summary = await shopper.say("100", SUMMARY)
    confirm = next(data for row in summary.buttons for text, data in row if "Confirm" in text)
    assert confirm is not None
    ask = await shopper.say("/start", DROP)
    dropped = await shopper.tap("Yes, drop it", DROPPED)
    assert dropped.message_id == ask.message_id
    assert dropped.buttons == []
    await shopper.telegram.wait_for_message(shopper.user_id, MENU)
    toast = await shopper.press(summary, confirm)  # the dropped order's Confirm
    assert EXPIRED in str(toast.get("text", ""))
    # No question is open any more: typed text outside any flow is a catalogue search.
    await shopper.say("100", "Nothing matches")
    assert panel.count("add") == 0


async def test_order_yes_drops_it_and_shows_the_catalogue(
    shopper: Shopper, panel: FakePanel
) -> None:
    await at_quantity(shopper)
    await shopper.say("/order", DROP)
    await shopper.tap("Yes, drop it", CATEGORIES)
    # A new order from the start.
    await shopper.say(str(PLAIN_SERVICE_ID), LINK_Q)
    await shopper.say(LINK, QUANTITY_Q)
    await shopper.say("100", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


async def test_order_no_and_a_stale_yes_after_it_keep_the_order(
    shopper: Shopper, panel: FakePanel
) -> None:
    question = await at_quantity(shopper)
    ask = await shopper.say("/order", DROP)
    yes = next(data for row in ask.buttons for text, data in row if "Yes" in text)
    assert yes is not None
    await shopper.tap("No, carry on", QUANTITY_Q)
    toast = await shopper.press(ask, yes)
    assert EXPIRED in str(toast.get("text", ""))
    second = await shopper.press(ask, yes)  # and again: still nothing
    assert EXPIRED in str(second.get("text", ""))
    assert DROPPED not in shopper.telegram.all_text()
    again = await shopper.say("/balance", STILL_OPEN)
    assert again.text.endswith(question.text)
    await shopper.say("100", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


async def test_order_while_only_browsing_asks_nothing(shopper: Shopper) -> None:
    await shopper.say("/order", CATEGORIES)
    await shopper.say("/order", CATEGORIES)
    await shopper.say("/start", MENU)
    assert DROP not in shopper.telegram.all_text()


async def test_a_yes_after_the_order_was_placed_is_expired(
    shopper: Shopper, panel: FakePanel
) -> None:
    await at_quantity(shopper)
    await shopper.say("100", SUMMARY)
    ask = await shopper.say("/start", DROP)
    await shopper.tap("Confirm", "Order placed")  # the summary is still there to confirm
    yes = next(data for row in ask.buttons for text, data in row if "Yes" in text)
    assert yes is not None
    toast = await shopper.press(ask, yes)
    assert EXPIRED in str(toast.get("text", ""))
    assert panel.count("add") == 1
    assert USER_KEY not in shopper.telegram.all_text()


async def test_only_the_newest_drop_question_is_answered(
    shopper: Shopper, panel: FakePanel
) -> None:
    await at_quantity(shopper)
    first = await shopper.say("/start", DROP)
    second = await shopper.say("/order", DROP)
    yes = next(data for row in first.buttons for text, data in row if "Yes" in text)
    assert yes is not None
    toast = await shopper.press(first, yes)
    assert EXPIRED in str(toast.get("text", ""))
    assert DROPPED not in shopper.telegram.all_text()
    back = await shopper.tap("No, carry on", QUANTITY_Q)
    assert back.message_id == second.message_id
    await shopper.say("100", SUMMARY)
    assert panel.count("add") == 0
