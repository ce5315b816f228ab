"""Orders on demand: /orders, the order card and its buttons, /status, tracking, /refill, /notify.

Everything goes through the running bot, the stand-in Bot API and the stand-in panel over real
HTTP; assertions look at what the customer sees and what the panel received.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from bot import texts
from bot.context import app_services
from bot.notifier import notifier_of
from bot.services.tracking import check_and_track
from storage.models import Placement
from storage.repository import DraftOrder
from tests.conftest import OTHER_KEY, OTHER_USER, USER_KEY
from tests.customer import Customer
from tests.fakes.panel import PLAIN_SERVICE_ID, SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

DEFAULT = SERVICE_IDS["Default"]  # refill + cancel + drip-feed
PLAIN = PLAIN_SERVICE_ID  # neither refill nor cancel
DEFAULT_NAME = "Instagram Followers [Refill 30D]"
PLAIN_NAME = "Instagram Followers [No Refill]"
NOT_ANSWERING = "not answering"
GENERIC_ERROR = "Something went wrong"


# --- helpers -----------------------------------------------------------------------------------


def button_data(message: BotMessage, label: str) -> str:
    found = [data for row in message.buttons for text, data in row if label in text and data]
    assert found, f"no button {label!r} on {message.buttons}"
    return found[0]


async def place(
    customer: Customer, link: str, quantity: int = 500, service: int = DEFAULT
) -> tuple[str, int, BotMessage]:
    """Order through the bot; (panel order id, bot order id, the 'Order placed' message)."""
    await customer.open_service(service, "Send the <b>link</b>")
    await customer.say(link, "quantity")
    if service == DEFAULT:
        await customer.say(str(quantity), "Spread it")
        await customer.tap("All at once", "Check your order")
    else:
        await customer.say(str(quantity), "Check your order")
    placed = await customer.tap("Confirm", "Order placed")
    match = re.search(r"Order <code>(\d+)</code>", placed.text)
    assert match, placed.text
    order_id = int(button_data(placed, "Open order").split(":")[2])
    return match.group(1), order_id, placed


async def open_card(customer: Customer, panel_id: str) -> BotMessage:
    """The card of the order just placed, from the 'Open order' button under the receipt."""
    return await customer.tap("Open order", f"Order {panel_id}")


async def press(
    telegram: FakeTelegram, customer: Customer, message: BotMessage, data: str
) -> dict[str, Any]:
    """Press arbitrary (possibly stale) button data; wait for and return the callback answer."""
    query = telegram.press(customer.user_id, message.message_id, data)
    return await telegram.wait_for(lambda: telegram.callback_answers.get(query))


def card_message(telegram: FakeTelegram, customer: Customer, message_id: int) -> BotMessage:
    return next(m for m in telegram.messages(customer.user_id) if m.message_id == message_id)


def status_lines(message: BotMessage) -> dict[str, str]:
    """'id — text' lines of a /status or /refill reply, keyed by the id token."""
    lines = {}
    for line in message.plain.splitlines():
        token, sep, rest = line.partition(" — ")
        if sep:
            lines[token.strip()] = rest
    return lines


def replies_lines(telegram: FakeTelegram, customer: Customer, after_id: int) -> dict[str, str]:
    """'id — text' lines of every bot message sent after message `after_id`."""
    lines: dict[str, str] = {}
    for message in telegram.messages(customer.user_id):
        if message.message_id > after_id:
            lines.update(status_lines(message))
    return lines


async def record_known_orders(
    app: Any, customer: Customer, panel: FakePanel, count: int
) -> list[str]:
    """`count` orders at the panel that the bot knows as placed by it (as if ordered through the
    flow, which would take too long a hundred times)."""
    repository = app_services(app).repository
    ids = []
    for n in range(count):
        link = f"https://instagram.com/p{n}"
        panel_id = panel.create_order(USER_KEY, DEFAULT, 1000, link, "In progress")
        panel.set_order(panel_id, remains=250, start_count=10)
        draft = DraftOrder(
            user_id=customer.user_id,
            service_id=str(DEFAULT),
            service_name=DEFAULT_NAME,
            service_type="Default",
            link=link,
            quantity=1000,
            fields={"link": link, "quantity": "1000"},
            price=Decimal("0.9"),
            currency="USD",
            can_refill=True,
            can_cancel=True,
        )
        order_id = await repository.create_draft(draft)
        await repository.finish_placement(order_id, Placement.PLACED, panel_order_id=panel_id)
        ids.append(panel_id)
    return ids


def statuses_sent(panel: FakePanel) -> list[str]:
    return [fields.get("orders", "") for action, fields in panel.requests if action == "status"]


# --- /orders -----------------------------------------------------------------------------------


async def test_orders_without_any(customer: Customer, panel: FakePanel) -> None:
    answer = await customer.say("/orders", "no orders yet")
    assert "/order" in answer.plain
    assert customer.labels(answer) == ["🛒 New order"]  # a first order, not "another"
    assert panel.count("status") == 0


async def test_orders_newest_first_five_a_page_then_card(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    placed = [await place(customer, f"https://instagram.com/u{n}") for n in range(1, 8)]
    ids = [panel_id for panel_id, _, _ in placed]
    newest_first = ids[::-1]

    page1 = await customer.say("/orders", "Your orders")
    assert "page 1/2" in page1.plain
    labels = customer.labels(page1)
    order_labels = [label for label in labels if " · " in label]
    assert [label.split(" · ")[0].split()[-1] for label in order_labels] == newest_first[:5]
    assert all(DEFAULT_NAME[:20] in label for label in order_labels)
    for panel_id in newest_first[:5]:
        assert panel_id in page1.plain
    for panel_id in newest_first[5:]:
        assert panel_id not in page1.plain
    # Listed in the text in the same order as the buttons.
    positions = [page1.plain.index(panel_id) for panel_id in newest_first[:5]]
    assert positions == sorted(positions)
    assert "▶️" in labels
    assert "◀️" not in labels
    assert "1/2" in labels

    page2 = await customer.tap("▶️", "page 2/2")
    assert page2.message_id == page1.message_id  # edited in place
    assert page2.edited >= 1
    assert customer.last().message_id == page1.message_id  # no new message
    order_labels = [label for label in customer.labels(page2) if " · " in label]
    assert [label.split(" · ")[0].split()[-1] for label in order_labels] == newest_first[5:]
    assert "◀️" in customer.labels(page2)
    assert "▶️" not in customer.labels(page2)

    oldest = ids[0]
    card = await customer.tap(f" {oldest} · ", f"Order {oldest}")
    assert card.message_id == page1.message_id  # the card replaces the list
    text = card.plain
    assert f"📦 {DEFAULT_NAME}" in text
    assert "🔗 https://instagram.com/u1" in text
    assert "🔢 Quantity: 500" in text
    assert "💵 Charge: 0.45 USD" in text  # 500 × 0.90 / 1000
    assert "▶️ Start count: —" in text
    assert "⏳ Remains: 500" in text
    assert "░░░░░░░░░░ 0%" in text
    assert "📍 Status: Pending" in text
    assert re.search(r"🕓 Placed: \w{3} \d{1,2}, \d{4}, \d{1,2}:\d\d\s[AP]M UTC", text)
    assert "🔄 Checked: —" in text
    assert {"🔄 Refresh", "✖️ Cancel order", "🔁 Order again", "⬅️ Back"} <= set(
        customer.labels(card)
    )

    back = await customer.tap("⬅️ Back", "page 2/2")  # the page the card was opened from
    assert back.message_id == page1.message_id
    assert panel.count("add") == 7


async def test_open_card_of_another_users_order_is_refused(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    other = Customer(telegram, OTHER_USER)
    await other.connect(OTHER_KEY)
    other_panel_id, other_order_id, _ = await place(other, "https://instagram.com/other")
    _, _, placed = await place(customer, "https://instagram.com/mine")
    for action in ("open", "ref", "rf", "cx", "cxyes", "cxno"):
        answer = await press(telegram, customer, placed, f"c:{action}:{other_order_id}")
        assert "not in your list" in answer.get("text", "")
        assert answer.get("show_alert") is True
    assert not any(other_panel_id in m.text for m in telegram.messages(customer.user_id))
    assert panel.count("status") == panel.count("refill") == panel.count("cancel") == 0


# --- the card: Refresh -------------------------------------------------------------------------


async def test_refresh_shows_new_status_progress_and_start_count(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/r")
    card = await open_card(customer, panel_id)
    panel.set_order(panel_id, status="In progress", remains=200, start_count=1234)
    refreshed = await customer.tap("Refresh", "In progress")
    assert refreshed.message_id == card.message_id  # edited in place
    text = refreshed.plain
    assert text.startswith("🔄 Order")
    assert "📍 Status: In progress" in text
    assert "▶️ Start count: 1,234" in text
    assert "⏳ Remains: 200" in text
    assert "▓▓▓▓▓▓░░░░ 60%" in text
    assert "🔄 Checked: —" not in text
    assert panel.count("status") == 1
    status_request = next(fields for action, fields in panel.requests if action == "status")
    assert status_request.get("order") == panel_id or status_request.get("orders") == panel_id
    # Still cancellable while in progress; not refillable yet.
    assert "✖️ Cancel order" in customer.labels(refreshed)
    assert "♻️ Refill" not in customer.labels(refreshed)


async def test_refresh_with_unknown_and_negative_remains(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/u")
    await open_card(customer, panel_id)

    panel.set_order(panel_id, status="In progress", remains="Unknown", start_count=10)
    card = await customer.tap("Refresh", "In progress")
    assert "⏳ Remains: unknown" in card.plain
    assert "%" not in card.plain  # no made-up progress

    panel.set_order(panel_id, status="Completed", remains=-50)
    card = await customer.tap("Refresh", "Completed")
    assert "⏳ Remains: 50 over-delivered" in card.plain
    assert "▓▓▓▓▓▓▓▓▓▓ 100%" in card.plain
    assert "-50" not in card.plain

    panel.set_order(panel_id, status="Partial", remains="+30")  # SmartPanel's over-delivery
    card = await customer.tap("Refresh", "Partial")
    assert "⏳ Remains: 30 over-delivered" in card.plain
    assert "100%" in card.plain

    listing = await customer.say("/orders", "Your orders")
    assert panel_id in listing.plain
    assert "Partial" in listing.plain
    assert panel.count("status") == 3


# --- the card: Refill --------------------------------------------------------------------------


async def test_refill_button_only_for_completed_or_partial_refill_service(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    refillable, _, _ = await place(customer, "https://instagram.com/a")
    card = await open_card(customer, refillable)
    assert "♻️ Refill" not in customer.labels(card)  # Pending
    panel.complete(refillable)
    card = await customer.tap("Refresh", "Completed")
    assert "♻️ Refill" in customer.labels(card)
    panel.set_order(refillable, status="Partial", remains=100)
    card = await customer.tap("Refresh", "Partial")
    assert "♻️ Refill" in customer.labels(card)

    plain, _, _ = await place(customer, "https://instagram.com/b", 100, PLAIN)
    card = await open_card(customer, plain)
    assert f"📦 {PLAIN_NAME}" in card.plain
    panel.complete(plain)
    card = await customer.tap("Refresh", "Completed")
    assert "♻️ Refill" not in customer.labels(card)
    assert "✖️ Cancel order" not in customer.labels(card)
    assert panel.count("refill") == 0


async def test_refill_tap_requests_once_and_card_lists_it(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    opened = await open_card(customer, panel_id)
    panel.complete(panel_id)
    await customer.tap("Refresh", "Completed")

    mark = telegram.mark()
    telegram.press_button(customer.user_id, "♻️ Refill")
    result = await telegram.wait_for_message(customer.user_id, "requested (refill", after=mark)
    refill_id = next(iter(panel.refills))
    assert status_lines(result)[panel_id] == f"requested (refill {refill_id})"
    card = await telegram.wait_for_message(customer.user_id, f"Refill {refill_id}:", after=mark)
    assert card.message_id == opened.message_id  # the card itself, updated in place
    assert f"♻️ Refill {refill_id}: Pending" in card.plain
    assert panel.count("refill") == 1
    assert panel.refills[refill_id].order_id == panel_id
    refill_request = next(fields for action, fields in panel.requests if action == "refill")
    assert panel_id in (refill_request.get("orders") or refill_request.get("order") or "")


async def test_refill_double_tap_sends_one_refill(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    await open_card(customer, panel_id)
    panel.complete(panel_id)
    card = await customer.tap("Refresh", "Completed")
    data = button_data(card, "♻️ Refill")
    mark = telegram.mark()
    first = telegram.press(customer.user_id, card.message_id, data)
    second = telegram.press(customer.user_id, card.message_id, data)
    await telegram.wait_for_message(customer.user_id, "requested (refill", after=mark)
    await telegram.wait_for(lambda: {first, second} <= telegram.callback_answers.keys())
    # One user's updates are handled in order: once /help is answered, both taps are done.
    await customer.say("/help", "How it works")
    assert panel.count("refill") == 1
    assert "not eligible" not in telegram.all_text()


async def test_stale_refill_tap_on_ineligible_order_is_refused(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    _, pending_id, _ = await place(customer, "https://instagram.com/a")
    plain, plain_id, _ = await place(customer, "https://instagram.com/b", 100, PLAIN)
    panel.complete(plain)
    card = await open_card(customer, plain)
    await customer.tap("Refresh", "Completed")
    for order_id in (pending_id, plain_id):
        answer = await press(telegram, customer, card, f"c:rf:{order_id}")
        assert "can't be refilled" in answer.get("text", "")
        assert answer.get("show_alert") is True
    assert panel.count("refill") == 0
    assert not panel.refills
    assert "requested (refill" not in telegram.all_text()


# --- the card: Cancel --------------------------------------------------------------------------


async def test_cancel_button_only_for_cancellable_service_and_open_status(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    card = await open_card(customer, panel_id)
    assert "✖️ Cancel order" in customer.labels(card)  # Pending
    panel.set_order(panel_id, status="In progress", remains=400)
    card = await customer.tap("Refresh", "In progress")
    assert "✖️ Cancel order" in customer.labels(card)
    panel.complete(panel_id)
    card = await customer.tap("Refresh", "Completed")
    assert "✖️ Cancel order" not in customer.labels(card)

    plain, plain_id, _ = await place(customer, "https://instagram.com/b", 100, PLAIN)
    card = await open_card(customer, plain)
    assert "✖️ Cancel order" not in customer.labels(card)  # Pending, but not cancellable
    answer = await press(telegram, customer, card, f"c:cx:{plain_id}")
    assert "can't be cancelled" in answer.get("text", "")
    assert panel.count("cancel") == 0


async def test_cancel_double_tap_sends_one_cancel(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    card = await open_card(customer, panel_id)
    question = await customer.tap("Cancel order", "Cancel order")
    assert question.message_id == card.message_id  # asked in place of the card
    data = button_data(question, "Yes, cancel")
    mark = telegram.mark()
    first = telegram.press(customer.user_id, card.message_id, data)
    second = telegram.press(customer.user_id, card.message_id, data)
    done = await telegram.wait_for_message(customer.user_id, "Cancellation requested", after=mark)
    await telegram.wait_for(lambda: {first, second} <= telegram.callback_answers.keys())
    assert panel.count("cancel") == 1
    cancel_id = next(iter(panel.cancels))
    assert f"(cancel {cancel_id})" in done.plain
    assert panel.cancels[cancel_id].order_id == panel_id
    assert "already requested" in (telegram.callback_answers[second].get("text") or "")
    assert "already requested" not in (telegram.callback_answers[first].get("text") or "")
    card = await telegram.wait_for(
        lambda: (
            (m := card_message(telegram, customer, card.message_id))
            and f"Cancel request {cancel_id}" in m.plain
            and m
        )
    )
    assert f"✖️ Cancel request {cancel_id}: Pending" in card.plain
    assert "✖️ Cancel order" not in customer.labels(card)
    assert "The panel said" not in telegram.all_text()


# --- /status -----------------------------------------------------------------------------------


async def test_status_many_ids_in_one_panel_call(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    first, _, _ = await place(customer, "https://instagram.com/a")
    second, _, _ = await place(customer, "https://instagram.com/b")
    panel.set_order(first, status="In progress", remains=100, start_count=7)
    panel.complete(second)
    others = panel.create_order(OTHER_KEY, DEFAULT, 777, "https://secret.test/x", "In progress")
    before = panel.count("status")

    answer = await customer.say(f"/status {first}, {second} abc,{others}", "Order status")
    assert panel.count("status") - before == 1
    assert statuses_sent(panel)[-1].split(",") == [first, second, others]
    lines = status_lines(answer)
    assert "In progress" in lines[first]
    assert "remains 100" in lines[first]
    assert "80%" in lines[first]  # 400 of 500 delivered
    assert "Completed" in lines[second]
    assert "not found" in lines[others]
    assert "not an order id" in lines["abc"]
    assert len(lines) == 4
    # Nothing of the other user's order leaks.
    assert "777" not in answer.plain
    assert "secret" not in answer.plain
    assert not answer.buttons  # nothing to track: the other id is not ours
    # The statuses were stored: the list shows them without asking the panel again.
    listing = await customer.say("/orders", "Your orders")
    assert "In progress" in listing.plain
    assert "Completed" in listing.plain
    assert panel.count("status") - before == 1


async def test_status_of_another_users_order_says_not_found(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    others = panel.create_order(OTHER_KEY, DEFAULT, 321, "https://secret.test/y", "Completed")
    answer = await customer.say(f"/status {others}", "Order status")
    assert status_lines(answer) == {others: "⚠️ not found"}
    assert "Completed" not in answer.plain
    assert "Track" not in str(answer.buttons)


async def test_status_non_numeric_only(customer: Customer, panel: FakePanel) -> None:
    answer = await customer.say("/status abc 12x <b>x</b>;a&b", "Order status")
    lines = status_lines(answer)
    assert set(lines) == {"abc", "12x", "<b>x</b>", "a&b"}  # shown as typed, not as HTML
    assert all("not an order id" in text for text in lines.values())
    assert panel.count("status") == 0


async def test_status_more_than_1000_ids(customer: Customer, panel: FakePanel) -> None:
    ids = " ".join(str(n) for n in range(1, 1002))
    answer = await customer.say(f"/status {ids}", "more than 1,000 ids")
    assert "Order status" not in answer.text
    assert panel.count("status") == 0
    # Exactly 100 still get a line each, from one call.
    ids = ",".join(str(n) for n in range(1, 101))
    answer = await customer.say(f"/status {ids}", "Order status")
    assert len(status_lines(answer)) == 100
    assert panel.count("status") == 1


async def test_status_of_100_known_orders_answers_every_id(
    app: Any, customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    ids = await record_known_orders(app, customer, panel, 100)
    before = customer.last().message_id
    mark = telegram.mark()
    telegram.send_text(customer.user_id, "/status " + " ".join(ids))
    await telegram.wait_for_message(customer.user_id, None, after=mark)
    await telegram.wait_for(
        lambda: (
            len(replies_lines(telegram, customer, before)) >= len(ids)
            or GENERIC_ERROR in customer.last().text
        ),
        what="a line for every id",
    )
    lines = replies_lines(telegram, customer, before)
    assert GENERIC_ERROR not in telegram.all_text()
    assert set(lines) == set(ids)
    assert all("In progress" in text for text in lines.values())
    assert all("75%" in text for text in lines.values())
    assert panel.count("status") == 1


async def test_status_alone_shows_usage(customer: Customer, panel: FakePanel) -> None:
    answer = await customer.say("/status", "/status 123 456")
    assert "up to 100" in answer.plain
    assert panel.count("status") == 0


@pytest.mark.parametrize("dialect", ["array", "smartpanel"])
async def test_status_in_other_panel_dialects(
    customer: Customer, panel: FakePanel, dialect: str
) -> None:
    first, _, _ = await place(customer, "https://instagram.com/a")
    second, _, _ = await place(customer, "https://instagram.com/b")
    panel.set_order(first, status="In progress", remains=250)
    panel.complete(second)
    missing = "99999"
    panel.multi_status_dialect = dialect  # type: ignore[assignment]
    answer = await customer.say(f"/status {missing} {second},{first}", "Order status")
    lines = status_lines(answer)
    assert "In progress" in lines[first]
    assert "50%" in lines[first]
    assert "Completed" in lines[second]
    assert "In progress" not in lines[second]
    assert lines[missing] == "⚠️ not found"
    assert panel.count("status") == 1


# --- orders placed on the website --------------------------------------------------------------


async def test_status_tracks_website_orders_in_one_step(
    app: Any, customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    website = panel.create_order(USER_KEY, DEFAULT, 300, "https://instagram.com/w", "In progress")
    panel.set_order(website, remains=120, start_count=50)
    answer = await customer.say(f"/status {website}", "Order status")
    assert "In progress" in status_lines(answer)[website]
    assert "Now tracking 1 order" in answer.plain
    assert not answer.buttons  # no Track button, no second status call
    assert panel.count("status") == 1

    listing = await customer.say("/orders", "Your orders")
    assert website in listing.plain
    card = await customer.tap(website, f"Order {website}")
    assert "📍 Status: In progress" in card.plain
    assert "⏳ Remains: 120" in card.plain
    assert "▶️ Start count: 50" in card.plain
    # Tracked: a change is pushed.
    panel.set_order(website, status="Partial", remains=20)
    mark = telegram.mark()
    assert await notifier_of(app).run_cycle(app)
    await telegram.wait_for_message(customer.user_id, "Partial", after=mark)
    # Known now: /status does not announce it again.
    again = await customer.say(f"/status {website}", "Order status")
    assert "Now tracking" not in again.plain
    # Stop tracking from the card: gone from the list, no longer asked about.
    stopped = await customer.tap(texts.orders.button_untrack(), "Stopped tracking")
    assert stopped.message_id == card.message_id
    assert await customer.say("/orders", "no orders yet")
    panel.set_order(website, status="In progress")
    panel.reset_counts()
    assert await notifier_of(app).run_cycle(app)
    assert panel.count("status") == 0


async def test_orders_placed_through_the_bot_cannot_be_untracked(customer: Customer) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    card = await open_card(customer, panel_id)
    assert texts.orders.button_untrack() not in customer.labels(card)


async def test_status_of_250_website_orders_tracks_all_in_three_calls(
    app: Any, customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    ids = [
        panel.create_order(USER_KEY, DEFAULT, 100, f"https://instagram.com/{n}", "In progress")
        for n in range(250)
    ]
    panel.complete(ids[0])
    before = len(telegram.messages(customer.user_id))
    answer = await customer.say("/status " + " ".join(ids), "Now tracking 250 orders")
    assert panel.count("status") == 3  # ⌈250/100⌉, and no call per order
    replies = telegram.messages(customer.user_id)[before:]
    assert len(replies) == 1  # grouped by status: one message, not one (or two) per order
    assert len(answer.text) <= 4096
    assert "In progress</b> (249)" in answer.text
    assert "Completed</b> (1)" in answer.text
    assert all(order_id in answer.text for order_id in ids)
    listing = await customer.say("/orders", "Your orders")
    assert "(page 1/50)" in listing.text
    # A later change of one of them is pushed by the poller (which asks for the open 249).
    changed = ids[137]
    panel.set_order(changed, status="Partial", remains=40)
    panel.reset_counts()
    mark = telegram.mark()
    assert await notifier_of(app).run_cycle(app)
    assert panel.count("status") == 3
    push = await telegram.wait_for_message(customer.user_id, "Partial", after=mark)
    assert changed in push.text


async def test_tracking_1340_ids_costs_14_status_calls(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    ids = [panel.create_order(USER_KEY, DEFAULT, 100) for _ in range(1340)]
    services = app_services(app)
    stored = await services.repository.get_api_key(customer.user_id)
    assert stored is not None
    check = await check_and_track(services.interactive, services.repository, stored, ids)
    assert panel.count("status") == 14
    assert sorted(check.newly_tracked) == sorted(ids)
    assert await services.repository.count_orders(customer.user_id) == 1340
    # Its answer: a few messages within Telegram's limit, not one per order.
    found = [(order_id, result) for order_id, result in check.results.items()]
    report = texts.orders.status_groups(texts.orders.status_title(), found)  # type: ignore[arg-type]
    assert len(report) <= 4
    assert all(len(message) <= 4096 for message in report)
    # Asking again tracks nothing new, in as many calls.
    panel.reset_counts()
    again = await check_and_track(services.interactive, services.repository, stored, ids)
    assert again.newly_tracked == []
    assert panel.count("status") == 14


async def test_track_button_cannot_take_another_users_order(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    others = panel.create_order(OTHER_KEY, DEFAULT, 300, "https://secret.test/t", "In progress")
    answer = await customer.say("/status abc", "Order status")
    reply = await press(telegram, customer, answer, f"c:track:{others}")
    assert reply is not None
    await telegram.wait_for_message(customer.user_id, "not in your list")
    listing = await customer.say("/orders", "no orders yet")
    assert others not in listing.plain


# --- /refill -----------------------------------------------------------------------------------


async def test_refill_command(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    panel.complete(panel_id)
    answer = await customer.say(f"/refill {panel_id}", "Refill")
    refill_id = next(iter(panel.refills))
    assert status_lines(answer) == {panel_id: f"requested (refill {refill_id})"}
    assert panel.count("refill") == 1
    card = await open_card(customer, panel_id)
    assert f"♻️ Refill {refill_id}: Pending" in card.plain

    plain, _, _ = await place(customer, "https://instagram.com/b", 100, PLAIN)
    panel.complete(plain)
    answer = await customer.say(f"/refill {plain}", "Refill")
    assert "can't be refilled" in status_lines(answer)[plain]
    assert panel.count("refill") == 1  # not asked

    answer = await customer.say("/refill abc", "Refill")
    assert status_lines(answer) == {"abc": "⚠️ not an order id"}
    answer = await customer.say("/refill", "/refill 123")
    assert panel.count("refill") == 1


async def test_refill_of_100_ids_answers_every_id(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    # Still pending, so the panel refuses each one with its own message.
    ids = [panel.create_order(USER_KEY, DEFAULT, 100, f"https://x.test/{n}") for n in range(100)]
    before = customer.last().message_id
    mark = telegram.mark()
    telegram.send_text(customer.user_id, "/refill " + ",".join(ids))
    await telegram.wait_for_message(customer.user_id, None, after=mark)
    await telegram.wait_for(
        lambda: (
            len(replies_lines(telegram, customer, before)) >= len(ids)
            or GENERIC_ERROR in customer.last().text
        ),
        what="a line for every id",
    )
    lines = replies_lines(telegram, customer, before)
    assert GENERIC_ERROR not in telegram.all_text()
    assert set(lines) == set(ids)
    assert all("not eligible" in text for text in lines.values())
    assert panel.count("refill") == 1


# --- /notify -----------------------------------------------------------------------------------


async def test_notify_shows_the_setting_and_its_button_changes_it(
    customer: Customer, telegram: FakeTelegram
) -> None:
    shown = await customer.say("/notify", "Status messages are")
    assert "<b>on</b>" in shown.text
    assert customer.labels(shown) == ["🔕 Mute status messages"]
    again = await customer.say("/notify", "Status messages are")
    assert "<b>on</b>" in again.text  # looking changes nothing
    muted = await customer.tap("Mute status messages", "muted")
    assert muted.message_id == again.message_id  # in place
    assert customer.labels(muted) == ["🔔 Turn status messages on"]
    assert "<b>muted</b>" in (await customer.say("/notify", "Status messages")).text
    # The older message's Mute button sets "muted" again: it never toggles back on.
    await press(telegram, customer, shown, button_data(shown, "Mute"))
    assert "<b>muted</b>" in (await customer.say("/notify", "Status messages")).text
    on = await customer.tap("Turn status messages on", "<b>on</b>")
    assert customer.labels(on) == ["🔕 Mute status messages"]


# --- Order again -------------------------------------------------------------------------------


async def test_order_again_goes_to_summary_and_places_same_order(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/again", 700)
    card = await open_card(customer, panel_id)
    panel.complete(panel_id)  # the panel refuses a second active order for one link
    summary = await customer.tap("Order again", "Check your order")
    assert summary.message_id != card.message_id
    assert "🔗 Link: https://instagram.com/again" in summary.plain
    assert "🔢 Quantity: 700" in summary.plain
    assert DEFAULT_NAME in summary.plain
    placed = await customer.tap("Confirm", "Order placed")
    new_id = re.search(r"Order <code>(\d+)</code>", placed.text)
    assert new_id
    assert new_id.group(1) != panel_id
    assert panel.count("add") == 2
    old, new = panel.orders[panel_id], panel.orders[new_id.group(1)]
    assert new.service == old.service == DEFAULT
    assert new.fields == old.fields


# --- the panel down ----------------------------------------------------------------------------


async def test_panel_down_on_refresh_and_status(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    card = await open_card(customer, panel_id)
    panel.set_order(panel_id, status="In progress", remains=100)

    panel.fault = "html502"
    down = await customer.tap("Refresh", NOT_ANSWERING)
    assert down.message_id != card.message_id
    assert "Pending" in card_message(telegram, customer, card.message_id).plain
    panel.fault = None
    refreshed = await customer.tap("Refresh", "In progress")
    assert refreshed.message_id == card.message_id

    panel.fault = "html502"
    await customer.say(f"/status {panel_id}", NOT_ANSWERING)
    panel.fault = None
    answer = await customer.say(f"/status {panel_id}", "Order status")
    assert "In progress" in status_lines(answer)[panel_id]
    assert "Something went wrong" not in telegram.all_text()


async def test_unclear_refill_is_recorded_and_never_sent_twice(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel, app: Any
) -> None:
    panel_id, _, _ = await place(customer, "https://instagram.com/a")
    panel.complete(panel_id)
    panel.timeout_seconds = 4  # longer than the bot's read timeout (2 s in the tests)
    panel.fault_actions = {"refill"}
    panel.fault = "timeout_after_processing"
    await customer.say(f"/refill {panel_id}", "no clear answer", timeout=15)
    panel.fault = None
    answer = await customer.say(f"/refill {panel_id}", "Refill")
    assert "already under way" in status_lines(answer)[panel_id]
    assert panel.count("refill") == 1
    card = await open_card(customer, panel_id)
    assert "Unclear" in card.plain
    assert "♻️ Refill" not in customer.labels(card)
    # It has no id to follow: the poller does not ask the panel about it.
    assert await notifier_of(app).run_cycle(app)
    assert panel.count("refill_status") == 0


async def test_status_with_a_flood_of_tokens_gets_one_short_reply(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    before = len(telegram.messages(customer.user_id))
    answer = await customer.say("/status " + ",".join(["x"] * 2000), "more than 1,000 ids")
    assert len(telegram.messages(customer.user_id)) == before + 1
    assert len(answer.text) < 200
    assert panel.count("status") == 0
