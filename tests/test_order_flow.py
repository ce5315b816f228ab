"""The ordering conversation end to end, in-process, against both stand-ins over real HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import USER_KEY
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
async def customer(app: Any, telegram: FakeTelegram) -> Customer:
    customer = Customer(telegram)
    await customer.connect()
    return customer


async def test_default_order_from_categories_to_placed(
    customer: Customer, panel: FakePanel
) -> None:
    menu = await customer.say("/order", "Choose a category")
    assert "Instagram Followers" in customer.labels(menu)
    page = await customer.tap("Instagram Followers", "Instagram Followers")
    assert "1/4" in customer.labels(page)  # 25 services, 8 a page
    await customer.tap("▶️", "page 2/4")
    await customer.tap("◀️", "page 1/4")
    await customer.tap("0.90", "Send the <b>link</b>")
    await customer.say("https://instagram.com/someone", "quantity")
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
