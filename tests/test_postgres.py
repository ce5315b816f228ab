"""The same storage and the same ordering flow on PostgreSQL (DATABASE_URL), not only SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from storage.crypto import Keyring
from storage.db import build_engine, prepare_database
from storage.models import Order, Placement
from storage.repository import DraftOrder, Repository
from tests.conftest import USER_KEY, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

BIG_TELEGRAM_ID = 7_123_456_789  # beyond 32 bits, as real ids are
LONG_PANEL_ID = "9" * 22  # beyond 2^53: must stay an exact string


@pytest.fixture
async def repository(postgres_url: str) -> AsyncIterator[Repository]:
    prepare_database(postgres_url)
    engine = build_engine(postgres_url)
    yield Repository(engine, Keyring([Fernet.generate_key().decode()]))
    await engine.dispose()


def draft(user_id: int, price: str = "0.00001234") -> DraftOrder:
    return DraftOrder(
        user_id=user_id,
        service_id="1",
        service_name="Followers <b>",
        service_type="default",
        link="https://instagram.com/a",
        quantity=1000,
        fields={"link": "https://instagram.com/a", "quantity": "1000"},
        price=Decimal(price),
        currency="USD",
        can_refill=True,
        can_cancel=True,
    )


async def test_keys_money_and_big_ids_round_trip(repository: Repository) -> None:
    await repository.touch_user(BIG_TELEGRAM_ID, "pt-BR")
    await repository.set_api_key(BIG_TELEGRAM_ID, USER_KEY)
    stored = await repository.get_api_key(BIG_TELEGRAM_ID)
    assert stored is not None
    assert stored.key == USER_KEY
    order_id = await repository.create_draft(draft(BIG_TELEGRAM_ID, "12345678.12345"))
    assert await repository.claim_draft(order_id, BIG_TELEGRAM_ID) is not None
    placed = await repository.finish_placement(
        order_id, Placement.PLACED, panel_order_id=LONG_PANEL_ID
    )
    again = await repository.find_order(BIG_TELEGRAM_ID, LONG_PANEL_ID)
    assert again is not None
    assert again.price == Decimal("12345678.12345")
    assert placed.panel_order_id == LONG_PANEL_ID


async def test_only_one_of_many_concurrent_confirms_claims_the_draft(postgres_url: str) -> None:
    keyring = Keyring([Fernet.generate_key().decode()])
    prepare_database(postgres_url)
    # An engine each: connections of their own, like other processes.
    engines = [build_engine(postgres_url) for _ in range(8)]
    try:
        order_id = await Repository(engines[0], keyring).create_draft(draft(1))
        claims = await asyncio.gather(
            *(Repository(engine, keyring).claim_draft(order_id, 1) for engine in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert len([claim for claim in claims if claim is not None]) == 1


async def test_owed_announcements_ignore_case_and_respect_newer_ones(
    repository: Repository,
) -> None:
    await repository.touch_user(1)
    order_id = await repository.create_draft(draft(1))
    await repository.claim_draft(order_id, 1)
    await repository.finish_placement(order_id, Placement.PLACED, panel_order_id="55")
    await repository.record_order_status(
        order_id, status="pending", status_raw="pending", remains=1000, start_count=0, charge=None
    )
    assert await repository.owed_users() == []
    await repository.record_order_status(
        order_id,
        status="in_progress",
        status_raw="In progress",
        remains=10,
        start_count=5,
        charge=None,
    )
    assert await repository.owed_users() == [1]
    news = await repository.news_for(1)
    assert news is not None
    [owed] = news.orders
    await repository.mark_announced(Order, order_id, "In progress", owed.announced_status)
    assert await repository.owed_users() == []


async def test_an_order_end_to_end_on_postgresql(
    tmp_path: Path,
    postgres_url: str,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key, database_url=postgres_url)
    app: Any
    async with running(settings) as app:
        customer = Customer(telegram)
        await customer.connect()
        await customer.open_service(1, "Send the <b>link</b>")
        await customer.say("https://instagram.com/pg", "quantity")
        await customer.say("2000", "Spread it")
        await customer.tap("All at once", "Check your order")
        await customer.tap("Confirm", "Order placed")
        listing = await customer.say("/orders", "Your orders")
        assert next(iter(panel.orders)) in listing.text
        assert app is not None
    assert panel.count("add") == 1
