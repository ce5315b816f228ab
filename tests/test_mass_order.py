"""/mass end to end, against both stand-ins over real HTTP: one summary naming every line, one
Confirm, exactly one `add` per valid line, one results message."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot import texts
from bot.context import app_services
from bot.i18n import reading_as
from bot.panel import PanelRejected
from bot.services.mass import MAX_LINES, LineOutcome, LineResult, StopReason
from storage.models import Order
from tests.conftest import OPERATOR, USER, USER_KEY, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

COMMENTS = SERVICE_IDS["Custom Comments"]

MIXED = "\n".join(
    [
        "1 | https://instagram.com/alice | 1000",  # 1. valid: 0.90
        "101 https://instagram.com/bob 500",  # 2. valid, spaces: 0.25
        "999999 | https://instagram.com/carol | 100",  # 3. unknown service
        "1, https://instagram.com/dave, 5",  # 4. below the minimum of 10
        "1 | https://instagram.com/alice | 2000",  # 5. duplicate of line 1
        f"{COMMENTS} | https://instagram.com/erin | 10",  # 6. needs comments
        "1 | not a link | 100",  # 7. bad link
        "just some words",  # 8. not the format
    ]
)


def confirm_data(summary: BotMessage) -> str:
    data = [data for row in summary.buttons for _, data in row if data.startswith("ms:ok:")]
    assert len(data) == 1, summary.buttons
    return data[0]


async def mass_summary(customer: Customer, lines: str) -> BotMessage:
    await customer.say("/mass", "Mass order")
    return await customer.say(lines, "Check your mass order")


async def test_a_mixed_mass_order_names_each_bad_line_and_places_each_valid_one_once(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    prompt = await customer.say("/mass", "Mass order")
    assert "service_id | link | quantity" in prompt.plain
    assert f"Up to {MAX_LINES} lines" in prompt.plain
    summary = await customer.say(MIXED, "Check your mass order")
    text = summary.plain
    assert "8 lines" in text
    alice = "1. Instagram Followers [Refill 30D] (ID 1) · instagram.com/alice · 1,000 · 0.90 USD"
    bob = "2. Instagram Followers [No Refill] (ID 101) · instagram.com/bob · 500 · 0.25 USD"
    assert alice in text
    assert bob in text
    assert "Not ordered (6 lines)" in text
    assert "3. 999999 | https://instagram.com/carol | … — No service 999999 in the catalogue." in (
        text
    )
    assert "4. 1, https://instagram.com/dave, 5 — The quantity must be 10 – 10,000." in text
    assert "5. 1 | https://instagram.com/alice | 2000 — Same service and link as line 1." in text
    assert f"— Service {COMMENTS} needs more than a link and a quantity: use /order." in text
    assert "7. 1 | not a link | 100 — Not a link." in text
    assert "8. just some words — Not in the form" in text
    assert "Total: 1.15 USD for 2 orders" in text
    assert "After: 98.85 USD" in text
    assert customer.labels(summary) == ["✅ Place 2 orders", "✖️ Cancel"]
    assert panel.count("add") == 0  # nothing is sent before Confirm

    results = await customer.tap("Place 2 orders", "Mass order</b>: 2 of 2")
    assert panel.count("add") == 2
    by_link = {order.fields["link"]: order for order in panel.orders.values()}
    assert by_link["https://instagram.com/alice"].fields["quantity"] == "1000"
    assert by_link["https://instagram.com/bob"].fields["quantity"] == "500"
    for order_id in panel.orders:
        assert order_id in results.plain
    assert "1. Order" in results.plain
    assert "2. Order" in results.plain
    assert "Placed for 1.15 USD" in results.plain
    # The summary stays, without its buttons; the results are one new message.
    assert telegram.messages(USER)[-2].message_id == summary.message_id
    assert not telegram.messages(USER)[-2].buttons
    orders = await customer.say("/orders", "Instagram")
    assert orders.plain.count("Instagram Followers") == 2


async def test_a_second_confirm_places_nothing_again(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    summary = await mass_summary(
        customer, "1 | https://instagram.com/a | 100\n101 | https://instagram.com/b | 100"
    )
    data = confirm_data(summary)
    panel.delay = 0.3  # both taps arrive while the first is placing
    mark = telegram.mark()
    first = telegram.press(USER, summary.message_id, data)
    second = telegram.press(USER, summary.message_id, data)
    await telegram.wait_for_message(USER, "2 of 2 orders placed", after=mark)
    answers = [
        await telegram.wait_for(lambda q=q: telegram.callback_answers.get(q), what=q)  # type: ignore[misc]
        for q in (first, second)
    ]
    assert panel.count("add") == 2
    assert any("already" in str(answer.get("text")) for answer in answers)
    # Later (another device, a retried update): an alert, still nothing placed.
    later = await customer.press(summary, data)
    assert "already placed" in str(later.get("text"))
    assert panel.count("add") == 2
    assert sum("orders placed" in m.plain for m in telegram.messages(USER)) == 1


async def test_a_thousand_lines_are_refused_whole(customer: Customer, panel: FakePanel) -> None:
    await customer.say("/mass", "Mass order")
    lines = "\n".join(f"1 | https://instagram.com/u{n} | 100" for n in range(1000))
    refused = await customer.say(lines, "at most")
    assert "That's 1,000 lines; a mass order takes at most 50. Nothing was ordered" in (
        refused.plain
    )
    assert not refused.buttons
    assert panel.count("add") == 0
    # Still waiting for the lines: a list that fits is read.
    summary = await customer.say("1 | https://instagram.com/u1 | 100", "Check your mass order")
    assert customer.labels(summary)[0] == "✅ Place 1 order"


async def test_an_empty_message_or_a_photo_gets_the_format(customer: Customer) -> None:
    await customer.say("/mass", "Mass order")
    empty = await customer.say(" \n\n  ", "no lines")
    assert "service_id | link | quantity" in empty.plain
    photo = await customer.send_photo("as text")
    assert "service_id | link | quantity" in photo.plain


async def test_a_list_of_only_bad_lines_offers_nothing_to_confirm(
    customer: Customer, panel: FakePanel
) -> None:
    shown = await mass_summary(customer, "999 | https://instagram.com/a | 100\nhello")
    assert "Nothing here can be ordered" in shown.plain
    assert not shown.buttons
    assert panel.count("add") == 0


async def test_a_panel_refusing_one_line_leaves_the_others_placed(
    customer: Customer, panel: FakePanel
) -> None:
    panel.create_order(USER_KEY, 1, link="https://instagram.com/busy")  # an active order
    before = panel.count("add")
    summary = await mass_summary(
        customer,
        "1 | https://instagram.com/a | 100\n"
        "101 | https://instagram.com/busy | 100\n"
        "1 | https://instagram.com/c | 100",
    )
    results = await customer.tap("Place 3 orders", "orders placed")
    assert panel.count("add") - before == 3
    text = results.plain
    assert "2 of 3 orders placed" in text
    assert "1. Order" in text
    assert "3. Order" in text
    assert "2. Instagram Followers [No Refill] (ID 101) · instagram.com/busy: refused — " in text
    assert "active order for this link" in text
    assert summary.message_id != results.message_id


async def test_hidden_services_are_unknown_to_a_mass_order(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    console = app_services(app).console
    await console.save(OPERATOR, "hidden_services", ["101"])
    console.forget()
    shown = await mass_summary(customer, "101 | https://instagram.com/a | 100")
    assert "No service 101 in the catalogue" in shown.plain
    assert not shown.buttons


async def test_an_unclear_answer_stops_the_run_and_is_never_sent_again(
    customer: Customer, panel: FakePanel
) -> None:
    summary = await mass_summary(
        customer,
        "1 | https://instagram.com/a | 100\n"
        "101 | https://instagram.com/b | 100\n"
        "1 | https://instagram.com/c | 100",
    )
    panel.fault, panel.fault_actions = "html502", {"add"}  # an error page: maybe placed
    results = await customer.tap("Place 3 orders", "orders placed")
    text = results.plain
    assert "0 of 3 orders placed" in text
    assert "1. Instagram Followers [Refill 30D] (ID 1) · instagram.com/a: no clear answer" in text
    assert text.count("not sent, nothing ordered") == 2
    assert "I will not place the unclear one again by myself" in text
    # The lines not sent, ready to send again.
    assert "101 | https://instagram.com/b | 100\n1 | https://instagram.com/c | 100" in text
    assert panel.count("add") == 1
    panel.fault = None
    later = await customer.press(summary, confirm_data(summary))
    assert "already placed" in str(later.get("text"))
    assert panel.count("add") == 1
    listed = await customer.say("/orders", "Instagram")
    assert "❓ unconfirmed Instagram Followers" in listed.plain


async def test_cancel_places_nothing(customer: Customer, panel: FakePanel) -> None:
    summary = await mass_summary(customer, "1 | https://instagram.com/a | 100")
    data = confirm_data(summary)
    await customer.tap("Cancel", "mass order is cancelled")
    answer = await customer.press(summary, data)
    assert "expired" in str(answer.get("text")).lower()
    assert panel.count("add") == 0


async def test_fifty_long_lines_fit_one_summary_and_one_results_message(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.set_balance(USER_KEY, "100000")
    tail = "x" * 300
    lines = "\n".join(
        f"{101 + n % 24} | https://instagram.com/{n}/{tail} | 1000" for n in range(MAX_LINES - 5)
    )
    bad = "\n".join(f"99999{n} | https://instagram.com/{tail} | 1000" for n in range(5))
    summary = await mass_summary(customer, f"{lines}\n{bad}")  # the stand-in refuses > 4096
    assert customer.labels(summary)[0] == f"✅ Place {MAX_LINES - 5} orders"
    results = await customer.tap("Place", "orders placed", timeout=30)
    assert f"{MAX_LINES - 5} of {MAX_LINES - 5} orders placed" in results.plain
    # Each line still shows its link, cut (less detail only as far as the limit needs).
    assert "1. ID 101 · instagram.com/0/xxx" in summary.plain
    assert "✅ 1. Order 1001 · ID 101 · instagram.com/0/xxx" in results.plain
    assert panel.count("add") == MAX_LINES - 5


async def test_fifty_bad_lines_with_long_ids_still_fit_one_summary(customer: Customer) -> None:
    lines = "\n".join(f"{n}{'9' * 200} | https://instagram.com/{'y' * 300} | 1" for n in range(50))
    shown = await mass_summary(customer, lines)  # the stand-in refuses over 4096 characters
    assert "Not ordered (50 lines)" in shown.plain
    assert "in the catalogue" in shown.plain


def test_fifty_long_refusals_fit_one_results_message() -> None:
    """The worst case of the results message, built directly (no panel refuses so verbosely)."""
    order = Order(
        id=1,
        user_id=USER,
        service_id="1234567890",
        service_name="N" * 200,
        link="https://instagram.com/" + "x" * 500,
        quantity=10**9,
        price=Decimal("123456.12345"),
        currency="USD",
    )
    refused = [
        LineResult(n, order, LineOutcome.REFUSED, error=PanelRejected("E" * 500))
        for n in range(1, MAX_LINES + 1)
    ]
    with reading_as("en"):
        text = texts.mass.results(refused, StopReason.UNKNOWN, "USD")
    assert len(text) <= 4000
    assert "0 of 50 orders placed" in text
    assert f"{MAX_LINES} ❌" in text or f"<b>{MAX_LINES}.</b>" in text


async def test_one_paste_split_by_telegram_is_read_as_one_list(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.say("/mass", "Mass order")
    sent_at = int(time.time())
    mark = telegram.mark()
    telegram.send_text(USER, "1 | https://instagram.com/a | 100", date=sent_at)
    await telegram.wait_for_message(USER, "Check your mass order", after=mark)
    mark = telegram.mark()
    telegram.send_text(USER, "101 | https://instagram.com/b | 100", date=sent_at)
    both = await telegram.wait_for_message(USER, "2 lines", after=mark)
    assert customer.labels(both)[0] == "✅ Place 2 orders"
    await customer.tap("Place 2 orders", "2 of 2 orders placed")
    assert panel.count("add") == 2


async def test_a_corrected_list_replaces_the_summary(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.say("/mass", "Mass order")
    mark = telegram.mark()
    telegram.send_text(USER, "1 | https://instagram.com/a | 5", date=int(time.time()) - 60)
    first = await telegram.wait_for_message(USER, "Check your mass order", after=mark)
    assert "The quantity must be 10 – 10,000." in first.plain
    assert not first.buttons  # nothing to place yet
    second = await customer.say(
        "1 | https://instagram.com/a | 50\n101 | https://instagram.com/b | 60",
        "Check your mass order",
    )
    old = await mass_summary(customer, "1 | https://instagram.com/z | 100")
    mark = telegram.mark()  # sent a minute later: a corrected list, not the paste's next part
    telegram.send_text(USER, "1 | https://instagram.com/y | 100", date=int(time.time()) + 60)
    newer = await telegram.wait_for_message(USER, "Check your mass order", after=mark)
    assert "1 line" in newer.plain
    replaced = next(m for m in telegram.messages(USER) if m.message_id == old.message_id)
    assert not replaced.buttons
    answer = await customer.press(old, confirm_data(old))
    assert "expired" in str(answer.get("text")).lower()
    assert panel.count("add") == 0
    await customer.tap("Place 1 order", "1 of 1 order placed")
    assert [order.fields["link"] for order in panel.orders.values()] == ["https://instagram.com/y"]
    assert second.message_id != newer.message_id


async def test_lines_may_follow_the_command_and_other_commands_keep_working(
    customer: Customer, panel: FakePanel
) -> None:
    summary = await customer.say(
        "/mass 1 | https://instagram.com/a | 100\n101 https://instagram.com/b 100",
        "Check your mass order",
    )
    assert "Total: 0.14 USD for 2 orders" in summary.plain
    await customer.say("/balance", "100.00 USD")  # answered; the summary stays
    await customer.tap("Place 2 orders", "2 of 2 orders placed")
    assert panel.count("add") == 2
    # Mid-order, the order conversation owns /mass (no second flow opens inside it).
    await customer.say("/order", "Choose a category")
    busy = await customer.say("/mass", "Choose a category")
    assert "Mass order" not in busy.plain


async def test_an_idle_mass_order_is_closed_and_can_no_longer_be_placed(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key, conversation_timeout_seconds=1)
    async with running(settings):
        customer = Customer(telegram)
        await customer.connect()
        summary = await mass_summary(customer, "1 | https://instagram.com/a | 100")
        await telegram.wait_for_message(USER, "left idle", timeout=10)
        closed = next(m for m in telegram.messages(USER) if m.message_id == summary.message_id)
        assert not closed.buttons
        answer = await customer.press(summary, confirm_data(summary))
        assert "expired" in str(answer.get("text")).lower()
        assert panel.count("add") == 0


async def test_confirm_after_a_restart_places_each_line_once(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    customer = Customer(telegram)
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)):
        await customer.connect()
        summary = await mass_summary(
            customer, "1 | https://instagram.com/a | 100\n101 | https://instagram.com/b | 100"
        )
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)):
        await customer.tap("Place 2 orders", "2 of 2 orders placed")
        again = await customer.press(summary, confirm_data(summary))
        assert "already placed" in str(again.get("text"))
    assert panel.count("add") == 2


async def test_mass_is_in_the_command_menu_and_in_help(
    customer: Customer, telegram: FakeTelegram
) -> None:
    assert "mass" in [command["command"] for command in telegram.commands or []]
    shown = await customer.say("/help", "How it works")
    assert "/mass — many orders in one message" in shown.plain


async def test_a_slow_panel_shows_one_hourglass_that_becomes_the_results(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await mass_summary(
        customer, "1 | https://instagram.com/a | 100\n101 | https://instagram.com/b | 100"
    )
    panel.delays["add"] = 1.3
    mark = telegram.mark()
    await customer.tap("Place 2 orders", "Asking the panel")
    results = await telegram.wait_for_message(USER, "2 of 2 orders placed", after=mark)
    texts_now = [m.plain for m in telegram.messages(USER) if not m.deleted]
    assert not any("Asking the panel" in text for text in texts_now)
    assert sum("orders placed" in text for text in texts_now) == 1
    assert results.edited  # the ⏳ message, edited into the results
