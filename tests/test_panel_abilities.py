"""What the customer sees on a panel that is not PerfectPanel-style: the order form, the summary,
the card's buttons and the answers follow what the panel is known to support
(`PanelClient.capabilities`), learned here the way the running bot learns it.

Everything goes through the running bot, the stand-in Bot API and the stand-in panel (the seed's
dialect, or SmartPanel's where its answers matter) over real HTTP.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.context import app_services
from bot.notifier import notifier_of
from bot.panel.capabilities import Capabilities
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

DEFAULT = SERVICE_IDS["Default"]  # refill + cancel + drip-feed in the catalogue
CUSTOM_COMMENTS = SERVICE_IDS["Custom Comments"]  # 8.00 per 1000, 5 – 1000
PACKAGE = SERVICE_IDS["Package"]
SUBSCRIPTIONS = SERVICE_IDS["Subscriptions"]
IG = "https://instagram.com/p/C0ffee"
SMARTPANEL_INTERVALS = (0, 5, 10, 15, 30, 60, 90)


# SmartPanel's stand-in: `refill` → "This action is Invalid" (S33), a subscription's form
# (no link) → "Bad Link" (S11).
smartpanel = pytest.mark.parametrize("panel", ["smartpanel"], indirect=True)


def learn(app: Any, **facts: Any) -> None:
    app_services(app).panel.learn(Capabilities(**facts))


def only_fields(panel: FakePanel) -> dict[str, str]:
    assert len(panel.orders) == 1, panel.orders
    fields = dict(next(iter(panel.orders.values())).fields)
    fields.pop("service")
    return fields


async def place_default(customer: Customer, link: str = IG, quantity: int = 1000) -> str:
    await customer.open_service(DEFAULT, "Send the <b>link</b>")
    await customer.say(link, "quantity")
    await customer.say(str(quantity), "Spread it")
    await customer.tap("All at once", "Check your order")
    placed = await customer.tap("Confirm", "Order placed")
    match = re.search(r"Order <code>(\d+)</code>", placed.text)
    assert match, placed.text
    return match.group(1)


def shown(telegram: FakeTelegram, customer: Customer) -> str:
    return "\n".join(m.text for m in telegram.messages(customer.user_id))


# --- orders of every type ----------------------------------------------------------------------


async def test_package_leaves_quantity_out_where_the_panel_is_known_not_to_need_it(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    learn(app, package_needs_quantity=False)
    await customer.open_service(PACKAGE, "Send the <b>link</b>")
    summary = await customer.say("https://t.me/mychannel", "Check your order")
    assert "💵 Price: <b>12.50 USD</b>" in summary.text
    await customer.tap("Confirm", "Order placed")
    assert only_fields(panel) == {"link": "https://t.me/mychannel"}


async def test_comma_splitting_panel_counts_and_prices_comments_as_it_will(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    learn(app, comments_split_on_commas=True)
    comments = "Nice pic!\nGreat, love it\nWow\nsuper\n:)"  # 5 lines, 6 pieces (S07)
    await customer.open_service(CUSTOM_COMMENTS, "Send the <b>link</b>")
    await customer.say(IG, "Send the <b>comments</b>")
    summary = await customer.say(comments, "Check your order")
    assert "📦 Quantity: 6" in summary.text
    assert "💵 Price: <b>0.048 USD</b>" in summary.text  # 6 × 8.00 / 1000, as the panel charges
    assert "counts each comma-separated part as a comment: 6" in summary.text
    await customer.tap("Confirm", "Order placed")
    assert only_fields(panel)["quantity"] == "6"


async def test_comments_without_commas_read_as_before_on_a_comma_splitting_panel(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    learn(app, comments_split_on_commas=True)
    await customer.open_service(CUSTOM_COMMENTS, "Send the <b>link</b>")
    await customer.say(IG, "Send the <b>comments</b>")
    summary = await customer.say("a\nb\nc\nd\ne", "Check your order")
    assert "📦 Quantity: 5" in summary.text
    assert "comma-separated" not in summary.text


@smartpanel
async def test_subscriptions_on_smartpanel_are_explained_and_not_offered(
    customer: Customer, panel: FakePanel
) -> None:
    # The catalogue's answer tells the client it is SmartPanel (PanelClient.services).
    answer = await customer.open_service(SUBSCRIPTIONS, "can't take")
    assert "This panel can't take subscriptions through the bot" in answer.plain
    assert "website" in answer.plain
    assert "Choose a category" in answer.text  # something else to pick, right under it
    assert "username" not in answer.text  # no questions for it
    # Not offered by search, nor its category (it holds nothing else).
    categories = await customer.say("/order", "Choose a category")
    assert "Instagram Auto Likes" not in customer.labels(categories)
    assert "Instagram Followers" in customer.labels(categories)
    found = await customer.say("Auto Likes", "Nothing matches")
    assert "Instagram Auto Likes" not in customer.labels(found)
    assert panel.count("add") == 0


@smartpanel
async def test_a_subscription_on_smartpanel_is_explained_before_any_question(
    customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    """The catalogue already says SmartPanel, whose subscription form wants a link (S11): no
    form that ends in "Bad Link"."""
    refused = await customer.open_service(SUBSCRIPTIONS, "can't take")
    assert "This panel can't take subscriptions through the bot" in refused.plain
    assert "<b>username</b>" not in refused.text
    assert "Bad Link" not in shown(telegram, customer)
    assert panel.count("add") == 0


# --- refill and cancel -------------------------------------------------------------------------


async def test_no_refill_or_cancel_where_the_panel_has_neither(
    app: Any, customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    learn(app, refill=False, cancel=False)
    panel_id = await place_default(customer)
    card = await customer.tap("Open order", f"Order {panel_id}")
    assert "✖️ Cancel order" not in customer.labels(card)  # the catalogue says it cancels
    panel.complete(panel_id)
    card = await customer.tap("Refresh", "Completed")
    assert "♻️ Refill" not in customer.labels(card)  # the catalogue says it refills
    answer = await customer.say(f"/refill {panel_id}", "refills")
    assert answer.plain == "This panel doesn't offer refills."
    # A button drawn before the panel was known: answered in words, nothing sent.
    order_id = card.buttons[0][0][1].split(":")[2]  # type: ignore[index, union-attr]
    toast = await customer.press(card, f"c:rf:{order_id}")
    assert toast.get("text") == "This panel doesn't offer refills."
    toast = await customer.press(card, f"c:cx:{order_id}")
    assert toast.get("text") == "This panel doesn't offer cancellations."
    assert panel.count("refill") == panel.count("cancel") == 0


@smartpanel
async def test_a_refill_the_panel_calls_an_invalid_action_is_told_plainly(
    customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    panel_id = await place_default(customer)
    panel.complete(panel_id)
    await customer.tap("Open order", f"Order {panel_id}")
    card = await customer.tap("Refresh", "Completed")
    assert "♻️ Refill" not in customer.labels(card)  # its catalogue said SmartPanel
    answer = await customer.say(f"/refill {panel_id}", "refills")
    assert answer.plain == "This panel doesn't offer refills."
    everything = shown(telegram, customer)
    assert "This action is Invalid" not in everything
    assert "Unclear" not in everything
    assert "The panel said" not in everything


async def test_a_refill_the_panel_cannot_take_now_records_nothing(
    customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    panel_id = await place_default(customer)
    panel.complete(panel_id)
    await customer.tap("Open order", f"Order {panel_id}")
    card = await customer.tap("Refresh", "Completed")
    panel.fault_actions = {"refill"}
    panel.fault_times = 1
    panel.fault = "cloudflare403"  # the panel's code never ran
    answer = await customer.tap("♻️ Refill", "not available right now")
    assert "try again later" in answer.plain
    assert "HTTP" not in shown(telegram, customer)
    # Nothing recorded: the card still offers Refill and shows no refill line; asking again
    # (only when the customer does) goes through.
    card = next(m for m in telegram.messages(customer.user_id) if m.message_id == card.message_id)
    assert "♻️ Refill" in customer.labels(card)
    assert "♻️ Refill:" not in card.plain
    await customer.tap("♻️ Refill", "requested")
    assert panel.count("refill") == 2


# --- drip-feed intervals -----------------------------------------------------------------------


async def spread(customer: Customer) -> BotMessage:
    await customer.open_service(DEFAULT, "Send the <b>link</b>")
    await customer.say(IG, "quantity")
    await customer.say("100", "Spread it")
    await customer.tap("Spread it", "<b>runs</b>")
    return await customer.say("3", "<b>Interval</b>")


async def test_interval_buttons_are_the_values_the_panel_accepts(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    learn(app, dripfeed_intervals=SMARTPANEL_INTERVALS)
    question = await spread(customer)
    assert customer.labels(question)[:7] == [str(v) for v in SMARTPANEL_INTERVALS]
    refused = await customer.say("20", "these intervals only")
    assert "This panel takes these intervals only: 0, 5, 10, 15, 30, 60, 90 minutes." in (
        refused.plain
    )
    assert "Check your order" not in refused.text  # asked again, before any Confirm
    summary = await customer.tap("0", "Check your order")
    assert "⏱ Interval (min): 0" in summary.plain
    await customer.tap("Confirm", "Order placed")
    assert only_fields(panel)["interval"] == "0"


async def test_interval_unknown_offers_common_values_and_typing_still_works(
    customer: Customer, panel: FakePanel
) -> None:
    question = await spread(customer)
    assert customer.labels(question)[:5] == ["5", "10", "15", "30", "60"]
    assert "type" in question.plain
    summary = await customer.say("7", "Check your order")
    assert "⏱ Interval (min): 7" in summary.plain
    await customer.tap("Confirm", "Order placed")
    assert only_fields(panel)["interval"] == "7"


# --- honest progress ---------------------------------------------------------------------------


async def test_progress_follows_the_status_on_the_card_the_list_and_pushes(
    app: Any, customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    panel_id = await place_default(customer)
    await customer.tap("Open order", f"Order {panel_id}")

    panel.set_order(panel_id, status="Pending", remains=0)  # SmartPanel before the start (S24)
    card = await customer.tap("Refresh", "Checked")
    assert "░░░░░░░░░░ 0%" in card.plain
    assert "100%" not in card.plain

    panel.set_order(panel_id, status="Partial", remains=300)
    await notifier_of(app).run_cycle(app)
    push = next(m for m in reversed(telegram.messages(customer.user_id)) if "🔔" in m.text)
    assert "700 of 1,000 delivered, 300 not" in push.plain
    card = await customer.tap("Refresh", "Partial")
    assert "▓▓▓▓▓▓▓░░░ 70% · 700 of 1,000 delivered, 300 not" in card.plain
    listing = await customer.say("/orders", "Your orders")
    assert "700 of 1,000 delivered, 300 not" in listing.plain
    status = await customer.say(f"/status {panel_id}", "Order status")
    assert "700 of 1,000 delivered, 300 not" in status.plain

    panel.set_order(panel_id, status="Canceled", remains=1000)
    card = await customer.tap("Refresh", "Canceled")
    assert "%" not in card.plain
    assert "▓" not in card.plain
    assert "░" not in card.plain


@pytest.mark.parametrize("panel", ["boostedsmm"], indirect=True)
async def test_boostedsmm_refill_crash_is_not_available_now_and_never_unclear(
    customer: Customer, panel: FakePanel, telegram: FakeTelegram
) -> None:
    """BoostedSMM answers `refill` with an HTTP 500 and a blank body (B24): "not available
    now", nothing recorded, nothing learned; asked again, it is asked again."""
    await customer.open_service(DEFAULT, "Send the <b>link</b>")
    await customer.say(IG, "quantity")
    await customer.say("1000", "Check your order")  # no drip-feed flag in its catalogue
    placed = await customer.tap("Confirm", "Order placed")
    match = re.search(r"Order <code>(\d+)</code>", placed.text)
    assert match, placed.text
    panel_id = match.group(1)
    panel.complete(panel_id)
    for attempt in (1, 2):
        answer = await customer.say(f"/refill {panel_id}", "not available right now")
        assert "try again later" in answer.plain
        assert panel.count("refill") == attempt
    everything = shown(telegram, customer)
    assert "Unclear" not in everything
    assert "500" not in everything
    card = await customer.say("/orders", "Your orders")
    assert "♻️ Refill:" not in card.plain
