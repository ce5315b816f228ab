"""The smaller things a customer stumbles on (issue #11): Back from a card returns to the list
page it came from, /help names every command, a finished website order offers no tracking, the
card tells tracking time from placing time, and a customer with no orders is offered a New
order (not "Another order").

Everything goes through the running bot, the stand-in Bot API and the stand-in panel over real
HTTP; assertions look at what the customer sees.
"""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.context import app_services
from bot.panel import OrderState
from tests.conftest import USER_KEY
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.orders import placed_order

DEFAULT = SERVICE_IDS["Default"]


async def test_back_from_a_card_opened_on_page_2_returns_to_page_2(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    # Seven orders: the newest five on page 1, the two oldest on page 2.
    ids = [
        (await placed_order(app, panel, link=f"https://instagram.com/p{n}"))[1] for n in range(7)
    ]
    first = await customer.say("/orders", "(page 1/2)")
    assert ids[6] in first.plain
    assert ids[0] not in first.plain
    second = await customer.tap(texts.common.BUTTON_NEXT, "(page 2/2)")
    assert ids[0] in second.plain
    assert ids[1] in second.plain

    card = await customer.tap(ids[1], f"Order {ids[1]}")
    assert card.message_id == first.message_id  # the card replaces the list
    back = await customer.tap(texts.common.button_back(), "Your orders")
    assert "(page 2/2)" in back.text
    assert ids[1] in back.plain

    # Refreshing the card first does not lose the page.
    await customer.tap(ids[0], f"Order {ids[0]}")
    refreshed = await customer.tap(texts.orders.button_refresh(), f"Order {ids[0]}")
    assert refreshed.message_id == first.message_id
    again = await customer.tap(texts.common.button_back(), "Your orders")
    assert "(page 2/2)" in again.text

    # A card opened on page 1 goes back to page 1.
    page_one = await customer.tap(texts.common.BUTTON_PREV, "(page 1/2)")
    await customer.tap(ids[6], f"Order {ids[6]}")
    home = await customer.tap(texts.common.button_back(), "Your orders")
    assert "(page 1/2)" in home.text
    assert home.message_id == page_one.message_id


async def test_back_from_a_card_outside_the_list_opens_the_first_page(
    app: Any, customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    """A card that comes as a message of its own (under a receipt or a status message) has no
    page to return to: its Back opens the list from the start. Forged pages are refused."""
    rows = [
        (await placed_order(app, panel, link=f"https://instagram.com/q{n}"))[0] for n in range(7)
    ]
    await customer.say("/orders", "(page 1/2)")
    listing = await customer.tap(texts.common.BUTTON_NEXT, "(page 2/2)")
    mark = telegram.mark()
    await customer.press(listing, f"c:open:{rows[0]}")  # as under a receipt
    card = await telegram.wait_for_message(customer.user_id, "Order", after=mark)
    assert card.message_id != listing.message_id
    back = await customer.tap(texts.common.button_back(), "Your orders")
    assert "(page 1/2)" in back.text
    assert back.message_id == card.message_id

    answer = await customer.press(listing, f"c:open:{rows[0]}:l:10001")
    assert "expired" in str(answer.get("text"))
    still = [m for m in telegram.messages(customer.user_id) if m.message_id == listing.message_id]
    assert "(page 2/2)" in still[0].text


async def test_help_names_every_command_a_customer_has(customer: Customer) -> None:
    shown = await customer.say("/help", "How it works")
    for command in ("/key", "/order", "/orders", "/status", "/refill", "/balance"):
        assert command in shown.plain
    assert "/notify" in shown.plain
    assert "/disconnect" in shown.plain
    assert "/mass" in shown.plain


async def test_a_finished_website_order_offers_no_tracking_and_says_tracked_since(
    customer: Customer, panel: FakePanel
) -> None:
    website = panel.create_order(USER_KEY, DEFAULT, 300, "https://instagram.com/w", "In progress")
    await customer.say(f"/status {website}", "Now tracking 1 order")
    await customer.say("/orders", "Your orders")
    card = await customer.tap(website, f"Order {website}")
    assert texts.orders.button_untrack() in customer.labels(card)
    assert "🕓 Tracked since:" in card.plain
    assert "Placed:" not in card.plain

    panel.complete(website)
    done = await customer.tap(texts.orders.button_refresh(), "Completed")
    assert done.message_id == card.message_id
    assert texts.orders.button_untrack() not in customer.labels(done)
    assert texts.orders.button_track() not in customer.labels(done)
    assert "🕓 Tracked since:" in done.plain
    assert texts.common.button_back() in customer.labels(done)


async def test_an_order_placed_through_the_bot_says_placed(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    _, panel_id = await placed_order(app, panel)
    await customer.say("/orders", "Your orders")
    card = await customer.tap(panel_id, f"Order {panel_id}")
    assert "🕓 Placed:" in card.plain
    assert "Tracked since" not in card.plain


async def test_no_orders_offers_a_new_order(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    empty = await customer.say("/orders", "no orders yet")
    labels = customer.labels(empty)
    assert texts.common.button_order() in labels
    assert texts.order.button_new_order() not in labels  # "Another order" with none before
    await customer.tap(texts.common.button_order(), "Choose a category")
    await customer.tap(texts.common.button_cancel())

    await placed_order(app, panel)
    listing = await customer.say("/orders", "Your orders")
    assert texts.order.button_new_order() in customer.labels(listing)
    assert texts.common.button_order() not in customer.labels(listing)


async def test_orders_can_be_shown_running_or_finished(
    app: Any, panel: FakePanel, telegram: FakeTelegram
) -> None:
    """/orders: All · Running · Finished; each choice lists only its orders."""
    customer = Customer(telegram)
    await customer.connect()
    repository = app_services(app).repository
    running_row, running_id = await placed_order(app, panel, link="https://instagram.com/running")
    done_row, done_id = await placed_order(app, panel, link="https://instagram.com/done")
    for row, state in ((running_row, OrderState.IN_PROGRESS), (done_row, OrderState.COMPLETED)):
        await repository.record_order_status(
            row, status=state.value, status_raw=state.value, remains=0, start_count=0, charge=None
        )

    everything = await customer.say("/orders", "Your orders")
    assert running_id in everything.text
    assert done_id in everything.text
    running = await customer.tap("Running", "Your orders")
    assert running_id in running.text
    assert done_id not in running.text
    assert "• Running •" in customer.labels(running)
    finished = await customer.tap("Finished", "Your orders")
    assert done_id in finished.text
    assert running_id not in finished.text
