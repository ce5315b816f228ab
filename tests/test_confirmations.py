"""Asking before what can't be undone (issue 11, item 2): cancelling an order, deleting the key,
and /notify showing the setting instead of changing it on sight.

Everything goes through the running bot, the stand-in Bot API and the stand-in panel over real
HTTP; assertions look at what the customer sees and what the panel received.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import USER
from tests.customer import Customer, data_of
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram
from tests.orders import placed_order

QUESTION = "The panel may refund what was not delivered."
EXPIRED = "expired"
DELETE_KEY = "Delete your API key"


async def open_card(customer: Customer, panel_id: str) -> BotMessage:
    await customer.say("/orders", "Your orders")
    return await customer.tap(f" {panel_id} · ", f"Order {panel_id}")


async def settled(customer: Customer) -> None:
    """One user's updates are handled in order: once /help is answered, every earlier tap is."""
    await customer.say("/help", "How it works")


# --- ✖️ Cancel order ---------------------------------------------------------------------------


async def test_cancel_asks_in_place_and_no_goes_back_to_the_card(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    _, panel_id = await placed_order(app, panel, link="https://instagram.com/p/<b>&")
    card = await open_card(customer, panel_id)
    question = await customer.tap("✖️ Cancel order", QUESTION)
    assert question.message_id == card.message_id  # edited in place
    assert f"❓ Cancel order <b>{panel_id}</b> (https://instagram.com/p/&lt;b&gt;&amp;)?" in (
        question.text
    )
    assert customer.labels(question) == ["✅ Yes, cancel", "↩️ No"]
    assert panel.count("cancel") == 0

    back = await customer.tap("↩️ No", f"Order {panel_id}")
    assert back.message_id == card.message_id
    assert back.text == card.text
    assert "✖️ Cancel order" in customer.labels(back)
    assert panel.count("cancel") == 0
    assert not panel.cancels


async def test_yes_sends_the_cancel_and_the_question_becomes_the_card(
    app: Any, customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    _, panel_id = await placed_order(app, panel)
    card = await open_card(customer, panel_id)
    await customer.tap("✖️ Cancel order", QUESTION)
    done = await customer.tap("✅ Yes, cancel", "Cancellation requested")
    [cancel_id] = list(panel.cancels)
    assert f"(cancel {cancel_id})" in done.plain
    assert panel.cancels[cancel_id].order_id == panel_id
    updated = await telegram.wait_for(
        lambda: (
            (m := next(m for m in telegram.messages(USER) if m.message_id == card.message_id))
            and f"Cancel request {cancel_id}" in m.plain
            and m
        )
    )
    assert "✖️ Cancel order" not in customer.labels(updated)
    assert panel.count("cancel") == 1


async def test_a_stale_yes_after_no_sends_nothing(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    _, panel_id = await placed_order(app, panel)
    await open_card(customer, panel_id)
    question = await customer.tap("✖️ Cancel order", QUESTION)
    yes = data_of(question, "Yes, cancel")
    await customer.tap("↩️ No", f"Order {panel_id}")
    toast = await customer.press(question, yes)  # another device, or a forged tap
    assert EXPIRED in str(toast.get("text", ""))
    await settled(customer)
    assert panel.count("cancel") == 0
    assert "Cancellation requested" not in customer.telegram.all_text()
    # Asked again, Yes still works.
    await customer.tap("✖️ Cancel order", QUESTION)
    await customer.tap("✅ Yes, cancel", "Cancellation requested")
    assert panel.count("cancel") == 1


async def test_a_double_yes_sends_one_cancel_even_when_the_panel_refuses_it(
    app: Any, customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    # The bot still shows it Pending; the panel has finished it and refuses the cancel, so
    # nothing is recorded as under way: only the question being answered stops a second call.
    _, panel_id = await placed_order(app, panel)
    await open_card(customer, panel_id)
    panel.complete(panel_id)
    question = await customer.tap("✖️ Cancel order", QUESTION)
    yes = data_of(question, "Yes, cancel")
    mark = telegram.mark()
    first = telegram.press(USER, question.message_id, yes)
    second = telegram.press(USER, question.message_id, yes)
    await telegram.wait_for(lambda: {first, second} <= telegram.callback_answers.keys())
    await settled(customer)
    assert panel.count("cancel") == 1
    assert EXPIRED in str(telegram.callback_answers[second].get("text", ""))
    refused = [m for m in telegram.messages(USER) if m.changed_at > mark and "panel" in m.text]
    assert refused, "the panel's refusal is shown"


async def test_a_yes_with_no_question_asked_sends_nothing(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    """A Yes forged, or from before a restart (the question is no longer open)."""
    row, panel_id = await placed_order(app, panel)
    card = await open_card(customer, panel_id)
    toast = await customer.press(card, f"c:cxyes:{row}")
    assert EXPIRED in str(toast.get("text", ""))
    await settled(customer)
    assert panel.count("cancel") == 0


async def test_a_yes_on_an_order_no_longer_cancellable_is_refused(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    _, panel_id = await placed_order(app, panel)
    await open_card(customer, panel_id)
    question = await customer.tap("✖️ Cancel order", QUESTION)
    panel.complete(panel_id)
    await customer.say(f"/status {panel_id}", "Completed")  # the bot learns it is finished
    toast = await customer.press(question, data_of(question, "Yes, cancel"))
    assert "can't be cancelled" in str(toast.get("text", ""))
    assert panel.count("cancel") == 0


# --- /disconnect and 🗑 Disconnect key --------------------------------------------------------


async def test_disconnect_asks_and_no_keeps_the_key(customer: Customer, panel: FakePanel) -> None:
    question = await customer.say("/disconnect", DELETE_KEY)
    assert customer.labels(question) == ["🗑 Yes, delete it", "↩️ No, keep it"]
    assert "<code>" in question.text  # the key, masked
    kept = await customer.tap("No, keep it", "stays connected")
    assert kept.message_id == question.message_id
    assert kept.buttons == []
    await customer.say("/balance", "Balance")


async def test_disconnect_yes_deletes_the_key_and_a_stale_yes_does_nothing(
    customer: Customer,
) -> None:
    first = await customer.say("/disconnect", DELETE_KEY)
    yes = data_of(first, "Yes, delete it")
    await customer.tap("No, keep it", "stays connected")
    toast = await customer.press(first, yes)
    assert EXPIRED in str(toast.get("text", ""))
    await customer.say("/balance", "Balance")  # still connected

    await customer.say("/disconnect", DELETE_KEY)
    done = await customer.tap("Yes, delete it", "deleted from the bot")
    assert done.buttons == []
    await customer.say("/balance", "Connect your panel API key first")
    toast = await customer.press(done, yes)  # a second Yes
    assert EXPIRED in str(toast.get("text", ""))


async def test_the_key_prompts_disconnect_button_asks_too(customer: Customer) -> None:
    prompt = await customer.say("/key", "Connected now")
    question = await customer.tap("Disconnect key", DELETE_KEY)
    assert question.message_id == prompt.message_id
    await customer.tap("Yes, delete it", "deleted from the bot")
    await customer.say("/balance", "Connect your panel API key first")


async def test_disconnect_without_a_key_asks_nothing(app: Any, telegram: FakeTelegram) -> None:
    stranger = Customer(telegram)
    answer = await stranger.say("/disconnect", "no API key connected")
    assert answer.buttons == []
