"""Money as the panel's customers expect it (issue 11, item 9): two decimals, more only when
a value under one unit needs them, balances never rounded up, grouped like quantities in the
reader's language, the currency on every amount; seen in /balance, the summary and the card."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.i18n import reading_as
from bot.texts.formatting import money, number
from tests.conftest import USER_KEY
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.orders import placed_order


def shown(amount: str, currency: str | None = "USD", language: str = "en", **kw: Any) -> str:
    with reading_as(language):
        return money(Decimal(amount), currency, **kw)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100.84292", "100.84 USD"),
        ("100.845", "100.85 USD"),  # a price: rounded half-up to the cent
        ("100.84", "100.84 USD"),
        ("12345.6", "12,345.60 USD"),
        ("0.9", "0.90 USD"),
        ("0.002", "0.002 USD"),  # under one unit: the digits it needs
        ("0.0045", "0.0045 USD"),
        ("0.123456", "0.12346 USD"),  # the panels' precision at most
        ("1", "1.00 USD"),
        ("0", "0.00 USD"),
    ],
)
def test_a_price_has_two_decimals_and_more_only_when_under_one_unit(
    amount: str, expected: str
) -> None:
    assert shown(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("100.84292", "100.84 USD"),
        ("45.679", "45.67 USD"),  # never money that cannot be spent
        ("0.0049999", "0.00499 USD"),
        ("1234567.999", "1,234,567.99 USD"),
    ],
)
def test_a_balance_is_never_rounded_up(amount: str, expected: str) -> None:
    assert shown(amount, spendable=True) == expected


@pytest.mark.parametrize(
    ("language", "expected_money", "expected_quantity"),
    [
        ("en", "12,345.60 USD", "12,345"),
        ("ru", "12\xa0345,60 USD", "12\xa0345"),
        ("es", "12.345,60 USD", "12.345"),
        ("pt_BR", "12.345,60 USD", "12.345"),
        ("tr", "12.345,60 USD", "12.345"),
        ("id", "12.345,60 USD", "12.345"),
    ],
)
def test_money_is_grouped_like_quantities_in_the_readers_language(
    language: str, expected_money: str, expected_quantity: str
) -> None:
    assert shown("12345.6", language=language) == expected_money
    with reading_as(language):
        assert number(12345) == expected_quantity


def test_the_currency_is_escaped_and_shown_on_every_amount() -> None:
    assert shown("2", "<b>") == "2.00 &lt;b&gt;"
    assert shown("2", None) == "2.00"


async def test_balance_shows_two_decimals_rounded_down(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.set_balance(USER_KEY, "100.84292")
    customer = Customer(telegram)
    await customer.connect()
    reply = await customer.say("/balance", "Balance")
    assert "100.84 USD" in reply.text
    assert "100.84292" not in reply.text


async def test_summary_groups_money_and_quantities_like_the_card(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.set_balance(USER_KEY, "12345.678")
    customer = Customer(telegram)
    await customer.connect()
    await customer.open_service(SERVICE_IDS["Default"])
    await customer.say("https://instagram.com/someone", "quantity")
    summary = await customer.say("5000", "")
    while "Price" not in summary.text:  # the drip-feed question, when the service asks it
        summary = await customer.tap("All at once", "Price")
    assert "🔢 Quantity: 5,000" in summary.text
    assert "💵 Price: <b>4.50 USD</b>" in summary.text
    assert "💰 Balance: 12,345.67 USD" in summary.text
    assert "💰 After: 12,341.17 USD" in summary.text
    card = await customer.tap("Confirm", "")
    assert "4.50 USD" in card.text


async def test_card_shows_the_charge_with_its_currency(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    await customer.connect()
    _, order_id = await placed_order(app, panel)
    panel.set_order(order_id, status="In progress", remains=10, charge="12345.6789")
    await customer.say(f"/status {order_id}", "Order status")
    await customer.say("/orders", "Your orders")
    card = await customer.tap(order_id, "Charge")
    assert "💵 Charge: 12,345.68 USD" in card.text
