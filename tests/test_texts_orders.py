"""Texts of orders, /status reports and pushes: English plurals, status words in the bot's
words (the panel's own when unknown), and values kept in their direction for RTL readers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot import texts
from bot.i18n import FSI, PDI, reading_as
from bot.panel import OrderState, OrderStatus
from storage.models import Order, PanelTask, Placement, TaskKind, TaskStatus


def isolated(value: str) -> str:
    return f"{FSI}{value}{PDI}"


@pytest.fixture
def arabic() -> Iterator[None]:
    with reading_as("ar"):
        yield


def an_order(**fields: object) -> Order:
    values: dict[str, object] = {
        "user_id": 1,
        "placement": Placement.PLACED,
        "panel_order_id": "777",
        "service_id": "5",
        "service_name": "Instagram Followers",
        "link": "https://instagram.com/someone",
        "quantity": 1000,
        "charge": Decimal("0.9"),
        "currency": "USD",
        "status": "partial",
        "status_raw": "Partial",
        "remains": 300,
        "start_count": 12,
        "placed_at": datetime(2026, 12, 4, 15, 20, tzinfo=UTC),
        "checked_at": datetime(2026, 12, 4, 16, 0, tzinfo=UTC),
    }
    values.update(fields)
    return Order(**values)


def a_task(**fields: object) -> PanelTask:
    values: dict[str, object] = {
        "kind": TaskKind.REFILL,
        "user_id": 1,
        "panel_order_id": "777",
        "panel_task_id": "9",
        "status": "pending",
        "status_raw": TaskStatus.PENDING,
    }
    values.update(fields)
    return PanelTask(**values)


def a_status(state: OrderState, raw: str, remains: int | None = None) -> OrderStatus:
    return OrderStatus("777", state, raw, Decimal("0.9"), 12, remains, "USD")


# --- status words ------------------------------------------------------------------------


def test_known_states_read_in_the_bots_words_whatever_the_panels_spelling() -> None:
    word = texts.orders.status_word
    assert word(OrderState.IN_PROGRESS, "inprogress") == "In progress"
    assert word("completed", "Complete") == "Completed"
    assert word("canceled", "Cancelled") == "Canceled"
    assert texts.orders.raw_status_word("in progress") == "In progress"


def test_unknown_states_read_as_the_panel_sent_them_escaped_and_cut() -> None:
    word = texts.orders.status_word
    assert word("unknown", "Awaiting <moderation>") == "Awaiting &lt;moderation&gt;"
    assert word(None, None) == "—"
    assert word("something new", "Queued") == "Queued"
    long = word("unknown", "x" * 500)
    assert len(long) == texts.formatting.STATUS_LIMIT
    assert long.endswith("…")


def test_task_status_words_our_codes_and_the_panels() -> None:
    word = texts.orders.task_status_word
    assert word(TaskStatus.REQUESTED) == "Requested"
    assert word(TaskStatus.UNCLEAR) == "Unclear (no answer from the panel)"
    assert word(TaskStatus.PENDING) == "Pending"
    # Rows written before the codes held the sentences themselves.
    assert word("Unclear (no answer from the panel)") == "Unclear (no answer from the panel)"
    assert word("completed") == "Completed"
    assert word("On <hold>") == "On &lt;hold&gt;"
    assert word(None) == "—"


# --- plurals -----------------------------------------------------------------------------


def test_now_tracking_one_and_many() -> None:
    one = texts.orders.now_tracking(1)
    assert "Now tracking 1 order placed" in one
    assert "when its status changes. See it in /orders" in one
    many = texts.orders.now_tracking(1200)
    assert "Now tracking 1,200 orders placed" in many
    assert "when their status changes. See them in /orders" in many


def test_digest_title_counts_updates() -> None:
    push = texts.pushes.order_push(an_order(), "In progress")
    one = texts.pushes.push_digest([push])
    assert one.startswith("🔔 <b>1 status update</b>\n\n<b>Order 777</b>")
    three = texts.pushes.push_digest([push] * 3, 2, 4)
    assert three.startswith("🔔 <b>3 status updates</b> (2/4)\n\n")
    assert three.count("🔔") == 1


def test_status_groups_count_ids_and_each_group() -> None:
    done = a_status(OrderState.COMPLETED, "Completed", 0)
    title = texts.orders.status_title()
    [one] = texts.orders.status_groups(title, [("1", done)])
    assert one.startswith("📋 <b>Order status</b> · 1 id\n")
    assert "✅ <b>Completed</b> (1):\n1" in one
    results: list[tuple[str, OrderStatus | None]] = [(str(n), done) for n in range(1, 4)]
    [many] = texts.orders.status_groups(title, [*results, ("9", None)], "footer")
    assert many.startswith("📋 <b>Order status</b> · 4 ids\n")
    assert "✅ <b>Completed</b> (3):\n1, 2, 3" in many
    assert "⚠️ not found (1):\n9" in many
    assert many.endswith("\n\nfooter")


def test_too_many_ids_and_over_delivery_and_partial_progress() -> None:
    assert texts.orders.too_many_ids(1) == (
        "That's more than 1 id — please send at most 1 at once."
    )
    assert texts.orders.too_many_ids(1000) == (
        "That's more than 1,000 ids — please send at most 1,000 at once."
    )
    assert texts.orders.remains_text(-1) == "1 over-delivered"
    assert texts.orders.remains_text(-1500) == "1,500 over-delivered"
    assert texts.orders.remains_text(None) == "unknown"
    assert texts.orders.progress("partial", 2, 1, width=2) == "▓░ 50% · 1 of 2 delivered, 1 not"


def test_long_reports_number_their_parts() -> None:
    lines = [(str(100000 + i), "⚠️ " + "y" * 80) for i in range(200)]
    messages = texts.orders.id_report(texts.orders.refill_title(), lines)
    count = len(messages)
    assert count > 1
    for part, message in enumerate(messages, start=1):
        assert message.startswith(f"♻️ <b>Refill</b> ({part}/{count})\n\n<code>")


# --- whole screens in English ------------------------------------------------------------


def test_order_card_in_english() -> None:
    tasks = [
        a_task(),
        a_task(panel_task_id=None, status_raw=TaskStatus.REQUESTED),
        a_task(kind=TaskKind.CANCEL, panel_task_id="4", status_raw="Rejected"),
        a_task(kind=TaskKind.CANCEL, panel_task_id=None, status_raw=TaskStatus.UNCLEAR),
    ]
    card = texts.orders.order_card(an_order(), tasks)
    assert card.split("\n") == [
        "🟡 <b>Order 777</b>",
        "📦 Instagram Followers",
        "🔗 https://instagram.com/someone",
        "🔢 Quantity: 1,000",
        "💵 Charge: 0.90 USD",
        "▶️ Start count: 12",
        "⏳ Remains: 300",
        "▓▓▓▓▓▓▓░░░ 70% · 700 of 1,000 delivered, 300 not",
        "📍 Status: <b>Partial</b>",
        "♻️ Refill 9: Pending",
        "♻️ Refill: Requested",
        "✖️ Cancel request 4: Rejected",
        "✖️ Cancel request: Unclear (no answer from the panel)",
        "🕓 Placed: Dec 4, 2026, 3:20\u202fPM UTC",
        "🔄 Checked: Dec 4, 2026, 4:00\u202fPM UTC",
    ]


def test_order_list_lines() -> None:
    orders = [
        an_order(status="in_progress", status_raw="inprogress", remains=600),
        an_order(panel_order_id=None, placement=Placement.PLACING, service_name=""),
        an_order(
            panel_order_id=None, placement=Placement.UNKNOWN, created_at=datetime(2026, 1, 2)
        ),
        an_order(
            panel_order_id="8",
            placement=Placement.TRACKED,
            service_name="",
            status="unknown",
            status_raw="On <hold>",
            remains=None,
        ),
    ]
    text = texts.orders.orders_list(orders, 1, 3)
    assert text.split("\n") == [
        "📦 <b>Your orders</b> (page 2/3)",
        "",
        "🔄 <code>777</code> Instagram Followers · In progress ▓▓░░░ 40%",
        "⏳ <i>being placed</i> order",
        "❓ <i>unconfirmed</i> Instagram Followers · Jan 2, 2026, 12:00\u202fAM UTC — check "
        "your panel",
        "❔ <code>8</code> 📌 website order · On &lt;hold&gt;",
        "",
        "Tap an order to open it.",
    ]
    assert texts.orders.orders_list([], 0, 1) == "📦 You have no orders yet. /order to place one."


def test_status_line_uses_the_bots_status_word() -> None:
    line = texts.orders.status_line(a_status(OrderState.IN_PROGRESS, "inprogress", 250), None)
    assert line == "🔄 <b>In progress</b>, remains 250"
    odd = texts.orders.status_line(a_status(OrderState.UNKNOWN, "On <hold>"), an_order())
    assert odd == "❔ Instagram Followers · <b>On &lt;hold&gt;</b>"


def test_pushes_show_old_and_new_status_in_the_bots_words() -> None:
    push = texts.pushes.order_push(
        an_order(status="completed", status_raw="Completed"), "inprogress"
    )
    assert push.split("\n") == [
        "🔔 <b>Order 777</b> · Instagram Followers",
        "🔗 https://instagram.com/someone",
        "🔄 In progress → ✅ <b>Completed</b>",
        "▓▓▓▓▓▓▓▓▓▓ 100%",
        "💵 Charged: 0.90 USD",
    ]
    odd = texts.pushes.order_push(an_order(status="unknown", status_raw="On <hold>"), "Odd <x>")
    assert "❔ Odd &lt;x&gt; → ❔ <b>On &lt;hold&gt;</b>" in odd
    task = texts.pushes.task_push(a_task(status_raw="Completed"), TaskStatus.PENDING)
    assert task == "🔔 <b>♻️ Refill 9</b> for order <code>777</code>\nPending → <b>Completed</b>"
    first = texts.pushes.task_push(a_task(kind=TaskKind.CANCEL, panel_task_id=None), None)
    assert first == "🔔 <b>✖️ Cancel request</b> for order <code>777</code>\n<b>Pending</b>"


def test_short_answers() -> None:
    assert texts.orders.refill_requested("5") == "requested (refill 5)"
    assert texts.orders.refill_requested(None) == "requested"
    assert texts.orders.cancel_requested("<4>") == (
        "✖️ Cancellation requested (cancel &lt;4&gt;). I'll tell you when the panel answers."
    )
    assert texts.orders.untracked("12") == (
        "📌 Stopped tracking order <code>12</code>: no more messages about it. "
        "<code>/status 12</code> tracks it again."
    )
    assert "<b>muted</b>" in texts.orders.notify_status(False)
    assert "/notify" not in texts.orders.notify_status(True)  # a button changes it


# --- the reader's language ---------------------------------------------------------------


@pytest.mark.usefixtures("arabic")
def test_arabic_reader_gets_ids_and_counts_isolated() -> None:
    # No Arabic catalogue yet: English words, but built for an RTL reader.
    assert isolated("777") in texts.orders.untracked("777")
    assert isolated("9") in texts.orders.refill_requested("9")
    assert isolated("1,000") in texts.orders.too_many_ids(1000)
    assert isolated("3") in texts.orders.now_tracking(3)  # two: the dual form says it in words
    card = texts.orders.order_card(an_order(), [a_task()])
    assert isolated("777") in card
    assert isolated("Instagram Followers") in card
    push = texts.pushes.order_push(an_order(), "inprogress")
    assert isolated("Instagram Followers") in push
    assert push.count(FSI) >= 2  # the old and the new status, each in its own direction
    digest = texts.pushes.push_digest([push, push, push])
    assert isolated("3") in digest
    [report] = texts.orders.id_report(texts.orders.status_title(), [("5", "x")])
    assert isolated("<code>5</code>") in report
    assert texts.pushes.push_card_button("5") == f"📋 #{isolated('5')}"


def test_reader_locale_shapes_numbers_and_percent() -> None:
    with reading_as("ru"):
        assert "1\xa0000" in texts.orders.too_many_ids(1000)
        assert texts.orders.progress_bar(4, 2, width=2) == "▓░ 50\xa0%"
    with reading_as("tr"):
        assert texts.orders.progress_bar(4, 2, width=2) == "▓░ %50"
    assert texts.orders.progress_bar(4, 2, width=2) == "▓░ 50%"
