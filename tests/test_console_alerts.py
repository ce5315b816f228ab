"""Alerts to the operators: the panel failing (once per outage, across a restart), its
recovery (once), and an order whose outcome is unknown."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from tests.conftest import (
    OPERATOR,
    SECOND_OPERATOR,
    USER,
    USER_KEY,
    make_settings,
    running,
)
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram

OPERATORS = (OPERATOR, SECOND_OPERATOR)
FAILING = "The panel is not answering"
RECOVERED = "The panel answers again"
DEFAULT = SERVICE_IDS["Default"]


def alert_settings(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str
) -> Settings:
    # Every call failing for 0.3 s is an outage: a balance read with its two retries, each
    # answered slowly, lasts longer than that.
    return make_settings(
        tmp_path,
        panel,
        telegram,
        fernet_key,
        admin_ids=list(OPERATORS),
        panel_alert_seconds=0.3,
        panel_timeout_seconds=0.5,
    )


def panel_down(panel: FakePanel) -> None:
    panel.delay = 0.25
    panel.fault = "html502"


def panel_up(panel: FakePanel) -> None:
    panel.delay = 0
    panel.fault = None


def alerts(telegram: FakeTelegram, operator: int, contains: str) -> int:
    return sum(contains in message.text for message in telegram.messages(operator))


async def test_an_outage_is_alerted_once_and_its_recovery_once(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    customer = Customer(telegram)
    async with running(alert_settings(tmp_path, panel, telegram, fernet_key)):
        await customer.connect()
        panel_down(panel)
        await customer.say("/balance", "not answering")
        for operator in OPERATORS:
            alert = await telegram.wait_for_message(operator, FAILING)
            assert "Last error: " in alert.text
            assert "(HTTP 502)" in alert.text
        # The outage goes on: no more alerts.
        await customer.say("/balance", "not answering")
        await customer.say("/balance", "not answering")
        panel_up(panel)
        await customer.say("/balance", "Balance")
        for operator in OPERATORS:
            await telegram.wait_for_message(operator, RECOVERED)
        await customer.say("/balance", "Balance")
        for operator in OPERATORS:
            assert alerts(telegram, operator, FAILING) == 1
            assert alerts(telegram, operator, RECOVERED) == 1
        assert USER_KEY not in telegram.all_text()


async def test_a_short_failure_is_not_an_outage(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    customer = Customer(telegram)
    async with running(alert_settings(tmp_path, panel, telegram, fernet_key)):
        await customer.connect()
        panel.fault = "html502"  # answered at once: the three tries take far less than 0.3 s
        await customer.say("/balance", "not answering")
        panel.fault = None
        await customer.say("/balance", "Balance")
    for operator in OPERATORS:
        assert telegram.messages(operator) == []


async def test_an_outage_alert_outlives_a_restart(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    customer = Customer(telegram)
    async with running(alert_settings(tmp_path, panel, telegram, fernet_key)):
        await customer.connect()
        panel_down(panel)
        await customer.say("/balance", "not answering")
        for operator in OPERATORS:
            await telegram.wait_for_message(operator, FAILING)
    # Restarted while the panel is still down: the outage was told already.
    async with running(alert_settings(tmp_path, panel, telegram, fernet_key)):
        await customer.say("/balance", "not answering")
        await customer.say("/balance", "not answering")
        panel_up(panel)
        await customer.say("/balance", "Balance")
        for operator in OPERATORS:
            await telegram.wait_for_message(operator, RECOVERED)
        await customer.say("/balance", "Balance")
    for operator in OPERATORS:
        assert alerts(telegram, operator, FAILING) == 1
        assert alerts(telegram, operator, RECOVERED) == 1


async def test_an_unknown_outcome_alerts_every_operator(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    customer = Customer(telegram)
    async with running(alert_settings(tmp_path, panel, telegram, fernet_key)):
        await customer.connect()
        await customer.open_service(DEFAULT, "Send the <b>link</b>")
        await customer.say("https://instagram.com/unclear?a=1&b=2", "quantity")
        await customer.say("500", "Spread it")
        await customer.tap("All at once", "Check your order")
        panel.timeout_seconds = 1.5
        panel.fault_actions = {"add"}
        panel.fault = "timeout_after_processing"
        await customer.tap("Confirm", "couldn't confirm")
        service = next(s["name"] for s in panel.services if s["service"] == DEFAULT)
        for operator in OPERATORS:
            alert = await telegram.wait_for_message(operator, "Order outcome unknown")
            assert f"User: <code>{USER}</code>" in alert.text
            assert f"Service: {DEFAULT} {service}" in alert.text
            assert "Link: https://instagram.com/unclear?a=1&amp;b=2" in alert.text
            assert "Sent: " in alert.text
            assert "UTC" in alert.text
        assert USER_KEY not in telegram.all_text()
        # One alert per unknown order, not per message about it.
        await customer.say("/orders", "unconfirmed")
        for operator in OPERATORS:
            assert alerts(telegram, operator, "Order outcome unknown") == 1
