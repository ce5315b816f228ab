"""Console → stats and /stats: the figures match what happened; operators only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from telegram.ext import Application

from bot import texts
from bot.config import Settings
from bot.context import app_services
from bot.notifier import notifier_of
from storage.crypto import Keyring
from storage.db import build_engine, prepare_database
from storage.models import Placement, utcnow
from storage.repository import DraftOrder, Repository
from storage.stats import PushFigures, UserFigures
from tests.conftest import (
    OPERATOR,
    OTHER_KEY,
    OTHER_USER,
    SECOND_OPERATOR,
    USER_KEY,
    make_settings,
    running,
)
from tests.console import operator
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

DEFAULT = SERVICE_IDS["Default"]
THIRD_USER = 3003


@pytest.fixture
def stats_settings(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str
) -> Settings:
    # A short panel timeout: an order's "timed out after the panel took it" comes quickly.
    return make_settings(
        tmp_path,
        panel,
        telegram,
        fernet_key,
        admin_ids=[OPERATOR, SECOND_OPERATOR],
        panel_timeout_seconds=0.5,
    )


@pytest.fixture
async def stats_app(
    stats_settings: Settings,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    async with running(stats_settings) as application:
        yield application


async def summary_of_500(customer: Customer, link: str) -> BotMessage:
    await customer.open_service(DEFAULT, "Send the <b>link</b>")
    await customer.say(link, "quantity")
    await customer.say("500", "Spread it")
    return await customer.tap("All at once", "Check your order")


def line_with(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if start in line)


async def test_stats_figures_match_what_happened(
    stats_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    # USER: one order placed through the bot (0.90 per 1000 → 0.45 USD), one whose outcome
    # is unknown (the panel took it, then the answer timed out).
    buyer = Customer(telegram)
    await buyer.connect()
    await summary_of_500(buyer, "https://instagram.com/placed")
    await buyer.tap("Confirm", "Order placed")
    await summary_of_500(buyer, "https://instagram.com/unclear")
    panel.timeout_seconds = 1.5
    panel.fault_actions = {"add"}
    panel.fault = "timeout_after_processing"
    await buyer.tap("Confirm", "couldn't confirm")
    panel.fault = None
    # OTHER_USER: an order placed on the panel's website, tracked through /status; then they
    # block the bot, so its status message cannot reach them.
    tracker = Customer(telegram, OTHER_USER)
    await tracker.connect(OTHER_KEY)
    website_order = panel.create_order(OTHER_KEY, DEFAULT, 300, "https://x.test/w", "Pending")
    await tracker.say(f"/status {website_order}", "Now tracking")
    # A third user only said hello.
    await Customer(telegram, THIRD_USER).say("/start")
    # A poll cycle: the placed order is now in progress (one push sent), the tracked one
    # completed (its push fails: blocked).
    placed_id = next(
        order_id
        for order_id, order in panel.orders.items()
        if order.fields.get("link") == "https://instagram.com/placed"
    )
    panel.set_order(placed_id, status="In progress", remains=200)
    panel.set_order(website_order, status="Completed", remains=0)
    telegram.block(OTHER_USER)
    calls_before = len(panel.requests)
    assert await notifier_of(stats_app).run_cycle(stats_app)
    cycle_calls = len(panel.requests) - calls_before
    await telegram.wait_for_message(buyer.user_id, "In progress")

    screen = await operator(telegram).say("/stats", "Stats")
    text = screen.text
    # Four users: the three above and the operator reading this (all seen this week).
    assert "<b>Users</b>: 4 · with a key: 2 · active (7 days): 4 · blocked the bot: 1" in text
    assert "<b>Orders placed</b>: today: 1 · 7 days: 1 · total: 1" in text
    assert "In progress: 1" in line_with(text, "By status")
    assert "Charged: 0.45 USD" in text
    assert "Tracked orders: 1" in text
    assert "Unknown outcomes to check: 1" in text
    assert "<b>Pushes (24 h)</b>: sent: 1 · failed: 1" in text
    poll = line_with(text, "Last poll")
    assert f"panel calls: {cycle_calls} (failed: 0) · keys: 2" in poll
    panel_line = line_with(text, "<b>Panel</b>")
    assert "ms" in panel_line
    # The timed-out add is the last failure the bot saw.
    assert "Last error: The panel request timed out" in text
    assert "Capabilities (PerfectPanel-style" in text


async def test_refresh_shows_new_figures_in_place(
    console_app: Any, telegram: FakeTelegram
) -> None:
    boss = operator(telegram)
    await boss.say("/admin", "Operator console")
    first = await boss.tap("Stats", "<b>Users</b>: 1 ·")
    assert "Last poll</b>: not yet" in first.text
    await Customer(telegram, THIRD_USER).say("/start")
    again = await boss.tap("Refresh", "<b>Users</b>: 2 ·")
    assert again.message_id == first.message_id  # edited in place
    assert any("Console" in label for label in boss.labels(again))


async def test_stats_for_a_customer_is_an_unknown_command(
    console_app: Any, telegram: FakeTelegram
) -> None:
    answer = await Customer(telegram).say("/stats")
    assert answer.text == texts.common.unknown_command()
    assert "Users" not in telegram.all_text()


# --- the panel check and the audit log ---------------------------------------------------------


async def test_panel_check_without_a_key_points_to_key(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    boss = operator(telegram)
    await boss.say("/admin", "Operator console")
    answer = await boss.tap("Panel check", "connect it with /key first")
    assert any("Console" in label for label in boss.labels(answer))
    assert panel.requests == []


async def test_panel_check_shows_the_report_and_is_audited(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    boss = operator(telegram)
    await boss.connect(OTHER_KEY)
    await boss.say("/admin", "Operator console")
    home = boss.last()
    report = await boss.tap("Panel check", "Catalogue:")
    # "⏳ Checking…" first, then the report in the same message.
    assert "Checking the panel" in telegram.all_text()
    assert report.message_id == home.message_id
    assert "<pre>" in report.text
    assert f"Panel: {panel.url}" in report.text
    assert "Balance: 50" in report.text
    assert "refill: " in report.text
    assert OTHER_KEY not in telegram.all_text()
    assert panel.count("add") == 0  # harmless calls only
    # Audited: the log lists it, with who and when.
    await boss.tap("Console", "Operator console")
    log = await boss.tap("Audit log", "Audit log")
    assert "panel_check" in log.text
    assert f"(<code>{OPERATOR}</code>)" in log.text
    assert "User7001" in log.text  # the operator's name as Telegram has it


async def test_audit_log_pages_through_older_actions(
    console_app: Any, telegram: FakeTelegram
) -> None:
    repository = app_services(console_app).repository
    for number in range(25):
        await repository.record_action(SECOND_OPERATOR, "test_action", f"number {number}")
    boss = operator(telegram)
    await boss.say("/admin", "Operator console")
    newest = await boss.tap("Audit log", "number 24")
    assert "number 5" in newest.text
    assert "number 4" not in newest.text
    older = await boss.tap("▶️", "page 2")
    assert "number 4" in older.text
    assert "number 0" in older.text
    assert "number 5" not in older.text
    assert "▶️" not in boss.labels(older)
    back = await boss.tap("◀️", "number 24")
    assert back.message_id == newest.message_id


# --- the operators' command menu ---------------------------------------------------------------


async def test_operators_get_admin_and_stats_in_their_own_menu_only(
    console_app: Any, telegram: FakeTelegram
) -> None:
    default = telegram.commands
    assert default is not None
    assert {"admin", "stats"}.isdisjoint(command["command"] for command in default)
    for chat in (OPERATOR, SECOND_OPERATOR):
        menu = telegram.commands_for(chat)
        assert menu is not None
        names = [command["command"] for command in menu]
        assert {"admin", "stats", "order", "start"} <= set(names)
    assert telegram.commands_for(OTHER_USER) is None


async def test_an_operators_menu_is_in_their_language_and_one_unreachable_is_skipped(
    stats_settings: Settings, telegram: FakeTelegram
) -> None:
    telegram.block(SECOND_OPERATOR)  # never opened the bot, or blocked it: Telegram refuses
    async with running(stats_settings):
        boss = operator(telegram)
        await boss.say("/language", "Choose your language")
        await boss.tap("Русский", "Русский")
    assert ("setMyCommands", 403, "Forbidden: bot was blocked by the user") in telegram.errors
    assert telegram.commands_for(SECOND_OPERATOR) is None
    async with running(stats_settings):  # the menus are registered at start
        menu = telegram.commands_for(OPERATOR)
        russian_default = telegram.commands_for(None, "ru")
    assert menu is not None
    assert russian_default is not None
    mine = {command["command"]: command["description"] for command in menu}
    for command in russian_default:
        assert mine[command["command"]] == command["description"]
    assert {"admin", "stats"} <= set(mine)


# --- the store, on SQLite and PostgreSQL -------------------------------------------------------


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Repository]:
    """A fresh database of each kind."""
    prepare_database(database_url)
    engine = build_engine(database_url)
    yield Repository(engine, Keyring([Fernet.generate_key().decode()]))
    await engine.dispose()


async def placed(
    store: Repository, user_id: int, price: str, currency: str, panel_id: str
) -> None:
    order_id = await store.create_draft(
        DraftOrder(
            user_id=user_id,
            service_id="1",
            service_name="Followers",
            service_type="default",
            link="https://x.test/a",
            quantity=100,
            fields={"link": "https://x.test/a", "quantity": "100"},
            price=Decimal(price),
            currency=currency,
            can_refill=None,
            can_cancel=None,
        )
    )
    assert await store.claim_draft(order_id, user_id) is not None
    await store.finish_placement(order_id, Placement.PLACED, panel_order_id=panel_id)


async def test_the_figures_are_exact_on_every_database(store: Repository) -> None:
    big = 7_123_456_789  # beyond 32 bits, as real Telegram ids are
    for user_id in (1, 2, big):
        await store.touch_user(user_id)
    await store.set_api_key(1, USER_KEY)
    await store.set_user_flags(big, active=False)
    assert await store.user_figures() == UserFigures(3, 1, 3, 1)
    await placed(store, 1, "0.1", "USD", "11")
    await placed(store, 1, "0.2", "USD", "12")
    await placed(store, big, "1.00001", "EUR", "9" * 22)
    orders = await store.order_figures(utcnow() - timedelta(hours=1))
    assert (orders.today, orders.week, orders.total) == (3, 3, 3)
    assert orders.by_status == (("pending", 3),)
    assert orders.charged == (("EUR", Decimal("1.00001")), ("USD", Decimal("0.3")))  # exact
    tomorrow = await store.order_figures(utcnow() + timedelta(hours=1))
    assert tomorrow.today == 0
    await store.record_pushes([(1, "sent"), (1, "sent"), (big, "blocked"), (2, "failed")])
    assert await store.push_figures() == PushFigures(2, 2)
    # Nothing is pruned within the week; everything a week on.
    assert await store.prune_push_log() == 0
    assert await store.prune_push_log(utcnow() + timedelta(days=8)) == 4
    assert await store.push_figures() == PushFigures(0, 0)
    # The alert switches once each way, however often it is asked.
    assert await store.switch_panel_alert(True, {"error": "x"})
    assert not await store.switch_panel_alert(True, {"error": "y"})
    assert await store.switch_panel_alert(False, {})
    assert not await store.switch_panel_alert(False, {})
