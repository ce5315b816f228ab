"""Unknown outcomes resolved (issue 11, item 11): the customer gets a button to the panel's
orders; when they find the order there and send /status with its id, it takes the unknown
order's place (one row, followed and pushed), never a duplicate."""

from __future__ import annotations

from pathlib import Path

from bot.notifier import notifier_of
from tests.conftest import USER_KEY, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

DEFAULT = SERVICE_IDS["Default"]


async def unclear_order(customer: Customer, panel: FakePanel) -> BotMessage:
    """An order the panel takes but answers with a timeout: its outcome is unknown."""
    await customer.connect()
    await customer.open_service(DEFAULT, "link")
    await customer.say("https://instagram.com/unclear", "quantity")
    await customer.say("500", "Spread it")
    await customer.tap("All at once", "Check your order")
    panel.timeout_seconds = 1.5
    panel.fault_actions = {"add"}
    panel.fault = "timeout_after_processing"
    answer = await customer.tap("Confirm", "couldn't confirm")
    panel.fault = None
    return answer


async def test_an_unknown_outcome_links_to_the_panels_orders_and_is_attached_by_status(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key, panel_timeout_seconds=0.5)
    async with running(settings) as app:
        customer = Customer(telegram)
        answer = await unclear_order(customer, panel)
        origin = panel.url.split("/api/")[0]
        assert ("🔎 My orders on the panel", f"{origin}/orders") in answer.buttons[-1]
        assert "/status 123" in answer.text
        [order_id] = panel.orders  # the panel did place it

        mark = telegram.mark()
        await customer.say(f"/status {order_id}", "Order status")
        offer = await telegram.wait_for_message(customer.user_id, "Is order", after=mark)
        assert f"Is order <code>{order_id}</code> one I couldn't confirm?" in offer.text
        [[(label, _)]] = offer.buttons
        assert label.startswith("📎 Instagram Followers")

        card = await customer.tap("📎", "https://instagram.com/unclear")
        assert f"Order {order_id}" in card.text
        assert "Done: order" in customer.telegram.messages(customer.user_id)[-2].text
        listing = await customer.say("/orders", "Your orders")
        assert "unconfirmed" not in listing.text
        assert "website order" not in listing.text  # not listed twice
        assert listing.text.count(order_id) == 1

        # Followed from now on: its status changes are pushed.
        panel.set_order(order_id, status="In progress", remains=100)
        assert await notifier_of(app).run_cycle(app)
        push = await telegram.wait_for_message(customer.user_id, "🔔", after=mark)
        assert f"Order {order_id}" in push.text
        assert "🔗 https://instagram.com/unclear" in push.text

        # The offer's button again: already sorted out, nothing changes.
        answered = await customer.press(offer, offer.buttons[0][0][1])
        assert "already sorted out" in str(answered.get("text"))
        assert panel.count("add") == 1


async def test_an_order_found_without_unknown_outcomes_is_simply_tracked(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key)
    async with running(settings):
        customer = Customer(telegram)
        await customer.connect()
        order_id = panel.create_order(USER_KEY, DEFAULT, quantity=100, link="https://x.test/p")
        before = len(telegram.messages(customer.user_id))
        reply = await customer.say(f"/status {order_id}", "Now tracking")
        assert "couldn't confirm" not in reply.text
        assert len(telegram.messages(customer.user_id)) == before + 1
