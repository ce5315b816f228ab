"""Change at the summary: pick one field, answer only its question (its answer shown), back to
the summary with everything else kept; answers the change makes wrong are asked again; the old
summary's Confirm never places anything. Over real HTTP against the stand-ins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import USER_KEY
from tests.customer import Customer
from tests.fakes.panel import PLAIN_SERVICE_ID, SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

IG = "https://instagram.com/p/C0ffee"
LINK_Q = "Send the <b>link</b>"
QUANTITY_Q = "Send the <b>quantity</b>"
RUNS_Q = "<b>runs</b>"
INTERVAL_Q = "<b>Interval</b>"
MIN_Q = "<b>Minimum</b>"
MAX_Q = "<b>Maximum</b>"
POSTS_Q = "<b>new posts</b>"
OLD_POSTS_Q = "<b>existing posts</b>"
DELAY_Q = "<b>Delay</b>"
EXPIRY_Q = "<b>Expiry date</b>"
COMMENTS_Q = "Send the <b>comments</b>"
SUMMARY = "Check your order"
FIELDS = "What would you like to change?"


@pytest.fixture
async def customer(app: object, telegram: FakeTelegram) -> Customer:
    customer = Customer(telegram)
    await customer.connect()
    return customer


def only_order(panel: FakePanel) -> dict[str, str]:
    assert len(panel.orders) == 1, panel.orders
    fields = dict(next(iter(panel.orders.values())).fields)
    fields.pop("service")
    return fields


def confirm_data(summary: BotMessage) -> str:
    data = dict(summary.buttons[0])["✅ Confirm"]
    assert data is not None
    return data


async def test_changing_the_quantity_keeps_the_link_and_the_old_confirm_places_nothing(
    customer: Customer, panel: FakePanel
) -> None:
    await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)  # 0.50 per 1000, 50 – 5,000
    await customer.say(IG, QUANTITY_Q)
    first = await customer.say("100", SUMMARY)
    fields = await customer.tap("Change", FIELDS)
    assert fields.message_id == first.message_id  # in place: the old Confirm is gone
    assert customer.labels(fields) == [
        f"🔗 Link: {IG}",
        "🔢 Quantity: 100",
        "↩️ Back to the summary",
        "✖️ Cancel",
    ]
    question = await customer.tap("Quantity", QUANTITY_Q)
    assert question.message_id == first.message_id
    assert "✏️ Now: 100" in question.text
    wrong = await customer.say("20", "⚠️")  # still checked: 50 – 5,000
    assert "between 50 and 5,000" in wrong.text
    assert "✏️ Now: 100" in wrong.text
    second = await customer.say("300", SUMMARY)  # no other question
    assert f"🔗 Link: {IG}" in second.text
    assert "🔢 Quantity: 300" in second.text
    assert "💵 Price: <b>0.15 USD</b>" in second.text
    # The first summary's Confirm (still on another device's screen) is expired.
    toast = await customer.press(first, confirm_data(first))
    assert "expired" in str(toast.get("text"))
    assert panel.count("add") == 0
    await customer.tap("Confirm", "Order placed")
    assert only_order(panel) == {"link": IG, "quantity": "300"}
    assert panel.count("add") == 1
    # Neither summary places anything again.
    for summary in (first, second):
        await customer.press(summary, confirm_data(summary))
    assert panel.count("add") == 1
    assert panel.balance_of(USER_KEY) == Decimal("99.85")


async def test_back_leaves_the_order_as_it_was(customer: Customer, panel: FakePanel) -> None:
    await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    await customer.say(IG, QUANTITY_Q)
    await customer.say("100", SUMMARY)
    await customer.tap("Change", FIELDS)
    back = await customer.tap("Back to the summary", SUMMARY)
    assert "🔢 Quantity: 100" in back.text
    await customer.tap("Change", FIELDS)
    await customer.tap("Quantity", QUANTITY_Q)
    again = await customer.tap("Back", SUMMARY)  # from the question: nothing changed
    assert "🔢 Quantity: 100" in again.text
    await customer.tap("Confirm", "Order placed")
    assert only_order(panel) == {"link": IG, "quantity": "100"}


async def subscription_summary(customer: Customer) -> BotMessage:
    await customer.open_service(SERVICE_IDS["Subscriptions"], "<b>username</b> to subscribe to")
    await customer.say("@someone", MIN_Q)
    await customer.say("100", MAX_Q)
    await customer.say("200", POSTS_Q)
    await customer.say("3", OLD_POSTS_Q)
    await customer.tap("Skip", DELAY_Q)
    await customer.tap("30", EXPIRY_Q)
    return await customer.tap("Skip", SUMMARY)


async def test_one_field_of_a_subscription_changes_the_others_are_kept(
    customer: Customer, panel: FakePanel
) -> None:
    summary = await subscription_summary(customer)
    assert "up to <b>0.08 USD</b> per post" in summary.text  # 200 × 0.40 / 1000
    fields = await customer.tap("Change", FIELDS)
    assert customer.labels(fields)[:7] == [
        "👤 Username: someone",
        "🔢 Min per post: 100",
        "🔢 Max per post: 200",
        "🆕 New posts: 3",
        "🗂 Old posts: —",
        "⏱ Delay (min): 30",
        "📅 Expiry: —",
    ]
    await customer.tap("Max per post", MAX_Q)
    changed = await customer.say("300", SUMMARY)
    assert "up to <b>0.12 USD</b> per post" in changed.text
    # A skipped question can be answered now.
    await customer.tap("Change", FIELDS)
    skipped = await customer.tap("Old posts", OLD_POSTS_Q)
    assert "✏️ Now: not set." in skipped.text
    await customer.say("5", SUMMARY)
    await customer.tap("Confirm", "Order placed")
    assert only_order(panel) == {
        "username": "someone",
        "min": "100",
        "max": "300",
        "posts": "3",
        "old_posts": "5",
        "delay": "30",
    }


async def test_a_new_minimum_over_the_maximum_asks_the_maximum_again(
    customer: Customer, panel: FakePanel
) -> None:
    await subscription_summary(customer)
    await customer.tap("Change", FIELDS)
    await customer.tap("Min per post", MIN_Q)
    again = await customer.say("400", MAX_Q)
    assert again.text.startswith("⚠️ The quantity must be between 400 and 5,000.")
    summary = await customer.say("500", SUMMARY)
    assert "🔢 Min per post: 400" in summary.text
    assert "🔢 Max per post: 500" in summary.text
    assert "🆕 New posts: 3" in summary.text
    await customer.tap("Confirm", "Order placed")
    assert only_order(panel) == {
        "username": "someone",
        "min": "400",
        "max": "500",
        "posts": "3",
        "delay": "30",
    }


async def test_drip_feed_answers_follow_the_change(customer: Customer, panel: FakePanel) -> None:
    await customer.open_service(SERVICE_IDS["Default"], LINK_Q)  # 10 – 10,000, drip-feed
    await customer.say(IG, QUANTITY_Q)
    await customer.say("1000", "<b>spread over time</b>")
    await customer.tap("Spread it", RUNS_Q)
    await customer.say("5", INTERVAL_Q)
    summary = await customer.tap("30", SUMMARY)
    assert "📦 Total: 5,000" in summary.text
    # A larger quantity no longer fits five runs: the runs are asked again, the interval kept.
    await customer.tap("Change", FIELDS)
    await customer.tap("Quantity", QUANTITY_Q)
    runs = await customer.say("3000", RUNS_Q)
    assert runs.text.startswith("⚠️ Quantity × runs can be at most 10,000 — at most 3 runs.")
    summary = await customer.say("3", SUMMARY)
    assert "📦 Total: 9,000" in summary.text
    assert "⏱ Interval (min): 30" in summary.text
    # All at once after all: the runs and the interval are gone.
    await customer.tap("Change", FIELDS)
    await customer.tap("Drip-feed", "<b>spread over time</b>")
    once = await customer.tap("All at once", SUMMARY)
    assert "Runs" not in once.text
    assert "Interval" not in once.text
    await customer.tap("Confirm", "Order placed")
    assert only_order(panel) == {"link": IG, "quantity": "3000"}


async def test_a_list_changed_is_replaced_whole(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.open_service(SERVICE_IDS["Custom Comments"], LINK_Q)
    await customer.say(IG, COMMENTS_Q)
    await customer.say("\n".join("abcde"), "Got 5 lines so far")
    await customer.tap("Done", SUMMARY)
    await customer.tap("Change", FIELDS)
    question = await customer.tap("Comments", COMMENTS_Q)
    assert "✏️ Now: 5 lines. What you send replaces it." in question.text
    await customer.say("\n".join("uvwxyz"), "Got 6 lines so far")
    summary = await customer.tap("Done", SUMMARY)
    assert "💬 Comments: 6 lines" in summary.text
    assert f"🔗 Link: {IG}" in summary.text
    await customer.tap("Confirm", "Order placed")
    assert only_order(panel)["comments"] == "\n".join("uvwxyz")
