"""The ordering conversation end to end, in-process, against both stand-ins over real HTTP."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import USER_KEY, on_both_databases, on_every_dialect
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

pytestmark = on_both_databases


@on_every_dialect
async def test_default_order_from_categories_to_placed(
    customer: Customer, panel: FakePanel
) -> None:
    menu = await customer.say("/order", "Choose a category")
    assert "Instagram Followers" in customer.labels(menu)
    page = await customer.tap("Instagram Followers", "Instagram Followers")
    assert customer.labels(page)[10:14] == ["· 1 ·", "2", "3", "▶️"]  # 25 services, 10 a page
    await customer.tap_exact("3", "page 3/3")  # any page one tap away
    await customer.tap_exact("1", "page 1/3")
    await customer.tap("0.90 USD/1k", "Send the <b>link</b>")
    await customer.say("https://instagram.com/someone", "quantity")
    if panel.dialect == "boostedsmm":  # its catalogue has no drip-feed flag (B01)
        summary = await customer.say("1 000", "Check your order")
    else:
        await customer.say("1 000", "Spread it")
        summary = await customer.tap("All at once", "Check your order")
    assert "0.90 USD" in summary.text  # 1000 × 0.90 / 1000
    assert "After: 99.10 USD" in summary.text
    placed = await customer.tap("Confirm", "Order placed")
    order_id = next(iter(panel.orders))
    assert order_id in placed.text
    assert panel.orders[order_id].fields["link"] == "https://instagram.com/someone"
    assert panel.orders[order_id].fields["quantity"] == "1000"
    assert "runs" not in panel.orders[order_id].fields
    assert panel.balance_of(USER_KEY) == Decimal("99.10")
    assert panel.count("add") == 1


def chat_bound(telegram: FakeTelegram, since: int) -> list[str]:
    """Bot API methods called on a chat (messages, edits, deletions, chat actions) since the
    `since`-th recorded call; tap answers and getUpdates do not target a chat."""
    return [method for method, params in telegram.calls[since:] if "chat_id" in params]


async def test_a_default_order_costs_at_most_seven_chat_calls_with_the_same_screens(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    since = len(telegram.calls)
    screens = [
        await customer.say("/order", "Choose a category"),
        await customer.tap("Instagram Followers", "Instagram Followers"),
        await customer.tap("0.90 USD/1k", "Send the <b>link</b>"),
        await customer.say("https://instagram.com/someone", "quantity"),
        await customer.say("1000", "Spread it"),
        await customer.tap("All at once", "Check your order"),
        await customer.tap("Confirm", "Order placed"),
    ]
    order_id = next(iter(panel.orders))
    # The same screens as always, each step's buttons where they were.
    assert "page 1/1" in screens[0].text
    assert "Instagram Followers" in customer.labels(screens[0])
    assert "· 1 ·" in customer.labels(screens[1])
    assert "💵 0.90 USD per 1000" in screens[2].text
    # The star (favourites) under the service's card; no recent links: never ordered before.
    assert customer.labels(screens[2]) == ["☆ Add to favourites", "⬅️ Back", "✖️ Cancel"]
    assert "Send the <b>quantity</b>" in screens[3].text
    assert "Spread it?" in screens[4].text
    assert "All at once" in customer.labels(screens[4])
    assert "💵 Price: <b>0.90 USD</b>" in screens[5].text
    assert "After: 99.10 USD" in screens[5].text
    assert order_id in screens[6].text
    assert customer.labels(screens[6]) == ["📦 Open order", "🛒 Another order"]
    # Browsing edits one message; each typed answer gets the next question as a new one; the
    # summary becomes the receipt. Nothing else: no button-dropping edits, no "placing" edit.
    calls = chat_bound(telegram, since)
    assert len(calls) <= 7, calls
    assert len({s.message_id for s in screens}) == 3
    # Every tap answered once.
    answers = await telegram.wait_for(lambda: telegram.calls_of("answerCallbackQuery")[3:])
    assert len(answers) == 1
